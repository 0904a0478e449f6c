// The ids seen so far in a batch, to find repeats (SPEC section 4: the first proposal with an id
// keeps it). Exact, and compact because a batch may hold millions: an open-addressing table of
// offsets into one arena of length-prefixed ids, about 25 bytes an 8-character id where a
// std::unordered_set<std::string> takes about 76. Private.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace screener::detail {

class IdSet {
public:
    // True when `id` is new (and now recorded) or empty (a missing id is reported on its own).
    bool first(std::string_view id);
    // A hint that `id` is asked about soon: its slot is fetched into the cache meanwhile. A large set
    // misses the cache on nearly every id; fetching a few ids ahead hides that.
    void prefetch(std::string_view id) const;

private:
    std::string_view at(std::uint64_t offset) const;
    void grow();

    std::string arena_;                 // each id as a LEB128 length, then its bytes
    std::vector<std::uint64_t> slots_;  // 0 = empty; else the hash's top 24 bits, then arena offset + 1
    std::size_t size_ = 0;
};

}  // namespace screener::detail
