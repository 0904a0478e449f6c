// Stage 1, load: a screener/v1 rule set read from YAML into plain structs, every node with its SourceLoc.
// Loading checks the shape (keys, types of values, ids); expressions stay text until compile().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "screener/diagnostic.hpp"

namespace screener {

// An expression as written, with where its first character sits in the file.
struct ExprText {
    std::string text;
    SourceLoc where;
    // Where each byte of `text` (and its end) sits in the file, as YAML wrote it: quoted with
    // escapes, folded over lines, or in a block. Empty when `text` maps 1:1 from `where`.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> positions;  // line, col

    SourceLoc at(std::size_t offset) const;  // where text[offset] sits in the file
    ExprText slice(std::size_t offset, std::size_t length) const;
};

template <typename T>
struct Located {
    T value{};
    SourceLoc where;
};

enum class InputType { number, integer, boolean, string, enumeration, list };
std::string_view to_string(InputType type);

struct InputDecl {
    std::string name;  // dotted: "environment.iso14001"
    SourceLoc where;
    InputType type = InputType::number;
    std::string title, description, unit;
    bool required = true;
    std::optional<nlohmann::json> default_value;  // only when !required
    SourceLoc default_where;
    std::optional<double> min, max;
    std::vector<std::string> values;  // enum values
    bool changeable = true;  // false: a fact the investor cannot change; check advises no change to it
};

struct LetDecl {
    std::string name;
    SourceLoc where;
    ExprText expr;
};

struct Gate {
    std::string id, title, description;
    SourceLoc where;
    ExprText require;
    std::optional<ExprText> message;
};

struct Criterion {
    std::string id, title, description, unit;
    SourceLoc where;
    std::optional<ExprText> metric;
    std::optional<Located<double>> zero_at, full_at;
    std::optional<ExprText> points;
    Located<double> weight{1.0, {}};
    std::optional<ExprText> applies_when;
};

struct Group {
    std::string id, title, description;
    SourceLoc where;
    Located<double> weight{1.0, {}};
    std::optional<Located<double>> minimum;
    std::vector<Criterion> criteria;
};

// One override a profile makes: `target` is a criterion or group id, or "decision"; `key` what it sets.
struct ProfileSetting {
    std::string target, key;
    Located<double> value;
    SourceLoc target_where, key_where;
};

struct Profile {
    std::string title;
    SourceLoc where;
    ExprText when;
    std::vector<ProfileSetting> settings;
};

// A test case kept in the rule set (or in a separate test file): a proposal and what to expect of it.
struct Range {
    std::optional<double> min, max;
    SourceLoc where;
};

struct TestExpectation {
    std::optional<Located<std::string>> verdict;
    std::optional<Range> score;
    std::optional<Located<std::vector<std::string>>> gates_failed;
    std::vector<std::pair<std::string, Range>> groups;    // group id -> expected score
    std::vector<std::pair<std::string, Range>> criteria;  // criterion id -> expected points
};

struct TestCase {
    std::string name;
    SourceLoc where;
    nlohmann::json proposal;
    SourceLoc proposal_where;
    TestExpectation expect;
};

struct RuleSet {
    std::string file;  // as given to load_rules; diagnostics name it
    std::string text;  // the exact bytes, for the report's sha256
    std::string format, id, title, version, description;
    std::vector<std::string> sources;
    std::vector<InputDecl> inputs;
    std::vector<LetDecl> lets;
    std::vector<Gate> gates;
    std::vector<Group> groups;
    Located<double> pass_score{60.0, {}};
    std::vector<Profile> profiles;
    std::vector<TestCase> tests;
};

struct LoadedRules {
    RuleSet rules;
    Diagnostics diagnostics;  // errors mean `rules` is incomplete and must not be compiled
};

// Parses rule-set YAML. `file` is only used to name locations.
LoadedRules load_rules(std::string text, std::string file);
// Reads and parses a rule-set file; an unreadable file is reported as a diagnostic.
LoadedRules load_rules_file(const std::string& path);
// The rule set built into the binary (rules/bac-ninh-234.yaml).
LoadedRules load_default_rules();

// Test cases from a separate test file: YAML with `rules:` (path, relative to the file) and `tests:`.
struct LoadedTests {
    std::string rules_path;  // resolved: the test file's folder joined with what `rules:` says
    std::vector<TestCase> tests;
    Diagnostics diagnostics;
};
LoadedTests load_test_file(const std::string& path);
// True when the YAML file at `path` is a test file: no `format:`, and `rules:`, or `tests:` without `groups:`.
// Read as a rule set is, within the same limits; a file that cannot be read so is no test file.
bool is_test_file(const std::string& path);

}  // namespace screener
