// Stage 5, rank: results put in the order of SPEC section 3 — every pass, then every fail, each by
// score descending then id ascending (byte order), then every invalid one in input order.
// Ranks are 1..N with no ties, so the same input always gives the same order.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "screener/evaluate.hpp"

namespace screener {

// What ranking looks at: a compact stand-in for a Result when batches are large. `id` views text
// kept elsewhere for as long as the key.
struct RankKey {
    Verdict verdict = Verdict::invalid;
    double score = 0;
    std::string_view id;
};

// Text kept for as long as views of it are (rank keys' ids, results' JSON, stored proposals):
// copied into large pages that never move, so a large batch costs no allocation per text.
class KeptText {
public:
    std::string_view keep(std::string_view text);

private:
    std::deque<std::string> pages_;
};

// Positions of `results` (given in input order) in rank order: rank r is results[order[r - 1]].
std::vector<std::size_t> rank_order(const std::vector<Result>& results);
// `threads` above 1 lets the passes, or the fails, when there are 65,536 or more of them, be sorted
// on two threads (the calling one and one more).
std::vector<std::size_t> rank_order(const std::vector<RankKey>& keys, unsigned threads = 2);
// Sorts `results` (given in input order) into rank order; rank i is results[i - 1].
void rank(std::vector<Result>& results);

}  // namespace screener
