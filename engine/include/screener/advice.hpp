// What it takes: for each criterion short of full points, the metric value that earns them and the
// value that would make the proposal pass if only that criterion changed, translated back to an
// input where the metric is a simple function of it. Computed exactly by inverting the compiled
// band and expression (+ - * / and lets), then checked by re-scoring the changed proposal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "screener/compile.hpp"
#include "screener/evaluate.hpp"

namespace screener {

// Change one input from `from` to `to` (every other input as it is): at least `to` when raised, at
// most when reduced, or exactly `to` when going further does not hold (x / opt with opt at 0).
struct InputChange {
    std::string input;
    double from = 0, to = 0;
    std::string unit;
    bool exact = false;
    // The proposal scored with `to`: an input read by other criteria too may lower the total for
    // all that this criterion gains (more land, fewer workers per hectare, less capital per hectare).
    double total = 0;
    Verdict verdict = Verdict::fail;
    // When it fails, the first reason: "gate 'x' fails", "group 'g' scores 18.18, below its minimum
    // 40.00", "the total 59.09 is below the pass score 60.00".
    std::string fails_by = {};
    bool raise() const { return to > from; }
};

struct Target {
    double points = 100;                 // the criterion's points this target needs
    std::optional<double> metric;        // the metric value that earns them (metric criteria)
    std::vector<InputChange> changes;    // each alone reaches `metric` (verified by re-scoring)
};

struct Advice {
    std::uint32_t criterion = 0;
    double points = 0;                   // now
    double value = 0;                    // metric or points value now (NaN: no data)
    Band band;                           // the band in force (profiles applied)
    Target full;                         // full points
    std::optional<Target> pass;          // passing with only this criterion changed
    std::string pass_note;               // why `pass` is empty: already passes, or not reachable
};

// Advice for every applicable criterion below full points, in rule-set order.
std::vector<Advice> what_it_takes(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);

// One input changed alone, every other as it is, that makes a failing proposal pass, wherever the
// input is read (an input feeds several criteria and gates: land is in capital, workers and budget
// per hectare). Found by re-scoring: the passing values nearest to the value now, one way.
struct PassingChange {
    std::string input, unit;
    bool boolean = false;
    bool given = true;        // false: the proposal leaves the input out, and `from` is NaN
    double from = 0;
    double nearest = 0;       // the passing value nearest to `from` (or to the input's min), rounded for people
    double farthest = 0;      // it passes from `nearest` to here...
    bool open_ended = false;  // ...and on to the input's min or max (or as far as was searched)
    // An enum input: the value given ("" when left out), and every other value that passes, in the
    // rule set's order (`from`, `nearest` and `farthest` are their indexes).
    std::string given_value = {};
    std::vector<std::string> values = {};
    bool raise() const { return given ? nearest > from : farthest >= nearest; }
};

// For each number, integer, true/false and enum input, in declaration order: the changes down and
// up from the value the proposal gives that make it pass, the other values of a true/false or enum
// input that do, or the values that do for an input it leaves out (none when it passes already).
std::vector<PassingChange> changes_that_pass(const CompiledRules& rules, const Proposal& proposal, const Evaluation& evaluation);

// "reduce land_ha from 50.5 ha to at most 17.37 ha", "raise x from 1 to between 3 and 4.5",
// "change ready.workforce_plan from false to true", "give env.score a value of at least 0",
// "change zone from "Que Vo" to "Yen Phong" or "VSIP""
std::string describe(const PassingChange& change);

// "raise capital_usd from 40,000,000 to at least 61,500,000" / "reduce land_ha from 12 to at most 7.8" /
// "change opt from 0 to 3"
std::string describe(const InputChange& change);

}  // namespace screener
