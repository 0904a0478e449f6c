// Rule-set tests (`screener test`, engine/include/screener/testing.hpp): expectations, the exact
// text of each kind of failure, coverage and its gaps, and the CLI around them (exit codes, the
// failure report at the test's file:line, --min-coverage, separate test files, --junit).
//
// Every score below is worked out by hand from the `mini` rule set:
//   m     = 100 * clamp(x / 50, 0, 1)            -> 2x points for x up to 50
//   bonus = 100 when sector is a, 0 when c; skipped when b (and then the group `extra` is skipped)
//   total = (g + extra) / 2, or g alone when `extra` is skipped; g = m has a minimum of 20
//   pass at 50; the gate `not-c` fails sector c.
#include <cctype>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "screener/testing.hpp"
#include "support.hpp"

using namespace screener;
using namespace screener::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using Lines = std::vector<std::string>;

// 18 lines; `tests:` appended to it is line 19, and its first test (`  - name:`) starts at 20:5.
const std::string mini = R"(format: screener/v1
id: mini
version: "1"
inputs:
  x: { type: number, min: 0, max: 100 }
  sector: { type: enum, values: [a, b, c] }
gates:
  - id: not-c
    require: sector != "c"
groups:
  - id: g
    minimum: 20
    criteria:
      - { id: m, metric: x, zero_at: 0, full_at: 50 }
  - id: extra
    criteria:
      - { id: bonus, points: 'if(sector == "a", 100, 0)', applies_when: sector != "b" }
decision: { pass_score: 50 }
)";

// One test (three lines) as it appears under `tests:`.
std::string test_yaml(const std::string& name, const std::string& proposal, const std::string& expect) {
    return "  - name: " + name + "\n    proposal: " + proposal + "\n    expect: " + expect + "\n";
}

// Five tests that pass, worked out by hand (see the top of the file).
const std::string passing_tests =
    // x 25, a: m 50, g 50, bonus 100, extra 100, total 75.
    test_yaml("half way with the bonus passes", "{ id: A1, x: 25, sector: a }",
              "{ verdict: pass, score: 75, gates_failed: [], groups: { g: 50, extra: 100 }, criteria: { m: 50, bonus: 100 } }") +
    // x 8, c: the gate fails; m 16 (below the minimum 20); bonus 0; total 8.
    test_yaml("sector c fails the gate", "{ id: A2, x: 8, sector: c }",
              "{ verdict: fail, score: { max: 10 }, gates_failed: [not-c], groups: { g: { min: 15, max: 17 } }, criteria: { bonus: 0 } }") +
    // x 100, b: m 100; bonus and its group are skipped; total = g = 100.
    test_yaml("sector b is scored on g alone", "{ id: A3, x: 100, sector: b }",
              "{ verdict: pass, score: 100, criteria: { m: 100 } }") +
    // x 200 is above max 100.
    test_yaml("too large is invalid", "{ id: A4, x: 200, sector: a }", "{ verdict: invalid }") +
    // x 0, a: m 0, g 0 < 20; total (0 + 100) / 2 = 50 meets the pass score but g fails its minimum.
    test_yaml("zero misses the group minimum", "{ id: A5, x: 0, sector: a }",
              "{ verdict: fail, score: 50, gates_failed: [], criteria: { m: 0 } }");

std::shared_ptr<const CompiledRules> rules_with(const std::string& tests) {
    return compile_ok(mini + (tests.empty() ? "" : "tests:\n" + tests));
}

// The failures of the single test in `tests`.
Lines failures_of(const std::string& one_test) {
    auto rules = rules_with(one_test);
    REQUIRE(rules->tests.size() == 1);
    TestRun run = run_tests(*rules, rules->tests);
    REQUIRE(run.outcomes.size() == 1);
    return run.outcomes[0].failures;
}

std::string q(const std::string& s) {  // single-quoted for the shell
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// ---------------------------------------------------------------------------------------------
// A small, strict XML reader: enough of XML 1.0 to check that the JUnit output is well-formed and
// to read its elements back (names, attributes with entities decoded, text, children).

struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::string text;
    std::vector<Element> children;

    std::vector<const Element*> all(const std::string& child) const {
        std::vector<const Element*> out;
        for (const auto& c : children)
            if (c.name == child) out.push_back(&c);
        return out;
    }
    std::string attr(const std::string& key) const {
        auto it = attributes.find(key);
        if (it == attributes.end()) throw std::runtime_error("<" + name + "> has no attribute '" + key + "'");
        return it->second;
    }
};

class XmlReader {
public:
    explicit XmlReader(const std::string& text) : s_(text) {}

    Element document() {
        if (s_.compare(0, 5, "<?xml") == 0) {
            auto end = s_.find("?>");
            if (end == std::string::npos) fail("unterminated XML declaration");
            i_ = end + 2;
        }
        skip_misc();
        if (i_ >= s_.size() || s_[i_] != '<') fail("no root element");
        Element root = element();
        skip_misc();
        if (i_ != s_.size()) fail("content after the root element");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("XML: " + what + " at offset " + std::to_string(i_));
    }

    void skip_space() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }

    void skip_misc() {
        for (;;) {
            skip_space();
            if (s_.compare(i_, 4, "<!--") == 0) {
                auto end = s_.find("-->", i_);
                if (end == std::string::npos) fail("unterminated comment");
                i_ = end + 3;
            } else {
                return;
            }
        }
    }

    std::string name() {
        std::size_t start = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '-' ||
                                  s_[i_] == ':' || s_[i_] == '.'))
            ++i_;
        if (start == i_) fail("expected a name");
        return s_.substr(start, i_ - start);
    }

    // Decodes character data up to `stop`, rejecting a raw '<' or a bare '&'.
    std::string chars(char stop, bool attribute) {
        std::string out;
        while (i_ < s_.size() && s_[i_] != stop) {
            char c = s_[i_];
            if (c == '<') {
                if (attribute) fail("'<' in an attribute value");
                break;
            }
            if (c == '&') {
                auto end = s_.find(';', i_);
                if (end == std::string::npos) fail("unterminated entity");
                std::string entity = s_.substr(i_ + 1, end - i_ - 1);
                static const std::map<std::string, std::string> named = {
                    {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
                if (auto it = named.find(entity); it != named.end()) out += it->second;
                else if (entity.size() > 1 && entity[0] == '#') {
                    unsigned long code = entity[1] == 'x' ? std::stoul(entity.substr(2), nullptr, 16) : std::stoul(entity.substr(1));
                    if (code >= 0x80) fail("non-ASCII character reference (not needed here)");
                    out += static_cast<char>(code);
                } else
                    fail("unknown entity &" + entity + ";");
                i_ = end + 1;
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') fail("control character");
            // XML attribute-value normalization: a literal line break or tab reads as a space.
            out += attribute && (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
            ++i_;
        }
        return out;
    }

    Element element() {
        Element e;
        ++i_;  // '<'
        e.name = name();
        for (;;) {
            skip_space();
            if (i_ >= s_.size()) fail("unterminated start tag <" + e.name);
            if (s_.compare(i_, 2, "/>") == 0) {
                i_ += 2;
                return e;
            }
            if (s_[i_] == '>') {
                ++i_;
                break;
            }
            std::string key = name();
            skip_space();
            if (i_ >= s_.size() || s_[i_] != '=') fail("expected '=' after attribute " + key);
            ++i_;
            skip_space();
            if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) fail("unquoted attribute " + key);
            char quote = s_[i_++];
            std::string value = chars(quote, true);
            if (i_ >= s_.size()) fail("unterminated attribute " + key);
            ++i_;
            if (!e.attributes.emplace(key, value).second) fail("repeated attribute " + key);
        }
        for (;;) {
            e.text += chars('<', false);
            if (i_ >= s_.size()) fail("unterminated element <" + e.name + ">");
            if (s_.compare(i_, 2, "</") == 0) {
                i_ += 2;
                std::string closing = name();
                if (closing != e.name) fail("</" + closing + "> closes <" + e.name + ">");
                skip_space();
                if (i_ >= s_.size() || s_[i_] != '>') fail("malformed end tag");
                ++i_;
                return e;
            }
            if (s_.compare(i_, 4, "<!--") == 0) {
                skip_misc();
                continue;
            }
            e.children.push_back(element());
        }
    }

    const std::string& s_;
    std::size_t i_ = 0;
};

Element parse_xml(const std::string& text) { return XmlReader(text).document(); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// The reader itself (so a lenient reader cannot hide malformed JUnit)

TEST_CASE("the test XML reader rejects what is not well-formed", "[testing]") {
    CHECK_NOTHROW(parse_xml(R"(<?xml version="1.0"?><a x="1 &amp; 2"><b/>t&lt;<c y='&quot;'></c></a>)"));
    Element a = parse_xml(R"(<a x="1 &amp; 2"><b/>t&lt;<c y='&quot;'>z</c></a>)");
    CHECK(a.attr("x") == "1 & 2");
    CHECK(a.children.size() == 2);
    CHECK(a.text == "t<");
    CHECK(a.all("c").at(0)->attr("y") == "\"");
    for (const char* bad : {"<a><b></a></b>", "<a x=1/>", "<a x=\"<\"/>", "<a>&nope;</a>", "<a>a & b</a>", "<a/><b/>",
                            "<a x=\"1\" x=\"2\"/>", "<a>", "text"}) {
        INFO(bad);
        CHECK_THROWS(parse_xml(bad));
    }
}

// ---------------------------------------------------------------------------------------------
// run_tests: passing tests

TEST_CASE("tests whose expectations hold pass, with their names and locations", "[testing]") {
    auto rules = rules_with(passing_tests);
    TestRun run = run_tests(*rules, rules->tests);
    REQUIRE(run.outcomes.size() == 5);
    CHECK(run.failed() == 0);
    const Lines names = {"half way with the bonus passes", "sector c fails the gate", "sector b is scored on g alone",
                         "too large is invalid", "zero misses the group minimum"};
    for (std::size_t i = 0; i < 5; ++i) {
        INFO(run.outcomes[i].name << ": " << Catch::Detail::stringify(run.outcomes[i].failures));
        CHECK(run.outcomes[i].passed());
        CHECK(run.outcomes[i].name == names[i]);
        // Each test is three lines, the first at line 20, column 5 (after "  - ").
        CHECK(run.outcomes[i].where.str() == "test.yaml:" + std::to_string(20 + 3 * i) + ":5");
    }
    // The outcome carries the full result.
    CHECK(run.outcomes[0].result.verdict == Verdict::pass);
    CHECK(run.outcomes[0].result.score == Approx(75));
    CHECK(run.outcomes[3].result.verdict == Verdict::invalid);
    CHECK(run.outcomes[4].result.reasons == Lines{"group 'g' scored 0.00, below its minimum 20.00"});
}

TEST_CASE("an exact score passes within 0.005 of the expectation", "[testing]") {
    // x 25.004, a: m 50.008, total (50.008 + 100) / 2 = 75.004.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25.004, sector: a }", "{ score: 75 }")).empty());
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25.004, sector: a }", "{ score: 75.009 }")).empty());
    // m itself is 0.008 away from 50: outside the tolerance.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25.004, sector: a }", "{ criteria: { m: 50 } }")) ==
          Lines{"criterion 'm': expected 50.00, got 50.01"});
    // Range bounds are inclusive.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: { min: 75, max: 75 }, groups: { g: { min: 50 } } }")).empty());
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: { max: 75 }, criteria: { m: { max: 50 } } }")).empty());
}

// ---------------------------------------------------------------------------------------------
// run_tests: each kind of failing expectation, with its exact text

TEST_CASE("a wrong verdict shows the actual one and why", "[testing]") {
    // x 8, c: the gate fails, g 16 < 20, total 8 < 50.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ verdict: pass }")) ==
          Lines{"verdict: expected pass, got fail (gate 'not-c' failed; group 'g' scored 16.00, below its minimum 20.00; "
                "total score 8.00 is below the pass score 50.00)"});
    // A pass has no reasons to give.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ verdict: fail }")) == Lines{"verdict: expected fail, got pass"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ verdict: invalid }")) ==
          Lines{"verdict: expected invalid, got pass"});
    // An invalid proposal gives its reasons.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: other }", "{ verdict: fail }")) ==
          Lines{"verdict: expected fail, got invalid (x: expected at most 100, found 200; "
                "sector: unknown value \"other\" (expected one of a, b, c))"});
}

TEST_CASE("a wrong score shows the expectation and the actual score", "[testing]") {
    // x 25, a: total 75.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: 75.01 }")) == Lines{"score: expected 75.01, got 75.00"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: { min: 80, max: 90 } }")) ==
          Lines{"score: expected between 80.00 and 90.00, got 75.00"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: { min: 75.5 } }")) ==
          Lines{"score: expected at least 75.50, got 75.00"});
    // Where two decimals would show both as 75.00, as many more as tell them apart.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ score: { max: 74.999 } }")) ==
          Lines{"score: expected at most 74.999, got 75.000"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: a }", "{ score: 75 }")) == Lines{"proposal: invalid (x: expected at most 100, found 200)", "score: expected 75.00, got none (invalid)"});
}

TEST_CASE("a wrong set of failed gates shows both sets, sorted", "[testing]") {
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ gates_failed: [] }")) ==
          Lines{"gates_failed: expected [], got [not-c]"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ gates_failed: [not-c] }")) ==
          Lines{"gates_failed: expected [not-c], got []"});
    // An id the rule set does not have is named, then the sets are compared.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ gates_failed: [zeta, not-c, alpha] }")) ==
          Lines{"gates_failed: no gate 'zeta' in the rule set", "gates_failed: no gate 'alpha' in the rule set",
                "gates_failed: expected [alpha, not-c, zeta], got [not-c]"});
    // Order does not matter.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ gates_failed: [not-c] }")).empty());
    // It is a set: a gate named twice is the one gate (from a rule-author helper: "expected [ga, ga, gb]").
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ gates_failed: [not-c, not-c] }")).empty());
    // A misspelt id gets a did-you-mean, as a group's or a criterion's does.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }", "{ gates_failed: [not-d] }")) ==
          Lines{"gates_failed: no gate 'not-d' in the rule set; did you mean 'not-c'?", "gates_failed: expected [not-d], got [not-c]"});
}

TEST_CASE("a test of an invalid proposal fails, saying why, unless it expects verdict: invalid", "[testing]") {
    // An invalid proposal fails no gate: `gates_failed: []` alone passed, so a test whose proposal
    // misspelt a required input was green without scoring anything (from a rule-author helper).
    CHECK(failures_of(test_yaml("n", "{ id: T, sector: a }", "{ gates_failed: [] }")) ==
          Lines{"proposal: invalid (x: missing (required input))", "gates_failed: expected [], got none (invalid)"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: a }", "{ verdict: invalid }")).empty());
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: a }", "{ verdict: pass }")) ==
          Lines{"verdict: expected pass, got invalid (x: expected at most 100, found 200)"});
}

TEST_CASE("a test that expects nothing is a rule-set error", "[testing]") {
    CompileResult result = compile_yaml(mini + "tests:\n" + test_yaml("n", "{ id: T, x: 1, sector: a }", "{}"));
    CHECK_FALSE(result.rules);
    // `    expect: {}`: the mapping starts at column 13 of line 22.
    CHECK(messages(result.diagnostics) ==
          Lines{"test.yaml:22:13: error: test 'n' 'expect' checks nothing: give it verdict, score, gates_failed, groups or criteria"});
    // Nor do empty groups and criteria (from a review helper).
    result = compile_yaml(mini + "tests:\n" + test_yaml("n", "{ id: T, x: 1, sector: a }", "{ groups: {}, criteria: {} }"));
    CHECK(messages(result.diagnostics) ==
          Lines{"test.yaml:22:13: error: test 'n' 'expect' checks nothing: give it verdict, score, gates_failed, groups or criteria"});
}

TEST_CASE("wrong group scores, a skipped group and unknown groups", "[testing]") {
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ groups: { g: { max: 40 }, extra: 99 } }")) ==
          Lines{"group 'g': expected at most 40.00, got 50.00", "group 'extra': expected 99.00, got 100.00"});
    // Sector b skips `bonus`, so `extra` is skipped.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 100, sector: b }", "{ groups: { extra: 0 } }")) ==
          Lines{"group 'extra': expected 0.00, got skipped"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ groups: { zz: 1, criteria: 2 } }")) ==
          Lines{"groups: no group 'zz' in the rule set", "groups: no group 'criteria' in the rule set"});
    // A criterion id is not a group id, and the failure says which it is; a near miss gets a suggestion.
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ groups: { m: 50, extr: 100 } }")) ==
          Lines{"groups: no group 'm' in the rule set; 'm' is a criterion: expect it under criteria",
                "groups: no group 'extr' in the rule set; did you mean 'extra'?"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: a }", "{ groups: { g: 50 } }")) ==
          Lines{"proposal: invalid (x: expected at most 100, found 200)", "group 'g': expected 50.00, got none (invalid)"});
}

TEST_CASE("wrong criterion points, a skipped criterion and unknown criteria", "[testing]") {
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ criteria: { m: { min: 60, max: 70 }, bonus: { max: 50 } } }")) ==
          Lines{"criterion 'm': expected between 60.00 and 70.00, got 50.00", "criterion 'bonus': expected at most 50.00, got 100.00"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 100, sector: b }", "{ criteria: { bonus: 0 } }")) ==
          Lines{"criterion 'bonus': expected 0.00, got skipped"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ criteria: { qq: 1, g: 50 } }")) ==
          Lines{"criteria: no criterion 'qq' in the rule set", "criteria: no criterion 'g' in the rule set; 'g' is a group: expect it under groups"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 25, sector: a }", "{ criteria: { bonsu: 100 } }")) ==
          Lines{"criteria: no criterion 'bonsu' in the rule set; did you mean 'bonus'?"});
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 200, sector: a }", "{ criteria: { m: 1 } }")) ==
          Lines{"proposal: invalid (x: expected at most 100, found 200)", "criterion 'm': expected 1.00, got none (invalid)"});
}

TEST_CASE("every unmet expectation of one test is listed, in a fixed order", "[testing]") {
    CHECK(failures_of(test_yaml("n", "{ id: T, x: 8, sector: c }",
                                "{ criteria: { qq: 1, m: 50 }, groups: { zz: 1, g: { max: 5 } }, gates_failed: [nope], "
                                "score: { min: 30, max: 40 }, verdict: pass }")) ==
          Lines{
              "verdict: expected pass, got fail (gate 'not-c' failed; group 'g' scored 16.00, below its minimum 20.00; "
              "total score 8.00 is below the pass score 50.00)",
              "score: expected between 30.00 and 40.00, got 8.00",
              "gates_failed: no gate 'nope' in the rule set",
              "gates_failed: expected [nope], got [not-c]",
              "groups: no group 'zz' in the rule set",
              "group 'g': expected at most 5.00, got 16.00",
              "criteria: no criterion 'qq' in the rule set",
              "criterion 'm': expected 50.00, got 16.00",
          });
}

TEST_CASE("two tests of one name are a rule-set error, as two gates of one id are", "[testing]") {
    // From a rule-author helper: JUnit had two testcases of one classname and name, which CI merges.
    CompileResult result = compile_yaml(mini + "tests:\n" + test_yaml("same", "{ id: T, x: 1, sector: a }", "{ verdict: fail }") +
                                        test_yaml("same", "{ id: U, x: 90, sector: a }", "{ verdict: pass }"));
    CHECK_FALSE(result.rules);
    // mini is 18 lines, then `tests:`: the first `  - name: same` is on line 20, the second on 23, its value at column 11.
    CHECK(messages(result.diagnostics) ==
          Lines{"test.yaml:23:11: error: duplicate test name 'same' (first given at line 20): CI reports tell tests apart by name"});
}

TEST_CASE("an expected verdict that is not a verdict is a rule-set error", "[testing]") {
    CompileResult result = compile_yaml(mini + "tests:\n" + test_yaml("n", "{ id: T, x: 1, sector: a }", "{ verdict: passed }"));
    CHECK_FALSE(result.rules);
    // `    expect: { verdict: passed }`: `passed` is at column 24 of line 22.
    CHECK(messages(result.diagnostics) ==
          Lines{"test.yaml:22:24: error: expected verdict 'passed' is not pass, fail or invalid; did you mean 'pass'?"});
}

// ---------------------------------------------------------------------------------------------
// Coverage

TEST_CASE("coverage counts each gate passing and failing and each criterion at zero, partial and full", "[testing]") {
    SECTION("no tests: nothing covered") {
        auto rules = rules_with("");
        TestRun run = run_tests(*rules, rules->tests);
        CHECK(run.outcomes.empty());
        CHECK(run.coverage.total() == 8);  // 1 gate x 2 + 2 criteria x 3
        CHECK(run.coverage.covered() == 0);
        CHECK(run.coverage.percent() == 0);
        CHECK(run.coverage.gaps() == Lines{"gate 'not-c' is never seen passing", "gate 'not-c' is never seen failing",
                                           "criterion 'm' is never seen at zero, partial or full points",
                                           "criterion 'bonus' is never seen at zero, partial or full points"});
    }
    SECTION("an invalid proposal covers nothing") {
        auto rules = rules_with(test_yaml("too large", "{ id: T, x: 200, sector: a }", "{ verdict: invalid }"));
        TestRun run = run_tests(*rules, rules->tests);
        CHECK(run.failed() == 0);
        CHECK(run.coverage.covered() == 0);
    }
    SECTION("the first four passing tests") {
        // A1: gate passes, m 50 partial, bonus 100 full.  A2: gate fails, m 16 partial, bonus 0 zero.
        // A3: gate passes, m 100 full, bonus skipped.     A4: invalid, nothing.
        // Covered: gate 2 of 2, m partial+full, bonus zero+full = 6 of 8.
        std::string four = passing_tests.substr(0, passing_tests.find("  - name: zero misses"));
        auto rules = rules_with(four);
        REQUIRE(rules->tests.size() == 4);
        TestRun run = run_tests(*rules, rules->tests);
        CHECK(run.failed() == 0);
        CHECK(run.coverage.covered() == 6);
        CHECK(run.coverage.total() == 8);
        CHECK(run.coverage.percent() == 75);
        CHECK(run.coverage.gaps() == Lines{"criterion 'm' is never seen at zero points", "criterion 'bonus' is never seen at partial points"});
        REQUIRE(run.coverage.gates.size() == 1);
        CHECK(run.coverage.gates[0].id == "not-c");
        CHECK(run.coverage.gates[0].seen_pass);
        CHECK(run.coverage.gates[0].seen_fail);
        REQUIRE(run.coverage.criteria.size() == 2);
        CHECK(run.coverage.criteria[0].id == "m");
        CHECK_FALSE(run.coverage.criteria[0].seen_zero);
        CHECK(run.coverage.criteria[0].seen_partial);
        CHECK(run.coverage.criteria[0].seen_full);
        CHECK(run.coverage.criteria[1].seen_zero);
        CHECK_FALSE(run.coverage.criteria[1].seen_partial);
        CHECK(run.coverage.criteria[1].seen_full);
    }
    SECTION("all five: A5 adds m at zero") {
        auto rules = rules_with(passing_tests);
        TestRun run = run_tests(*rules, rules->tests);
        CHECK(run.coverage.covered() == 7);
        CHECK(run.coverage.percent() == 87.5);
        CHECK(run.coverage.gaps() == Lines{"criterion 'bonus' is never seen at partial points"});
    }
    SECTION("failing tests count too: coverage is about what the proposals did") {
        // x 0, a with a wrong expectation: m at zero, bonus full, gate passes.
        auto rules = rules_with(test_yaml("wrong", "{ id: T, x: 0, sector: a }", "{ verdict: pass }"));
        TestRun run = run_tests(*rules, rules->tests);
        CHECK(run.failed() == 1);
        CHECK(run.coverage.covered() == 3);
        CHECK(run.coverage.gaps() == Lines{"gate 'not-c' is never seen failing", "criterion 'm' is never seen at partial or full points",
                                           "criterion 'bonus' is never seen at zero or partial points"});
    }
}

TEST_CASE("run_tests runs any list of tests, such as a separate file's", "[testing]") {
    auto rules = rules_with(passing_tests);
    LoadedRules other = load_rules(mini + "tests:\n" + test_yaml("only this one", "{ id: B1, x: 50, sector: c }",
                                                                     "{ verdict: fail, score: 50, gates_failed: [not-c] }"),
                                   "other.yaml");
    REQUIRE_FALSE(has_errors(other.diagnostics));
    // x 50, c: m 100, bonus 0, total 50; the gate fails.
    TestRun run = run_tests(*rules, other.rules.tests);
    REQUIRE(run.outcomes.size() == 1);
    CHECK(run.outcomes[0].passed());
    CHECK(run.outcomes[0].where.str() == "other.yaml:20:5");
}

// ---------------------------------------------------------------------------------------------
// The CLI

namespace {

struct Files {
    std::string dir, file;
};

Files write_mini(const std::string& name, const std::string& tests) {
    Files f{temp_dir("testing-" + name), ""};
    f.file = f.dir + "/mini.yaml";
    write_text(f.file, mini + "tests:\n" + tests);
    return f;
}

const std::string coverage_line_87 =
    "coverage: 87.50% (7 of 8: each gate passing and failing, each criterion at zero, partial and full points)\n";

}  // namespace

TEST_CASE("screener test exits 0 when every test passes and prints the counts and coverage", "[testing]") {
    Files f = write_mini("pass", passing_tests);
    Cli cli = run_cli("test " + q(f.file));
    INFO(cli.err);
    CHECK(cli.exit_code == 0);
    CHECK(cli.out == f.file + " (mini 1): 5 tests, 5 passed, 0 failed\n" + coverage_line_87 +
                         "    not covered: criterion 'bonus' is never seen at partial points\n");
    CHECK(cli.err.empty());
}

TEST_CASE("screener test exits 1 and shows expected and actual under the test's file:line", "[testing]") {
    // Tests 1 and 3 pass; test 2 (line 23) fails two expectations.
    std::string tests = test_yaml("fine", "{ id: F1, x: 25, sector: a }", "{ verdict: pass }") +
                        test_yaml("wrong on purpose", "{ id: F2, x: 8, sector: c }", "{ verdict: pass, criteria: { m: 20 } }") +
                        test_yaml("also fine", "{ id: F3, x: 100, sector: b }", "{ score: 100 }");
    Files f = write_mini("fail", tests);
    Cli cli = run_cli("test " + q(f.file));
    CHECK(cli.exit_code == 1);
    // Coverage: F1 gate pass, m partial, bonus full; F2 gate fail, m partial, bonus zero; F3 m full.
    CHECK(cli.out == f.file + " (mini 1): 3 tests, 2 passed, 1 failed\n" + f.file + ":23:5: FAIL wrong on purpose\n" +
                         "    verdict: expected pass, got fail (gate 'not-c' failed; group 'g' scored 16.00, below its minimum "
                         "20.00; total score 8.00 is below the pass score 50.00)\n"
                         "    criterion 'm': expected 20.00, got 16.00\n"
                         "coverage: 75.00% (6 of 8: each gate passing and failing, each criterion at zero, partial and full points)\n"
                         "    not covered: criterion 'm' is never seen at zero points\n"
                         "    not covered: criterion 'bonus' is never seen at partial points\n");
}

TEST_CASE("screener test --min-coverage passes at the threshold and fails above it", "[testing]") {
    Files f = write_mini("coverage", passing_tests);  // 87.50 %
    Cli at = run_cli("test --min-coverage 87.5 " + q(f.file));
    CHECK(at.exit_code == 0);
    Cli above = run_cli("test --min-coverage 87.6 " + q(f.file));
    CHECK(above.exit_code == 1);
    CHECK_THAT(above.out, Contains(coverage_line_87));
    CHECK_THAT(above.out, Contains(f.file + ": coverage 87.50% is below --min-coverage 87.60%\n"));
    CHECK(run_cli("test --min-coverage 0 " + q(f.file)).exit_code == 0);
    // Not a percentage: a usage error. NaN compares false with every bound, and turned the check off.
    for (const std::string value : {"-1", "lots", "100.5", "nan", "inf"}) {
        INFO(value);
        Cli cli = run_cli("test --min-coverage " + value + " " + q(f.file));
        CHECK(cli.exit_code == 2);
        CHECK_THAT(cli.err, Catch::Matchers::StartsWith("--min-coverage: expected a percentage from 0 to 100, found " + value + "\n"));
    }
}

TEST_CASE("screener test with several rule sets fails when any one fails", "[testing]") {
    Files good = write_mini("several-good", passing_tests);
    Files bad = write_mini("several-bad", test_yaml("wrong", "{ id: W, x: 25, sector: a }", "{ verdict: fail }"));
    Cli cli = run_cli("test " + q(good.file) + " " + q(bad.file));
    CHECK(cli.exit_code == 1);
    CHECK_THAT(cli.out, Contains(good.file + " (mini 1): 5 tests, 5 passed, 0 failed\n"));
    CHECK_THAT(cli.out, Contains(bad.file + " (mini 1): 1 test, 0 passed, 1 failed\n" + bad.file + ":20:5: FAIL wrong\n" +
                                 "    verdict: expected fail, got pass\n"));
}

TEST_CASE("screener test runs a separate test file against the rule set named relative to it", "[testing]") {
    const std::string dir = temp_dir("testing-separate");
    fs::create_directories(dir + "/policy");
    fs::create_directories(dir + "/checks/more");
    // The rule set keeps its own five tests; the test file's tests replace them.
    write_text(dir + "/policy/mini.yaml", mini + "tests:\n" + passing_tests);
    const std::string file = dir + "/checks/more/mini.tests.yaml";
    // Line 1 `rules:`, line 2 `tests:`, tests at lines 3 and 6.
    const std::string tests = "rules: ../../policy/mini.yaml\ntests:\n" +
                              test_yaml("c at 50 fails only on the gate", "{ id: S1, x: 50, sector: c }",
                                        "{ verdict: fail, score: 50, gates_failed: [not-c], criteria: { m: 100, bonus: 0 } }") +
                              test_yaml("wrong on purpose", "{ id: S2, x: 10, sector: b }", "{ verdict: pass }");
    write_text(file, tests);
    // run_cli runs in the source directory: the path resolves against the test file, not the cwd.
    Cli cli = run_cli("test " + q(file));
    CHECK(cli.exit_code == 1);
    // S1: gate fails, m full, bonus zero. S2: gate passes, m 20 partial, bonus skipped: 5 of 8.
    CHECK(cli.out == file + " (mini 1): 2 tests, 1 passed, 1 failed\n" + file + ":6:5: FAIL wrong on purpose\n" +
                         "    verdict: expected pass, got fail (total score 20.00 is below the pass score 50.00)\n"
                         "coverage: 62.50% (5 of 8: each gate passing and failing, each criterion at zero, partial and full points)\n"
                         "    not covered: criterion 'm' is never seen at zero points\n"
                         "    not covered: criterion 'bonus' is never seen at partial or full points\n");

    // A test file naming a rule set that does not exist is an error (exit 1) naming the path.
    write_text(file, "rules: ../missing.yaml\ntests:\n" + test_yaml("t", "{ id: S3, x: 1, sector: a }", "{ verdict: fail }"));
    Cli missing = run_cli("test " + q(file));
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Contains("missing.yaml: error: cannot read the rule set"));
    CHECK_THAT(missing.out, Contains(file + ": error: the rule set "));
}

TEST_CASE("a test file with 'rules' misspelt is told so, not read as a rule set missing its keys", "[testing]") {
    // From a rule-author helper: `rule:` made seven rule-set errors ("needs 'format'", ...).
    const std::string dir = temp_dir("testing-rule-typo");
    const std::string file = dir + "/typo.tests.yaml";
    write_text(file, "rule: mini.yaml\ntests:\n" + test_yaml("t", "{ id: S1, x: 1, sector: a }", "{ verdict: fail }"));
    Cli cli = run_cli("test " + q(file));
    CHECK(cli.exit_code == 1);
    CHECK(cli.err == file + ":1:1: error: unknown key 'rule' in a test file; did you mean 'rules'?\n" + file + ":1:1: error: a test file needs 'rules'\n");
    // A rule set missing its `format:` is still read as a rule set: it has groups.
    const std::string rules = dir + "/no-format.yaml";
    write_text(rules, "id: t\nversion: \"1\"\ninputs: {}\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 1 }\n"
                      "decision: { pass_score: 0 }\ntests: []\n");
    CHECK_THAT(run_cli("test " + q(rules)).err, Contains(rules + ":1:1: error: the rule set needs 'format'"));
}

TEST_CASE("a test file with 'tests' misspelt is told so too, and one given as a rule set says what it is", "[testing]") {
    // From a rule-author helper: `rules:` with `test:` made eight rule-set errors, and validate or
    // schema of a test file seven, the useful one buried.
    const std::string dir = temp_dir("testing-tests-typo");
    write_text(dir + "/mini.yaml", mini);
    const std::string file = dir + "/typo.tests.yaml";
    write_text(file, "rules: mini.yaml\ntest:\n" + test_yaml("t", "{ id: S1, x: 1, sector: a }", "{ verdict: fail }"));
    Cli cli = run_cli("test " + q(file));
    CHECK(cli.exit_code == 1);
    CHECK(cli.err == file + ":1:1: error: a test file needs 'tests'\n" + file + ":2:1: error: unknown key 'test' in a test file; did you mean 'tests'?\n");
    const std::string tests = dir + "/good.tests.yaml";
    write_text(tests, "rules: mini.yaml\ntests:\n" + test_yaml("t", "{ id: S1, x: 1, sector: a }", "{ verdict: fail }"));
    REQUIRE(run_cli("test " + q(tests)).exit_code == 0);
    const std::string what = tests + ":1:1: error: this is a test file (it names its rule set in 'rules:'), not a rule set: run it with screener test\n";
    Cli validate = run_cli("validate " + q(tests));
    CHECK(validate.exit_code == 1);
    CHECK(validate.err == what);
    Cli schema = run_cli("schema --rules " + q(tests));
    CHECK(schema.exit_code == 2);
    CHECK(schema.err == what + "screener: error: the rule set " + tests + " has errors\n");
}

TEST_CASE("a test file's rules must name a rule set: other YAML files are not loaded, nor quoted", "[testing]") {
    // A test file comes with a pull request, and CI shows what loading its rule set says: naming
    // another YAML file on the machine quoted its keys and values in the log.
    const std::string dir = temp_dir("testing-not-rules");
    write_text(dir + "/secret.yaml", "aws_secret_access_key: SECRET-KEY-1\nid: SECRET-VALUE-2\n");
    write_text(dir + "/broken.yaml", "format: screener/v1\nid: [broken\n");
    const std::string tests = "tests:\n" + test_yaml("t", "{ id: S1, x: 1, sector: a }", "{ verdict: fail }");
    write_text(dir + "/relative.tests.yaml", "rules: secret.yaml\n" + tests);
    write_text(dir + "/absolute.tests.yaml", "rules: " + dir + "/secret.yaml\n" + tests);
    for (const std::string name : {"relative", "absolute"}) {
        INFO(name);
        const std::string file = dir + "/" + name + ".tests.yaml";
        Cli cli = run_cli("test " + q(file));
        CHECK(cli.exit_code == 1);
        CHECK(cli.err == file + ":1:8: error: 'rules' names " + dir + "/secret.yaml, which is no rule set (it has no 'format: screener/v1')\n");
        CHECK(cli.out == file + ": error: the test file has errors\n");
    }
    // A rule set that is not valid YAML is still one: its own error is shown.
    write_text(dir + "/broken.tests.yaml", "rules: broken.yaml\n" + tests);
    Cli broken = run_cli("test " + q(dir + "/broken.tests.yaml"));
    CHECK(broken.exit_code == 1);
    CHECK(broken.err == dir + "/broken.yaml:3:1: error: YAML syntax: end of sequence flow not found\n");
}

TEST_CASE("screener test --junit writes one testcase per test and a failure for the failing one", "[testing]") {
    // A name with characters XML must escape.
    std::string tests = test_yaml("fine & \"dandy\" <ok>", "{ id: J1, x: 25, sector: a }", "{ verdict: pass, score: 75 }") +
                        test_yaml("wrong on purpose", "{ id: J2, x: 8, sector: c }", "{ verdict: pass, criteria: { m: 20 } }") +
                        test_yaml("invalid as expected", "{ id: J3, x: 200, sector: a }", "{ verdict: invalid }");
    Files f = write_mini("junit", tests);
    Files g = write_mini("junit-second", passing_tests);
    const std::string out = f.dir + "/junit.xml";
    Cli cli = run_cli("test --junit " + q(out) + " " + q(f.file) + " " + q(g.file));
    CHECK(cli.exit_code == 1);

    const std::string xml = read_text(out);
    INFO(xml);
    Element root = parse_xml(xml);
    CHECK(root.name == "testsuites");
    CHECK(root.attr("tests") == "8");
    CHECK(root.attr("failures") == "1");
    CHECK(root.attr("errors") == "0");

    auto suites = root.all("testsuite");
    REQUIRE(suites.size() == 2);
    const Element& first = *suites[0];
    CHECK(first.attr("name") == f.file);
    CHECK(first.attr("tests") == "3");
    CHECK(first.attr("failures") == "1");
    auto cases = first.all("testcase");
    REQUIRE(cases.size() == 3);
    CHECK(cases[0]->attr("name") == "fine & \"dandy\" <ok>");
    CHECK(cases[1]->attr("name") == "wrong on purpose");
    CHECK(cases[2]->attr("name") == "invalid as expected");
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(cases[i]->attr("classname") == "mini");  // no version: Jenkins reads a class name's dots as packages
        CHECK(cases[i]->attr("file") == f.file);
        CHECK(cases[i]->attr("line") == std::to_string(20 + 3 * i));
    }
    CHECK(cases[0]->children.empty());
    CHECK(cases[2]->children.empty());
    REQUIRE(cases[1]->children.size() == 1);
    const Element& failure = cases[1]->children[0];
    CHECK(failure.name == "failure");
    CHECK(failure.attr("message") ==
          "verdict: expected pass, got fail (gate 'not-c' failed; group 'g' scored 16.00, below its minimum 20.00; "
          "total score 8.00 is below the pass score 50.00)");
    CHECK(failure.text == f.file + ":23:5\n" + failure.attr("message") + "\ncriterion 'm': expected 20.00, got 16.00\n");

    const Element& second = *suites[1];
    CHECK(second.attr("tests") == "5");
    CHECK(second.attr("failures") == "0");
    CHECK(second.all("testcase").size() == 5);
    for (const Element* c : second.all("testcase")) CHECK(c->children.empty());

    // All passing: no failure anywhere, exit 0.
    const std::string clean = g.dir + "/clean.xml";
    CHECK(run_cli("test --junit " + q(clean) + " " + q(g.file)).exit_code == 0);
    Element ok = parse_xml(read_text(clean));
    CHECK(ok.attr("tests") == "5");
    CHECK(ok.attr("failures") == "0");
    CHECK(xml.find("<failure") != std::string::npos);
    CHECK(read_text(clean).find("<failure") == std::string::npos);
}

TEST_CASE("screener test --junit reports a rule set with errors as an error testcase", "[testing]") {
    const std::string dir = temp_dir("testing-junit-error");
    const std::string broken = dir + "/broken.yaml";
    write_text(broken, "format: screener/v1\nid: b\nversion: \"1\"\ninputs: {}\ngroups:\n  - id: g\n    criteria:\n"
                       "      - { id: c, points: nope }\ndecision: { pass_score: 50 }\n");
    const std::string out = dir + "/junit.xml";
    Cli cli = run_cli("test --junit " + q(out) + " " + q(broken));
    CHECK(cli.exit_code == 1);
    CHECK_THAT(cli.err, Contains(broken + ":8:26: error: unknown input 'nope'"));
    Element root = parse_xml(read_text(out));
    CHECK(root.attr("errors") == "1");
    auto suites = root.all("testsuite");
    REQUIRE(suites.size() == 1);
    auto cases = suites[0]->all("testcase");
    REQUIRE(cases.size() == 1);
    REQUIRE(cases[0]->children.size() == 1);
    CHECK(cases[0]->children[0].name == "error");
    CHECK(cases[0]->children[0].attr("message") == "the rule set " + broken + " has errors");
    // The counts add up (the load is a testcase), and the error holds the diagnostics, which a CI's
    // test view shows where stderr is out of sight.
    CHECK(root.attr("tests") == "1");
    CHECK(suites[0]->attr("tests") == "1");
    CHECK(cases[0]->attr("file") == broken);
    CHECK(cases[0]->attr("classname") == "load");  // not the path, whose dots Jenkins reads as packages
    CHECK(cases[0]->attr("name") == broken);
    CHECK(cases[0]->children[0].text == broken + ":8:26: error: unknown input 'nope'\n");
}

TEST_CASE("screener test --junit with --min-coverage has a coverage testcase, failed below it", "[testing]") {
    // From a rule-author helper: a run that failed on coverage alone wrote failures="0" errors="0",
    // so a CI's test view showed green on a red job.
    Files f = write_mini("junit-coverage", passing_tests);  // 87.50 %
    const std::string out = f.dir + "/junit.xml";
    Cli below = run_cli("test --min-coverage 90 --junit " + q(out) + " " + q(f.file));
    CHECK(below.exit_code == 1);
    Element root = parse_xml(read_text(out));
    CHECK(root.attr("tests") == "6");  // five tests and the coverage
    CHECK(root.attr("failures") == "1");
    auto cases = root.all("testsuite")[0]->all("testcase");
    REQUIRE(cases.size() == 6);
    CHECK(cases[0]->attr("classname") == "coverage");
    CHECK(cases[0]->attr("name") == f.file);
    REQUIRE(cases[0]->children.size() == 1);
    CHECK(cases[0]->children[0].name == "failure");
    CHECK(cases[0]->children[0].attr("message") == "coverage 87.50% is below --min-coverage 90.00%");
    // Met, it passes; without --min-coverage there is no such testcase.
    REQUIRE(run_cli("test --min-coverage 87.5 --junit " + q(out) + " " + q(f.file)).exit_code == 0);
    root = parse_xml(read_text(out));
    CHECK(root.attr("tests") == "6");
    CHECK(root.attr("failures") == "0");
    REQUIRE(run_cli("test --junit " + q(out) + " " + q(f.file)).exit_code == 0);
    CHECK(parse_xml(read_text(out)).attr("tests") == "5");
}

TEST_CASE("screener test --junit - writes only the XML to standard output, the results for people to stderr", "[testing]") {
    Files f = write_mini("junit-stdout", passing_tests);
    Cli cli = run_cli("test --junit - " + q(f.file));
    CHECK(cli.exit_code == 0);
    Element root = parse_xml(cli.out);  // the whole of it
    CHECK(root.attr("tests") == "5");
    CHECK_THAT(cli.err, Contains(f.file + " (mini 1): 5 tests, 5 passed, 0 failed\n"));
}

TEST_CASE("screener -q test prints no lint warnings, only errors, and without -q it prints them", "[testing]") {
    const std::string dir = temp_dir("testing-quiet");
    const std::string rules = dir + "/warns.yaml";  // a step band: lint warns
    write_text(rules, "format: screener/v1\nid: w\nversion: \"1\"\ninputs: { x: { type: number } }\ngroups:\n  - id: g\n    criteria:\n"
                      "      - { id: step, metric: x, zero_at: 5, full_at: 5 }\ndecision: { pass_score: 50 }\n");
    Cli loud = run_cli("test " + q(rules));
    CHECK_THAT(loud.err, Contains(rules + ":8:9: warning: criterion 'step' has zero_at equal to full_at"));
    Cli quiet = run_cli("-q test " + q(rules));
    CHECK(quiet.err.empty());
    CHECK(quiet.exit_code == loud.exit_code);
    CHECK(quiet.out == loud.out);
}

TEST_CASE("the regression test file in tests/ci runs against rules-v2", "[testing]") {
    // tests/ci/decisions-2025.tests.yaml: `rules: rules-v2.yaml`, two past decisions (scores worked
    // out in the file). Coverage: 2025-014 passes both gates, capital full, labor and rd partial;
    // 2025-022 passes both gates, capital zero, labor and rd partial: 6 of 13.
    const std::string file = "tests/ci/decisions-2025.tests.yaml";
    Cli cli = run_cli("test " + file);
    INFO(cli.err);
    CHECK(cli.exit_code == 0);
    CHECK(cli.out == file + " (ci-demo 2): 2 tests, 2 passed, 0 failed\n"
                            "coverage: 46.15% (6 of 13: each gate passing and failing, each criterion at zero, partial and full points)\n"
                            "    not covered: gate 'sector-allowed' is never seen failing\n"
                            "    not covered: gate 'wastewater' is never seen failing\n"
                            "    not covered: criterion 'capital-per-ha' is never seen at partial points\n"
                            "    not covered: criterion 'labor-per-ha' is never seen at zero or full points\n"
                            "    not covered: criterion 'rd' is never seen at zero or full points\n");
    // The same tests against rules-v1 (no wastewater input, which v1 ignores): 2025-014 scores
    // (100 + 83.33 + 60) / 3 = 81.11 there too, and 2025-022 (12.5 + 8.33 + 10) / 3 = 10.28, so
    // its score expectation fails.
    const std::string dir = temp_dir("testing-decisions-v1");
    std::string text = read_text(source_dir + "/" + file);
    text.replace(text.find("rules: rules-v2.yaml"), 20, "rules: " + source_dir + "/tests/ci/rules-v1.yaml");
    write_text(dir + "/v1.tests.yaml", text);
    Cli v1 = run_cli("test " + q(dir + "/v1.tests.yaml"));
    CHECK(v1.exit_code == 1);
    CHECK_THAT(v1.out, Contains(": FAIL 2025-022 garment plant stays refused on score\n"
                                "    score: expected between 6.11 and 6.12, got 10.28\n"
                                "    criterion 'capital-per-ha': expected 0.00, got 12.50\n"));
}
