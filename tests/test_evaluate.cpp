// Scoring semantics (SPEC section 3) on small hand-written rule sets. Every expected score below is
// computed by hand from the SPEC formulas (the arithmetic is in the comment next to it), never
// copied from what the engine prints.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "screener/evaluate.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"
#include "support.hpp"

using namespace screener;
using namespace screener::test;
using nlohmann::json;

namespace {

const std::string header = "format: screener/v1\nid: t\nversion: \"1\"\n";

// Index of a criterion / group / gate by id (the test fails when the id is unknown).
std::uint32_t criterion(const CompiledRules& rules, const std::string& id) {
    auto i = rules.find_criterion(id);
    REQUIRE(i);
    return *i;
}
std::uint32_t group(const CompiledRules& rules, const std::string& id) {
    auto i = rules.find_group(id);
    REQUIRE(i);
    return *i;
}
std::uint32_t gate(const CompiledRules& rules, const std::string& id) {
    auto i = rules.find_gate(id);
    REQUIRE(i);
    return *i;
}

Evaluation eval(const CompiledRules& rules, const json& proposal) { return evaluate(rules, bind_ok(rules, proposal)); }

Result explained(const CompiledRules& rules, const json& proposal) {
    Proposal p = bind_ok(rules, proposal);
    Evaluation e = evaluate(rules, p);
    return explain(rules, p, e);
}

const CriterionOutcome& outcome(const Result& r, const std::string& id) {
    for (const auto& g : r.groups)
        for (const auto& c : g.criteria)
            if (c.id == id) return c;
    FAIL("no criterion " << id << " in the result");
    throw 0;  // unreachable
}

// ---------------------------------------------------------------------------------------------
// Criterion points: one metric per kind of band, each on its own input.
const std::string bands_yaml = header + R"(
inputs:
  hi: { type: number }
  lo: { type: number }
  pt: { type: number }
  st: { type: number }
groups:
  - id: g
    criteria:
      - id: higher
        metric: hi
        zero_at: 10
        full_at: 30
      - id: lower
        metric: lo
        zero_at: 150      # zero_at > full_at: lower is better
        full_at: 40
      - id: points
        points: pt
      - id: step
        metric: st
        zero_at: 50       # zero_at == full_at: a step
        full_at: 50
decision: { pass_score: 0 }
)";

// Points of the four criteria for one proposal.
std::vector<double> band_points(const CompiledRules& rules, double hi, double lo, double pt, double st) {
    Evaluation e = eval(rules, {{"id", "P"}, {"hi", hi}, {"lo", lo}, {"pt", pt}, {"st", st}});
    return {e.criteria[criterion(rules, "higher")].points, e.criteria[criterion(rules, "lower")].points,
            e.criteria[criterion(rules, "points")].points, e.criteria[criterion(rules, "step")].points};
}

}  // namespace

TEST_CASE("metric band, higher is better, clamped at both ends", "[evaluate]") {
    auto rules = compile_ok(bands_yaml);
    auto p = [&](double hi) { return band_points(*rules, hi, 150, 0, 0)[0]; };
    CHECK(p(15) == Approx(25).margin(1e-9));    // 100 * (15 - 10) / (30 - 10) = 100 * 5/20 = 25
    CHECK(p(25) == Approx(75).margin(1e-9));    // 100 * (25 - 10) / 20 = 75
    CHECK(p(10) == 0);                          // at zero_at: 100 * 0/20 = 0
    CHECK(p(30) == 100);                        // at full_at: 100 * 20/20 = 100
    CHECK(p(5) == 0);                           // (5 - 10)/20 = -0.25, clamped to 0
    CHECK(p(-1e9) == 0);                        // far below: clamped to 0
    CHECK(p(40) == 100);                        // (40 - 10)/20 = 1.5, clamped to 1 -> 100
    CHECK(p(1e12) == 100);                      // far beyond: clamped to 100
    // the criterion value is the metric itself, not the points
    Evaluation e = eval(*rules, {{"id", "P"}, {"hi", 40}, {"lo", 150}, {"pt", 0}, {"st", 0}});
    CHECK(e.criteria[criterion(*rules, "higher")].value == 40);
}

TEST_CASE("metric band, lower is better (zero_at > full_at), clamped at both ends", "[evaluate]") {
    auto rules = compile_ok(bands_yaml);
    auto p = [&](double lo) { return band_points(*rules, 10, lo, 0, 0)[1]; };
    CHECK(p(95) == Approx(50).margin(1e-9));    // 100 * (95 - 150) / (40 - 150) = 100 * -55/-110 = 50
    CHECK(p(62) == Approx(80).margin(1e-9));    // 100 * (62 - 150) / -110 = 100 * 88/110 = 80
    CHECK(p(139) == Approx(10).margin(1e-9));   // 100 * (139 - 150) / -110 = 100 * 11/110 = 10
    CHECK(p(150) == 0);                         // at zero_at
    CHECK(p(40) == 100);                        // at full_at
    CHECK(p(200) == 0);                         // (200 - 150)/-110 < 0, clamped to 0
    CHECK(p(20) == 100);                        // (20 - 150)/-110 = 1.18, clamped to 1 -> 100
    CHECK(p(-5) == 100);                        // (-5 - 150)/-110 = 1.41, clamped -> 100
}

TEST_CASE("points criterion is clamped to 0..100 and value keeps the unclamped points", "[evaluate]") {
    auto rules = compile_ok(bands_yaml);
    auto p = [&](double pt) { return band_points(*rules, 10, 150, pt, 0)[2]; };
    CHECK(p(42.5) == Approx(42.5).margin(1e-9));  // clamp(42.5, 0, 100) = 42.5
    CHECK(p(0) == 0);
    CHECK(p(100) == 100);
    CHECK(p(-5) == 0);                            // clamp(-5, 0, 100) = 0
    CHECK(p(150) == 100);                         // clamp(150, 0, 100) = 100
    Evaluation e = eval(*rules, {{"id", "P"}, {"hi", 10}, {"lo", 150}, {"pt", 150}, {"st", 0}});
    CHECK(e.criteria[criterion(*rules, "points")].value == 150);
    CHECK(e.criteria[criterion(*rules, "points")].points == 100);
}

TEST_CASE("zero_at == full_at is a step: 100 at or beyond the threshold, else 0", "[evaluate]") {
    auto rules = compile_ok(bands_yaml);
    auto p = [&](double st) { return band_points(*rules, 10, 150, 0, st)[3]; };
    CHECK(p(49.999) == 0);   // below the threshold 50
    CHECK(p(-50) == 0);
    CHECK(p(50) == 100);     // at the threshold
    CHECK(p(50.001) == 100); // beyond it
    CHECK(p(1e9) == 100);
    // never NaN (the band formula would divide by zero)
    Evaluation e = eval(*rules, {{"id", "P"}, {"hi", 10}, {"lo", 150}, {"pt", 0}, {"st", 50}});
    CHECK_FALSE(e.criteria[criterion(*rules, "step")].no_data);
    CHECK_FALSE(std::isnan(e.total));
}

namespace {

// Two groups with weights, criteria with weights; points come straight from inputs.
const std::string weights_yaml = header + R"(
inputs:
  p1: { type: number }
  p2: { type: number }
  p3: { type: number }
groups:
  - id: g1
    weight: 3
    criteria:
      - id: c1
        points: p1
      - id: c2
        points: p2
        weight: 3
  - id: g2
    criteria:
      - id: c3
        points: p3
decision: { pass_score: 40 }
)";

}  // namespace

TEST_CASE("criterion weights and group weights make weighted means", "[evaluate]") {
    auto rules = compile_ok(weights_yaml);
    Evaluation e = eval(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 10}});
    const auto g1 = group(*rules, "g1"), g2 = group(*rules, "g2");
    CHECK(e.groups[g1].score == Approx(50).margin(1e-9));  // (1*20 + 3*60) / (1 + 3) = 200/4 = 50
    CHECK(e.groups[g2].score == Approx(10).margin(1e-9));  // 10 / 1 = 10
    CHECK(e.total == Approx(40).margin(1e-9));             // (3*50 + 1*10) / (3 + 1) = 160/4 = 40
    CHECK_FALSE(e.groups[g1].skipped);
    CHECK_FALSE(e.groups[g2].skipped);
    CHECK(e.parameters.criterion_weights[criterion(*rules, "c2")] == 3);
    CHECK(e.parameters.group_weights[g1] == 3);
    CHECK(e.parameters.group_weights[g2] == 1);  // default weight 1

    // weights are not a plain mean: a different split of the same points gives another total
    Evaluation f = eval(*rules, {{"id", "P"}, {"p1", 60}, {"p2", 20}, {"p3", 10}});
    CHECK(f.groups[g1].score == Approx(30).margin(1e-9));  // (1*60 + 3*20) / 4 = 120/4 = 30
    CHECK(f.total == Approx(25).margin(1e-9));             // (3*30 + 1*10) / 4 = 100/4 = 25
}

TEST_CASE("verdict at the pass-score boundary: total == pass_score passes, just below fails", "[evaluate]") {
    auto rules = compile_ok(weights_yaml);  // pass_score 40
    Evaluation at = eval(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 10}});
    CHECK(at.total == 40);                  // (3*50 + 10)/4 = 40, exact in binary floating point
    CHECK(at.parameters.pass_score == 40);
    CHECK(at.verdict == Verdict::pass);

    Evaluation below = eval(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 9.96}});
    CHECK(below.total == Approx(39.99).margin(1e-9));  // (3*50 + 9.96)/4 = 159.96/4 = 39.99
    CHECK(below.verdict == Verdict::fail);
    Result r = explained(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 9.96}});
    CHECK(r.verdict == Verdict::fail);
    CHECK_THAT(r.reasons, Catch::Matchers::VectorContains(std::string("total score 39.99 is below the pass score 40.00")));
    // Just below: two decimals would say "40.00 is below the pass score 40.00"; the reason shows three.
    Result close = explained(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 9.992}});  // (150 + 9.992)/4 = 39.998
    CHECK(close.verdict == Verdict::fail);
    CHECK(close.reasons == std::vector<std::string>{"total score 39.998 is below the pass score 40.000"});

    Evaluation above = eval(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 10.04}});
    CHECK(above.total == Approx(40.01).margin(1e-9));  // (150 + 10.04)/4 = 40.01
    CHECK(above.verdict == Verdict::pass);
    CHECK(explained(*rules, {{"id", "P"}, {"p1", 20}, {"p2", 60}, {"p3", 10.04}}).reasons.empty());
}

TEST_CASE("a score its threshold by hand is its threshold: band points multiplied first, equal points mean themselves", "[evaluate]") {
    // 100 * (57 - 0) / (100 - 0) is 57 exactly; 100 * 0.57 (divided first) is 56.99999999999999.
    auto band = compile_ok(header + R"(
inputs:
  a: { type: number }
groups:
  - id: g
    criteria:
      - id: c
        metric: a
        zero_at: 0
        full_at: 100
decision: { pass_score: 57 }
)");
    for (int a = 0; a <= 100; ++a) CHECK(eval(*band, {{"id", "P"}, {"a", a}}).criteria[0].points == a);
    CHECK(eval(*band, {{"id", "P"}, {"a", 57}}).verdict == Verdict::pass);

    // Three criteria at 60 weighing 0.1 each: (0.1*60 + 0.1*60 + 0.1*60) / (0.1 + 0.1 + 0.1) is
    // 59.99999999999999 in doubles, below the minimum and the pass score; the mean is 60.
    auto weights = compile_ok(header + R"(
inputs:
  a: { type: number }
groups:
  - id: g
    weight: 0.1
    minimum: 60
    criteria:
      - { id: c1, points: a, weight: 0.1 }
      - { id: c2, points: a, weight: 0.1 }
      - { id: c3, points: a, weight: 0.1 }
  - id: h
    weight: 0.1
    criteria: [{ id: c4, points: a }]
  - id: k
    weight: 0.1
    criteria: [{ id: c5, points: a }]
decision: { pass_score: 60 }
)");
    Evaluation e = eval(*weights, {{"id", "P"}, {"a", 60}});
    CHECK(e.groups[group(*weights, "g")].score == 60);
    CHECK(e.total == 60);
    CHECK(e.verdict == Verdict::pass);
}

namespace {

const std::string skip_yaml = header + R"(
inputs:
  a: { type: number }
  b: { type: number }
  c: { type: number }
  flag: { type: boolean, required: false, default: false }
  opt: { type: number, required: false }
groups:
  - id: main
    criteria:
      - id: always
        points: a
      - id: when-flag
        points: b
        applies_when: flag
      - id: when-opt
        points: 0
        applies_when: opt > 0
  - id: extra
    weight: 3
    minimum: 90
    criteria:
      - id: extra-1
        points: c
        applies_when: flag
      - id: extra-2
        points: c
        applies_when: opt > 0
decision: { pass_score: 60 }
)";

}  // namespace

TEST_CASE("a criterion whose applies_when is false is skipped and left out of the group mean", "[evaluate]") {
    auto rules = compile_ok(skip_yaml);
    const auto main = group(*rules, "main");
    // flag false (default), opt given > 0: when-flag skipped, when-opt applies with 0 points
    Evaluation e = eval(*rules, {{"id", "P"}, {"a", 80}, {"b", 20}, {"c", 100}, {"opt", 1}});
    CHECK(e.criteria[criterion(*rules, "when-flag")].skipped);
    CHECK_FALSE(e.criteria[criterion(*rules, "when-opt")].skipped);
    CHECK(e.groups[main].score == Approx(40).margin(1e-9));  // (80 + 0) / 2 = 40; b = 20 left out

    // flag true: when-flag counts
    Evaluation f = eval(*rules, {{"id", "P"}, {"a", 80}, {"b", 20}, {"c", 100}, {"flag", true}, {"opt", 1}});
    CHECK_FALSE(f.criteria[criterion(*rules, "when-flag")].skipped);
    CHECK(f.groups[main].score == Approx(100.0 / 3).margin(1e-9));  // (80 + 20 + 0) / 3 = 33.333...

    Result r = explained(*rules, {{"id", "P"}, {"a", 80}, {"b", 20}, {"c", 100}, {"opt", 1}});
    CHECK(outcome(r, "when-flag").skipped);
    CHECK(outcome(r, "when-flag").reason.rfind("not applicable", 0) == 0);
}

TEST_CASE("applies_when with no data counts as false: the criterion is skipped", "[evaluate]") {
    auto rules = compile_ok(skip_yaml);
    // opt missing (optional, no default): `opt > 0` is no data -> when-opt is skipped, not scored 0
    Evaluation e = eval(*rules, {{"id", "P"}, {"a", 80}, {"b", 20}, {"c", 100}});
    const auto i = criterion(*rules, "when-opt");
    CHECK(e.criteria[i].skipped);
    CHECK_FALSE(e.criteria[i].no_data);
    CHECK(e.groups[group(*rules, "main")].score == Approx(80).margin(1e-9));  // only `always`: 80/1 = 80
}

TEST_CASE("a group with every criterion skipped is skipped: out of the total, its minimum not applied", "[evaluate]") {
    auto rules = compile_ok(skip_yaml);
    // flag false and opt missing: extra-1 and extra-2 skipped -> group `extra` (weight 3, minimum 90) skipped
    Evaluation e = eval(*rules, {{"id", "P"}, {"a", 70}, {"b", 0}, {"c", 0}});
    const auto extra = group(*rules, "extra");
    CHECK(e.groups[extra].skipped);
    CHECK_FALSE(e.groups[extra].below_minimum);  // no minimum to meet
    CHECK(e.groups[group(*rules, "main")].score == Approx(70).margin(1e-9));  // 70/1
    CHECK(e.total == Approx(70).margin(1e-9));   // (1*70) / 1 = 70, not (70 + 3*0)/4 = 17.5
    CHECK(e.verdict == Verdict::pass);           // 70 >= 60 and the skipped minimum is not applied

    // the same group, not skipped, counts with its weight and its minimum
    Evaluation f = eval(*rules, {{"id", "P"}, {"a", 70}, {"b", 0}, {"c", 50}, {"flag", true}});
    CHECK_FALSE(f.groups[extra].skipped);
    CHECK(f.groups[extra].score == Approx(50).margin(1e-9));   // extra-1 only: 50/1 (extra-2 skipped, opt missing)
    CHECK(f.groups[group(*rules, "main")].score == Approx(35).margin(1e-9));  // (70 + 0)/2 = 35
    CHECK(f.total == Approx(46.25).margin(1e-9));  // (1*35 + 3*50) / 4 = 185/4 = 46.25
    CHECK(f.groups[extra].below_minimum);          // 50 < 90
    CHECK(f.verdict == Verdict::fail);
}

TEST_CASE("total is 0 when every group is skipped", "[evaluate]") {
    auto rules = compile_ok(header + R"(
inputs:
  flag: { type: boolean }
groups:
  - id: g1
    criteria:
      - { id: c1, points: 100, applies_when: flag }
  - id: g2
    weight: 2
    minimum: 50
    criteria:
      - { id: c2, points: 100, applies_when: not flag }
      - { id: c3, points: 100, applies_when: flag and not flag }
decision: { pass_score: 60 }
)");
    // flag true: g1 scores 100, g2 skipped (c2: not true; c3: never) -> total over g1 alone
    Evaluation some = eval(*rules, {{"id", "P"}, {"flag", true}});
    CHECK(some.groups[1].skipped);
    CHECK(some.total == Approx(100).margin(1e-9));  // (1*100) / 1 = 100
    // every group skipped: a rule set where nothing applies when flag is false
    auto none = compile_ok(header + R"(
inputs:
  flag: { type: boolean }
groups:
  - id: g1
    criteria:
      - { id: c1, points: 100, applies_when: flag }
  - id: g2
    weight: 2
    minimum: 50
    criteria:
      - { id: c2, points: 100, applies_when: flag }
decision: { pass_score: 60 }
)");
    Evaluation e = eval(*none, {{"id", "P"}, {"flag", false}});
    CHECK(e.groups[0].skipped);
    CHECK(e.groups[1].skipped);
    CHECK_FALSE(e.groups[1].below_minimum);
    CHECK(e.total == 0);                      // SPEC: 0 when every group is skipped (not NaN)
    CHECK_FALSE(std::isnan(e.total));
    CHECK(e.verdict == Verdict::fail);        // 0 < 60
}

namespace {

const std::string minimum_yaml = header + R"(
inputs:
  a: { type: number }
  b: { type: number }
groups:
  - id: g1
    minimum: 50
    criteria:
      - { id: c1, points: a }
  - id: g2
    weight: 3
    criteria:
      - { id: c2, points: b }
decision: { pass_score: 60 }
)";

}  // namespace

TEST_CASE("a group below its minimum fails the proposal even with a passing total", "[evaluate]") {
    auto rules = compile_ok(minimum_yaml);
    Evaluation e = eval(*rules, {{"id", "P"}, {"a", 45}, {"b", 100}});
    CHECK(e.groups[0].score == Approx(45).margin(1e-9));
    CHECK(e.total == Approx(86.25).margin(1e-9));  // (1*45 + 3*100) / 4 = 345/4 = 86.25 >= 60
    CHECK(e.groups[0].below_minimum);              // 45 < 50
    CHECK(e.verdict == Verdict::fail);
    Result r = explained(*rules, {{"id", "P"}, {"a", 45}, {"b", 100}});
    CHECK(r.reasons == std::vector<std::string>{"group 'g1' scored 45.00, below its minimum 50.00"});

    // exactly at the minimum is not below it
    Evaluation at = eval(*rules, {{"id", "P"}, {"a", 50}, {"b", 100}});
    CHECK_FALSE(at.groups[0].below_minimum);       // 50 == 50
    CHECK(at.total == Approx(87.5).margin(1e-9));  // (50 + 300)/4 = 87.5
    CHECK(at.verdict == Verdict::pass);
}

namespace {

const std::string gates_yaml = header + R"(
inputs:
  x: { type: number }
  opt: { type: number, required: false }
gates:
  - id: big-enough
    require: x >= 10
    message: "x is {x}, needs 10"
  - id: opt-positive
    require: opt > 0
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 60 }
)";

}  // namespace

TEST_CASE("a failing gate fails the proposal whatever its score", "[evaluate]") {
    auto rules = compile_ok(gates_yaml);
    Evaluation ok = eval(*rules, {{"id", "P"}, {"x", 10}, {"opt", 1}});
    CHECK(ok.gates[gate(*rules, "big-enough")].passed);
    CHECK(ok.gates[gate(*rules, "opt-positive")].passed);
    CHECK(ok.total == 100);
    CHECK(ok.verdict == Verdict::pass);

    Evaluation e = eval(*rules, {{"id", "P"}, {"x", 9}, {"opt", 1}});
    const auto g = gate(*rules, "big-enough");
    CHECK_FALSE(e.gates[g].passed);
    CHECK_FALSE(e.gates[g].no_data);
    CHECK(e.total == 100);                 // the score is still computed: 100/1
    CHECK(e.verdict == Verdict::fail);
    Result r = explained(*rules, {{"id", "P"}, {"x", 9}, {"opt", 1}});
    CHECK(r.gates[g].message == "x is 9, needs 10");
    CHECK(r.reasons == std::vector<std::string>{"gate 'big-enough' failed: x is 9, needs 10"});
}

TEST_CASE("a brace inside a text in a message's expression does not end the expression", "[evaluate]") {
    // From a rule-author helper: `{if(flag, "}", "{")}` was cut at its first '}'.
    auto rules = compile_ok(header + R"(
inputs:
  flag: { type: boolean }
  s: { type: string }
gates:
  - id: g
    require: not flag
    message: '{if(flag, "}", "{")} and {s} and {len("a}b")} and {{literal}} and {if(flag, ''}'', "")}'
groups:
  - id: grp
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 60 }
)");
    Result r = explained(*rules, {{"id", "P"}, {"flag", true}, {"s", "x"}});
    CHECK(r.gates[0].message == "} and x and 3 and {literal} and }");
}

TEST_CASE("a gate with no data fails closed", "[evaluate]") {
    auto rules = compile_ok(gates_yaml);
    Evaluation e = eval(*rules, {{"id", "P"}, {"x", 10}});  // opt missing: `opt > 0` has no data
    const auto g = gate(*rules, "opt-positive");
    CHECK_FALSE(e.gates[g].passed);
    CHECK(e.gates[g].no_data);
    CHECK(e.gates[gate(*rules, "big-enough")].passed);
    CHECK(e.total == 100);
    CHECK(e.verdict == Verdict::fail);
    Result r = explained(*rules, {{"id", "P"}, {"x", 10}});
    CHECK_FALSE(r.gates[g].passed);
    CHECK_THAT(r.gates[g].message, Catch::Matchers::Contains("no data") && Catch::Matchers::Contains("'opt'"));
    REQUIRE(r.reasons.size() == 1);
    CHECK_THAT(r.reasons[0], Catch::Matchers::StartsWith("gate 'opt-positive' failed") && Catch::Matchers::Contains("'opt'"));
}

TEST_CASE("a criterion with no data scores 0 points (and still counts) with a reason 'no data: ...'", "[evaluate]") {
    auto rules = compile_ok(header + R"(
inputs:
  x: { type: number }
  y: { type: number }
  opt: { type: number, required: false }
groups:
  - id: g
    criteria:
      - id: fine
        metric: x
        zero_at: 0
        full_at: 100
      - id: missing
        metric: x / opt
        zero_at: 0
        full_at: 1
      - id: div-zero
        metric: x / y
        zero_at: 0
        full_at: 1
      - id: points-missing
        points: opt * 2
decision: { pass_score: 10 }
)");
    const json p = {{"id", "P"}, {"x", 80}, {"y", 0}};
    Evaluation e = eval(*rules, p);
    for (const char* id : {"missing", "div-zero", "points-missing"}) {
        INFO(id);
        const auto& c = e.criteria[criterion(*rules, id)];
        CHECK(c.no_data);
        CHECK_FALSE(c.skipped);
        CHECK(c.points == 0);
        CHECK(std::isnan(c.value));
    }
    CHECK(e.groups[0].score == Approx(20).margin(1e-9));  // (80 + 0 + 0 + 0) / 4 = 20: no-data criteria count
    CHECK(e.total == Approx(20).margin(1e-9));
    CHECK(e.verdict == Verdict::pass);                      // 20 >= 10

    Result r = explained(*rules, p);
    CHECK(outcome(r, "fine").reason.empty());
    CHECK_THAT(outcome(r, "missing").reason, Catch::Matchers::StartsWith("no data:") && Catch::Matchers::Contains("'opt'"));
    CHECK_THAT(outcome(r, "points-missing").reason, Catch::Matchers::StartsWith("no data:") && Catch::Matchers::Contains("'opt'"));
    CHECK_THAT(outcome(r, "div-zero").reason, Catch::Matchers::StartsWith("no data:") && Catch::Matchers::Contains("division by zero"));
    CHECK_FALSE(outcome(r, "missing").skipped);
}

TEST_CASE("a no-data reason that finds a division by zero and a value out of range names the division", "[evaluate]") {
    // Whatever the order the operands and lets are followed in: `c` is reached twice, through `a` and `b`.
    auto rules = compile_ok(header + R"(
inputs:
  z: { type: number }
  big: { type: number }
let:
  c: 1 / z
  r: big * 10 - big * 10
  a: c
  b: r + c
groups:
  - id: g
    criteria:
      - { id: both, metric: a + b, zero_at: 0, full_at: 10 }
      - { id: range-first, metric: r + a, zero_at: 0, full_at: 10 }
      - { id: range-only, metric: r, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)");
    const Result r = explained(*rules, {{"id", "P"}, {"z", 0}, {"big", 1e308}});  // 1e309 - 1e309: inf - inf
    CHECK(outcome(r, "both").reason == "no data: division by zero");
    CHECK(outcome(r, "range-first").reason == "no data: division by zero");
    CHECK(outcome(r, "range-only").reason == "no data: a value out of range");
}

TEST_CASE("a value beyond the doubles is no data, a value out of range: not 100 points JSON cannot show", "[evaluate]") {
    // From a committee-reader helper: 1e308 * 10 (inf) earned 100 points with "value": null and no
    // reason in JSON, and `rank` read the null back as no data; inf % 5 was called a division by zero.
    auto rules = compile_ok(header + R"(
inputs:
  x: { type: number }
  capital: { type: number }
groups:
  - id: g
    criteria:
      - { id: product, metric: x * 1e308, zero_at: 0, full_at: 10 }
      - { id: points, points: x * 1e308 }
      - { id: per-capital, metric: 100 / (capital / 1e6), zero_at: 0, full_at: 10 }
      - { id: remainder, metric: (x * 1e308) % 5, zero_at: 0, full_at: 10 }
      - { id: fine, metric: x, zero_at: 0, full_at: 100 }
decision: { pass_score: 50 }
)");
    const json p = {{"id", "P"}, {"x", 10}, {"capital", 1e-305}};  // 100 / 1e-311 is beyond the doubles too
    const Evaluation e = eval(*rules, p);
    const Result r = explained(*rules, p);
    for (const char* id : {"product", "points", "per-capital", "remainder"}) {
        INFO(id);
        const auto& c = e.criteria[criterion(*rules, id)];
        CHECK(c.no_data);
        CHECK(c.points == 0);
        CHECK(std::isnan(outcome(r, id).value));  // as every value with no data, in every report
        CHECK(outcome(r, id).reason == "no data: a value out of range");
    }
    CHECK(e.total == 2);  // (0 + 0 + 0 + 0 + 10) / 5
    const json line = to_json(r, 0);
    CHECK(line["groups"][0]["criteria"][0]["value"].is_null());
    CHECK(line["groups"][0]["criteria"][0]["reason"] == "no data: a value out of range");
}

TEST_CASE("a no-data reason names the missing inputs of every kind, in name order, through lets", "[evaluate]") {
    // Inputs of each kind interleaved, so that no input's slot (its index among inputs of its kind)
    // is its index among all inputs: a reason naming the wrong input shows up here.
    auto rules = compile_ok(header + R"(
inputs:
  base: { type: number }
  s: { type: string, required: false }
  n: { type: number, required: false }
  tags: { type: list, required: false }
  flag: { type: boolean, required: false }
  kind: { type: enum, values: [x, y], required: false }
  m: { type: number, required: false }
let:
  twice: n * 2
  both: twice + m
gates:
  - id: named
    require: len(s) > 0
    message: "s has {len(s)} characters; twice is {twice}"
groups:
  - id: g
    criteria:
      - { id: from-lets, metric: both, zero_at: 0, full_at: 10 }
      - { id: from-list, metric: count(tags), zero_at: 0, full_at: 3 }
      - id: from-flag
        points: if(flag, 100, 0)
      - id: from-enum
        points: if(kind == "x", 100, 0)
      - { id: scored, points: base }
      - { id: again, metric: twice + 1, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)");
    const Result r = explained(*rules, {{"id", "P"}, {"base", 40}});
    CHECK(outcome(r, "from-lets").reason == "no data: 'm', 'n' not given");  // both = n * 2 + m
    CHECK(outcome(r, "from-list").reason == "no data: 'tags' not given");
    CHECK(outcome(r, "from-flag").reason == "no data: 'flag' not given");
    CHECK(outcome(r, "from-enum").reason == "no data: 'kind' not given");
    CHECK(outcome(r, "scored").reason.empty());
    CHECK(outcome(r, "again").reason == "no data: 'n' not given");  // `twice` as traced for from-lets
    CHECK(r.gates[0].message == "s has (no data) characters; twice is (no data) (no data: 's' not given)");
    // 40 points of 6 criteria: 6.67.
    CHECK(r.reasons == std::vector<std::string>{
                           "gate 'named' failed (no data: 's' not given): s has (no data) characters; twice is (no data)",
                           "total score 6.67 is below the pass score 50.00"});

    // With n given, the message reads the let; `both` still lacks m alone.
    const Result with_n = explained(*rules, {{"id", "P"}, {"base", 40}, {"n", 3}, {"s", ""}});
    CHECK(outcome(with_n, "from-lets").reason == "no data: 'm' not given");
    CHECK(with_n.gates[0].message == "s has 0 characters; twice is 6");
}

TEST_CASE("explanations quote a proposal briefly: 20 missing inputs, then how many more, and a value in a message cut to 100 bytes", "[evaluate]") {
    // 25 optional inputs a00..a24, summed by a let; a text and a list put in a message.
    std::string yaml = header + "inputs:\n  s: { type: string }\n  tags: { type: list }\n";
    std::string sum = "a00";
    for (int i = 0; i < 25; ++i) {
        const std::string name = std::string("a") + char('0' + i / 10) + char('0' + i % 10);
        yaml += "  " + name + ": { type: number, required: false }\n";
        if (i > 0) sum += " + " + name;
    }
    yaml += "let:\n  total: " + sum + R"(
gates:
  - id: text
    require: len(s) < 10
    message: "s is {s}; tags are {tags}"
groups:
  - id: g
    criteria:
      - { id: all, metric: total, zero_at: 0, full_at: 10 }
      - { id: again, metric: a24 + a24 + total + a00, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)";
    auto rules = compile_ok(yaml);
    // 60 two-byte letters (120 bytes): cut before the byte that would split one, at 96 bytes.
    std::string e_acute;
    for (int i = 0; i < 60; ++i) e_acute += "\xC3\xA9";
    const Result r = explained(*rules, {{"id", "P"}, {"s", e_acute}, {"tags", json::array({std::string(60, 'x'), std::string(60, 'y')})}});
    CHECK(outcome(r, "all").reason ==
          "no data: 'a00', 'a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07', 'a08', 'a09', 'a10', 'a11', 'a12', 'a13', 'a14', "
          "'a15', 'a16', 'a17', 'a18', 'a19' and 5 more not given");
    CHECK(outcome(r, "again").reason == outcome(r, "all").reason);  // each name once, however it is reached
    // The list as "[xx…x, yy…y]" is 124 bytes: its first 97 ("[", 60 x, ", ", 34 y), then "...".
    CHECK(r.gates[0].message == "s is " + e_acute.substr(0, 96) + "...; tags are [" + std::string(60, 'x') + ", " + std::string(34, 'y') + "...");

    // Short values are shown whole.
    const Result short_values = explained(*rules, {{"id", "P"}, {"s", "0123456789"}, {"tags", json::array({"a", "b"})}, {"a07", 1}});
    CHECK(short_values.gates[0].message == "s is 0123456789; tags are [a, b]");
    CHECK(outcome(short_values, "all").reason ==
          "no data: 'a00', 'a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a08', 'a09', 'a10', 'a11', 'a12', 'a13', 'a14', 'a15', "
          "'a16', 'a17', 'a18', 'a19', 'a20' and 4 more not given");
}

namespace {

const std::string profiles_yaml = header + R"(
inputs:
  x: { type: number }
  sector: { type: enum, values: [a, b, c] }
  opt: { type: number, required: false }
groups:
  - id: g1
    minimum: 10
    criteria:
      - id: m
        metric: x
        zero_at: 0
        full_at: 100
      - id: p
        points: 50
  - id: g2
    criteria:
      - id: q
        points: 100
decision: { pass_score: 60 }
profiles:
  - title: first
    when: sector == "b"
    set:
      m: { zero_at: 20, full_at: 60, weight: 3 }
      g1: { weight: 3, minimum: 70 }
      decision.pass_score: 80
  - title: second
    when: sector == "b" and x > 30
    set:
      m: { full_at: 40 }
      decision.pass_score: 95
  - title: needs-opt
    when: opt > 0
    set:
      decision.pass_score: 100
  - title: stricter-c
    when: sector == "c"
    set:
      decision.pass_score: 75
)";

}  // namespace

TEST_CASE("no profile matching: the rule set's own parameters", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    Evaluation e = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}});
    CHECK(e.parameters.profiles.empty());
    CHECK(e.criteria[criterion(*rules, "m")].points == Approx(40).margin(1e-9));  // 100 * (40 - 0)/100
    CHECK(e.groups[0].score == Approx(45).margin(1e-9));   // (40 + 50) / 2
    CHECK(e.total == Approx(72.5).margin(1e-9));           // (45 + 100) / 2
    CHECK(e.parameters.pass_score == 60);
    CHECK(e.verdict == Verdict::pass);
}

TEST_CASE("a profile overrides zero_at, full_at, criterion weight, group weight, group minimum and pass_score", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    // sector b, x = 30: `first` applies, `second` does not (x > 30 is false)
    Evaluation e = eval(*rules, {{"id", "P"}, {"x", 30}, {"sector", "b"}});
    const auto m = criterion(*rules, "m");
    CHECK(e.parameters.profiles == std::vector<std::uint32_t>{0});
    CHECK(e.parameters.bands[m].zero_at == 20);
    CHECK(e.parameters.bands[m].full_at == 60);
    CHECK(e.parameters.criterion_weights[m] == 3);
    CHECK(e.parameters.group_weights[0] == 3);
    CHECK(e.parameters.group_minimums[0] == 70);
    CHECK(e.parameters.pass_score == 80);
    CHECK(e.criteria[m].points == Approx(25).margin(1e-9));  // 100 * (30 - 20) / (60 - 20) = 100 * 10/40 = 25
    CHECK(e.groups[0].score == Approx(31.25).margin(1e-9));  // (3*25 + 1*50) / 4 = 125/4 = 31.25
    CHECK(e.groups[0].below_minimum);                        // 31.25 < 70 (the rule set's own 10 would pass)
    CHECK(e.total == Approx(48.4375).margin(1e-9));          // (3*31.25 + 1*100) / 4 = 193.75/4 = 48.4375
    CHECK(e.verdict == Verdict::fail);

    Result r = explained(*rules, {{"id", "P"}, {"x", 30}, {"sector", "b"}});
    CHECK(r.profiles == std::vector<std::string>{"first"});
    CHECK(r.pass_score == 80);
    CHECK(r.reasons == std::vector<std::string>{"group 'g1' scored 31.25, below its minimum 70.00",
                                                "total score 48.44 is below the pass score 80.00"});
}

TEST_CASE("explain_verdict is explain without the gates' and groups' outcomes", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    const Proposal p = bind_ok(*rules, {{"id", "P"}, {"name", "Plant"}, {"x", 30}, {"sector", "b"}});
    const Evaluation e = evaluate(*rules, p);
    const Result full = explain(*rules, p, e), verdict = explain_verdict(*rules, p, e);
    CHECK(verdict.gates.empty());
    CHECK(verdict.groups.empty());
    CHECK(full.groups.size() == 2);
    // As in the profile case above: `first` applies, g1 is below its minimum 70, 48.4375 < 80.
    CHECK(verdict.id == "P");
    CHECK(verdict.name == "Plant");
    CHECK(verdict.source == full.source);
    CHECK(verdict.verdict == Verdict::fail);
    CHECK(verdict.score == Approx(48.4375).margin(1e-9));
    CHECK(verdict.pass_score == 80);
    CHECK(verdict.profiles == std::vector<std::string>{"first"});
    CHECK(verdict.reasons == std::vector<std::string>{"group 'g1' scored 31.25, below its minimum 70.00",
                                                      "total score 48.44 is below the pass score 80.00"});
    CHECK(verdict.reasons == full.reasons);
}

TEST_CASE("a profile overriding pass_score alone changes the verdict", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    // same scores as the rule set's own parameters: (45 + 100)/2 = 72.5
    Evaluation a = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}});
    Evaluation c = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "c"}});
    CHECK(c.parameters.profiles == std::vector<std::uint32_t>{3});
    CHECK(c.total == Approx(72.5).margin(1e-9));
    CHECK(c.parameters.pass_score == 75);
    CHECK(a.verdict == Verdict::pass);  // 72.5 >= 60
    CHECK(c.verdict == Verdict::fail);  // 72.5 < 75
}

TEST_CASE("two profiles apply in order and the later one wins", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    // sector b, x = 40: `first` then `second`
    Evaluation e = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "b"}});
    const auto m = criterion(*rules, "m");
    CHECK(e.parameters.profiles == std::vector<std::uint32_t>{0, 1});
    CHECK(e.parameters.bands[m].zero_at == 20);  // from `first` (second leaves it)
    CHECK(e.parameters.bands[m].full_at == 40);  // `second` overrides first's 60
    CHECK(e.parameters.pass_score == 95);        // `second` overrides first's 80
    CHECK(e.criteria[m].points == Approx(100).margin(1e-9));  // 100 * (40 - 20)/(40 - 20) = 100
    CHECK(e.groups[0].score == Approx(87.5).margin(1e-9));    // (3*100 + 50)/4 = 350/4 = 87.5 >= 70
    CHECK_FALSE(e.groups[0].below_minimum);
    CHECK(e.total == Approx(90.625).margin(1e-9));            // (3*87.5 + 100)/4 = 362.5/4 = 90.625
    CHECK(e.verdict == Verdict::fail);                        // 90.625 < 95 (would pass first's 80)
    Result r = explained(*rules, {{"id", "P"}, {"x", 40}, {"sector", "b"}});
    CHECK(r.profiles == std::vector<std::string>{"first", "second"});
}

TEST_CASE("a profile whose `when` has no data does not apply", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    Evaluation missing = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}});  // opt absent
    CHECK(missing.parameters.profiles.empty());
    CHECK(missing.parameters.pass_score == 60);
    CHECK(missing.verdict == Verdict::pass);     // 72.5 >= 60

    Evaluation null_opt = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}, {"opt", nullptr}});  // null = absent
    CHECK(null_opt.parameters.profiles.empty());
    CHECK(null_opt.verdict == Verdict::pass);

    Evaluation given = eval(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}, {"opt", 1}});
    CHECK(given.parameters.profiles == std::vector<std::uint32_t>{2});
    CHECK(given.parameters.pass_score == 100);
    CHECK(given.verdict == Verdict::fail);       // 72.5 < 100
}

TEST_CASE("evaluation reuses its output without leftovers from the previous proposal", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    Evaluation e;
    evaluate(*rules, bind_ok(*rules, {{"id", "P"}, {"x", 40}, {"sector", "b"}}), e);
    CHECK(e.parameters.pass_score == 95);
    evaluate(*rules, bind_ok(*rules, {{"id", "Q"}, {"x", 40}, {"sector", "a"}}), e);
    CHECK(e.parameters.profiles.empty());
    CHECK(e.parameters.pass_score == 60);
    CHECK(e.parameters.bands[criterion(*rules, "m")].zero_at == 0);
    CHECK(e.parameters.bands[criterion(*rules, "m")].full_at == 100);
    CHECK(e.total == Approx(72.5).margin(1e-9));  // (45 + 100)/2, as without profiles
    CHECK(e.verdict == Verdict::pass);
}

TEST_CASE("evaluation sets every parameter again, whatever its output held: edited or moved from", "[evaluate]") {
    auto rules = compile_ok(profiles_yaml);
    const Proposal p = bind_ok(*rules, {{"id", "P"}, {"x", 40}, {"sector", "a"}});
    Evaluation e = evaluate(*rules, p);
    e.parameters.pass_score = 1e9;
    e.parameters.bands[criterion(*rules, "m")].zero_at = 55;
    evaluate(*rules, p, e);
    CHECK(e.parameters.pass_score == 60);
    CHECK(e.parameters.bands[criterion(*rules, "m")].zero_at == 0);
    CHECK(e.verdict == Verdict::pass);  // 72.5, as without the edits

    Evaluation kept = std::move(e);
    evaluate(*rules, p, e);  // a moved-from Evaluation is empty, not broken
    CHECK(e.parameters.bands.size() == kept.parameters.bands.size());
    CHECK(e.total == kept.total);
    CHECK(e.verdict == Verdict::pass);
}

namespace {

// Every number of an evaluation in hexadecimal, so that two compare bit for bit (NaN and -0 included).
std::string describe(const Evaluation& e) {
    std::string out;
    auto number = [&](double v) {
        char text[64];
        std::snprintf(text, sizeof text, " %a", v);
        out += text;
    };
    out += std::string(to_string(e.verdict)) + " total";
    number(e.total);
    out += "\ngates";
    for (const GateResult& g : e.gates) out += std::string(" ") + (g.passed ? "passed" : "failed") + (g.no_data ? "/no-data" : "");
    out += "\ncriteria";
    for (const CriterionResult& c : e.criteria) {
        number(c.value);
        number(c.points);
        out += std::string(c.skipped ? "/skipped" : "") + (c.no_data ? "/no-data" : "");
    }
    out += "\ngroups";
    for (const GroupResult& g : e.groups) {
        number(g.score);
        out += std::string(g.skipped ? "/skipped" : "") + (g.below_minimum ? "/below" : "");
    }
    out += "\nparameters";
    for (const Band& b : e.parameters.bands) {
        number(b.zero_at);
        number(b.full_at);
    }
    for (double w : e.parameters.criterion_weights) number(w);
    for (double w : e.parameters.group_weights) number(w);
    for (double m : e.parameters.group_minimums) number(m);
    number(e.parameters.pass_score);
    out += " profiles";
    for (std::uint32_t p : e.parameters.profiles) out += " " + std::to_string(p);
    return out;
}

}  // namespace

TEST_CASE("evaluating many proposals at once gives each what evaluating it alone gives", "[evaluate]") {
    // 41 proposals: two full runs of lanes and a part run, each mixing every profile, none, an
    // optional input missing, and metrics below and above their band. Evaluated twice into the same outputs, the second time in another order, so that
    // parameters a profile changed cannot leak into the next proposal evaluated there.
    auto rules = compile_ok(profiles_yaml);
    std::vector<Proposal> proposals;
    const char* sectors[] = {"a", "b", "c"};
    for (int i = 0; i < 41; ++i) {
        json p = {{"id", "P" + std::to_string(i)}, {"x", (i * 37) % 140 - 10}, {"sector", sectors[i % 3]}};
        if (i % 4 == 1) p["opt"] = i % 8 == 1 ? 2 : 0;
        proposals.push_back(bind_ok(*rules, p));
    }
    REQUIRE(proposals.size() > 2 * evaluation_lanes);
    std::vector<std::string> alone;
    for (const Proposal& p : proposals) alone.push_back(describe(evaluate(*rules, p)));

    std::vector<Evaluation> together(proposals.size());
    evaluate(*rules, proposals, together);
    for (std::size_t i = 0; i < proposals.size(); ++i) CHECK(describe(together[i]) == alone[i]);

    std::vector<Proposal> reversed(proposals.rbegin(), proposals.rend());
    evaluate(*rules, reversed, together);
    for (std::size_t i = 0; i < proposals.size(); ++i) CHECK(describe(together[i]) == alone[proposals.size() - 1 - i]);

    std::vector<Evaluation> too_few(3);
    CHECK_THROWS_WITH(evaluate(*rules, proposals, too_few), "evaluate: one Evaluation is needed per proposal");
}

// ---------------------------------------------------------------------------------------------
// Ranking

namespace {

Result result(const std::string& id, Verdict verdict, double score) {
    Result r;
    r.id = id;
    r.verdict = verdict;
    r.score = score;
    return r;
}

std::vector<std::string> ids(const std::vector<Result>& results) {
    std::vector<std::string> out;
    for (const auto& r : results) out.push_back(r.id);
    return out;
}

}  // namespace

TEST_CASE("rank: pass before fail, score descending, ties by id byte order, invalid last in input order", "[evaluate]") {
    std::vector<Result> results = {
        result("I-first", Verdict::invalid, 0),
        result("F-low", Verdict::fail, 30),
        result("Pb", Verdict::pass, 70),
        result("\xE1\xBA\xAE", Verdict::pass, 70),  // "Ắ": bytes E1 BA AE, after every ASCII id
        result("lp", Verdict::pass, 20),            // a pass with a low score still ranks above every fail
        result("Pa", Verdict::pass, 70),
        result("top", Verdict::pass, 90),
        result("I-second", Verdict::invalid, 99),   // invalid: input order, not score or id
        result("a", Verdict::fail, 55),
        result("F-high", Verdict::fail, 55),
        result("Z", Verdict::pass, 70),
        result("B", Verdict::fail, 55),
        result("A-invalid", Verdict::invalid, 50),
    };
    rank(results);
    CHECK(ids(results) == std::vector<std::string>{
                              "top",                        // pass 90
                              "Pa", "Pb", "Z", "\xE1\xBA\xAE",  // pass 70, by bytes: "Pa" < "Pb" (61 < 62) < "Z" (5A > 50) < E1..
                              "lp",                         // pass 20
                              "B", "F-high", "a",           // fail 55: B(42) < F(46) < a(61)
                              "F-low",                      // fail 30
                              "I-first", "I-second", "A-invalid"});  // invalid, input order
}

TEST_CASE("rank puts a score that is not a number last of its verdict, and breaks full ties by input order", "[evaluate]") {
    const double nan = std::nan("");
    std::vector<Result> results = {result("n1", Verdict::fail, nan), result("f", Verdict::fail, 10), result("n0", Verdict::fail, nan),
                                   result("p", Verdict::pass, 70), result("same", Verdict::fail, 5), result("same", Verdict::fail, 5)};
    results[4].name = "first";
    results[5].name = "second";
    rank(results);
    CHECK(ids(results) == std::vector<std::string>{"p", "f", "same", "same", "n0", "n1"});  // NaN: by id
    CHECK(results[2].name == "first");
    CHECK(results[3].name == "second");
}

TEST_CASE("rank is deterministic: the same results in any input order give the same ranking", "[evaluate]") {
    std::vector<Result> one = {result("c", Verdict::pass, 50), result("b", Verdict::pass, 50), result("a", Verdict::fail, 90),
                               result("d", Verdict::pass, 50.000001)};
    std::vector<Result> two = {one[3], one[2], one[1], one[0]};
    rank(one);
    rank(two);
    CHECK(ids(one) == std::vector<std::string>{"d", "b", "c", "a"});  // 50.000001 > 50; b < c; fail last
    CHECK(ids(two) == ids(one));
}

TEST_CASE("rank_order of a large batch (sorted on one thread or two) is the order the ranking rule gives", "[evaluate]") {
    // 150,000 keys, many tied on the score (-0 with 0), ids sharing their first 8 bytes or differing only
    // there, one a prefix of another, bytes above 0x7F; checked against the rule itself. Seven in ten
    // pass, so that the passes (65,536 or more) are sorted as two halves on two threads and merged.
    std::vector<std::string> ids;
    std::vector<RankKey> keys;
    std::uint64_t state = 12345;
    auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL, state >> 33; };
    for (int i = 0; i < 150'000; ++i) {
        const auto r = next();
        std::string id = r % 4 == 0 ? "PROPOSAL" + std::to_string(next() % 5000) : r % 4 == 1 ? "P" + std::to_string(next() % 3000)
                                                      : r % 4 == 2 ? "\xC3\xA9" + std::to_string(next() % 100) : "PROPOSAL";
        ids.push_back(std::move(id));
        const auto roll = next() % 10;
        const Verdict verdict = roll < 7 ? Verdict::pass : roll < 9 ? Verdict::fail : Verdict::invalid;
        // Scores a merged line may hold too: -0 (which ties with 0), negative, infinite and subnormal
        // ones, and a NaN with its sign bit set.
        static const double odd_scores[] = {-0.0, 0.0, -1.5, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                                            std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(), -std::nan("")};
        const auto kind = next() % 50;
        const double score = kind == 0 ? std::nan("") : kind == 1 ? odd_scores[next() % 8] : static_cast<double>(next() % 40) / 4;
        keys.push_back({verdict, score, {}});
    }
    // Ids that tie on their zero-padded head: "A" and "A\0", "A\0\0..." and longer, "" and "\0".
    for (const std::string& id : {std::string("A"), std::string("A\0", 2), std::string("A\0\0\0\0\0\0\0x", 9), std::string("A\0", 2),
                                  std::string(), std::string("\0", 1), std::string()}) {
        ids.push_back(id);
        keys.push_back({Verdict::pass, 7.5, {}});
    }
    for (std::size_t i = 0; i < keys.size(); ++i) keys[i].id = ids[i];
    std::vector<std::size_t> expected(keys.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = i;
    std::stable_sort(expected.begin(), expected.end(), [&](std::size_t a, std::size_t b) {
        const RankKey &x = keys[a], &y = keys[b];
        if (x.verdict != y.verdict) return x.verdict < y.verdict;
        if (x.verdict == Verdict::invalid) return false;  // input order
        if (std::isnan(x.score) || std::isnan(y.score)) {
            if (std::isnan(x.score) != std::isnan(y.score)) return std::isnan(y.score);
        } else if (x.score != y.score) {
            return x.score > y.score;
        }
        return std::lexicographical_compare(x.id.begin(), x.id.end(), y.id.begin(), y.id.end(),
                                            [](char c, char d) { return static_cast<unsigned char>(c) < static_cast<unsigned char>(d); });
    });
    // Where the orders first differ (a failure prints that, not two vectors of 100,000).
    auto first_difference = [&](const std::vector<std::size_t>& order) {
        REQUIRE(order.size() == expected.size());
        return std::mismatch(order.begin(), order.end(), expected.begin()).first - order.begin();
    };
    const auto size = static_cast<std::ptrdiff_t>(expected.size());
    CHECK(first_difference(rank_order(keys)) == size);
    CHECK(first_difference(rank_order(keys, 1)) == size);  // on the calling thread alone
}

TEST_CASE("a json report of thousands of results (gathered in blocks) is one ranked result a line", "[evaluate]") {
    for (int count : {0, 1, 2048, 2049, 4096, 5000}) {  // blocks of 2,048 results
        INFO(count << " results");
        std::vector<Result> ranked;
        for (int i = 0; i < count; ++i) {
            Result& r = ranked.emplace_back(result("P" + std::to_string(i), i < 3000 ? Verdict::pass : Verdict::fail, 5000 - i));
            r.source = "in.ndjson:" + std::to_string(i + 1);
            r.gates.push_back({"g", "", i % 2 == 0, ""});
        }
        std::ostringstream out;
        write_report(out, Format::json, {"r", "1", "abc"}, ranked);
        std::vector<std::string> lines;
        for (std::istringstream text(out.str()); std::getline(text, lines.emplace_back());) {}
        lines.pop_back();  // after the last line break
        REQUIRE(lines.size() == 4 + ranked.size() + 1);
        const std::size_t pass = std::min(count, 3000);
        CHECK(lines[0] + lines[1] + lines[2] + lines[3] ==
              R"({"format":"screener/report/v1","rules":{"id":"r","version":"1","sha256":"abc"},"summary":{"total":)" +
                  std::to_string(count) + ",\"pass\":" + std::to_string(pass) + ",\"fail\":" + std::to_string(count - pass) +
                  R"(,"invalid":0},"results":[)");
        for (std::size_t i = 0; i < ranked.size(); ++i) {
            INFO(i);
            const std::string& line = lines[4 + i];
            const bool last = i + 1 == ranked.size();
            REQUIRE(line.ends_with(last ? "}" : "},"));
            CHECK(json::parse(line.substr(0, line.size() - (last ? 0 : 1))) == json(to_json(ranked[i], i + 1)));
        }
        CHECK(lines.back() == "]}");
        CHECK(json::parse(out.str())["results"].size() == ranked.size());
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: behaviour these tests found wrong once, now fixed.

TEST_CASE("a 'no data' reason names the actual cause, not an input the expression never read",
          "[evaluate]") {
    auto rules = compile_ok(header + R"(
inputs:
  x: { type: number }
  y: { type: number }
  opt: { type: number, required: false }
groups:
  - id: g
    criteria:
      - id: c
        metric: if(x > 0, x / y, opt)
        zero_at: 0
        full_at: 1
decision: { pass_score: 0 }
)");
    // x > 0, so the value is x / y = 80 / 0: a division by zero; `opt` (missing) is never evaluated
    Result r = explained(*rules, {{"id", "P"}, {"x", 80}, {"y", 0}});
    CHECK(outcome(r, "c").points == 0);
    CHECK_THAT(outcome(r, "c").reason, Catch::Matchers::StartsWith("no data:") && Catch::Matchers::Contains("division by zero"));
    CHECK_THAT(outcome(r, "c").reason, !Catch::Matchers::Contains("'opt'"));
}
