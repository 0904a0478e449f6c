// Fuzz target 1: bytes as a rule-set YAML file -> load_rules -> compile (with lint) -> proposal schema
// -> the rule set's own tests run (bind_json, score, expectations, coverage) -> every report format.
// Each test proposal is also bound from its JSON text by both binding paths, which must agree.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fast_bind.hpp"
#include "fuzz_common.hpp"
#include "screener/rules.hpp"
#include "screener/schema.hpp"
#include "screener/testing.hpp"

using namespace screener;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    LoadedRules loaded = load_rules(text, "fuzz.yaml");
    FUZZ_CHECK(loaded.rules.text == text, "the rule set keeps its exact bytes (for the sha256)");
    for (const auto& d : loaded.diagnostics) (void)d.str();
    if (has_errors(loaded.diagnostics)) return 0;

    CompileResult compiled;
    try {
        compiled = compile(loaded.rules);
    } catch (const std::exception& e) {
        // Finding default-dump-throws: a wrong-typed input default holding invalid UTF-8 is quoted in the
        // message with nlohmann's strict dump(), which throws instead of reporting a diagnostic.
        FUZZ_CHECK(fuzz::tolerated("default-dump-throws"), std::string("compile() threw: ") + e.what());
        return 0;
    }
    for (const auto& d : compiled.diagnostics) (void)d.str();
    if (!compiled.rules) {
        FUZZ_CHECK(has_errors(compiled.diagnostics), "compile() gives no plan but reports no error");
        return 0;
    }
    const CompiledRules& rules = *compiled.rules;
    FUZZ_CHECK(rules.sha256 == sha256_hex(text), "sha256 of the rule-set bytes");

    // screener schema
    (void)proposal_schema(rules).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);

    // screener test
    TestRun run = run_tests(rules, rules.tests);
    (void)run.coverage.gaps();
    (void)run.coverage.percent();
    std::vector<Result> results;
    for (const auto& outcome : run.outcomes) {
        fuzz::check_result(rules, outcome.result);
        results.push_back(outcome.result);
    }

    // Each test proposal as JSON text: the bulk (simdjson) path must bind it exactly as the ordinary one.
    const bool simd = detail::simd_supported();
    Evaluation scratch;
    for (const TestCase& test : rules.tests) {
        std::string json = test.proposal.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        const SourceLoc source{"test.json", 1, 0};
        BoundProposal ordinary = bind_text(rules, json, source);
        if (simd) {
            const std::size_t length = json.size();
            json.reserve(length + 64);
            std::optional<Proposal> fast;
            try {
                fast = detail::fast_bind(rules, std::string_view(json.data(), length), json.capacity(), source);
            } catch (const std::exception& e) {
                FUZZ_CHECK(fuzz::tolerated("fast-bind-throws"), std::string("fast_bind threw: ") + e.what() + "\n" + json);
            }
            if (fast) fuzz::check_same_binding(BoundProposal(std::move(*fast)), ordinary, "fast_bind vs bind_text of:\n" + json);
        }
        if (const auto* p = std::get_if<Proposal>(&ordinary)) {
            evaluate(rules, *p, scratch);
            fuzz::check_advice(rules, *p, scratch);
        }
    }
    fuzz::check_reports(rules, std::move(results));
    return 0;
}
