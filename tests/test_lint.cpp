// Lint warnings (`screener validate`): a rule set that compiles but probably does not say what its
// author meant. Each warning is checked on a minimal rule set as the exact
// `file:line:col: warning: message` line, and every position and every bound below was worked out by
// hand from the YAML text of its test and the inputs' min/max (lines and columns are 1-based).
//
// The analysis is interval arithmetic over the compiled plan: the values an expression can take,
// given only the declared min/max of the inputs it reads.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace screener;
using namespace screener::test;
using Catch::Matchers::Contains;

namespace {

using Lines = std::vector<std::string>;

// Every diagnostic of a rule set that must compile (warnings do not stop compilation).
Lines warnings(const std::string& yaml) {
    CompileResult result = compile_yaml(yaml);
    INFO(Catch::Detail::stringify(messages(result.diagnostics)));
    REQUIRE(result.rules);
    for (const auto& d : result.diagnostics) CHECK(d.severity == Severity::warning);
    return messages(result.diagnostics);
}

std::string warning_at(int line, int col, const std::string& message) {
    return "test.yaml:" + std::to_string(line) + ":" + std::to_string(col) + ": warning: " + message;
}

// The first 4 lines of every rule set below; `inputs:` is line 4, so the first input is on line 5.
const std::string head = "format: screener/v1\nid: t\nversion: \"1\"\ninputs:\n";

std::string q(const std::string& s) {  // single-quoted for the shell
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Unused names

TEST_CASE("an input no rule reads is reported at its name", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number }
  spare: { type: number, required: false }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)") == Lines{warning_at(6, 3, "input 'spare' is never used by any rule")});
}

TEST_CASE("a dotted input no rule reads is reported by its full name", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number }
  environment.iso14001: { type: boolean, required: false, default: false }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)") == Lines{warning_at(6, 3, "input 'environment.iso14001' is never used by any rule")});
}

TEST_CASE("a let nothing uses is reported at its name", "[lint]") {
    // `doubled` is used by the criterion; `tripled` by nothing. `x` is read by both lets.
    CHECK(warnings(head + R"(  x: { type: number }
let:
  doubled: x * 2
  tripled: x * 3
groups:
  - id: g
    criteria:
      - { id: c, metric: doubled, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)") == Lines{warning_at(8, 3, "let 'tripled' is never used")});
}

TEST_CASE("an input read only by a message, a profile condition or applies_when is used", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number }
  label: { type: string, required: false, default: "" }
  small: { type: boolean }
  tier: { type: integer }
gates:
  - id: positive
    require: x > 0
    message: "{label} is not positive"
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 10, applies_when: small }
decision: { pass_score: 50 }
profiles:
  - when: tier == 1
    set: { decision.pass_score: 40 }
)").empty());
}

TEST_CASE("a let used only by a later let is used, and the later one is reported", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number }
let:
  a: x + 1
  b: a * 2
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)") == Lines{warning_at(8, 3, "let 'b' is never used")});
}

// ---------------------------------------------------------------------------------------------
// Bands

TEST_CASE("zero_at equal to full_at is a step, reported at the criterion", "[lint]") {
    // `      - { id: step` : the criterion's mapping starts at column 9.
    CHECK(warnings(head + R"(  x: { type: number }
groups:
  - id: g
    criteria:
      - { id: step, metric: x, zero_at: 5, full_at: 5 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'step' has zero_at equal to full_at (5): it scores 0 or 100, nothing between")});
}

TEST_CASE("a step band is reported at a block-style criterion's first key", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number }
groups:
  - id: g
    criteria:
      - id: step
        metric: x
        zero_at: 1_000_000
        full_at: 1e6
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'step' has zero_at equal to full_at (1000000): it scores 0 or 100, nothing between")});
}

TEST_CASE("a profile that moves a band's ends into a step, or past each other, is reported at the profile", "[lint]") {
    // co2-low scores lower values higher (500 to 50). Moving one end to the other makes a step;
    // moving one past the other turns it around, so that dirtier proposals score more.
    CHECK(warnings(head + R"(  co2: { type: number, min: 0 }
  zone: { type: enum, values: [std, eco] }
groups:
  - id: g
    criteria:
      - { id: co2-low, metric: co2, zero_at: 500, full_at: 50 }
decision: { pass_score: 60 }
profiles:
  - when: zone == "eco"
    set: { co2-low: { zero_at: 50 } }
  - title: Wide
    when: zone == "std"
    set: { co2-low: { full_at: 600 } }
  - title: Both ends
    when: zone == "std"
    set: { co2-low: { zero_at: 40, full_at: 600 } }
  - title: Narrower
    when: zone == "std"
    set: { co2-low: { zero_at: 400, full_at: 100 } }
)") == Lines{
               warning_at(13, 5, "a profile makes criterion 'co2-low' a step (zero_at 50, full_at 50): it scores 0 or 100, nothing between"),
               warning_at(15, 5,
                          "profile 'Wide' turns criterion 'co2-low' around (zero_at 500, full_at 600): its own band (500 to 50) scores lower "
                          "values higher; move the other end too"),
               warning_at(18, 5,
                          "profile 'Both ends' turns criterion 'co2-low' around (zero_at 40, full_at 600): its own band (500 to 50) scores "
                          "lower values higher"),
           });
}

TEST_CASE("a band the metric can never enter never scores", "[lint]") {
    // Its only criterion at 0 points: no proposal can pass either (a total of at most 0).
    const std::string no_pass = warning_at(10, 25, "no proposal can pass: the total is at most 0.00 with these weights and bands, below the pass score 50");
    SECTION("higher is better: the metric's maximum is at or below zero_at") {
        // x is at most 10; points start above 20.
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 20, full_at: 30 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'c' can never score: its metric is at most 10 for inputs within min/max, and points start beyond 20"), no_pass});
    }
    SECTION("the maximum exactly at zero_at earns 0 points too") {
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 10, full_at: 30 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'c' can never score: its metric is at most 10 for inputs within min/max, and points start beyond 10"), no_pass});
    }
    SECTION("lower is better: the metric's minimum is at or above zero_at") {
        // x + 10 is at least 10; points start below 10 (zero_at 10 > full_at 0).
        CHECK(warnings(head + R"(  x: { type: integer, min: 0, max: 5 }
groups:
  - id: g
    criteria:
      - { id: c, metric: x + 10, zero_at: 10, full_at: 0 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'c' can never score: its metric is at least 10 for inputs within min/max, and points start beyond 10"), no_pass});
    }
    SECTION("points that are never above 0") {
        // n - 10 with n in 0..5 is at most -5.
        CHECK(warnings(head + R"(  n: { type: integer, min: 0, max: 5 }
groups:
  - id: g
    criteria:
      - { id: c, points: n - 10 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'c' can never score: its points are at most -5"), no_pass});
    }
}

TEST_CASE("a band the metric can enter but never cross never reaches full points", "[lint]") {
    SECTION("higher is better") {
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 20 }
decision: { pass_score: 50 }
)") == Lines{warning_at(9, 9, "criterion 'c' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20")});
    }
    SECTION("lower is better") {
        // workers / land_ha with workers 500..1000 and land 2..5 ha is at least 100 workers/ha.
        CHECK(warnings(head + R"(  workers: { type: integer, min: 500, max: 1000 }
  land_ha: { type: number, min: 2, max: 5 }
groups:
  - id: g
    criteria:
      - { id: c, metric: workers / land_ha, zero_at: 300, full_at: 60 }
decision: { pass_score: 50 }
)") == Lines{warning_at(10, 9, "criterion 'c' can never reach full points: its metric is at least 100 for inputs within min/max, short of full_at 60")});
    }
    SECTION("through a let and a division") {
        // capital 0..100 over land 10..50 is 0..10 per ha.
        CHECK(warnings(head + R"(  capital: { type: number, min: 0, max: 100 }
  land: { type: number, min: 10, max: 50 }
let:
  per_ha: capital / land
groups:
  - id: g
    criteria:
      - { id: c, metric: per_ha, zero_at: 0, full_at: 20 }
decision: { pass_score: 50 }
)") == Lines{warning_at(12, 9, "criterion 'c' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20")});
    }
}

TEST_CASE("bands within reach, and metrics without known bounds, are not reported", "[lint]") {
    // x reaches exactly full_at 10 (100 points at or beyond it); y has no max; a division by a
    // range that holds 0 can give anything; min/max/abs/if keep the reachable values.
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  y: { type: number, min: 0 }
  z: { type: number, min: -1, max: 1 }
  f: { type: boolean }
groups:
  - id: g
    criteria:
      - { id: exact, metric: x, zero_at: 0, full_at: 10 }
      - { id: open, metric: y, zero_at: 0, full_at: 1e12 }
      - { id: ratio, metric: x / z, zero_at: 0, full_at: 1000 }
      - { id: lower, metric: x, zero_at: 10, full_at: 0 }
      - { id: funcs, metric: 'max(x, 2) + abs(z) + if(f, 5, 0)', zero_at: 2, full_at: 16 }
      - { id: pts, points: x * 10 }
decision: { pass_score: 50 }
)").empty());
}

// ---------------------------------------------------------------------------------------------
// Gates

TEST_CASE("a gate that every proposal within min/max passes", "[lint]") {
    const std::string always = "gate 'g1' always passes for inputs within their min/max; it never screens anything out";
    auto rules = [](const std::string& inputs, const std::string& require) {
        return head + inputs + "gates:\n  - id: g1\n    require: " + require +
               "\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision: { pass_score: 50 }\n";
    };
    // With one input line, `gates:` is line 6 and `- id: g1` starts at 7:5.
    SECTION("a number bound the input already guarantees") {
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x >= 0")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x <= 10")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x < 10.5")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "2 * x + 1 > 0")) == Lines{warning_at(7, 5, always)});
    }
    SECTION("an enum in all of its values") {
        CHECK(warnings(rules("  sector: { type: enum, values: [a, b, c] }\n", R"(sector in ["a", "b", "c"])")) ==
              Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  sector: { type: enum, values: [a, b, c] }\n", R"(sector in ["c", "b", "a"])")) ==
              Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  sector: { type: enum, values: [a, b, c] }\n", "sector not in []")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  sector: { type: enum, values: [only] }\n", R"(sector == "only")")) == Lines{warning_at(7, 5, always)});
    }
    SECTION("through not, and, or and a let") {
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "not (x < 0)")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x >= 0 and x <= 10")) == Lines{warning_at(7, 5, always)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x > 5 or x >= 0")) == Lines{warning_at(7, 5, always)});
        // The let is on line 6, so the gate moves down two lines.
        CHECK(warnings(head + "  x: { type: number, min: 0, max: 10 }\nlet:\n  ok: x >= 0\ngates:\n  - id: g1\n    require: ok\n"
                                    "groups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision: { pass_score: 50 }\n") ==
              Lines{warning_at(9, 5, always)});
    }
    SECTION("not when an input it reads may be left out: the gate fails a proposal without it") {
        // From a rule-author helper: rule-sets.md's own env-known gate was called one that always passes.
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10, required: false }\n", "x >= 0")).empty());
        CHECK(warnings(rules("  s: { type: enum, values: [a, b], required: false }\n", R"(s in ["a", "b"])")).empty());
        CHECK(warnings(head + "  x: { type: number, min: 0, max: 10, required: false }\nlet:\n  ok: x >= 0\ngates:\n  - id: g1\n"
                                    "    require: ok\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\n"
                                    "decision: { pass_score: 50 }\n").empty());
        // With a default, it is never left out.
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10, required: false, default: 5 }\n", "x >= 0")) ==
              Lines{warning_at(7, 5, always)});
    }
}

TEST_CASE("a gate that no proposal within min/max can pass", "[lint]") {
    const std::string never = "gate 'g1' can never pass for inputs within their min/max; every proposal fails it";
    auto rules = [](const std::string& inputs, const std::string& require) {
        return head + inputs + "gates:\n  - id: g1\n    require: " + require +
               "\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision: { pass_score: 50 }\n";
    };
    SECTION("numbers") {
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x > 10")) == Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x < 0")) == Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x >= 10.5")) == Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  n: { type: integer, min: 1, max: 3 }\n", "n * 100 <= 50")) == Lines{warning_at(7, 5, never)});
    }
    SECTION("an enum not in any of its values") {
        CHECK(warnings(rules("  sector: { type: enum, values: [a, b, c] }\n", R"(sector not in ["a", "b", "c"])")) ==
              Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  sector: { type: enum, values: [a, b, c] }\n", "sector in []")) == Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  sector: { type: enum, values: [only] }\n", R"(sector != "only")")) == Lines{warning_at(7, 5, never)});
    }
    SECTION("constants and combinations") {
        CHECK(warnings(rules("  x: { type: number }\n", "false and x > 0")) == Lines{warning_at(7, 5, never)});
        CHECK(warnings(rules("  x: { type: number, min: 0, max: 10 }\n", "x > 3 and x < 0")) == Lines{warning_at(7, 5, never)});
    }
}

TEST_CASE("gates that depend on the proposal are not reported", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  y: { type: number }
  sector: { type: enum, values: [a, b, c] }
gates:
  - { id: g1, require: x > 5 }
  - { id: g2, require: x >= 10 }
  - { id: g3, require: y > 0 }
  - { id: g4, require: 'sector in ["a", "b"]' }
  - { id: g5, require: 'sector != "c"' }
  - { id: g6, require: x == 10 }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)").empty());
}

// ---------------------------------------------------------------------------------------------
// Groups and applies_when

TEST_CASE("a group whose best weighted score is below its minimum", "[lint]") {
    SECTION("a points criterion capped below the minimum") {
        // min(x, 40) is at most 40, so the group is at most 40 < 50.
        CHECK(warnings(head + R"(  x: { type: number }
groups:
  - id: g
    minimum: 50
    criteria:
      - { id: c, points: 'min(x, 40)' }
decision: { pass_score: 30 }
)") == Lines{warning_at(7, 5, "group 'g' can score at most 40.00 with these weights and bands, below its minimum 50")});
    }
    SECTION("a band that never reaches full points, weighted") {
        // `half` is at most (10 - 0) / (20 - 0) = 50 points, weight 3; `full` 100, weight 1:
        // (3 * 50 + 1 * 100) / 4 = 62.5 < 70.
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    minimum: 70
    criteria:
      - { id: half, metric: x, zero_at: 0, full_at: 20, weight: 3 }
      - { id: full, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
            warning_at(7, 5, "group 'g' can score at most 62.50 with these weights and bands, below its minimum 70"),
            warning_at(10, 9, "criterion 'half' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20"),
        });
    }
    SECTION("a minimum the best score meets exactly is fine") {
        // (50 + 100) / 2 = 75, the minimum.
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    minimum: 75
    criteria:
      - { id: half, metric: x, zero_at: 0, full_at: 20 }
      - { id: full, points: 100 }
decision: { pass_score: 50 }
)") == Lines{warning_at(10, 9, "criterion 'half' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20")});
    }
}

TEST_CASE("a pass score that no proposal can reach", "[lint]") {
    // From a rule-author helper: a group minimum out of reach was said, a pass score was not.
    // Group a: `half` at most 50 points (x 0..10 on 0..20), weight 1, with `full` 100: 75. Group b
    // (weight 3): `cap` at most min(x, 40) = 10 points. Total at most (75 + 3 * 10) / 4 = 26.25.
    const std::string rules = head + R"(  x: { type: number, min: 0, max: 10 }
  kind: { type: enum, values: [a, b] }
groups:
  - id: a
    criteria:
      - { id: half, metric: x, zero_at: 0, full_at: 20 }
      - { id: full, points: 100 }
  - id: b
    weight: 3
    criteria:
      - { id: cap, points: 'min(x, 40)' }
decision: { pass_score: PASS }
)";
    auto with_pass = [&](const std::string& pass, const std::string& profiles = "") {
        std::string text = rules;
        text.replace(text.find("PASS"), 4, pass);
        return warnings(text + profiles);
    };
    const std::string half = warning_at(10, 9, "criterion 'half' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20");
    const std::string unused = warning_at(6, 3, "input 'kind' is never used by any rule");  // but by the profiles below
    CHECK(with_pass("30") == Lines{unused, half, warning_at(16, 25, "no proposal can pass: the total is at most 26.25 with these weights and bands, below the pass score 30")});
    CHECK(with_pass("26.25") == Lines{unused, half});  // reached exactly
    // A profile's lower pass score is the one that counts; one that reweighs leaves nothing to claim.
    CHECK(with_pass("30", "profiles:\n  - when: kind == \"b\"\n    set: { decision.pass_score: 20 }\n") == Lines{half});
    CHECK(with_pass("30", "profiles:\n  - when: kind == \"b\"\n    set: { cap: { weight: 0.1 } }\n") == Lines{half});
    // From a review helper: an applies_when over an input a proposal may leave out can skip the
    // criterion (no data), which can raise the total: (x at 10 on 0..10 alone) 100, not (100 + 50) / 2.
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  y: { type: number, min: 0, max: 10 }
  opt: { type: number, required: false, min: 0 }
groups:
  - id: g
    criteria:
      - { id: cx, metric: x, zero_at: 0, full_at: 10 }
      - { id: cy, metric: y, zero_at: 0, full_at: 20, applies_when: opt >= 0 }
decision: { pass_score: 80 }
)") == Lines{warning_at(12, 9, "criterion 'cy' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20")});
    // The same through a division by what may be 0 (from a second review helper).
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  y: { type: number, min: 0, max: 10 }
groups:
  - id: g
    criteria:
      - { id: cx, metric: x, zero_at: 0, full_at: 10 }
      - { id: cy, metric: y, zero_at: 0, full_at: 20, applies_when: 'abs(x / y) >= 0' }
decision: { pass_score: 80 }
)") == Lines{warning_at(11, 9, "criterion 'cy' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20")});
}

TEST_CASE("an expression that divides by 0 written out never has data", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number, min: 1, max: 10 }
let:
  rate: 100 / 0
  share: x / (2 - 2)
  fine: x / 2
gates:
  - { id: g, require: 'x % 0 < 1 or rate > 0' }
groups:
  - id: grp
    criteria:
      - { id: c, points: 'rate + share + fine' }
      - { id: d, points: 'max(x, 1 / 0)' }
      - { id: e, points: 'if(x > 5, x / 0, x * 10)' }
      - { id: f, points: 'if(x > 5 and x / 0 > 1, 1, 2)' }
decision: { pass_score: 0 }
)") == Lines{
              warning_at(7, 3, "let 'rate' divides by 0: it never has data"),
              warning_at(8, 3, "let 'share' divides by 0: it never has data"),
              warning_at(11, 5, "gate 'g' divides by 0: it never has data, and fails every proposal"),
              warning_at(16, 9, "criterion 'd' divides by 0: it never has data, and scores 0"),
          });
}

TEST_CASE("a criterion whose applies_when is never true", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  sector: { type: enum, values: [a, b] }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
      - { id: big, points: x * 10, applies_when: x > 10 }
      - { id: nowhere, points: 100, applies_when: 'sector not in ["a", "b"]' }
      - { id: sometimes, points: 100, applies_when: 'sector == "a"' }
decision: { pass_score: 50 }
)") == Lines{
        warning_at(11, 9, "criterion 'big' never applies: its applies_when is false for every input within min/max"),
        warning_at(12, 9, "criterion 'nowhere' never applies: its applies_when is false for every input within min/max"),
    });
}

TEST_CASE("several warnings come sorted by position", "[lint]") {
    CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  spare: { type: number }
let:
  unused: x + 1
gates:
  - { id: always, require: x >= 0 }
groups:
  - id: g
    criteria:
      - { id: step, metric: x, zero_at: 5, full_at: 5 }
      - { id: never, points: 100, applies_when: x > 10 }
decision: { pass_score: 50 }
)") == Lines{
        warning_at(6, 3, "input 'spare' is never used by any rule"),
        warning_at(8, 3, "let 'unused' is never used"),
        warning_at(10, 5, "gate 'always' always passes for inputs within their min/max; it never screens anything out"),
        warning_at(14, 9, "criterion 'step' has zero_at equal to full_at (5): it scores 0 or 100, nothing between"),
        warning_at(15, 9, "criterion 'never' never applies: its applies_when is false for every input within min/max"),
    });
}

// ---------------------------------------------------------------------------------------------
// Cases the interval analysis once got wrong (the expectations are what a user should get)

TEST_CASE("clamp with bounds read from inputs is not taken to be constant", "[lint]") {
    // clamp(x, 0, h) with x in 50..60 and h in 10..20 is h itself: 10..20. With h = 10 the gate
    // `>= 15` fails, so it does not always pass. clamp(s, l, 100) with s in 0..1 and l in 0..50 is
    // l when l > s: up to 50, so `> 10` can pass. Neither gate is constant: no warning.
    CHECK(warnings(head + R"(  x: { type: number, min: 50, max: 60 }
  h: { type: number, min: 10, max: 20 }
  s: { type: number, min: 0, max: 1 }
  l: { type: number, min: 0, max: 50 }
gates:
  - { id: clamp-hi, require: 'clamp(x, 0, h) >= 15' }
  - { id: clamp-lo, require: 'clamp(s, l, 100) > 10' }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)").empty());
}

TEST_CASE("a group minimum counts only criteria that can apply", "[lint]") {
    SECTION("a low criterion that may be skipped does not hold the group down") {
        // `low` earns at most 10 points, weight 3: with it the group is at most (100 + 3 * 10) / 4 = 32.5.
        // But when `big` is false, `low` is skipped and the group is `full` alone: 100 >= 60.
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
  big: { type: boolean }
groups:
  - id: g
    minimum: 60
    criteria:
      - { id: full, points: 100 }
      - { id: low, points: 'min(x, 10)', weight: 3, applies_when: big }
decision: { pass_score: 50 }
)").empty());
    }
    SECTION("a criterion that never applies does not lift the group") {
        // `na` never applies, so the group is `half` alone: at most 50 < 60.
        CHECK(warnings(head + R"(  x: { type: number, min: 0, max: 10 }
groups:
  - id: g
    minimum: 60
    criteria:
      - { id: half, metric: x, zero_at: 0, full_at: 20 }
      - { id: na, points: 100, applies_when: x > 10 }
decision: { pass_score: 50 }
)") == Lines{
            warning_at(7, 5, "group 'g' can score at most 50.00 with these weights and bands, below its minimum 60"),
            warning_at(10, 9, "criterion 'half' can never reach full points: its metric is at most 10 for inputs within min/max, short of full_at 20"),
            warning_at(11, 9, "criterion 'na' never applies: its applies_when is false for every input within min/max"),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The built-in rule set, and the CLI

TEST_CASE("the built-in rule set has no lint warnings", "[lint]") {
    CompileResult file = compile_file(source_dir + "/rules/bac-ninh-234.yaml");
    CHECK(messages(file.diagnostics).empty());
    CHECK(file.rules);
    CompileResult built_in = compile_default();
    CHECK(messages(built_in.diagnostics).empty());
    CHECK(built_in.rules);
    Cli cli = run_cli("validate --strict rules/bac-ninh-234.yaml");
    CHECK(cli.exit_code == 0);
    CHECK(cli.err.empty());
    CHECK(cli.out == "rules/bac-ninh-234.yaml: ok (bac-ninh-234 2025.1: 18 inputs, 4 gates, 4 groups, 14 criteria, 18 tests)\n");
}

TEST_CASE("validate prints warnings but exits 0, and --strict makes them fail", "[lint]") {
    const std::string dir = temp_dir("lint-cli");
    const std::string file = dir + "/warned.yaml";
    write_text(file, head + R"(  x: { type: number, min: 0, max: 10 }
  spare: { type: number, required: false }
gates:
  - { id: always, require: x >= 0 }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 10 }
decision: { pass_score: 50 }
)");
    const std::string expected_err = file + ":6:3: warning: input 'spare' is never used by any rule\n" + file +
                                     ":8:5: warning: gate 'always' always passes for inputs within their min/max; it never screens anything out\n";
    const std::string expected_out = file + ": ok (t 1: 2 inputs, 1 gate, 1 group, 1 criterion, 0 tests), 2 warnings\n";

    Cli plain = run_cli("validate " + q(file));
    CHECK(plain.exit_code == 0);
    CHECK(plain.err == expected_err);
    CHECK(plain.out == expected_out);

    Cli strict = run_cli("validate --strict " + q(file));
    CHECK(strict.exit_code == 1);
    CHECK(strict.err == expected_err);
    CHECK(strict.out == expected_out);

    // --strict fails the run when any one of several rule sets has warnings.
    Cli mixed = run_cli("validate --strict rules/bac-ninh-234.yaml " + q(file));
    CHECK(mixed.exit_code == 1);
    CHECK_THAT(mixed.out, Contains("rules/bac-ninh-234.yaml: ok ("));

    // A single warning is singular.
    write_text(file, head + "  x: { type: number }\n  spare: { type: number }\ngroups:\n  - id: g\n    criteria:\n"
                            "      - { id: c, metric: x, zero_at: 0, full_at: 10 }\ndecision: { pass_score: 50 }\n");
    Cli one = run_cli("validate " + q(file));
    CHECK(one.exit_code == 0);
    CHECK(one.out == file + ": ok (t 1: 2 inputs, 0 gates, 1 group, 1 criterion, 0 tests), 1 warning\n");
}

TEST_CASE("warnings do not stop eval, and eval does not print them", "[lint]") {
    const std::string dir = temp_dir("lint-eval");
    const std::string file = dir + "/warned.yaml";
    write_text(file, head + "  x: { type: number }\n  spare: { type: number, required: false }\ngroups:\n  - id: g\n    criteria:\n"
                            "      - { id: c, metric: x, zero_at: 0, full_at: 10 }\ndecision: { pass_score: 50 }\n");
    Cli cli = run_cli("-q eval --rules " + q(file) + " --format csv -", R"({"id": "P1", "x": 5})");
    CHECK(cli.exit_code == 0);
    CHECK(cli.err.find("warning") == std::string::npos);
    CHECK_THAT(cli.out, Contains("1,P1,,pass,50.00,"));
}
