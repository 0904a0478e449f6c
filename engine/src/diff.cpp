#include "screener/diff.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "screener/rank.hpp"

namespace screener {

namespace {

std::string verdict_change(const Standing& a, const Standing& b) {
    return std::string(to_string(a.verdict)) + " → " + std::string(to_string(b.verdict));
}

// What moved between two scorings of one proposal, most telling first: gates, then group minimums,
// pass score, then criteria whose points changed (by their effect on the total).
std::vector<std::string> causes(const Result& a, const Result& b) {
    std::vector<std::string> out;
    if (a.verdict == Verdict::invalid || b.verdict == Verdict::invalid) {
        for (const auto& reason : (b.verdict == Verdict::invalid ? b : a).reasons) out.push_back(reason);
        return out;
    }
    std::map<std::string, bool> gates_before, gates_after;
    for (const auto& g : a.gates) gates_before[g.id] = g.passed;
    for (const auto& g : b.gates) {
        gates_after[g.id] = g.passed;
        auto it = gates_before.find(g.id);
        if (it == gates_before.end()) {
            if (!g.passed) out.push_back("new gate '" + g.id + "' fails");
        } else if (it->second != g.passed) {
            out.push_back("gate '" + g.id + "' now " + (g.passed ? "passes" : "fails"));
        }
    }
    for (const auto& g : a.gates)
        if (!gates_after.count(g.id) && !g.passed) out.push_back("gate '" + g.id + "', which failed, was removed");
    if (a.pass_score != b.pass_score)
        out.push_back("pass score " + two_decimals(a.pass_score) + " → " + two_decimals(b.pass_score));
    std::map<std::string, const GroupOutcome*> groups_before;
    std::map<std::string, const CriterionOutcome*> criteria_before;
    for (const auto& g : a.groups) {
        groups_before[g.id] = &g;
        for (const auto& c : g.criteria) criteria_before[c.id] = &c;
    }
    for (const auto& g : b.groups) {
        auto it = groups_before.find(g.id);
        const bool below_before = it != groups_before.end() && it->second->minimum && !it->second->skipped &&
                                  it->second->score < *it->second->minimum;
        const bool below_after = g.minimum && !g.skipped && g.score < *g.minimum;
        if (below_before != below_after)
            out.push_back("group '" + g.id + "' " + (below_after ? "now below" : "now meets") + " its minimum (" +
                          two_decimals(g.score) + (g.minimum ? " vs " + two_decimals(*g.minimum) : std::string()) + ")");
    }
    std::vector<std::pair<double, std::string>> moved;
    for (const auto& g : b.groups)
        for (const auto& c : g.criteria) {
            auto it = criteria_before.find(c.id);
            double before = it == criteria_before.end() || it->second->skipped ? 0 : it->second->points;
            double after = c.skipped ? 0 : c.points;
            if (it == criteria_before.end()) moved.emplace_back(after, "new criterion '" + c.id + "' " + two_decimals(after));
            else if (before != after || it->second->skipped != c.skipped)
                moved.emplace_back(std::fabs(after - before), "criterion '" + c.id + "' " + (it->second->skipped ? "skipped" : two_decimals(before)) +
                                                                  " → " + (c.skipped ? "skipped" : two_decimals(after)));
        }
    std::map<std::string, bool> criteria_after;
    for (const auto& g : b.groups)
        for (const auto& c : g.criteria) criteria_after[c.id] = true;
    for (const auto& [id, c] : criteria_before)
        if (!criteria_after.count(id) && !c->skipped)
            moved.emplace_back(c->points, "criterion '" + id + "' (" + two_decimals(c->points) + ") was removed");
    std::stable_sort(moved.begin(), moved.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    for (auto& [_, text] : moved) out.push_back(std::move(text));
    return out;
}

std::string md_cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += "\\|";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

std::string standing(const Standing& s) {
    if (s.verdict == Verdict::invalid) return "invalid";
    return std::string(to_string(s.verdict)) + " " + two_decimals(s.score) + " (#" + std::to_string(s.rank) + ")";
}

std::string signed_delta(const ProposalChange& p) {
    if (p.before.verdict == Verdict::invalid || p.after.verdict == Verdict::invalid) return "";
    std::string text = two_decimals(p.delta());
    return p.delta() > 0 ? "+" + text : text;
}

// Writes the rows of `count` proposals to `out` in order, rendered by `row(i, text)` (which appends
// row i) a block at a time on `threads` threads: a million json rows take a second on one.
void write_rows(std::ostream& out, std::size_t count, unsigned threads, const std::function<void(std::size_t, std::string&)>& row) {
    constexpr std::size_t block = 1 << 13;
    if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
    std::vector<std::string> texts(threads);
    std::vector<std::exception_ptr> failures(threads);
    for (std::size_t start = 0; start < count; start += block * threads) {
        auto render = [&](unsigned t) {
            try {
                texts[t].clear();
                for (std::size_t i = start + t * block; i < std::min(count, start + (t + 1) * block); ++i) row(i, texts[t]);
            } catch (...) {
                failures[t] = std::current_exception();
            }
        };
        {
            std::vector<std::jthread> helpers;
            for (unsigned t = 1; t < threads && start + t * block < count; ++t) {
                try {
                    helpers.emplace_back(render, t);
                } catch (const std::system_error&) {  // no thread to be had: rendered here
                    render(t);
                }
            }
            render(0);
        }
        for (unsigned t = 0; t < threads && start + t * block < count; ++t) {
            if (failures[t]) std::rethrow_exception(failures[t]);
            out.write(texts[t].data(), static_cast<std::streamsize>(texts[t].size()));
        }
    }
}

}  // namespace

bool has_causes(const Result& before, const Result& after) { return before.verdict != after.verdict || before.score != after.score; }

ProposalChange change(const Result& before, const Result& after) {
    ProposalChange change;
    change.id = after.id.empty() ? before.id : after.id;
    change.name = after.name.empty() ? before.name : after.name;
    change.source = after.source;
    change.before = {before.verdict, before.score, 0};
    change.after = {after.verdict, after.score, 0};
    if (has_causes(before, after)) change.causes = causes(before, after);
    return change;
}

void rank_changes(std::vector<ProposalChange>& proposals, unsigned threads) {
    // A result's id is its proposal's under either rule set (or empty, when invalid: ranked last,
    // in input order, whatever the id).
    std::vector<RankKey> keys(proposals.size());
    for (Standing ProposalChange::*side : {&ProposalChange::before, &ProposalChange::after}) {
        for (std::size_t i = 0; i < proposals.size(); ++i) keys[i] = {(proposals[i].*side).verdict, (proposals[i].*side).score, proposals[i].id};
        const std::vector<std::size_t> order = rank_order(keys, threads);
        for (std::size_t r = 0; r < order.size(); ++r) (proposals[order[r]].*side).rank = r + 1;
    }
}

RuleDiff diff(const RulesInfo& before_rules, const std::vector<Result>& before, const RulesInfo& after_rules,
              const std::vector<Result>& after) {
    if (before.size() != after.size()) throw Error("the two rule sets read a different number of proposals from the same inputs");
    RuleDiff out{before_rules, after_rules, {}};
    for (std::size_t i = 0; i < before.size(); ++i) out.proposals.push_back(change(before[i], after[i]));
    rank_changes(out.proposals);
    return out;
}

void write_diff_md(std::ostream& out, const RuleDiff& d, unsigned threads) {
    std::map<std::string, std::size_t> flips;
    std::size_t changed_scores = 0, rank_moves = 0;
    double largest = 0;
    for (const auto& p : d.proposals) {
        if (p.flipped()) ++flips[verdict_change(p.before, p.after)];
        if (p.before.verdict != Verdict::invalid && p.after.verdict != Verdict::invalid && p.delta() != 0) {
            ++changed_scores;
            largest = std::max(largest, std::fabs(p.delta()));
        }
        rank_moves += p.before.rank != p.after.rank;
    }
    std::size_t flip_count = 0;
    for (const auto& [_, n] : flips) flip_count += n;
    out << "## Rule change impact: `" << d.before_rules.id << "` " << d.before_rules.version << " → `" << d.after_rules.id << "` "
        << d.after_rules.version << "\n\n";
    out << "**" << d.proposals.size() << " proposals: " << flip_count << " verdict flip" << (flip_count == 1 ? "" : "s");
    if (!flips.empty()) {
        out << " (";
        bool first = true;
        for (const auto& [kind, n] : flips) out << (first ? "" : ", ") << n << " " << kind, first = false;
        out << ")";
    }
    out << "; " << changed_scores << " score" << (changed_scores == 1 ? "" : "s") << " changed (largest "
        << two_decimals(largest) << "); " << rank_moves << " rank move" << (rank_moves == 1 ? "" : "s") << ".**\n\n";
    if (flip_count > 0) {
        out << "| id | name | before | after | Δ score | why |\n|---|---|---|---|---:|---|\n";
        for (const auto& p : d.proposals) {
            if (!p.flipped()) continue;
            std::string why;
            for (std::size_t k = 0; k < p.causes.size() && k < 3; ++k) why += (k ? "; " : "") + p.causes[k];
            if (p.causes.size() > 3) why += "; …";
            out << "| " << md_cell(p.id) << " | " << md_cell(p.name) << " | " << standing(p.before) << " | " << standing(p.after)
                << " | " << signed_delta(p) << " | " << md_cell(why) << " |\n";
        }
        out << "\n";
    }
    out << "<details><summary>All " << d.proposals.size() << " proposals</summary>\n\n";
    out << "| id | before | after | Δ score | Δ rank |\n|---|---|---|---:|---:|\n";
    write_rows(out, d.proposals.size(), threads, [&](std::size_t i, std::string& text) {
        const ProposalChange& p = d.proposals[i];
        const long moved = static_cast<long>(p.before.rank) - static_cast<long>(p.after.rank);
        text += "| " + md_cell(p.id) + " | " + standing(p.before) + " | " + standing(p.after) + " | " + signed_delta(p) + " | " +
                (moved > 0 ? "+" : "") + (moved == 0 ? std::string() : std::to_string(moved)) + " |\n";
    });
    out << "\n</details>\n";
}

void write_diff_json(std::ostream& out, const RuleDiff& d, unsigned threads) {
    // Byte for byte what nlohmann dumps of the whole document (keys in its order, two spaces an
    // indent, each value written by its serializer), a proposal at a time: a million proposals never
    // make one document, nor a million objects, in memory. `text` is what is being written: the
    // head, a block of proposals (each thread its own), the tail.
    auto value = [](std::string& text, const nlohmann::json& v) { text += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
    auto key = [](std::string& text, std::size_t depth, std::string_view name) {
        text.append(2 * depth, ' ');
        text += '"';
        text += name;
        text += "\": ";
    };
    // `"name": value` at `depth`, then `end`: a comma, or what closes the object.
    auto field = [&](std::string& text, std::size_t depth, std::string_view name, const nlohmann::json& v, std::string_view end = ",\n") {
        key(text, depth, name);
        value(text, v);
        text += end;
    };
    auto rules = [&](std::string& text, std::string_view name, const RulesInfo& r) {
        key(text, 1, name);
        text += "{\n";
        field(text, 2, "id", r.id);
        field(text, 2, "sha256", r.sha256);
        field(text, 2, "version", r.version, "\n  },\n");
    };
    auto side = [&](std::string& text, std::string_view name, const Standing& s) {
        key(text, 3, name);
        text += "{\n";
        field(text, 4, "rank", s.rank);
        field(text, 4, "score", s.verdict == Verdict::invalid ? nlohmann::json(nullptr) : nlohmann::json(s.score));
        field(text, 4, "verdict", std::string(to_string(s.verdict)), "\n      },\n");
    };
    std::string head = "{\n";
    rules(head, "after", d.after_rules);
    rules(head, "before", d.before_rules);
    field(head, 1, "format", "screener/diff/v1");
    key(head, 1, "proposals");
    head += '[';
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    write_rows(out, d.proposals.size(), threads, [&](std::size_t i, std::string& text) {
        const ProposalChange& p = d.proposals[i];
        text += i == 0 ? "\n    {\n" : ",\n    {\n";
        side(text, "after", p.after);
        side(text, "before", p.before);
        key(text, 3, "causes");
        for (const std::string& cause : p.causes) {
            text += &cause == &p.causes.front() ? "[\n" : ",\n";
            text.append(8, ' ');
            value(text, cause);
        }
        text += p.causes.empty() ? "[],\n" : "\n      ],\n";
        field(text, 3, "flip", p.flipped() ? nlohmann::json(verdict_change(p.before, p.after)) : nlohmann::json(nullptr));
        field(text, 3, "id", p.id);
        field(text, 3, "name", p.name);
        field(text, 3, "rank_delta", static_cast<long>(p.before.rank) - static_cast<long>(p.after.rank));
        const bool invalid = p.before.verdict == Verdict::invalid || p.after.verdict == Verdict::invalid;
        field(text, 3, "score_delta", invalid ? nlohmann::json(nullptr) : nlohmann::json(p.delta()));
        field(text, 3, "source", p.source, "\n    }");
    });
    const auto flips = static_cast<std::size_t>(std::count_if(d.proposals.begin(), d.proposals.end(), [](const ProposalChange& p) { return p.flipped(); }));
    std::string tail = d.proposals.empty() ? "],\n" : "\n  ],\n";
    key(tail, 1, "summary");
    tail += "{\n";
    field(tail, 2, "flips", flips);
    field(tail, 2, "total", d.proposals.size(), "\n  }\n}\n");
    out.write(tail.data(), static_cast<std::streamsize>(tail.size()));
}

}  // namespace screener
