#include "screener/rules.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "number_text.hpp"
#include "screener/limits.hpp"
#include "yaml_reader.hpp"

namespace screener {

extern const std::string_view default_rules_name;
extern const std::string_view default_rules_text;

std::string_view to_string(InputType type) {
    static constexpr std::string_view names[] = {"number", "integer", "boolean", "string", "enum", "list"};
    return names[static_cast<int>(type)];
}

namespace {

using detail::number_text;
using detail::YamlReader;

const std::vector<std::string> top_keys = {"format", "id", "title", "version", "description", "sources", "inputs",
                                           "let", "gates", "groups", "decision", "profiles", "tests"};
const std::vector<std::string> input_keys = {"type", "title", "description", "unit", "required",
                                             "default", "min", "max", "values", "changeable"};
const std::vector<std::string> input_types = {"number", "integer", "boolean", "string", "enum", "list"};
const std::vector<std::string> gate_keys = {"id", "title", "description", "require", "message"};
const std::vector<std::string> group_keys = {"id", "title", "description", "weight", "minimum", "criteria"};
const std::vector<std::string> criterion_keys = {"id",      "title",   "description", "unit",   "metric",
                                                 "zero_at", "full_at", "points",      "weight", "applies_when"};
const std::vector<std::string> decision_keys = {"pass_score"};
const std::vector<std::string> profile_keys = {"title", "when", "set"};
const std::vector<std::string> test_keys = {"name", "proposal", "expect"};
const std::vector<std::string> expect_keys = {"verdict", "score", "gates_failed", "groups", "criteria"};
const std::vector<std::string> range_keys = {"min", "max"};
const std::vector<std::string> verdicts = {"pass", "fail", "invalid"};

// Checked character by character: std::regex matches by recursion, a frame a character, and a
// name of 50,000 characters overflowed the stack.
bool all_of(std::string_view text, bool (*allowed)(char)) { return std::all_of(text.begin(), text.end(), allowed); }
bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_word_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9'); }
bool is_id_char(char c) { return is_lower_or_digit(c) || c == '_' || c == '-'; }
bool is_rules_id_char(char c) { return is_lower_or_digit(c) || c == '-'; }

// [A-Za-z_][A-Za-z0-9_]*
bool is_word(std::string_view word) { return !word.empty() && is_word_start(word[0]) && all_of(word.substr(1), is_word_char); }

bool is_name(const std::string& name, bool dotted) {
    static const std::vector<std::string> keywords = {"and", "or", "not", "in", "true", "false"};
    if (std::find(keywords.begin(), keywords.end(), name) != keywords.end()) return false;
    if (!dotted) return is_word(name);
    for (std::size_t start = 0;;) {  // words joined by dots
        const std::size_t dot = name.find('.', start);
        if (!is_word(std::string_view(name).substr(start, dot - start))) return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
    }
}

// [a-z0-9][a-z0-9_-]*
bool is_id(const std::string& id) { return !id.empty() && is_lower_or_digit(id[0]) && all_of(std::string_view(id).substr(1), is_id_char); }

class Loader {
public:
    Loader(RuleSet& rules, Diagnostics& diagnostics)
        : rules_(rules), diagnostics_(diagnostics), yaml_(rules.file, rules.text, diagnostics) {}

    void load() {
        auto root = yaml_.parse();
        if (!root) return;
        if (!root->IsMap()) {
            yaml_.error(SourceLoc{rules_.file, 1, 1}, "a rule set must be a YAML mapping starting with 'format: screener/v1'");
            return;
        }
        if (!(*root)["format"] && (*root)["rules"]) {  // one error, not one for each key a rule set would have
            yaml_.error(SourceLoc{rules_.file, 1, 1}, "this is a test file (it names its rule set in 'rules:'), not a rule set: run it with screener test");
            return;
        }
        yaml_.check_mapping(*root, "the rule set", top_keys);
        const YAML::Node& top = *root;

        if (auto node = yaml_.require(top, "format", "the rule set"); node.IsDefined())
            if (auto format = yaml_.string(node, "'format'")) {
                rules_.format = *format;
                if (*format != "screener/v1")
                    yaml_.error(node, "unsupported format '" + *format + "'; this screener reads 'screener/v1'");
            }
        if (auto node = yaml_.require(top, "id", "the rule set"); node.IsDefined())
            if (auto id = yaml_.string(node, "'id'")) {
                rules_.id = *id;
                if (id->empty() || !all_of(*id, is_rules_id_char))  // [a-z0-9-]+
                    yaml_.error(node, "rule-set id '" + *id + "' may only use lower-case letters, digits and '-'");
            }
        if (auto node = yaml_.require(top, "version", "the rule set"); node.IsDefined())
            if (auto version = yaml_.text(node, "'version'")) rules_.version = *version;
        if (auto node = yaml_.get(top, "title"); node.IsDefined())
            rules_.title = yaml_.string(node, "'title'").value_or("");
        if (auto node = yaml_.get(top, "description"); node.IsDefined())
            rules_.description = yaml_.string(node, "'description'").value_or("");
        if (auto node = yaml_.get(top, "sources"); node.IsDefined())
            rules_.sources = yaml_.string_list(node, "'sources'").value_or(std::vector<std::string>{});

        load_inputs(yaml_.require(top, "inputs", "the rule set"));
        load_lets(yaml_.get(top, "let"));
        load_gates(yaml_.get(top, "gates"));
        load_groups(yaml_.require(top, "groups", "the rule set"));
        load_decision(top);
        load_profiles(yaml_.get(top, "profiles"));
        if (auto node = yaml_.get(top, "tests"); node.IsDefined()) rules_.tests = load_tests(yaml_, node);
    }

    static std::vector<TestCase> load_tests(YamlReader& yaml, const YAML::Node& node) {
        std::vector<TestCase> out;
        if (!node.IsSequence()) {
            yaml.error(node, "'tests' must be a list of test cases");
            return out;
        }
        std::map<std::string, SourceLoc> names;  // a test's name is its identity in a CI report (JUnit)
        for (const auto& item : node) {
            if (!yaml.check_mapping(item, "a test", test_keys)) continue;
            TestCase test;
            test.where = yaml.loc(item);
            if (auto name = yaml.require(item, "name", "a test"); name.IsDefined()) {
                test.name = yaml.string(name, "a test's 'name'").value_or("");
                if (const auto [first, added] = names.emplace(test.name, yaml.loc(name)); !added)
                    yaml.error(name, "duplicate test name '" + test.name + "' (first given at line " + std::to_string(first->second.line) +
                                         "): CI reports tell tests apart by name");
            }
            if (auto proposal = yaml.require(item, "proposal", "test '" + test.name + "'"); proposal.IsDefined()) {
                test.proposal_where = yaml.loc(proposal);
                if (proposal.IsMap())
                    test.proposal = yaml.to_json(proposal);
                else
                    yaml.error(proposal, "test '" + test.name + "': 'proposal' " + (proposal.IsNull() ? "is empty" : "must be a mapping of inputs"));
            }
            if (auto expect = yaml.require(item, "expect", "test '" + test.name + "'"); expect.IsDefined())
                test.expect = load_expectation(yaml, expect, test.name);
            out.push_back(std::move(test));
        }
        return out;
    }

private:
    SourceLoc loc(const YAML::Node& node) const { return yaml_.loc(node); }

    // Ids of inputs and lets share one namespace (expressions name them); gates, groups and
    // criteria share another (reports and profiles address them).
    void claim(std::map<std::string, SourceLoc>& space, const std::string& id, const SourceLoc& where,
               const std::string& what) {
        if (auto [it, fresh] = space.emplace(id, where); !fresh)
            yaml_.error(where, "duplicate " + what + " '" + id + "' (first defined at line " +
                                   std::to_string(it->second.line) + ")");
    }

    std::optional<double> optional_number(const YAML::Node& map, const std::string& key, const std::string& what) {
        auto node = yaml_.get(map, key);
        if (!node.IsDefined()) return std::nullopt;
        return yaml_.number(node, what + " '" + key + "'");
    }

    std::string optional_text(const YAML::Node& map, const std::string& key, const std::string& what) {
        auto node = yaml_.get(map, key);
        if (!node.IsDefined()) return "";
        return yaml_.string(node, what + " '" + key + "'").value_or("");
    }

    void load_inputs(const YAML::Node& node) {
        if (!node.IsDefined()) return;
        if (!node.IsMap()) {
            yaml_.error(node, "'inputs' must map each input name to its declaration");
            return;
        }
        for (const auto& entry : node) {
            const std::string name = entry.first.Scalar();
            InputDecl input;
            input.name = name;
            input.where = loc(entry.first);
            const std::string head = name.substr(0, name.find('.'));
            if (!is_name(name, true) || head == "id" || head == "name") {
                yaml_.error(entry.first, "input name '" + name +
                                             "' must be letters, digits and '_', with '.' between nested names, "
                                             "not a keyword, and not 'id' or 'name' (those are proposal fields)");
                continue;
            }
            // Each '.' nests the input one object deeper in a proposal, and in the JSON Schema of one,
            // which its writer and readers walk recursively: as deep as YAML itself may nest, no deeper.
            if (const auto levels = static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1; levels > limits().max_yaml_depth) {
                yaml_.error(entry.first, "input name '" + name + "' nests " + std::to_string(levels) + " objects deep; the limit is " +
                                             std::to_string(limits().max_yaml_depth) + " (max_yaml_depth)");
                continue;
            }
            claim(names_, name, input.where, "name");
            const std::string what = "input '" + name + "'";
            const YAML::Node& decl = entry.second;
            if (!yaml_.check_mapping(decl, what, input_keys)) continue;
            if (auto type = yaml_.require(decl, "type", what); type.IsDefined()) {
                const auto given = yaml_.string(type, what + " 'type'");
                const std::string text = given.value_or("");
                auto it = std::find(input_types.begin(), input_types.end(), text);
                if (given && it == input_types.end())
                    yaml_.error(type, "unknown type '" + text + "' for " + what + "; expected one of number, integer, "
                                      "boolean, string, enum, list" + did_you_mean(text, input_types));
                else if (it != input_types.end())  // (an empty type is reported where it is read)
                    input.type = static_cast<InputType>(it - input_types.begin());
            }
            input.title = optional_text(decl, "title", what);
            input.description = optional_text(decl, "description", what);
            input.unit = optional_text(decl, "unit", what);
            bool required_given = false;
            if (auto required = yaml_.get(decl, "required"); required.IsDefined()) {
                input.required = yaml_.boolean(required, what + " 'required'").value_or(true);
                required_given = true;
            }
            if (auto value = yaml_.get(decl, "default"); value.IsDefined()) {
                if (required_given && input.required)
                    yaml_.error(value, what + " is required, so its default would never be used; "
                                              "set 'required: false' or remove 'default'");
                input.required = false;
                input.default_value = yaml_.to_json(value);
                input.default_where = loc(value);
            }
            if (auto changeable = yaml_.get(decl, "changeable"); changeable.IsDefined())
                input.changeable = yaml_.boolean(changeable, what + " 'changeable'").value_or(true);
            input.min = optional_number(decl, "min", what);
            input.max = optional_number(decl, "max", what);
            if (input.min && input.max && *input.min > *input.max)
                yaml_.error(yaml_.get(decl, "max"), what + " has max " + number_text(*input.max) + " below its min " +
                                                        number_text(*input.min));
            bool numeric = input.type == InputType::number || input.type == InputType::integer;
            if (!numeric && (input.min || input.max))
                yaml_.error(yaml_.get(decl, input.min ? "min" : "max"),
                            what + " is of type " + std::string(to_string(input.type)) + "; only number and integer inputs take min/max");
            if (auto values = yaml_.get(decl, "values"); values.IsDefined()) {
                if (input.type != InputType::enumeration && input.type != InputType::list)
                    yaml_.error(values, what + " is of type " + std::string(to_string(input.type)) +
                                            "; only enum and list inputs take 'values'");
                else if (auto list = yaml_.string_list(values, what + " 'values'")) {
                    input.values = *list;
                    if (list->empty()) yaml_.error(values, what + " needs at least one value");
                    std::set<std::string_view> seen;
                    for (std::size_t i = 0; i < list->size(); ++i)
                        if (!seen.insert((*list)[i]).second) yaml_.error(values[i], what + " lists the value '" + (*list)[i] + "' twice");
                }
            } else if (input.type == InputType::enumeration) {
                yaml_.error(decl, what + " is an enum and needs 'values'");
            }
            rules_.inputs.push_back(std::move(input));
        }
    }

    void load_lets(const YAML::Node& node) {
        if (!node.IsDefined()) return;
        if (!node.IsMap()) {
            yaml_.error(node, "'let' must map each name to an expression");
            return;
        }
        for (const auto& entry : node) {
            LetDecl let;
            let.name = entry.first.Scalar();
            let.where = loc(entry.first);
            if (!is_name(let.name, false) || let.name == "id" || let.name == "name") {
                yaml_.error(entry.first, "let name '" + let.name + "' must be letters, digits and '_', not a keyword, and not 'id' or "
                                         "'name' (those are proposal fields)");
                continue;
            }
            claim(names_, let.name, let.where, "name");
            auto expr = yaml_.expression(entry.second, "let '" + let.name + "'");
            if (!expr) continue;
            let.expr = std::move(*expr);
            rules_.lets.push_back(std::move(let));
        }
    }

    std::string load_id(const YAML::Node& item, const std::string& what) {
        auto node = yaml_.require(item, "id", what);
        if (!node.IsDefined()) return "";
        const auto given = yaml_.string(node, what + " 'id'");
        const std::string id = given.value_or("");
        if (!given) return id;  // said why
        if (!is_id(id)) {
            yaml_.error(node, what + " id '" + id + "' must start with a lower-case letter or digit and use only "
                                     "lower-case letters, digits, '-' and '_'");
            return id;
        }
        claim(ids_, id, loc(node), "id");
        return id;
    }

    void load_gates(const YAML::Node& node) {
        if (!node.IsDefined()) return;
        if (!node.IsSequence()) {
            yaml_.error(node, "'gates' must be a list");
            return;
        }
        for (const auto& item : node) {
            if (!yaml_.check_mapping(item, "a gate", gate_keys)) continue;
            Gate gate;
            gate.where = loc(item);
            gate.id = load_id(item, "a gate");
            const std::string what = "gate '" + gate.id + "'";
            gate.title = optional_text(item, "title", what);
            gate.description = optional_text(item, "description", what);
            if (auto require = yaml_.require(item, "require", what); require.IsDefined())
                if (auto expr = yaml_.expression(require, what + " 'require'")) gate.require = std::move(*expr);
            if (auto message = yaml_.get(item, "message"); message.IsDefined())
                gate.message = yaml_.expression(message, what + " 'message'");  // text with {expr}, positioned alike
            rules_.gates.push_back(std::move(gate));
        }
    }

    std::optional<Located<double>> located_number(const YAML::Node& map, const std::string& key, const std::string& what) {
        auto node = yaml_.get(map, key);
        if (!node.IsDefined()) return std::nullopt;
        auto value = yaml_.number(node, what + " '" + key + "'");
        if (!value) return std::nullopt;
        return Located<double>{*value, loc(node)};
    }

    Located<double> weight(const YAML::Node& map, const std::string& what) {
        auto value = located_number(map, "weight", what);
        if (!value) return Located<double>{1.0, loc(map)};
        if (!(value->value > 0)) yaml_.error(value->where, what + " has weight " + number_text(value->value) + "; weights must be greater than 0");
        return *value;
    }

    void load_groups(const YAML::Node& node) {
        if (!node.IsDefined()) return;
        if (!node.IsSequence() || node.size() == 0) {
            yaml_.error(node, "'groups' must be a non-empty list");
            return;
        }
        for (const auto& item : node) {
            if (!yaml_.check_mapping(item, "a group", group_keys)) continue;
            Group group;
            group.where = loc(item);
            group.id = load_id(item, "a group");
            const std::string what = "group '" + group.id + "'";
            group.title = optional_text(item, "title", what);
            group.description = optional_text(item, "description", what);
            group.weight = weight(item, what);
            group.minimum = located_number(item, "minimum", what);
            if (group.minimum && (group.minimum->value < 0 || group.minimum->value > 100))
                yaml_.error(group.minimum->where, what + " minimum " + number_text(group.minimum->value) + " is outside 0..100");
            auto criteria = yaml_.require(item, "criteria", what);
            if (criteria.IsDefined()) {
                if (!criteria.IsSequence() || criteria.size() == 0)
                    yaml_.error(criteria, what + " 'criteria' must be a non-empty list");
                else
                    for (const auto& c : criteria)
                        if (auto criterion = load_criterion(c)) group.criteria.push_back(std::move(*criterion));
            }
            rules_.groups.push_back(std::move(group));
        }
    }

    std::optional<Criterion> load_criterion(const YAML::Node& item) {
        if (!yaml_.check_mapping(item, "a criterion", criterion_keys)) return std::nullopt;
        Criterion c;
        c.where = loc(item);
        c.id = load_id(item, "a criterion");
        const std::string what = "criterion '" + c.id + "'";
        c.title = optional_text(item, "title", what);
        c.description = optional_text(item, "description", what);
        c.unit = optional_text(item, "unit", what);
        c.weight = weight(item, what);
        if (auto node = yaml_.get(item, "metric"); node.IsDefined()) c.metric = yaml_.expression(node, what + " 'metric'");
        if (auto node = yaml_.get(item, "points"); node.IsDefined()) c.points = yaml_.expression(node, what + " 'points'");
        if (auto node = yaml_.get(item, "applies_when"); node.IsDefined())
            c.applies_when = yaml_.expression(node, what + " 'applies_when'");
        c.zero_at = located_number(item, "zero_at", what);
        c.full_at = located_number(item, "full_at", what);
        bool has_metric = yaml_.get(item, "metric").IsDefined(), has_points = yaml_.get(item, "points").IsDefined();
        bool has_band = yaml_.get(item, "zero_at").IsDefined() || yaml_.get(item, "full_at").IsDefined();
        if (has_metric && has_points)
            yaml_.error(item, what + " has both 'metric' and 'points'; give one");
        else if (!has_metric && !has_points)
            yaml_.error(item, what + " needs either 'metric' with 'zero_at' and 'full_at', or 'points'");
        else if (has_metric) {
            if (!yaml_.get(item, "zero_at").IsDefined()) yaml_.error(item, what + " has a 'metric' and needs 'zero_at'");
            if (!yaml_.get(item, "full_at").IsDefined()) yaml_.error(item, what + " has a 'metric' and needs 'full_at'");
        } else if (has_band) {
            auto key = yaml_.get(item, "zero_at").IsDefined() ? "zero_at" : "full_at";
            yaml_.error(yaml_.get(item, key), what + " scores by 'points'; '" + key + "' only applies to a 'metric'");
        }
        return c;
    }

    void load_decision(const YAML::Node& top) {
        const YAML::Node node = yaml_.get(top, "decision");
        if (!node.IsDefined()) {  // said where the others missing are: where the rule set starts
            yaml_.error(top, "the rule set needs 'decision' with 'pass_score'");
            return;
        }
        if (!yaml_.check_mapping(node, "'decision'", decision_keys)) return;
        if (yaml_.require(node, "pass_score", "'decision'").IsDefined())
            if (auto score = located_number(node, "pass_score", "'decision'")) {
                rules_.pass_score = *score;
                if (score->value < 0 || score->value > 100)
                    yaml_.error(score->where, "pass_score " + number_text(score->value) + " is outside 0..100");
            }
    }

    void load_profiles(const YAML::Node& node) {
        if (!node.IsDefined()) return;
        if (!node.IsSequence()) {
            yaml_.error(node, "'profiles' must be a list");
            return;
        }
        for (const auto& item : node) {
            if (!yaml_.check_mapping(item, "a profile", profile_keys)) continue;
            Profile profile;
            profile.where = loc(item);
            profile.title = optional_text(item, "title", "a profile");
            if (auto when = yaml_.require(item, "when", "a profile"); when.IsDefined())
                if (auto expr = yaml_.expression(when, "a profile's 'when'")) profile.when = std::move(*expr);
            auto set = yaml_.require(item, "set", "a profile");
            if (set.IsDefined() && yaml_.check_mapping(set, "a profile's 'set'", {})) {
                for (const auto& entry : set) {
                    const std::string target = entry.first.Scalar();
                    const SourceLoc target_where = loc(entry.first);
                    if (target.rfind("decision.", 0) == 0) {  // decision.pass_score: N
                        if (auto value = yaml_.number(entry.second, "'" + target + "'"))
                            profile.settings.push_back({target == "decision.pass_score" ? "decision" : target, "pass_score",
                                                        {*value, loc(entry.second)}, target_where, target_where});
                        continue;
                    }
                    const std::string value = entry.second.IsScalar() ? entry.second.Scalar() : "N";
                    if (target == "pass_score" || (target == "decision" && !entry.second.IsMap())) {  // as the top level names it
                        yaml_.error(entry.second, "a profile sets the pass score as decision.pass_score: " + value +
                                                      " (or decision: { pass_score: " + value + " })");
                        continue;
                    }
                    if (std::any_of(rules_.gates.begin(), rules_.gates.end(), [&](const Gate& g) { return g.id == target; })) {
                        yaml_.error(target_where, "'" + target + "' is a gate, which a profile cannot change: put the profile's "
                                                  "condition in the gate's require instead");
                        continue;
                    }
                    if (!entry.second.IsMap()) {
                        yaml_.error(entry.second, "profile setting for '" + target + "' must be a mapping such as { zero_at: 1, full_at: 2 }");
                        continue;
                    }
                    for (const auto& setting : entry.second) {
                        const std::string key = setting.first.Scalar();
                        if (auto value = yaml_.number(setting.second, "profile setting '" + target + "." + key + "'"))
                            profile.settings.push_back({target, key, {*value, loc(setting.second)}, target_where, loc(setting.first)});
                    }
                }
            }
            rules_.profiles.push_back(std::move(profile));
        }
    }

    static std::optional<Range> load_range(YamlReader& yaml, const YAML::Node& node, const std::string& what) {
        Range range;
        range.where = yaml.loc(node);
        if (node.IsScalar()) {
            auto value = yaml.number(node, what);
            if (!value) return std::nullopt;
            range.min = range.max = *value;
            return range;
        }
        if (!yaml.check_mapping(node, what, range_keys)) return std::nullopt;
        if (auto min = yaml.get(node, "min"); min.IsDefined()) range.min = yaml.number(min, what + " 'min'");
        if (auto max = yaml.get(node, "max"); max.IsDefined()) range.max = yaml.number(max, what + " 'max'");
        if (range.min && range.max && *range.min > *range.max)  // (no value is in it: the test could never pass)
            yaml.error(yaml.get(node, "max"), what + " has max " + number_text(*range.max) + " below its min " + number_text(*range.min));
        return range;
    }

    static TestExpectation load_expectation(YamlReader& yaml, const YAML::Node& node, const std::string& test) {
        TestExpectation expect;
        const std::string what = "test '" + test + "' 'expect'";
        if (!yaml.check_mapping(node, what, expect_keys)) return expect;
        // (Empty groups: or criteria: check nothing either.)
        if (std::none_of(expect_keys.begin(), expect_keys.end(), [&](const std::string& key) {
                const YAML::Node value = yaml.get(node, key);
                return value.IsDefined() && !(value.IsMap() && value.size() == 0);
            }))
            yaml.error(node, what + " checks nothing: give it verdict, score, gates_failed, groups or criteria");
        if (auto verdict = yaml.get(node, "verdict"); verdict.IsDefined()) {
            auto text = yaml.string(verdict, what + " 'verdict'").value_or("");
            if (std::find(verdicts.begin(), verdicts.end(), text) == verdicts.end())
                yaml.error(verdict, "expected verdict '" + text + "' is not pass, fail or invalid" + did_you_mean(text, verdicts));
            expect.verdict = Located<std::string>{text, yaml.loc(verdict)};
        }
        if (auto score = yaml.get(node, "score"); score.IsDefined()) expect.score = load_range(yaml, score, what + " 'score'");
        if (auto gates = yaml.get(node, "gates_failed"); gates.IsDefined())
            if (auto list = yaml.string_list(gates, what + " 'gates_failed'"))
                expect.gates_failed = Located<std::vector<std::string>>{*list, yaml.loc(gates)};
        for (auto [key, out] : {std::pair{"groups", &expect.groups}, std::pair{"criteria", &expect.criteria}}) {
            auto map = yaml.get(node, key);
            if (!map.IsDefined() || !yaml.check_mapping(map, what + " '" + key + "'", {})) continue;
            for (const auto& entry : map)
                if (auto range = load_range(yaml, entry.second, what + " '" + entry.first.Scalar() + "'"))
                    out->emplace_back(entry.first.Scalar(), *range);
        }
        return expect;
    }

    RuleSet& rules_;
    Diagnostics& diagnostics_;
    YamlReader yaml_;
    std::map<std::string, SourceLoc> names_, ids_;
};

// A rule-set or test file's text, or nullopt after saying why in `diagnostics`. A file over
// max_rules_bytes is refused unread, and a device or pipe is read no further than the limit:
// /dev/zero would otherwise be read until memory ran out.
std::optional<std::string> read_yaml_file(const std::string& path, const std::string& what, Diagnostics& diagnostics) {
    auto fail = [&](std::string message) -> std::optional<std::string> {
        diagnostics.push_back({SourceLoc{path, 0, 0}, Severity::error, std::move(message)});
        return std::nullopt;
    };
    const std::size_t limit = limits().max_rules_bytes;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec))
        if (const auto size = std::filesystem::file_size(path, ec); !ec && size > limit) return fail(detail::too_large_for_rules(std::to_string(size)));
    if (std::filesystem::is_directory(path, ec)) return fail("cannot read " + what + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read " + what + ": " + std::strerror(errno));
    std::string text;
    char block[1 << 16];
    while (text.size() <= limit) {
        in.read(block, sizeof block);
        text.append(block, static_cast<std::size_t>(in.gcount()));
        if (!in) break;  // the end, or an error (told apart below)
    }
    if (in.bad()) return fail("cannot read " + what + ": read error");
    if (text.size() > limit) return fail(detail::too_large_for_rules("more than " + std::to_string(limit)));
    return text;
}

}  // namespace

LoadedRules load_rules(std::string text, std::string file) {
    LoadedRules out;
    out.rules.file = std::move(file);
    out.rules.text = std::move(text);
    Loader(out.rules, out.diagnostics).load();
    sort_by_location(out.diagnostics);
    return out;
}

LoadedRules load_rules_file(const std::string& path) {
    LoadedRules out;
    auto text = read_yaml_file(path, "the rule set", out.diagnostics);
    if (!text) {
        out.rules.file = path;
        return out;
    }
    return load_rules(std::move(*text), path);
}

LoadedRules load_default_rules() {
    return load_rules(std::string(default_rules_text), "<built-in>/" + std::string(default_rules_name));
}

namespace {

// The YAML document at `path`, read within the rule-set limits, or nullopt when it cannot be read or
// parsed so: for a look at what a file is, whose loading says what is wrong with it.
std::optional<YAML::Node> peek_yaml_file(const std::string& path) {
    Diagnostics ignored;
    auto text = read_yaml_file(path, "the file", ignored);
    if (!text) return std::nullopt;
    return YamlReader(path, *text, ignored).parse();
}

}  // namespace

bool is_test_file(const std::string& path) {
    const auto root = peek_yaml_file(path);
    // No rule set's `format:`, and `rules:`, or `tests:` without a rule set's `groups:`: so that a
    // misspelt `rules:` or `tests:` is told so, not taken for a rule set without its keys.
    return root && root->IsMap() && !(*root)["format"] && ((*root)["rules"] || ((*root)["tests"] && !(*root)["groups"]));
}

LoadedTests load_test_file(const std::string& path) {
    LoadedTests out;
    auto text = read_yaml_file(path, "the test file", out.diagnostics);
    if (!text) return out;
    YamlReader yaml(path, *text, out.diagnostics);
    auto root = yaml.parse();
    if (!root) return out;
    if (!yaml.check_mapping(*root, "a test file", {"rules", "tests"})) return out;
    if (auto rules = yaml.require(*root, "rules", "a test file"); rules.IsDefined()) {
        // Resolved against the test file's folder, as the file names it.
        out.rules_path = (std::filesystem::path(path).parent_path() / yaml.string(rules, "'rules'").value_or("")).string();
        // A test file comes with a pull request, and CI shows what loading its rule set says: a
        // path to any other YAML file on the machine would quote that file's keys and values there.
        // (Unreadable or not YAML: compiling it says so, quoting nothing.)
        const auto target_root = peek_yaml_file(out.rules_path);
        if (target_root && !(target_root->IsMap() && (*target_root)["format"] && (*target_root)["format"].IsScalar() &&
                             (*target_root)["format"].Scalar() == "screener/v1"))
            yaml.error(rules, "'rules' names " + out.rules_path + ", which is no rule set (it has no 'format: screener/v1')");
    }
    if (auto tests = yaml.require(*root, "tests", "a test file"); tests.IsDefined())
        out.tests = Loader::load_tests(yaml, tests);
    sort_by_location(out.diagnostics);
    return out;
}

}  // namespace screener
