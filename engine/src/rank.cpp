#include "screener/rank.hpp"

#include <algorithm>
#include <cmath>

namespace screener {

std::vector<std::size_t> rank_order(const std::vector<RankKey>& keys) {
    // Sorted by value, not through indexes into `keys`: most comparisons end at verdict and score,
    // so the ids (text elsewhere in memory) are read only for equal scores.
    struct Entry {
        double score;
        std::size_t index;
        Verdict verdict;
    };
    std::vector<Entry> entries(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) entries[i] = {keys[i].score, i, keys[i].verdict};
    std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
        if (a.verdict != b.verdict) return a.verdict < b.verdict;  // pass < fail < invalid
        if (a.verdict != Verdict::invalid) {
            // A score that is not a number (never from evaluate, but a merged line may hold one)
            // ranks last of its verdict, so that the order stays total.
            if (std::isnan(a.score) != std::isnan(b.score)) return std::isnan(b.score);
            if (a.score != b.score && !std::isnan(a.score)) return a.score > b.score;
            const int by_id = keys[a.index].id.compare(keys[b.index].id);
            if (by_id != 0) return by_id < 0;
        }
        return a.index < b.index;  // invalid ones (and full ties) in input order
    });
    std::vector<std::size_t> order(entries.size());
    for (std::size_t r = 0; r < entries.size(); ++r) order[r] = entries[r].index;
    return order;
}

std::vector<std::size_t> rank_order(const std::vector<Result>& results) {
    std::vector<RankKey> keys;
    keys.reserve(results.size());
    for (const auto& r : results) keys.push_back({r.verdict, r.score, r.id});
    return rank_order(keys);
}

void rank(std::vector<Result>& results) {
    std::vector<Result> ranked;
    ranked.reserve(results.size());
    for (std::size_t i : rank_order(results)) ranked.push_back(std::move(results[i]));
    results = std::move(ranked);
}

}  // namespace screener
