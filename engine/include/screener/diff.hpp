// Impact of a rule change: the same proposals scored and ranked under an old and a new rule set,
// compared proposal by proposal — verdict flips, rank moves, score deltas, and the gates, groups and
// criteria behind each change. Writes Markdown (short summary first) or JSON.
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "screener/rank.hpp"
#include "screener/report.hpp"

namespace screener {

struct Standing {
    Verdict verdict = Verdict::invalid;
    std::uint32_t rank = 0;  // 4 bytes, so that a standing with its pass score is 24
    double score = 0;
    double pass_score = 0;  // the proposal's own (profiles may set it): a failing score is shown apart from it
};

// One thing that moved between a proposal's two scorings, kept as indexes and numbers and put in
// words only when a report is written (RuleDiff::words): a change that moves thousands of criteria
// keeps 24 bytes for each of them, not a sentence.
struct Cause {
    enum class Kind : std::uint8_t {
        reason,             // the proposal is invalid under one rule set: that one's reason `index`
        new_gate_fails,     // gate `index` of the new rule set, which the old one lacked
        gate_passes,        // gate `index` of the new rule set, which failed before
        gate_fails,         // ... which passed before
        gate_removed,       // gate `index` of the old rule set, which the proposal failed
        pass_score,         // `before` → `after`
        group_below,        // group `index` of the new rule set, now below its minimum: `after` its
        group_meets,        //   score, `before` its minimum (NaN: none); or now meets it
        group_weight,       // group `index` of the new rule set, scored under both: weight `before` → `after`
        criterion_weight,   // criterion `index` of the new rule set, scored beside another under both: weight `before` → `after`
        new_criterion,      // criterion `index` of the new rule set, earning `after` points
        criterion,          // criterion `index` of the new rule set: points `before` → `after` (NaN: skipped)
        criterion_removed,  // criterion `index` of the old rule set, which earned `before` points
    };
    Kind kind = Kind::reason;
    std::uint32_t index = 0;
    double before = 0, after = 0;
};

// The gates, groups and criteria of two rule sets matched by id, worked out once for a diff; then,
// for each proposal scored under both, what caused its change, most telling first: gates, then
// group minimums, the pass score, weights, then criteria whose points changed, by their effect on
// the total.
class RuleChange {
public:
    RuleChange(const CompiledRules& before, const CompiledRules& after);
    // Appends to `out` the causes of a change between the evaluations of one proposal.
    void causes(const Evaluation& before, const Evaluation& after, std::vector<Cause>& out) const;

private:
    static constexpr std::uint32_t none = UINT32_MAX;
    std::vector<std::uint32_t> gate_before_, group_before_, criterion_before_;  // per new one: the old index, or none
    std::vector<std::uint32_t> removed_gates_, removed_criteria_;  // old ones the new rule set lacks, criteria by id
    std::vector<std::pair<std::uint32_t, std::uint32_t>> siblings_before_, siblings_after_;  // per criterion: its group's criteria
};

// A proposal's standing under both rule sets. Its texts and causes are kept by the RuleDiff.
struct ProposalChange {
    std::string_view id, name, source;
    Standing before, after;
    std::size_t first_cause = 0, cause_count = 0;  // in RuleDiff::causes
    bool flipped() const { return before.verdict != after.verdict; }
    double delta() const { return after.score - before.score; }
};

// Every proposal's change, in input order (diff_batch, in batch.hpp, makes one). Holds its own
// texts: move it, never copy it.
class RuleDiff {
public:
    RuleDiff(const CompiledRules& before, const CompiledRules& after);
    RuleDiff(RuleDiff&&) = default;
    RuleDiff(const RuleDiff&) = delete;
    RuleDiff& operator=(const RuleDiff&) = delete;

    // Keeps one more proposal's change. A cause of kind `reason` indexes `reasons`.
    const ProposalChange& add(std::string_view id, std::string_view name, std::string_view source, Standing before,
                              Standing after, std::span<const Cause> causes, std::span<const std::string> reasons);
    // Sets each proposal's rank before and after, as each rule set ranks them all; `threads` as for rank_order.
    void rank(unsigned threads = 2);

    // A cause, and all of a proposal's, in words ("criterion 'x' 40.00 → 0.00", ...).
    std::string words(const Cause& cause) const;
    std::vector<std::string> causes_of(const ProposalChange& change) const;

    RulesInfo before_rules, after_rules;
    std::deque<ProposalChange> proposals;  // a deque: a million are never moved to grow it
    std::deque<Cause> causes;

private:
    struct Ids {
        std::vector<std::string> gates, groups, criteria;
    };
    static Ids ids_of(const CompiledRules& rules);
    Ids before_ids_, after_ids_;
    std::vector<std::string_view> reasons_;
    KeptText text_;  // ids, names, sources and reasons
};

// The rows are rendered on `threads` threads (0: one per core); the text is the same for any number.
void write_diff_md(std::ostream& out, const RuleDiff& diff, unsigned threads = 1);
void write_diff_json(std::ostream& out, const RuleDiff& diff, unsigned threads = 1);

}  // namespace screener
