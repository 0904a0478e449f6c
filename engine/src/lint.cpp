#include "lint.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "number_text.hpp"
#include "program.hpp"

namespace screener::detail {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// The values a number expression can take, as a closed interval (possibly unbounded).
struct Interval {
    double lo = -inf, hi = inf;
};

Interval hull(std::initializer_list<double> values) {
    Interval out{inf, -inf};
    for (double v : values) {
        if (std::isnan(v)) return {};
        out.lo = std::min(out.lo, v);
        out.hi = std::max(out.hi, v);
    }
    return out;
}

enum class Always { unknown, yes, no };

class Analysis {
public:
    explicit Analysis(const CompiledRules& rules)
        : rules_(rules), p_(*rules.program), let_ranges_(rules.lets.size()), let_always_(rules.lets.size()), let_lacks_(rules.lets.size()) {}

    Interval range(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        switch (n.op) {
            case Op::number: return {n.number, n.number};
            case Op::input_number: {  // a number or integer input (booleans and enums have ops of their own)
                const CompiledInput& input = rules_.inputs[p_.number_slot_inputs[n.a]];
                return {input.min.value_or(-inf), input.max.value_or(inf)};
            }
            case Op::let_number: {  // once per let: lets may reuse earlier lets, which a tree walk repeats 2^n times
                auto& memo = let_ranges_[n.a];
                if (!memo) memo = range(rules_.lets[n.a].expr);
                return *memo;
            }
            case Op::negate: {
                Interval a = range(n.a);
                return {-a.hi, -a.lo};
            }
            case Op::add: {
                Interval a = range(n.a), b = range(n.b);
                return hull({a.lo + b.lo, a.hi + b.hi});
            }
            case Op::subtract: {
                Interval a = range(n.a), b = range(n.b);
                return hull({a.lo - b.hi, a.hi - b.lo});
            }
            case Op::multiply: {
                Interval a = range(n.a), b = range(n.b);
                return hull({a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi});
            }
            case Op::divide: {
                Interval a = range(n.a), b = range(n.b);
                if (b.lo <= 0 && b.hi >= 0) return {};  // may divide by (nearly) zero: anything
                return hull({a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi});
            }
            case Op::min:
            case Op::max: {
                Interval out = range(p_.args[n.a]);
                for (std::uint32_t k = 1; k < n.b; ++k) {
                    Interval v = range(p_.args[n.a + k]);
                    out = n.op == Op::min ? Interval{std::min(out.lo, v.lo), std::min(out.hi, v.hi)}
                                          : Interval{std::max(out.lo, v.lo), std::max(out.hi, v.hi)};
                }
                return out;
            }
            case Op::clamp: {  // max(lo, min(x, hi)), bound by bound
                Interval x = range(n.a), lo = range(n.b), hi = range(n.c);
                return {std::max(lo.lo, std::min(x.lo, hi.lo)), std::max(lo.hi, std::min(x.hi, hi.hi))};
            }
            case Op::abs: {
                Interval a = range(n.a);
                if (a.lo >= 0) return a;
                if (a.hi <= 0) return {-a.hi, -a.lo};
                return {0, std::max(-a.lo, a.hi)};
            }
            case Op::count:
            case Op::len: return {0, inf};
            case Op::if_number: {
                Always cond = always(n.a);
                if (cond == Always::yes) return range(n.b);
                if (cond == Always::no) return range(n.c);
                Interval a = range(n.b), b = range(n.c);
                return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
            }
            default: return {};
        }
    }

    Always always(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        auto compare = [&](auto yes_when, auto no_when) {
            Interval a = range(n.a), b = range(n.b);
            if (yes_when(a, b)) return Always::yes;
            if (no_when(a, b)) return Always::no;
            return Always::unknown;
        };
        switch (n.op) {
            case Op::boolean: return n.number != 0 ? Always::yes : Always::no;
            case Op::let_boolean: {
                auto& memo = let_always_[n.a];
                if (!memo) memo = always(rules_.lets[n.a].expr);
                return *memo;
            }
            case Op::logical_not: {
                Always a = always(n.a);
                return a == Always::unknown ? a : (a == Always::yes ? Always::no : Always::yes);
            }
            case Op::logical_and: {
                Always a = always(n.a), b = always(n.b);
                if (a == Always::no || b == Always::no) return Always::no;
                return a == Always::yes && b == Always::yes ? Always::yes : Always::unknown;
            }
            case Op::logical_or: {
                Always a = always(n.a), b = always(n.b);
                if (a == Always::yes || b == Always::yes) return Always::yes;
                return a == Always::no && b == Always::no ? Always::no : Always::unknown;
            }
            case Op::less: return compare([](Interval a, Interval b) { return a.hi < b.lo; }, [](Interval a, Interval b) { return a.lo >= b.hi; });
            case Op::less_equal: return compare([](Interval a, Interval b) { return a.hi <= b.lo; }, [](Interval a, Interval b) { return a.lo > b.hi; });
            case Op::greater: return compare([](Interval a, Interval b) { return a.lo > b.hi; }, [](Interval a, Interval b) { return a.hi <= b.lo; });
            case Op::greater_equal: return compare([](Interval a, Interval b) { return a.lo >= b.hi; }, [](Interval a, Interval b) { return a.hi < b.lo; });
            case Op::enum_in_set: {
                const std::size_t values = p_.enum_values[n.a].size();
                const std::uint64_t all = values >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << values) - 1;
                if ((n.mask & all) == all) return n.negated ? Always::no : Always::yes;
                if ((n.mask & all) == 0) return n.negated ? Always::yes : Always::no;
                return Always::unknown;
            }
            default: return Always::unknown;
        }
    }

    // Whether the expression can have no data, which a gate fails and an applies_when skips: it reads
    // an input a proposal may leave out (optional, with no default), or divides by what may be 0.
    // (Values beyond the doubles are not counted.)
    bool may_lack_data(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        auto optional = [&](std::uint32_t input) { return !rules_.inputs[input].required && rules_.inputs[input].default_value.is_null(); };
        switch (n.op) {
            case Op::number: case Op::boolean: case Op::string: case Op::list: return false;
            case Op::input_number: case Op::input_boolean: case Op::input_enum: case Op::enum_in_set:
                return optional(p_.number_slot_inputs[n.a]);
            case Op::input_string: return optional(p_.string_slot_inputs[n.a]);
            case Op::input_list: return optional(p_.list_slot_inputs[n.a]);
            case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list: {
                auto& memo = let_lacks_[n.a];
                if (!memo) memo = may_lack_data(rules_.lets[n.a].expr);
                return *memo;
            }
            default: {
                bool lacks = false;
                if (n.op == Op::divide || n.op == Op::remainder) {
                    const Interval divisor = range(n.b);
                    lacks = divisor.lo <= 0 && divisor.hi >= 0;
                }
                for_each_operand(p_, n, [&](std::uint32_t operand) { lacks = lacks || may_lack_data(operand); });
                return lacks;
            }
        }
    }

private:
    const CompiledRules& rules_;
    const Program& p_;
    mutable std::vector<std::optional<Interval>> let_ranges_;
    mutable std::vector<std::optional<Always>> let_always_;
    mutable std::vector<std::optional<bool>> let_lacks_;
};

}  // namespace

void lint(const CompiledRules& rules, const RuleSet& source, const std::map<std::string, int>& use_counts, Diagnostics& out) {
    auto warn = [&](const SourceLoc& where, std::string message) { out.push_back({where, Severity::warning, std::move(message)}); };
    for (const auto& input : rules.inputs)
        if (!use_counts.count(input.name)) warn(input.where, "input '" + input.name + "' is never used by any rule");
    for (const auto& let : source.lets)
        if (!use_counts.count(let.name)) warn(let.where, "let '" + let.name + "' is never used");

    Analysis analysis(rules);
    for (const auto& gate : rules.gates) {
        if (gate.require == no_expr) continue;
        Always a = analysis.always(gate.require);
        // A gate fails when its condition has no data: one that may lack it screens those out.
        if (a == Always::yes && !analysis.may_lack_data(gate.require)) warn(gate.where, "gate '" + gate.id + "' always passes for inputs within their min/max; it never screens anything out");
        if (a == Always::no) warn(gate.where, "gate '" + gate.id + "' can never pass for inputs within their min/max; every proposal fails it");
    }

    // The most points each criterion can earn, to check group minimums below.
    std::vector<double> best(rules.criteria.size(), 100.0);
    for (std::size_t i = 0; i < rules.criteria.size(); ++i) {
        const CompiledCriterion& c = rules.criteria[i];
        if (c.expr == no_expr) continue;
        const std::string what = "criterion '" + c.id + "'";
        if (c.applies_when != no_expr && analysis.always(c.applies_when) == Always::no)
            warn(c.where, what + " never applies: its applies_when is false for every input within min/max");
        Interval r = analysis.range(c.expr);
        if (!c.has_metric) {
            if (r.hi <= 0) warn(c.where, what + " can never score: its points are at most " + number_text(r.hi));
            best[i] = std::clamp(r.hi, 0.0, 100.0);
            continue;
        }
        const Band& band = c.band;
        if (band.zero_at == band.full_at) {
            warn(c.where, what + " has zero_at equal to full_at (" + number_text(band.full_at) + "): it scores 0 or 100, nothing between");
            continue;
        }
        const bool higher_better = band.full_at > band.zero_at;
        const double best_value = higher_better ? r.hi : r.lo;
        const bool never_scores = higher_better ? best_value <= band.zero_at : best_value >= band.zero_at;
        const bool never_full = higher_better ? best_value < band.full_at : best_value > band.full_at;
        if (never_scores)
            warn(c.where, what + " can never score: its metric is at " + (higher_better ? "most " : "least ") + number_text(best_value) +
                              " for inputs within min/max, and points start beyond " + number_text(band.zero_at));
        else if (never_full)
            warn(c.where, what + " can never reach full points: its metric is at " + (higher_better ? "most " : "least ") +
                              number_text(best_value) + " for inputs within min/max, short of full_at " + number_text(band.full_at));
        best[i] = std::isinf(best_value) ? 100.0 : band_points(best_value, band);
    }
    // A profile that moves one end of a band, or both, must leave a band that slopes the criterion's
    // way: one end moved past the other turns it around (lower values scoring higher, or the other
    // way), and meeting it makes a step.
    for (const CompiledProfile& profile : rules.profiles) {
        const std::string who = profile.title.empty() ? "a profile" : "profile '" + profile.title + "'";
        struct Moved {
            Band band;
            int ends = 0;  // moved by the profile: 1 or 2
        };
        std::map<std::uint32_t, Moved> bands;  // of the criteria it moves
        for (const Override& o : profile.overrides) {
            if (o.target != Override::Target::criterion_zero_at && o.target != Override::Target::criterion_full_at) continue;
            Moved& moved = bands.try_emplace(o.index, Moved{rules.criteria[o.index].band}).first->second;
            (o.target == Override::Target::criterion_zero_at ? moved.band.zero_at : moved.band.full_at) = o.value;
            ++moved.ends;
        }
        for (const auto& [index, moved] : bands) {
            const CompiledCriterion& c = rules.criteria[index];
            const Band &band = moved.band, &own = c.band;
            const std::string ends = "zero_at " + number_text(band.zero_at) + ", full_at " + number_text(band.full_at);
            if (band.zero_at == band.full_at)
                warn(profile.where, who + " makes criterion '" + c.id + "' a step (" + ends + "): it scores 0 or 100, nothing between");
            else if (own.zero_at != own.full_at && (band.full_at > band.zero_at) != (own.full_at > own.zero_at))
                warn(profile.where, who + " turns criterion '" + c.id + "' around (" + ends + "): its own band (" + number_text(own.zero_at) +
                                        " to " + number_text(own.full_at) + ") scores " + (own.full_at > own.zero_at ? "higher" : "lower") +
                                        " values higher" + (moved.ends == 1 ? "; move the other end too" : ""));
        }
    }
    // The most each group can score, and so the total, against the group's minimum and the pass score.
    bool all_certain = true;
    double groups_weight = 0, groups_sum = 0;
    for (const auto& group : rules.groups) {
        double weight = 0, sum = 0;
        bool certain = true;  // which criteria apply is known for every proposal
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i) {
            const CompiledCriterion& c = rules.criteria[i];
            Always applies = c.applies_when == no_expr ? Always::yes : analysis.always(c.applies_when);
            if (applies == Always::no) continue;
            // No data in applies_when skips the criterion: one that may lack data applies or not.
            if (applies == Always::unknown || (c.applies_when != no_expr && analysis.may_lack_data(c.applies_when))) certain = false;
            weight += c.weight;
            sum += c.weight * best[i];
        }
        all_certain = all_certain && certain;
        if (weight > 0) groups_weight += group.weight, groups_sum += group.weight * sum / weight;
        if (group.minimum && certain && weight > 0 && sum / weight < *group.minimum)
            warn(group.where, "group '" + group.id + "' can score at most " + fmt::format("{:.2f}", sum / weight) +
                                  " with these weights and bands, below its minimum " + number_text(*group.minimum));
    }
    // A profile may lower the pass score (the lowest counts) or change weights and bands (then
    // nothing is claimed).
    double lowest_pass = rules.pass_score;
    bool reweighed = false;
    for (const CompiledProfile& profile : rules.profiles)
        for (const Override& o : profile.overrides) {
            if (o.target == Override::Target::pass_score) lowest_pass = std::min(lowest_pass, o.value);
            else if (o.target != Override::Target::group_minimum) reweighed = true;
        }
    constexpr double slack = 1e-9;  // what rounding in the sums may hide
    if (all_certain && !reweighed && groups_weight > 0 && groups_sum / groups_weight < lowest_pass - slack)
        warn(source.pass_score.where, "no proposal can pass: the total is at most " + fmt::format("{:.2f}", groups_sum / groups_weight) +
                                          " with these weights and bands, below the pass score " + number_text(lowest_pass));
    // A division by the number 0 written out where it is always evaluated: the expression never
    // has data. (Not in a branch of if() or the right side of and/or, which may be passed over.)
    auto divides_by_zero = [&](std::uint32_t root) {
        std::vector<std::uint32_t> stack{root};  // its own nodes only: a let is reported where it is defined
        while (!stack.empty()) {
            const Node& n = rules.program->nodes[stack.back()];
            stack.pop_back();
            if ((n.op == Op::divide || n.op == Op::remainder) && rules.program->nodes[n.b].op == Op::number && rules.program->nodes[n.b].number == 0)
                return true;
            const bool branches = n.op == Op::if_number || n.op == Op::if_boolean || n.op == Op::if_string || n.op == Op::if_list ||
                                  n.op == Op::logical_and || n.op == Op::logical_or;
            if (branches) stack.push_back(n.a);  // the condition, or the left side: always evaluated
            else for_each_operand(*rules.program, n, [&](std::uint32_t operand) { stack.push_back(operand); });
        }
        return false;
    };
    const std::string never = " divides by 0: it never has data";
    for (std::size_t i = 0; i < rules.lets.size(); ++i)
        if (rules.lets[i].expr != no_expr && divides_by_zero(rules.lets[i].expr)) warn(source.lets[i].where, "let '" + rules.lets[i].name + "'" + never);
    for (const auto& gate : rules.gates)
        if (gate.require != no_expr && divides_by_zero(gate.require)) warn(gate.where, "gate '" + gate.id + "'" + never + ", and fails every proposal");
    for (const auto& c : rules.criteria)
        if (c.expr != no_expr && divides_by_zero(c.expr)) warn(c.where, "criterion '" + c.id + "'" + never + ", and scores 0");
}

}  // namespace screener::detail
