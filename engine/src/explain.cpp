// An evaluation explained in words: the Result reports show, and the pieces of it (gate messages,
// reasons, profile names) that ResultJson writes without building a Result.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <memory>
#include <set>
#include <span>
#include <sstream>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "program.hpp"
#include "screener/evaluate.hpp"
#include "utf8.hpp"

namespace screener {

namespace {

using detail::LetValues;
using detail::RememberingEvaluator;
using detail::Tri;
using detail::Type;

// A value as a gate's message shows it.
std::string format_value(const RememberingEvaluator& eval, const detail::Program& program, std::uint32_t expr) {
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
            return s.ok ? detail::shortened(std::string(s.text.substr(0, message_value_bytes + 1)), message_value_bytes) : "(no data)";
        }
        case Type::list: {
            detail::List l = eval.list(expr);
            if (!l.ok) return "(no data)";
            std::string out = "[";
            for (std::uint32_t k = 0; k < l.size && out.size() <= message_value_bytes; ++k)  // no more of an item than is shown
                out.append(k ? ", " : "").append(l.items[k], 0, message_value_bytes + 1 - std::min(out.size(), message_value_bytes));
            return detail::shortened(out + "]", message_value_bytes);
        }
    }
    return "";
}

// Where "no data" started when no input was missing: an operation whose operands all had data. A
// division by zero names its cause, so it is the one reported when a reason finds both.
enum class Origin : std::uint8_t { none, out_of_range, division };

// What following "no data" through a let found: the inputs missing (their names, sorted), or the
// operation that gave no data.
struct LetTrace {
    std::vector<std::string_view> missing;
    Origin origin = Origin::none;
};
using LetTraces = std::vector<std::unique_ptr<const LetTrace>>;  // by let; null until traced

// Follows "no data" from an expression down to where it starts: a missing input, or an operation
// (division by zero, a value beyond the doubles) whose operands all had data. Only operands that
// were evaluated and themselves had no data are followed, so an input in an untaken branch is never
// blamed. A let is followed once per proposal, whatever the number of reasons that reach it (`lets`).
class NoDataTracer {
public:
    NoDataTracer(const CompiledRules& rules, const RememberingEvaluator& eval, LetTraces& lets)
        : rules_(rules), program_(*rules.program), eval_(eval), lets_(lets) {}

    void trace(std::uint32_t i) {
        using detail::Op;
        const detail::Node& n = program_.nodes[i];
        switch (n.op) {
            case Op::input_number: case Op::input_boolean: case Op::input_enum: case Op::enum_in_set:
                return missing(program_.number_slot_inputs[n.a]);
            case Op::input_string: return missing(program_.string_slot_inputs[n.a]);
            case Op::input_list: return missing(program_.list_slot_inputs[n.a]);
            case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list: {
                if (!traced_lets_.insert(n.a).second) return;  // once per let (lets reuse lets: 2^n otherwise)
                const LetTrace& let = let_trace(n.a);
                add_missing(let.missing);
                origin_ = std::max(origin_, let.origin);
                return;
            }
            default:
                break;
        }
        bool followed = false;
        auto follow = [&](std::uint32_t operand) {
            if (no_data(operand)) trace(operand), followed = true;
        };
        switch (n.op) {
            case Op::logical_and: case Op::logical_or:  // the right side only when the left did not decide
                follow(n.a);
                if (eval_.boolean(n.a) == (n.op == Op::logical_and ? Tri::yes : Tri::no)) follow(n.b);
                break;
            case Op::if_number: case Op::if_boolean: case Op::if_string: case Op::if_list: {
                Tri cond = eval_.boolean(n.a);
                follow(cond == Tri::no_data ? n.a : (cond == Tri::yes ? n.b : n.c));
                break;
            }
            default:
                detail::for_each_operand(program_, n, follow);
        }
        // A division by zero, or a value beyond the doubles (1e308 * 10, and the NaN of inf % 5)
        const bool by_zero = (n.op == Op::divide || n.op == Op::remainder) && eval_.number(n.b) == 0;
        if (!followed) origin_ = std::max(origin_, by_zero ? Origin::division : Origin::out_of_range);
    }

    std::string reason() {
        settle();
        if (!missing_.empty()) return "no data: " + listed(missing_, "'") + " not given";
        return origin_ == Origin::division ? "no data: division by zero" : "no data: a value out of range";
    }

private:
    // The names missing are kept sorted, each once (the order reasons list them): a let's come so
    // and are merged in; an input's are noted as they come and sorted in when needed. (A set of
    // thousands took 65 ms a proposal when 2,000 reasons each reached a let over 2,000 inputs.)
    void missing(std::uint32_t input) { noted_.push_back(rules_.inputs[input].name); }
    void add_missing(std::span<const std::string_view> names) {
        settle();
        merge(names);
    }
    void settle() {
        if (noted_.empty()) return;
        std::sort(noted_.begin(), noted_.end());
        noted_.erase(std::unique(noted_.begin(), noted_.end()), noted_.end());
        merge(noted_);
        noted_.clear();
    }
    void merge(std::span<const std::string_view> names) {
        merged_.clear();
        std::set_union(missing_.begin(), missing_.end(), names.begin(), names.end(), std::back_inserter(merged_));
        std::swap(missing_, merged_);
    }

    const LetTrace& let_trace(std::uint32_t let) {
        auto& traced = lets_[let];
        if (!traced) {
            NoDataTracer inner(rules_, eval_, lets_);
            inner.trace(rules_.lets[let].expr);
            inner.settle();
            traced = std::make_unique<const LetTrace>(LetTrace{std::move(inner.missing_), inner.origin_});
        }
        return *traced;
    }

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
    const RememberingEvaluator& eval_;
    LetTraces& lets_;
    std::vector<std::string_view> missing_, noted_, merged_;
    std::set<std::uint32_t> traced_lets_;
    Origin origin_ = Origin::none;
};

}  // namespace

Explainer::Explainer(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation)
    : rules_(rules), proposal_(proposal), evaluation_(evaluation) {}

Explainer::~Explainer() = default;

struct Explainer::Shared {
    Shared(const CompiledRules& rules, const Proposal& proposal) : eval(*rules.program, proposal, lets), traces(rules.lets.size()) {
        detail::compute_lets(rules, proposal, lets);  // before eval computes anything
    }

    LetValues lets;
    RememberingEvaluator eval;
    LetTraces traces;
};

Explainer::Shared& Explainer::shared() {
    if (!shared_) shared_ = std::make_unique<Shared>(rules_, proposal_);
    return *shared_;
}

std::string Explainer::message(std::uint32_t gate) {
    const auto& parts = rules_.gates[gate].message;
    if (parts.empty()) return "";
    std::string out;
    for (const MessagePart& part : parts)
        out += part.expr == no_expr ? part.text : format_value(shared().eval, *rules_.program, part.expr);
    return out;
}

std::string Explainer::no_data_reason(std::uint32_t expr) {
    NoDataTracer tracer(rules_, shared().eval, shared().traces);
    tracer.trace(expr);
    return tracer.reason();
}

const Explainer::GateWords& Explainer::gate_words(std::uint32_t gate) {
    static const GateWords none;
    if (rules_.gates[gate].message.empty() && !evaluation_.gates[gate].no_data) return none;  // nothing to work out
    if (gate_words_.empty()) gate_words_.resize(rules_.gates.size());
    std::optional<GateWords>& words = gate_words_[gate];
    if (!words) words = GateWords{message(gate), evaluation_.gates[gate].no_data ? no_data_reason(rules_.gates[gate].require) : ""};
    return *words;
}

std::string Explainer::gate(std::uint32_t gate) {
    const GateResult& result = evaluation_.gates[gate];
    if (result.passed) return "";
    const GateWords& words = gate_words(gate);
    if (!result.no_data) return words.message;
    return words.message.empty() ? words.no_data : words.message + " (" + words.no_data + ")";
}

std::string Explainer::criterion(std::uint32_t criterion) {
    const CompiledCriterion& c = rules_.criteria[criterion];
    if (evaluation_.criteria[criterion].skipped) return "not applicable: " + c.applies_when_text + " is not true";
    if (evaluation_.criteria[criterion].no_data) return no_data_reason(c.expr);
    return "";
}

std::vector<std::string> Explainer::fail_reasons() {
    const Evaluation& e = evaluation_;
    std::vector<std::string> reasons;
    for (std::uint32_t i = 0; i < rules_.gates.size(); ++i) {
        if (e.gates[i].passed) continue;
        const GateWords& words = gate_words(i);
        std::string reason = "gate '" + rules_.gates[i].id + "' failed";
        if (e.gates[i].no_data) reason += " (" + words.no_data + ")";
        if (!words.message.empty()) reason += ": " + words.message;
        reasons.push_back(reason);
    }
    for (std::size_t g = 0; g < rules_.groups.size(); ++g)
        if (e.groups[g].below_minimum) {
            const auto [score, minimum] = texts_apart(e.groups[g].score, e.parameters.group_minimums[g]);
            reasons.push_back("group '" + rules_.groups[g].id + "' scored " + score + ", below its minimum " + minimum);
        }
    if (!(e.total >= e.parameters.pass_score)) {
        const auto [total, pass_score] = texts_apart(e.total, e.parameters.pass_score);
        reasons.push_back("total score " + total + " is below the pass score " + pass_score);
    }
    return reasons;
}

namespace {
// The decimals from 2 up to 17 that tell `a` and `b` apart, and the texts with that many.
std::pair<int, std::pair<std::string, std::string>> apart(double a, double b) {
    int decimals = 2;
    std::pair texts{with_decimals(a, decimals), with_decimals(b, decimals)};
    while (decimals < 17 && a != b && texts.first == texts.second) {
        ++decimals;
        texts = {with_decimals(a, decimals), with_decimals(b, decimals)};
    }
    return {decimals, std::move(texts)};
}
}  // namespace

int decimals_apart(double a, double b) { return apart(a, b).first; }

std::string with_decimals(double value, int decimals) {
    // Half away from zero on the shortest digits that read back as the value, as round() and a
    // spreadsheet's ROUND: 78.125 is 78.13 and 2.675 is 2.68, where printf rounds the double
    // (2.67499…) and takes an exact half to even.
    // From 2^53 on, every double is a whole number, written in full as printf does.
    if (!std::isfinite(value) || value == 0 || std::fabs(value) >= 0x1p53 || decimals < 0 || decimals > 17) {
        std::string text = fmt::format(FMT_COMPILE("{:.{}f}"), value, std::max(decimals, 0));
        return text.find_first_not_of("-0.") == std::string::npos ? text.substr(text[0] == '-') : text;  // no "-0.00"
    }
    // The shortest digits, as significand * 10^exponent, from "d.ddde±xx".
    char shortest[32];
    const char* const end = std::to_chars(shortest, shortest + sizeof shortest, std::fabs(value), std::chars_format::scientific).ptr;
    std::uint64_t significand = 0;  // at most 17 digits
    int digits = 0, exponent = 0;
    const char* c = shortest;
    for (; *c != 'e'; ++c)
        if (*c != '.') significand = significand * 10 + static_cast<std::uint64_t>(*c - '0'), ++digits;
    const bool negative_exponent = c[1] == '-';
    for (c += 2; c < end; ++c) exponent = exponent * 10 + (*c - '0');
    exponent = (negative_exponent ? -exponent : exponent) - (digits - 1);
    if (exponent < -decimals) {
        const int dropped = -decimals - exponent;
        if (dropped >= 18) {  // more than the digits there are: under half the unit kept
            significand = 0;
        } else {
            std::uint64_t unit = 1;
            for (int k = 0; k < dropped; ++k) unit *= 10;
            significand = significand / unit + (significand % unit * 2 >= unit ? 1 : 0);
        }
        exponent = -decimals;
    }
    // The value times 10^decimals in digits (below 2^53 and 17 decimals: at most 34 of them), then
    // laid out with its point, in one buffer: texts of failing results' reasons come through here.
    char figures[48];
    char* last = std::to_chars(figures, figures + 20, significand).ptr;
    last = std::fill_n(last, exponent + decimals, '0');
    const auto count = static_cast<std::size_t>(last - figures), places = static_cast<std::size_t>(decimals);
    const std::size_t whole = count > places ? count - places : 1;  // digits before the point: "0" at least
    char text[64];
    char* o = text;
    if (value < 0 && significand != 0) *o++ = '-';
    if (count > places) o = std::copy_n(figures, whole, o);
    else *o++ = '0';
    if (places > 0) {
        *o++ = '.';
        o = std::fill_n(o, places > count ? places - count : 0, '0');
        o = std::copy(figures + (count > places ? whole : 0), last, o);
    }
    return std::string(text, o);
}

std::pair<std::string, std::string> texts_apart(double a, double b) { return apart(a, b).second; }

std::string profile_name(const CompiledRules& rules, std::uint32_t profile) {
    const CompiledProfile& p = rules.profiles[profile];
    return p.title.empty() ? "profile at line " + std::to_string(p.where.line) : p.title;
}

namespace {

Result verdict(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e, Explainer& why) {
    Result r;
    r.id = proposal.id;
    r.name = proposal.name;
    r.source = proposal.source.str();
    r.verdict = e.verdict;
    r.score = e.total;
    r.pass_score = e.parameters.pass_score;
    for (std::uint32_t p : e.parameters.profiles) r.profiles.push_back(profile_name(rules, p));
    r.reasons = why.fail_reasons();
    return r;
}

}  // namespace

Result explain_verdict(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    Explainer why(rules, proposal, e);
    return verdict(rules, proposal, e, why);
}

Result explain(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    Explainer why(rules, proposal, e);
    Result r = verdict(rules, proposal, e, why);
    r.gates.reserve(rules.gates.size());
    r.groups.reserve(rules.groups.size());
    for (std::uint32_t i = 0; i < rules.gates.size(); ++i)
        r.gates.push_back({rules.gates[i].id, rules.gates[i].title, e.gates[i].passed, why.gate(i)});
    for (std::uint32_t g = 0; g < rules.groups.size(); ++g) {
        const CompiledGroup& group = rules.groups[g];
        GroupOutcome out{group.id, group.title, e.groups[g].score, e.parameters.group_weights[g], std::nullopt, e.groups[g].skipped, {}};
        if (!std::isnan(e.parameters.group_minimums[g])) out.minimum = e.parameters.group_minimums[g];
        out.criteria.reserve(group.criterion_count);
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i) {
            const CompiledCriterion& c = rules.criteria[i];
            const CriterionResult& cr = e.criteria[i];
            CriterionOutcome o;
            o.id = c.id;
            o.title = c.title;
            o.unit = c.unit;
            o.has_metric = c.has_metric;
            o.band = e.parameters.bands[i];
            o.value = cr.skipped || cr.no_data ? std::nan("") : cr.value;  // no data: NaN, beyond the doubles too
            o.points = cr.points;
            o.weight = e.parameters.criterion_weights[i];
            o.skipped = cr.skipped;
            o.reason = why.criterion(i);
            out.criteria.push_back(std::move(o));
        }
        r.groups.push_back(std::move(out));
    }
    return r;
}

Result explain(const InvalidProposal& invalid) {
    Result r;
    r.id = invalid.id;
    r.name = invalid.name;
    r.source = invalid.source.str();
    r.verdict = Verdict::invalid;
    r.reasons = invalid.reasons;
    return r;
}

void mark_repeated_id(Result& result) {
    std::string reason = repeated_id_reason(result.id);
    if (result.verdict == Verdict::invalid) {
        // Once: a result read back (screener rank) may have been marked by the eval that streamed it.
        if (std::find(result.reasons.begin(), result.reasons.end(), reason) == result.reasons.end()) result.reasons.push_back(std::move(reason));
        return;
    }
    result = explain(InvalidProposal{result.id, result.name, SourceLoc{result.source, 0, 0}, {std::move(reason)}});
}

Result score(const CompiledRules& rules, const BoundProposal& bound, Evaluation& scratch) {
    if (const auto* invalid = std::get_if<InvalidProposal>(&bound)) return explain(*invalid);
    const auto& proposal = std::get<Proposal>(bound);
    evaluate(rules, proposal, scratch);
    return explain(rules, proposal, scratch);
}

}  // namespace screener
