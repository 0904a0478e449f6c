// Stage 2, compile: a loaded RuleSet checked and turned into one immutable CompiledRules plan:
// inputs resolved to slots, expressions type-checked and compiled, bands and weights in flat arrays.
// A CompiledRules is never modified after compile() returns; share it freely across threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "screener/diagnostic.hpp"
#include "screener/rules.hpp"

namespace screener {

namespace detail {
struct Program;
}

constexpr std::uint32_t no_expr = UINT32_MAX;

// A reason lists at most this many names (an enum's values, the inputs a "no data" reason blames),
// then how many more: reasons stay short whatever the rule set (an enum of 500,000 values made a
// reason 4.5 MB).
inline constexpr std::size_t names_in_a_reason = 20;

// `names` as a reason lists them, each between `quote`s: "a, b, c", or the first names_in_a_reason
// and "and N more".
template <class Names>
std::string listed(const Names& names, std::string_view quote = "") {
    std::string out;
    for (std::size_t i = 0; i < std::min(names_in_a_reason, std::size(names)); ++i)
        out.append(i ? ", " : "").append(quote).append(names[i]).append(quote);
    if (std::size(names) > names_in_a_reason) out += " and " + std::to_string(std::size(names) - names_in_a_reason) + " more";
    return out;
}

struct CompiledInput {
    std::string name;               // dotted
    std::vector<std::string> path;  // name split at '.', the nested JSON keys
    InputType type = InputType::number;
    std::string title, description, unit;
    bool required = true;
    nlohmann::json default_value;   // null when none
    std::optional<double> min, max;
    std::vector<std::string> values;  // enum
    bool changeable = true;         // false: check advises no change to it (a sector, the province's side)
    std::uint32_t slot = 0;         // index into the Proposal array for its type
    SourceLoc where;
};

// A piece of a gate message: literal text, or an expression whose value is interpolated.
struct MessagePart {
    std::string text;
    std::uint32_t expr = no_expr;
};

struct CompiledGate {
    std::string id, title;
    std::uint32_t require = no_expr;
    std::vector<MessagePart> message;  // empty when the gate has none
    SourceLoc where;
};

struct Band {
    double zero_at = 0, full_at = 0;
};

struct CompiledCriterion {
    std::string id, title, unit;
    std::uint32_t group = 0;
    bool has_metric = false;     // metric + band, or points
    std::uint32_t expr = no_expr;  // the metric or the points expression
    Band band;                   // metric criteria only
    double weight = 1;
    std::uint32_t applies_when = no_expr;
    std::string applies_when_text;
    SourceLoc where;
};

struct CompiledGroup {
    std::string id, title;
    double weight = 1;
    std::optional<double> minimum;
    std::uint32_t first_criterion = 0, criterion_count = 0;
    SourceLoc where;
};

// A profile's override, resolved: what it changes and the new value.
struct Override {
    enum class Target { criterion_zero_at, criterion_full_at, criterion_weight, group_weight, group_minimum, pass_score };
    Target target = Target::pass_score;
    std::uint32_t index = 0;  // criterion or group index
    double value = 0;
};

struct CompiledProfile {
    std::string title;
    std::uint32_t when = no_expr;
    std::vector<Override> overrides;
    SourceLoc where;
};

struct CompiledLet {
    std::string name;
    std::uint32_t expr = no_expr;
};

class CompiledRules {
public:
    std::string file, id, title, version, sha256;
    std::vector<CompiledInput> inputs;
    std::vector<CompiledLet> lets;
    std::vector<CompiledGate> gates;
    std::vector<CompiledGroup> groups;
    std::vector<CompiledCriterion> criteria;  // all groups' criteria, group by group
    std::vector<CompiledProfile> profiles;
    double pass_score = 60;
    std::vector<TestCase> tests;

    // Slot counts, to size a Proposal.
    std::uint32_t number_slots = 0, string_slots = 0, list_slots = 0;

    std::shared_ptr<const detail::Program> program;  // the compiled expressions

    std::optional<std::uint32_t> find_criterion(std::string_view id) const;
    std::optional<std::uint32_t> find_group(std::string_view id) const;
    std::optional<std::uint32_t> find_gate(std::string_view id) const;

    // Each id's index, for the find_ functions: tests and profiles may name thousands. Filled by compile().
    std::map<std::string, std::uint32_t, std::less<>> criterion_index, group_index, gate_index;
};

struct CompileResult {
    std::shared_ptr<const CompiledRules> rules;  // null when there are errors
    Diagnostics diagnostics;                     // errors and warnings, sorted by location
};

CompileResult compile(const RuleSet& rules);
// load_rules_file + compile; "" or "-" is not special: pass a path.
CompileResult compile_file(const std::string& path);
CompileResult compile_default();

std::string sha256_hex(std::string_view bytes);

}  // namespace screener
