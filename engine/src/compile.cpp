#include "screener/compile.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include <sodium.h>

#include "expr_check.hpp"
#include "lint.hpp"
#include "number_text.hpp"

namespace screener {

namespace {

std::optional<std::uint32_t> find(const std::map<std::string, std::uint32_t, std::less<>>& index, std::string_view id) {
    const auto it = index.find(id);
    return it == index.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace

std::optional<std::uint32_t> CompiledRules::find_criterion(std::string_view id) const { return find(criterion_index, id); }
std::optional<std::uint32_t> CompiledRules::find_group(std::string_view id) const { return find(group_index, id); }
std::optional<std::uint32_t> CompiledRules::find_gate(std::string_view id) const { return find(gate_index, id); }

std::string sha256_hex(std::string_view bytes) {
    if (sodium_init() < 0) throw Error("cannot start libsodium, to hash the rule set");
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * digest.size());
    for (const unsigned char byte : digest) out.append({hex[byte >> 4], hex[byte & 15]});
    return out;
}

namespace detail {

namespace {

// Flattens the expressions scoring reads into program.plan; see Plan in program.hpp.
class PlanBuilder {
public:
    PlanBuilder(const CompiledRules& rules, Program& program)
        : rules_(rules), program_(program), plan_(program.plan), node_register_(program.nodes.size(), Plan::no_register),
          let_register_(rules.lets.size(), 0) {}

    void run() {
        static std::atomic<std::uint64_t> plans_built{0};
        plan_ = Plan{};
        plan_.id = ++plans_built;
        constants();
        plan_.first_input = static_cast<std::uint32_t>(plan_.constants.size());
        plan_.input_count = rules_.number_slots;
        plan_.first_result = plan_.first_input + plan_.input_count;
        // The tree Evaluator reads lets from LetValues: keep them there only if some step uses it.
        plan_.uses_lets = std::any_of(program_.nodes.begin(), program_.nodes.end(), [](const Node& n) { return needs_tree(n.op); }) ||
                          std::any_of(rules_.lets.begin(), rules_.lets.end(), [&](const CompiledLet& let) { return !is_scalar(let.expr); });

        for (std::uint32_t k = 0; k < rules_.lets.size(); ++k) {
            const std::uint32_t root = rules_.lets[k].expr;
            switch (program_.nodes[root].type) {
                case Type::number:
                case Type::boolean:
                    let_register_[k] = reg(root);
                    if (plan_.uses_lets)
                        emit(program_.nodes[root].type == Type::number ? Step::Code::store_let_number : Step::Code::store_let_boolean,
                             let_register_[k], k);
                    break;
                case Type::string: emit(Step::Code::let_string, k, root); break;
                case Type::list: emit(Step::Code::let_list, k, root); break;
            }
        }
        for (const CompiledProfile& profile : rules_.profiles) plan_.profile_when.push_back(reg(profile.when));
        for (const CompiledGate& gate : rules_.gates) plan_.gate_require.push_back(reg(gate.require));
        for (const CompiledCriterion& c : rules_.criteria) {
            const std::uint32_t value = reg(c.expr);
            plan_.criteria.push_back({value, c.applies_when == no_expr ? Plan::no_register : reg(c.applies_when), c.has_metric});
        }
        defaults(plan_.defaults);
    }

private:
    using Code = Step::Code;

    // Ops the plan leaves to the tree Evaluator: those with string or list operands.
    static bool needs_tree(Op op) {
        return op == Op::count || op == Op::len || op == Op::equal_string || op == Op::not_equal_string ||
               op == Op::string_in_list;
    }

    bool is_scalar(std::uint32_t node) const {
        return node == no_expr || program_.nodes[node].type == Type::number || program_.nodes[node].type == Type::boolean;
    }

    // Every constant of the pool gets a register up front (equal bits share one), so that the
    // register layout is fixed before the first step.
    void constants() {
        plan_.constants.push_back(std::numeric_limits<double>::quiet_NaN());
        std::map<std::uint64_t, std::uint32_t> known;
        for (std::size_t i = 0; i < program_.nodes.size(); ++i) {
            const Node& n = program_.nodes[i];
            if (n.op != Op::number && n.op != Op::boolean) continue;
            const double value = n.op == Op::boolean ? (n.number != 0 ? 1.0 : 0.0) : n.number;
            auto [it, fresh] = known.try_emplace(std::bit_cast<std::uint64_t>(value), static_cast<std::uint32_t>(plan_.constants.size()));
            if (fresh) plan_.constants.push_back(value);
            node_register_[i] = it->second;
        }
    }

    void defaults(Parameters& p) const {
        for (const CompiledCriterion& c : rules_.criteria) {
            p.bands.push_back(c.band);
            p.criterion_weights.push_back(c.weight);
        }
        for (const CompiledGroup& g : rules_.groups) {
            p.group_weights.push_back(g.weight);
            p.group_minimums.push_back(g.minimum.value_or(std::nan("")));
        }
        p.pass_score = rules_.pass_score;
    }

    std::uint32_t emit(Code code, std::uint32_t a, std::uint32_t b = 0, std::uint32_t c = 0, bool negated = false) {
        plan_.steps.push_back({code, negated, a, b, c});
        return plan_.first_result + static_cast<std::uint32_t>(plan_.steps.size() - 1);
    }

    // The register holding the value of node i, emitting the steps that compute it (once).
    std::uint32_t reg(std::uint32_t i) {
        if (i == no_expr) return 0;  // the NaN constant: no data
        if (node_register_[i] == Plan::no_register) node_register_[i] = compute(i);
        return node_register_[i];
    }

    std::uint32_t compute(std::uint32_t i) {
        const Node& n = program_.nodes[i];
        if (needs_tree(n.op)) return emit(n.type == Type::number ? Code::tree_number : Code::tree_boolean, i);
        switch (n.op) {
            case Op::input_number:
            case Op::input_boolean: return plan_.first_input + n.a;
            case Op::let_number:
            case Op::let_boolean: return let_register_[n.a];
            case Op::enum_in_set:
                plan_.masks.push_back(n.mask);
                return emit(Code::enum_in_set, plan_.first_input + n.a, static_cast<std::uint32_t>(plan_.masks.size() - 1), 0, n.negated);
            case Op::min:
            case Op::max: {  // a chain of two-operand steps, left to right as the tree folds them
                std::uint32_t result = reg(program_.args[n.a]);
                for (std::uint32_t k = 1; k < n.b; ++k) {
                    const std::uint32_t next = reg(program_.args[n.a + k]);
                    result = emit(n.op == Op::min ? Code::min : Code::max, result, next);
                }
                return result;
            }
            case Op::negate: return emit(Code::negate, reg(n.a));
            case Op::abs: return emit(Code::abs, reg(n.a));
            case Op::logical_not: return emit(Code::logical_not, reg(n.a));
            case Op::round: {
                if (n.b == n.a) return emit(Code::round, reg(n.a));
                const std::uint32_t x = reg(n.a), digits = reg(n.b);
                return emit(Code::round_digits, x, digits);
            }
            case Op::clamp:
            case Op::if_number:
            case Op::if_boolean: {
                const std::uint32_t x = reg(n.a), y = reg(n.b), z = reg(n.c);
                return emit(n.op == Op::clamp ? Code::clamp : Code::select, x, y, z);
            }
            default: {
                const std::uint32_t x = reg(n.a), y = reg(n.b);
                return emit(binary(n.op), x, y);
            }
        }
    }

    static Code binary(Op op) {
        switch (op) {
            case Op::add: return Code::add;
            case Op::subtract: return Code::subtract;
            case Op::multiply: return Code::multiply;
            case Op::divide: return Code::divide;
            case Op::remainder: return Code::remainder;
            case Op::logical_and: return Code::logical_and;
            case Op::logical_or: return Code::logical_or;
            case Op::less: return Code::less;
            case Op::less_equal: return Code::less_equal;
            case Op::greater: return Code::greater;
            case Op::greater_equal: return Code::greater_equal;
            case Op::equal_number: return Code::equal_number;
            case Op::not_equal_number: return Code::not_equal_number;
            case Op::equal_boolean: return Code::equal_boolean;
            case Op::not_equal_boolean: return Code::not_equal_boolean;
            default: throw std::logic_error("build_plan: a node of kind " + std::to_string(static_cast<int>(op)) + " where a number or boolean operation belongs");
        }
    }

    const CompiledRules& rules_;
    const Program& program_;
    Plan& plan_;
    std::vector<std::uint32_t> node_register_;  // no_register until computed
    std::vector<std::uint32_t> let_register_;   // number and boolean lets
};

}  // namespace

void build_plan(const CompiledRules& rules, Program& program) { PlanBuilder(rules, program).run(); }

}  // namespace detail

namespace {

using detail::ExprCompiler;
using detail::number_text;
using detail::Symbol;
using detail::Type;

class Compiler {
public:
    Compiler(const RuleSet& rules, CompileResult& result)
        : in_(rules), diagnostics_(result.diagnostics), program_(std::make_shared<detail::Program>()),
          exprs_(*program_, result.diagnostics) {}

    std::shared_ptr<CompiledRules> run() {
        out_ = std::make_shared<CompiledRules>();
        out_->file = in_.file;
        out_->id = in_.id;
        out_->title = in_.title;
        out_->version = in_.version;
        out_->sha256 = sha256_hex(in_.text);
        out_->pass_score = in_.pass_score.value;
        out_->tests = in_.tests;
        inputs();
        lets();
        gates();
        groups();
        // The first of a repeated id is the one found (a repeat is an error of its own).
        for (std::uint32_t i = 0; i < out_->gates.size(); ++i) out_->gate_index.emplace(out_->gates[i].id, i);
        for (std::uint32_t i = 0; i < out_->groups.size(); ++i) out_->group_index.emplace(out_->groups[i].id, i);
        for (std::uint32_t i = 0; i < out_->criteria.size(); ++i) out_->criterion_index.emplace(out_->criteria[i].id, i);
        profiles();
        if (!has_errors(diagnostics_)) detail::build_plan(*out_, *program_);
        out_->program = program_;
        if (!has_errors(diagnostics_)) detail::lint(*out_, in_, exprs_.use_counts(), diagnostics_);
        return out_;
    }

private:
    void error(const SourceLoc& where, std::string message) {
        diagnostics_.push_back({where, Severity::error, std::move(message)});
    }

    void inputs() {
        for (const InputDecl& decl : in_.inputs) {
            CompiledInput input;
            input.name = decl.name;
            std::stringstream path(decl.name);
            for (std::string part; std::getline(path, part, '.');) input.path.push_back(part);
            input.type = decl.type;
            input.title = decl.title;
            input.description = decl.description;
            input.unit = decl.unit;
            input.required = decl.required;
            input.min = decl.min;
            input.max = decl.max;
            input.values = decl.values;
            input.changeable = decl.changeable;
            input.where = decl.where;
            Symbol symbol;
            symbol.where = decl.where;
            const auto index = static_cast<std::uint32_t>(out_->inputs.size());
            switch (decl.type) {
                case InputType::number:
                case InputType::integer:
                case InputType::boolean:
                case InputType::enumeration:
                    input.slot = out_->number_slots++;
                    program_->number_slot_inputs.push_back(index);
                    symbol.type = decl.type == InputType::boolean ? Type::boolean : Type::number;
                    break;
                case InputType::string:
                    input.slot = out_->string_slots++;
                    program_->string_slot_inputs.push_back(index);
                    symbol.type = Type::string;
                    break;
                case InputType::list:
                    input.slot = out_->list_slots++;
                    program_->list_slot_inputs.push_back(index);
                    symbol.type = Type::list;
                    break;
            }
            if (decl.type == InputType::enumeration) {
                symbol.type = Type::string;
                symbol.is_enum = true;
                program_->enum_values.resize(input.slot + 1);
                program_->enum_values[input.slot] = decl.values;
            }
            symbol.index = input.slot;
            if (decl.default_value) {
                input.default_value = *decl.default_value;
                check_default(decl);
            }
            out_->inputs.push_back(std::move(input));
            // enum_values points into the compiled input, which outlives compilation
            exprs_.declare(decl.name, symbol);
        }
        for (std::size_t i = 0; i < out_->inputs.size(); ++i)
            if (!out_->inputs[i].values.empty()) exprs_.find(out_->inputs[i].name)->enum_values = &out_->inputs[i].values;  // an enum's, or a list's
        // Nested names need their parents to be objects: "a" and "a.b" cannot both be inputs. Each
        // name's prefixes are looked up, not every pair of names compared.
        std::map<std::string_view, std::size_t> index;
        for (std::size_t i = 0; i < out_->inputs.size(); ++i) index.emplace(out_->inputs[i].name, i);
        std::vector<std::size_t> parents;
        for (const auto& child : out_->inputs) {
            parents.clear();
            for (std::size_t dot = child.name.find('.'); dot != std::string::npos; dot = child.name.find('.', dot + 1))
                if (auto it = index.find(std::string_view(child.name).substr(0, dot)); it != index.end()) parents.push_back(it->second);
            std::sort(parents.begin(), parents.end());  // reported in the order the parents are declared
            for (std::size_t parent : parents)
                error(child.where, "input '" + child.name + "' nests inside input '" + out_->inputs[parent].name +
                                       "', which is a value, not an object");
        }
    }

    void check_default(const InputDecl& decl) {
        const nlohmann::json& value = *decl.default_value;
        const std::string what = "default of input '" + decl.name + "'";
        auto bad = [&](const std::string& expected) {
            error(decl.default_where, what + " must be " + expected + ", found " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        };
        switch (decl.type) {
            case InputType::number:
            case InputType::integer: {
                if (!value.is_number()) return bad(decl.type == InputType::number ? "a number" : "a whole number");
                double v = value.get<double>();
                if (decl.type == InputType::integer && v != std::trunc(v)) return bad("a whole number");
                if (decl.min && v < *decl.min) error(decl.default_where, what + " " + number_text(v) + " is below the minimum " + number_text(*decl.min));
                if (decl.max && v > *decl.max) error(decl.default_where, what + " " + number_text(v) + " is above the maximum " + number_text(*decl.max));
                return;
            }
            case InputType::boolean:
                if (!value.is_boolean()) bad("true or false");
                return;
            case InputType::string:
                if (!value.is_string()) bad("text");
                return;
            case InputType::enumeration:
                if (!value.is_string()) return bad("one of its values");
                if (std::find(decl.values.begin(), decl.values.end(), value.get<std::string>()) == decl.values.end())
                    error(decl.default_where, what + " '" + value.get<std::string>() + "' is not one of its values" +
                                                  did_you_mean(value.get<std::string>(), decl.values));
                return;
            case InputType::list:
                if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); }))
                    return bad("a list of text");
                if (!decl.values.empty())
                    for (const auto& item : value)
                        if (std::find(decl.values.begin(), decl.values.end(), item.get<std::string>()) == decl.values.end())
                            return error(decl.default_where, what + " holds '" + item.get<std::string>() + "', which is not one of its values" +
                                                                 did_you_mean(item.get<std::string>(), decl.values));
                return;
        }
    }

    void lets() {
        // Declare every let first, marked not yet defined, so a forward reference gets a precise message.
        for (std::uint32_t i = 0; i < in_.lets.size(); ++i) {
            Symbol symbol;
            symbol.kind = Symbol::Kind::let;
            symbol.index = i;
            symbol.where = in_.lets[i].where;
            symbol.defined = false;
            exprs_.declare(in_.lets[i].name, symbol);
        }
        for (std::uint32_t i = 0; i < in_.lets.size(); ++i) {
            const LetDecl& let = in_.lets[i];
            Symbol* symbol = exprs_.find(let.name);
            exprs_.compiling(symbol);
            auto compiled = exprs_.compile(let.expr, std::nullopt, "let '" + let.name + "'");
            exprs_.compiling(nullptr);
            symbol->defined = true;
            symbol->broken = !compiled;
            if (compiled) symbol->type = compiled->second;
            out_->lets.push_back({let.name, compiled ? compiled->first : no_expr});
        }
    }

    std::uint32_t expression(const ExprText& expr, Type want, const std::string& what) {
        auto compiled = exprs_.compile(expr, want, what);
        return compiled ? compiled->first : no_expr;
    }

    void gates() {
        for (const Gate& gate : in_.gates) {
            CompiledGate out;
            out.id = gate.id;
            out.title = gate.title;
            out.where = gate.where;
            if (!gate.require.text.empty()) out.require = expression(gate.require, Type::boolean, "gate '" + gate.id + "' 'require'");
            if (gate.message) out.message = message_parts(*gate.message, "gate '" + gate.id + "' message");
            out_->gates.push_back(std::move(out));
        }
    }

    // Splits "sector {sector} is not accepted" into text and compiled {expression} parts.
    std::vector<MessagePart> message_parts(const ExprText& message, const std::string& what) {
        std::vector<MessagePart> parts;
        const std::string& text = message.text;
        std::string literal;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text.compare(i, 2, "{{") == 0 || text.compare(i, 2, "}}") == 0) {
                literal += text[i++];
                continue;
            }
            if (text[i] == '}') {
                error(message.at(i), what + " has a '}' without a '{'; write '}}' for a literal brace");
                continue;
            }
            if (text[i] != '{') {
                literal += text[i];
                continue;
            }
            // The '}' that closes it: not one inside a text in the expression ({if(open, "}", "")}).
            std::size_t close = std::string::npos;
            for (std::size_t k = i + 1, quote = 0; k < text.size() && close == std::string::npos; ++k) {
                if (quote != 0) {
                    if (text[k] == '\\') ++k;
                    else if (text[k] == static_cast<char>(quote)) quote = 0;
                } else if (text[k] == '"' || text[k] == '\'') {
                    quote = static_cast<unsigned char>(text[k]);
                } else if (text[k] == '}') {
                    close = k;
                }
            }
            if (close == std::string::npos) {
                error(message.at(i), what + " has a '{' without a closing '}'; write '{{' for a literal brace");
                break;
            }
            if (!literal.empty()) parts.push_back({std::move(literal), no_expr}), literal.clear();
            ExprText inner = message.slice(i + 1, close - i - 1);
            auto compiled = exprs_.compile(inner, std::nullopt, what);
            parts.push_back({inner.text, compiled ? compiled->first : no_expr});
            i = close;
        }
        if (!literal.empty()) parts.push_back({std::move(literal), no_expr});
        return parts;
    }

    void groups() {
        for (std::uint32_t g = 0; g < in_.groups.size(); ++g) {
            const Group& group = in_.groups[g];
            CompiledGroup out;
            out.id = group.id;
            out.title = group.title;
            out.weight = group.weight.value;
            if (group.minimum) out.minimum = group.minimum->value;
            out.where = group.where;
            out.first_criterion = static_cast<std::uint32_t>(out_->criteria.size());
            for (const Criterion& c : group.criteria) {
                CompiledCriterion criterion;
                criterion.id = c.id;
                criterion.title = c.title;
                criterion.unit = c.unit;
                criterion.group = g;
                criterion.weight = c.weight.value;
                criterion.where = c.where;
                const std::string what = "criterion '" + c.id + "'";
                if (c.metric) {
                    criterion.has_metric = true;
                    criterion.expr = expression(*c.metric, Type::number, what + " 'metric'");
                    if (c.zero_at) criterion.band.zero_at = c.zero_at->value;
                    if (c.full_at) criterion.band.full_at = c.full_at->value;
                } else if (c.points) {
                    criterion.expr = expression(*c.points, Type::number, what + " 'points'");
                }
                if (c.applies_when) {
                    criterion.applies_when_text = c.applies_when->text;
                    criterion.applies_when = expression(*c.applies_when, Type::boolean, what + " 'applies_when'");
                }
                out_->criteria.push_back(std::move(criterion));
            }
            out.criterion_count = static_cast<std::uint32_t>(out_->criteria.size()) - out.first_criterion;
            out_->groups.push_back(std::move(out));
        }
    }

    void profiles() {
        std::vector<std::string> targets;
        for (const auto& c : out_->criteria) targets.push_back(c.id);
        for (const auto& g : out_->groups) targets.push_back(g.id);
        targets.push_back("decision.pass_score");
        for (const Profile& profile : in_.profiles) {
            CompiledProfile out;
            out.title = profile.title;
            out.where = profile.where;
            if (!profile.when.text.empty()) out.when = expression(profile.when, Type::boolean, "a profile's 'when'");
            std::set<std::string> unknown;  // targets reported: once, however many keys they are given
            for (const ProfileSetting& setting : profile.settings) {
                Override o;
                o.value = setting.value.value;
                if (setting.target == "decision") {
                    if (setting.key != "pass_score") {
                        error(setting.key_where, "a profile cannot set '" + setting.key + "' of 'decision'; it can set pass_score" +
                                                       did_you_mean(setting.key, {"pass_score"}));
                        continue;
                    }
                    o.target = Override::Target::pass_score;
                } else if (auto c = out_->find_criterion(setting.target)) {
                    o.index = *c;
                    const bool metric = out_->criteria[*c].has_metric;
                    if (setting.key == "zero_at" && metric) o.target = Override::Target::criterion_zero_at;
                    else if (setting.key == "full_at" && metric) o.target = Override::Target::criterion_full_at;
                    else if (setting.key == "weight") o.target = Override::Target::criterion_weight;
                    else {
                        std::vector<std::string> keys = metric ? std::vector<std::string>{"zero_at", "full_at", "weight"}
                                                               : std::vector<std::string>{"weight"};
                        error(setting.key_where, "a profile cannot set '" + setting.key + "' of criterion '" + setting.target +
                                                       "'; it can set " + (metric ? "zero_at, full_at or weight" : "weight (it scores by points)") +
                                                       did_you_mean(setting.key, keys));
                        continue;
                    }
                } else if (auto g = out_->find_group(setting.target)) {
                    o.index = *g;
                    if (setting.key == "weight") o.target = Override::Target::group_weight;
                    else if (setting.key == "minimum") o.target = Override::Target::group_minimum;
                    else {
                        error(setting.key_where, "a profile cannot set '" + setting.key + "' of group '" + setting.target +
                                                       "'; it can set weight or minimum" +
                                                       did_you_mean(setting.key, {"weight", "minimum"}));
                        continue;
                    }
                } else {
                    if (unknown.insert(setting.target).second)
                        error(setting.target_where, "a profile sets unknown criterion or group '" + setting.target + "'" +
                                                       (diagnostics_.size() < suggestions_until ? did_you_mean(setting.target, targets) : ""));
                    continue;
                }
                bool is_weight = o.target == Override::Target::criterion_weight || o.target == Override::Target::group_weight;
                if (is_weight && !(o.value > 0))
                    error(setting.value.where, "a profile sets weight " + number_text(o.value) + " for '" + setting.target +
                                                   "'; weights must be greater than 0");
                bool is_score = o.target == Override::Target::group_minimum || o.target == Override::Target::pass_score;
                if (is_score && (o.value < 0 || o.value > 100))
                    error(setting.value.where, "a profile sets " + setting.key + " " + number_text(o.value) + ", outside 0..100");
                out.overrides.push_back(o);
            }
            out_->profiles.push_back(std::move(out));
        }
    }

    const RuleSet& in_;
    Diagnostics& diagnostics_;
    std::shared_ptr<detail::Program> program_;
    ExprCompiler exprs_;
    std::shared_ptr<CompiledRules> out_;
};

}  // namespace

CompileResult compile(const RuleSet& rules) {
    CompileResult result;
    auto compiled = Compiler(rules, result).run();
    sort_by_location(result.diagnostics);
    if (!has_errors(result.diagnostics)) result.rules = std::move(compiled);
    return result;
}

namespace {

// A loaded rule set compiled, after what loading it said; one that failed to load is not compiled.
CompileResult compile_loaded(LoadedRules loaded) {
    if (has_errors(loaded.diagnostics)) return CompileResult{nullptr, std::move(loaded.diagnostics)};
    CompileResult result = compile(loaded.rules);
    result.diagnostics.insert(result.diagnostics.begin(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    return result;
}

}  // namespace

CompileResult compile_file(const std::string& path) { return compile_loaded(load_rules_file(path)); }
CompileResult compile_default() { return compile_loaded(load_default_rules()); }

}  // namespace screener
