#include "screener/compile.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <openssl/evp.h>

#include "expr_check.hpp"
#include "lint.hpp"

namespace screener {

std::optional<std::uint32_t> CompiledRules::find_criterion(std::string_view wanted) const {
    for (std::uint32_t i = 0; i < criteria.size(); ++i)
        if (criteria[i].id == wanted) return i;
    return std::nullopt;
}

std::optional<std::uint32_t> CompiledRules::find_group(std::string_view wanted) const {
    for (std::uint32_t i = 0; i < groups.size(); ++i)
        if (groups[i].id == wanted) return i;
    return std::nullopt;
}

std::optional<std::uint32_t> CompiledRules::find_gate(std::string_view wanted) const {
    for (std::uint32_t i = 0; i < gates.size(); ++i)
        if (gates[i].id == wanted) return i;
    return std::nullopt;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    std::ostringstream out;
    for (unsigned int i = 0; i < length; ++i) out << std::hex << std::setw(2) << std::setfill('0') << int{digest[i]};
    return out.str();
}

namespace {

using detail::ExprCompiler;
using detail::Symbol;
using detail::Type;

std::string format_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

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
        out_->description = in_.description;
        out_->sources = in_.sources;
        out_->sha256 = sha256_hex(in_.text);
        out_->pass_score = in_.pass_score.value;
        out_->tests = in_.tests;
        inputs();
        lets();
        gates();
        groups();
        profiles();
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
            input.where = decl.where;
            Symbol symbol;
            symbol.where = decl.where;
            switch (decl.type) {
                case InputType::number:
                case InputType::integer:
                case InputType::boolean:
                case InputType::enumeration:
                    input.slot = out_->number_slots++;
                    symbol.type = decl.type == InputType::boolean ? Type::boolean : Type::number;
                    break;
                case InputType::string:
                    input.slot = out_->string_slots++;
                    symbol.type = Type::string;
                    break;
                case InputType::list:
                    input.slot = out_->list_slots++;
                    symbol.type = Type::list;
                    break;
            }
            if (decl.type == InputType::enumeration) {
                symbol.type = Type::string;
                symbol.is_enum = true;
                symbol.enum_table = input.slot;
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
            if (out_->inputs[i].type == InputType::enumeration) exprs_.find(out_->inputs[i].name)->enum_values = &out_->inputs[i].values;
        // Nested names need their parents to be objects: "a" and "a.b" cannot both be inputs.
        for (const auto& parent : out_->inputs)
            for (const auto& child : out_->inputs)
                if (child.name.size() > parent.name.size() && child.name.compare(0, parent.name.size() + 1, parent.name + ".") == 0)
                    error(child.where, "input '" + child.name + "' nests inside input '" + parent.name +
                                           "', which is a value, not an object");
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
                if (decl.min && v < *decl.min) error(decl.default_where, what + " " + format_number(v) + " is below the minimum " + format_number(*decl.min));
                if (decl.max && v > *decl.max) error(decl.default_where, what + " " + format_number(v) + " is above the maximum " + format_number(*decl.max));
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
                    bad("a list of text");
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
            out.description = gate.description;
            out.where = gate.where;
            out.require_text = gate.require.text;
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
            std::size_t close = text.find('}', i);
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
            out.description = group.description;
            out.weight = group.weight.value;
            if (group.minimum) out.minimum = group.minimum->value;
            out.where = group.where;
            out.first_criterion = static_cast<std::uint32_t>(out_->criteria.size());
            for (const Criterion& c : group.criteria) {
                CompiledCriterion criterion;
                criterion.id = c.id;
                criterion.title = c.title;
                criterion.description = c.description;
                criterion.unit = c.unit;
                criterion.group = g;
                criterion.weight = c.weight.value;
                criterion.where = c.where;
                const std::string what = "criterion '" + c.id + "'";
                if (c.metric) {
                    criterion.has_metric = true;
                    criterion.expr_text = c.metric->text;
                    criterion.expr = expression(*c.metric, Type::number, what + " 'metric'");
                    if (c.zero_at) criterion.band.zero_at = c.zero_at->value;
                    if (c.full_at) criterion.band.full_at = c.full_at->value;
                } else if (c.points) {
                    criterion.expr_text = c.points->text;
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
            out.when_text = profile.when.text;
            if (!profile.when.text.empty()) out.when = expression(profile.when, Type::boolean, "a profile's 'when'");
            for (const ProfileSetting& setting : profile.settings) {
                Override o;
                o.value = setting.value.value;
                if (setting.target == "decision") {
                    if (setting.key != "pass_score") {
                        error(setting.key_where, "a profile cannot set '" + setting.key + "' of 'decision'; it can set pass_score");
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
                    error(setting.target_where, "a profile sets unknown criterion or group '" + setting.target + "'" +
                                                   did_you_mean(setting.target, targets));
                    continue;
                }
                bool is_weight = o.target == Override::Target::criterion_weight || o.target == Override::Target::group_weight;
                if (is_weight && !(o.value > 0))
                    error(setting.value.where, "a profile sets weight " + format_number(o.value) + "; weights must be greater than 0");
                bool is_score = o.target == Override::Target::group_minimum || o.target == Override::Target::pass_score;
                if (is_score && (o.value < 0 || o.value > 100))
                    error(setting.value.where, "a profile sets " + setting.key + " " + format_number(o.value) + ", outside 0..100");
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

CompileResult compile_file(const std::string& path) {
    LoadedRules loaded = load_rules_file(path);
    if (has_errors(loaded.diagnostics)) return CompileResult{nullptr, std::move(loaded.diagnostics)};
    CompileResult result = compile(loaded.rules);
    result.diagnostics.insert(result.diagnostics.begin(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    return result;
}

CompileResult compile_default() {
    LoadedRules loaded = load_default_rules();
    if (has_errors(loaded.diagnostics)) return CompileResult{nullptr, std::move(loaded.diagnostics)};
    return compile(loaded.rules);
}

}  // namespace screener
