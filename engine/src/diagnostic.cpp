#include "screener/diagnostic.hpp"
#include "screener/limits.hpp"

#include <algorithm>
#include <tuple>

namespace screener {

Limits& limits() {
    static Limits instance;
    return instance;
}

std::string SourceLoc::str() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (col > 0) out += ':' + std::to_string(col);
    }
    return out;
}

std::string Diagnostic::str() const {
    static constexpr const char* names[] = {"error", "warning"};
    return where.str() + ": " + names[static_cast<int>(severity)] + ": " + message;
}

bool has_errors(const Diagnostics& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

void sort_by_location(Diagnostics& diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.where.file, a.where.line, a.where.col) < std::tie(b.where.file, b.where.line, b.where.col);
    });
}

std::string json_error_text(std::string_view what) {
    if (what.starts_with("[json.exception.")) {
        if (const auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
    }
    return std::string(what);
}

namespace {
// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("clmap" for "clamp") each count as one edit. Three rows of the table are
// kept (swaps look two back), not the whole table.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> two_back(b.size() + 1), back(b.size() + 1), row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) back[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            row[j] = std::min({back[j] + 1, row[j - 1] + 1, back[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], two_back[j - 2] + 1);
        }
        std::swap(two_back, back);
        std::swap(back, row);
    }
    return back[b.size()];
}

// Suggestions are for slips in names and values of everyday length: none past this many characters,
// where comparing would cost the product of two lengths for nothing anyone would read.
constexpr std::size_t longest_suggested = 100;
// Nor among so many candidates that comparing with each would fill more of the table than this (a
// few milliseconds): a proposal's unknown value among an enum of 450,000 took 40 ms.
constexpr std::size_t most_compared_cells = 4'000'000;
}  // namespace

const std::string* closest(std::string_view name, const std::vector<std::string>& candidates) {
    if (name.size() > longest_suggested) return nullptr;
    // Close enough: at most a third of the name wrong (and at least one edit allowed).
    const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
    auto near_in_length = [&](const std::string& candidate) {  // else at least that many edits: never close enough
        return std::max(name.size(), candidate.size()) - std::min(name.size(), candidate.size()) <= allowed;
    };
    const auto compared = static_cast<std::size_t>(std::count_if(candidates.begin(), candidates.end(), near_in_length));
    if (compared * (name.size() + 1) * (name.size() + allowed + 1) > most_compared_cells) return nullptr;
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        if (!near_in_length(candidate)) continue;
        std::size_t d = edit_distance(name, candidate);
        if (!best || d < best_distance) best = &candidate, best_distance = d;
    }
    return best && best_distance <= allowed ? best : nullptr;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    const std::string* best = closest(name, candidates);
    return best ? "; did you mean '" + *best + "'?" : "";
}

}  // namespace screener
