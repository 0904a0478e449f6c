#include "screener/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "program.hpp"

namespace screener {

namespace detail {

void compute_lets(const CompiledRules& rules, const Proposal& proposal, LetValues& lets) {
    lets.resize(rules.lets.size());
    Evaluator eval(*rules.program, proposal, lets);
    for (std::uint32_t i = 0; i < rules.lets.size(); ++i) {
        const std::uint32_t root = rules.lets[i].expr;
        switch (rules.program->nodes[root].type) {
            case Type::number: lets.numbers[i] = eval.number(root); break;
            case Type::boolean: lets.booleans[i] = eval.boolean(root); break;
            case Type::string: lets.strings[i] = eval.string(root); break;
            case Type::list: lets.lists[i] = eval.list(root); break;
        }
    }
}

}  // namespace detail

std::string_view to_string(Verdict verdict) {
    static constexpr std::string_view names[] = {"pass", "fail", "invalid"};
    return names[static_cast<int>(verdict)];
}

namespace {

using detail::compute_lets;
using detail::Evaluator;
using detail::LetValues;
using detail::to_tri;
using detail::Tri;
using detail::Type;
using Code = detail::Step::Code;

constexpr double no_data = std::numeric_limits<double>::quiet_NaN();

double from_tri(Tri t) { return t == Tri::no_data ? no_data : (t == Tri::yes ? 1.0 : 0.0); }

template <typename Cmp>
double compare(double x, double y, Cmp cmp) {
    if (std::isnan(x) || std::isnan(y)) return no_data;
    return cmp(x, y) ? 1.0 : 0.0;
}

// One thread's working memory for run_plan, reused from proposal to proposal.
struct Scratch {
    std::vector<double> registers;
    std::uint64_t plan = 0;  // the id of the plan whose constants are in `registers`
    LetValues lets;          // only for plans that use the tree Evaluator
};

// Runs the rules' plan for one proposal and returns its registers. Each step computes what the
// tree Evaluator computes for its node, with the same operations in the same order.
const double* run_plan(const CompiledRules& rules, const Proposal& proposal, Scratch& scratch) {
    const detail::Program& program = *rules.program;
    const detail::Plan& plan = program.plan;
    if (scratch.plan != plan.id) {  // steps never write the constants: load them once per plan
        scratch.registers.resize(plan.register_count());
        std::copy(plan.constants.begin(), plan.constants.end(), scratch.registers.begin());
        scratch.plan = plan.id;
    }
    double* r = scratch.registers.data();
    const std::size_t inputs = std::min<std::size_t>(proposal.numbers.size(), plan.input_count);
    for (std::size_t i = 0; i < inputs; ++i) r[plan.first_input + i] = proposal.numbers[i];
    LetValues& lets = scratch.lets;
    if (plan.uses_lets) lets.resize(rules.lets.size());
    const Evaluator tree(program, proposal, lets);

    double* result = r + plan.first_result;
    for (const detail::Step& s : plan.steps) {
        double& out = *result++;
        switch (s.code) {
            case Code::negate: out = -r[s.a]; break;
            case Code::add: out = r[s.a] + r[s.b]; break;
            case Code::subtract: out = r[s.a] - r[s.b]; break;
            case Code::multiply: out = r[s.a] * r[s.b]; break;
            case Code::divide: out = r[s.b] == 0 ? no_data : r[s.a] / r[s.b]; break;
            case Code::remainder: out = std::fmod(r[s.a], r[s.b]); break;
            case Code::min:
            case Code::max: {
                const double x = r[s.a], y = r[s.b];
                if (std::isnan(x) || std::isnan(y)) out = no_data;
                else out = s.code == Code::min ? std::min(x, y) : std::max(x, y);
                break;
            }
            case Code::clamp: {
                const double x = r[s.a], lo = r[s.b], hi = r[s.c];
                out = std::isnan(x) || std::isnan(lo) || std::isnan(hi) ? no_data : std::max(lo, std::min(x, hi));
                break;
            }
            case Code::abs: out = std::fabs(r[s.a]); break;
            case Code::round: out = std::round(r[s.a]); break;
            case Code::round_digits: {
                const double x = r[s.a], digits = r[s.b];
                if (std::isnan(digits)) {
                    out = no_data;
                } else {
                    const double scale = std::pow(10.0, std::round(digits));
                    out = std::round(x * scale) / scale;
                }
                break;
            }
            case Code::logical_not: {
                const Tri v = to_tri(r[s.a]);
                out = v == Tri::no_data ? no_data : (v == Tri::yes ? 0.0 : 1.0);
                break;
            }
            case Code::logical_and: out = to_tri(r[s.a]) == Tri::yes ? r[s.b] : r[s.a]; break;
            case Code::logical_or: out = to_tri(r[s.a]) == Tri::no ? r[s.b] : r[s.a]; break;
            case Code::less: out = compare(r[s.a], r[s.b], [](double x, double y) { return x < y; }); break;
            case Code::less_equal: out = compare(r[s.a], r[s.b], [](double x, double y) { return x <= y; }); break;
            case Code::greater: out = compare(r[s.a], r[s.b], [](double x, double y) { return x > y; }); break;
            case Code::greater_equal: out = compare(r[s.a], r[s.b], [](double x, double y) { return x >= y; }); break;
            case Code::equal_number: out = compare(r[s.a], r[s.b], [](double x, double y) { return x == y; }); break;
            case Code::not_equal_number: out = compare(r[s.a], r[s.b], [](double x, double y) { return x != y; }); break;
            case Code::equal_boolean:
            case Code::not_equal_boolean: {
                const Tri x = to_tri(r[s.a]), y = to_tri(r[s.b]);
                if (x == Tri::no_data || y == Tri::no_data) out = no_data;
                else out = (x == y) != (s.code == Code::not_equal_boolean) ? 1.0 : 0.0;
                break;
            }
            case Code::enum_in_set: {
                const double index = r[s.a];
                if (std::isnan(index)) {
                    out = no_data;
                } else {
                    const bool member = (plan.masks[s.b] >> static_cast<unsigned>(index)) & 1U;
                    out = member != s.negated ? 1.0 : 0.0;
                }
                break;
            }
            case Code::select: {
                const Tri cond = to_tri(r[s.a]);
                out = cond == Tri::no_data ? no_data : r[cond == Tri::yes ? s.b : s.c];
                break;
            }
            case Code::tree_number: out = tree.number(s.a); break;
            case Code::tree_boolean: out = from_tri(tree.boolean(s.a)); break;
            case Code::let_string: lets.strings[s.a] = tree.string(s.b); break;
            case Code::let_list: lets.lists[s.a] = tree.list(s.b); break;
            case Code::store_let_number: lets.numbers[s.b] = r[s.a]; break;
            case Code::store_let_boolean: lets.booleans[s.b] = to_tri(r[s.a]); break;
        }
    }
    return r;
}

// p = defaults, into p's storage (no allocation once it has grown). Element loops: for the few
// values of a rule set they cost less than the memmove calls of vector assignment.
void set_defaults(const Parameters& defaults, Parameters& p) {
    const std::size_t criteria = defaults.bands.size(), groups = defaults.group_weights.size();
    p.bands.resize(criteria);
    p.criterion_weights.resize(criteria);
    for (std::size_t i = 0; i < criteria; ++i) {
        p.bands[i] = defaults.bands[i];
        p.criterion_weights[i] = defaults.criterion_weights[i];
    }
    p.group_weights.resize(groups);
    p.group_minimums.resize(groups);
    for (std::size_t g = 0; g < groups; ++g) {
        p.group_weights[g] = defaults.group_weights[g];
        p.group_minimums[g] = defaults.group_minimums[g];
    }
    p.pass_score = defaults.pass_score;
    p.profiles.clear();
}

void apply(const Override& o, Parameters& p) {
    switch (o.target) {
        case Override::Target::criterion_zero_at: p.bands[o.index].zero_at = o.value; break;
        case Override::Target::criterion_full_at: p.bands[o.index].full_at = o.value; break;
        case Override::Target::criterion_weight: p.criterion_weights[o.index] = o.value; break;
        case Override::Target::group_weight: p.group_weights[o.index] = o.value; break;
        case Override::Target::group_minimum: p.group_minimums[o.index] = o.value; break;
        case Override::Target::pass_score: p.pass_score = o.value; break;
    }
}

double band_points(double value, const Band& band) {
    if (band.zero_at == band.full_at)  // a step: full points at or beyond the threshold
        return value >= band.full_at ? 100.0 : 0.0;
    double t = (value - band.zero_at) / (band.full_at - band.zero_at);
    if (std::isnan(t)) t = (value > band.zero_at) == (band.full_at > band.zero_at) ? 1.0 : 0.0;  // inf / inf at the range's edges
    return 100.0 * std::clamp(t, 0.0, 1.0);
}

std::string format_value(const Evaluator& eval, const detail::Program& program, std::uint32_t expr) {
    switch (program.nodes[expr].type) {
        case Type::number: {
            double v = eval.number(expr);
            if (std::isnan(v)) return "(no data)";
            std::ostringstream out;
            out.precision(12);
            out << v;
            return out.str();
        }
        case Type::boolean: {
            Tri v = eval.boolean(expr);
            return v == Tri::no_data ? "(no data)" : (v == Tri::yes ? "true" : "false");
        }
        case Type::string: {
            detail::Str s = eval.string(expr);
            return s.ok ? std::string(s.text) : "(no data)";
        }
        case Type::list: {
            detail::List l = eval.list(expr);
            if (!l.ok) return "(no data)";
            std::string out = "[";
            for (std::uint32_t k = 0; k < l.size; ++k) out += (k ? ", " : "") + l.items[k];
            return out + "]";
        }
    }
    return "";
}

}  // namespace

void evaluate(const CompiledRules& rules, const Proposal& proposal, Evaluation& out) {
    thread_local Scratch scratch;
    const double* value = run_plan(rules, proposal, scratch);
    const detail::Plan& plan = rules.program->plan;

    Parameters& params = out.parameters;
    set_defaults(plan.defaults, params);
    for (std::uint32_t i = 0; i < plan.profile_when.size(); ++i) {
        if (to_tri(value[plan.profile_when[i]]) != Tri::yes) continue;  // no data counts as false
        params.profiles.push_back(i);
        for (const Override& o : rules.profiles[i].overrides) apply(o, params);
    }
    // The loops below work through pointers taken once: the compiler cannot tell that storing a
    // result leaves the vectors alone, and would reload their data pointers after every store.
    const Band* bands = params.bands.data();
    const double* criterion_weights = params.criterion_weights.data();
    const double* group_weights = params.group_weights.data();
    const double* group_minimums = params.group_minimums.data();

    bool failed = false;
    const std::size_t gate_count = plan.gate_require.size();
    out.gates.resize(gate_count);
    GateResult* gates = out.gates.data();
    for (std::size_t i = 0; i < gate_count; ++i) {
        Tri result = to_tri(value[plan.gate_require[i]]);
        gates[i] = {result == Tri::yes, result == Tri::no_data};
        failed |= result != Tri::yes;
    }

    const std::size_t criterion_count = plan.criteria.size();
    out.criteria.resize(criterion_count);
    CriterionResult* criteria = out.criteria.data();
    for (std::size_t i = 0; i < criterion_count; ++i) {
        // Field by field, not through a CriterionResult on the stack: copying that whole after its
        // fields were stored one by one stalls store forwarding, a fifth of this function's time.
        const detail::Plan::Criterion& c = plan.criteria[i];
        const bool skipped = c.applies != detail::Plan::no_register && to_tri(value[c.applies]) != Tri::yes;
        const double v = skipped ? 0.0 : value[c.value];
        const bool no_data = std::isnan(v);
        criteria[i].value = v;
        criteria[i].points = skipped || no_data ? 0.0 : c.has_metric ? band_points(v, bands[i]) : std::clamp(v, 0.0, 100.0);
        criteria[i].skipped = skipped;
        criteria[i].no_data = no_data;
    }

    const std::size_t group_count = rules.groups.size();
    out.groups.resize(group_count);
    GroupResult* groups = out.groups.data();
    double total_weight = 0, total_sum = 0;
    for (std::size_t g = 0; g < group_count; ++g) {
        const std::uint32_t first = rules.groups[g].first_criterion, end = first + rules.groups[g].criterion_count;
        double weight = 0, sum = 0;
        for (std::uint32_t i = first; i < end; ++i) {
            if (criteria[i].skipped) continue;
            weight += criterion_weights[i];
            sum += criterion_weights[i] * criteria[i].points;
        }
        if (!std::isfinite(sum) || !std::isfinite(weight)) {  // weights near the double range: scale them down
            double largest = 0;
            for (std::uint32_t i = first; i < end; ++i)
                if (!criteria[i].skipped) largest = std::max(largest, criterion_weights[i]);
            weight = sum = 0;
            for (std::uint32_t i = first; i < end; ++i) {
                if (criteria[i].skipped) continue;
                weight += criterion_weights[i] / largest;
                sum += criterion_weights[i] / largest * criteria[i].points;
            }
        }
        const bool skipped = weight == 0;
        const double score = skipped ? 0 : sum / weight;
        const bool below_minimum = !skipped && !std::isnan(group_minimums[g]) && score < group_minimums[g];
        groups[g].score = score;
        groups[g].skipped = skipped;
        groups[g].below_minimum = below_minimum;
        failed |= below_minimum;
        if (!skipped) {
            total_weight += group_weights[g];
            total_sum += group_weights[g] * score;
        }
    }
    if (!std::isfinite(total_sum) || !std::isfinite(total_weight)) {  // as above, for group weights
        double largest = 0;
        for (std::size_t g = 0; g < group_count; ++g)
            if (!groups[g].skipped) largest = std::max(largest, group_weights[g]);
        total_weight = total_sum = 0;
        for (std::size_t g = 0; g < group_count; ++g) {
            if (groups[g].skipped) continue;
            total_weight += group_weights[g] / largest;
            total_sum += group_weights[g] / largest * groups[g].score;
        }
    }
    out.total = total_weight == 0 ? 0 : total_sum / total_weight;
    failed |= !(out.total >= params.pass_score);  // a total that is not a number never passes
    out.verdict = failed ? Verdict::fail : Verdict::pass;
}

Evaluation evaluate(const CompiledRules& rules, const Proposal& proposal) {
    Evaluation out;
    evaluate(rules, proposal, out);
    return out;
}

std::string gate_message(const CompiledRules& rules, const Proposal& proposal, const Evaluation&, std::uint32_t gate) {
    const auto& parts = rules.gates[gate].message;
    if (parts.empty()) return "";
    LetValues lets;
    compute_lets(rules, proposal, lets);
    Evaluator eval(*rules.program, proposal, lets);
    std::string out;
    for (const MessagePart& part : parts)
        out += part.expr == no_expr ? part.text : format_value(eval, *rules.program, part.expr);
    return out;
}

namespace {

// Follows "no data" from an expression down to where it starts: a missing input, or an operation
// (division by zero, an overflow) whose operands all had data. Only operands that were evaluated
// and themselves had no data are followed, so an input in an untaken branch is never blamed.
class NoDataTracer {
public:
    NoDataTracer(const CompiledRules& rules, const Proposal& proposal)
        : rules_(rules), program_(*rules.program), proposal_(proposal), eval_(program_, proposal, lets_) {
        compute_lets(rules, proposal, lets_);
    }

    void trace(std::uint32_t i) {
        using detail::Op;
        const detail::Node& n = program_.nodes[i];
        switch (n.op) {
            case Op::input_number: case Op::input_boolean: case Op::input_enum: case Op::enum_in_set:
            case Op::input_string: case Op::input_list:
                for (const auto& input : rules_.inputs)
                    if (input.slot == n.a && slot_kind(input.type) == slot_kind_of(n.op)) missing_.insert(input.name);
                return;
            case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list:
                if (!traced_lets_.insert(n.a).second) return;  // once per let (lets reuse lets: 2^n otherwise)
                return trace(rules_.lets[n.a].expr);
            default:
                break;
        }
        std::vector<std::uint32_t> operands;
        switch (n.op) {
            case Op::min: case Op::max:
                for (std::uint32_t k = 0; k < n.b; ++k) operands.push_back(program_.args[n.a + k]);
                break;
            case Op::negate: case Op::abs: case Op::logical_not: case Op::count: case Op::len:
                operands = {n.a};
                break;
            case Op::logical_and: case Op::logical_or:  // the right side only when the left did not decide
                operands = {n.a};
                if (eval_.boolean(n.a) == (n.op == Op::logical_and ? Tri::yes : Tri::no)) operands.push_back(n.b);
                break;
            case Op::if_number: case Op::if_boolean: case Op::if_string: case Op::if_list: {
                Tri cond = eval_.boolean(n.a);
                operands = {cond == Tri::no_data ? n.a : (cond == Tri::yes ? n.b : n.c)};
                break;
            }
            case Op::clamp:
                operands = {n.a, n.b, n.c};
                break;
            default:
                operands = {n.a, n.b};
        }
        bool followed = false;
        for (std::uint32_t operand : operands)
            if (no_data(operand)) trace(operand), followed = true;
        if (!followed) origin_ = n.op == Op::divide || n.op == Op::remainder ? "division by zero" : "a value out of range";
    }

    std::string reason() const {
        std::string missing;
        for (const auto& name : missing_) missing += (missing.empty() ? "'" : ", '") + name + "'";
        if (!missing.empty()) return "no data: " + missing + " not given";
        return "no data: " + (origin_.empty() ? std::string("a value out of range") : origin_);
    }

private:
    static int slot_kind(InputType type) { return type == InputType::string ? 1 : type == InputType::list ? 2 : 0; }
    static int slot_kind_of(detail::Op op) { return op == detail::Op::input_string ? 1 : op == detail::Op::input_list ? 2 : 0; }

    bool no_data(std::uint32_t i) const {
        switch (program_.nodes[i].type) {
            case Type::number: return std::isnan(eval_.number(i));
            case Type::boolean: return eval_.boolean(i) == Tri::no_data;
            case Type::string: return !eval_.string(i).ok;
            case Type::list: return !eval_.list(i).ok;
        }
        return false;
    }

    const CompiledRules& rules_;
    const detail::Program& program_;
    const Proposal& proposal_;
    LetValues lets_;
    Evaluator eval_;
    std::set<std::string> missing_;
    std::set<std::uint32_t> traced_lets_;
    std::string origin_;
};

}  // namespace

std::string no_data_reason(const CompiledRules& rules, const Proposal& proposal, std::uint32_t expr) {
    NoDataTracer tracer(rules, proposal);
    tracer.trace(expr);
    return tracer.reason();
}

std::vector<std::string> fail_reasons(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    std::vector<std::string> reasons;
    for (std::uint32_t i = 0; i < rules.gates.size(); ++i) {
        if (e.gates[i].passed) continue;
        std::string message = gate_message(rules, proposal, e, i);
        std::string reason = "gate '" + rules.gates[i].id + "' failed";
        if (e.gates[i].no_data) reason += " (" + no_data_reason(rules, proposal, rules.gates[i].require) + ")";
        if (!message.empty()) reason += ": " + message;
        reasons.push_back(reason);
    }
    auto two_decimals = [](double v) { return fmt::format(FMT_COMPILE("{:.2f}"), v); };
    for (std::size_t g = 0; g < rules.groups.size(); ++g)
        if (e.groups[g].below_minimum)
            reasons.push_back("group '" + rules.groups[g].id + "' scored " + two_decimals(e.groups[g].score) +
                              ", below its minimum " + two_decimals(e.parameters.group_minimums[g]));
    if (!(e.total >= e.parameters.pass_score))
        reasons.push_back("total score " + two_decimals(e.total) + " is below the pass score " + two_decimals(e.parameters.pass_score));
    return reasons;
}

}  // namespace screener
