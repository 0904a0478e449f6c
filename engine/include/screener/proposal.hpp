// Stage 3, bind: proposals read from JSON / NDJSON files, directories or stdin, with their values
// placed into the compiled rule set's input slots. A proposal that cannot be bound becomes an
// InvalidProposal listing every reason; it never stops the batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "screener/diagnostic.hpp"

namespace screener {

class CompiledRules;

// Values by input slot (see CompiledInput::slot). Numbers, integers, booleans (0/1) and enum
// values (their index) live in `numbers`, NaN meaning absent; strings and lists have flags.
// (A ranked report stores proposals field by field, batch.cpp's `stored`: a new field goes there too.)
struct Proposal {
    std::string id, name;
    SourceLoc source;  // file:line
    std::vector<double> numbers;
    std::vector<std::string> strings;
    std::vector<std::uint8_t> string_present;
    std::vector<std::vector<std::string>> lists;
    std::vector<std::uint8_t> list_present;
};

struct InvalidProposal {
    std::string id, name;  // as far as they could be read
    SourceLoc source;
    std::vector<std::string> reasons;  // each names the field, what was expected and what was found
};

using BoundProposal = std::variant<Proposal, InvalidProposal>;

// Binds one parsed JSON value (a proposal object) against the rule set's inputs.
BoundProposal bind_json(const CompiledRules& rules, const nlohmann::json& value, SourceLoc source);

// Parses and binds one JSON text (a single proposal object).
BoundProposal bind_text(const CompiledRules& rules, std::string_view text, SourceLoc source);

// The reason a proposal is invalid when its id repeats an earlier one's (the first keeps it).
std::string repeated_id_reason(std::string_view id);

// The ids seen so far in a batch, to find repeats (the first proposal with an id keeps it). Exact,
// and in flat memory however many there are. The latest ids are held in an open-addressing table
// of offsets into one arena of length-prefixed ids (about 25 bytes an 8-character id, where a
// std::unordered_set<std::string> takes about 76). At limits().max_ids_in_memory ids, or 24 bytes
// of arena an id, they go to a run on disk in the order of their hashes, in $TMPDIR (files with no
// name), and the table starts again; memory keeps only a fence, 16 bytes, for every
// 2 KiB of a run. A Bloom filter of 16 bytes an id held (8 MiB by default) says which ids may
// be on disk, so that a new id is looked up there only now and then: about 1 in 12,000 with 1.5
// million ids on disk, 1 in 700 with 3.5 million, 1 in 25 with 10 million.
class IdSet {
public:
    using Hash = std::uint64_t (*)(std::string_view);
    // SipHash-2-4 (libsodium's crypto_shorthash) under a key drawn at random once a process. Ids
    // that share a hash are compared one by one, so ids chosen to share an unkeyed one (as
    // std::hash's MurmurHash2 allows) would cost time in the square of their number.
    static std::uint64_t keyed_hash(std::string_view id);

    // Holds limits().max_ids_in_memory ids in memory (0 is taken as 1, and more than 2^32 as 2^32).
    // Any hash gives the same answers, only slower when ids share it (tests make them collide).
    explicit IdSet(Hash hash = keyed_hash);
    ~IdSet();
    IdSet(const IdSet&) = delete;
    IdSet& operator=(const IdSet&) = delete;

    std::uint64_t hash(std::string_view id) const { return hash_(id); }
    // True when `id` is new (and now recorded) or empty (a missing id is reported on its own).
    // Throws Error when the ids cannot be written to disk.
    bool first(std::string_view id) { return first(id, hash(id)); }
    bool first(std::string_view id, std::uint64_t hash);  // `hash` is hash(id), computed once
    // A hint that the id of `hash` is asked about soon: its slot is fetched into the cache meanwhile.
    // A large set misses the cache on nearly every id; fetching a few ids ahead hides that.
    void prefetch(std::uint64_t hash) const;

private:
    struct OnDisk;
    std::size_t home(std::uint64_t hash) const;
    std::string_view id_in(std::uint64_t slot) const;
    void prefetch_id(std::uint64_t slot) const;
    void grow();
    void spill();

    Hash hash_;
    std::string arena_;                 // each id as a LEB128 length, then its bytes
    std::vector<std::uint64_t> slots_;  // 0 = empty; else the hash's low 24 bits, then arena offset + 1
    std::size_t capacity_ = 0;          // home slots (a power of two), kept at most half full
    unsigned home_shift_ = 64;          // a hash's home is its top log2(capacity_) bits
    std::size_t size_ = 0;
    std::size_t max_size_;              // ids held before they are spilled
    std::unique_ptr<OnDisk> on_disk_;   // the ids spilled so far, if any
};

// Reads every proposal from `inputs` (files, directories searched recursively in sorted order,
// or "-" for stdin), in input order, and hands each to `sink` as soon as it is bound. `.ndjson` and
// `.jsonl` files hold one proposal per line; other files hold one object or an array of objects.
// A repeated id makes the later proposal invalid. Unreadable inputs become InvalidProposals too.
void read_proposals(const CompiledRules& rules, const std::vector<std::string>& inputs,
                    const std::function<void(BoundProposal&&)>& sink);
// The same, with each proposal's JSON text ("" for an entry that could not be read).
void read_proposals(const CompiledRules& rules, const std::vector<std::string>& inputs,
                    const std::function<void(BoundProposal&&, std::string_view text)>& sink);

// Keys of a proposal's JSON text that no input reads and that look meant for one, each in words, in
// the order written: an input's dotted name given as one key ("environment.iso14001": true), or a near
// spelling of an input's name where it would lie (environment.iso_14001). Scoring ignores them (other
// keys are ignored), so an optional input so written takes its default without a word: check tells
// of them.
std::vector<std::string> unread_keys(const CompiledRules& rules, std::string_view proposal);

// Whether a folder's search reads a file of this name: .json, .ndjson or .jsonl, in any case.
bool is_proposal_file_name(const std::string& path);

// What reading `folder` as an input finds below it: the entries it reads (.json, .ndjson and .jsonl
// files, in any case, and folders that cannot be searched), and the files it passes over: how many,
// and the first three by name.
struct FolderFiles {
    std::size_t proposal_entries = 0;
    std::size_t passed_over = 0;
    std::vector<std::string> first_passed_over;
};
FolderFiles folder_files(const std::string& folder);

}  // namespace screener
