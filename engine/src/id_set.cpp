#include "screener/limits.hpp"
#include "screener/proposal.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

namespace screener {

namespace {
constexpr unsigned offset_bits = 40;  // arenas up to 1 TiB
constexpr std::uint64_t offset_mask = (std::uint64_t{1} << offset_bits) - 1;
constexpr std::size_t arena_bytes_per_id = 24;  // the arena spills at this many bytes an id (12 MiB), whatever their count
constexpr std::size_t fence_spacing = 2048;     // bytes of a run read to look an id up
constexpr std::size_t merge_chunk = 1 << 18;    // bytes read and written at a time when runs are made
constexpr std::size_t arena_ahead = 16;         // slots ahead whose ids are fetched while the table is gone through
constexpr std::size_t max_runs = 16;            // more only when spills shrink (ids growing longer): merged
constexpr std::size_t most_ids_in_memory = std::size_t{1} << 32;  // max_ids_in_memory beyond is taken as this

std::uint64_t tag_of(std::uint64_t hash) { return hash << offset_bits; }  // the hash's low bits; its top bits are the home

void append_length(std::string& out, std::size_t length) {
    for (;; length >>= 7) {
        out += static_cast<char>((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
        if (length <= 0x7f) break;
    }
}

// Puts `slot` in the first empty slot from `home` on, or after the last.
void put(std::vector<std::uint64_t>& slots, std::uint64_t slot, std::size_t home) {
    std::size_t i = home;
    while (i < slots.size() && slots[i] != 0) ++i;
    if (i == slots.size())
        slots.push_back(slot);
    else
        slots[i] = slot;
}

// `error` is an errno value, taken where the call failed.
[[noreturn]] void disk_error(const std::string& what, int error) {
    throw Error("cannot " + what + " the ids seen so far (kept to find repeated ids; set TMPDIR to a directory with room): " +
                std::strerror(error));
}

// A file in $TMPDIR (or /tmp) with no name, living as long as its descriptor: made with O_TMPFILE,
// so that none is left behind even if the process dies; where the file system cannot, named and
// deleted at once.
class TempFile {
public:
    TempFile() {
        const char* dir = std::getenv("TMPDIR");
        const std::string folder = dir && *dir ? dir : "/tmp";
        fd_ = open(folder.c_str(), O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC, 0600);  // O_EXCL: never to be linked
        if (fd_ < 0) {  // the file system cannot (or the kernel is older than O_TMPFILE): mkostemp says why not
            std::string path = folder + "/screener-ids-XXXXXX";
            fd_ = mkostemp(path.data(), O_CLOEXEC);
            if (fd_ >= 0) unlink(path.c_str());
        }
        if (fd_ < 0) {
            const int error = errno;
            disk_error("create a file in " + folder + " for", error);
        }
    }
    TempFile(TempFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    TempFile& operator=(TempFile&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~TempFile() {
        if (fd_ >= 0) close(fd_);
    }

    void write(std::string_view bytes, std::uint64_t offset) const {
        while (!bytes.empty()) {
            const ssize_t n = pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) disk_error("write", n < 0 ? errno : EIO);
            bytes.remove_prefix(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
    }
    // Reads up to `size` bytes at `offset`; fewer only at the end of the file.
    std::size_t read(char* into, std::size_t size, std::uint64_t offset) const {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = pread(fd_, into + done, size - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error(std::string("cannot read back the ids seen so far (kept to find repeated ids): ") + std::strerror(errno));
            if (n == 0) break;
            done += static_cast<std::size_t>(n);
        }
        return done;
    }

private:
    int fd_ = -1;
};

// Ids on disk in the order of their hashes, each as its 8-byte hash, its LEB128 length and its
// bytes. Fences in memory say where to start reading for a hash.
struct Run {
    struct Fence {
        std::uint64_t hash;    // of the first record at or after a multiple of about fence_spacing
        std::uint64_t offset;  // of that record
    };
    TempFile file;
    std::vector<Fence> fences;
    std::size_t ids = 0;
};

class RunWriter {
public:
    void add(std::uint64_t hash, std::string_view id) {
        const std::uint64_t offset = written_ + buffer_.size();
        if (offset >= next_fence_) {
            run_.fences.push_back({hash, offset});
            next_fence_ = offset + fence_spacing;
        }
        buffer_.append(reinterpret_cast<const char*>(&hash), sizeof hash);
        append_length(buffer_, id.size());
        buffer_ += id;
        ++run_.ids;
        if (buffer_.size() >= merge_chunk) flush();
    }
    Run finish() {
        flush();
        return std::move(run_);
    }

private:
    void flush() {
        run_.file.write(buffer_, written_);
        written_ += buffer_.size();
        buffer_.clear();
    }

    Run run_;
    std::string buffer_;
    std::uint64_t written_ = 0;
    std::uint64_t next_fence_ = 0;
};

// A run's records in order from `offset`, read `chunk` bytes at a time.
class RunReader {
public:
    RunReader(const Run& run, std::uint64_t offset, std::size_t chunk) : run_(run), offset_(offset), chunk_(chunk) {}

    // The next record into hash and id (valid until the next call); false at the end of the run.
    bool next() {
        pos_ += record_size_;
        if (!buffered(sizeof hash + 1)) return false;
        std::memcpy(&hash, buffer_.data() + pos_, sizeof hash);
        std::size_t length = 0, size = sizeof hash;
        for (unsigned shift = 0;; shift += 7) {
            if (!buffered(size + 1)) ends_early();
            const auto byte = static_cast<unsigned char>(buffer_[pos_ + size++]);
            length |= static_cast<std::size_t>(byte & 0x7f) << shift;
            if (byte < 0x80) break;
        }
        if (!buffered(size + length)) ends_early();
        id = std::string_view(buffer_).substr(pos_ + size, length);
        record_size_ = size + length;
        return true;
    }

    std::uint64_t hash = 0;
    std::string_view id;

private:
    [[noreturn]] static void ends_early() { throw Error("cannot read back the ids seen so far: a run of them on disk ends early"); }
    // True when `size` bytes from pos_ are in the buffer, read from the run as needed.
    bool buffered(std::size_t size) {
        if (buffer_.size() - pos_ >= size) return true;
        buffer_.erase(0, pos_);
        pos_ = 0;
        const std::size_t have = buffer_.size();
        buffer_.resize(std::max(size, have + chunk_));
        const std::size_t got = run_.file.read(buffer_.data() + have, buffer_.size() - have, offset_);
        offset_ += got;
        buffer_.resize(have + got);
        return buffer_.size() >= size;
    }

    const Run& run_;
    std::uint64_t offset_;  // of the first byte not yet in the buffer
    std::size_t chunk_;
    std::string buffer_;
    std::size_t pos_ = 0;          // of the current record in the buffer
    std::size_t record_size_ = 0;  // of the current record
};

bool holds(const Run& run, std::uint64_t hash, std::string_view id) {
    auto fence = std::lower_bound(run.fences.begin(), run.fences.end(), hash,
                                  [](const Run::Fence& f, std::uint64_t h) { return f.hash < h; });
    if (fence != run.fences.begin()) --fence;  // ids with this hash may begin in the block before
    if (fence == run.fences.end() || fence->hash > hash) return false;
    RunReader reader(run, fence->offset, fence_spacing);
    while (reader.next() && reader.hash <= hash)
        if (reader.hash == hash && reader.id == id) return true;
    return false;
}

Run merge(const Run& older, const Run& newer) {
    RunReader a(older, 0, merge_chunk), b(newer, 0, merge_chunk);
    RunWriter merged;
    bool more_a = a.next(), more_b = b.next();
    while (more_a || more_b) {
        RunReader& from = more_a && (!more_b || a.hash <= b.hash) ? a : b;
        merged.add(from.hash, from.id);
        (&from == &a ? more_a : more_b) = from.next();
    }
    return merged.finish();
}

// Which hashes the runs may hold, in a fixed size whatever their number: a Bloom filter whose bits
// for a hash all lie in one 64-byte line, so that asking costs at most one cache miss.
class Bloom {
public:
    // A line for every 4 ids the table holds: 16 bytes an id, as the table takes.
    explicit Bloom(std::size_t max_size) : lines_(std::max<std::size_t>(max_size / 4, 1)), words_(8 * lines_) {}

    void add(std::uint64_t hash) {
        const std::uint64_t mixed = mix(hash);
        std::uint64_t* line = words_.data() + line_of(hash);
        for (unsigned k = 0; k < bits_per_hash; ++k) line[bit(mixed, k) / 64] |= std::uint64_t{1} << (bit(mixed, k) % 64);
    }
    bool may_hold(std::uint64_t hash) const {
        const std::uint64_t mixed = mix(hash);
        const std::uint64_t* line = words_.data() + line_of(hash);
        for (unsigned k = 0; k < bits_per_hash; ++k)
            if (!(line[bit(mixed, k) / 64] >> (bit(mixed, k) % 64) & 1)) return false;
        return true;
    }
    void prefetch(std::uint64_t hash) const { __builtin_prefetch(words_.data() + line_of(hash)); }

private:
    static constexpr unsigned bits_per_hash = 4;
    // The line is the hash's place among all hashes, so that a run's ids, added in the order of
    // their hashes, fill the filter from start to end; the bits in it come from all the hash's bits.
    static std::uint64_t mix(std::uint64_t hash) { return hash * 0x9e3779b97f4a7c15; }
    static unsigned bit(std::uint64_t mixed, unsigned k) { return static_cast<unsigned>(mixed >> (9 * k)) & 511; }
    std::size_t line_of(std::uint64_t hash) const {
        __extension__ using Wide = unsigned __int128;  // hash * lines / 2^64: the line, in the order of the hashes
        return 8 * static_cast<std::size_t>(static_cast<Wide>(hash) * lines_ >> 64);
    }

    std::size_t lines_;
    std::vector<std::uint64_t> words_;
};
}  // namespace

struct IdSet::OnDisk {
    explicit OnDisk(std::size_t max_size) : bloom(max_size) {}
    Bloom bloom;
    std::vector<Run> runs;  // the oldest, and largest, first

    bool holds(std::uint64_t hash, std::string_view id) const {
        if (!bloom.may_hold(hash)) return false;
        return std::any_of(runs.begin(), runs.end(), [&](const Run& run) { return screener::holds(run, hash, id); });
    }
};

std::uint64_t IdSet::keyed_hash(std::string_view id) {
    static const auto key = [] {
        if (sodium_init() < 0) throw Error("cannot start libsodium, to draw the key that ids are hashed with");
        std::array<unsigned char, crypto_shorthash_KEYBYTES> drawn;
        randombytes_buf(drawn.data(), drawn.size());
        return drawn;
    }();
    std::uint64_t hash;
    static_assert(crypto_shorthash_BYTES == sizeof hash);
    crypto_shorthash(reinterpret_cast<unsigned char*>(&hash), reinterpret_cast<const unsigned char*>(id.data()), id.size(), key.data());
    return hash;
}

IdSet::IdSet(Hash hash) : hash_(hash), max_size_(std::clamp<std::size_t>(limits().max_ids_in_memory, 1, most_ids_in_memory)) {}
IdSet::~IdSet() = default;

bool IdSet::first(std::string_view id, std::uint64_t hash) {
    if (id.empty()) return true;
    if (!slots_.empty())
        for (std::size_t i = home(hash); i < slots_.size() && slots_[i] != 0; ++i)
            if ((slots_[i] & ~offset_mask) == tag_of(hash) && id_in(slots_[i]) == id) return false;
    if (on_disk_ && on_disk_->holds(hash, id)) return false;
    if (size_ > 0 && (size_ == max_size_ || arena_.size() + id.size() > arena_bytes_per_id * max_size_)) spill();
    if (2 * (size_ + 1) > capacity_) grow();  // at most half full, so probes stay short
    put(slots_, tag_of(hash) | (arena_.size() + 1), home(hash));
    append_length(arena_, id.size());
    arena_ += id;
    ++size_;
    return true;
}

void IdSet::prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(hash)]);
    if (on_disk_) on_disk_->bloom.prefetch(hash);
}

// A slot's home is the top bits of its id's hash, and a probe goes on past the last home to slots
// added at the end, never around to the first: the table holds its ids in the order of their
// hashes, but for the order within each run of full slots.
std::size_t IdSet::home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> home_shift_); }

// The table is in the order of the hashes and the arena in the order the ids came: going through the
// table visits the arena at random, a cache miss an id, unless its ids are fetched some slots ahead.
// (A slot holds its id's offset + 1: the fetch is one byte in. An empty slot fetches the arena's
// start, harmlessly: GCC 12 drops a prefetch under an `if` here.)
void IdSet::prefetch_id(std::uint64_t slot) const { __builtin_prefetch(arena_.data() + (slot & offset_mask)); }

std::string_view IdSet::id_in(std::uint64_t slot) const {
    std::uint64_t offset = (slot & offset_mask) - 1;
    std::size_t length = 0;
    for (unsigned shift = 0;; shift += 7) {
        const auto byte = static_cast<unsigned char>(arena_[offset++]);
        length |= static_cast<std::size_t>(byte & 0x7f) << shift;
        if (byte < 0x80) break;
    }
    return {arena_.data() + offset, length};
}

void IdSet::grow() {
    const std::size_t capacity = capacity_ == 0 ? std::min<std::size_t>(1024, std::bit_ceil(2 * max_size_)) : 2 * capacity_;
    const auto shift = static_cast<unsigned>(64 - std::countr_zero(capacity));
    std::vector<std::uint64_t> slots;
    slots.reserve(capacity + 64);  // room for slots past the last home (a few) without moving the table
    slots.resize(capacity);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (i + arena_ahead < slots_.size()) prefetch_id(slots_[i + arena_ahead]);
        if (slots_[i] != 0) put(slots, slots_[i], static_cast<std::size_t>(hash_(id_in(slots_[i])) >> shift));
    }
    slots_ = std::move(slots);  // only now: a failed allocation above leaves the set as it was
    capacity_ = capacity;
    home_shift_ = shift;
}

// The ids held go to a new run, and the table and arena are emptied (keeping their memory). Runs
// merge like a binary counter's digits: there are about log2(ids / max_size_) of them, and an id
// is written again as often. (Spills that shrink, as ids grow longer, would never merge that way:
// past max_runs the newest two merge anyway.)
void IdSet::spill() {
    if (!on_disk_) on_disk_ = std::make_unique<OnDisk>(max_size_);
    RunWriter writer;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> full;  // a run of full slots: hash, slot
    for (std::size_t i = 0; i < slots_.size();) {
        for (full.clear(); i < slots_.size() && slots_[i] != 0; ++i) {
            if (i + arena_ahead < slots_.size()) prefetch_id(slots_[i + arena_ahead]);
            full.emplace_back(hash_(id_in(slots_[i])), slots_[i]);
        }
        std::sort(full.begin(), full.end());
        for (const auto& [hash, slot] : full) {
            writer.add(hash, id_in(slot));
            on_disk_->bloom.add(hash);
        }
        ++i;  // an empty slot
    }
    std::vector<Run>& runs = on_disk_->runs;
    runs.push_back(writer.finish());
    while (runs.size() >= 2 && (runs[runs.size() - 2].ids <= runs.back().ids || runs.size() > max_runs)) {
        Run merged = merge(runs[runs.size() - 2], runs.back());
        runs.pop_back();
        runs.back() = std::move(merged);
    }
    slots_.resize(capacity_);
    std::fill(slots_.begin(), slots_.end(), 0);
    arena_.clear();
    size_ = 0;
}

}  // namespace screener
