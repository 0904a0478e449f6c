// Fuzz target 5: bytes as one streamed result line, read back as `screener rank` reads it. The
// simdjson path (fast_result_line.cpp) must read exactly what the ordinary (nlohmann) path reads or
// hand the line over: when it reads one, the ordinary path reads the same result and rule set, and
// never finds an error in it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fast_bind.hpp"
#include "fuzz_common.hpp"
#include "result_line.hpp"
#include "screener/report.hpp"

using namespace screener;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!detail::simd_supported()) return 0;  // no simdjson path to compare
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const std::optional<ResultLine> fast = detail::fast_read_result_line(line);
    if (!fast) return 0;
    std::optional<ResultLine> ordinary;
    std::string error;
    try {
        ordinary = detail::ordinary_read_result_line(line);
    } catch (const Error& e) {
        error = e.what();
    }
    FUZZ_CHECK(ordinary, "the simdjson path reads a line the ordinary path rejects (" + error + "):\n" + std::string(line));
    FUZZ_CHECK(fast->rules == ordinary->rules, "the two paths read different rule sets:\n" + std::string(line));
    std::string fast_text, ordinary_text;
    append_result_json(fast_text, fast->result, 0, &fast->rules);
    append_result_json(ordinary_text, ordinary->result, 0, &ordinary->rules);
    FUZZ_CHECK(fast_text == ordinary_text, "the two paths read different results:\n" + std::string(line) + "\n" + fast_text + "\n" + ordinary_text);
    return 0;
}
