// Fuzz target 3: bytes as one proposal's JSON text, bound against the built-in rule set
// (compile_default) -> score -> explain -> what it takes -> every report format (append_result_json
// read back as `screener rank` does). The bulk binding path (simdjson, fast_bind) must give exactly
// what the ordinary (nlohmann) path gives whenever it accepts the text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fast_bind.hpp"
#include "fuzz_common.hpp"

using namespace screener;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::shared_ptr<const CompiledRules> compiled = [] {
        auto result = compile_default();
        FUZZ_CHECK(result.rules, "the built-in rule set compiles");
        return result.rules;
    }();
    const bool simd = detail::simd_supported();
    const CompiledRules& rules = *compiled;
    const SourceLoc source{"fuzz.json", 1, 0};

    std::string text(reinterpret_cast<const char*>(data), size);
    BoundProposal bound = bind_text(rules, text, source);
    if (simd) {
        text.reserve(size + 64);  // simdjson reads up to 64 bytes past the end
        std::optional<Proposal> fast;
        try {
            fast = detail::fast_bind(rules, std::string_view(text.data(), size), text.capacity(), source);
        } catch (const std::exception& e) {
            // Finding fast-bind-throws: a simdjson error escaped fast_bind (an unchecked simdjson_result).
            FUZZ_CHECK(fuzz::tolerated("fast-bind-throws"), std::string("fast_bind threw: ") + e.what());
            return 0;
        }
        if (fast) fuzz::check_same_binding(BoundProposal(std::move(*fast)), bound, "fast_bind vs bind_text");
    }

    Evaluation scratch;
    Result result = score(rules, bound, scratch);
    fuzz::check_result(rules, result);
    if (const auto* p = std::get_if<Proposal>(&bound)) {
        FUZZ_CHECK(!p->id.empty(), "a bound proposal has an id");
        fuzz::check_advice(rules, *p, scratch);
    }
    fuzz::check_reports(rules, {std::move(result)});
    return 0;
}
