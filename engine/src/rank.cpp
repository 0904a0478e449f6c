#include "screener/rank.hpp"

#include <algorithm>
#include <numeric>

namespace screener {

std::vector<std::size_t> rank_order(const std::vector<RankKey>& keys) {
    std::vector<std::size_t> order(keys.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // stable: invalid results compare equal to each other and keep their input order
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
        const RankKey& a = keys[i];
        const RankKey& b = keys[j];
        if (a.verdict != b.verdict) return a.verdict < b.verdict;  // pass < fail < invalid
        if (a.verdict == Verdict::invalid) return false;
        if (a.score != b.score) return a.score > b.score;
        return a.id < b.id;
    });
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
