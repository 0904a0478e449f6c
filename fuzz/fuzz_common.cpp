#include "fuzz_common.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "screener/advice.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

namespace fuzz {

using namespace screener;

void fail(const char* file, int line, const char* condition, const std::string& detail) {
    std::fprintf(stderr, "\n==fuzz== invariant violated at %s:%d: %s\n%s\n", file, line, condition, detail.c_str());
    std::fflush(stderr);
    std::abort();
}

bool tolerated(const char* tag) {
    static const std::string list = [] {
        const char* env = std::getenv("SCREENER_FUZZ_TOLERATE");
        std::string text(",");
        return text.append(env ? env : "").append(",");
    }();
    std::string wanted(",");
    wanted.append(tag).append(",");
    return list.find(wanted) != std::string::npos;
}

namespace {

bool in_0_100(double v) { return std::isfinite(v) && v >= 0 && v <= 100; }

std::string number(double v) {
    std::ostringstream out;
    out.precision(17);
    out << v;
    return out.str();
}

}  // namespace

void check_result(const CompiledRules& rules, const Result& r) {
    const std::string who = "result '" + r.id + "' (" + std::string(to_string(r.verdict)) + ")";
    FUZZ_CHECK(r.verdict == Verdict::pass || r.verdict == Verdict::fail || r.verdict == Verdict::invalid, who);
    // Finding weight-overflow: weights (or bands) near the double range overflow the weighted means
    // to inf or NaN (and a NaN total passes). Tolerated only for rule sets with such huge numbers.
    bool huge = false;
    for (const auto& c : rules.criteria) huge |= std::fabs(c.weight) > 1e150 || std::fabs(c.band.zero_at) > 1e150 || std::fabs(c.band.full_at) > 1e150;
    for (const auto& g : rules.groups) huge |= std::fabs(g.weight) > 1e150;
    for (const auto& p : rules.profiles)
        for (const auto& o : p.overrides) huge |= std::fabs(o.value) > 1e150;
    if (huge && tolerated("weight-overflow")) return;
    if (r.verdict == Verdict::invalid) {
        FUZZ_CHECK(!r.reasons.empty(), who + ": an invalid proposal lists why");
    } else {
        FUZZ_CHECK(in_0_100(r.score), who + ": total score " + number(r.score) + " is not within 0..100");
        FUZZ_CHECK(r.groups.size() == rules.groups.size(), who);
        FUZZ_CHECK(r.gates.size() == rules.gates.size(), who);
        for (const auto& g : r.groups) {
            FUZZ_CHECK(in_0_100(g.score), who + ": group '" + g.id + "' score " + number(g.score) + " is not within 0..100");
            for (const auto& c : g.criteria)
                FUZZ_CHECK(in_0_100(c.points), who + ": criterion '" + c.id + "' points " + number(c.points) + " are not within 0..100");
        }
        // SPEC 3: fail iff a gate fails, a group is below its minimum or the total is below pass_score;
        // the reasons list exactly those, so a pass has none and a fail has at least one.
        FUZZ_CHECK((r.verdict == Verdict::pass) == r.reasons.empty(), who + ": verdict and reasons disagree");
        bool gate_failed = false;
        for (const auto& g : r.gates) gate_failed |= !g.passed;
        if (gate_failed || r.score < r.pass_score) FUZZ_CHECK(r.verdict == Verdict::fail, who + ": should fail");
    }

    // SPEC 6: the NDJSON line is valid JSON and `screener rank` reads it back to the same result.
    const RulesInfo info = rules_info(rules);
    std::string line;
    append_result_json(line, r, 0, &info);
    nlohmann::json parsed;
    try {
        parsed = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
        // Finding json-writer-utf8: bytes 0xF5..0xFF pass as the lead byte of a 3-byte sequence.
        if (tolerated("json-writer-utf8")) return;
        fail(__FILE__, __LINE__, "append_result_json writes valid JSON", std::string(e.what()) + "\n" + line);
    }
    Result back;
    try {
        back = read_result_line(line).result;  // its rules equal `info` but for invalid UTF-8, which becomes U+FFFD
    } catch (const std::exception& e) {
        fail(__FILE__, __LINE__, "read_result_line reads back an NDJSON result line", std::string(e.what()) + "\n" + line);
    }
    std::string again;
    append_result_json(again, back, 0, &info);
    FUZZ_CHECK(again == line, "NDJSON result line changed after a read-back (screener rank):\n" + line + "\n" + again);
    (void)to_json(r, 1);
}

void check_reports(const CompiledRules& rules, std::vector<Result> results) {
    rank(results);
    const RulesInfo info = rules_info(rules);
    for (Format format : {Format::md, Format::json, Format::ndjson, Format::csv, Format::junit, Format::html}) {
        std::ostringstream out;
        write_report(out, format, info, results);
        if (format == Format::json) {
            try {
                auto report = nlohmann::json::parse(out.str());
                FUZZ_CHECK(report["results"].size() == results.size(), out.str());
            } catch (const nlohmann::json::exception& e) {
                if (tolerated("json-writer-utf8")) continue;
                fail(__FILE__, __LINE__, "the JSON report is valid JSON", std::string(e.what()) + "\n" + out.str());
            }
        }
    }
}

void check_advice(const CompiledRules& rules, const Proposal& proposal, const Evaluation& e) {
    for (const Advice& advice : what_it_takes(rules, proposal, e)) {
        FUZZ_CHECK(advice.criterion < rules.criteria.size(), "advice for an unknown criterion");
        for (const auto& change : advice.full.changes) (void)screener::describe(change);
        if (advice.pass)
            for (const auto& change : advice.pass->changes) (void)screener::describe(change);
    }
}

namespace {

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

std::string describe(const BoundProposal& bound) {
    std::ostringstream out;
    if (const auto* invalid = std::get_if<InvalidProposal>(&bound)) {
        out << "invalid id=" << invalid->id << " name=" << invalid->name << " source=" << invalid->source.str();
        for (const auto& reason : invalid->reasons) out << "\n  reason: " << reason;
        return out.str();
    }
    const auto& p = std::get<Proposal>(bound);
    out << "proposal id=" << p.id << " name=" << p.name << " source=" << p.source.str() << "\n  numbers:";
    for (double v : p.numbers) out << ' ' << number(v);
    out << "\n  strings:";
    for (std::size_t i = 0; i < p.strings.size(); ++i) out << ' ' << (p.string_present[i] ? "\"" + p.strings[i] + "\"" : "-");
    out << "\n  lists:";
    for (std::size_t i = 0; i < p.lists.size(); ++i) {
        out << (p.list_present[i] ? " [" : " -");
        if (p.list_present[i]) {
            for (const auto& item : p.lists[i]) out << '"' << item << "\",";
            out << ']';
        }
    }
    return out.str();
}

void check_same_binding(const BoundProposal& a, const BoundProposal& b, std::string_view what) {
    const std::string both = std::string(what) + "\n" + describe(a) + "\n" + describe(b);
    // Finding fast-bind-lazy: simdjson On-Demand does not validate the values it skips (keys the rule set
    // does not read), so the bulk path accepts text that the ordinary path rejects as malformed JSON.
    if (const auto* invalid = std::get_if<InvalidProposal>(&b); invalid && std::holds_alternative<Proposal>(a) &&
        invalid->reasons.size() == 1 && invalid->reasons[0].rfind("malformed JSON", 0) == 0 && tolerated("fast-bind-lazy"))
        return;
    FUZZ_CHECK(a.index() == b.index(), both);
    if (const auto* x = std::get_if<InvalidProposal>(&a)) {
        const auto& y = std::get<InvalidProposal>(b);
        FUZZ_CHECK(x->id == y.id && x->name == y.name && x->reasons == y.reasons && x->source == y.source, both);
        return;
    }
    const auto& x = std::get<Proposal>(a);
    const auto& y = std::get<Proposal>(b);
    FUZZ_CHECK(x.id == y.id && x.name == y.name && x.source == y.source, both);
    FUZZ_CHECK(x.numbers.size() == y.numbers.size() && x.strings.size() == y.strings.size() && x.lists.size() == y.lists.size(), both);
    for (std::size_t i = 0; i < x.numbers.size(); ++i) FUZZ_CHECK(same_number(x.numbers[i], y.numbers[i]), both);
    for (std::size_t i = 0; i < x.strings.size(); ++i) {
        FUZZ_CHECK(x.string_present[i] == y.string_present[i], both);
        if (x.string_present[i]) FUZZ_CHECK(x.strings[i] == y.strings[i], both);
    }
    for (std::size_t i = 0; i < x.lists.size(); ++i) {
        FUZZ_CHECK(x.list_present[i] == y.list_present[i], both);
        if (x.list_present[i]) FUZZ_CHECK(x.lists[i] == y.lists[i], both);
    }
}

std::string scratch_path(std::string_view extension) {
    // Removed when the process exits (each replay under ctest left its files in /dev/shm).
    static struct Made {
        std::set<std::string> paths;
        ~Made() {
            for (const std::string& path : paths) std::remove(path.c_str());
        }
    } made;
    std::error_code ec;
    std::string dir = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    return *made.paths.insert(dir + "/screener-fuzz-" + std::to_string(::getpid()) + std::string(extension)).first;
}

void write_file(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    FUZZ_CHECK(out.good(), "cannot write the scratch file " + path);
}

}  // namespace fuzz
