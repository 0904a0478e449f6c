// Fuzz target 5: bytes as one streamed result line, read back as `screener rank` reads it. The
// simdjson path (fast_result_line.cpp) must read exactly what the ordinary (nlohmann) path reads or
// hand the line over: when it reads one, the ordinary path reads the same rule set and the same
// result, field by field and bit for bit, and never finds an error in it. It reads the same from a
// copy as in place, with other bytes after the line, and into the ResultLine of the inputs before.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fast_bind.hpp"
#include "fuzz_common.hpp"
#include "result_line.hpp"
#include "screener/report.hpp"

using namespace screener;

namespace {

// Field by field, numbers bit for bit (-0 is not 0, NaN is itself).
bool same(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }
bool same(const std::optional<double>& a, const std::optional<double>& b) { return a.has_value() == b.has_value() && (!a || same(*a, *b)); }
template <class T, class Same>
bool same(const std::vector<T>& a, const std::vector<T>& b, Same same_item) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_item(a[i], b[i])) return false;
    return true;
}
bool same(const Result& a, const Result& b) {
    auto gate = [](const GateOutcome& x, const GateOutcome& y) {
        return x.id == y.id && x.title == y.title && x.passed == y.passed && x.message == y.message;
    };
    auto criterion = [](const CriterionOutcome& x, const CriterionOutcome& y) {
        return x.id == y.id && x.title == y.title && x.unit == y.unit && x.has_metric == y.has_metric && same(x.band.zero_at, y.band.zero_at) &&
               same(x.band.full_at, y.band.full_at) && same(x.value, y.value) && same(x.points, y.points) && same(x.weight, y.weight) &&
               x.skipped == y.skipped && x.reason == y.reason;
    };
    auto group = [&](const GroupOutcome& x, const GroupOutcome& y) {
        return x.id == y.id && x.title == y.title && same(x.score, y.score) && same(x.weight, y.weight) && same(x.minimum, y.minimum) &&
               x.skipped == y.skipped && same(x.criteria, y.criteria, criterion);
    };
    return a.id == b.id && a.name == b.name && a.source == b.source && a.verdict == b.verdict && same(a.score, b.score) &&
           same(a.pass_score, b.pass_score) && a.profiles == b.profiles && same(a.gates, b.gates, gate) && same(a.groups, b.groups, group) &&
           a.reasons == b.reasons;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (!detail::simd_supported()) return 0;  // no simdjson path to compare
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const std::optional<ResultLine> fast = detail::fast_read_result_line(line);
    // Read in place too, as rank reads its files: the bytes after a line are whatever comes next.
    std::string padded(line);
    padded.append(detail::simd_padding, '}');
    const std::optional<ResultLine> in_place = detail::fast_read_result_line(std::string_view(padded).substr(0, size), padded.size());
    FUZZ_CHECK(in_place.has_value() == fast.has_value() && (!fast || (in_place->rules == fast->rules && same(in_place->result, fast->result))),
               "the simdjson path reads a line differently in place:\n" + std::string(line));
    // As rank reads line after line: into the strings and vectors of earlier inputs' readings.
    static ResultLine reused;
    FUZZ_CHECK(detail::fast_read_result_line(line, 0, reused) == fast.has_value() &&
                   (!fast || (reused.rules == fast->rules && same(reused.result, fast->result))),
               "the simdjson path reads a line differently after another:\n" + std::string(line));
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
    FUZZ_CHECK(same(fast->result, ordinary->result), "the two paths read different results:\n" + std::string(line));
    return 0;
}
