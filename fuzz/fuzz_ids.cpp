// Fuzz target 6: bytes as ids, one a line, asked one by one of an IdSet that holds only a few in
// memory (the first byte says how many, 1 to 16) and spills the rest to runs on disk, behind a
// filter of 1 to 4 lines that soon says "may be on disk" of every id. Each answer must be std::set's:
// an id is new exactly once, and the empty id always is.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "screener/limits.hpp"
#include "screener/proposal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    screener::limits().max_ids_in_memory = 1 + data[0] % 16;
    screener::IdSet ids;
    std::set<std::string, std::less<>> seen;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    for (std::size_t asked = 1;; ++asked) {
        const std::size_t end = text.find('\n');
        const std::string_view id = text.substr(0, end);
        const bool expected = id.empty() || seen.emplace(id).second;
        FUZZ_CHECK(ids.first(id) == expected, "id " + std::to_string(asked) + " (" + std::to_string(id.size()) + " bytes) " +
                                                  (expected ? "is new" : "came before"));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return 0;
}
