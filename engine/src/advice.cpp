#include "screener/advice.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <vector>

#include "program.hpp"
#include "screener/report.hpp"

namespace screener {

namespace {

using detail::Op;

// Solves "expression == target" for one number input, every other input held as it is.
// Only + - * / (and lets built from them) are inverted; anything else gives nullopt.
class Inverter {
public:
    using Slots = std::vector<std::uint32_t>;  // number input slots, sorted

    Inverter(const CompiledRules& rules, const Proposal& proposal)
        : rules_(rules), program_(*rules.program), eval_(program_, proposal, lets_), inputs_(program_.nodes.size()) {
        detail::compute_lets(rules, proposal, lets_);  // before eval_ computes anything
    }

    // The number inputs whose value the value of node i changes with, through any operation. Kept
    // for each node once computed: solving asks at every level, for every input, and lets reuse lets.
    const Slots& inputs(std::uint32_t i) const {
        auto& kept = inputs_[i];
        if (kept) return *kept;
        static const auto none = std::make_shared<const Slots>();
        const detail::Node& n = program_.nodes[i];
        auto of = [&](std::uint32_t node) {
            inputs(node);
            return inputs_[node];
        };
        switch (n.op) {
            case Op::input_number: kept = std::make_shared<const Slots>(Slots{n.a}); break;
            case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list: kept = of(rules_.lets[n.a].expr); break;
            default:  // the union of its operands' (none for other leaves)
                kept = none;
                detail::for_each_operand(program_, n, [&](std::uint32_t operand) { kept = both(kept, of(operand)); });
        }
        return *kept;
    }

    bool depends(std::uint32_t i, std::uint32_t slot) const {
        const Slots& slots = inputs(i);
        return std::binary_search(slots.begin(), slots.end(), slot);
    }

    std::optional<double> solve(std::uint32_t i, std::uint32_t slot, double target) const {
        const detail::Node& n = program_.nodes[i];
        if (!std::isfinite(target)) return std::nullopt;
        switch (n.op) {
            case Op::input_number: return n.a == slot ? std::optional<double>(target) : std::nullopt;
            case Op::let_number: return solve(rules_.lets[n.a].expr, slot, target);
            case Op::negate: return solve(n.a, slot, -target);
            case Op::add: case Op::subtract: case Op::multiply: case Op::divide: break;
            default: return std::nullopt;  // not invertible here
        }
        const bool left = depends(n.a, slot), right = depends(n.b, slot);
        if (left == right) return std::nullopt;  // neither, or both sides: not a simple function of the input
        const double other = eval_.number(left ? n.b : n.a);
        if (std::isnan(other)) return std::nullopt;
        switch (n.op) {
            case Op::add: return solve(left ? n.a : n.b, slot, target - other);
            case Op::subtract: return left ? solve(n.a, slot, target + other) : solve(n.b, slot, other - target);
            case Op::multiply: return other == 0 ? std::nullopt : solve(left ? n.a : n.b, slot, target / other);
            case Op::divide:
                if (left) return solve(n.a, slot, target * other);
                return target == 0 ? std::nullopt : solve(n.b, slot, other / target);
            default: return std::nullopt;
        }
    }

private:
    using Kept = std::shared_ptr<const Slots>;

    // The union, sharing an operand's slots when it holds the other's (the common case).
    static Kept both(const Kept& a, const Kept& b) {
        if (b->empty() || a == b) return a;
        if (a->empty()) return b;
        auto merged = std::make_shared<Slots>();
        std::set_union(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(*merged));
        return merged->size() == a->size() ? a : merged->size() == b->size() ? b : Kept(std::move(merged));
    }

    const CompiledRules& rules_;
    const detail::Program& program_;
    detail::LetValues lets_;
    detail::RememberingEvaluator eval_;
    mutable std::vector<Kept> inputs_;  // by node; null until computed
};

// Rounds toward the safe side at `digits` significant digits ("at least 61,540,000"), moved `steps`
// further units that way; integers to whole numbers. Powers of ten are applied so that round
// numbers come out exact (396,500,000, not 396,499,999.99999994).
double round_safe(double value, bool up, bool integer, int digits, int steps) {
    if (integer) return (up ? std::ceil(value - 1e-9) : std::floor(value + 1e-9)) + (up ? steps : -steps);
    if (value == 0) return 0;
    const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value)))) - (digits - 1);
    const double unit = std::pow(10.0, std::abs(exponent));  // exact for the exponents that occur
    const double scaled = exponent >= 0 ? value / unit : value * unit;
    const double rounded = (up ? std::ceil(scaled - 1e-9) : std::floor(scaled + 1e-9)) + (up ? steps : -steps);
    return exponent >= 0 ? rounded * unit : rounded / unit;
}

class Advisor {
public:
    Advisor(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e)
        : rules_(rules), proposal_(proposal), e_(e), inverter_(rules, proposal) {}

    std::vector<Advice> run() {
        std::vector<Advice> out;
        for (std::uint32_t i = 0; i < rules_.criteria.size(); ++i) {
            const CriterionResult& c = e_.criteria[i];
            if (c.skipped || c.points >= 100) continue;
            Advice advice;
            advice.criterion = i;
            advice.band = e_.parameters.bands[i];
            advice.points = c.points;
            advice.value = c.no_data ? std::nan("") : c.value;  // beyond the doubles too
            advice.full = target(i, 100, [&](const Evaluation& changed) { return changed.criteria[i].points >= 100; });
            pass_target(i, advice);
            out.push_back(std::move(advice));
        }
        return out;
    }

private:
    template <typename Reached>
    Target target(std::uint32_t i, double points, Reached reached) {
        const CompiledCriterion& c = rules_.criteria[i];
        Target t;
        t.points = points;
        double goal = points;  // what the expression must give
        if (c.has_metric) {
            const Band& band = e_.parameters.bands[i];
            goal = band.zero_at == band.full_at ? band.full_at : band.zero_at + points / 100.0 * (band.full_at - band.zero_at);
            t.metric = goal;
        }
        for (std::uint32_t slot : inverter_.inputs(c.expr)) {  // in the order the inputs are declared
            const CompiledInput& input = rules_.inputs[rules_.program->number_slot_inputs[slot]];  // a number or integer
            const double from = proposal_.numbers[input.slot];
            if (!input.changeable) continue;
            auto solved = inverter_.solve(c.expr, input.slot, goal);
            if (!solved || std::isnan(from)) continue;
            if (auto change = verified(input, from, *solved, reached)) t.changes.push_back(std::move(*change));
        }
        return t;
    }

    // The change to the solved value, rounded for people on the safe side, if re-scoring shows it
    // reaches the goal and the input allows it; otherwise nullopt.
    template <typename Reached>
    std::optional<InputChange> verified(const CompiledInput& input, double from, double solved, Reached reached) {
        const bool up = solved > from;
        const bool integer = input.type == InputType::integer;
        Proposal changed = proposal_;
        Evaluation scratch;
        // Round figures first; one unit further when floating point lands a hair short of the goal.
        for (double candidate : {round_safe(solved, up, integer, 4, 0), round_safe(solved, up, integer, 4, 1),
                                 round_safe(solved, up, integer, 6, 0), round_safe(solved, up, integer, 6, 1)}) {
            if ((input.min && candidate < *input.min) || (input.max && candidate > *input.max)) continue;
            changed.numbers[input.slot] = candidate;
            evaluate(rules_, changed, scratch);
            if (!reached(scratch)) continue;
            InputChange change{input.name, from, candidate, input.unit, false, scratch.total, scratch.verdict, fails_by(scratch)};
            // "At least" (or "at most") must hold further on too: twice as far from `from` (within
            // the input's bounds) is tried. It may not, where the value now is out of the metric's
            // reach (x / opt with opt at 0): then the change is to that value. A bound reached
            // first may be where the metric has no value (capital 0 under jobs / capital): then
            // halfway to it is tried instead.
            const double twice = candidate + (candidate - from);
            double further = twice;
            if (input.min) further = std::max(further, *input.min);
            if (input.max) further = std::min(further, *input.max);
            auto holds_at = [&](double value) {
                changed.numbers[input.slot] = value;
                evaluate(rules_, changed, scratch);
                return reached(scratch);
            };
            change.exact = !holds_at(further) && (further == twice || !holds_at(candidate + (further - candidate) / 2));
            return change;
        }
        return std::nullopt;
    }

    // The first reason a changed proposal fails, if it does.
    std::string fails_by(const Evaluation& changed) const {
        if (changed.verdict != Verdict::fail) return "";
        for (std::uint32_t g = 0; g < rules_.gates.size(); ++g)
            if (!changed.gates[g].passed) return "gate '" + rules_.gates[g].id + "' fails";
        for (std::uint32_t g = 0; g < rules_.groups.size(); ++g)
            if (changed.groups[g].below_minimum) {
                const auto [score, minimum] = texts_apart(changed.groups[g].score, changed.parameters.group_minimums[g]);
                return "group '" + rules_.groups[g].id + "' scores " + score + ", below its minimum " + minimum;
            }
        const auto [total, pass_score] = texts_apart(changed.total, changed.parameters.pass_score);
        return "the total " + total + " is below the pass score " + pass_score;
    }

    void pass_target(std::uint32_t i, Advice& advice) {
        if (e_.verdict == Verdict::pass) {
            advice.pass_note = "already passes";
            return;
        }
        for (std::uint32_t g = 0; g < rules_.gates.size(); ++g)
            if (!e_.gates[g].passed) {
                advice.pass_note = "not reachable by this criterion alone: gate '" + rules_.gates[g].id + "' fails";
                return;
            }
        const std::uint32_t group = rules_.criteria[i].group;
        for (std::uint32_t g = 0; g < rules_.groups.size(); ++g)
            if (g != group && e_.groups[g].below_minimum) {
                advice.pass_note = "not reachable by this criterion alone: group '" + rules_.groups[g].id + "' is below its minimum";
                return;
            }
        const Parameters& p = e_.parameters;
        const CompiledGroup& cg = rules_.groups[group];
        double criteria_weight = 0, groups_weight = 0;
        for (std::uint32_t k = cg.first_criterion; k < cg.first_criterion + cg.criterion_count; ++k)
            if (!e_.criteria[k].skipped) criteria_weight += p.criterion_weights[k];
        for (std::uint32_t g = 0; g < rules_.groups.size(); ++g)
            if (!e_.groups[g].skipped) groups_weight += p.group_weights[g];
        // Points here move the group score by w/W per point, and the total by Wg/Wt of that.
        const double per_point_group = p.criterion_weights[i] / criteria_weight;
        const double per_point_total = per_point_group * p.group_weights[group] / groups_weight;
        double needed = advice.points + std::max(0.0, (p.pass_score - e_.total) / per_point_total);
        if (!std::isnan(p.group_minimums[group]))
            needed = std::max(needed, advice.points + (p.group_minimums[group] - e_.groups[group].score) / per_point_group);
        if (needed > 100 + 1e-9) {
            advice.pass_note = "not reachable by this criterion alone: even full points leave the proposal failing";
            return;
        }
        advice.pass = target(i, needed, [](const Evaluation& changed) { return changed.verdict == Verdict::pass; });
    }

    const CompiledRules& rules_;
    const Proposal& proposal_;
    const Evaluation& e_;
    Inverter inverter_;
};

// Where one input, changed alone, makes the proposal pass: the input's values are tried at
// distances from its value now that grow geometrically to its min or max, and each edge of the
// first run of passing values is then found by bisection. Pass or fail need not be monotone in an
// input (less land raises capital per hectare but also workers per hectare), so nothing is solved:
// every value reported was scored.
class PassSearch {
public:
    PassSearch(const CompiledRules& rules, const Proposal& proposal) : rules_(rules), changed_(proposal) {}

    // From the value the proposal gives, one way; or, for an input it leaves out, up from the
    // input's min (or 0, or its max when that is below 0), that value included.
    std::optional<PassingChange> search(const CompiledInput& input, bool up) {
        const bool integer = input.type == InputType::integer;
        const double given = changed_.numbers[input.slot];
        const bool absent = std::isnan(given);
        const double from = absent ? input.min.value_or(std::min(0.0, input.max.value_or(0.0))) : given;
        // Distances that grow by about 5 % a step, from a billionth of the way to the input's bound
        // to all of it (a run of passing values narrower than the step there can be missed). Beyond
        // a bound the proposal would be invalid; without one, up to 1e15 times the value (or 1e15
        // from 0: a capital typed as 0, or in millions, still finds its target), from a millionth of
        // it; and not past zero going down (a negative area or sum is no advice).
        const bool unbounded = up && !input.max;
        const double bound = up ? input.max.value_or(from + std::max(std::fabs(from), 1.0) * 1e15)
                                : input.min.value_or(std::min(from, 0.0));
        const double span = std::fabs(bound - from);
        if (!std::isfinite(span) || (!absent && !(span > 0))) return std::nullopt;  // (one left out: `from` alone is a try)
        const double sign = up ? 1 : -1;
        auto at = [&](double distance) {
            const double v = distance >= span ? bound : from + sign * distance;
            return integer ? (up ? std::ceil(v) : std::floor(v)) : v;
        };
        const double decades = unbounded ? 21 : 9;
        const int steps = static_cast<int>(400 * decades / 9);
        const double ratio = std::pow(10, decades / steps);
        std::vector<double> tried;
        if (absent) tried.push_back(from);
        double distance = span * std::pow(10, -decades);
        for (int k = 0; k <= steps; ++k, distance *= ratio) {
            const double v = at(k == steps ? span : distance);
            if (tried.empty() || v != tried.back()) tried.push_back(v);
        }
        std::size_t first = 0;
        while (first < tried.size() && !passes(input, tried[first])) ++first;
        if (first == tried.size()) return restore(input, given), std::nullopt;
        PassingChange out;
        out.input = input.name;
        out.unit = input.unit;
        out.given = !absent;
        out.from = given;
        out.nearest = absent && first == 0 ? from : edge(input, first == 0 ? from : tried[first - 1], tried[first]);
        std::size_t last = first;
        while (last + 1 < tried.size() && passes(input, tried[last + 1])) ++last;
        const bool to_bound = last + 1 == tried.size();
        out.open_ended = to_bound && span > 0;  // (a single value tried is no range)
        out.farthest = to_bound ? tried[last] : edge(input, tried[last + 1], tried[last]);
        // Round figures for people, each on the side where it still passes.
        out.nearest = rounded(input, out.nearest, up, out.farthest);
        out.farthest = to_bound ? out.farthest : rounded(input, out.farthest, !up, out.nearest);
        restore(input, given);
        return out;
    }

    // The other value of a true/false input; either, for one the proposal leaves out.
    std::optional<PassingChange> flip(const CompiledInput& input) {
        const double given = changed_.numbers[input.slot];
        const bool absent = std::isnan(given);
        std::optional<PassingChange> out;
        for (double value : {1.0, 0.0})
            if (!out && value != given && passes(input, value))
                out = PassingChange{input.name, input.unit, true, !absent, given, value, value, false};
        restore(input, given);
        return out;
    }

    // The other values of an enum input that pass; any, for one the proposal leaves out.
    std::optional<PassingChange> choose(const CompiledInput& input) {
        const double given = changed_.numbers[input.slot];
        const bool absent = std::isnan(given);
        PassingChange out{input.name, input.unit, false, !absent, given, 0, 0, false, absent ? "" : input.values[static_cast<std::size_t>(given)]};
        for (std::size_t k = 0; k < input.values.size(); ++k) {
            if (static_cast<double>(k) == given || !passes(input, static_cast<double>(k))) continue;
            if (out.values.empty()) out.nearest = static_cast<double>(k);
            out.farthest = static_cast<double>(k);
            out.values.push_back(input.values[k]);
        }
        restore(input, given);
        if (out.values.empty()) return std::nullopt;
        return out;
    }

private:
    bool passes(const CompiledInput& input, double value) {
        changed_.numbers[input.slot] = value;
        evaluate(rules_, changed_, scratch_);
        return scratch_.verdict == Verdict::pass;
    }
    void restore(const CompiledInput& input, double from) { changed_.numbers[input.slot] = from; }

    // The passing end of [fails, passes], narrowed until they are neighbours.
    double edge(const CompiledInput& input, double fails, double passes_at) {
        const bool integer = input.type == InputType::integer;
        for (int i = 0; i < 200; ++i) {
            const double mid = integer ? std::floor((fails + passes_at) / 2) : fails + (passes_at - fails) / 2;
            if (integer ? std::fabs(passes_at - fails) <= 1 : (mid == fails || mid == passes_at)) break;
            (passes(input, mid) ? passes_at : fails) = mid;
        }
        return passes_at;
    }

    // `value` at 4, then 6 significant digits, rounded toward `toward` (the other end of the passing
    // run), if it still passes there (one unit further when floating point lands a hair short); else
    // `value` as found.
    double rounded(const CompiledInput& input, double value, bool up, double toward) {
        const bool integer = input.type == InputType::integer;
        for (auto [digits, steps] : {std::pair{4, 0}, {4, 1}, {6, 0}, {6, 1}}) {
            const double candidate = round_safe(value, up, integer, digits, steps);
            if ((up ? candidate <= toward : candidate >= toward) && passes(input, candidate)) return candidate;
        }
        return value;
    }

    const CompiledRules& rules_;
    Proposal changed_;
    Evaluation scratch_;
};

// Whether changing the number input in each slot alone can make the proposal pass at all, from the
// weights: every failing gate must read it, and the criteria that read it, at full points, must
// lift each group below its minimum to it and the total to the pass score. An input that decides
// which criteria apply or which profiles match may do more, and is searched all the same. (A rule
// set of a thousand criteria, one input each, took half a minute to search input by input.)
std::vector<bool> may_pass_alone(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    const Inverter reads(rules, proposal);
    std::vector<bool> decides(rules.number_slots, false);
    for (const CompiledProfile& profile : rules.profiles)
        if (profile.when != no_expr)
            for (std::uint32_t slot : reads.inputs(profile.when)) decides[slot] = true;
    for (const CompiledCriterion& c : rules.criteria)
        if (c.applies_when != no_expr)
            for (std::uint32_t slot : reads.inputs(c.applies_when)) decides[slot] = true;
    std::vector<std::uint32_t> gates_read(rules.number_slots, 0);
    std::uint32_t failing = 0;
    for (std::uint32_t g = 0; g < rules.gates.size(); ++g)
        if (!e.gates[g].passed) {
            ++failing;
            if (rules.gates[g].require != no_expr)
                for (std::uint32_t slot : reads.inputs(rules.gates[g].require)) ++gates_read[slot];
        }
    // What each slot's criteria at full points add to the total, and to each group's score.
    const Parameters& p = e.parameters;
    double groups_weight = 0;
    for (std::uint32_t g = 0; g < rules.groups.size(); ++g)
        if (!e.groups[g].skipped) groups_weight += p.group_weights[g];
    std::vector<double> total_gain(rules.number_slots, 0);
    std::vector<std::vector<double>> group_gain(rules.groups.size());
    for (std::uint32_t g = 0; g < rules.groups.size(); ++g) {
        const CompiledGroup& group = rules.groups[g];
        if (e.groups[g].skipped) continue;
        double criteria_weight = 0;
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i)
            if (!e.criteria[i].skipped) criteria_weight += p.criterion_weights[i];
        group_gain[g].assign(rules.number_slots, 0);
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i) {
            if (e.criteria[i].skipped || rules.criteria[i].expr == no_expr) continue;
            const double gain = (100 - e.criteria[i].points) * p.criterion_weights[i] / criteria_weight;
            for (std::uint32_t slot : reads.inputs(rules.criteria[i].expr)) {
                group_gain[g][slot] += gain;
                total_gain[slot] += gain * p.group_weights[g] / groups_weight;
            }
        }
    }
    constexpr double slack = 1e-9;  // what rounding in the sums above may hide
    std::vector<bool> out(rules.number_slots, true);
    for (std::uint32_t slot = 0; slot < rules.number_slots; ++slot) {
        if (decides[slot]) continue;
        bool reaches = gates_read[slot] == failing && e.total + total_gain[slot] >= p.pass_score - slack;
        for (std::uint32_t g = 0; g < rules.groups.size() && reaches; ++g)
            if (e.groups[g].below_minimum) reaches = e.groups[g].score + group_gain[g][slot] >= p.group_minimums[g] - slack;
        out[slot] = reaches;
    }
    return out;
}

}  // namespace

std::vector<PassingChange> changes_that_pass(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation) {
    std::vector<PassingChange> out;
    if (evaluation.verdict != Verdict::fail) return out;
    const std::vector<bool> may_pass = may_pass_alone(rules, proposal, evaluation);
    PassSearch search(rules, proposal);
    for (const CompiledInput& input : rules.inputs) {
        if (!input.changeable) continue;
        const bool number = input.type == InputType::number || input.type == InputType::integer;
        if (input.type == InputType::boolean || input.type == InputType::enumeration) {
            auto change = input.type == InputType::boolean ? search.flip(input) : search.choose(input);
            if (change) out.push_back(std::move(*change));
            continue;
        }
        if (!number || !may_pass[input.slot]) continue;
        for (bool up : {false, true})
            if (up || !std::isnan(proposal.numbers[input.slot]))  // one left out is searched up from its min
                if (auto change = search.search(input, up)) out.push_back(std::move(*change));
    }
    return out;
}

std::string describe(const PassingChange& change) {
    if (!change.values.empty()) {
        // "\"a\"", "\"a\" or \"b\"", "\"a\", \"b\", \"c\", \"d\", \"e\" or 7 more values" (never "or 1 more")
        const std::size_t shown = change.values.size() <= 6 ? change.values.size() : 5;
        std::string values;
        for (std::size_t k = 0; k < std::min(change.values.size(), shown); ++k) {
            const bool last = k + 1 == change.values.size();
            values += (k == 0 ? "" : last ? " or " : ", ") + ("\"" + change.values[k] + "\"");
        }
        if (change.values.size() > shown) values += " or " + std::to_string(change.values.size() - shown) + " more values";
        return change.given ? "change " + change.input + " from \"" + change.given_value + "\" to " + values
                            : "give " + change.input + " as " + values;
    }
    auto truth = [](double value) { return value != 0 ? "true" : "false"; };
    if (change.boolean)
        return change.given ? "change " + change.input + " from " + truth(change.from) + " to " + truth(change.nearest)
                            : "give " + change.input + " as " + truth(change.nearest);
    const std::string unit = change.unit.empty() ? "" : " " + change.unit;
    const auto [from, nearest] = format_numbers_apart(change.from, change.nearest);
    std::string values = nearest;
    if (change.open_ended) {
        values = (change.raise() ? "at least " : "at most ") + nearest;
    } else if (change.nearest != change.farthest) {
        const auto [low, high] = std::minmax(change.nearest, change.farthest);
        values = "between " + format_number(low) + " and " + format_number(high);
    }
    if (!change.given) return "give " + change.input + " a value of " + values + unit;
    return std::string(change.raise() ? "raise " : "reduce ") + change.input + " from " + from + unit + " to " + values + unit;
}

std::vector<Advice> what_it_takes(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation) {
    return Advisor(rules, proposal, evaluation).run();
}

std::string describe(const InputChange& change) {
    std::string unit = change.unit.empty() ? "" : " " + change.unit;
    const auto [from, to] = format_numbers_apart(change.from, change.to);
    if (change.exact) return "change " + change.input + " from " + from + unit + " to " + to + unit;
    return std::string(change.raise() ? "raise " : "reduce ") + change.input + " from " + from + unit + " to " +
           (change.raise() ? "at least " : "at most ") + to + unit;
}

}  // namespace screener
