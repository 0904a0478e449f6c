// A whole batch, read, bound and scored on several threads: the bulk path behind `screener eval`.
// Results come out in input order whatever the thread count, so every report is byte-identical to a
// single-threaded run; memory stays bounded by a few blocks of input in flight.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "screener/evaluate.hpp"

namespace screener {

struct BatchOptions {
    unsigned jobs = 0;  // worker threads; 0 means one per core
    // Optional: turns a result into text on the worker thread (e.g. an NDJSON line); must be thread-safe.
    std::function<void(const Result&, std::string&)> render;
};

// Reads `inputs` (as read_proposals does), binds and scores every proposal, and calls `sink` on the
// calling thread with each result — and its rendered text, when `render` is set — in input order.
// A repeated id makes the later proposal invalid, exactly as read_proposals does.
void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&, std::string_view)>& sink);

// Reads `inputs` once and scores every proposal under each rule set (as `screener diff` needs, even
// when the input is stdin); returns, per rule set, the results in input order.
std::vector<std::vector<Result>> score_under_each(const std::vector<const CompiledRules*>& rule_sets,
                                                  const std::vector<std::string>& inputs);

}  // namespace screener
