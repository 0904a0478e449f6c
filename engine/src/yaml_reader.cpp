#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "screener/limits.hpp"

namespace screener {

SourceLoc ExprText::at(std::size_t offset) const {
    offset = std::min(offset, text.size());
    if (positions.size() > offset) return SourceLoc{where.file, positions[offset].first, positions[offset].second};
    return SourceLoc{where.file, where.line, where.col + static_cast<std::uint32_t>(offset)};
}

ExprText ExprText::slice(std::size_t offset, std::size_t length) const {
    ExprText out{text.substr(offset, length), at(offset), {}};
    if (positions.size() > offset + length) out.positions.assign(positions.begin() + offset, positions.begin() + offset + length + 1);
    return out;
}

}  // namespace screener

namespace screener::detail {

namespace {
// `text` read as a number into `value`: from_chars' error (out of range, for 1e400 and 1e-400), or
// invalid_argument for any text that is not a finite number.
std::errc read_number(std::string_view text, double& value) {
    std::string digits;
    digits.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') {
            bool between_digits = i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                                  std::isdigit(static_cast<unsigned char>(text[i + 1]));
            if (!between_digits) return std::errc::invalid_argument;
            continue;
        }
        digits += c;
    }
    std::string_view view = digits;
    if (!view.empty() && view[0] == '+') view.remove_prefix(1);
    if (view.empty() || !(std::isdigit(static_cast<unsigned char>(view[0])) || view[0] == '-' || view[0] == '.'))
        return std::errc::invalid_argument;
    auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (end != view.data() + view.size()) return std::errc::invalid_argument;
    if (ec != std::errc()) return ec;
    return std::isfinite(value) ? std::errc() : std::errc::invalid_argument;
}
}  // namespace

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    return read_number(text, value) == std::errc() ? std::optional(value) : std::nullopt;
}

bool out_of_range_number(std::string_view text) {
    double value = 0;
    return read_number(text, value) == std::errc::result_out_of_range;
}

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

namespace {

// Walks the YAML events before the document is built, to refuse what could exhaust the engine:
// aliases (a few nested ones expand to billions of nodes: "billion laughs") and deep nesting
// (the YAML parser recurses once per level).
class Guard : public YAML::EventHandler {
public:
    struct Refused {
        YAML::Mark mark;
        std::string message;
    };
    struct Stuck {
        YAML::Mark mark;
    };

    // yaml-cpp 0.7 (jbeder/yaml-cpp#1040) starts a document on a token it cannot place, such as a
    // stray ',', without consuming it, so reading documents never ends: stop at the second start there.
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (started_ && mark.pos == last_start_) throw Stuck{mark};
        if (started_) second_document_ = mark;
        started_ = true;
        last_start_ = mark.pos;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { count(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
        content();
        throw Refused{mark, "YAML aliases (*name) are not accepted in rule sets; write the value out in full"};
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
        content();
        count(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { enter(mark); }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { enter(mark); }
    void OnMapEnd() override { --depth_; }

private:
    // Only the first document becomes the rule set: anything in another would be dropped unread.
    void content() const {
        if (second_document_)
            throw Refused{*second_document_, "a second YAML document starts here; a rule set or test file is one document"};
    }
    void enter(const YAML::Mark& mark) {
        content();
        count(mark);
        if (++depth_ > limits().max_yaml_depth)
            throw Refused{mark, "YAML nests deeper than " + std::to_string(limits().max_yaml_depth) + " levels"};
    }
    // Counted before yaml-cpp builds its nodes, which take far more memory than their text: a 4 MiB
    // flow mapping `{a,a,…}` of 4 million values took 2 GB.
    void count(const YAML::Mark& mark) {
        if (++values_ > limits().max_yaml_nodes)
            throw Refused{mark, "the file holds more than " + std::to_string(limits().max_yaml_nodes) + " YAML values (max_yaml_nodes)"};
    }
    std::size_t depth_ = 0, values_ = 0;
    bool started_ = false;
    int last_start_ = 0;
    std::optional<YAML::Mark> second_document_;
};

}  // namespace

std::string too_large_for_rules(const std::string& size) {
    return "the file is " + size + " bytes; rule sets are limited to " + std::to_string(limits().max_rules_bytes) + " bytes";
}

std::optional<YAML::Node> YamlReader::parse() {
    if (text_.size() > limits().max_rules_bytes) {
        error(SourceLoc{file_, 0, 0}, too_large_for_rules(std::to_string(text_.size())));
        return std::nullopt;
    }
    try {
        std::istringstream stream(text_);
        YAML::Parser parser(stream);
        Guard guard;
        while (parser.HandleNextDocument(guard)) {
        }
        YAML::Node document = YAML::Load(text_);
        note_empty_values(document);
        return document;
    } catch (const Guard::Refused& e) {
        error(SourceLoc{file_, static_cast<std::uint32_t>(e.mark.line + 1), static_cast<std::uint32_t>(e.mark.column + 1)}, e.message);
    } catch (const Guard::Stuck& e) {
        const auto at = static_cast<std::size_t>(e.mark.pos);
        error(SourceLoc{file_, static_cast<std::uint32_t>(e.mark.line + 1), static_cast<std::uint32_t>(e.mark.column + 1)},
              at < text_.size() && static_cast<unsigned char>(text_[at]) > 0x20 && static_cast<unsigned char>(text_[at]) < 0x7f
                  ? std::string("YAML syntax: unexpected '") + text_[at] + "'"
                  : std::string("YAML syntax: unexpected text"));
    } catch (const YAML::ParserException& e) {
        // What most likely caused the commonest ones, in a rule set.
        std::string hint;
        if (e.msg == YAML::ErrorMsg::TAB_IN_INDENTATION) hint = "; indent with spaces";
        else if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) hint = "; a value that starts with '*' is an alias in YAML: quote it";
        else if (e.msg == YAML::ErrorMsg::END_OF_MAP || e.msg == YAML::ErrorMsg::END_OF_SEQ)
            hint = "; check the indentation above, and quote the whole of a value that starts with a quote and goes on after it";
        else if (line_at(static_cast<std::size_t>(std::max(0, e.mark.pos))).find('\t') != std::string_view::npos)
            hint = "; the line holds a tab: YAML indents with spaces";
        error(SourceLoc{file_, static_cast<std::uint32_t>(e.mark.line + 1), static_cast<std::uint32_t>(e.mark.column + 1)},
              "YAML syntax: " + e.msg + hint);
    } catch (const YAML::Exception& e) {
        error(SourceLoc{file_, 0, 0}, std::string("YAML: ") + e.what());
    }
    return std::nullopt;
}

void YamlReader::note_empty_values(const YAML::Node& node) {  // as deep as the Guard let the file nest
    if (node.IsMap()) {
        for (const auto& entry : node) {
            if (entry.second.IsNull()) empty_values_.emplace(entry.second.Mark().pos, std::pair{entry.second, loc(entry.first)});
            else note_empty_values(entry.second);
        }
    } else if (node.IsSequence()) {
        for (const auto& item : node) {
            if (!item.IsNull()) {
                note_empty_values(item);
                continue;
            }
            // `-` with nothing after it: at the dash, found back over the blanks before the next token.
            std::size_t at = std::min(static_cast<std::size_t>(std::max(0, item.Mark().pos)), text_.size());
            while (at > 0 && std::string_view(" \t\r\n").find(text_[at - 1]) != std::string_view::npos) --at;
            if (at == 0 || text_[at - 1] != '-') continue;  // a flow sequence's empty item, or a comment between: its own mark
            const auto [line, column] = position(at - 1);
            empty_values_.emplace(item.Mark().pos, std::pair{item, SourceLoc{file_, line, column}});
        }
    }
}

SourceLoc YamlReader::loc(const YAML::Node& node) const {
    if (node.IsDefined() && node.IsNull())
        for (auto [it, end] = empty_values_.equal_range(node.Mark().pos); it != end; ++it)
            if (it->second.first.is(node)) return it->second.second;
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return SourceLoc{file_, 0, 0};
    return SourceLoc{file_, static_cast<std::uint32_t>(mark.line + 1), static_cast<std::uint32_t>(mark.column + 1)};
}

void YamlReader::error(const SourceLoc& where, std::string message) {
    diagnostics_.push_back(Diagnostic{where, Severity::error, std::move(message)});
}

namespace {
// Keys a rule-set author puts where another key, or another place, does the job: told where, since
// no spelling of theirs is near it. `value`: the key's, as written.
std::string belongs_elsewhere(const std::string& what, const std::string& key, const std::string& value) {
    if (what == "the rule set" && key == "pass_score") return "; it belongs under decision, as decision: { pass_score: " + value + " }";
    static const std::map<std::pair<std::string_view, std::string_view>, std::string_view> hints = {
        {{"a criterion", "when"}, "; a criterion is scored only when its applies_when is true"},
        {{"a gate", "when"}, "; a gate always applies: put the condition in its require (require: not (condition) or ...)"},
        {{"a gate", "applies_when"}, "; a gate always applies: put the condition in its require (require: not (condition) or ...)"},
        {{"a profile", "name"}, "; a profile is named by its title"},
    };
    const auto it = hints.find({what, key});
    return it == hints.end() ? "" : std::string(it->second);
}
}  // namespace

bool YamlReader::check_mapping(const YAML::Node& node, const std::string& what, const std::vector<std::string>& allowed) {
    if (!node.IsMap()) {
        error(node, what + (node.IsNull() ? " is empty" : " must be a mapping of keys to values"));
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
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            const std::string elsewhere = belongs_elsewhere(what, key, entry.second.IsScalar() ? entry.second.Scalar() : "N");
            error(entry.first, "unknown key '" + key + "' in " + what + (elsewhere.empty() ? did_you_mean(key, allowed) : elsewhere));
        }
    }
    return true;
}

YAML::Node YamlReader::get(const YAML::Node& map, const std::string& key) {
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
        error(node, what + (node.IsNull() ? " is empty" : " must be text"));
        return std::nullopt;
    }
    std::string text = node.Scalar();
    compose(text);  // as the file is: "\u0302" escapes decode after it is composed
    return text;
}

std::optional<std::string> YamlReader::text(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar()) {
        const nlohmann::json value = to_json(node);
        if (value.is_number() || value.is_boolean()) {
            error(node, what + " must be text, and YAML reads " + node.Scalar() + " as " + (value.is_number() ? "a number" : "a boolean") +
                            ": quote it, as in \"" + node.Scalar() + "\"");
            return std::nullopt;
        }
    }
    return string(node, what);
}

namespace {
// What a value that is not of the kind wanted is: "'abc'", "nothing" (an empty value) or "a list or mapping".
std::string found(const YAML::Node& node) {
    return node.IsScalar() ? "'" + node.Scalar() + "'" : node.IsNull() ? "nothing" : "a list or mapping";
}
}  // namespace

std::optional<double> YamlReader::number(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar() && !is_quoted(node))
        if (auto value = parse_number(node.Scalar())) return value;
    if (node.IsScalar() && is_quoted(node) && parse_number(node.Scalar())) {
        error(node, what + " must be a number, found the quoted text \"" + node.Scalar() + "\"; remove the quotes");
        return std::nullopt;
    }
    if (node.IsScalar() && out_of_range_number(node.Scalar()))
        error(node, what + " must be a number, found '" + node.Scalar() + "', which is out of range (" + number_range + ")");
    else
        error(node, what + " must be a number, found " + found(node));
    return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& what) {
    if (node.IsScalar() && !is_quoted(node)) {
        if (node.Scalar() == "true") return true;
        if (node.Scalar() == "false") return false;
    }
    error(node, what + " must be true or false, found " + found(node));
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::string_list(const YAML::Node& node, const std::string& what) {
    if (!node.IsSequence()) {
        error(node, what + (node.IsNull() ? " is empty" : " must be a list"));
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

std::string_view YamlReader::line_at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const std::size_t start = offset == 0 ? 0 : text_.rfind('\n', offset - 1) + 1;  // (npos + 1 is 0)
    return std::string_view(text_).substr(start, text_.find('\n', offset) - start);
}

std::optional<ExprText> YamlReader::expression(const YAML::Node& node, const std::string& what) {
    // `!ok` starts a YAML tag, which takes the word as its name: `require: !ok` read as empty.
    if (const std::string& tag = node.Tag(); tag.size() > 1 && tag[0] == '!') {
        error(node, what + " starts with '!', which YAML reads as a tag ('" + tag + "'): negate with 'not', or quote the whole expression");
        return std::nullopt;
    }
    if (node.IsNull()) {
        error(node, what + " is empty");
        return std::nullopt;
    }
    if (!node.IsScalar()) {
        error(node, what + " must be an expression (text), found a list or mapping");
        return std::nullopt;
    }
    ExprText out{node.Scalar(), loc(node), {}};
    map_positions(out, static_cast<std::size_t>(std::max(0, node.Mark().pos)));
    if (out.text.find_first_not_of(" \t\n") == std::string::npos) {
        error(node, what + " is empty");
        return std::nullopt;
    }
    return out;
}

std::pair<std::uint32_t, std::uint32_t> YamlReader::position(std::size_t offset) {
    if (line_starts_.empty()) {
        line_starts_.push_back(0);
        for (std::size_t i = 0; i < text_.size(); ++i)
            if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
    auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin();
    return {static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(offset - line_starts_[line - 1] + 1)};
}

// Aligns the scalar's value with the file text it came from, byte by byte: what YAML removed
// (quotes, escapes, doubled quotes, indentation, folded line breaks) is skipped in the file.
void YamlReader::map_positions(ExprText& expr, std::size_t pos) {
    const char style = pos < text_.size() ? text_[pos] : '\0';
    std::size_t j = pos;
    if (style == '"' || style == '\'') j = pos + 1;
    else if (style == '|' || style == '>') j = std::min(text_.find('\n', pos), text_.size()) + 1;
    const std::string& text = expr.text;
    expr.positions.reserve(text.size() + 1);
    for (std::size_t i = 0; i < text.size(); ++i) {
        while (j < text_.size() && text_[j] != text[i] && !(style == '"' && text_[j] == '\\') &&
               std::isspace(static_cast<unsigned char>(text_[j])))
            ++j;
        expr.positions.push_back(position(std::min(j, text_.size())));
        if (j >= text_.size()) continue;
        if (style == '"' && text_[j] == '\\') {
            const char e = j + 1 < text_.size() ? text_[j + 1] : '\0';
            j += e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
        } else if (text_[j] == text[i]) {
            j += (style == '\'' && text[i] == '\'' && j + 1 < text_.size() && text_[j + 1] == '\'') ? 2 : 1;
        }
    }
    expr.positions.push_back(position(std::min(j, text_.size())));
    expr.where = SourceLoc{file_, expr.positions[0].first, expr.positions[0].second};
}

nlohmann::json YamlReader::to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return nullptr;
        case YAML::NodeType::Scalar: {
            std::string text = node.Scalar();
            compose(text);  // as string() does
            if (is_quoted(node)) return text;
            if (text == "true") return true;
            if (text == "false") return false;
            if (text == "null" || text == "~" || text.empty()) return nullptr;
            if (auto value = parse_number(text)) {
                bool integral = text.find_first_of(".eE") == std::string::npos && std::abs(*value) < 9.0e15;
                if (integral) return static_cast<std::int64_t>(*value);
                return *value;
            }
            if (out_of_range_number(text)) {
                error(node, "the number '" + text + "' is out of range (" + number_range + ")");
                return nullptr;
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
