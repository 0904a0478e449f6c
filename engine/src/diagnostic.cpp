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
    static constexpr const char* names[] = {"error", "warning", "note"};
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

namespace {
// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("clmap" for "clamp") each count as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}
}  // namespace

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        std::size_t d = edit_distance(name, candidate);
        if (!best || d < best_distance) best = &candidate, best_distance = d;
    }
    // Close enough: at most a third of the name wrong (and at least one edit allowed).
    if (!best || best_distance > std::max<std::size_t>(1, name.size() / 3)) return "";
    return "; did you mean '" + *best + "'?";
}

}  // namespace screener
