// Rule-set tests: run the `tests:` of a rule set (or of a separate test file) against its compiled
// plan, compare each expectation, and measure which gates and criteria the tests exercise.
#pragma once

#include <string>
#include <vector>

#include "screener/compile.hpp"
#include "screener/evaluate.hpp"

namespace screener {

struct TestOutcome {
    std::string name;
    SourceLoc where;
    std::vector<std::string> failures;  // "what: expected X, got Y"; empty when the test passed
    Result result;
    bool passed() const { return failures.empty(); }
};

// What the tests saw: each gate passing and failing, each criterion at zero, partial and full points.
struct Coverage {
    struct Gate { std::string id; bool seen_pass = false, seen_fail = false; };
    struct Criterion { std::string id; bool seen_zero = false, seen_partial = false, seen_full = false; };
    std::vector<Gate> gates;
    std::vector<Criterion> criteria;

    std::size_t covered() const;
    std::size_t total() const;  // 2 per gate + 3 per criterion
    double percent() const;
    std::vector<std::string> gaps() const;  // "gate 'x' never fails", ...
};

struct TestRun {
    std::vector<TestOutcome> outcomes;
    Coverage coverage;
    std::size_t failed() const;
};

TestRun run_tests(const CompiledRules& rules, const std::vector<TestCase>& tests);

}  // namespace screener
