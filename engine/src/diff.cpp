#include "screener/diff.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <system_error>
#include <thread>

#include "screener/rank.hpp"

namespace screener {

namespace {

std::string verdict_change(const Standing& a, const Standing& b) {
    return std::string(to_string(a.verdict)) + " → " + std::string(to_string(b.verdict));
}

// How much a criterion's cause moved the total, to put the largest first.
double effect(const Cause& cause) {
    auto points = [](double p) { return std::isnan(p) ? 0 : p; };  // skipped: none
    switch (cause.kind) {
        case Cause::Kind::new_criterion: return cause.after;
        case Cause::Kind::criterion_removed: return cause.before;
        default: return std::fabs(points(cause.after) - points(cause.before));
    }
}

static_assert(sizeof(Standing) == 24, "a diff keeps two standings for each of its proposals");

std::string standing(const Standing& s) {
    if (s.verdict == Verdict::invalid) return "invalid";
    return std::string(to_string(s.verdict)) + " " + score_text(s.score, s.pass_score) + " (#" + std::to_string(s.rank) + ")";
}

// A change below a billionth of a point is rounding: weights 0.3 and 0.6 for 1 and 2 weigh the same,
// and moved 45 of 300 totals by 1e-14.
bool score_changed(const ProposalChange& p) {
    return p.before.verdict != Verdict::invalid && p.after.verdict != Verdict::invalid && std::fabs(p.delta()) >= 1e-9;
}

std::string signed_delta(const ProposalChange& p) {
    if (p.before.verdict == Verdict::invalid || p.after.verdict == Verdict::invalid) return "";
    if (!score_changed(p)) return "0.00";
    std::string text = texts_apart(p.delta(), 0).first;  // a change is never shown as 0.00
    return p.delta() > 0 ? "+" + text : text;
}

// Writes the rows of `count` proposals to `out` in order, rendered by `row(i, text)` (which appends
// row i) a block at a time on `threads` threads: a million json rows take a second on one. A block
// is as many rows as make about 2 MiB of text, as the rows so far ran (a row may list thousands of
// causes), and at most 8,192.
void write_rows(std::ostream& out, std::size_t count, unsigned threads, const std::function<void(std::size_t, std::string&)>& row) {
    constexpr std::size_t block_bytes = 2 << 20, max_block = 1 << 13;
    std::size_t block = 16, bytes_done = 0;
    if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
    std::vector<std::string> texts(threads);
    std::vector<std::exception_ptr> failures(threads);
    for (std::size_t start = 0; start < count;) {
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
            bytes_done += texts[t].size();
        }
        start = std::min(count, start + block * threads);
        block = std::clamp<std::size_t>(block_bytes * start / std::max<std::size_t>(1, bytes_done), 1, max_block);
    }
}

}  // namespace

RuleChange::RuleChange(const CompiledRules& before, const CompiledRules& after) {
    auto match = [](const auto& now, auto find_before) {
        std::vector<std::uint32_t> out;
        for (const auto& item : now) out.push_back(find_before(item.id).value_or(none));
        return out;
    };
    gate_before_ = match(after.gates, [&](const std::string& id) { return before.find_gate(id); });
    group_before_ = match(after.groups, [&](const std::string& id) { return before.find_group(id); });
    criterion_before_ = match(after.criteria, [&](const std::string& id) { return before.find_criterion(id); });
    for (std::uint32_t g = 0; g < before.gates.size(); ++g)
        if (!after.find_gate(before.gates[g].id)) removed_gates_.push_back(g);
    for (std::uint32_t c = 0; c < before.criteria.size(); ++c)
        if (!after.find_criterion(before.criteria[c].id)) removed_criteria_.push_back(c);
    std::sort(removed_criteria_.begin(), removed_criteria_.end(),
              [&](std::uint32_t x, std::uint32_t y) { return before.criteria[x].id < before.criteria[y].id; });
    auto siblings = [](const CompiledRules& rules) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
        for (const CompiledGroup& g : rules.groups) out.insert(out.end(), g.criterion_count, {g.first_criterion, g.first_criterion + g.criterion_count});
        return out;
    };
    siblings_before_ = siblings(before);
    siblings_after_ = siblings(after);
}

void RuleChange::causes(const Evaluation& a, const Evaluation& b, std::vector<Cause>& out) const {
    using Kind = Cause::Kind;
    for (std::uint32_t g = 0; g < gate_before_.size(); ++g) {
        const bool passed = b.gates[g].passed;
        if (gate_before_[g] == none) {
            if (!passed) out.push_back({Kind::new_gate_fails, g});
        } else if (a.gates[gate_before_[g]].passed != passed) {
            out.push_back({passed ? Kind::gate_passes : Kind::gate_fails, g});
        }
    }
    for (std::uint32_t g : removed_gates_)
        if (!a.gates[g].passed) out.push_back({Kind::gate_removed, g});
    // A new pass score is a cause when the new total would have fared otherwise under the old one,
    // and fares under the new one as the verdict went (a total that now fails a gate is failed by that).
    if (const bool by_new = b.total >= b.parameters.pass_score; by_new != (b.total >= a.parameters.pass_score) && by_new == (b.verdict == Verdict::pass))
        out.push_back({Kind::pass_score, 0, a.parameters.pass_score, b.parameters.pass_score});
    for (std::uint32_t g = 0; g < group_before_.size(); ++g) {
        const bool below_before = group_before_[g] != none && a.groups[group_before_[g]].below_minimum;
        if (below_before != b.groups[g].below_minimum)
            out.push_back({b.groups[g].below_minimum ? Kind::group_below : Kind::group_meets, g, b.parameters.group_minimums[g],
                           b.groups[g].score});
    }
    // A weight in force (profiles may set it) that moved, where it weighs under both rule sets: where
    // another group, or another criterion of its group, is scored beside it.
    auto beside_another = [](const auto& outcomes, std::uint32_t from, std::uint32_t to) {
        int scored = 0;
        for (std::uint32_t k = from; k < to && scored < 2; ++k) scored += !outcomes[k].skipped;
        return scored == 2;
    };
    const bool groups_weigh = beside_another(a.groups, 0, static_cast<std::uint32_t>(a.groups.size())) &&
                              beside_another(b.groups, 0, static_cast<std::uint32_t>(b.groups.size()));
    for (std::uint32_t g = 0; g < group_before_.size() && groups_weigh; ++g)
        if (const std::uint32_t was = group_before_[g]; was != none && !a.groups[was].skipped && !b.groups[g].skipped &&
                                                       a.parameters.group_weights[was] != b.parameters.group_weights[g])
            out.push_back({Kind::group_weight, g, a.parameters.group_weights[was], b.parameters.group_weights[g]});
    for (std::uint32_t c = 0; c < criterion_before_.size(); ++c)
        if (const std::uint32_t was = criterion_before_[c];
            was != none && !a.criteria[was].skipped && !b.criteria[c].skipped && a.parameters.criterion_weights[was] != b.parameters.criterion_weights[c] &&
            beside_another(a.criteria, siblings_before_[was].first, siblings_before_[was].second) &&
            beside_another(b.criteria, siblings_after_[c].first, siblings_after_[c].second))
            out.push_back({Kind::criterion_weight, c, a.parameters.criterion_weights[was], b.parameters.criterion_weights[c]});
    const std::size_t criteria_from = out.size();
    auto points = [](const CriterionResult& c) { return c.skipped ? std::nan("") : c.points; };
    for (std::uint32_t c = 0; c < criterion_before_.size(); ++c) {
        const CriterionResult& now = b.criteria[c];
        if (criterion_before_[c] == none) {  // one that does not apply changes nothing, as one removed that did not
            if (!now.skipped) out.push_back({Kind::new_criterion, c, 0, now.points});
            continue;
        }
        const CriterionResult& was = a.criteria[criterion_before_[c]];
        if (was.skipped != now.skipped || (was.skipped ? 0 : was.points) != (now.skipped ? 0 : now.points))
            out.push_back({Kind::criterion, c, points(was), points(now)});
    }
    for (std::uint32_t c : removed_criteria_)
        if (!a.criteria[c].skipped) out.push_back({Kind::criterion_removed, c, a.criteria[c].points, 0});
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(criteria_from), out.end(),
                     [](const Cause& x, const Cause& y) { return effect(x) > effect(y); });
}

RuleDiff::Ids RuleDiff::ids_of(const CompiledRules& rules) {
    Ids ids;
    for (const auto& g : rules.gates) ids.gates.push_back(g.id);
    for (const auto& g : rules.groups) ids.groups.push_back(g.id);
    for (const auto& c : rules.criteria) ids.criteria.push_back(c.id);
    return ids;
}

RuleDiff::RuleDiff(const CompiledRules& before, const CompiledRules& after)
    : before_rules(rules_info(before)), after_rules(rules_info(after)), before_ids_(ids_of(before)), after_ids_(ids_of(after)) {}

const ProposalChange& RuleDiff::add(std::string_view id, std::string_view name, std::string_view source, Standing before,
                                    Standing after, std::span<const Cause> found, std::span<const std::string> reasons) {
    if (proposals.size() == UINT32_MAX) throw Error("a diff ranks at most 4,294,967,295 proposals");  // Standing::rank's size
    ProposalChange& change = proposals.emplace_back();
    change.id = text_.keep(id);
    change.name = text_.keep(name);
    change.source = text_.keep(source);
    change.before = before;
    change.after = after;
    change.first_cause = causes.size();
    change.cause_count = found.size();
    for (Cause cause : found) {
        if (cause.kind == Cause::Kind::reason) {
            const std::string_view reason = text_.keep(reasons[cause.index]);
            cause.index = static_cast<std::uint32_t>(reasons_.size());
            reasons_.push_back(reason);
        }
        causes.push_back(cause);
    }
    return change;
}

void RuleDiff::rank(unsigned threads) {
    // A result's id is its proposal's under either rule set (or empty, when invalid: ranked last,
    // in input order, whatever the id).
    std::vector<RankKey> keys(proposals.size());
    for (Standing ProposalChange::*side : {&ProposalChange::before, &ProposalChange::after}) {
        for (std::size_t i = 0; i < proposals.size(); ++i) keys[i] = {(proposals[i].*side).verdict, (proposals[i].*side).score, proposals[i].id};
        const std::vector<std::size_t> order = rank_order(keys, threads);
        for (std::size_t r = 0; r < order.size(); ++r) (proposals[order[r]].*side).rank = static_cast<std::uint32_t>(r + 1);
    }
}

std::string RuleDiff::words(const Cause& cause) const {
    using Kind = Cause::Kind;
    auto quoted = [](const std::string& id) { return "'" + id + "'"; };
    auto points = [](double p) { return std::isnan(p) ? std::string("skipped") : two_decimals(p); };
    switch (cause.kind) {
        case Kind::reason: return std::string(reasons_[cause.index]);
        case Kind::new_gate_fails: return "new gate " + quoted(after_ids_.gates[cause.index]) + " fails";
        case Kind::gate_passes: return "gate " + quoted(after_ids_.gates[cause.index]) + " now passes";
        case Kind::gate_fails: return "gate " + quoted(after_ids_.gates[cause.index]) + " now fails";
        case Kind::gate_removed: return "gate " + quoted(before_ids_.gates[cause.index]) + ", which failed, was removed";
        case Kind::pass_score: return "pass score " + two_decimals(cause.before) + " → " + two_decimals(cause.after);
        case Kind::group_below:
        case Kind::group_meets:
            return "group " + quoted(after_ids_.groups[cause.index]) + (cause.kind == Kind::group_below ? " now below" : " now meets") +
                   " its minimum (" + two_decimals(cause.after) + (std::isnan(cause.before) ? "" : " vs " + two_decimals(cause.before)) + ")";
        case Kind::group_weight:
            return "group " + quoted(after_ids_.groups[cause.index]) + " weight " + format_number(cause.before) + " → " + format_number(cause.after);
        case Kind::criterion_weight:
            return "criterion " + quoted(after_ids_.criteria[cause.index]) + " weight " + format_number(cause.before) + " → " +
                   format_number(cause.after);
        case Kind::new_criterion: return "new criterion " + quoted(after_ids_.criteria[cause.index]) + " " + two_decimals(cause.after);
        case Kind::criterion:
            return "criterion " + quoted(after_ids_.criteria[cause.index]) + " " + points(cause.before) + " → " + points(cause.after);
        case Kind::criterion_removed:
            return "criterion " + quoted(before_ids_.criteria[cause.index]) + " (" + two_decimals(cause.before) + ") was removed";
    }
    return {};
}

std::vector<std::string> RuleDiff::causes_of(const ProposalChange& change) const {
    std::vector<std::string> out;
    for (std::size_t k = 0; k < change.cause_count; ++k) out.push_back(words(causes[change.first_cause + k]));
    return out;
}

void write_diff_md(std::ostream& out, const RuleDiff& d, unsigned threads) {
    std::map<std::string, std::size_t> flips;
    std::size_t changed_scores = 0, rank_moves = 0;
    double largest = 0;
    for (const auto& p : d.proposals) {
        if (p.flipped()) ++flips[verdict_change(p.before, p.after)];
        if (score_changed(p)) {
            ++changed_scores;
            largest = std::max(largest, std::fabs(p.delta()));
        }
        rank_moves += p.before.rank != p.after.rank;
    }
    std::size_t flip_count = 0;
    for (const auto& [_, n] : flips) flip_count += n;
    out << "## Rule change impact: `" << d.before_rules.id << "` " << md_escape(d.before_rules.version) << " → `" << d.after_rules.id << "` "
        << md_escape(d.after_rules.version) << "\n\n";
    out << "**" << d.proposals.size() << (d.proposals.size() == 1 ? " proposal: " : " proposals: ") << flip_count << " verdict flip" << (flip_count == 1 ? "" : "s");
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
            for (std::size_t k = 0; k < p.cause_count && k < 3; ++k) why += (k ? "; " : "") + d.words(d.causes[p.first_cause + k]);
            if (p.cause_count > 3) why += "; …";
            out << "| " << md_escape(p.id) << " | " << md_escape(p.name) << " | " << standing(p.before) << " | " << standing(p.after)
                << " | " << signed_delta(p) << " | " << md_escape(why) << " |\n";
        }
        out << "\n";
    }
    out << "<details><summary>All " << d.proposals.size() << " proposals</summary>\n\n";
    out << "| id | before | after | Δ score | Δ rank |\n|---|---|---|---:|---:|\n";
    write_rows(out, d.proposals.size(), threads, [&](std::size_t i, std::string& text) {
        const ProposalChange& p = d.proposals[i];
        const long moved = static_cast<long>(p.before.rank) - static_cast<long>(p.after.rank);
        text += "| " + md_escape(p.id) + " | " + standing(p.before) + " | " + standing(p.after) + " | " + signed_delta(p) + " | " +
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
        for (std::size_t k = 0; k < p.cause_count; ++k) {
            text += k == 0 ? "[\n" : ",\n";
            text.append(8, ' ');
            value(text, d.words(d.causes[p.first_cause + k]));
        }
        text += p.cause_count == 0 ? "[],\n" : "\n      ],\n";
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
