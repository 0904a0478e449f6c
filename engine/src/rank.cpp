#include "screener/rank.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <system_error>
#include <thread>

namespace screener {

std::vector<std::size_t> rank_order(const std::vector<RankKey>& keys, unsigned threads) {
    // Sorted by value, not through indexes into `keys`: most comparisons end at verdict and score,
    // and most ties on the score at the id's first eight bytes, so the ids (text elsewhere in
    // memory) are read only when those are equal too.
    struct Entry {
        double score;
        std::uint64_t id_head;  // the id's first 8 bytes, big-endian and zero-padded: orders as the id does
        std::size_t index;
        Verdict verdict;
    };
    auto head = [](std::string_view id) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < 8; ++i) value = value << 8 | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0U);
        return value;
    };
    std::vector<Entry> entries(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) entries[i] = {keys[i].score, head(keys[i].id), i, keys[i].verdict};
    auto before = [&](const Entry& a, const Entry& b) {
        if (a.verdict != b.verdict) return a.verdict < b.verdict;  // pass < fail < invalid
        if (a.verdict != Verdict::invalid) {
            // A score that is not a number (never from evaluate, but a merged line may hold one)
            // ranks last of its verdict, so that the order stays total.
            if (std::isnan(a.score) != std::isnan(b.score)) return std::isnan(b.score);
            if (a.score != b.score && !std::isnan(a.score)) return a.score > b.score;
            if (a.id_head != b.id_head) return a.id_head < b.id_head;
            const int by_id = keys[a.index].id.compare(keys[b.index].id);
            if (by_id != 0) return by_id < 0;
        }
        return a.index < b.index;  // invalid ones (and full ties) in input order
    };
    // The order is total (input order breaks every tie), so a large batch's two halves sorted on
    // two threads and merged give the one ranking a single sort would.
    const auto middle = entries.begin() + static_cast<std::ptrdiff_t>(entries.size() / 2);
    std::jthread first;
    try {
        if (threads > 1 && entries.size() >= (1U << 16)) first = std::jthread([&] { std::sort(entries.begin(), middle, before); });
    } catch (const std::system_error&) {  // no thread to be had: one sort here
    }
    std::vector<std::size_t> order;
    order.reserve(entries.size());
    if (!first.joinable()) {
        std::sort(entries.begin(), entries.end(), before);
        for (const Entry& e : entries) order.push_back(e.index);
        return order;
    }
    std::sort(middle, entries.end(), before);
    first.join();
    auto a = entries.begin(), b = middle;
    while (a != middle && b != entries.end()) order.push_back((before(*b, *a) ? b++ : a++)->index);
    for (; a != middle; ++a) order.push_back(a->index);
    for (; b != entries.end(); ++b) order.push_back(b->index);
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
