// Stage 4, evaluate: one bound proposal scored against the compiled plan (SPEC section 3).
// evaluate() reads the plan only; reusing an Evaluation across calls allocates nothing per proposal.
// Explanations (gate messages, "no data" reasons) come from the same plan, on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "screener/compile.hpp"
#include "screener/proposal.hpp"

namespace screener {

enum class Verdict : std::uint8_t { pass, fail, invalid };
std::string_view to_string(Verdict verdict);

struct GateResult {
    bool passed = false;
    bool no_data = false;  // the condition could not be computed; the gate fails closed
};

struct CriterionResult {
    double value = 0;      // the metric, or the points expression before clamping; NaN = no data
    double points = 0;
    bool skipped = false;  // applies_when false (or no data)
    bool no_data = false;
};

struct GroupResult {
    double score = 0;
    bool skipped = false;        // every criterion skipped
    bool below_minimum = false;
};

// The parameters in force for one proposal once matching profiles are applied.
struct Parameters {
    std::vector<Band> bands;               // per criterion
    std::vector<double> criterion_weights;
    std::vector<double> group_weights;
    std::vector<double> group_minimums;    // NaN when none
    double pass_score = 0;
    std::vector<std::uint32_t> profiles;   // indexes of the profiles that matched, in order
};

struct Evaluation {
    Verdict verdict = Verdict::fail;
    double total = 0;
    std::vector<GateResult> gates;
    std::vector<GroupResult> groups;
    std::vector<CriterionResult> criteria;
    Parameters parameters;
};

void evaluate(const CompiledRules& rules, const Proposal& proposal, Evaluation& out);
// The same for many proposals, out[k] for proposals[k] (the spans are the same size): faster than
// one at a time, as each step of the plan runs over this many proposals at once.
inline constexpr std::size_t evaluation_lanes = 16;
void evaluate(const CompiledRules& rules, std::span<const Proposal> proposals, std::span<Evaluation> out);
Evaluation evaluate(const CompiledRules& rules, const Proposal& proposal);

// A failed gate's message with its {expressions} filled in; "" when the gate has no message.
std::string gate_message(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation, std::uint32_t gate);
// Why a criterion or gate has no data: "optional input 'x' is missing" or "division by zero in ...".
std::string no_data_reason(const CompiledRules& rules, const Proposal& proposal, std::uint32_t expr);
// Human-readable reasons the proposal fails (empty for a pass).
std::vector<std::string> fail_reasons(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);

}  // namespace screener

namespace screener {

// An evaluation explained for reports: everything a report shows about one proposal, by id and in
// words, detached from the plan. `screener rank` rebuilds these from streamed NDJSON results.
struct CriterionOutcome {
    std::string id, title, unit;
    bool has_metric = false;
    Band band;
    double value = 0;       // NaN: no data (or skipped)
    double points = 0;
    double weight = 1;
    bool skipped = false;
    std::string reason;     // why skipped or without data; "" otherwise
};

struct GroupOutcome {
    std::string id, title;
    double score = 0;
    double weight = 1;
    std::optional<double> minimum;
    bool skipped = false;
    std::vector<CriterionOutcome> criteria;
};

struct GateOutcome {
    std::string id, title;
    bool passed = false;
    std::string message;    // the interpolated message of a failed gate
};

struct Result {
    std::string id, name, source;
    Verdict verdict = Verdict::invalid;
    double score = 0;
    double pass_score = 0;
    std::vector<std::string> profiles;  // titles of the profiles that applied
    std::vector<GateOutcome> gates;
    std::vector<GroupOutcome> groups;
    std::vector<std::string> reasons;   // why it fails or is invalid
};

Result explain(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);
// explain's Result without the gates' and groups' outcomes (`gates` and `groups` left empty): what a
// ranking table or a test case shows, for a fraction of the work.
Result explain_verdict(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);
// The pieces of explain(), for renderers that write straight from the plan (ResultJson):
// a failed gate's message with why it had no data, "" when none;
std::string gate_explanation(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation,
                             std::uint32_t gate);
// why a criterion was skipped or had no data, "" when it scored;
std::string criterion_reason(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation,
                             std::uint32_t criterion);
// a profile as reports name it: its title, or where it is defined.
std::string profile_name(const CompiledRules& rules, std::uint32_t profile);
Result explain(const InvalidProposal& invalid);
// Marks a result whose id an earlier proposal already used: it becomes invalid (or, if it already
// is, gains the reason, once). The first proposal with an id keeps it.
void mark_repeated_id(Result& result);
// Binds-or-not and evaluates: the one call a batch makes per proposal.
Result score(const CompiledRules& rules, const BoundProposal& bound, Evaluation& scratch);

}  // namespace screener
