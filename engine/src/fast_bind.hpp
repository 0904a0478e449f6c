// The bulk path of binding: a proposal's JSON text read with simdjson On-Demand straight into the
// input slots, no DOM. It only handles the ordinary case — a well-formed object whose values all
// fit — and returns nullopt for anything else, which the caller then binds with the ordinary
// (nlohmann) path to get the exact same result and the full list of reasons. Private.
#pragma once

#include <optional>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "screener/compile.hpp"
#include "screener/proposal.hpp"

namespace screener::detail {

// Stores one present JSON value into its slot, or explains why it does not fit (the ordinary path).
std::optional<std::string> store_value(const CompiledInput& input, const nlohmann::json& value, Proposal& p);

// The simdjson paths (this one, built for AVX2: see engine/CMakeLists.txt; and reading result lines
// back) may run only when this is true; older processors take the ordinary ones.
bool simd_supported();

// How far past a JSON text simdjson may read (its SIMDJSON_PADDING): the bytes read for it are
// allocated with this much room after them.
inline constexpr std::size_t simd_padding = 64;

// simdjson 3.0.1's On-Demand get_double misreads a number whose integer part is 0 and that has more
// than 19 significant digits: 0.95000000000000000000 reads as 0.0277 (simdjson issue 2093, reported
// against 3.6.2 and mended since; Debian bookworm has 3.0.1). So the simdjson paths leave a number
// of more than 19 digits (all of them, before any exponent) to the ordinary path. `token`: the
// number's text (On-Demand's raw_json_token, spaces after it and all).
inline bool too_many_digits_for_simdjson(std::string_view token) {
    if (token.size() < 20) return false;
    std::size_t digits = 0;
    for (const char c : token) {
        if (c == 'e' || c == 'E') break;
        digits += c >= '0' && c <= '9';
    }
    return digits > 19;
}

// `text` must be readable up to `capacity` bytes (capacity >= text.size() + simd_padding).
std::optional<Proposal> fast_bind(const CompiledRules& rules, std::string_view text, std::size_t capacity, const SourceLoc& source);
// The same into `p`, which a caller binding many records can reuse so that its vectors and strings
// keep their memory: true when bound (`p` then equals what fast_bind returns), false when the
// ordinary path must bind the text (`p` is then left half-written). The source is `file`:`line`.
bool fast_bind_into(const CompiledRules& rules, std::string_view text, std::size_t capacity, std::string_view file,
                    std::uint32_t line, Proposal& p);

// Proposal texts as read, before binding: chunks that own their bytes (padded for simdjson), each
// record one proposal's text, file and line, or a problem that makes it invalid without reading (an
// unreadable file). A chunk is of one file, or of several small ones read one after another (a
// proposal a file, as a committee's folder holds them); files are named once a chunk, not copied
// for every record.
struct RawRecord {
    RawRecord(std::size_t offset, std::size_t length, std::uint32_t line, std::string problem = {})
        : offset(offset), length(length), line(line), problem(std::move(problem)) {}
    std::size_t offset, length;
    std::uint32_t line;      // 0 when unknown
    std::uint32_t file = 0;  // in the chunk's files
    std::string problem;
};

struct RawChunk {
    std::vector<std::string> files;
    std::uint64_t offset = 0;  // where `bytes` starts in the file, for a chunk of one file
    std::string bytes;
    std::vector<RawRecord> records;
    bool ends_file = false;  // its (last) file was read to the end with it
    std::vector<std::uint64_t> sizes;  // when unread, each file's size when listed (all that is read of
                                       // it), or 0 for one read already, whose records are here

    // Some of its files are named only, for read_files to read: no records yet.
    bool unread() const { return !sizes.empty(); }

    const std::string& file(const RawRecord& record) const { return files[record.file]; }
    SourceLoc source(const RawRecord& record) const { return {files[record.file], record.line, 0}; }
};

// Reads `inputs` in order (files, directories recursively and sorted, "-" for stdin) and hands
// on chunks of records; NDJSON is read in blocks, so memory stays bounded. A chunk holds at most
// `max_records` records, so that a caller whose results are large can bound what a chunk makes,
// and small files go on together, a file never twice in a row in a chunk.
// `small_files_unread`: files of a few KB are not read but named with their sizes, among the files
// read, for the workers to read (read_files): a folder of a proposal a file is mostly opening and
// reading files, which this thread would otherwise do for every worker. Such a file counts as a
// record for each 8 of its bytes or part of 8, so a chunk holds no more than `max_records`
// proposals that bind (each takes 10 bytes or more); lines that cannot bind, as short as `1`, may
// be up to 4 times as many (their results are shorter).
void read_raw(const std::vector<std::string>& inputs, const std::function<void(RawChunk&&)>& sink,
              std::size_t max_records = std::numeric_limits<std::size_t>::max(), bool small_files_unread = false);
// Reads the files of an unread chunk that are named only: the records read_raw would have made of
// them, in their places among the others, but that a file holding more than its listed size by then
// is one problem record (so a chunk stays as small as it was listed), and one that is no regular
// file any more, another. A chunk read already is left alone.
void read_files(RawChunk& chunk);
// The same for files (or "-") read as NDJSON whatever their names, one record a non-blank line of
// any length: `screener rank`'s result files.
void read_ndjson(const std::vector<std::string>& inputs, const std::function<void(RawChunk&&)>& sink);
// Binds one record: the simdjson path when it can, the ordinary path otherwise.
BoundProposal bind_record(const CompiledRules& rules, const RawChunk& chunk, const RawRecord& record);
// The same for a caller binding many records: the simdjson path binds into `reuse`, whose memory is
// kept from record to record; the ordinary path's result goes to `other`. Returns the proposal
// (`reuse`, or the one in `other`), or nullptr when the record is invalid (`other` says why).
const Proposal* bind_record(const CompiledRules& rules, const RawChunk& chunk, const RawRecord& record, Proposal& reuse,
                            BoundProposal& other);

}  // namespace screener::detail
