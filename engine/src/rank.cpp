#include "screener/rank.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>
#include <thread>

namespace screener {

namespace {

// A scored result's place among those of its verdict, as two integers compared in turn: most
// comparisons end at the first, the rest mostly at the id's first eight bytes, so the ids (text
// elsewhere in memory) are read only when those are equal too.
struct ScoredEntry {
    std::uint64_t score;    // ascending as the score descends; a score that is not a number last
    std::uint64_t id_head;  // the id's first 8 bytes, big-endian and zero-padded: orders as the id does
    std::size_t index;
};

std::uint64_t descending(double score) {
    // A score that is not a number (never from evaluate, but a merged line may hold one) ranks last
    // of its verdict, so that the order stays total; -0 ties with 0, as the scores compare.
    if (std::isnan(score)) return std::numeric_limits<std::uint64_t>::max();
    const auto bits = std::bit_cast<std::uint64_t>(score == 0 ? 0.0 : score);
    const std::uint64_t ascending = bits >> 63 ? ~bits : bits | 1ULL << 63;  // orders as the doubles do
    return ~ascending;
}

std::uint64_t head(std::string_view id) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value = value << 8 | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0U);
    return value;
}

// Sorts `entries` and appends their indexes to `order`. The order is total (input order breaks
// every tie), so a large batch's two halves sorted on two threads and merged give the one order a
// single sort would.
void sort_into(std::vector<ScoredEntry>& entries, const std::vector<RankKey>& keys, unsigned threads, std::vector<std::size_t>& order) {
    auto before = [&](const ScoredEntry& a, const ScoredEntry& b) {
        if (a.score != b.score) return a.score < b.score;
        if (a.id_head != b.id_head) return a.id_head < b.id_head;
        const int by_id = keys[a.index].id.compare(keys[b.index].id);
        return by_id != 0 ? by_id < 0 : a.index < b.index;
    };
    const auto middle = entries.begin() + static_cast<std::ptrdiff_t>(entries.size() / 2);
    std::jthread first;
    try {
        if (threads > 1 && entries.size() >= (1U << 16)) first = std::jthread([&] { std::sort(entries.begin(), middle, before); });
    } catch (const std::system_error&) {  // no thread to be had: one sort here
    }
    if (!first.joinable()) {
        std::sort(entries.begin(), entries.end(), before);
        for (const ScoredEntry& e : entries) order.push_back(e.index);
        return;
    }
    std::sort(middle, entries.end(), before);
    first.join();
    auto a = entries.begin(), b = middle;
    while (a != middle && b != entries.end()) order.push_back((before(*b, *a) ? b++ : a++)->index);
    for (; a != middle; ++a) order.push_back(a->index);
    for (; b != entries.end(); ++b) order.push_back(b->index);
}

}  // namespace

std::vector<std::size_t> rank_order(const std::vector<RankKey>& keys, unsigned threads) {
    // Every pass, then every fail, each sorted; then every invalid one, in input order.
    std::size_t passes = 0, fails = 0;
    for (const RankKey& key : keys) passes += key.verdict == Verdict::pass, fails += key.verdict == Verdict::fail;
    std::vector<ScoredEntry> pass, fail;
    pass.reserve(passes);
    fail.reserve(fails);
    std::vector<std::size_t> order;
    order.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].verdict == Verdict::invalid) continue;
        (keys[i].verdict == Verdict::pass ? pass : fail).push_back({descending(keys[i].score), head(keys[i].id), i});
    }
    sort_into(pass, keys, threads, order);
    sort_into(fail, keys, threads, order);
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i].verdict == Verdict::invalid) order.push_back(i);
    return order;
}

std::vector<std::size_t> rank_order(const std::vector<Result>& results) {
    std::vector<RankKey> keys;
    keys.reserve(results.size());
    for (const auto& r : results) keys.push_back({r.verdict, r.score, r.id});
    return rank_order(keys);
}

std::string_view KeptText::keep(std::string_view text) {
    constexpr std::size_t page_size = 16 << 20;
    if (pages_.empty() || pages_.back().capacity() - pages_.back().size() < text.size())
        pages_.emplace_back().reserve(std::max(page_size, text.size()));
    std::string& page = pages_.back();
    page.append(text);
    return {page.data() + page.size() - text.size(), text.size()};
}

void rank(std::vector<Result>& results) {
    std::vector<Result> ranked;
    ranked.reserve(results.size());
    for (std::size_t i : rank_order(results)) ranked.push_back(std::move(results[i]));
    results = std::move(ranked);
}

}  // namespace screener
