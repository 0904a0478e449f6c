#include "screener/report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "fast_bind.hpp"
#include "json_number.hpp"
#include "report_html.hpp"
#include "result_line.hpp"
#include "utf8.hpp"

namespace screener {

std::optional<Format> parse_format(std::string_view name) {
    static const std::map<std::string_view, Format> formats = {
        {"md", Format::md}, {"json", Format::json}, {"ndjson", Format::ndjson}, {"csv", Format::csv}, {"junit", Format::junit}, {"html", Format::html}};
    auto it = formats.find(name);
    if (it == formats.end()) return std::nullopt;
    return it->second;
}

std::string_view to_string(Format format) {
    static constexpr std::string_view names[] = {"md", "json", "ndjson", "csv", "junit", "html"};
    return names[static_cast<int>(format)];
}

RulesInfo rules_info(const CompiledRules& rules) { return {rules.id, rules.version, rules.sha256}; }

namespace {
std::string valid_utf8(std::string_view text);
}

std::string printable(std::string_view text) {
    const std::string valid = valid_utf8(text);
    std::string out;
    out.reserve(valid.size());
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto c = static_cast<unsigned char>(valid[i]);
        if (detail::c1_control(valid, i))
            out += '?', ++i;
        else if (c == '\r')  // a line break as Windows (CR LF) or old Macs (CR) write it: one line break
            out += '\n', i += i + 1 < valid.size() && valid[i + 1] == '\n';
        else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            out += '?';
        else
            out += valid[i];
    }
    return out;
}

std::string printable_line(std::string_view text) {
    std::string out = printable(text);
    std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
    return out;
}

namespace {
// Whole numbers below 1e16 print exactly as integers: the common case in reports (points of 100, a
// weight of 20), taken without fmt's float formatting. (From 1e16 on, fmt's shortest form, which
// the JSON reports use, writes an exponent.)
bool whole_number(double value) { return std::fabs(value) < 1e16 && value == std::trunc(value); }
}  // namespace

std::string two_decimals(double value) {
    if (whole_number(value)) return fmt::format(FMT_COMPILE("{}.00"), static_cast<std::int64_t>(value));  // and -0 is 0
    return with_decimals(value, 2);
}

std::string score_text(double score, double threshold) { return score < threshold ? texts_apart(score, threshold).first : two_decimals(score); }

std::string xml_escape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            case '\r':  // a line break as Windows (CR LF) or old Macs (CR) write it, as printable() reads it
                if (i + 1 >= text.size() || text[i + 1] != '\n') out += '\n';
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
                    out += ' ';
                } else if (const std::size_t length = detail::utf8_length(text, i); length == 0) {
                    out += detail::replacement_character;  // XML must be valid UTF-8
                } else if (length == 3 && text.substr(i, 2) == "\xEF\xBF" && (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
                    out += ' ';  // U+FFFE and U+FFFF are no XML characters, as controls are not
                    i += length;
                    continue;
                } else {
                    out.append(text.substr(i, length));
                    i += length;
                    continue;
                }
        }
        ++i;
    }
    return out;
}


namespace {

// `text` with every byte that starts no valid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text) {
    if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = detail::utf8_length(text, i);
        if (length == 0) out += detail::replacement_character, ++i;
        else out.append(text.data() + i, length), i += length;
    }
    return out;
}

// JSON text written by hand: one pass, no DOM. Strings are escaped and any invalid UTF-8 becomes
// U+FFFD, so the output is always valid JSON; numbers are the shortest text that reads back exactly.
class JsonText {
public:
    explicit JsonText(std::string& out) : out_(out) {}

    JsonText& raw(std::string_view text) {
        out_ += text;
        return *this;
    }
    JsonText& key(std::string_view name) {
        out_ += '"';
        out_ += name;
        out_ += "\":";
        return *this;
    }
    JsonText& number(double v) {
        if (std::isnan(v) || std::isinf(v)) return raw("null");
        if (whole_number(v)) return integer(static_cast<std::int64_t>(v));  // as fmt's shortest form would, only faster
        // A result repeats numbers side by side (a criterion's value and its points, a lone group's
        // score and the total): each is formatted once.
        if (v != last_number_) {
            last_number_ = v;
            last_text_size_ = static_cast<std::size_t>(detail::shortest_number(v, last_text_) - last_text_);
        }
        return raw({last_text_, last_text_size_});
    }
    JsonText& integer(std::int64_t v) {
        char text[24];
        return raw({text, std::to_chars(text, text + sizeof text, v).ptr});
    }
    JsonText& string(std::string_view text) {
        out_ += '"';
        escaped(text);
        out_ += '"';
        return *this;
    }
    // A string's text without its quotes, escaped.
    JsonText& escaped(std::string_view text) {
        for (std::size_t i = 0; i < text.size();) {
            std::size_t plain = i;  // copy runs of characters that need no escaping in one go
            while (plain < text.size() && static_cast<unsigned char>(text[plain]) >= 0x20 &&
                   static_cast<unsigned char>(text[plain]) < 0x80 && text[plain] != '"' && text[plain] != '\\')
                ++plain;
            if (plain > i) {
                out_.append(text.data() + i, plain - i);
                i = plain;
                continue;
            }
            const auto c = static_cast<unsigned char>(text[i]);
            if (c < 0x80) {
                if (c == '"' || c == '\\') out_ += '\\', out_ += static_cast<char>(c);
                else if (c == '\n') out_ += "\\n";
                else if (c == '\t') out_ += "\\t";
                else if (c == '\r') out_ += "\\r";
                else if (c < 0x20) {  // by hand: fmt::format_to a character made text of them 38 times slower
                    const char u[] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
                    out_.append(u, sizeof u);
                }
                else out_ += static_cast<char>(c);
                ++i;
                continue;
            }
            const std::size_t length = detail::utf8_length(text, i);
            if (length == 0) {
                out_ += detail::replacement_character;
                ++i;
            } else {
                out_.append(text.data() + i, length);
                i += length;
            }
        }
        return *this;
    }
    JsonText& string_or_null(std::string_view text) { return text.empty() ? raw("null") : string(text); }
    JsonText& strings(const std::vector<std::string>& items) {
        out_ += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out_ += ',';
            string(items[i]);
        }
        out_ += ']';
        return *this;
    }

private:
    std::string& out_;
    double last_number_ = std::numeric_limits<double>::quiet_NaN();  // equal to no number
    char last_text_[detail::shortest_number_room];
    std::size_t last_text_size_ = 0;
};

void rules_text(JsonText& j, const RulesInfo& rules) {
    j.raw("{").key("id").string(rules.id).raw(",").key("version").string(rules.version).raw(",").key("sha256").string(rules.sha256).raw("}");
}

}  // namespace

std::string json_report_head(const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid) {
    std::string text;
    JsonText j(text);
    j.raw("{\"format\":\"screener/report/v1\",\n\"rules\":");
    rules_text(j, rules);
    j.raw(",\n\"summary\":{").key("total").integer(pass + fail + invalid).raw(",").key("pass").integer(pass).raw(",");
    j.key("fail").integer(fail).raw(",").key("invalid").integer(invalid).raw("},\n\"results\":[\n");
    return text;
}

void append_result_json(std::string& out, const Result& r, std::size_t rank, const RulesInfo* rules) {
    // Keys and punctuation as whole literals: a result line holds hundreds of them.
    JsonText j(out);
    j.raw("{");
    if (rank > 0) j.raw("\"rank\":").integer(rank).raw(",");
    j.raw("\"id\":").string(r.id).raw(",\"name\":").string(r.name).raw(",\"verdict\":").string(to_string(r.verdict)).raw(",\"score\":");
    if (r.verdict == Verdict::invalid) j.raw("null");
    else j.number(r.score);
    j.raw(",\"source\":").string(r.source);
    if (r.verdict != Verdict::invalid) j.raw(",\"pass_score\":").number(r.pass_score).raw(",\"profiles\":").strings(r.profiles);
    j.raw(",\"gates\":[");
    for (std::size_t i = 0; i < r.gates.size(); ++i) {
        const GateOutcome& g = r.gates[i];
        j.raw(i ? ",{\"id\":" : "{\"id\":").string(g.id).raw(",\"title\":").string(g.title);
        if (g.passed) j.raw(",\"passed\":true}");
        else j.raw(",\"passed\":false,\"message\":").string_or_null(g.message).raw("}");
    }
    j.raw("],\"groups\":[");
    for (std::size_t i = 0; i < r.groups.size(); ++i) {
        const GroupOutcome& g = r.groups[i];
        j.raw(i ? ",{\"id\":" : "{\"id\":").string(g.id).raw(",\"title\":").string(g.title).raw(",\"score\":").number(g.score);
        j.raw(",\"weight\":").number(g.weight).raw(",\"minimum\":");
        if (g.minimum) j.number(*g.minimum);
        else j.raw("null");
        j.raw(g.skipped ? ",\"skipped\":true,\"criteria\":[" : ",\"skipped\":false,\"criteria\":[");
        for (std::size_t k = 0; k < g.criteria.size(); ++k) {
            const CriterionOutcome& c = g.criteria[k];
            j.raw(k ? ",{\"id\":" : "{\"id\":").string(c.id).raw(",\"title\":").string(c.title);
            if (!c.unit.empty()) j.raw(",\"unit\":").string(c.unit);
            j.raw(",\"value\":").number(c.value).raw(",\"points\":").number(c.points).raw(",\"weight\":").number(c.weight);
            if (c.has_metric) j.raw(",\"band\":{\"zero_at\":").number(c.band.zero_at).raw(",\"full_at\":").number(c.band.full_at).raw("}");
            j.raw(c.skipped ? ",\"skipped\":true,\"reason\":" : ",\"skipped\":false,\"reason\":").string_or_null(c.reason).raw("}");
        }
        j.raw("]}");
    }
    j.raw("],\"reasons\":").strings(r.reasons);
    if (rules) rules_text(j.raw(",\"rules\":"), *rules);
    j.raw("}");
}

ResultJson::ResultJson(const CompiledRules& rules, const RulesInfo* with_rules) : rules_(rules) {
    auto head = [](bool comma, const std::string& id, const std::string& title) {
        std::string text;
        JsonText(text).raw(comma ? ",{" : "{").key("id").string(id).raw(",").key("title").string(title).raw(",");
        return text;
    };
    for (std::size_t i = 0; i < rules.gates.size(); ++i) {
        const std::string gate = head(i > 0, rules.gates[i].id, rules.gates[i].title);
        gate_passed_.push_back(gate + "\"passed\":true}");
        gate_failed_.push_back(gate + "\"passed\":false,\"message\":");
    }
    for (std::size_t g = 0; g < rules.groups.size(); ++g) {
        const CompiledGroup& group = rules.groups[g];
        group_heads_.push_back(head(g > 0, group.id, group.title) + "\"score\":");
        std::string parameters;
        JsonText j(parameters);
        j.raw(",").key("weight").number(group.weight).raw(",").key("minimum");
        if (group.minimum) j.number(*group.minimum);
        else j.raw("null");
        group_defaults_[0].push_back(parameters + ",\"skipped\":false,\"criteria\":[");
        group_defaults_[1].push_back(parameters + ",\"skipped\":true,\"criteria\":[");
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i) {
            const CompiledCriterion& c = rules.criteria[i];
            JsonText head_text(criterion_heads_.emplace_back(head(i > group.first_criterion, c.id, c.title)));
            if (!c.unit.empty()) head_text.key("unit").string(c.unit).raw(",");
            head_text.key("value");
            JsonText defaults(criterion_defaults_.emplace_back());
            defaults.raw(",").key("weight").number(c.weight);
            if (c.has_metric)
                defaults.raw(",").key("band").raw("{").key("zero_at").number(c.band.zero_at).raw(",").key("full_at").number(c.band.full_at).raw("}");
            criterion_scored_.push_back(criterion_defaults_.back() + ",\"skipped\":false,\"reason\":null}");
        }
    }
    JsonText(after_source_).raw("\",").key("pass_score").number(rules.pass_score).raw(",").key("profiles").raw("[],\"gates\":[");
    for (std::uint32_t p = 0; p < rules.profiles.size(); ++p) JsonText(profile_names_.emplace_back()).string(profile_name(rules, p));
    JsonText tail(tail_);
    if (with_rules) tail.raw(",").key("rules"), rules_text(tail, *with_rules);
    tail.raw("}");
}

void ResultJson::append(std::string& out, const Proposal& p, const Evaluation& e, std::size_t rank) const {
    // This runs once per proposal of a batch: the text between numbers goes out in as few pieces as
    // the rule set allows (see the members).
    const auto& params = e.parameters;
    const bool default_parameters = params.profiles.empty();  // then they are the rule set's own
    JsonText j(out);
    j.raw("{");
    if (rank > 0) j.raw("\"rank\":").integer(rank).raw(",");
    j.raw("\"id\":").string(p.id).raw(",\"name\":").string(p.name);
    j.raw(e.verdict == Verdict::pass ? ",\"verdict\":\"pass\",\"score\":" : ",\"verdict\":\"fail\",\"score\":").number(e.total);
    j.raw(",\"source\":\"").escaped(p.source.file);
    if (p.source.line > 0) j.raw(":").integer(p.source.line);
    if (p.source.line > 0 && p.source.col > 0) j.raw(":").integer(p.source.col);
    if (default_parameters) {
        j.raw(after_source_);
    } else {
        j.raw("\",\"pass_score\":").number(params.pass_score).raw(",\"profiles\":[");
        for (std::size_t i = 0; i < params.profiles.size(); ++i) j.raw(i ? "," : "").raw(profile_names_[params.profiles[i]]);
        j.raw("],\"gates\":[");
    }
    Explainer why(rules_, p, e);
    for (std::uint32_t i = 0; i < rules_.gates.size(); ++i) {
        if (e.gates[i].passed) j.raw(gate_passed_[i]);
        else j.raw(gate_failed_[i]).string_or_null(why.gate(i)).raw("}");
    }
    j.raw("],\"groups\":[");
    for (std::uint32_t g = 0; g < rules_.groups.size(); ++g) {
        const CompiledGroup& group = rules_.groups[g];
        j.raw(group_heads_[g]).number(e.groups[g].score);
        if (default_parameters) {
            j.raw(group_defaults_[e.groups[g].skipped][g]);
        } else {
            j.raw(",\"weight\":").number(params.group_weights[g]).raw(",\"minimum\":");
            if (std::isnan(params.group_minimums[g])) j.raw("null");
            else j.number(params.group_minimums[g]);
            j.raw(e.groups[g].skipped ? ",\"skipped\":true,\"criteria\":[" : ",\"skipped\":false,\"criteria\":[");
        }
        for (std::uint32_t i = group.first_criterion; i < group.first_criterion + group.criterion_count; ++i) {
            const CriterionResult& c = e.criteria[i];
            j.raw(criterion_heads_[i]).number(c.skipped ? std::nan("") : c.value).raw(",\"points\":").number(c.points);
            const bool scored = !c.skipped && !c.no_data;
            if (default_parameters && scored) {
                j.raw(criterion_scored_[i]);
                continue;
            }
            if (default_parameters) {
                j.raw(criterion_defaults_[i]);
            } else {
                j.raw(",\"weight\":").number(params.criterion_weights[i]);
                if (rules_.criteria[i].has_metric)
                    j.raw(",\"band\":{\"zero_at\":").number(params.bands[i].zero_at).raw(",\"full_at\":").number(params.bands[i].full_at).raw("}");
            }
            if (scored) j.raw(",\"skipped\":false,\"reason\":null}");
            else
                j.raw(c.skipped ? ",\"skipped\":true,\"reason\":" : ",\"skipped\":false,\"reason\":")
                    .string_or_null(why.criterion(i))
                    .raw("}");
        }
        j.raw("]}");
    }
    if (e.verdict == Verdict::pass) j.raw("],\"reasons\":[]");
    else j.raw("],\"reasons\":").strings(why.fail_reasons());
    j.raw(tail_);
}

nlohmann::ordered_json to_json(const Result& r, std::size_t rank) {
    std::string text;
    append_result_json(text, r, rank, nullptr);
    return nlohmann::ordered_json::parse(text);
}

namespace detail {
namespace {

// The ordinary reader of a result line: what is wrong is named by its key.
using Json = nlohmann::json;

[[noreturn]] void wrong(const char* key, const char* what) {
    throw Error(std::string("unexpected value: \"") + key + "\" must be " + what);
}
const Json& need(const Json& object, const char* key) {
    const auto it = object.find(key);  // end() for anything but an object
    if (it == object.end()) throw Error(std::string("missing \"") + key + "\"");
    return *it;
}
std::string string(const Json& value, const char* key, const char* what) {
    if (!value.is_string()) wrong(key, what);
    return value.get<std::string>();
}
std::string text(const Json& object, const char* key) { return string(need(object, key), key, "a string"); }
double number(const Json& object, const char* key) {
    const Json& value = need(object, key);
    if (!value.is_number()) wrong(key, "a number");
    return value.get<double>();
}
// A number, or nullopt when the value is null (a missing key is an error all the same).
std::optional<double> number_or_null(const Json& object, const char* key) {
    const Json& value = need(object, key);
    if (value.is_null()) return std::nullopt;
    if (!value.is_number()) wrong(key, "a number");
    return value.get<double>();
}
bool boolean(const Json& object, const char* key) {
    const Json& value = need(object, key);
    if (!value.is_boolean()) wrong(key, "true or false");
    return value.get<bool>();
}
const Json& array(const Json& object, const char* key) {
    const Json& value = need(object, key);
    if (!value.is_array()) wrong(key, "an array");
    return value;
}
// A string, or "" when the key is missing or null.
std::string optional_text(const Json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return "";
    return string(*it, key, "a string or null");
}
std::vector<std::string> texts(const Json& object, const char* key) {
    std::vector<std::string> out;
    for (const Json& item : array(object, key)) out.push_back(string(item, key, "an array of strings"));
    return out;
}

ResultLine read_result(const Json& v) {
    if (!v.is_object()) throw Error("not a result line: not a JSON object");
    ResultLine out;
    const auto rules = v.find("rules");
    if (rules == v.end() || !rules->is_object())
        throw Error("missing \"rules\" {id, version, sha256}: is this an `eval --format ndjson` result?");
    out.rules = {text(*rules, "id"), text(*rules, "version"), text(*rules, "sha256")};
    Result& r = out.result;
    r.id = text(v, "id");
    r.name = text(v, "name");
    r.source = text(v, "source");
    const std::string verdict = text(v, "verdict");
    if (verdict == "pass") r.verdict = Verdict::pass;
    else if (verdict == "fail") r.verdict = Verdict::fail;
    else if (verdict == "invalid") r.verdict = Verdict::invalid;
    else throw Error("unknown verdict \"" + verdict + "\"");
    if (r.verdict != Verdict::invalid) {
        r.score = number(v, "score");
        r.pass_score = number(v, "pass_score");
        r.profiles = texts(v, "profiles");
    }
    for (const Json& g : array(v, "gates"))
        r.gates.push_back({text(g, "id"), optional_text(g, "title"), boolean(g, "passed"), optional_text(g, "message")});
    for (const Json& g : array(v, "groups")) {
        GroupOutcome& group = r.groups.emplace_back();
        group.id = text(g, "id");
        group.title = text(g, "title");
        group.score = number(g, "score");
        group.weight = number(g, "weight");
        group.minimum = number_or_null(g, "minimum");
        group.skipped = boolean(g, "skipped");
        for (const Json& c : array(g, "criteria")) {
            CriterionOutcome& o = group.criteria.emplace_back();
            o.id = text(c, "id");
            o.title = text(c, "title");
            o.unit = optional_text(c, "unit");
            o.value = number_or_null(c, "value").value_or(std::nan(""));
            o.points = number(c, "points");
            o.weight = number(c, "weight");
            o.skipped = boolean(c, "skipped");
            o.reason = optional_text(c, "reason");
            if (const auto band = c.find("band"); band != c.end()) {
                o.has_metric = true;
                o.band = {number(*band, "zero_at"), number(*band, "full_at")};
            }
        }
    }
    r.reasons = texts(v, "reasons");
    return out;
}

}  // namespace

ResultLine ordinary_read_result_line(std::string_view line) {
    nlohmann::json v;
    try {
        v = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
        throw Error("not a result line: " + json_error_text(e.what()));
    }
    return read_result(v);
}

std::optional<ResultLine> fast_read_result_line(std::string_view line, std::size_t capacity) {
    ResultLine read;
    if (!fast_read_result_line(line, capacity, read)) return std::nullopt;
    return read;
}

template <class T>
void resize(std::vector<T>& items, std::size_t size) {
    items.resize(size);
}
template void resize(std::vector<std::string>&, std::size_t);
template void resize(std::vector<GateOutcome>&, std::size_t);
template void resize(std::vector<GroupOutcome>&, std::size_t);
template void resize(std::vector<CriterionOutcome>&, std::size_t);

void read_result_line(std::string_view line, std::size_t capacity, ResultLine& into, bool outcomes) {
    if (simd_supported() && fast_read_result_line(line, capacity, into, outcomes)) return;
    into = ordinary_read_result_line(line);
    if (!outcomes) into.result.gates.clear(), into.result.groups.clear();
}

}  // namespace detail

ResultLine read_result_line(std::string_view line) {
    ResultLine read;
    detail::read_result_line(line, 0, read);
    return read;
}

void write_ndjson_line(std::ostream& out, const RulesInfo& rules, const Result& result) {
    std::string line;
    append_result_json(line, result, 0, &rules);
    line += '\n';
    out << line;
}

namespace {

struct Counts {
    std::size_t pass = 0, fail = 0, invalid = 0;
};

Counts count(const std::vector<Result>& results) {
    Counts c;
    for (const auto& r : results) (r.verdict == Verdict::pass ? c.pass : r.verdict == Verdict::fail ? c.fail : c.invalid)++;
    return c;
}

void write_json(std::ostream& out, const RulesInfo& rules, const std::vector<Result>& ranked) {
    const Counts c = count(ranked);
    out << json_report_head(rules, c.pass, c.fail, c.invalid);
    std::string text;  // one result's line at a time
    for (std::size_t r = 0; r < ranked.size(); ++r) {
        text.clear();
        append_result_json(text, ranked[r], r + 1, nullptr);
        text += r + 1 < ranked.size() ? ",\n" : "\n";
        out << text;
    }
    out << json_report_tail;
}

// What md_escape writes for text[i], where GitHub's Markdown would read it as markup, HTML or a
// link; nullptr where it writes text[i] itself.
const char* md_replacement(std::string_view text, std::size_t i) {
    const auto word = [&](std::size_t k) { return k < text.size() && std::isalnum(static_cast<unsigned char>(text[k])); };
    switch (text[i]) {
        case '|': return "\\|";
        // Backslashes where markup would start, and nowhere else: md is what a terminal shows, and
        // "R&D" or "x < 5" read as they are (entities made "R&amp;D" of a criterion's title).
        case '<': {  // a tag, an autolink, a comment: <x, </, <!, <?
            const char next = i + 1 < text.size() ? text[i + 1] : ' ';
            return std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!' || next == '?' ? "\\<" : nullptr;
        }
        case '>': return i == 0 ? "\\>" : nullptr;  // a quote, at the start of a line only
        case '&': {  // an entity or character reference: &name; &#123; &#x1F;
            std::size_t k = i + 1;
            const bool number = k < text.size() && text[k] == '#';
            if (number) k += k + 1 < text.size() && (text[k + 1] == 'x' || text[k + 1] == 'X') ? 2 : 1;
            const std::size_t first = k;
            while (k < text.size() && (number ? std::isxdigit(static_cast<unsigned char>(text[k])) : word(k))) ++k;
            return k > first && k < text.size() && text[k] == ';' ? "\\&" : nullptr;
        }
        case '*': return "\\*";
        case '~': return "\\~";
        case '`': return "\\`";
        case '[': return "\\[";
        case ']': return "\\]";
        case '\\': return "\\\\";
        case '@': return "\\@";  // a@b.c is a mail link to some renderers (GitHub's makes it one all the same)
        case '_': return i > 0 && word(i - 1) && word(i + 1) ? nullptr : "\\_";  // inside a word it makes no emphasis
        case ':': return text.compare(i + 1, 2, "//") == 0 ? "\\:" : nullptr;  // http://…
        case '.': {  // www.…
            const bool www = i >= 3 && std::equal(text.begin() + static_cast<std::ptrdiff_t>(i) - 3, text.begin() + static_cast<std::ptrdiff_t>(i),
                                                  "www", [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
            return www ? "\\." : nullptr;
        }
        case '\n': return " ";
        default: return nullptr;
    }
}

// An id or a digest in a code span, as eval writes them; other text (from a result line `rank`
// read) escaped instead, as a backtick would end the span.
std::string md_code(std::string_view text) {
    const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
    return plain ? "`" + std::string(text) + "`" : md_escape(text);
}

}  // namespace

std::string md_escape(std::string_view raw) {
    bool plain = true;  // nothing to escape: most ids, names and reasons
    for (std::size_t i = 0; i < raw.size() && plain; ++i)
        plain = raw[i] >= 0x20 && raw[i] < 0x7f && !md_replacement(raw, i);
    if (plain) return std::string(raw);
    const std::string text = printable(raw);
    std::string out;
    out.reserve(text.size() + 8);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (const char* replacement = md_replacement(text, i)) out += replacement;
        else out += text[i];
    }
    return out;
}

std::string format_number(double v) { return format_number(v, 6); }

std::pair<std::string, std::string> format_numbers_apart(double a, double b) {
    std::pair texts{format_number(a), format_number(b)};
    for (int digits = 7; digits <= 17 && a != b && texts.first == texts.second; ++digits)
        texts = {format_number(a, digits), format_number(b, digits)};
    return texts;
}

std::string format_number(double v, int significant) {
    if (std::isnan(v)) return "no data";
    fmt::memory_buffer text;
    auto to = std::back_inserter(text);
    // From 1e16 on, as in JSON, an exponent (1.5e+19): digits from the 17th are not the value's own,
    // and 1e300 would be 301 of them. Whole numbers below: -0 is 0, as in the JSON reports (all
    // `rank` reads back). From a million, whole digits only, unless more digits are asked for.
    // (Six digits, the reports' own, are formatted by compiled formats: text reports write millions.)
    if (std::fabs(v) >= 1e16) fmt::format_to(to, "{:.{}g}", v, significant);
    else if (whole_number(v)) fmt::format_to(to, FMT_COMPILE("{}"), static_cast<std::int64_t>(v));
    else if (std::fabs(v) >= 1e6) significant == 6 ? fmt::format_to(to, FMT_COMPILE("{:.0f}"), v) : fmt::format_to(to, "{:.{}f}", v, significant - 6);
    else significant == 6 ? fmt::format_to(to, FMT_COMPILE("{:.6g}"), v) : fmt::format_to(to, "{:.{}g}", v, significant);
    // thousands separators keep large money amounts readable
    const std::string_view all(text.data(), text.size());
    const char* digits = all.data() + (all[0] == '-');
    const char* digits_end = std::find_if(digits, all.data() + all.size(), [](char c) { return c == '.' || c == 'e'; });
    std::string out(all.data(), digits);
    out.reserve(all.size() + all.size() / 3);
    for (const char* d = digits; d < digits_end; ++d) {
        if (d > digits && (digits_end - d) % 3 == 0) out += ',';
        out += *d;
    }
    out.append(digits_end, all.data() + all.size());
    return out;
}

namespace {

const char* verdict_label(Verdict v) { return v == Verdict::pass ? "**pass**" : v == Verdict::fail ? "fail" : "invalid"; }

// CSV cells: RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading '.
std::string csv(std::string_view text, bool is_text = true) {
    std::string cell = valid_utf8(text);
    if (is_text && !cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r'))
        cell.insert(cell.begin(), '\'');
    // (Not find_first_of, which looks for each byte in the set with a call of its own.)
    if (std::none_of(cell.begin(), cell.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; })) return cell;
    std::string out;
    out.reserve(cell.size() + 2);
    out += '"';
    for (const char c : cell) {
        out += c;
        if (c == '"') out += '"';  // doubled
    }
    out += '"';
    return out;
}

// A result's id as md shows it, as html does: an invalid proposal may have none.
std::string md_id(const Result& r) { return r.id.empty() ? "(no id)" : md_escape(r.id); }

void append_md_ranking_row(std::string& out, const Result& r, std::size_t rank) {
    const auto to = std::back_inserter(out);  // formats compiled at build time: rows are written millions of times
    fmt::format_to(to, FMT_COMPILE("| {} | {} | {} | {} | {} | "), rank, md_id(r), md_escape(r.name), verdict_label(r.verdict),
                   r.verdict == Verdict::invalid ? "" : score_text(r.score, r.pass_score));
    for (std::size_t k = 0; k < r.reasons.size(); ++k) out += (k ? "; " : "") + md_escape(r.reasons[k]);
    out += " |\n";
}

void append_md_details(std::string& out, const Result& r, std::size_t rank) {
    const auto to = std::back_inserter(out);
    fmt::format_to(to, FMT_COMPILE("\n### {}. {}{}\n\nVerdict: {}"), rank, md_id(r), r.name.empty() ? "" : " — " + md_escape(r.name), verdict_label(r.verdict));
    if (r.verdict != Verdict::invalid) {
        const auto [score, pass_score] = texts_apart(r.score, r.pass_score);
        fmt::format_to(to, FMT_COMPILE(", score {} (pass score {})"), score, pass_score);
    }
    fmt::format_to(to, FMT_COMPILE(". Source: {}.\n"), md_escape(r.source));
    if (!r.profiles.empty()) {
        out += "Profiles applied: ";
        for (std::size_t k = 0; k < r.profiles.size(); ++k) out += (k ? "; " : "") + md_escape(r.profiles[k]);
        out += ".\n";
    }
    if (!r.reasons.empty()) {
        out += "\n";
        for (const auto& reason : r.reasons) out += "- " + md_escape(reason) + "\n";
    }
    if (r.verdict == Verdict::invalid) return;
    if (!r.gates.empty()) {
        out += "\n| gate | result | message |\n|---|---|---|\n";
        for (const auto& g : r.gates)
            fmt::format_to(to, FMT_COMPILE("| {} | {} | {} |\n"), md_escape(g.title.empty() ? g.id : g.title), g.passed ? "passed" : "**FAILED**", md_escape(g.message));
    }
    out += "\n| group / criterion | value | band (0 → 100) | points | weight | note |\n|---|---:|---|---:|---:|---|\n";
    for (const auto& g : r.groups) {
        std::string note = g.skipped ? "skipped" : "";
        const auto [score, minimum] = texts_apart(g.score, g.minimum.value_or(g.score));
        if (g.minimum) note += (note.empty() ? "" : "; ") + std::string("minimum ") + minimum + (!g.skipped && g.score < *g.minimum ? " — NOT MET" : "");
        fmt::format_to(to, FMT_COMPILE("| **{}** | | | **{}** | {} | {} |\n"), md_escape(g.title.empty() ? g.id : g.title), score,
                       format_number(g.weight), note);
        for (const auto& cr : g.criteria) {
            std::string value = cr.skipped ? "" : format_number(cr.value) + (cr.unit.empty() || std::isnan(cr.value) ? "" : " " + cr.unit);
            std::string band = cr.has_metric ? format_number(cr.band.zero_at) + " → " + format_number(cr.band.full_at) : "points";
            fmt::format_to(to, FMT_COMPILE("| {} | {} | {} | {} | {} | {} |\n"), md_escape(cr.title.empty() ? cr.id : cr.title), md_escape(value), band,
                           cr.skipped ? "–" : two_decimals(cr.points), format_number(cr.weight), md_escape(cr.reason));
        }
    }
}

void append_csv_row(std::string& out, const Result& r, std::size_t rank, const Result* shape) {
    const bool scored = r.verdict != Verdict::invalid;
    // A score below its pass score and the pass score itself with the decimals that tell them apart
    // (59.996 and 60.000; 60.001 and 60.004), so that a filter on score >= pass_score holds.
    const auto [score, pass_score] = !scored ? std::pair<std::string, std::string>{} : r.score < r.pass_score ? texts_apart(r.score, r.pass_score)
                                                                                                              : std::pair{two_decimals(r.score), two_decimals(r.pass_score)};
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{},{},{},{},{},{},{}"), rank, csv(r.id), csv(r.name), to_string(r.verdict), score,
                   pass_score, csv(r.source));
    if (shape) {
        for (std::size_t g = 0; g < shape->groups.size(); ++g) {
            out += ',';
            if (scored && !r.groups[g].skipped) out += score_text(r.groups[g].score, r.groups[g].minimum.value_or(0));
        }
        for (std::size_t g = 0; g < shape->groups.size(); ++g)
            for (std::size_t k = 0; k < shape->groups[g].criteria.size(); ++k) {
                out += ',';
                if (scored && !r.groups[g].criteria[k].skipped) out += two_decimals(r.groups[g].criteria[k].points);
            }
    }
    out += ',';
    out += csv(fmt::format("{}", fmt::join(r.reasons, "; ")));
    out += "\r\n";
}

// A result's source, "file:line" or "file:line:column", as JUnit's file and line ("" when it has none).
std::pair<std::string_view, std::string_view> file_and_line(std::string_view source) {
    const auto number_at_end = [](std::string_view text) {
        const std::size_t colon = text.rfind(':');
        const bool number = colon != std::string_view::npos && colon + 1 < text.size() &&
                            std::all_of(text.begin() + static_cast<std::ptrdiff_t>(colon) + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
        return number ? colon : std::string_view::npos;
    };
    const std::size_t last = number_at_end(source);
    if (last == std::string_view::npos) return {source, ""};
    if (const std::size_t before = number_at_end(source.substr(0, last)); before != std::string_view::npos)
        return {source.substr(0, before), source.substr(before + 1, last - before - 1)};
    return {source.substr(0, last), source.substr(last + 1)};
}

void append_junit_case(std::string& out, const RulesInfo& rules, const Result& r) {
    // An invalid proposal's name says where it is: its id may be missing, or repeat a valid one's.
    std::string name = r.id + (r.name.empty() ? "" : " " + r.name);
    if (r.verdict == Verdict::invalid) name += (name.empty() ? "" : " ") + ("(" + r.source + ")");
    const auto [file, line] = file_and_line(r.source);
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"", xml_escape(rules.id), xml_escape(name), xml_escape(file));
    if (!line.empty()) out += fmt::format(" line=\"{}\"", line);
    if (r.verdict == Verdict::pass) {
        out += "/>\n";
        return;
    }
    std::string reasons;
    for (const auto& reason : r.reasons) reasons += reason + "\n";
    const char* tag = r.verdict == Verdict::fail ? "failure" : "error";
    out += fmt::format(">\n      <{} message=\"{}\">{}</{}>\n    </testcase>\n", tag,
                       r.verdict == Verdict::fail ? "fail, score " + score_text(r.score, r.pass_score) : "invalid proposal", xml_escape(reasons), tag);
}

}  // namespace

RowReport::RowReport(Format format, const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid,
                     std::optional<Result> scored, const ScoreSummary& charts)
    : format_(format), rules_(rules), scored_(std::move(scored)) {
    const std::size_t total = pass + fail + invalid;
    switch (format) {
        case Format::md:
            // When `rank` writes this, the id and sha256 come from result lines: not trusted (md_code).
            heads_.push_back(fmt::format("# Screening report\n\nRule set {} version {} (sha256 {})\n\n"
                                         "| proposals | pass | fail | invalid |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |\n\n"
                                         "## Ranking\n\nPasses, then fails, each by score from the highest (equal scores by id), then invalid proposals in input order.\n\n"
                                         "| rank | id | name | verdict | score | why it fails |\n|---:|---|---|---|---:|---|\n",
                                         md_code(rules.id), md_escape(rules.version), md_code(rules.sha256.substr(0, 12)), total, pass, fail, invalid));
            heads_.push_back("\n## Details\n");
            break;
        case Format::csv: {
            // A UTF-8 byte order mark: without it Excel reads the file as the local code page and garbles
            // Vietnamese names; LibreOffice and CSV libraries accept it.
            // Each row's own pass score: a profile may set it (a spreadsheet's filter on the score alone
            // would read a fail at 69 under a pass score of 70 as a pass).
            std::string head = std::string(detail::byte_order_mark) + "rank,id,name,verdict,score,pass_score,source";
            if (scored_) {
                for (const auto& g : scored_->groups) head += "," + csv("group:" + g.id);
                for (const auto& g : scored_->groups)
                    for (const auto& c : g.criteria) head += "," + csv("criterion:" + c.id);  // a criterion may be called "score"
            }
            heads_.push_back(head + ",reasons\r\n");
            break;
        }
        case Format::junit: {
            const std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\"", total, fail, invalid);
            heads_.push_back(fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"screener\" {}>\n"
                                         "  <testsuite name=\"{}\" {}>\n",
                                         counts, xml_escape(rules.id + " " + rules.version), counts));
            tail_ = "  </testsuite>\n</testsuites>\n";
            break;
        }
        case Format::html: {
            detail::HtmlFrame frame = detail::html_frame(rules, pass, fail, invalid, scored_ ? &*scored_ : nullptr, charts);
            heads_ = std::move(frame.heads);
            tail_ = std::move(frame.tail);
            break;
        }
        default: throw Error(fmt::format("a {} report is not written a row at a time", to_string(format)));
    }
}

void RowReport::append(std::string& out, std::size_t section, const Result& result, std::size_t rank) const {
    switch (format_) {
        case Format::md: return section == 0 ? append_md_ranking_row(out, result, rank) : append_md_details(out, result, rank);
        case Format::csv: return append_csv_row(out, result, rank, scored_ ? &*scored_ : nullptr);
        case Format::html: return detail::append_html_row(out, section, result, rank, scored_ ? &*scored_ : nullptr);
        default: return append_junit_case(out, rules_, result);
    }
}

void write_report(std::ostream& out, Format format, const RulesInfo& rules, const std::vector<Result>& ranked) {
    switch (format) {
        case Format::json: return write_json(out, rules, ranked);
        case Format::ndjson:
            for (const auto& r : ranked) write_ndjson_line(out, rules, r);
            return;
        default: break;
    }
    const Counts c = count(ranked);
    const auto scored = std::find_if(ranked.begin(), ranked.end(), [](const Result& r) { return r.verdict != Verdict::invalid; });
    ScoreSummary charts;
    if (format == Format::html)
        for (const Result& r : ranked) charts.add(r);
    const RowReport report(format, rules, c.pass, c.fail, c.invalid, scored == ranked.end() ? std::nullopt : std::optional(*scored), charts);
    std::string text;
    for (std::size_t section = 0; section < report.sections(); ++section) {
        out << report.head(section);
        for (std::size_t i = 0; i < ranked.size(); ++i) {
            text.clear();
            report.append(text, section, ranked[i], i + 1);
            out << text;
        }
    }
    out << report.tail();
}

}  // namespace screener
