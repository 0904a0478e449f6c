#include "screener/rank.hpp"

#include <algorithm>

namespace screener {

void rank(std::vector<Result>& results) {
    // stable: invalid results compare equal to each other and keep their input order
    std::stable_sort(results.begin(), results.end(), [](const Result& a, const Result& b) {
        if (a.verdict != b.verdict) return a.verdict < b.verdict;  // pass < fail < invalid
        if (a.verdict == Verdict::invalid) return false;
        if (a.score != b.score) return a.score > b.score;
        return a.id < b.id;
    });
}

}  // namespace screener
