#include "screener/report.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "report_html.hpp"

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

std::string two_decimals(double value) {
    std::string text = fmt::format("{:.2f}", value);
    return text == "-0.00" ? "0.00" : text;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
                else out += c;
        }
    }
    return out;
}

namespace {

nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

nlohmann::json rules_json(const RulesInfo& rules) {
    return {{"id", rules.id}, {"version", rules.version}, {"sha256", rules.sha256}};
}

std::string dump(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

nlohmann::json to_json(const Result& r, std::size_t rank) {
    nlohmann::json out = nlohmann::json::object();
    if (rank > 0) out["rank"] = rank;
    out["id"] = r.id;
    out["name"] = r.name;
    out["verdict"] = std::string(to_string(r.verdict));
    out["score"] = r.verdict == Verdict::invalid ? nlohmann::json(nullptr) : nlohmann::json(r.score);
    out["source"] = r.source;
    if (r.verdict != Verdict::invalid) {
        out["pass_score"] = r.pass_score;
        out["profiles"] = r.profiles;
    }
    out["gates"] = nlohmann::json::array();
    for (const auto& g : r.gates) {
        nlohmann::json gate = {{"id", g.id}, {"passed", g.passed}};
        if (!g.title.empty()) gate["title"] = g.title;
        if (!g.passed) gate["message"] = text_or_null(g.message);
        out["gates"].push_back(std::move(gate));
    }
    out["groups"] = nlohmann::json::array();
    for (const auto& g : r.groups) {
        nlohmann::json group = {{"id", g.id}, {"title", g.title}, {"score", g.score}, {"weight", g.weight},
                                {"minimum", g.minimum ? nlohmann::json(*g.minimum) : nlohmann::json(nullptr)},
                                {"skipped", g.skipped}, {"criteria", nlohmann::json::array()}};
        for (const auto& c : g.criteria) {
            nlohmann::json criterion = {{"id", c.id}, {"title", c.title}, {"value", number_or_null(c.value)},
                                        {"points", c.points}, {"weight", c.weight}, {"skipped", c.skipped},
                                        {"reason", text_or_null(c.reason)}};
            if (!c.unit.empty()) criterion["unit"] = c.unit;
            if (c.has_metric) criterion["band"] = {{"zero_at", c.band.zero_at}, {"full_at", c.band.full_at}};
            group["criteria"].push_back(std::move(criterion));
        }
        out["groups"].push_back(std::move(group));
    }
    out["reasons"] = r.reasons;
    return out;
}

Result result_from_json(const nlohmann::json& v) {
    auto need = [](const nlohmann::json& object, const char* key) -> const nlohmann::json& {
        if (!object.is_object() || !object.contains(key)) throw Error(std::string("missing \"") + key + "\"");
        return object.at(key);
    };
    try {
        Result r;
        r.id = need(v, "id").get<std::string>();
        r.name = need(v, "name").get<std::string>();
        r.source = need(v, "source").get<std::string>();
        const auto verdict = need(v, "verdict").get<std::string>();
        if (verdict == "pass") r.verdict = Verdict::pass;
        else if (verdict == "fail") r.verdict = Verdict::fail;
        else if (verdict == "invalid") r.verdict = Verdict::invalid;
        else throw Error("unknown verdict \"" + verdict + "\"");
        if (r.verdict != Verdict::invalid) {
            r.score = need(v, "score").get<double>();
            r.pass_score = need(v, "pass_score").get<double>();
            r.profiles = need(v, "profiles").get<std::vector<std::string>>();
        }
        for (const auto& g : need(v, "gates")) {
            GateOutcome gate{need(g, "id").get<std::string>(), g.value("title", ""), need(g, "passed").get<bool>(), ""};
            if (g.contains("message") && g["message"].is_string()) gate.message = g["message"].get<std::string>();
            r.gates.push_back(std::move(gate));
        }
        for (const auto& g : need(v, "groups")) {
            GroupOutcome group;
            group.id = need(g, "id").get<std::string>();
            group.title = need(g, "title").get<std::string>();
            group.score = need(g, "score").get<double>();
            group.weight = need(g, "weight").get<double>();
            if (!need(g, "minimum").is_null()) group.minimum = g["minimum"].get<double>();
            group.skipped = need(g, "skipped").get<bool>();
            for (const auto& c : need(g, "criteria")) {
                CriterionOutcome o;
                o.id = need(c, "id").get<std::string>();
                o.title = need(c, "title").get<std::string>();
                o.unit = c.value("unit", "");
                o.value = need(c, "value").is_null() ? std::nan("") : c["value"].get<double>();
                o.points = need(c, "points").get<double>();
                o.weight = need(c, "weight").get<double>();
                o.skipped = need(c, "skipped").get<bool>();
                if (need(c, "reason").is_string()) o.reason = c["reason"].get<std::string>();
                if (c.contains("band")) {
                    o.has_metric = true;
                    o.band = {need(c["band"], "zero_at").get<double>(), need(c["band"], "full_at").get<double>()};
                }
                group.criteria.push_back(std::move(o));
            }
            r.groups.push_back(std::move(group));
        }
        r.reasons = need(v, "reasons").get<std::vector<std::string>>();
        return r;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("unexpected value: ") + e.what());
    }
}

RulesInfo rules_info_from_json(const nlohmann::json& line) {
    try {
        const auto& rules = line.at("rules");
        return {rules.at("id").get<std::string>(), rules.at("version").get<std::string>(), rules.at("sha256").get<std::string>()};
    } catch (const nlohmann::json::exception&) {
        throw Error("missing \"rules\" {id, version, sha256}: is this an `eval --format ndjson` result?");
    }
}

void write_ndjson_line(std::ostream& out, const RulesInfo& rules, const Result& result) {
    nlohmann::json line = to_json(result, 0);
    line["rules"] = rules_json(rules);
    out << dump(line) << '\n';
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
    Counts c = count(ranked);
    nlohmann::json report = {{"format", "screener/report/v1"},
                             {"rules", rules_json(rules)},
                             {"summary", {{"total", ranked.size()}, {"pass", c.pass}, {"fail", c.fail}, {"invalid", c.invalid}}},
                             {"results", nlohmann::json::array()}};
    for (std::size_t i = 0; i < ranked.size(); ++i) report["results"].push_back(to_json(ranked[i], i + 1));
    out << dump(report, 2) << '\n';
}

// Markdown table cells: escape what would break the table or be read as markup or HTML.
std::string md(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '|': out += "\\|"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '*': case '`': case '[': case ']': case '\\': out += '\\'; out += c; break;
            case '\n': case '\r': out += ' '; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string format_number(double v) {
    if (std::isnan(v)) return "no data";
    std::string text = fmt::format("{:.6g}", v);
    if (std::fabs(v) >= 1e6 || (std::fabs(v) >= 1000 && v == std::trunc(v))) text = fmt::format("{:.0f}", v);
    // thousands separators keep large money amounts readable
    std::size_t digits_end = std::min(text.find_first_of(".e"), text.size());
    std::size_t digits_start = text[0] == '-' ? 1 : 0;
    std::string out = text.substr(0, digits_start);
    for (std::size_t i = digits_start; i < digits_end; ++i) {
        if (i > digits_start && (digits_end - i) % 3 == 0) out += ',';
        out += text[i];
    }
    return out + text.substr(digits_end);
}

namespace {

const char* verdict_label(Verdict v) { return v == Verdict::pass ? "**pass**" : v == Verdict::fail ? "fail" : "invalid"; }

void write_md(std::ostream& out, const RulesInfo& rules, const std::vector<Result>& ranked) {
    Counts c = count(ranked);
    out << "# Screening report\n\n";
    out << "Rule set `" << rules.id << "` version " << rules.version << " (sha256 `" << rules.sha256.substr(0, 12) << "`)\n\n";
    out << "| proposals | pass | fail | invalid |\n|---:|---:|---:|---:|\n";
    out << "| " << ranked.size() << " | " << c.pass << " | " << c.fail << " | " << c.invalid << " |\n\n";
    out << "## Ranking\n\n| rank | id | name | verdict | score | why it fails |\n|---:|---|---|---|---:|---|\n";
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const Result& r = ranked[i];
        std::string why;
        for (const auto& reason : r.reasons) why += (why.empty() ? "" : "; ") + reason;
        out << "| " << i + 1 << " | " << md(r.id) << " | " << md(r.name) << " | " << verdict_label(r.verdict) << " | "
            << (r.verdict == Verdict::invalid ? "" : two_decimals(r.score)) << " | " << md(why) << " |\n";
    }
    out << "\n## Details\n";
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const Result& r = ranked[i];
        out << "\n### " << i + 1 << ". " << md(r.id) << (r.name.empty() ? "" : " — " + md(r.name)) << "\n\n";
        out << "Verdict: " << verdict_label(r.verdict);
        if (r.verdict != Verdict::invalid) out << ", score " << two_decimals(r.score) << " (pass score " << two_decimals(r.pass_score) << ")";
        out << ". Source: `" << r.source << "`.\n";
        if (!r.profiles.empty()) {
            out << "Profiles applied: ";
            for (std::size_t k = 0; k < r.profiles.size(); ++k) out << (k ? "; " : "") << md(r.profiles[k]);
            out << ".\n";
        }
        if (!r.reasons.empty()) {
            out << "\n";
            for (const auto& reason : r.reasons) out << "- " << md(reason) << "\n";
        }
        if (r.verdict == Verdict::invalid) continue;
        if (!r.gates.empty()) {
            out << "\n| gate | result | message |\n|---|---|---|\n";
            for (const auto& g : r.gates)
                out << "| " << md(g.title.empty() ? g.id : g.title) << " | " << (g.passed ? "passed" : "**FAILED**") << " | "
                    << md(g.message) << " |\n";
        }
        out << "\n| group / criterion | value | band (0 → 100) | points | weight | note |\n|---|---:|---|---:|---:|---|\n";
        for (const auto& g : r.groups) {
            std::string note = g.skipped ? "skipped" : "";
            if (g.minimum) note += (note.empty() ? "" : "; ") + std::string("minimum ") + two_decimals(*g.minimum) +
                                   (!g.skipped && g.score < *g.minimum ? " — NOT MET" : "");
            out << "| **" << md(g.title.empty() ? g.id : g.title) << "** | | | **" << two_decimals(g.score) << "** | "
                << format_number(g.weight) << " | " << note << " |\n";
            for (const auto& cr : g.criteria) {
                std::string value = cr.skipped ? "" : format_number(cr.value) + (cr.unit.empty() ? "" : " " + cr.unit);
                std::string band = cr.has_metric ? format_number(cr.band.zero_at) + " → " + format_number(cr.band.full_at) : "points";
                out << "| " << md(cr.title.empty() ? cr.id : cr.title) << " | " << md(value) << " | " << band << " | "
                    << (cr.skipped ? "–" : two_decimals(cr.points)) << " | " << format_number(cr.weight) << " | " << md(cr.reason) << " |\n";
            }
        }
    }
}

// CSV cells: RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading '.
std::string csv(std::string_view text, bool is_text = true) {
    std::string cell(text);
    if (is_text && !cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r'))
        cell.insert(cell.begin(), '\'');
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string out = "\"";
    for (char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void write_csv(std::ostream& out, const std::vector<Result>& ranked) {
    // Columns come from the first scored result: every scored result of one rule set has the same groups.
    const Result* shape = nullptr;
    for (const auto& r : ranked)
        if (r.verdict != Verdict::invalid) {
            shape = &r;
            break;
        }
    out << "rank,id,name,verdict,score,source";
    if (shape) {
        for (const auto& g : shape->groups) out << "," << csv("group:" + g.id);
        for (const auto& g : shape->groups)
            for (const auto& c : g.criteria) out << "," << csv(c.id);
    }
    out << ",reasons\r\n";
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        const Result& r = ranked[i];
        bool scored = r.verdict != Verdict::invalid;
        out << i + 1 << "," << csv(r.id) << "," << csv(r.name) << "," << to_string(r.verdict) << ","
            << (scored ? two_decimals(r.score) : "") << "," << csv(r.source);
        if (shape) {
            for (std::size_t g = 0; g < shape->groups.size(); ++g)
                out << "," << (scored && !r.groups[g].skipped ? two_decimals(r.groups[g].score) : "");
            for (std::size_t g = 0; g < shape->groups.size(); ++g)
                for (std::size_t k = 0; k < shape->groups[g].criteria.size(); ++k)
                    out << "," << (scored && !r.groups[g].criteria[k].skipped ? two_decimals(r.groups[g].criteria[k].points) : "");
        }
        std::string reasons;
        for (const auto& reason : r.reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
        out << "," << csv(reasons) << "\r\n";
    }
}

void write_junit(std::ostream& out, const RulesInfo& rules, const std::vector<Result>& ranked) {
    Counts c = count(ranked);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"screener\" tests=\"" << ranked.size() << "\" failures=\"" << c.fail << "\" errors=\"" << c.invalid << "\">\n";
    out << "  <testsuite name=\"" << xml_escape(rules.id + " " + rules.version) << "\" tests=\"" << ranked.size() << "\" failures=\""
        << c.fail << "\" errors=\"" << c.invalid << "\">\n";
    for (const auto& r : ranked) {
        std::string reasons;
        for (const auto& reason : r.reasons) reasons += reason + "\n";
        out << "    <testcase classname=\"" << xml_escape(rules.id) << "\" name=\"" << xml_escape(r.id + (r.name.empty() ? "" : " " + r.name)) << "\"";
        if (r.verdict == Verdict::pass) {
            out << "/>\n";
            continue;
        }
        const char* tag = r.verdict == Verdict::fail ? "failure" : "error";
        out << ">\n      <" << tag << " message=\"" << (r.verdict == Verdict::fail ? "fail, score " + two_decimals(r.score) : "invalid proposal")
            << "\">" << xml_escape(reasons) << "</" << tag << ">\n    </testcase>\n";
    }
    out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace

void write_report(std::ostream& out, Format format, const RulesInfo& rules, const std::vector<Result>& ranked) {
    switch (format) {
        case Format::md: return write_md(out, rules, ranked);
        case Format::json: return write_json(out, rules, ranked);
        case Format::csv: return write_csv(out, ranked);
        case Format::junit: return write_junit(out, rules, ranked);
        case Format::html: return detail::write_html(out, rules, ranked);
        case Format::ndjson:
            for (const auto& r : ranked) write_ndjson_line(out, rules, r);
            return;
    }
}

}  // namespace screener
