#include "screener/evaluate.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

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

// c ? yes : no, without a branch. Whether a value is below or above a band depends on the data and
// cannot be predicted; a mispredicted branch costs more than the rest of the criterion.
double pick(bool c, double yes, double no) {
    const std::uint64_t mask = -static_cast<std::uint64_t>(c);
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(yes) & mask) | (std::bit_cast<std::uint64_t>(no) & ~mask));
}

// std::clamp, without a branch.
double clamp(double x, double lo, double hi) { return pick(x < lo, lo, pick(hi < x, hi, x)); }

// run_plan scores up to this many proposals at once, each in its own lane of every register. A step
// then costs one dispatch for all of them, and runs as a few vector instructions: GCC's vector
// extension does arithmetic, comparisons and ?: lane by lane, without branches (a branch on the
// data, such as an if() on a yes/no input, is mispredicted half the time).
constexpr std::size_t lanes = evaluation_lanes;
using Vector = double __attribute__((vector_size(16)));      // two lanes: one SSE2 register, which every x86-64 has
using Mask = std::int64_t __attribute__((vector_size(16)));  // a comparison's: -1 true, 0 false
struct alignas(64) Register {  // one value per lane
    Vector v[lanes / 2];
};

double lane(const Register& r, std::size_t k) { return r.v[k / 2][k % 2]; }
void set_lane(Register& r, std::size_t k, double value) { r.v[k / 2][k % 2] = value; }

// One thread's working memory for run_plan, reused from batch to batch.
struct Scratch {
    std::vector<Register> registers;
    std::uint64_t plan = 0;       // the id of the plan whose constants are in `registers`
    std::vector<LetValues> lets;  // per lane, only for plans that use the tree Evaluator
};

// Runs the rules' plan for proposals[0, n), n <= lanes, and returns the registers. Each step
// computes what the tree Evaluator computes for its node, bit for bit (fuzz_expression checks it;
// tests/fuzz_regressions/expression/step-*.txt pin each kind of step). Vector steps compute the
// vectors that hold the n lanes (with an odd n, also the lane after the last, harmlessly); steps
// that call a function, only the n lanes.
const Register* run_plan(const CompiledRules& rules, const Proposal* proposals, std::size_t n, Scratch& scratch) {
    const detail::Program& program = *rules.program;
    const detail::Plan& plan = program.plan;
    std::vector<Register>& registers = scratch.registers;
    if (scratch.plan != plan.id) {  // steps never write the constants: load them once per plan
        registers.assign(plan.register_count(), Register{});
        for (std::size_t i = 0; i < plan.constants.size(); ++i)  // set, not added to 0: 0 + -0 is +0
            for (Vector& v : registers[i].v) v = Vector{plan.constants[i], plan.constants[i]};
        scratch.plan = plan.id;
    }
    for (std::size_t k = 0; k < n; ++k) {
        const std::vector<double>& numbers = proposals[k].numbers;
        const std::size_t inputs = std::min<std::size_t>(numbers.size(), plan.input_count);
        for (std::size_t i = 0; i < inputs; ++i) set_lane(registers[plan.first_input + i], k, numbers[i]);
    }
    if (plan.uses_lets) {
        scratch.lets.resize(lanes);
        for (std::size_t k = 0; k < n; ++k) scratch.lets[k].resize(rules.lets.size());
    }

    const Vector nan = Vector{} + no_data, one = Vector{} + 1.0, zero{};
    auto is_nan = [](Vector x) { return x != x; };
    auto truth = [&](Mask m) { return m ? one : zero; };
    Register* out = registers.data() + plan.first_result;
    for (const detail::Step& s : plan.steps) {
        Register& o = *out++;
        // o = f(a, b, c), a vector at a time. A step without a second or third operand has 0 there:
        // register 0 (the NaN constant) is read and not used.
        auto vectors = [&](auto f) {
            const Register &x = registers[s.a], &y = registers[s.b], &z = registers[s.c];
            for (std::size_t j = 0; j < (n + 1) / 2; ++j) o.v[j] = f(x.v[j], y.v[j], z.v[j]);
        };
        // f(x, y) where both operands have data; no data where either has none.
        auto with_data = [&](auto f) {
            vectors([&](Vector x, Vector y, Vector) { return (is_nan(x) | is_nan(y)) ? nan : f(x, y); });
        };
        // For the steps that call a function, lane by lane: the lanes that hold a proposal.
        auto each = [&](auto f) { for (std::size_t k = 0; k < n; ++k) f(k); };
        auto a = [&](std::size_t k) { return lane(registers[s.a], k); };
        auto b = [&](std::size_t k) { return lane(registers[s.b], k); };
        auto set = [&](std::size_t k, double value) { set_lane(o, k, value); };
        auto tree = [&](auto f) { each([&](std::size_t k) { f(k, Evaluator(program, proposals[k], scratch.lets[k])); }); };
        switch (s.code) {
            case Code::negate: vectors([](Vector x, Vector, Vector) { return -x; }); break;
            case Code::add: vectors([](Vector x, Vector y, Vector) { return x + y; }); break;
            case Code::subtract: vectors([](Vector x, Vector y, Vector) { return x - y; }); break;
            case Code::multiply: vectors([](Vector x, Vector y, Vector) { return x * y; }); break;
            case Code::divide: vectors([&](Vector x, Vector y, Vector) { return y == 0 ? nan : x / y; }); break;
            case Code::remainder: each([&](std::size_t k) { set(k, std::fmod(a(k), b(k))); }); break;
            case Code::min: with_data([](Vector x, Vector y) { return y < x ? y : x; }); break;  // as std::min
            case Code::max: with_data([](Vector x, Vector y) { return x < y ? y : x; }); break;  // as std::max
            case Code::clamp:  // std::max(lo, std::min(x, hi))
                vectors([&](Vector x, Vector lo, Vector hi) {
                    const Vector below = hi < x ? hi : x;
                    return (is_nan(x) | is_nan(lo) | is_nan(hi)) ? nan : (lo < below ? below : lo);
                });
                break;
            case Code::abs: each([&](std::size_t k) { set(k, std::fabs(a(k))); }); break;
            case Code::round: each([&](std::size_t k) { set(k, std::round(a(k))); }); break;
            case Code::round_digits:
                each([&](std::size_t k) { set(k, detail::round_to_digits(a(k), b(k))); });
                break;
            case Code::logical_not: vectors([&](Vector x, Vector, Vector) { return is_nan(x) ? nan : truth(x == 0); }); break;
            case Code::logical_and:  // x yes: y; x no or no data: x
                vectors([](Vector x, Vector y, Vector) { return ((x == x) & (x != 0)) ? y : x; });
                break;
            case Code::logical_or: vectors([](Vector x, Vector y, Vector) { return x == 0 ? y : x; }); break;
            case Code::less: with_data([&](Vector x, Vector y) { return truth(x < y); }); break;
            case Code::less_equal: with_data([&](Vector x, Vector y) { return truth(x <= y); }); break;
            case Code::greater: with_data([&](Vector x, Vector y) { return truth(x > y); }); break;
            case Code::greater_equal: with_data([&](Vector x, Vector y) { return truth(x >= y); }); break;
            case Code::equal_number: with_data([&](Vector x, Vector y) { return truth(x == y); }); break;
            case Code::not_equal_number: with_data([&](Vector x, Vector y) { return truth(x != y); }); break;
            case Code::equal_boolean: with_data([&](Vector x, Vector y) { return truth((x != 0) == (y != 0)); }); break;
            case Code::not_equal_boolean: with_data([&](Vector x, Vector y) { return truth((x != 0) != (y != 0)); }); break;
            case Code::enum_in_set: {
                const std::uint64_t mask = plan.masks[s.b];
                each([&](std::size_t k) {
                    const double index = a(k);
                    set(k, std::isnan(index) ? no_data : static_cast<double>(((mask >> static_cast<unsigned>(index)) & 1U) != s.negated));
                });
                break;
            }
            case Code::select: vectors([&](Vector x, Vector y, Vector z) { return is_nan(x) ? nan : (x != 0 ? y : z); }); break;
            case Code::tree_number: tree([&](std::size_t k, const Evaluator& e) { set(k, e.number(s.a)); }); break;
            case Code::tree_boolean: tree([&](std::size_t k, const Evaluator& e) { set(k, from_tri(e.boolean(s.a))); }); break;
            case Code::let_string: tree([&](std::size_t k, const Evaluator& e) { scratch.lets[k].strings[s.a] = e.string(s.b); }); break;
            case Code::let_list: tree([&](std::size_t k, const Evaluator& e) { scratch.lets[k].lists[s.a] = e.list(s.b); }); break;
            case Code::store_let_number: each([&](std::size_t k) { scratch.lets[k].numbers[s.b] = a(k); }); break;
            case Code::store_let_boolean: each([&](std::size_t k) { scratch.lets[k].booleans[s.b] = to_tri(a(k)); }); break;
        }
    }
    return registers.data();
}

// p = defaults, into p's storage (no allocation once it has grown). Element loops: for
// the few values of a rule set they cost less than the memmove calls of vector assignment.
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

// What evaluate() does for one proposal once the plan has run: parameters, gates, criteria, groups
// and verdict. `k` is the proposal's lane.
void score_lane(const CompiledRules& rules, const Register* registers, std::size_t k, Evaluation& out) {
    const detail::Plan& plan = rules.program->plan;
    auto value = [&](std::uint32_t reg) { return lane(registers[reg], k); };

    Parameters& params = out.parameters;
    set_defaults(plan.defaults, params);
    for (std::uint32_t i = 0; i < plan.profile_when.size(); ++i) {
        if (to_tri(value(plan.profile_when[i])) != Tri::yes) continue;  // no data counts as false
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
        Tri result = to_tri(value(plan.gate_require[i]));
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
        const bool skipped = c.applies != detail::Plan::no_register && to_tri(value(c.applies)) != Tri::yes;
        const double v = skipped ? 0.0 : value(c.value);
        const bool no_data = !std::isfinite(v);  // beyond the doubles too: no report could write it (explain makes it NaN)
        criteria[i].value = v;
        criteria[i].points = skipped || no_data ? 0.0 : c.has_metric ? band_points(v, bands[i]) : clamp(v, 0.0, 100.0);
        criteria[i].skipped = skipped;
        criteria[i].no_data = no_data;
    }

    const std::size_t group_count = rules.groups.size();
    out.groups.resize(group_count);
    GroupResult* groups = out.groups.data();
    // Weighted means. One of equal points is those points exactly, where sum / weight may round
    // (three criteria at 60 weighing 0.1 each made 59.99999999999999, short of a minimum of 60):
    // equal, that is, to the first one's, which are 0 when it is skipped. (Tracking the smallest and
    // largest value to clamp the mean cost 7% of evaluation alone.)
    double total_weight = 0, total_sum = 0, total_first = 0;
    bool total_equal = true;
    for (std::size_t g = 0; g < group_count; ++g) {
        const std::uint32_t first = rules.groups[g].first_criterion, end = first + rules.groups[g].criterion_count;
        const double first_points = criteria[first].points;
        double weight = 0, sum = 0;
        bool equal = true;
        for (std::uint32_t i = first; i < end; ++i) {
            if (criteria[i].skipped) continue;
            weight += criterion_weights[i];
            sum += criterion_weights[i] * criteria[i].points;
            equal &= criteria[i].points == first_points;
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
        const double score = skipped ? 0 : equal ? first_points : sum / weight;
        const bool below_minimum = !skipped && !std::isnan(group_minimums[g]) && score < group_minimums[g];
        groups[g].score = score;
        groups[g].skipped = skipped;
        groups[g].below_minimum = below_minimum;
        failed |= below_minimum;
        if (g == 0) total_first = score;
        if (!skipped) {
            total_weight += group_weights[g];
            total_sum += group_weights[g] * score;
            total_equal &= score == total_first;
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
    out.total = total_weight == 0 ? 0 : total_equal ? total_first : total_sum / total_weight;
    failed |= !(out.total >= params.pass_score);  // a total that is not a number never passes
    out.verdict = failed ? Verdict::fail : Verdict::pass;
}

}  // namespace

double detail::round_to_digits(double x, double digits) {
    if (std::isnan(digits)) return std::numeric_limits<double>::quiet_NaN();
    if (!std::isfinite(x) || x == 0) return x;
    // x is significand * 10^exponent, the shortest digits that read back as x; `dropped` of them go.
    const auto decimal = fmt::detail::dragonbox::to_decimal(std::fabs(x));
    const double dropped = -std::round(digits) - decimal.exponent;
    if (dropped <= 0) return x;
    if (dropped >= 18) return std::copysign(0.0, x);  // under half the unit kept: at most 17 digits
    std::uint64_t unit = 1;
    for (int k = 0; k < static_cast<int>(dropped); ++k) unit *= 10;
    const std::uint64_t kept = decimal.significand / unit + (decimal.significand % unit * 2 >= unit ? 1 : 0);  // half away from zero
    // kept * 10^(exponent + dropped), read as text so that the double is the one nearest it
    char text[48];
    const auto written = fmt::format_to_n(text, sizeof text - 1, "{}e{}", kept, decimal.exponent + static_cast<int>(dropped));
    double rounded = 0;
    if (std::from_chars(text, written.out, rounded).ec == std::errc::result_out_of_range) rounded = std::numeric_limits<double>::infinity();
    return std::copysign(rounded, x);
}

double band_points(double value, const Band& band) {
    if (band.zero_at == band.full_at)  // a step: full points at or beyond the threshold
        return value >= band.full_at ? 100.0 : 0.0;
    // Multiplied first, as by hand: 57 on a band of 0 to 100 is 57 points, where 100 * 0.57 is
    // 56.99999999999999, short of a pass score of 57. Divided first only where 100x would overflow.
    const double above = value - band.zero_at, span = band.full_at - band.zero_at;
    double p = 100.0 * above / span;
    if (!std::isfinite(p)) {  // rare: 100x beyond the doubles, or inf / inf at the range's edges
        p = 100.0 * (above / span);
        if (std::isnan(p)) p = (value > band.zero_at) == (band.full_at > band.zero_at) ? 100.0 : 0.0;
    }
    return clamp(p, 0.0, 100.0);
}

void evaluate(const CompiledRules& rules, std::span<const Proposal> proposals, std::span<Evaluation> out) {
    if (out.size() != proposals.size()) throw std::invalid_argument("evaluate: one Evaluation is needed per proposal");
    thread_local Scratch scratch;
    for (std::size_t first = 0; first < proposals.size(); first += lanes) {
        const std::size_t n = std::min(lanes, proposals.size() - first);
        const Register* registers = run_plan(rules, proposals.data() + first, n, scratch);
        for (std::size_t k = 0; k < n; ++k) score_lane(rules, registers, k, out[first + k]);
    }
}

void evaluate(const CompiledRules& rules, const Proposal& proposal, Evaluation& out) {
    evaluate(rules, std::span(&proposal, 1), std::span(&out, 1));
}

Evaluation evaluate(const CompiledRules& rules, const Proposal& proposal) {
    Evaluation out;
    evaluate(rules, proposal, out);
    return out;
}

}  // namespace screener
