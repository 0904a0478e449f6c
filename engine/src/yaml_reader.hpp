// Reading YAML with positions and diagnostics: the building blocks of the rule-set and test-file loaders.
// yaml-cpp 0.7 marks are 0-based and missing keys throw without a position, so every lookup goes
// through here and every problem becomes a Diagnostic at the offending node (or its parent).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "screener/rules.hpp"
#include "utf8.hpp"

namespace screener::detail {

// Why a rule-set or test file of `size` bytes ("N", or "more than N") is refused.
std::string too_large_for_rules(const std::string& size);

class YamlReader {
public:
    // A UTF-8 byte order mark is left out, so that positions count from the first visible character,
    // as editors show them (yaml-cpp skips it too). The text is read in composed form (NFC), as
    // proposals are: an enum value typed decomposed is the value a proposal gives composed. (A
    // column after a letter typed decomposed, on its line, counts it as one character.)
    YamlReader(const std::string& file, std::string_view text, Diagnostics& diagnostics)
        : file_(file), text_(text.starts_with(byte_order_mark) ? text.substr(byte_order_mark.size()) : text), diagnostics_(diagnostics) {
        compose(text_);
    }

    // Parses the document; on a syntax error reports it and returns nullopt.
    std::optional<YAML::Node> parse();

    // Where `node` is in the file; an empty value is where its key is.
    SourceLoc loc(const YAML::Node& node) const;
    void error(const SourceLoc& where, std::string message);
    void error(const YAML::Node& node, std::string message) { error(loc(node), std::move(message)); }

    // Checks a mapping: reports keys outside `allowed` (any key when it is empty) (with a did-you-mean) and duplicated keys.
    // Returns false (after reporting) when `node` is not a mapping.
    bool check_mapping(const YAML::Node& node, const std::string& what, const std::vector<std::string>& allowed);

    // The value of `key` in a mapping, or an invalid node when absent.
    YAML::Node get(const YAML::Node& map, const std::string& key);
    // Like get(), but reports "<what> needs '<key>'" at the mapping when the key is absent.
    YAML::Node require(const YAML::Node& map, const std::string& key, const std::string& what);

    std::optional<std::string> string(const YAML::Node& node, const std::string& what);
    // string(), and an error where YAML reads a plain scalar as a number or true/false (`version:
    // 2025.10` is the number 2025.1 to any other YAML reader): quote it.
    std::optional<std::string> text(const YAML::Node& node, const std::string& what);
    std::optional<double> number(const YAML::Node& node, const std::string& what);
    std::optional<bool> boolean(const YAML::Node& node, const std::string& what);
    std::optional<std::vector<std::string>> string_list(const YAML::Node& node, const std::string& what);
    std::optional<ExprText> expression(const YAML::Node& node, const std::string& what);
    // Converts a YAML value into JSON, as a proposal or a default value: plain scalars become
    // booleans, nulls or numbers when they read as such; quoted scalars stay strings.
    nlohmann::json to_json(const YAML::Node& node);

    const std::string& file() const { return file_; }

private:
    const std::string& file_;
    std::string text_;
    Diagnostics& diagnostics_;
    // Every empty value (`key:` with nothing after it, or null) with the position of its key: yaml-cpp
    // marks an empty value at the next token, on a line of its own or past the end of the file.
    std::unordered_multimap<int, std::pair<YAML::Node, SourceLoc>> empty_values_;  // by the empty node's mark.pos
    void note_empty_values(const YAML::Node& node);
    std::vector<std::size_t> line_starts_;  // offsets of the file's lines, built on first use
    void map_positions(ExprText& expr, std::size_t pos);
    std::pair<std::uint32_t, std::uint32_t> position(std::size_t offset);  // 1-based line and column of a byte
    std::string_view line_at(std::size_t offset) const;  // the file's line that holds `offset`
};

// Reads a number as rule sets write it: `_` between digits, exponents; the whole text must match.
std::optional<double> parse_number(std::string_view text);
// Whether `text` is a number too large or too small in size for a double (1e400, 1e-400).
bool out_of_range_number(std::string_view text);
inline constexpr const char* number_range = "a number lies within ±1.8e308, and is 0 or at least 2.2e-308 in size";
bool is_quoted(const YAML::Node& node);

}  // namespace screener::detail
