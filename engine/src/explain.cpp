// The words of an explained result, shared by explain() and the renderers that skip building a Result.
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

}  // namespace screener
