#include "screener/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace screener {

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
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
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
