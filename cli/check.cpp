// `screener check [--rules R] PROPOSAL`: one proposal explained, with what it would take to pass.
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/advice.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct CheckOptions {
    std::string rules, proposal, format = "text";
};

// ANSI colour, only on a terminal and only when NO_COLOR is unset (https://no-color.org).
struct Style {
    bool on = false;
    std::string operator()(const char* code, const std::string& text) const {
        return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
    }
};

std::string points_text(double points) { return two_decimals(points) + " pts"; }

void print_passing_changes(std::ostream& out, const std::vector<PassingChange>& changes, const Style& style) {
    out << "\n" << style("1", "One change that passes") << "\n";
    if (changes.empty()) out << "  none: no input changed alone makes it pass\n";
    for (const PassingChange& change : changes) out << "  → " << printable_line(describe(change)) << "\n";  // enum values are the rule set's text
}

// What else a change does, where it costs: an input may count in other criteria too, so full points
// on one can lower the total (full points on workers per hectare, by more land, took a proposal's
// total from 69.12 to 62.12). " (the total would fall to 62.12: land_ha counts elsewhere too)", or
// " (the proposal would fail: group 'g' scores 18.18, below its minimum 40.00)".
std::string side_effect(const InputChange& change, const Result& now) {
    if (now.verdict == Verdict::pass && change.verdict != Verdict::pass) return " (the proposal would fail: " + change.fails_by + ")";
    if (change.total < now.score && change.verdict == now.verdict)
        return " (the total would fall to " + texts_apart(change.total, now.score).first + ": " + change.input + " counts elsewhere too)";
    return "";
}

void print_advice(std::ostream& out, const CompiledRules& rules, const Result& now, const std::vector<Advice>& advice, const Style& style) {
    if (advice.empty()) return;
    out << "\n" << style("1", "What it takes") << "\n";
    for (const Advice& a : advice) {
        const CompiledCriterion& c = rules.criteria[a.criterion];
        std::string unit = c.unit.empty() ? "" : " " + printable(c.unit);
        // Short of full points by a hair, it is shown so: 99.9999986 pts at 0.69999999, not 100.00 at 0.7.
        out << "  " << printable(c.title.empty() ? c.id : c.title) << " (" << c.id << "): " << texts_apart(a.points, 100).first << " pts now";
        if (c.has_metric)
            out << (std::isnan(a.value) || !a.full.metric ? std::string(", no data")
                                                           : " at " + format_numbers_apart(a.value, *a.full.metric).first + unit);
        out << "\n";
        auto target = [&](const Target& t, const std::string& label) {
            out << "    " << label;
            if (t.metric) out << ": " << c.id << " " << (a.band.full_at >= a.band.zero_at ? "≥ " : "≤ ") << format_number(*t.metric) << unit;
            else out << ": " << (t.points < 100 ? "at least " : "") << two_decimals(t.points) << " points";
            out << "\n";
            for (std::size_t k = 0; k < t.changes.size(); ++k)
                out << "      " << (k == 0 ? "→ " : "  or ") << describe(t.changes[k]) << side_effect(t.changes[k], now) << "\n";
        };
        target(a.full, "full points");
        if (a.pass) target(*a.pass, "to pass with only this criterion changed");
        else if (a.pass_note != "already passes") out << "    to pass: " << a.pass_note << "\n";
    }
}

void print_text(std::ostream& out, const CompiledRules& rules, const Result& r, const std::vector<std::string>& unread,
                const std::vector<PassingChange>& changes, const std::vector<Advice>& advice, const Style& style) {
    const char* colour = r.verdict == Verdict::pass ? "1;32" : r.verdict == Verdict::fail ? "1;31" : "1;33";
    std::string verdict = r.verdict == Verdict::pass ? "PASS" : r.verdict == Verdict::fail ? "FAIL" : "INVALID";
    out << style(colour, verdict) << "  " << r.id << (r.name.empty() ? "" : "  " + r.name) << "\n";
    out << "rules " << rules.id << " " << printable_line(rules.version) << "; source " << r.source << "\n";
    if (r.verdict == Verdict::invalid) {
        out << "\nThis proposal cannot be scored until these are fixed:\n";
        for (const auto& reason : r.reasons) out << "  - " << reason << "\n";
        return;
    }
    const auto [score, pass_score] = texts_apart(r.score, r.pass_score);
    out << "score " << score << " (pass score " << pass_score << ")\n";
    for (const auto& p : r.profiles) out << "profile applied: " << p << "\n";
    if (!unread.empty()) {
        out << "\n" << style("1", "Keys the rule set does not read") << "\n";
        for (const auto& key : unread) out << "  - " << printable_line(key) << "\n";
    }
    if (!r.reasons.empty()) {
        out << "\n" << style("1", "Why it fails") << "\n";
        for (const auto& reason : r.reasons) out << "  - " << reason << "\n";
    }
    out << "\n" << style("1", "Gates") << "\n";
    for (const auto& g : r.gates) {
        out << "  " << (g.passed ? style("32", "passed") : style("31", "FAILED")) << "  " << (g.title.empty() ? g.id : g.title);
        if (!g.passed && !g.message.empty()) out << ": " << g.message;
        out << "\n";
    }
    out << "\n" << style("1", "Groups and criteria") << "\n";
    for (const auto& g : r.groups) {
        out << "  " << style("1", g.title.empty() ? g.id : g.title) << "  ";
        const auto [group_score, minimum] = texts_apart(g.score, g.minimum.value_or(g.score));
        out << (g.skipped ? "skipped" : group_score) << " (weight " << format_number(g.weight);
        if (g.minimum) out << ", minimum " << minimum << (!g.skipped && g.score < *g.minimum ? style("31", " NOT MET") : "");
        out << ")\n";
        for (const auto& c : g.criteria) {
            out << "    " << (c.title.empty() ? c.id : c.title) << ": ";
            if (c.skipped) {
                out << "skipped (" << c.reason << ")\n";
                continue;
            }
            if (!c.reason.empty()) out << c.reason;
            else if (!c.has_metric) out << "by formula";
            else out << format_number(c.value) << (c.unit.empty() ? "" : " " + c.unit) << " (band " << format_number(c.band.zero_at)
                     << " → " << format_number(c.band.full_at) << ")";
            out << " → " << points_text(c.points) << " × weight " << format_number(c.weight) << "\n";
        }
    }
    if (r.verdict == Verdict::fail) print_passing_changes(out, changes, style);
    print_advice(out, rules, r, advice, style);
}

nlohmann::json advice_json(const CompiledRules& rules, const std::vector<Advice>& advice) {
    auto target = [](const Target& t) {
        nlohmann::json changes = nlohmann::json::array();
        for (const auto& c : t.changes)
            changes.push_back({{"input", c.input}, {"from", c.from}, {"to", c.to}, {"text", describe(c)}, {"total", c.total},
                               {"verdict", to_string(c.verdict)}, {"fails_by", c.fails_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.fails_by)}});
        return nlohmann::json{{"points", t.points}, {"metric", t.metric ? nlohmann::json(*t.metric) : nlohmann::json(nullptr)},
                              {"changes", changes}};
    };
    nlohmann::json out = nlohmann::json::array();
    for (const Advice& a : advice)
        out.push_back({{"criterion", rules.criteria[a.criterion].id},
                       {"points", a.points},
                       {"value", std::isnan(a.value) ? nlohmann::json(nullptr) : nlohmann::json(a.value)},
                       {"full", target(a.full)},
                       {"pass", a.pass ? target(*a.pass) : nlohmann::json(nullptr)},
                       {"pass_note", a.pass_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.pass_note)}});
    return out;
}

int run_check(const CheckOptions& o) {
    auto rules = load_rules_or_throw(o.rules);
    std::vector<BoundProposal> bound;
    std::string text;  // the first entry's, for the keys no input reads
    read_proposals(*rules, {o.proposal}, [&](BoundProposal&& b, std::string_view json) {
        if (bound.empty()) text = json;
        bound.push_back(std::move(b));
    });
    if (bound.size() != 1) {
        // Which they are, the first few: a truncated array is one proposal and then its malformed end.
        std::string listed;
        for (std::size_t i = 0; i < std::min<std::size_t>(bound.size(), 3); ++i) {
            const auto* invalid = std::get_if<InvalidProposal>(&bound[i]);
            const std::string& id = invalid ? invalid->id : std::get<Proposal>(bound[i]).id;
            const SourceLoc& source = invalid ? invalid->source : std::get<Proposal>(bound[i]).source;
            listed += (i ? "; " : ": ") + (id.empty() ? source.str() + ": " + invalid->reasons.front() : "'" + id + "' at " + source.str());
        }
        throw Error(o.proposal + (bound.empty() ? " holds no proposal" : " holds " + std::to_string(bound.size()) + " entries") + listed +
                        (bound.size() > 3 ? "; ..." : "") + "; check takes exactly one (use eval for a batch)",
                    2);
    }
    Evaluation evaluation;
    Result result = score(*rules, bound[0], evaluation);
    std::vector<Advice> advice;
    std::vector<PassingChange> changes;
    std::vector<std::string> unread;
    if (const auto* proposal = std::get_if<Proposal>(&bound[0])) {
        advice = what_it_takes(*rules, *proposal, evaluation);
        changes = changes_that_pass(*rules, *proposal, evaluation);
        unread = unread_keys(*rules, text);
    }
    if (o.format == "json") {
        nlohmann::ordered_json out = to_json(result, 1);
        nlohmann::json passing = nlohmann::json::array();
        // As the proposal would write them: true/false for a true/false input, text for an enum one;
        // null for one it leaves out.
        auto value = [](const PassingChange& c, double v) {
            if (std::isnan(v)) return nlohmann::json(nullptr);
            if (!c.values.empty()) return nlohmann::json(v == c.from ? c.given_value : c.values[v == c.nearest ? 0 : c.values.size() - 1]);
            return c.boolean ? nlohmann::json(v != 0) : nlohmann::json(v);
        };
        for (const PassingChange& c : changes) {
            passing.push_back({{"input", c.input}, {"from", value(c, c.from)}, {"nearest", value(c, c.nearest)},
                               {"farthest", value(c, c.farthest)}, {"open_ended", c.open_ended}, {"text", describe(c)}});
            if (!c.values.empty()) passing.back()["values"] = c.values;  // an enum input: every value that passes
        }
        out["unread_keys"] = unread;
        out["changes_that_pass"] = passing;
        out["what_it_takes"] = advice_json(*rules, advice);
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        // Everything that came from the proposal or the rule set is made printable and one line: no
        // escape sequences or invalid UTF-8 reach the terminal, and no name can print a line of its own.
        const auto line = [](std::string& text) { text = printable_line(text); };
        line(result.id), line(result.name), line(result.source);
        for (auto& reason : result.reasons) line(reason);
        for (auto& profile : result.profiles) line(profile);
        for (auto& gate : result.gates) line(gate.title), line(gate.message);
        for (auto& group : result.groups) {
            line(group.title);
            for (auto& c : group.criteria) line(c.title), line(c.unit), line(c.reason);
        }
        const char* no_color = std::getenv("NO_COLOR");  // set and non-empty disables colour (no-color.org)
        Style style{stdout_is_terminal() && (no_color == nullptr || *no_color == '\0')};
        print_text(std::cout, *rules, result, unread, changes, advice, style);
    }
    return result.verdict == Verdict::pass ? 0 : result.verdict == Verdict::fail ? 1 : 2;
}

}  // namespace

void setup_check(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<CheckOptions>();
    auto* cmd = app.add_subcommand("check", "Explain one proposal: verdict, every gate and criterion, keys no input reads that look "
                                            "meant for one, each input that changed alone would make it pass, and what each criterion "
                                            "would take (exit 0 pass, 1 fail, 2 invalid)");
    cmd->add_option("PROPOSAL", o->proposal, "One proposal: a .json file with one object, or - for stdin")->required()->check(input_path(false));
    cmd->add_option("--rules", o->rules, "Rule-set YAML file (default: the built-in bac-ninh-234)")->check(CLI::ExistingFile);
    cmd->add_option("-f,--format", o->format, "text (default; colour on a terminal unless NO_COLOR is set) | json")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->callback([o, &exit_code] { exit_code = run_check(*o); });
}

}  // namespace screener::cli
