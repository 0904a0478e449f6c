// Expressions, compiled: a flat pool of typed nodes that evaluates without name lookups or allocation.
// Private to the engine. "No data" is NaN for numbers, Tri::no_data for booleans and ok=false for
// strings and lists; it propagates through every node except the operands and/or/if skip.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "screener/compile.hpp"
#include "screener/evaluate.hpp"
#include "screener/proposal.hpp"

namespace screener::detail {

// round(x, digits) (SPEC: half away from zero) on x as its shortest decimal text reads, as a person
// reads it: round(1.005, 2) is 1.01 and round(2.675, 2) 2.68, though the doubles nearest both lie
// just below the half (x * 100 rounded, then / 100, gave 1 and 2.68). digits is rounded to a whole
// number; a digits of no data gives no data.
double round_to_digits(double x, double digits);

enum class Type : std::uint8_t { number, boolean, string, list };
std::string_view to_string(Type type);

enum class Tri : std::uint8_t { no, yes, no_data };

// A boolean held as a number (a Proposal's boolean inputs, the plan's registers): NaN is no data,
// 0 false, anything else true.
inline Tri to_tri(double v) { return std::isnan(v) ? Tri::no_data : (v != 0 ? Tri::yes : Tri::no); }

struct Str {
    std::string_view text;
    bool ok = false;
};

struct List {
    const std::string* items = nullptr;
    std::uint32_t size = 0;
    bool ok = false;
};

enum class Op : std::uint8_t {
    // leaves
    number, boolean, string, list,
    input_number, input_boolean, input_string, input_enum, input_list,
    let_number, let_boolean, let_string, let_list,
    // number -> number
    negate, add, subtract, multiply, divide, remainder, min, max, clamp, abs, round, count, len,
    // -> boolean
    logical_not, logical_and, logical_or,
    less, less_equal, greater, greater_equal, equal_number, not_equal_number,
    equal_boolean, not_equal_boolean, equal_string, not_equal_string,
    enum_in_set,   // enum input against a constant set of its values, as a bitmask
    string_in_list,  // contains(list, x) too
    // if(cond, a, b) per result type
    if_number, if_boolean, if_string, if_list,
};

struct Node {
    Op op = Op::number;
    Type type = Type::number;
    bool negated = false;     // for enum_in_set / string_in_list: "not in"
    std::uint32_t a = 0, b = 0, c = 0;  // child nodes, or a slot / let index / pool index
    double number = 0;        // constant value
    std::uint64_t mask = 0;   // enum_in_set: bit i set for enum value i
};

// One instruction of a Plan. Its result goes to register Plan::first_result + its index.
struct Step {
    enum class Code : std::uint8_t {
        // number -> number
        negate, add, subtract, multiply, divide, remainder, min, max, clamp, abs, round, round_digits,
        // -> boolean
        logical_not, logical_and, logical_or,
        less, less_equal, greater, greater_equal, equal_number, not_equal_number,
        equal_boolean, not_equal_boolean,
        enum_in_set,  // a = the input's register, b = index into Plan::masks
        select,       // if(): a = condition, b = then, c = else (numbers or booleans alike)
        // through the tree Evaluator, for what involves strings and lists: a = node
        tree_number, tree_boolean,
        let_string, let_list,  // a = let index, b = its root node
        // keep a number or boolean let's value (register a) where the tree Evaluator reads it: b = let index
        store_let_number, store_let_boolean,
    };
    Code code = Code::add;
    bool negated = false;  // enum_in_set: "not in"
    std::uint32_t a = 0, b = 0, c = 0;  // operand registers, unless noted above
};

// What evaluate() runs: every number and boolean expression that scoring reads (lets, profile
// conditions, gates, criteria), flattened into one straight-line register program. A recursive
// walk over Nodes costs a call and a switch per leaf; here constants and inputs are registers, so
// only operations are steps. Every step runs: its operands have no side effects, so evaluating
// the branch an if() does not take (or the right side of and/or) changes nothing but time.
// Booleans live in registers as numbers: NaN no data, 0 false, anything else true (an input's value
// as the Proposal holds it); steps produce 0, 1 or NaN.
// Registers: [constants][the Proposal's numbers][one per step].
struct Plan {
    static constexpr std::uint32_t no_register = UINT32_MAX;
    std::uint64_t id = 0;           // unique per plan built: a thread loads constants once per plan
    std::vector<double> constants;  // constants[0] is NaN, for an expression that is missing
    std::uint32_t first_input = 0, first_result = 0, input_count = 0;
    std::vector<Step> steps;
    std::vector<std::uint64_t> masks;  // enum_in_set
    bool uses_lets = false;            // some step reads or writes LetValues

    // Registers of the roots scoring reads, by profile / gate / criterion index.
    struct Criterion {
        std::uint32_t value = 0;
        std::uint32_t applies = no_register;  // no_register when the criterion always applies
        bool has_metric = false;
    };
    std::vector<std::uint32_t> profile_when, gate_require;
    std::vector<Criterion> criteria;
    Parameters defaults;  // the parameters before any profile applies

    std::size_t register_count() const { return first_result + steps.size(); }
};

struct Program {
    std::vector<Node> nodes;
    std::vector<std::uint32_t> args;            // variadic arguments (min, max): nodes[i].a = first, .b = count
    std::vector<std::string> strings;           // string constants
    std::vector<std::vector<std::string>> lists;  // list constants
    std::vector<std::vector<std::string>> enum_values;  // per enum input slot: value names by index
    // The input (an index into CompiledRules::inputs) in each number, string and list slot: whom a
    // "no data" reason names.
    std::vector<std::uint32_t> number_slot_inputs, string_slot_inputs, list_slot_inputs;
    Plan plan;  // built by compile() once every expression is in `nodes`
};

// Calls `visit(operand)` for each node an operation reads, in order; leaves (constants, inputs,
// enum_in_set's slot) and lets (whose expressions are nodes of their own) have none. The one list
// of which fields of a Node are operands, for the walks over compiled expressions.
template <typename Visit>
void for_each_operand(const Program& program, const Node& n, Visit visit) {
    switch (n.op) {
        case Op::number: case Op::boolean: case Op::string: case Op::list:
        case Op::input_number: case Op::input_boolean: case Op::input_string: case Op::input_enum: case Op::input_list:
        case Op::enum_in_set:
        case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list:
            return;
        case Op::min: case Op::max:
            for (std::uint32_t k = 0; k < n.b; ++k) visit(program.args[n.a + k]);
            return;
        case Op::negate: case Op::abs: case Op::logical_not: case Op::count: case Op::len:
            visit(n.a);
            return;
        case Op::clamp: case Op::if_number: case Op::if_boolean: case Op::if_string: case Op::if_list:
            visit(n.a), visit(n.b), visit(n.c);
            return;
        default:  // binary operations (round's b is its a when it has no digits)
            visit(n.a), visit(n.b);
    }
}

// Builds program.plan for the compiled rules (whose `program` it is).
void build_plan(const CompiledRules& rules, Program& program);

// Values of the `let`s of one proposal, filled in order before anything reads them.
struct LetValues {
    std::vector<double> numbers;
    std::vector<Tri> booleans;
    std::vector<Str> strings;
    std::vector<List> lists;

    void resize(std::size_t count) {
        numbers.resize(count);
        booleans.resize(count);
        strings.resize(count);
        lists.resize(count);
    }
};

// Fills `lets` with the value of every let for `proposal`, in order.
void compute_lets(const CompiledRules& rules, const Proposal& proposal, LetValues& lets);

// Evaluates expressions for one proposal by walking their nodes. A Remembering evaluator keeps each
// node's value once computed: explanations ask for the same nodes again as they walk down an
// expression, which would make a deep one cost its depth squared. Scoring asks once and keeps nothing.
template <bool Remembering>
class TreeEvaluator {
public:
    TreeEvaluator(const Program& program, const Proposal& proposal, const LetValues& lets)
        : p_(program), in_(proposal), lets_(lets) {
        if constexpr (Remembering) memo_.resize((program.nodes.size() + page - 1) / page);
    }

    static constexpr double no_data = std::numeric_limits<double>::quiet_NaN();

    double number(std::uint32_t i) const { return remembered(i, &Value::number, [&] { return compute_number(i); }); }
    Tri boolean(std::uint32_t i) const { return remembered(i, &Value::boolean, [&] { return compute_boolean(i); }); }
    Str string(std::uint32_t i) const { return remembered(i, &Value::string, [&] { return compute_string(i); }); }
    List list(std::uint32_t i) const { return remembered(i, &Value::list, [&] { return compute_list(i); }); }

private:
    struct Value {  // of one node: the member of its type
        bool known = false;
        Tri boolean = Tri::no_data;
        double number = 0;
        Str string;
        List list;
    };

    template <typename T, typename Compute>
    T remembered(std::uint32_t i, T Value::*member, Compute compute) const {
        if constexpr (Remembering) {
            auto& values = memo_[i / page];
            if (!values) values = std::make_unique<Value[]>(page);
            Value& value = values[i % page];
            if (!value.known) value.*member = compute(), value.known = true;
            return value.*member;
        } else {
            (void)i, (void)member;
            return compute();
        }
    }

    double compute_number(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        switch (n.op) {
            case Op::number: return n.number;
            case Op::input_number: return in_.numbers[n.a];
            case Op::let_number: return lets_.numbers[n.a];
            case Op::negate: return -number(n.a);
            case Op::add: return number(n.a) + number(n.b);
            case Op::subtract: return number(n.a) - number(n.b);
            case Op::multiply: return number(n.a) * number(n.b);
            case Op::divide: {
                double d = number(n.b);
                return d == 0 ? no_data : number(n.a) / d;
            }
            case Op::remainder: return std::fmod(number(n.a), number(n.b));
            case Op::min:
            case Op::max: {
                double best = number(p_.args[n.a]);
                for (std::uint32_t k = 1; k < n.b; ++k) {
                    double v = number(p_.args[n.a + k]);
                    if (std::isnan(v)) return no_data;
                    best = n.op == Op::min ? std::min(best, v) : std::max(best, v);
                }
                return std::isnan(best) ? no_data : best;
            }
            case Op::clamp: {
                double x = number(n.a), lo = number(n.b), hi = number(n.c);
                if (std::isnan(x) || std::isnan(lo) || std::isnan(hi)) return no_data;
                return std::max(lo, std::min(x, hi));
            }
            case Op::abs: return std::fabs(number(n.a));
            case Op::round: {
                double x = number(n.a);
                if (n.b == n.a) return std::round(x);
                return round_to_digits(x, number(n.b));
            }
            case Op::count: {
                List l = list(n.a);
                return l.ok ? static_cast<double>(l.size) : no_data;
            }
            case Op::len: {
                Str s = string(n.a);
                if (!s.ok) return no_data;
                double points = 0;  // UTF-8 code points: every byte that does not continue a sequence
                for (char c : s.text) points += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                return points;
            }
            case Op::if_number: {
                Tri cond = boolean(n.a);
                if (cond == Tri::no_data) return no_data;
                return number(cond == Tri::yes ? n.b : n.c);
            }
            default: return no_data;
        }
    }

    Tri compute_boolean(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        switch (n.op) {
            case Op::boolean: return n.number != 0 ? Tri::yes : Tri::no;
            case Op::input_boolean: return to_tri(in_.numbers[n.a]);
            case Op::let_boolean: return lets_.booleans[n.a];
            case Op::logical_not: {
                Tri v = boolean(n.a);
                return v == Tri::no_data ? v : (v == Tri::yes ? Tri::no : Tri::yes);
            }
            case Op::logical_and: {
                Tri left = boolean(n.a);
                return left == Tri::yes ? boolean(n.b) : left;
            }
            case Op::logical_or: {
                Tri left = boolean(n.a);
                return left == Tri::no ? boolean(n.b) : left;
            }
            case Op::less: return compare(n, [](double x, double y) { return x < y; });
            case Op::less_equal: return compare(n, [](double x, double y) { return x <= y; });
            case Op::greater: return compare(n, [](double x, double y) { return x > y; });
            case Op::greater_equal: return compare(n, [](double x, double y) { return x >= y; });
            case Op::equal_number: return compare(n, [](double x, double y) { return x == y; });
            case Op::not_equal_number: return compare(n, [](double x, double y) { return x != y; });
            case Op::equal_boolean:
            case Op::not_equal_boolean: {
                Tri x = boolean(n.a), y = boolean(n.b);
                if (x == Tri::no_data || y == Tri::no_data) return Tri::no_data;
                return ((x == y) != (n.op == Op::not_equal_boolean)) ? Tri::yes : Tri::no;
            }
            case Op::equal_string:
            case Op::not_equal_string: {
                Str x = string(n.a), y = string(n.b);
                if (!x.ok || !y.ok) return Tri::no_data;
                return ((x.text == y.text) != (n.op == Op::not_equal_string)) ? Tri::yes : Tri::no;
            }
            case Op::enum_in_set: {
                double index = in_.numbers[n.a];
                if (std::isnan(index)) return Tri::no_data;
                bool member = (n.mask >> static_cast<unsigned>(index)) & 1U;
                return member != n.negated ? Tri::yes : Tri::no;
            }
            case Op::string_in_list: {  // a = string, b = list
                Str s = string(n.a);
                List l = list(n.b);
                if (!s.ok || !l.ok) return Tri::no_data;
                bool member = false;
                for (std::uint32_t k = 0; k < l.size && !member; ++k) member = l.items[k] == s.text;
                return member != n.negated ? Tri::yes : Tri::no;
            }
            case Op::if_boolean: {
                Tri cond = boolean(n.a);
                if (cond == Tri::no_data) return cond;
                return boolean(cond == Tri::yes ? n.b : n.c);
            }
            default: return Tri::no_data;
        }
    }

    Str compute_string(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        switch (n.op) {
            case Op::string: return {p_.strings[n.a], true};
            case Op::input_string:
                if (!in_.string_present[n.a]) return {};
                return {in_.strings[n.a], true};
            case Op::input_enum: {
                double index = in_.numbers[n.a];
                if (std::isnan(index)) return {};
                return {p_.enum_values[n.b][static_cast<std::size_t>(index)], true};
            }
            case Op::let_string: return lets_.strings[n.a];
            case Op::if_string: {
                Tri cond = boolean(n.a);
                if (cond == Tri::no_data) return {};
                return string(cond == Tri::yes ? n.b : n.c);
            }
            default: return {};
        }
    }

    List compute_list(std::uint32_t i) const {
        const Node& n = p_.nodes[i];
        switch (n.op) {
            case Op::list: return {p_.lists[n.a].data(), static_cast<std::uint32_t>(p_.lists[n.a].size()), true};
            case Op::input_list: {
                if (!in_.list_present[n.a]) return {};
                const auto& items = in_.lists[n.a];
                return {items.data(), static_cast<std::uint32_t>(items.size()), true};
            }
            case Op::let_list: return lets_.lists[n.a];
            case Op::if_list: {
                Tri cond = boolean(n.a);
                if (cond == Tri::no_data) return {};
                return list(cond == Tri::yes ? n.b : n.c);
            }
            default: return {};
        }
    }

    template <typename Cmp>
    Tri compare(const Node& n, Cmp cmp) const {
        double x = number(n.a), y = number(n.b);
        if (std::isnan(x) || std::isnan(y)) return Tri::no_data;
        return cmp(x, y) ? Tri::yes : Tri::no;
    }

    const Program& p_;
    const Proposal& in_;
    const LetValues& lets_;
    // By node, in pages made when first read: an explanation reads a few nodes of a rule set that
    // may have a million. Empty unless Remembering.
    static constexpr std::size_t page = 256;
    mutable std::vector<std::unique_ptr<Value[]>> memo_;
};

using Evaluator = TreeEvaluator<false>;
using RememberingEvaluator = TreeEvaluator<true>;

}  // namespace screener::detail
