#include "screener/testing.hpp"

#include <algorithm>
#include <cmath>

#include "screener/report.hpp"

namespace screener {

std::size_t Coverage::covered() const {
    std::size_t n = 0;
    for (const auto& g : gates) n += g.seen_pass + g.seen_fail;
    for (const auto& c : criteria) n += c.seen_zero + c.seen_partial + c.seen_full;
    return n;
}

std::size_t Coverage::total() const { return 2 * gates.size() + 3 * criteria.size(); }

double Coverage::percent() const { return total() == 0 ? 100.0 : 100.0 * static_cast<double>(covered()) / static_cast<double>(total()); }

std::vector<std::string> Coverage::gaps() const {
    std::vector<std::string> out;
    for (const auto& g : gates) {
        if (!g.seen_pass) out.push_back("gate '" + g.id + "' is never seen passing");
        if (!g.seen_fail) out.push_back("gate '" + g.id + "' is never seen failing");
    }
    for (const auto& c : criteria) {
        std::vector<std::string> missing;
        if (!c.seen_zero) missing.push_back("zero");
        if (!c.seen_partial) missing.push_back("partial");
        if (!c.seen_full) missing.push_back("full");
        if (missing.empty()) continue;
        std::string text;
        for (std::size_t i = 0; i < missing.size(); ++i) text += (i == 0 ? "" : i + 1 == missing.size() ? " or " : ", ") + missing[i];
        out.push_back("criterion '" + c.id + "' is never seen at " + text + " points");
    }
    return out;
}

std::size_t TestRun::failed() const {
    return static_cast<std::size_t>(std::count_if(outcomes.begin(), outcomes.end(), [](const TestOutcome& o) { return !o.passed(); }));
}

namespace {

// "expected …, got …" for a value out of `range`, with the decimals that tell it from the range's
// ends ("expected at least 55.000, got 54.996", not "at least 55.00, got 55.00").
std::string expected_got(const Range& range, double got) {
    const int decimals = std::max(range.min ? decimals_apart(got, *range.min) : 2, range.max ? decimals_apart(got, *range.max) : 2);
    const auto text = [&](double v) { return with_decimals(v, decimals); };
    const std::string expected = range.min && range.max && *range.min == *range.max ? text(*range.min)
                                 : range.min && range.max                            ? "between " + text(*range.min) + " and " + text(*range.max)
                                 : range.min                                         ? "at least " + text(*range.min)
                                                                                     : "at most " + text(*range.max);
    return "expected " + expected + ", got " + text(got);
}

std::string describe(const Range& range) {
    if (range.min && range.max && *range.min == *range.max) return two_decimals(*range.min);
    if (range.min && range.max) return "between " + two_decimals(*range.min) + " and " + two_decimals(*range.max);
    if (range.min) return "at least " + two_decimals(*range.min);
    if (range.max) return "at most " + two_decimals(*range.max);
    return "any value";
}

bool within(double value, const Range& range) {
    constexpr double tolerance = 1e-9;  // exact expectations are written to two decimals at most
    if (range.min && range.max && *range.min == *range.max) return std::fabs(value - *range.min) <= tolerance + 0.005;
    return (!range.min || value >= *range.min - tolerance) && (!range.max || value <= *range.max + tolerance);
}

std::string join(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out + "]";
}

void check(const CompiledRules& rules, const TestExpectation& expect, TestOutcome& outcome) {
    const Result& r = outcome.result;
    auto fail = [&](std::string text) { outcome.failures.push_back(std::move(text)); };
    // Where an id expected as a group (or a criterion) is the other, or what it is near.
    auto elsewhere = [&](const std::string& id, bool as_group) -> std::string {
        if (as_group && rules.find_criterion(id)) return "; '" + id + "' is a criterion: expect it under criteria";
        if (!as_group && rules.find_group(id)) return "; '" + id + "' is a group: expect it under groups";
        std::vector<std::string> ids;
        if (as_group)
            for (const auto& g : rules.groups) ids.push_back(g.id);
        else
            for (const auto& c : rules.criteria) ids.push_back(c.id);
        return did_you_mean(id, ids);
    };
    std::string why;
    for (const auto& reason : r.reasons) why += (why.empty() ? " (" : "; ") + reason;
    if (!why.empty()) why += ")";
    if (expect.verdict && expect.verdict->value != to_string(r.verdict))
        fail("verdict: expected " + expect.verdict->value + ", got " + std::string(to_string(r.verdict)) + why);
    else if (!expect.verdict && r.verdict == Verdict::invalid)  // why, before each expectation it cannot meet
        fail("proposal: invalid" + why);
    if (expect.score && r.verdict == Verdict::invalid) fail("score: expected " + describe(*expect.score) + ", got none (invalid)");
    else if (expect.score && !within(r.score, *expect.score)) fail("score: " + expected_got(*expect.score, r.score));
    if (expect.gates_failed) {
        std::vector<std::string> want = expect.gates_failed->value, got, gate_ids;
        for (const auto& g : rules.gates) gate_ids.push_back(g.id);
        for (const auto& id : want)
            if (!rules.find_gate(id)) fail("gates_failed: no gate '" + id + "' in the rule set" + did_you_mean(id, gate_ids));
        for (const auto& g : r.gates)
            if (!g.passed) got.push_back(g.id);
        std::sort(want.begin(), want.end());
        want.erase(std::unique(want.begin(), want.end()), want.end());  // a set: a gate named twice is the one gate
        std::sort(got.begin(), got.end());
        if (r.verdict == Verdict::invalid) fail("gates_failed: expected " + join(want) + ", got none (invalid)");
        else if (want != got) fail("gates_failed: expected " + join(want) + ", got " + join(got));
    }
    for (const auto& [id, range] : expect.groups) {
        auto g = rules.find_group(id);
        if (!g) fail("groups: no group '" + id + "' in the rule set" + elsewhere(id, true));
        else if (r.verdict == Verdict::invalid) fail("group '" + id + "': expected " + describe(range) + ", got none (invalid)");
        else if (r.groups[*g].skipped) fail("group '" + id + "': expected " + describe(range) + ", got skipped");
        else if (!within(r.groups[*g].score, range))
            fail("group '" + id + "': " + expected_got(range, r.groups[*g].score));
    }
    for (const auto& [id, range] : expect.criteria) {
        auto c = rules.find_criterion(id);
        if (!c) {
            fail("criteria: no criterion '" + id + "' in the rule set" + elsewhere(id, false));
            continue;
        }
        if (r.verdict == Verdict::invalid) {
            fail("criterion '" + id + "': expected " + describe(range) + ", got none (invalid)");
            continue;
        }
        const auto& group = r.groups[rules.criteria[*c].group];
        const auto& outcome_c = group.criteria[*c - rules.groups[rules.criteria[*c].group].first_criterion];
        if (outcome_c.skipped) fail("criterion '" + id + "': expected " + describe(range) + ", got skipped");
        else if (!within(outcome_c.points, range))
            fail("criterion '" + id + "': " + expected_got(range, outcome_c.points));
    }
}

}  // namespace

TestRun run_tests(const CompiledRules& rules, const std::vector<TestCase>& tests) {
    TestRun run;
    for (const auto& g : rules.gates) run.coverage.gates.push_back({g.id});
    for (const auto& c : rules.criteria) run.coverage.criteria.push_back({c.id});
    Evaluation scratch;
    for (const TestCase& test : tests) {
        TestOutcome outcome;
        outcome.name = test.name;
        outcome.where = test.where;
        outcome.result = score(rules, bind_json(rules, test.proposal, test.proposal_where), scratch);
        check(rules, test.expect, outcome);
        if (outcome.result.verdict != Verdict::invalid) {
            for (std::size_t i = 0; i < rules.gates.size(); ++i)
                (scratch.gates[i].passed ? run.coverage.gates[i].seen_pass : run.coverage.gates[i].seen_fail) = true;
            for (std::size_t i = 0; i < rules.criteria.size(); ++i) {
                const CriterionResult& c = scratch.criteria[i];
                if (c.skipped) continue;
                auto& seen = run.coverage.criteria[i];
                (c.points <= 0 ? seen.seen_zero : c.points >= 100 ? seen.seen_full : seen.seen_partial) = true;
            }
        }
        run.outcomes.push_back(std::move(outcome));
    }
    return run;
}

}  // namespace screener
