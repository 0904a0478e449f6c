// Diagnostics: problems found in rule sets and proposals, reported as values, never thrown.
// Printed the way compilers print them, `file:line:col: error: message`, so editors and CI annotate them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace screener {

struct SourceLoc {
    std::string file;
    std::uint32_t line = 0;  // 1-based; 0 when unknown
    std::uint32_t col = 0;   // 1-based; 0 when unknown

    std::string str() const;  // "file:line:col", "file:line" or "file"
    friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

enum class Severity { error, warning };

struct Diagnostic {
    SourceLoc where;
    Severity severity = Severity::error;
    std::string message;

    std::string str() const;  // "file:line:col: error: message"
};

using Diagnostics = std::vector<Diagnostic>;

bool has_errors(const Diagnostics& diagnostics);
// Sorts by file, line and column (stable, so same-place messages keep their order).
void sort_by_location(Diagnostics& diagnostics);

// The candidate nearest to `name`, when one is close enough to be a misspelling of it.
const std::string* closest(std::string_view name, const std::vector<std::string>& candidates);
// "; did you mean 'x'?" for the closest candidate, or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);
// did_you_mean compares a name with every candidate: once a file has this many diagnostics, unknown
// names and targets are reported without suggestions (thousands of them are no typos, and each
// would be compared with thousands of names).
inline constexpr std::size_t suggestions_until = 100;

// A JSON library's error message as a user reads it: without nlohmann's "[json.exception.parse_error.101] ".
std::string json_error_text(std::string_view what);

// The third tier of failure: bugs and I/O that cannot go on. Caught once, in the CLI's main.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, int exit_code = 2)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

}  // namespace screener
