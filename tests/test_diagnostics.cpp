// Rule-set diagnostics: every kind of problem the loader and the compiler report, each checked as the
// exact `file:line:col: error: message` line a user sees. Every position below was worked out by hand
// from the YAML text of its test (lines and columns are 1-based; a column counts characters from the
// start of the line).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "screener/limits.hpp"
#include "support.hpp"

using namespace screener;
using namespace screener::test;

namespace {

using Lines = std::vector<std::string>;

Lines errors(const std::string& yaml) { return messages(compile_yaml(yaml).diagnostics); }

// A valid rule set of 14 lines; text appended to it starts on line 15.
const std::string base = R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
  flag: { type: boolean }
  sector: { type: enum, values: [electronics, textiles, logistics] }
  label: { type: string, required: false }
  tags: { type: list, required: false, default: [] }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)";

// `expr` as the single-quoted let `e` after `base`:
//   line 15: let:
//   line 16:   e: '<expr>'
// so the expression's first character is at 16:7, and offset k in it is column 7 + k.
std::string expr_errors(const std::string& expr) {
    Lines lines = errors(base + "let:\n  e: '" + expr + "'\n");
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
    return out;
}

// The diagnostic expected at line 16, column `col`, of an expr_errors() rule set.
std::string at16(int col, const std::string& message) {
    return "test.yaml:16:" + std::to_string(col) + ": error: " + message;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The document and its top level

TEST_CASE("a YAML syntax error is reported where the parser stopped", "[diagnostics]") {
    // Line 3 is indented under `id: t`, so `version` continues the scalar `t` and its ':' is illegal.
    CHECK(errors(R"(format: screener/v1
id: t
  version: "1"
)") == Lines{"test.yaml:3:10: error: YAML syntax: illegal map value"});
}

TEST_CASE("an expression that YAML reads as something else says what YAML made of it", "[diagnostics]") {
    // base, then line 15 `gates:`, line 16 `  - id: b`, line 17 the require, its value at column 14.
    auto gate = [](const std::string& require) { return errors(base + "gates:\n  - id: b\n    require: " + require + "\n"); };
    CHECK(gate("!flag") == Lines{"test.yaml:17:14: error: gate 'b' 'require' starts with '!', which YAML reads as a tag ('!flag'): "
                                 "negate with 'not', or quote the whole expression"});
    CHECK(gate("!(flag or x == 1)") == Lines{"test.yaml:17:14: error: gate 'b' 'require' starts with '!', which YAML reads as a tag "
                                             "('!(flag'): negate with 'not', or quote the whole expression"});
    CHECK(gate("*sector") == Lines{"test.yaml:17:14: error: YAML syntax: the referenced anchor is not defined; a value that starts "
                                   "with '*' is an alias in YAML: quote it"});
    CHECK(gate("\"a\" in tags or flag") ==
          Lines{"test.yaml:17:18: error: YAML syntax: end of map not found; check the indentation above, and quote the whole of a "
                "value that starts with a quote and goes on after it"});
}

TEST_CASE("a YAML syntax error on a line that holds a tab says YAML indents with spaces", "[diagnostics]") {
    CHECK(errors("format: screener/v1\nid: t\nversion: \"1\"\ninputs:\n\tx: { type: number }\n") ==
          Lines{"test.yaml:5:3: error: YAML syntax: illegal map value; the line holds a tab: YAML indents with spaces"});
    CHECK(errors(base + "gates:\n  -\tid: b\n") ==
          Lines{"test.yaml:16:7: error: YAML syntax: illegal map value; the line holds a tab: YAML indents with spaces"});
}

TEST_CASE("a stray comma is a syntax error, not a parser that never returns", "[diagnostics]") {
    // yaml-cpp 0.7 loops forever on a ',' it cannot place (jbeder/yaml-cpp#1040).
    CHECK(errors(",\n") == Lines{"test.yaml:1:1: error: YAML syntax: unexpected ','"});
    CHECK(errors("# a comment\n, version: \"1\"\n") == Lines{"test.yaml:2:1: error: YAML syntax: unexpected ','"});
}

TEST_CASE("a byte order mark moves no position: columns count from the first visible character", "[diagnostics]") {
    const std::string bom = "\xEF\xBB\xBF";
    const std::string bad_expression = base + "let:\n  e: 'x +* 2'\n";
    REQUIRE(errors(bad_expression) == Lines{"test.yaml:16:10: error: expected a value, found '*'"});
    CHECK(errors(bom + bad_expression) == errors(bad_expression));
    const std::string bad_first_key = "formt: screener/v1\n" + base.substr(base.find('\n') + 1);
    REQUIRE_FALSE(errors(bad_first_key).empty());
    CHECK(errors(bom + bad_first_key) == errors(bad_first_key));
}

TEST_CASE("a second YAML document in a rule file is an error where it starts, not ignored", "[diagnostics]") {
    // yaml-cpp reads the first document only: rules in a second one would be dropped without a word.
    const auto base_lines = static_cast<std::uint32_t>(std::count(base.begin(), base.end(), '\n'));
    const std::string second = "test.yaml:" + std::to_string(base_lines + 1) +
                               ":1: error: a second YAML document starts here; a rule set or test file is one document";
    CHECK(errors(base + "---\nother: 1\n") == Lines{second});
    CHECK(errors(base + "...\n---\n- a list\n") == Lines{"test.yaml:" + std::to_string(base_lines + 2) +
                                                              ":1: error: a second YAML document starts here; a rule set or test file is one document"});
    // An empty document after the rule set holds nothing to drop, and a leading "---" starts the only one.
    CHECK(errors(base + "---\n") == errors(base));
    CHECK(errors(base + "...\n") == errors(base));
    const Lines leading = errors("---\n" + base);  // the same warnings as base's, a line lower
    CHECK(leading.size() == errors(base).size());
    for (const auto& line : leading) CHECK(line.find("second YAML document") == std::string::npos);
}

TEST_CASE("a document that is not a mapping", "[diagnostics]") {
    const std::string expected =
        "test.yaml:1:1: error: a rule set must be a YAML mapping starting with 'format: screener/v1'";
    CHECK(errors("- format: screener/v1\n") == Lines{expected});
    CHECK(errors("just some text\n") == Lines{expected});
    CHECK(errors("") == Lines{expected});
}

TEST_CASE("missing top-level keys are all reported at the start of the rule set", "[diagnostics]") {
    CHECK(errors("title: nothing else\n") == Lines{
        "test.yaml:1:1: error: the rule set needs 'format'",
        "test.yaml:1:1: error: the rule set needs 'id'",
        "test.yaml:1:1: error: the rule set needs 'version'",
        "test.yaml:1:1: error: the rule set needs 'inputs'",
        "test.yaml:1:1: error: the rule set needs 'groups'",
        "test.yaml:1:1: error: the rule set needs 'decision' with 'pass_score'",
    });
    // After a comment, all at the first key.
    CHECK(errors("# a rule set\n\ntitle: nothing else\n") == Lines{
        "test.yaml:3:1: error: the rule set needs 'format'",
        "test.yaml:3:1: error: the rule set needs 'id'",
        "test.yaml:3:1: error: the rule set needs 'version'",
        "test.yaml:3:1: error: the rule set needs 'inputs'",
        "test.yaml:3:1: error: the rule set needs 'groups'",
        "test.yaml:3:1: error: the rule set needs 'decision' with 'pass_score'",
    });
}

TEST_CASE("wrong format and malformed rule-set id", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v2
id: Bac_Ninh
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:1:9: error: unsupported format 'screener/v2'; this screener reads 'screener/v1'",
        "test.yaml:2:5: error: rule-set id 'Bac_Ninh' may only use lower-case letters, digits and '-'",
    });
}

TEST_CASE("top-level values of the wrong shape", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
title: [a, b]
sources: just one
inputs: [x]
let: [a]
gates: { id: g }
groups: []
decision: 50
profiles: none
tests: none
)") == Lines{
        "test.yaml:4:8: error: 'title' must be text",
        "test.yaml:5:10: error: 'sources' must be a list",
        "test.yaml:6:9: error: 'inputs' must map each input name to its declaration",
        "test.yaml:7:6: error: 'let' must map each name to an expression",
        "test.yaml:8:8: error: 'gates' must be a list",
        "test.yaml:9:9: error: 'groups' must be a non-empty list",
        "test.yaml:10:11: error: 'decision' must be a mapping of keys to values",
        "test.yaml:11:11: error: 'profiles' must be a list",
        "test.yaml:12:8: error: 'tests' must be a list of test cases",
    });
}

TEST_CASE("an empty value is reported at its key, as empty", "[diagnostics]") {
    // From a rule-author helper: yaml-cpp marks `key:` with nothing after it at the next token, so
    // each error pointed at the line below (the last one past the end of the file) and said "found
    // a list or mapping".
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
title:
inputs:
  land_ha:
  workers: { type: integer, min: }
  kind: { type: }
let:
  per_ha:
gates:
  - id:
    require: workers > 0
groups:
  - id: g
    weight:
    criteria:
      - id: c
        metric: workers
        zero_at:
        full_at: 100
decision:
  pass_score:)") == Lines{
              "test.yaml:4:1: error: 'title' is empty",
              "test.yaml:6:3: error: input 'land_ha' is empty",
              "test.yaml:7:29: error: input 'workers' 'min' must be a number, found nothing",
              "test.yaml:8:11: error: input 'kind' 'type' is empty",
              "test.yaml:10:3: error: let 'per_ha' is empty",
              "test.yaml:12:5: error: a gate 'id' is empty",
              "test.yaml:16:5: error: group 'g' 'weight' must be a number, found nothing",
              "test.yaml:20:9: error: criterion 'c' 'zero_at' must be a number, found nothing",
              "test.yaml:23:3: error: 'decision' 'pass_score' must be a number, found nothing",
          });
    // An empty list item (`-` alone) is at its dash (from a review helper: it was on the next line).
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    criteria:
      -
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:9:7: error: a criterion is empty"});
}

TEST_CASE("a number beyond what a double holds is said to be out of range, in a rule set and in a test proposal", "[diagnostics]") {
    // From a robustness helper: 1e400 "must be a number, found '1e400'", and a test proposal's 1e999
    // was read as text ("expected a number, found text").
    const std::string range = "(a number lies within \u00b11.8e308, and is 0 or at least 2.2e-308 in size)";
    CHECK(errors(R"(format: screener/v1
id: big
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    criteria:
      - { id: c, metric: x, zero_at: 0, full_at: 1e400 }
decision: { pass_score: 1e-400 }
tests:
  - name: t
    proposal: { id: A, x: -1e999 }
    expect: { verdict: pass })") == Lines{
              "test.yaml:9:50: error: criterion 'c' 'full_at' must be a number, found '1e400', which is out of range " + range,
              "test.yaml:10:25: error: 'decision' 'pass_score' must be a number, found '1e-400', which is out of range " + range,
              "test.yaml:13:27: error: the number '-1e999' is out of range " + range,
          });
}

TEST_CASE("an unreadable rule-set file", "[diagnostics]") {
    CHECK(messages(compile_file("no/such/rules.yaml").diagnostics) ==
          Lines{"no/such/rules.yaml: error: cannot read the rule set: No such file or directory"});
}

TEST_CASE("a rule-set file over max_rules_bytes is refused without reading it all, a device too", "[diagnostics]") {
    // /dev/zero never ends: read whole, it ran the process out of memory (std::bad_alloc).
    REQUIRE(std::filesystem::exists("/dev/zero"));
    CHECK(messages(compile_file("/dev/zero").diagnostics) ==
          Lines{"/dev/zero: error: the file is more than 4194304 bytes; rule sets are limited to 4194304 bytes"});
    CHECK(messages(load_test_file("/dev/zero").diagnostics) ==
          Lines{"/dev/zero: error: the file is more than 4194304 bytes; rule sets are limited to 4194304 bytes"});
    const std::string big = std::filesystem::temp_directory_path() / ("screener-big-rules-" + std::to_string(::getpid()) + ".yaml");
    {
        std::ofstream out(big, std::ios::binary);
        out << std::string(4194305, '#');
    }
    CHECK(messages(compile_file(big).diagnostics) ==
          Lines{big + ": error: the file is 4194305 bytes; rule sets are limited to 4194304 bytes"});
    // `screener test` first asks whether a file is a test file: asked so, /dev/zero was read until
    // memory ran out, and a large file parsed whole (8 MiB: 3.9 GB) before the limit was checked.
    CHECK_FALSE(is_test_file("/dev/zero"));
    CHECK_FALSE(is_test_file(big));
    std::filesystem::remove(big);
    Cli cli = run_cli("test /dev/zero");
    CHECK(cli.exit_code == 1);
    CHECK(cli.err == "/dev/zero: error: the file is more than 4194304 bytes; rule sets are limited to 4194304 bytes\n");
    CHECK(cli.out.find("/dev/zero: error: the rule set /dev/zero has errors\n") != std::string::npos);
}

TEST_CASE("a rule set of more YAML values than max_yaml_nodes is refused before yaml-cpp builds them", "[diagnostics]") {
    // yaml-cpp keeps some 600 bytes a value: a 4 MiB flow mapping {a,a,...} took 2 GB.
    const std::size_t before = std::exchange(limits().max_yaml_nodes, 11);
    // The values, in order: the document's mapping, format, screener/v1, id, t, version, 1, sources,
    // the list, a, b; c is the 12th.
    const Lines at_c = errors("format: screener/v1\nid: t\nversion: \"1\"\nsources: [a, b, c]\n");
    limits().max_yaml_nodes = before;
    CHECK(at_c == Lines{"test.yaml:4:17: error: the file holds more than 11 YAML values (max_yaml_nodes)"});
}

// ---------------------------------------------------------------------------------------------
// Keys: unknown, duplicated, missing

TEST_CASE("unknown keys everywhere, with a did-you-mean hint when one is close", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x:
    type: number
    requird: false
gates:
  - id: big
    require: x > 0
    mesage: too small
groups:
  - id: grp
    wieght: 2
    criteria:
      - id: c
        points: 100
        aplies_when: x > 1
decision:
  pass_score: 50
  pass_scor: 40
profiles:
  - when: x > 5
    set: { c: { weight: 2 } }
    tittle: big plants
tests:
  - name: t1
    proposal: { id: T1, x: 1 }
    expect: { verdict: pass, scores: 1 }
    expected: pass
sorces: [a]
colour: red
)") == Lines{
        "test.yaml:7:5: error: unknown key 'requird' in input 'x'; did you mean 'required'?",
        "test.yaml:11:5: error: unknown key 'mesage' in a gate; did you mean 'message'?",
        "test.yaml:14:5: error: unknown key 'wieght' in a group; did you mean 'weight'?",
        "test.yaml:18:9: error: unknown key 'aplies_when' in a criterion; did you mean 'applies_when'?",
        "test.yaml:21:3: error: unknown key 'pass_scor' in 'decision'; did you mean 'pass_score'?",
        "test.yaml:25:5: error: unknown key 'tittle' in a profile; did you mean 'title'?",
        "test.yaml:29:30: error: unknown key 'scores' in test 't1' 'expect'; did you mean 'score'?",
        "test.yaml:30:5: error: unknown key 'expected' in a test; did you mean 'expect'?",
        "test.yaml:31:1: error: unknown key 'sorces' in the rule set; did you mean 'sources'?",
        "test.yaml:32:1: error: unknown key 'colour' in the rule set",
    });
}

TEST_CASE("a misspelled required top-level key is unknown, and the key it meant is missing", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
grups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:1:1: error: the rule set needs 'groups'",
        "test.yaml:6:1: error: unknown key 'grups' in the rule set; did you mean 'groups'?",
    });
}

TEST_CASE("duplicate keys in any mapping", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x:
    type: number
    unit: ha
    unit: m2
groups:
  - id: g
    criteria:
      - id: c
        points: 100
        points: 50
decision: { pass_score: 50, pass_score: 60 }
profiles:
  - when: x > 1
    set:
      c: { weight: 2 }
      c: { weight: 3 }
id: u
)") == Lines{
        "test.yaml:8:5: error: duplicate key 'unit' in input 'x' (first given at line 7)",
        "test.yaml:14:9: error: duplicate key 'points' in a criterion (first given at line 13)",
        "test.yaml:15:29: error: duplicate key 'pass_score' in 'decision' (first given at line 15)",
        "test.yaml:20:7: error: duplicate key 'c' in a profile's 'set' (first given at line 19)",
        "test.yaml:21:1: error: duplicate key 'id' in the rule set (first given at line 2)",
    });
}

TEST_CASE("missing required keys inside inputs, gates, groups, criteria, decision, profiles and tests",
          "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { unit: ha }
gates:
  - title: no id
    require: x > 0
  - id: no-require
groups:
  - id: empty
  - id: g
    criteria:
      - id: c
        weight: 2
      - id: half
        metric: x
        full_at: 10
      - id: bare
        metric: x
decision: { }
profiles:
  - title: p
tests:
  - name: t1
)") == Lines{
        "test.yaml:5:6: error: input 'x' needs 'type'",
        "test.yaml:7:5: error: a gate needs 'id'",
        "test.yaml:9:5: error: gate 'no-require' needs 'require'",
        "test.yaml:11:5: error: group 'empty' needs 'criteria'",
        "test.yaml:14:9: error: criterion 'c' needs either 'metric' with 'zero_at' and 'full_at', or 'points'",
        "test.yaml:16:9: error: criterion 'half' has a 'metric' and needs 'zero_at'",
        "test.yaml:19:9: error: criterion 'bare' has a 'metric' and needs 'zero_at'",
        "test.yaml:19:9: error: criterion 'bare' has a 'metric' and needs 'full_at'",
        "test.yaml:21:11: error: 'decision' needs 'pass_score'",
        "test.yaml:23:5: error: a profile needs 'when'",
        "test.yaml:23:5: error: a profile needs 'set'",
        "test.yaml:25:5: error: test 't1' needs 'proposal'",
        "test.yaml:25:5: error: test 't1' needs 'expect'",
    });
}

// ---------------------------------------------------------------------------------------------
// Inputs

TEST_CASE("input declarations: type, required/default, enum values, min/max", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  kind:
    type: numbr
  share:
    type: number
    required: true
    default: 0
  sector:
    type: enum
  zone:
    type: enum
    values: []
  tier:
    type: enum
    values: [small, large, small]
  land:
    type: number
    min: 5
    max: 1
  label:
    type: string
    min: 1
  flag:
    type: boolean
    values: [yes, no]
  opt:
    type: number
    required: maybe
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:6:11: error: unknown type 'numbr' for input 'kind'; expected one of number, integer, boolean, "
        "string, enum, list; did you mean 'number'?",
        "test.yaml:10:14: error: input 'share' is required, so its default would never be used; "
        "set 'required: false' or remove 'default'",
        "test.yaml:12:5: error: input 'sector' is an enum and needs 'values'",
        "test.yaml:15:13: error: input 'zone' needs at least one value",
        "test.yaml:18:28: error: input 'tier' lists the value 'small' twice",
        "test.yaml:22:10: error: input 'land' has max 1 below its min 5",
        "test.yaml:25:10: error: input 'label' is of type string; only number and integer inputs take min/max",
        "test.yaml:28:13: error: input 'flag' is of type boolean; only enum and list inputs take 'values'",
        "test.yaml:31:15: error: input 'opt' 'required' must be true or false, found 'maybe'",
    });
}

TEST_CASE("a list input of allowed values: its default and the text looked for in it are checked", "[diagnostics]") {
    // From a rule-author helper: a typo in contains(certs, "VietGap") scored 0 without a word, where an
    // enum's typo is an error.
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  certs: { type: list, values: [VietGAP, GlobalGAP, organic], required: false, default: [organic, VietGap] }
let:
  wanted: '"Organic"'
groups:
  - id: g
    criteria:
      - { id: a, points: 'if(contains(certs, "VietGap"), 100, 0)' }
      - { id: b, points: 'if("GlobalGAP" in certs or "globalgap" not in certs, 100, 0)' }
      - { id: c, points: 'if(wanted in certs, 100, 0)' }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:5:89: error: default of input 'certs' holds 'VietGap', which is not one of its values; did you mean 'VietGAP'?",
        "test.yaml:11:46: error: 'VietGap' is not a value of 'certs'; did you mean 'VietGAP'?",
        "test.yaml:12:54: error: 'globalgap' is not a value of 'certs'; its values are VietGAP, GlobalGAP, organic",
        "test.yaml:13:30: error: let 'wanted' holds 'Organic', which is not a value of 'certs'; did you mean 'organic'?",
    });
}

TEST_CASE("defaults of the wrong type or out of range", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  n:
    type: integer
    required: false
    default: 2.5
  flag:
    type: boolean
    required: false
    default: "yes"
  sector:
    type: enum
    values: [electronics, textiles]
    required: false
    default: textils
  tags:
    type: list
    required: false
    default: [1, 2]
  share:
    type: number
    min: 0
    max: 1
    required: false
    default: 70
  label:
    type: string
    required: false
    default: 5
  x:
    type: number
    required: false
    default: many
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:8:14: error: default of input 'n' must be a whole number, found 2.5",
        "test.yaml:12:14: error: default of input 'flag' must be true or false, found \"yes\"",
        "test.yaml:17:14: error: default of input 'sector' 'textils' is not one of its values; did you mean 'textiles'?",
        "test.yaml:21:14: error: default of input 'tags' must be a list of text, found [1,2]",
        "test.yaml:27:14: error: default of input 'share' 70 is above the maximum 1",
        "test.yaml:31:14: error: default of input 'label' must be text, found 5",
        "test.yaml:35:14: error: default of input 'x' must be a number, found \"many\"",
    });
}

TEST_CASE("a default out of range is written with the digits that tell it from the bound", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  capital:
    type: number
    min: 1234567
    required: false
    default: 1234566
  share:
    type: number
    max: 0.1
    required: false
    default: 0.10000000000000002
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:9:14: error: default of input 'capital' 1234566 is below the minimum 1234567",
        "test.yaml:14:14: error: default of input 'share' 0.10000000000000002 is above the maximum 0.1",
    });
}

TEST_CASE("invalid input and let names", "[diagnostics]") {
    const std::string rule = "' must be letters, digits and '_', with '.' between nested names, not a keyword, "
                             "and not 'id' or 'name' (those are proposal fields)";
    const std::string let_rule = "' must be letters, digits and '_', not a keyword, and not 'id' or 'name' (those are proposal fields)";
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  and: { type: boolean }
  id: { type: string }
  name: { type: string }
  2nd_site: { type: boolean }
  env..iso: { type: boolean }
  ok: { type: number }
let:
  not: 1
  a.b: 2
  id: 3
  name: 4
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:5:3: error: input name 'and" + rule,
        "test.yaml:6:3: error: input name 'id" + rule,
        "test.yaml:7:3: error: input name 'name" + rule,
        "test.yaml:8:3: error: input name '2nd_site" + rule,
        "test.yaml:9:3: error: input name 'env..iso" + rule,
        "test.yaml:12:3: error: let name 'not" + let_rule,
        "test.yaml:13:3: error: let name 'a.b" + let_rule,
        "test.yaml:14:3: error: let name 'id" + let_rule,  // as inputs: the docs say lets follow their rules
        "test.yaml:15:3: error: let name 'name" + let_rule,
    });
}

TEST_CASE("names and ids of 100,000 characters are checked as short ones are", "[diagnostics]") {
    // They were matched with std::regex, which recurses a frame a character: 50,000 overflowed the
    // stack. (YAML takes a key of over 1,024 characters only after '? '.)
    const std::string a(100'000, 'a'), b(100'000, 'b');
    CHECK(errors("format: screener/v1\nid: " + a + "\nversion: \"1\"\ninputs:\n  ? " + a + "." + b + "\n  : { type: number }\n"
                 "let:\n  ? " + b + "_\n  : 1\n  ? " + b + "-\n  : 2\ngroups:\n  - id: " + a + "\n    criteria:\n"
                 "      - { id: " + b + "_, metric: " + a + "." + b + ", zero_at: 0, full_at: 1 }\n      - { id: " + b + "X, points: 1 }\n"
                 "decision: { pass_score: 50 }\n") ==
          Lines{
              "test.yaml:10:5: error: let name '" + b + "-' must be letters, digits and '_', not a keyword, and not 'id' or 'name' (those are "
              "proposal fields)",
              "test.yaml:16:15: error: a criterion id '" + b + "X' must start with a lower-case letter or digit and use only "
              "lower-case letters, digits, '-' and '_'",
          });
}

TEST_CASE("duplicate input and let names, duplicate gate, group and criterion ids", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
  x: { type: integer }
let:
  x: 2
gates:
  - id: size
    require: x > 0
  - id: size
    require: x > 1
groups:
  - id: size
    criteria:
      - id: c
        points: 1
      - id: c
        points: 2
      - id: size
        points: 3
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:6:3: error: duplicate name 'x' (first defined at line 5)",
        "test.yaml:8:3: error: duplicate name 'x' (first defined at line 5)",
        "test.yaml:12:9: error: duplicate id 'size' (first defined at line 10)",
        "test.yaml:15:9: error: duplicate id 'size' (first defined at line 10)",
        "test.yaml:19:13: error: duplicate id 'c' (first defined at line 17)",
        "test.yaml:21:13: error: duplicate id 'size' (first defined at line 10)",
    });
}

TEST_CASE("a nested input cannot sit inside another input", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  env: { type: boolean }
  env.iso14001: { type: boolean }
  ready.land.cleared: { type: boolean }
  ready.land: { type: boolean }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:6:3: error: input 'env.iso14001' nests inside input 'env', which is a value, not an object",
        "test.yaml:7:3: error: input 'ready.land.cleared' nests inside input 'ready.land', which is a value, not an object",
    });
}

// ---------------------------------------------------------------------------------------------
// Gates, groups, criteria, decision

TEST_CASE("malformed gate, group and criterion ids", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
gates:
  - id: Sector Allowed
    require: x > 0
groups:
  - id: g
    criteria:
      - id: land.efficiency
        points: 1
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:7:9: error: a gate id 'Sector Allowed' must start with a lower-case letter or digit and use only "
        "lower-case letters, digits, '-' and '_'",
        "test.yaml:12:13: error: a criterion id 'land.efficiency' must start with a lower-case letter or digit and use only "
        "lower-case letters, digits, '-' and '_'",
    });
}

TEST_CASE("criteria: metric or points, and the band only with a metric", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    criteria:
      - id: both
        metric: x
        points: 100
        zero_at: 0
        full_at: 1
      - id: pts
        points: 100
        zero_at: 0
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:9:9: error: criterion 'both' has both 'metric' and 'points'; give one",
        "test.yaml:16:18: error: criterion 'pts' scores by 'points'; 'zero_at' only applies to a 'metric'",
    });
}

TEST_CASE("weights must be positive, minimum and pass_score lie in 0..100", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    weight: 0
    minimum: 120
    criteria:
      - id: c
        points: 100
        weight: -1
  - id: h
    minimum: -5
    criteria:
      - { id: d, points: 100 }
decision:
  pass_score: 101
)") == Lines{
        "test.yaml:8:13: error: group 'g' has weight 0; weights must be greater than 0",
        "test.yaml:9:14: error: group 'g' minimum 120 is outside 0..100",
        "test.yaml:13:17: error: criterion 'c' has weight -1; weights must be greater than 0",
        "test.yaml:15:14: error: group 'h' minimum -5 is outside 0..100",
        "test.yaml:19:15: error: pass_score 101 is outside 0..100",
    });
}

TEST_CASE("numbers in the rule set: separators, exponents and what is not a number", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    weight: heavy
    criteria:
      - id: c
        metric: x
        zero_at: 1__0
        full_at: [1]
      - id: d
        metric: x
        zero_at: 3_000_000
        full_at: 1.5e7
      - id: e
        metric: x
        zero_at: 1e
        full_at: 5_
decision: { pass_score: 50 }
)") == Lines{
        "test.yaml:8:13: error: group 'g' 'weight' must be a number, found 'heavy'",
        "test.yaml:12:18: error: criterion 'c' 'zero_at' must be a number, found '1__0'",
        "test.yaml:13:18: error: criterion 'c' 'full_at' must be a number, found a list or mapping",
        "test.yaml:20:18: error: criterion 'e' 'zero_at' must be a number, found '1e'",
        "test.yaml:21:18: error: criterion 'e' 'full_at' must be a number, found '5_'",
    });
}

TEST_CASE("rule-set tests: proposal shape and expectations", "[diagnostics]") {
    CHECK(errors(base + R"(tests:
  - name: t1
    proposal: 5
    expect: { verdict: pas, score: { min: high } }
)") == Lines{
        "test.yaml:17:15: error: test 't1': 'proposal' must be a mapping of inputs",
        "test.yaml:18:24: error: expected verdict 'pas' is not pass, fail or invalid; did you mean 'pass'?",
        "test.yaml:18:43: error: test 't1' 'expect' 'score' 'min' must be a number, found 'high'",
    });
    // A range no score is in: the test could never pass (it said "expected between 40.02 and 40.00,
    // got 40.02", the score rounded).
    CHECK(errors(base + R"(tests:
  - name: t2
    proposal: { id: T2, x: 4, flag: true, sector: textiles }
    expect: { score: { min: 40.02, max: 40 } }
)") == Lines{"test.yaml:18:41: error: test 't2' 'expect' 'score' has max 40 below its min 40.02"});
}

// ---------------------------------------------------------------------------------------------
// Expressions: names and functions

TEST_CASE("an enum value with a hyphen, unquoted, is told to be quoted, not taken for an unknown input", "[diagnostics]") {
    // `coal-power` reads as coal - power: the error named 'coal' alone.
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  sector: { type: enum, values: [coal-power, solar, wind-farm-offshore] }
gates:
  - id: no-coal
    require: sector != coal-power
  - id: wind
    require: sector == wind-farm-offshore or sector == solar
  - id: other
    require: sector != coal-mine
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
               R"(test.yaml:8:24: error: unknown input 'coal': the text "coal-power", a value of 'sector', must be quoted)",
               R"(test.yaml:10:24: error: unknown input 'wind': the text "wind-farm-offshore", a value of 'sector', must be quoted)",
               "test.yaml:12:24: error: unknown input 'coal'",
           });
}

TEST_CASE("unknown input in an expression, with a did-you-mean hint", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs: { capital_usd: { type: number } }
gates:
  - id: enough-capital
    require: capitl_usd > 1_000_000
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:7:14: error: unknown input 'capitl_usd'; did you mean 'capital_usd'?"});
    CHECK(expr_errors("secter == \"textiles\"") == at16(7, "unknown input 'secter'; did you mean 'sector'?"));
    CHECK(expr_errors("x + zzz") == at16(11, "unknown input 'zzz'"));
}

TEST_CASE("a let may only use earlier lets", "[diagnostics]") {
    CHECK(errors(base + R"(let:
  total: x + later
  later: x * 2
)") == Lines{"test.yaml:16:14: error: let 'later' is defined later (line 17); a let may only use inputs and earlier lets"});
}

TEST_CASE("unknown functions, and functions named without a call", "[diagnostics]") {
    CHECK(expr_errors("mx(x, 1)") == at16(7, "unknown function 'mx'; did you mean 'max'?"));
    CHECK(expr_errors("sqrt(x)") == at16(7, "unknown function 'sqrt'"));
    CHECK(expr_errors("x + max > 1") == at16(11, "'max' is a function; call it as max(...)"));
}

TEST_CASE("wrong number of arguments, for every function", "[diagnostics]") {
    CHECK(expr_errors("min(x)") == at16(7, "min() takes at least 2 arguments, found 1"));
    CHECK(expr_errors("max()") == at16(7, "max() takes at least 2 arguments, found 0"));
    CHECK(expr_errors("x + clamp(x, 0)") == at16(11, "clamp() takes 3 arguments (x, lo, hi), found 2 arguments"));
    CHECK(expr_errors("abs(x, 1)") == at16(7, "abs() takes 1 argument, found 2 arguments"));
    CHECK(expr_errors("round()") == at16(7, "round() takes 1 or 2 arguments (x[, digits]), found 0 arguments"));
    CHECK(expr_errors("round(x, 1, 2)") == at16(7, "round() takes 1 or 2 arguments (x[, digits]), found 3 arguments"));
    CHECK(expr_errors("if(flag, 1)") == at16(7, "if() takes 3 arguments (condition, then, else), found 2 arguments"));
    CHECK(expr_errors("count()") == at16(7, "count() takes 1 argument (a list), found 0 arguments"));
    CHECK(expr_errors("contains(tags)") == at16(7, "contains() takes 2 arguments (list, text), found 1 argument"));
    CHECK(expr_errors("len(label, label)") == at16(7, "len() takes 1 argument (text), found 2 arguments"));
}

// ---------------------------------------------------------------------------------------------
// Expressions: types

TEST_CASE("arithmetic needs numbers", "[diagnostics]") {
    CHECK(expr_errors("label + 1") == at16(7, "'+' needs a number on the left, found text"));
    CHECK(expr_errors("x * flag") == at16(11, "'*' needs a number on the right, found true/false"));
    CHECK(expr_errors("x - tags") == at16(11, "'-' needs a number on the right, found a list"));
    CHECK(expr_errors("flag / 2") == at16(7, "'/' needs a number on the left, found true/false"));
    CHECK(expr_errors("label % 2") == at16(7, "'%' needs a number on the left, found text"));
    CHECK(expr_errors("-label") == at16(8, "'-' needs a number, found text"));
}

TEST_CASE("ordering comparisons need numbers, == and != need two values of one kind", "[diagnostics]") {
    CHECK(expr_errors("label < \"m\"") == at16(7, "'<' compares numbers, but the left side is text"));
    CHECK(expr_errors("x >= label") == at16(12, "'>=' compares numbers, but the right side is text"));
    CHECK(expr_errors("flag > 0") == at16(7, "'>' compares numbers, but the left side is true/false"));
    CHECK(expr_errors("x == \"1\"") ==
          at16(9, "'==' compares a number with text; both sides must be of the same kind"));
    CHECK(expr_errors("flag != 1") ==
          at16(12, "'!=' compares true/false with a number; both sides must be of the same kind"));
    CHECK(expr_errors("tags == [\"a\"]") == at16(12, "lists cannot be compared with '=='; use 'in' or contains()"));
}

TEST_CASE("'in' looks for text in a list", "[diagnostics]") {
    CHECK(expr_errors("\"a\" in label") == at16(14, "'in' needs a list on the right, found text"));
    CHECK(expr_errors("x in tags") == at16(7, "'in' looks for text in a list, but the left side is a number"));
    CHECK(expr_errors("flag not in [\"a\"]") ==
          at16(7, "'not in' looks for text in a list, but the left side is true/false"));
}

TEST_CASE("and, or, not need true/false", "[diagnostics]") {
    CHECK(expr_errors("x and flag") == at16(7, "'and' needs true/false, found a number"));
    CHECK(expr_errors("flag or label") == at16(15, "'or' needs true/false, found text"));
    CHECK(expr_errors("not x") == at16(11, "'not' needs true/false, found a number"));
}

TEST_CASE("argument types of every function", "[diagnostics]") {
    CHECK(expr_errors("if(flag, 1, \"one\")") ==
          at16(19, "if() gives a number when true but text when false; both must be of the same kind"));
    CHECK(expr_errors("if(x, 1, 2)") == at16(10, "if() condition needs true/false, found a number"));
    CHECK(expr_errors("count(label)") == at16(13, "count() needs a list, found text"));
    CHECK(expr_errors("contains(label, \"a\")") == at16(16, "contains() first argument needs a list, found text"));
    CHECK(expr_errors("contains(tags, 1)") == at16(22, "contains() second argument needs text, found a number"));
    CHECK(expr_errors("len(x)") == at16(11, "len() needs text, found a number"));
    CHECK(expr_errors("min(x, flag)") == at16(14, "min() needs a number, found true/false"));
    CHECK(expr_errors("max(label, 1)") == at16(11, "max() needs a number, found text"));
    CHECK(expr_errors("clamp(x, 0, label)") == at16(19, "clamp() needs a number, found text"));
    CHECK(expr_errors("abs(flag)") == at16(11, "abs() needs a number, found true/false"));
    CHECK(expr_errors("round(label)") == at16(13, "round() needs a number, found text"));
    CHECK(expr_errors("round(x, label)") == at16(16, "round() digits needs a number, found text"));
}

TEST_CASE("the kind each rule-set expression must give", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
  flag: { type: boolean }
  label: { type: string }
gates:
  - id: positive
    require: x
groups:
  - id: g
    criteria:
      - id: m
        metric: flag
        zero_at: 0
        full_at: 1
      - id: p
        points: label
        applies_when: x
decision: { pass_score: 50 }
profiles:
  - when: label
    set: { decision.pass_score: 55 }
)") == Lines{
        "test.yaml:10:14: error: gate 'positive' 'require' must give true/false, but this expression gives a number",
        "test.yaml:15:17: error: criterion 'm' 'metric' must give a number, but this expression gives true/false",
        "test.yaml:19:17: error: criterion 'p' 'points' must give a number, but this expression gives text",
        "test.yaml:20:23: error: criterion 'p' 'applies_when' must give true/false, but this expression gives a number",
        "test.yaml:23:11: error: a profile's 'when' must give true/false, but this expression gives text",
    });
}

TEST_CASE("an enum compared with a value it does not have", "[diagnostics]") {
    CHECK(expr_errors("sector == \"textils\"") ==
          at16(17, "'textils' is not a value of 'sector'; did you mean 'textiles'?"));
    CHECK(expr_errors("\"electronic\" != sector") ==
          at16(7, "'electronic' is not a value of 'sector'; did you mean 'electronics'?"));
    CHECK(expr_errors("sector in [\"electronics\", \"logistcs\"]") ==
          at16(33, "'logistcs' is not a value of 'sector'; did you mean 'logistics'?"));
    // Nothing near: the values, then.
    CHECK(expr_errors("sector not in [\"mining\"]") == at16(22, "'mining' is not a value of 'sector'; its values are electronics, textiles, logistics"));
}

TEST_CASE("an enum compared with a value it does not have through contains() or a let", "[diagnostics]") {
    // contains(list, x) is the same test as x in list.
    CHECK(expr_errors("contains([\"textiles\", \"mining\"], sector)") ==
          at16(29, "'mining' is not a value of 'sector'; its values are electronics, textiles, logistics"));
    // Text written in a let is checked where the enum meets it: a ban list of lets must not let
    // everything through for one misspelt value.
    CHECK(errors(base + R"(let:
  banned: '["textiles", "logistcs"]'
  other: 'banned'
  one: '"electronic"'
gates:
  - id: not-banned
    require: sector not in banned
  - id: not-other
    require: not contains(other, sector)
  - id: not-one
    require: one != sector
)") == Lines{
              "test.yaml:21:28: error: let 'banned' holds 'logistcs', which is not a value of 'sector'; did you mean 'logistics'?",
              "test.yaml:23:27: error: let 'banned' holds 'logistcs', which is not a value of 'sector'; did you mean 'logistics'?",
              "test.yaml:25:14: error: let 'one' holds 'electronic', which is not a value of 'sector'; did you mean 'electronics'?",
          });
}

TEST_CASE("lists hold text only", "[diagnostics]") {
    const std::string message = "a list may only hold text values, as in [\"electronics\", \"semiconductors\"]";
    CHECK(expr_errors("label in [\"a\", 1]") == at16(22, message));
    CHECK(expr_errors("label in [\"a\", x]") == at16(22, message));
}

// ---------------------------------------------------------------------------------------------
// Expressions: syntax

TEST_CASE("unclosed brackets and strings, bad escapes", "[diagnostics]") {
    CHECK(expr_errors("max(x, 1") == at16(15, "expected ')' to close the arguments of max(, found end of expression"));
    CHECK(expr_errors("label in [\"a\", \"b\"") == at16(25, "expected ']' to close the list, found end of expression"));
    CHECK(expr_errors("label == \"abc") == at16(16, "text starting here has no closing \""));
    CHECK(expr_errors(R"(label == "a\qb")") == at16(18, R"(unknown escape '\q'; use \" \' \\ \n \t or \uXXXX)"));
    CHECK(expr_errors(R"(label == "\u12")") == at16(17, R"('\u' needs four hex digits, as in \u00e9)"));
}

TEST_CASE("operators from other languages", "[diagnostics]") {
    CHECK(expr_errors("x = 1") == at16(9, "'=' is not an operator; use '==' to compare"));
    CHECK(expr_errors("flag && x > 1") == at16(12, "'&' is not an operator; use 'and'"));
    CHECK(expr_errors("flag || x > 1") == at16(12, "'|' is not an operator; use 'or'"));
    CHECK(expr_errors("!flag") == at16(7, "'!' is not an operator; use 'not', or '!=' to compare"));
    CHECK(expr_errors("x # 1") == at16(9, "unexpected character '#'"));
    // Keywords in another case (from a rule-author helper: 'unexpected AND' said nothing of why).
    CHECK(expr_errors("flag AND x > 1") == at16(12, "unexpected 'AND' (keywords are lower case: 'and') after a complete expression"));
    CHECK(expr_errors("x In [1]") == at16(9, "unexpected 'In' (keywords are lower case: 'in') after a complete expression"));
    CHECK(expr_errors("x > 1 and TRUE") == at16(17, "unknown input 'TRUE'; keywords are lower case: 'true'"));
    CHECK(expr_errors("NOT flag") == at16(7, "unexpected 'NOT' (keywords are lower case: 'not')"));
    CHECK(expr_errors("NOT (x > 1)") == at16(7, "unknown function 'NOT'; keywords are lower case: 'not'"));
}

TEST_CASE("a key in the wrong place is told where it belongs", "[diagnostics]") {
    // From a rule-author helper: each was an unknown key, with no hint.
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
pass_score: 65
inputs:
  x: { type: number }
gates:
  - { id: big, require: x > 1, applies_when: x > 0 }
groups:
  - id: g
    criteria:
      - { id: c, points: x, when: x > 1 }
decision: { pass_score: 50 }
profiles:
  - { name: small, when: x < 5, set: { c: { weight: 2 } } }
)") == Lines{
        "test.yaml:4:1: error: unknown key 'pass_score' in the rule set; it belongs under decision, as decision: { pass_score: 65 }",
        "test.yaml:8:32: error: unknown key 'applies_when' in a gate; a gate always applies: put the condition in its require "
        "(require: not (condition) or ...)",
        "test.yaml:12:29: error: unknown key 'when' in a criterion; a criterion is scored only when its applies_when is true",
        "test.yaml:15:7: error: unknown key 'name' in a profile; a profile is named by its title",
    });
}

TEST_CASE("chained comparisons and 'not' without 'in'", "[diagnostics]") {
    CHECK(expr_errors("1 < x < 5") ==
          at16(13, "comparisons cannot be chained; join them with 'and', as in: 1 <= x and x <= 5"));
    CHECK(expr_errors("sector not \"textiles\"") ==
          at16(18, "expected 'in' after 'not' here, as in: sector not in [\"textiles\"]"));
}

TEST_CASE("malformed numbers in expressions", "[diagnostics]") {
    CHECK(expr_errors("x * 1e") == at16(12, "a number's exponent needs digits, as in 1.5e6"));
    CHECK(expr_errors("x + 1_000_") == at16(11, "malformed number '1_000_'"));
}

TEST_CASE("missing values, trailing tokens and empty expressions", "[diagnostics]") {
    CHECK(expr_errors("x > 1 flag") == at16(13, "unexpected 'flag' after a complete expression"));
    CHECK(expr_errors("x > 1)") == at16(12, "unexpected ')' after a complete expression"));
    CHECK(expr_errors("( )") == at16(9, "expected a value, found ')'"));
    CHECK(expr_errors("x >") == at16(10, "expected a value, found end of expression"));
    CHECK(expr_errors("x + ,") == at16(11, "expected a value, found ','"));
    CHECK(expr_errors("and x") == at16(7, "expected a value before 'and'"));
    // An empty expression is reported by the loader, at the value.
    CHECK(expr_errors("") == at16(6, "let 'e' is empty"));
    CHECK(expr_errors("   ") == at16(6, "let 'e' is empty"));
}

TEST_CASE("an expression nested too deeply is an error, not a crash", "[diagnostics]") {
    // The 201st '(' (offset 200) opens the 201st level.
    CHECK(expr_errors(std::string(250, '(') + "x" + std::string(250, ')')) ==
          at16(207, "expression nests deeper than 200 levels"));
}

TEST_CASE("lets nested past max_expression_depth, counted written out, are an error", "[diagnostics]") {
    // l0 = x, l1 = l0 + 1, ...: written out, lk is `x + 1 + ... + 1` with k '+', which the parser
    // refuses from k = 500 on. The lint, "no data" reasons and advice recurse through lets, so the
    // limit holds for them as for an expression written out (a chain of 40,000 such lets overflowed
    // the lint's stack).
    auto chain = [](int last) {
        std::string lets = "let:\n  l0: x\n";
        for (int k = 1; k <= last; ++k) lets += "  l" + std::to_string(k) + ": l" + std::to_string(k - 1) + " + 1\n";
        return base + lets;
    };
    std::string sum = "x";
    for (int k = 0; k < 500; ++k) sum += " + 1";
    CHECK(expr_errors(sum) == at16(7, "expression nests more than 500 operations deep (split it into lets)"));
    const Lines at_the_limit = errors(chain(499));  // warnings only: unused inputs, and l499
    CHECK(std::none_of(at_the_limit.begin(), at_the_limit.end(), [](const std::string& line) { return line.find(": error: ") != std::string::npos; }));
    CHECK(at_the_limit.back() == "test.yaml:515:3: warning: let 'l499' is never used");
    // l500 is on line 16 + 500; its expression starts at column 9.
    const std::string past = "error: expression nests more than 500 operations deep with the lets it uses written out (use fewer levels of lets)";
    CHECK(errors(chain(501)) == Lines{"test.yaml:516:9: " + past});
    // Both sides count: l498 is 499 deep, `l498 * 2` 500, and `(l498 * 2) + l0` 501.
    CHECK(errors(chain(498) + "  sum: (l498 * 2) + l0\n") == Lines{"test.yaml:515:8: " + past});
}

TEST_CASE("a chain of 40,000 lets gets a diagnostic, never a crash", "[diagnostics]") {
    std::string lets = "let:\n  l0: x\n";
    for (int k = 1; k < 40000; ++k) lets += "  l" + std::to_string(k) + ": l" + std::to_string(k - 1) + " + 1\n";
    const std::string file = temp_dir("diagnostics-let-chain") + "/chain.yaml";
    write_text(file, base + lets);
    Cli cli = run_cli("validate '" + file + "'");
    CHECK(cli.exit_code == 1);
    CHECK(cli.err == file + ":516:9: error: expression nests more than 500 operations deep with the lets it uses written out "
                            "(use fewer levels of lets)\n");
    CHECK(cli.out == file + ": 1 error\n");
}

TEST_CASE("past 100 diagnostics, unknown names and profile targets get no suggestions", "[diagnostics]") {
    // Each suggestion compares the name with every defined one: thousands of unknown names among
    // thousands of lets or criteria took seconds to minutes. They are no typos anyway.
    std::string lets = "let:\n";
    for (int k = 0; k < 102; ++k) lets += "  e" + std::to_string(k) + ": sectr\n";  // line 16 + k; e100's name ends a column later
    const Lines lines = errors(base + lets);
    REQUIRE(lines.size() == 102);
    CHECK(lines[99] == "test.yaml:115:8: error: unknown input 'sectr'; did you mean 'sector'?");
    CHECK(lines[100] == "test.yaml:116:9: error: unknown input 'sectr'");
    std::string profiles = "profiles:\n";
    for (int k = 0; k < 101; ++k) profiles += "  - { when: true, set: { gg: { weight: 2 } } }\n";  // line 16 + k
    const Lines targets = errors(base + profiles);
    REQUIRE(targets.size() == 101);
    CHECK(targets[99] == "test.yaml:115:26: error: a profile sets unknown criterion or group 'gg'; did you mean 'g'?");
    CHECK(targets[100] == "test.yaml:116:26: error: a profile sets unknown criterion or group 'gg'");
}

TEST_CASE("an input name nested deeper than max_yaml_depth is an error", "[diagnostics]") {
    // Each '.' nests the input one object deeper in proposals and in their JSON Schema, which is
    // written recursively: a name of 30,000 parts crashed `screener schema`.
    auto rules = [](int parts) {
        std::string name = "a";
        for (int k = 1; k < parts; ++k) name += ".a";
        return std::pair{name, "format: screener/v1\nid: t\nversion: \"1\"\ninputs:\n  " + name +
                                   ": { type: number }\ngroups:\n  - id: g\n    criteria:\n      - { id: c, metric: " + name +
                                   ", zero_at: 0, full_at: 1 }\ndecision: { pass_score: 50 }\n"};
    };
    CHECK(errors(rules(64).second).empty());
    const auto [name, yaml] = rules(65);
    CHECK(errors(yaml) == Lines{"test.yaml:5:3: error: input name '" + name + "' nests 65 objects deep; the limit is 64 (max_yaml_depth)"});
}

// ---------------------------------------------------------------------------------------------
// Gate messages and profiles

TEST_CASE("gate messages: braces and names inside them", "[diagnostics]") {
    CHECK(errors(base + R"(gates:
  - id: m1
    require: true
    message: "sector {sectr} is not accepted"
  - id: m2
    require: true
    message: sector {sector is not accepted
  - id: m3
    require: true
    message: 'closing } without opening'
  - id: m4
    require: true
    message: "{x + label}"
)") == Lines{
        "test.yaml:18:23: error: unknown input 'sectr'; did you mean 'sector'?",
        "test.yaml:21:21: error: gate 'm2' message has a '{' without a closing '}'; write '{{' for a literal brace",
        "test.yaml:24:23: error: gate 'm3' message has a '}' without a '{'; write '}}' for a literal brace",
        "test.yaml:27:20: error: '+' needs a number on the right, found text",
    });
}

TEST_CASE("profile settings: what each target can set, and the ranges", "[diagnostics]") {
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
  flag: { type: boolean }
groups:
  - id: size
    criteria:
      - id: land-efficiency
        metric: x
        zero_at: 0
        full_at: 10
      - id: bonus
        points: 100
decision: { pass_score: 50 }
profiles:
  - when: x
    set:
      land-efficiency: { ful_at: 5 }
      bonus: { zero_at: 1 }
      size: { minimun: 10 }
      decision.pass_score: 150
)") == Lines{
        "test.yaml:18:11: error: a profile's 'when' must give true/false, but this expression gives a number",
        "test.yaml:20:26: error: a profile cannot set 'ful_at' of criterion 'land-efficiency'; it can set zero_at, "
        "full_at or weight; did you mean 'full_at'?",
        "test.yaml:21:16: error: a profile cannot set 'zero_at' of criterion 'bonus'; it can set weight (it scores by points)",
        "test.yaml:22:15: error: a profile cannot set 'minimun' of group 'size'; it can set weight or minimum; "
        "did you mean 'minimum'?",
        "test.yaml:23:28: error: a profile sets pass_score 150, outside 0..100",
    });
}

TEST_CASE("profile settings of the wrong shape", "[diagnostics]") {
    CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      c: 5
      decision.pass_score: high
      g: { weight: heavy }
  - when: [flag]
    set: [a]
)") == Lines{
        "test.yaml:18:10: error: profile setting for 'c' must be a mapping such as { zero_at: 1, full_at: 2 }",
        "test.yaml:19:28: error: 'decision.pass_score' must be a number, found 'high'",
        "test.yaml:20:20: error: profile setting 'g.weight' must be a number, found 'heavy'",
        "test.yaml:21:11: error: a profile's 'when' must be an expression (text), found a list or mapping",
        "test.yaml:22:10: error: a profile's 'set' must be a mapping of keys to values",
    });
    // From a rule-author helper: the pass score as the decision names it, and a gate, were told they
    // were mappings of zero_at and full_at, or unknown.
    CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      pass_score: 40
      decision: 45
)") == Lines{
        "test.yaml:18:19: error: a profile sets the pass score as decision.pass_score: 40 (or decision: { pass_score: 40 })",
        "test.yaml:19:17: error: a profile sets the pass score as decision.pass_score: 45 (or decision: { pass_score: 45 })",
    });
    CHECK(errors(base + R"(gates:
  - { id: small, require: x < 5 }
profiles:
  - when: flag
    set:
      small: { minimum: 10 }
      pass_score: { value: 45 }
  - when: flag
    set: { small: 3 }
)") == Lines{"test.yaml:20:7: error: 'small' is a gate, which a profile cannot change: put the profile's condition in the "
                 "gate's require instead",
                 "test.yaml:21:19: error: a profile sets the pass score as decision.pass_score: N (or decision: { pass_score: N })",
                 "test.yaml:23:12: error: 'small' is a gate, which a profile cannot change: put the profile's condition in the "
                 "gate's require instead"});
}

// ---------------------------------------------------------------------------------------------
// Positions inside the different kinds of YAML scalar

TEST_CASE("positions inside plain, quoted, flow and | block expressions", "[diagnostics]") {
    // In "x > 0 and label > 1", `label` is at offset 10.
    const std::string message = ": error: '>' compares numbers, but the left side is text";
    CHECK(errors(base + R"(gates:
  - id: plain
    require: x > 0 and label > 1
  - id: double
    require: "x > 0 and label > 1"
  - id: single
    require: 'x > 0 and label > 1'
  - id: block
    require: |
      x > 0
      and label > 1
  - { id: flow, require: label > 1 }
  - id: first-line
    require: |
      label > 1
      and x > 0
)") == Lines{
        "test.yaml:17:24" + message,  // 14 + 10
        "test.yaml:19:25" + message,  // 15 + 10 (after the quote)
        "test.yaml:21:25" + message,
        "test.yaml:25:11" + message,  // second line of the block: `and ` starts at 7
        "test.yaml:26:26" + message,
        "test.yaml:29:7" + message,
    });
}

// ---------------------------------------------------------------------------------------------
// Every error, not only the first

TEST_CASE("all errors in a file are reported, sorted by line", "[diagnostics]") {
    SECTION("while loading") {
        CHECK(errors(R"(format: screener/v2
id: t
version: "1"
inputs:
  x: { type: numbr }
groups:
  - id: g
    weight: 0
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 120 }
)") == Lines{
            "test.yaml:1:9: error: unsupported format 'screener/v2'; this screener reads 'screener/v1'",
            "test.yaml:5:14: error: unknown type 'numbr' for input 'x'; expected one of number, integer, boolean, "
            "string, enum, list; did you mean 'number'?",
            "test.yaml:8:13: error: group 'g' has weight 0; weights must be greater than 0",
            "test.yaml:11:25: error: pass_score 120 is outside 0..100",
        });
    }
    SECTION("while compiling: the let at the end is compiled first, and reported last") {
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
gates:
  - id: a
    require: capitl > 0
  - id: b
    require: x
inputs:
  x: { type: number }
  capital: { type: number }
  label: { type: string }
groups:
  - id: g
    criteria:
      - id: c
        metric: label
        zero_at: 0
        full_at: 1
decision: { pass_score: 50 }
let:
  r: x / labl
)") == Lines{
            "test.yaml:6:14: error: unknown input 'capitl'; did you mean 'capital'?",
            "test.yaml:8:14: error: gate 'b' 'require' must give true/false, but this expression gives a number",
            "test.yaml:17:17: error: criterion 'c' 'metric' must give a number, but this expression gives text",
            "test.yaml:22:10: error: unknown input 'labl'; did you mean 'label'?",
        });
    }
}

TEST_CASE("screener validate prints each diagnostic as file:line:col: error: message", "[diagnostics]") {
    const std::string file = temp_dir("diagnostics-validate") + "/bad.yaml";
    write_text(file, R"(format: screener/v1
id: t
version: "1"
inputs: { capital_usd: { type: number } }
gates:
  - id: enough-capital
    require: capitl_usd > 1_000_000
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)");
    Cli cli = run_cli("validate '" + file + "'");
    CHECK(cli.exit_code == 1);
    CHECK(cli.err == file + ":7:14: error: unknown input 'capitl_usd'; did you mean 'capital_usd'?\n");
    CHECK(cli.out == file + ": 1 error\n");
}

// ---------------------------------------------------------------------------------------------
// The shipped rule sets

TEST_CASE("every rule set under rules/ and examples/ compiles without any diagnostic", "[diagnostics]") {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const char* dir : {"rules", "examples"}) {
        const fs::path root = fs::path(source_dir) / dir;
        if (!fs::exists(root)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            const auto ext = entry.path().extension();
            // CI workflows (examples/ci) are YAML too, but not rule sets
            const bool rule_set = read_text(entry.path().string()).find("format: screener/v1") != std::string::npos;
            if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml") && rule_set) files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());
    static const std::regex test_file("(^|\n)rules:");  // a separate test file (rules: + tests:)
    for (const auto& file : files) {
        INFO(file.string());
        if (std::regex_search(read_text(file.string()), test_file)) {
            CHECK(messages(load_test_file(file.string()).diagnostics) == Lines{});
            continue;
        }
        CompileResult result = compile_file(file.string());
        CHECK(messages(result.diagnostics) == Lines{});
        CHECK(result.rules != nullptr);
    }
    CompileResult built_in = compile_default();
    CHECK(messages(built_in.diagnostics) == Lines{});
    CHECK(built_in.rules != nullptr);
}

// ---------------------------------------------------------------------------------------------
// Regressions: behaviour these tests found wrong once, now fixed.

TEST_CASE("a type error on a more-indented line of a | block points at its column",
          "[diagnostics]") {
    // `label` sits at column 13 of line 19; the block's own indentation (6) must not be counted twice.
    CHECK(errors(base + R"(gates:
  - id: indented
    require: |
      x > 0
        and label > 1
)") == Lines{"test.yaml:19:13: error: '>' compares numbers, but the left side is text"});
}

TEST_CASE("positions on later lines of > folded and multi-line plain expressions",
          "[diagnostics]") {
    CHECK(errors(base + R"(gates:
  - id: folded
    require: >
      x > 0
      and label > 1
  - id: plain
    require: x > 0
      and label > 1
)") == Lines{
        "test.yaml:19:11: error: '>' compares numbers, but the left side is text",
        "test.yaml:22:11: error: '>' compares numbers, but the left side is text",
    });
}

TEST_CASE("escapes in quoted YAML scalars do not shift expression positions", "[diagnostics]") {
    // The file text is `label != \"a\" and label > 1` (or with '' in single quotes); the second
    // `label` is at column 34 of the file, not at 15 + its offset 17 in the unescaped text.
    CHECK(errors(base + R"(gates:
  - id: escaped
    require: "label != \"a\" and label > 1"
  - id: doubled
    require: 'label != ''a'' and label > 1'
)") == Lines{
        "test.yaml:17:34: error: '>' compares numbers, but the left side is text",
        "test.yaml:19:34: error: '>' compares numbers, but the left side is text",
    });
}

TEST_CASE("a name in a | block gate message is reported on its own line", "[diagnostics]") {
    CHECK(errors(base + R"(gates:
  - id: message
    require: true
    message: |
      sector {sectr} is not accepted
)") == Lines{"test.yaml:19:15: error: unknown input 'sectr'; did you mean 'sector'?"});
}

TEST_CASE("a whole-expression type error points at the expression, not at an operator",
          "[diagnostics]") {
    // "this expression gives a number" is about all of `x + 1`, which starts at 17:14; the engine
    // points at the '+' (17:16). The same goes for an operand: `x + 1` in `x + 1 and flag` starts at 7.
    CHECK(errors(base + R"(gates:
  - id: g1
    require: x + 1
)") == Lines{"test.yaml:17:14: error: gate 'g1' 'require' must give true/false, but this expression gives a number"});
    CHECK(expr_errors("x + 1 and flag") == at16(7, "'and' needs true/false, found a number"));
    CHECK(expr_errors("if(flag, 1, x > 0)") ==
          at16(19, "if() gives a number when true but true/false when false; both must be of the same kind"));
}

TEST_CASE("profile settings are reported where they are written and never silently misread",
          "[diagnostics]") {
    SECTION("an unknown target is reported at the target, not at the key inside it") {
        // `land-eficiency` is at 18:7; the engine points at `zero_at` (18:25).
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: size
    criteria:
      - id: land-efficiency
        metric: x
        zero_at: 0
        full_at: 10
decision: { pass_score: 50 }
profiles:
  - when: x > 1
    set:
      decision.pass_score: 55
      land-eficiency: { zero_at: 1 }
)") == Lines{"test.yaml:18:7: error: a profile sets unknown criterion or group 'land-eficiency'; did you mean 'land-efficiency'?"});
    }
    SECTION("an unknown target is reported once, however many keys it is given") {
        CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      cc: { zero_at: 1, full_at: 9, weight: 2 }
)") == Lines{"test.yaml:18:7: error: a profile sets unknown criterion or group 'cc'; did you mean 'c'?"});
    }
    SECTION("a misspelled decision.pass_score is an unknown target, not a missing mapping") {
        // The engine says "profile setting for 'decision.pass_scor' must be a mapping such as ...".
        CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      decision.pass_scor: 55
)") == Lines{"test.yaml:18:7: error: a profile sets unknown criterion or group 'decision.pass_scor'; "
             "did you mean 'decision.pass_score'?"});
    }
    SECTION("'decision: { weight: 2 }' must not silently set pass_score to 2") {
        CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      decision: { weight: 2 }
)") == Lines{"test.yaml:18:19: error: a profile cannot set 'weight' of 'decision'; it can set pass_score"});
        CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      decision: { pass_scor: 10 }
)") == Lines{"test.yaml:18:19: error: a profile cannot set 'pass_scor' of 'decision'; it can set pass_score; did you mean 'pass_score'?"});
    }
    SECTION("a bad weight or minimum is reported at the value, like everywhere else") {
        // As `decision.pass_score: 150` (value) and a group's own `weight: 0` (value) are.
        CHECK(errors(base + R"(profiles:
  - when: flag
    set:
      g: { weight: 0, minimum: 120 }
)") == Lines{
            "test.yaml:18:20: error: a profile sets weight 0 for 'g'; weights must be greater than 0",
            "test.yaml:18:32: error: a profile sets minimum 120, outside 0..100",
        });
    }
}

TEST_CASE("a broken let causes no follow-on errors where it is used", "[diagnostics]") {
    // Only the unclosed if( is a problem; the engine also claims size_class is a number at 19:25.
    CHECK(errors(base + R"(let:
  size_class: if(x > 10, "large", "small"
gates:
  - id: large
    require: size_class == "large"
)") == Lines{"test.yaml:16:42: error: expected ')' to close the arguments of if(, found end of expression"});
}

TEST_CASE("an empty expression value is reported as empty at its key", "[diagnostics]") {
    // `require:` with nothing after it is a YAML null; yaml-cpp places it at the next token (18:3).
    CHECK(errors(base + R"(gates:
  - id: g1
    require:
  - id: g2
    require: x > 0
)") == Lines{"test.yaml:17:5: error: gate 'g1' 'require' is empty"});
}

TEST_CASE("a let that uses itself is told so", "[diagnostics]") {
    CHECK(errors(base + R"(let:
  loop: loop + 1
)") == Lines{"test.yaml:16:9: error: let 'loop' refers to itself; a let may only use inputs and earlier lets"});
}

TEST_CASE("'id.x' and 'name.x' inputs are rejected like id and name", "[diagnostics]") {
    const std::string rule = "' must be letters, digits and '_', with '.' between nested names, not a keyword, "
                             "and not 'id' or 'name' (those are proposal fields)";
    CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  id.code: { type: string }
  name.first: { type: string }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:5:3: error: input name 'id.code" + rule, "test.yaml:6:3: error: input name 'name.first" + rule});
}

TEST_CASE("messages quote the whole token, say where, and hint at swapped letters", "[diagnostics]") {
    SECTION("a malformed number is shown whole") {
        CHECK(expr_errors("x + 1__0") == at16(11, "malformed number '1__0'"));  // engine: '1_'
        CHECK(expr_errors("x + 12abc") == at16(11, "malformed number '12abc'"));  // engine: '12a'
    }
    SECTION("an unclosed '(' says where it was opened") {
        // engine: "expected ')' to close the '(' opened, found end of expression"
        CHECK(expr_errors("(x + 1") == at16(13, "expected ')' to close the '(' opened at 16:7, found end of expression"));
    }
    SECTION("a non-ASCII character is quoted whole, not as a broken UTF-8 byte") {
        // "≥" pasted from a word processor; the engine prints its first byte alone (invalid UTF-8).
        CHECK(expr_errors("x \u2265 1") == at16(9, "unexpected character '\u2265'"));
    }
    SECTION("numbers in messages are written as the author wrote them, not rounded to 6 digits") {
        // engine: "has max 1.23457e+06 below its min 1.23457e+06"
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  capital_usd: { type: number, min: 1234567, max: 1234566 }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:5:51: error: input 'capital_usd' has max 1234566 below its min 1234567"});
    }
    SECTION("a quoted number says that the quotes are the problem") {
        // engine: "group 'g' 'weight' must be a number, found '2'"
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    weight: "2"
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:8:13: error: group 'g' 'weight' must be a number, found the quoted text \"2\"; remove the quotes"});
    }
    SECTION("a version YAML reads as a number or a boolean is told to be quoted (SPEC: a required string)") {
        // From a SPEC conformance helper: `version: 2025.10` was accepted, and is 2025.1 to any other YAML reader.
        const auto with_version = [](const std::string& version) {
            return errors("format: screener/v1\nid: t\nversion: " + version +
                          "\ninputs:\n  x: { type: number }\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: x }\n"
                          "decision: { pass_score: 50 }\n");
        };
        CHECK(with_version("2025.10") == Lines{"test.yaml:3:10: error: 'version' must be text, and YAML reads 2025.10 as a number: quote it, as in \"2025.10\""});
        CHECK(with_version("1") == Lines{"test.yaml:3:10: error: 'version' must be text, and YAML reads 1 as a number: quote it, as in \"1\""});
        CHECK(with_version("true") == Lines{"test.yaml:3:10: error: 'version' must be text, and YAML reads true as a boolean: quote it, as in \"true\""});
        CHECK(with_version("\"2025.10\"").empty());
        CHECK(with_version("2025.1-draft").empty());  // text to YAML too
    }
    SECTION("an id starting with '-' or '_' is told why it is wrong") {
        // engine: "a group id '_extra' may only use lower-case letters, digits, '-' and '_'", which it does.
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x: { type: number }
groups:
  - id: _extra
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{"test.yaml:7:9: error: a group id '_extra' must start with a lower-case letter or digit and use only "
             "lower-case letters, digits, '-' and '_'"});
    }
    SECTION("did-you-mean counts a swap of two letters as one typo") {
        CHECK(errors(R"(format: screener/v1
id: t
version: "1"
inputs:
  x:
    type: number
    mni: 0
    titel: Land
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 50 }
)") == Lines{
            "test.yaml:7:5: error: unknown key 'mni' in input 'x'; did you mean 'min'?",
            "test.yaml:8:5: error: unknown key 'titel' in input 'x'; did you mean 'title'?",
        });
    }
}

TEST_CASE("did-you-mean suggests for names up to 100 characters, and only candidates within reach", "[diagnostics]") {
    // Past 100 characters it does not compare (a megabyte value against each enum value took seconds
    // and 300 MB), nor with a candidate whose length alone is more edits away than allowed.
    const std::string name(99, 'a'), candidate(100, 'a');
    CHECK(did_you_mean(name + "b", {candidate}) == "; did you mean '" + candidate + "'?");  // 100 characters, 1 edit
    CHECK(did_you_mean(name + "ab", {candidate + "a"}).empty());                          // 101
    CHECK(did_you_mean("clmap", {std::string(1'000'000, 'c'), "cmlap", "clamp"}) == "; did you mean 'cmlap'?");  // the first of two at 1
    CHECK(did_you_mean("clamp", {"cl"}).empty());       // 3 edits, 1 allowed
    CHECK(did_you_mean("abcdef", {"abcd"}) == "; did you mean 'abcd'?");  // 2 edits, 2 allowed
}

TEST_CASE("a very long flat expression gets a diagnostic, never a crash", "[diagnostics]") {
    // `x + x + ... + x` with 20,000 terms nests no parentheses, yet `screener validate` dies with
    // SIGSEGV (stack overflow: the left-deep tree is checked recursively; about 13,800 terms suffice).
    // It must either compile or report a diagnostic, never crash. Run in a child process.
    std::string sum = "x";
    for (int i = 1; i < 20000; ++i) sum += " + x";
    const std::string file = temp_dir("diagnostics-long") + "/long.yaml";
    write_text(file, base + "let:\n  e: '" + sum + "'\n");
    Cli cli = run_cli("validate '" + file + "'");
    INFO("exit code " << cli.exit_code << ", stderr: " << cli.err);
    CHECK((cli.exit_code == 0 || cli.exit_code == 1));
}
