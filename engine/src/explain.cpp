// An evaluation explained in words: the Result reports show, and the pieces of it (gate messages,
// reasons, profile names) that ResultJson writes without building a Result.
#include <algorithm>
#include <cmath>

#include "screener/evaluate.hpp"

namespace screener {

std::string gate_explanation(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e, std::uint32_t gate) {
    if (e.gates[gate].passed) return "";
    std::string message = gate_message(rules, proposal, e, gate);
    if (!e.gates[gate].no_data) return message;
    std::string why = no_data_reason(rules, proposal, rules.gates[gate].require);
    return message.empty() ? why : message.append(" (").append(why).append(")");
}

std::string criterion_reason(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e, std::uint32_t criterion) {
    const CompiledCriterion& c = rules.criteria[criterion];
    if (e.criteria[criterion].skipped) return "not applicable: " + c.applies_when_text + " is not true";
    if (e.criteria[criterion].no_data) return no_data_reason(rules, proposal, c.expr);
    return "";
}

std::string profile_name(const CompiledRules& rules, std::uint32_t profile) {
    const CompiledProfile& p = rules.profiles[profile];
    return p.title.empty() ? "profile at line " + std::to_string(p.where.line) : p.title;
}

Result explain_verdict(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    Result r;
    r.id = proposal.id;
    r.name = proposal.name;
    r.source = proposal.source.str();
    r.verdict = e.verdict;
    r.score = e.total;
    r.pass_score = e.parameters.pass_score;
    for (std::uint32_t p : e.parameters.profiles) r.profiles.push_back(profile_name(rules, p));
    r.reasons = fail_reasons(rules, proposal, e);
    return r;
}

Result explain(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    Result r = explain_verdict(rules, proposal, e);
    r.gates.reserve(rules.gates.size());
    r.groups.reserve(rules.groups.size());
    for (std::uint32_t i = 0; i < rules.gates.size(); ++i)
        r.gates.push_back({rules.gates[i].id, rules.gates[i].title, e.gates[i].passed, gate_explanation(rules, proposal, e, i)});
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
            o.value = cr.skipped ? std::nan("") : cr.value;
            o.points = cr.points;
            o.weight = e.parameters.criterion_weights[i];
            o.skipped = cr.skipped;
            o.reason = criterion_reason(rules, proposal, e, i);
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
