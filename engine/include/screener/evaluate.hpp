// Stage 4, evaluate: one bound proposal scored against the compiled plan (SPEC section 3).
// evaluate() reads the plan only; reusing an Evaluation across calls allocates nothing per proposal.
// Explanations (gate messages, "no data" reasons) come from the same plan, on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
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
    double value = 0;      // the metric, or the points expression before clamping: NaN, or beyond the doubles, with no_data
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

// The points a metric's value earns on a band (SPEC section 3): 100 * (value - zero_at) / (full_at -
// zero_at), clamped to 0..100; a band whose ends meet is a step, full points at or beyond them.
double band_points(double value, const Band& band);

// Decimals that tell `a` from `b`: 2, or more where two would show them equal, so that a score
// below its threshold never reads as equal to it (59.996 and 60 are "59.996" and "60.000").
int decimals_apart(double a, double b);
// `value` with `decimals` decimals, rounded half away from zero as round() does (78.125 is "78.13"),
// no "-0.00".
std::string with_decimals(double value, int decimals);
// `a` and `b`, each with the decimals that tell them apart: ("59.996", "60.000"), ("61.50", "60.00").
std::pair<std::string, std::string> texts_apart(double a, double b);

// A value put in a gate's message is cut to this many bytes (then "..."): a message stays short
// whatever a proposal's text or list holds.
inline constexpr std::size_t message_value_bytes = 100;

// One evaluated proposal explained in words, piece by piece, for the reports: a failed gate's
// message (its {expressions} filled in) and why it had no data, why a criterion was skipped or had
// no data, why the proposal fails. What the pieces share is worked out once, when first needed, and
// kept: the proposal's lets and every value computed (a rule set may have thousands of lets, and
// every message and reason may read any of them). Holds references to its arguments, which must
// outlive it.
class Explainer {
public:
    Explainer(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);
    ~Explainer();
    Explainer(const Explainer&) = delete;
    Explainer& operator=(const Explainer&) = delete;

    // A failed gate's message, with why it had no data: "" for a passed gate or one with neither.
    std::string gate(std::uint32_t gate);
    // Why a criterion was skipped or had no data, "" when it scored.
    std::string criterion(std::uint32_t criterion);
    // Why the proposal fails, in words, one reason per failed gate, group below its minimum and a
    // total below the pass score (empty for a pass).
    std::vector<std::string> fail_reasons();

private:
    // A failed gate's message and why it had no data ("" when it had), worked out once: a report
    // shows them with the gate and again in the reasons the proposal fails.
    struct GateWords {
        std::string message, no_data;
    };
    const GateWords& gate_words(std::uint32_t gate);
    std::string message(std::uint32_t gate);
    // "no data: 'x', 'y' not given" or "no data: division by zero" for an expression without data.
    std::string no_data_reason(std::uint32_t expr);
    struct Shared;
    Shared& shared();

    const CompiledRules& rules_;
    const Proposal& proposal_;
    const Evaluation& evaluation_;
    std::unique_ptr<Shared> shared_;  // null until first needed
    std::vector<std::optional<GateWords>> gate_words_;  // by gate, each once needed
};

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
// A profile as reports name it: its title, or where it is defined.
std::string profile_name(const CompiledRules& rules, std::uint32_t profile);
Result explain(const InvalidProposal& invalid);
// Marks a result whose id an earlier proposal already used: it becomes invalid (or, if it already
// is, gains the reason, once). The first proposal with an id keeps it.
void mark_repeated_id(Result& result);
// Binds-or-not and evaluates: the one call a batch makes per proposal.
Result score(const CompiledRules& rules, const BoundProposal& bound, Evaluation& scratch);

}  // namespace screener
