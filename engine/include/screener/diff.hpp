// Impact of a rule change: the same proposals ranked under an old and a new rule set, compared
// proposal by proposal — verdict flips, rank moves, score deltas, and the gates, groups and criteria
// behind each flip. Reads two rankings only; writes Markdown (short summary first) or JSON.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "screener/report.hpp"

namespace screener {

struct Standing {
    Verdict verdict = Verdict::invalid;
    double score = 0;
    std::size_t rank = 0;
};

struct ProposalChange {
    std::string id, name, source;
    Standing before, after;
    std::vector<std::string> causes;  // for a flip: what changed ("criterion 'x' 40.00 → 0.00", ...)
    bool flipped() const { return before.verdict != after.verdict; }
    double delta() const { return after.score - before.score; }
};

struct RuleDiff {
    RulesInfo before_rules, after_rules;
    std::vector<ProposalChange> proposals;  // in input order
};

// `before` and `after` are the results of the same inputs, in input order, under each rule set.
RuleDiff diff(const RulesInfo& before_rules, const std::vector<Result>& before, const RulesInfo& after_rules,
              const std::vector<Result>& after);
// One proposal's change, from its results under each rule set (ranks are left for rank_changes).
ProposalChange change(const Result& before, const Result& after);
// Whether change() looks for causes (the verdict or the score moved). Only then does it read the
// gates' and groups' outcomes, so otherwise results without them (explain_verdict's) will do.
bool has_causes(const Result& before, const Result& after);
// Sets each proposal's rank before and after, as each rule set ranks them all (diff_batch's last
// step); `threads` as for rank_order.
void rank_changes(std::vector<ProposalChange>& proposals, unsigned threads = 2);

// The rows are rendered on `threads` threads (0: one per core); the text is the same for any number.
void write_diff_md(std::ostream& out, const RuleDiff& diff, unsigned threads = 1);
void write_diff_json(std::ostream& out, const RuleDiff& diff, unsigned threads = 1);

}  // namespace screener
