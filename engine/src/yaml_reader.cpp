#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace screener {

SourceLoc ExprText::at(std::size_t offset) const {
    offset = std::min(offset, text.size());
    std::size_t line = 0, line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') ++line, line_start = i + 1;
    SourceLoc out = where;
    out.line += static_cast<std::uint32_t>(line);
    std::uint32_t start_col = line == 0 ? where.col : (line < line_cols.size() ? line_cols[line] : 1);
    out.col = start_col + static_cast<std::uint32_t>(offset - line_start);
    return out;
}

}  // namespace screener

namespace screener::detail {

std::optional<double> parse_number(std::string_view text) {
    std::string digits;
    digits.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') {
            bool between_digits = i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                                  std::isdigit(static_cast<unsigned char>(text[i + 1]));
            if (!between_digits) return std::nullopt;
            continue;
        }
        digits += c;
    }
    std::string_view view = digits;
    if (!view.empty() && view[0] == '+') view.remove_prefix(1);
    if (view.empty() || !(std::isdigit(static_cast<unsigned char>(view[0])) || view[0] == '-' || view[0] == '.'))
        return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (ec != std::errc() || end != view.data() + view.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::optional<YAML::Node> YamlReader::parse() {
    try {
        return YAML::Load(text_);
    } catch (const YAML::ParserException& e) {
        error(SourceLoc{file_, static_cast<std::uint32_t>(e.mark.line + 1), static_cast<std::uint32_t>(e.mark.column + 1)},
              "YAML syntax: " + e.msg);
    } catch (const YAML::Exception& e) {
        error(SourceLoc{file_, 0, 0}, std::string("YAML: ") + e.what());
    }
    return std::nullopt;
}

SourceLoc YamlReader::loc(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return SourceLoc{file_, 0, 0};
    return SourceLoc{file_, static_cast<std::uint32_t>(mark.line + 1), static_cast<std::uint32_t>(mark.column + 1)};
}

void YamlReader::error(const SourceLoc& where, std::string message) {
    diagnostics_.push_back(Diagnostic{where, Severity::error, std::move(message)});
}

bool YamlReader::check_mapping(const YAML::Node& node, const std::string& what, const std::vector<std::string>& allowed) {
    if (!node.IsMap()) {
        error(node, what + " must be a mapping of keys to values");
        return false;
    }
    std::map<std::string, SourceLoc> seen;
    for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        if (auto [it, fresh] = seen.emplace(key, loc(entry.first)); !fresh) {
            error(entry.first, "duplicate key '" + key + "' in " + what + " (first given at line " +
                                   std::to_string(it->second.line) + ")");
            continue;
        }
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            error(entry.first, "unknown key '" + key + "' in " + what + did_you_mean(key, allowed));
    }
    return true;
}

YAML::Node YamlReader::get(const YAML::Node& map, const std::string& key) const {
    for (const auto& entry : map)
        if (entry.first.Scalar() == key) return entry.second;
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node YamlReader::require(const YAML::Node& map, const std::string& key, const std::string& what) {
    YAML::Node value = get(map, key);
    if (!value.IsDefined()) error(map, what + " needs '" + key + "'");
    return value;
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
        error(node, what + " must be text");
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<double> YamlReader::number(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar() && !is_quoted(node))
        if (auto value = parse_number(node.Scalar())) return value;
    error(node, what + " must be a number, found " + (node.IsScalar() ? "'" + node.Scalar() + "'" : "a list or mapping"));
    return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar() && !is_quoted(node)) {
        if (node.Scalar() == "true") return true;
        if (node.Scalar() == "false") return false;
    }
    error(node, what + " must be true or false, found " + (node.IsScalar() ? "'" + node.Scalar() + "'" : "a list or mapping"));
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YAML::Node& node, const std::string& what) {
    if (!node.IsSequence()) {
        error(node, what + " must be a list");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& item : node) {
        auto text = string(item, "each item of " + what);
        if (!text) return std::nullopt;
        out.push_back(*text);
    }
    return out;
}

std::optional<ExprText> YamlReader::expression(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
        error(node, what + " must be an expression (text), found a list or mapping");
        return std::nullopt;
    }
    ExprText out{node.Scalar(), loc(node), {}};
    const std::size_t pos = static_cast<std::size_t>(std::max(0, node.Mark().pos));
    const char first = pos < text_.size() ? text_[pos] : '\0';
    if (first == '"' || first == '\'') {
        out.where.col += 1;
    } else if (first == '|' || first == '>') {
        // Block scalar: the mark is on the indicator; the text starts on the next line, and each of
        // its lines sits on the following file lines at their own indentation.
        std::size_t cursor = text_.find('\n', pos);
        out.where.line += 1;
        std::size_t lines = 1 + static_cast<std::size_t>(std::count(out.text.begin(), out.text.end(), '\n'));
        for (std::size_t i = 0; i < lines && cursor != std::string::npos; ++i) {
            std::size_t start = cursor + 1, indent = 0;
            while (start + indent < text_.size() && text_[start + indent] == ' ') ++indent;
            out.line_cols.push_back(static_cast<std::uint32_t>(indent + 1));
            cursor = text_.find('\n', start);
        }
        if (!out.line_cols.empty()) out.where.col = out.line_cols[0];
    }
    if (out.text.find_first_not_of(" \t\n") == std::string::npos) {
        error(node, what + " is empty");
        return std::nullopt;
    }
    return out;
}

nlohmann::json YamlReader::to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return nullptr;
        case YAML::NodeType::Scalar: {
            const std::string& text = node.Scalar();
            if (is_quoted(node)) return text;
            if (text == "true") return true;
            if (text == "false") return false;
            if (text == "null" || text == "~" || text.empty()) return nullptr;
            if (auto value = parse_number(text)) {
                bool integral = text.find_first_of(".eE") == std::string::npos && std::abs(*value) < 9.0e15;
                if (integral) return static_cast<std::int64_t>(*value);
                return *value;
            }
            return text;
        }
        case YAML::NodeType::Sequence: {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : node) out.push_back(to_json(item));
            return out;
        }
        case YAML::NodeType::Map: {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& entry : node) {
                const std::string key = entry.first.Scalar();
                if (out.contains(key)) error(entry.first, "duplicate key '" + key + "'");
                out[key] = to_json(entry.second);
            }
            return out;
        }
        case YAML::NodeType::Undefined:
            break;
    }
    return nullptr;
}

}  // namespace screener::detail
