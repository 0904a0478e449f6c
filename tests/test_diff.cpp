// Impact of a rule change (`screener diff`, engine/include/screener/diff.hpp), on the fixtures in
// tests/ci/: rules-v1.yaml, rules-v2.yaml and the nine proposals of proposals.ndjson.
//
// rules-v2.yaml changes rules-v1.yaml four ways: the capital-per-ha band 1..5 becomes 2..8, the pass
// score 60 becomes 55, a new required input `wastewater_treatment` with a new gate on it, and
// land_ha's max 500 becomes 100. Every verdict, score and rank below was worked out by hand:
//
//   total = (2 * land + tech) / 3 = (capital + labor + rd) / 3, where land = (capital + labor) / 2
//   capital v1 = 100 * clamp((M USD/ha - 1) / 4), v2 = 100 * clamp((M USD/ha - 2) / 6)
//   labor = 100 * clamp((200 - workers/ha) / 150),  rd = 100 * clamp(rd_share / 0.1)
//
//   id     M USD/ha  w/ha  rd    capital v1/v2  labor  rd   v1                 v2
//   CI-01  10        50    0.2   100 / 100      100    100  pass 100    #1     pass 100    #1
//   CI-02  4         125   0.08   75 / 33.33     50     80  pass 68.33  #6     fail 54.44  #5  (< 55)
//   CI-03  8         150   0.04  100 / 100      33.33   40  fail 57.78  #7     pass 57.78  #3  (>= 55)
//   CI-04  10        50    0.1   100 / 100      100    100  pass 100    #2     fail 100    #4  (new gate)
//   CI-05  6         100   0.1   100 / -        66.67  100  pass 88.89  #5     invalid     #7  (no wastewater_treatment)
//   CI-06  6         50    0.1   100 / -        100    100  pass 100    #3     invalid     #8  (150 ha > 100)
//   CI-07  3         200   0      50 / 16.67     0       0  fail 16.67  #8     fail 5.56   #6  (chemicals)
//   CI-08  4.5       50    0.1   87.5 / 41.67   100    100  pass 95.83  #4     pass 80.56  #2
//   CI-09  land_ha 0 is below min 0.1                       invalid     #9     invalid     #9
//
// Ranks: pass (score descending, then id), then fail, then invalid in input order. Three v1 passes
// tie at 100 and are ordered by id: CI-01, CI-04, CI-06.
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "screener/batch.hpp"
#include "screener/diff.hpp"
#include "screener/rank.hpp"
#include "support.hpp"

using namespace screener;
using namespace screener::test;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using nlohmann::json;

namespace {

using Lines = std::vector<std::string>;

const std::string v1_path = "tests/ci/rules-v1.yaml";
const std::string v2_path = "tests/ci/rules-v2.yaml";
const std::string proposals_path = "tests/ci/proposals.ndjson";

struct Expected {
    std::string id;
    Verdict before;
    double before_score;
    std::size_t before_rank;
    Verdict after;
    double after_score;
    std::size_t after_rank;
};

const Verdict P = Verdict::pass, F = Verdict::fail, I = Verdict::invalid;

const std::vector<Expected> expected = {
    {"CI-01", P, 100, 1, P, 100, 1},
    {"CI-02", P, 205.0 / 3, 6, F, 490.0 / 9, 5},
    {"CI-03", F, 520.0 / 9, 7, P, 520.0 / 9, 3},
    {"CI-04", P, 100, 2, F, 100, 4},
    {"CI-05", P, 800.0 / 9, 5, I, 0, 7},
    {"CI-06", P, 100, 3, I, 0, 8},
    {"CI-07", F, 50.0 / 3, 8, F, 50.0 / 9, 6},
    {"CI-08", P, 287.5 / 3, 4, P, 725.0 / 9, 2},
    {"CI-09", I, 0, 9, I, 0, 9},
};

std::shared_ptr<const CompiledRules> compile_path(const std::string& path) {
    CompileResult result = compile_file(source_dir + "/" + path);
    INFO(Catch::Detail::stringify(messages(result.diagnostics)));
    REQUIRE(result.rules);
    CHECK(result.diagnostics.empty());  // the fixtures are lint-clean too
    return result.rules;
}

RuleDiff fixture_diff() {
    auto v1 = compile_path(v1_path);
    auto v2 = compile_path(v2_path);
    return diff_batch(*v1, *v2, {source_dir + "/" + proposals_path}, {1});
}

bool has(const Lines& lines, const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); }

std::string q(const std::string& s) {  // single-quoted for the shell
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Lines lines_of(const std::string& text) {
    Lines out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

const std::string diff_args = "diff " + v1_path + " " + v2_path + " " + proposals_path;

}  // namespace

// ---------------------------------------------------------------------------------------------
// The library

TEST_CASE("diff: every proposal's verdict, score and rank before and after", "[diff]") {
    RuleDiff d = fixture_diff();
    CHECK(d.before_rules.id == "ci-demo");
    CHECK(d.before_rules.version == "1");
    CHECK(d.after_rules.version == "2");
    CHECK(d.before_rules.sha256 == sha256_hex(read_text(source_dir + "/" + v1_path)));
    CHECK(d.after_rules.sha256 == sha256_hex(read_text(source_dir + "/" + v2_path)));
    REQUIRE(d.proposals.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const ProposalChange& p = d.proposals[i];
        const Expected& e = expected[i];
        INFO(e.id);
        CHECK(p.id == e.id);
        CHECK_THAT(std::string(p.source), EndsWith("proposals.ndjson:" + std::to_string(i + 1)));
        CHECK(p.before.verdict == e.before);
        CHECK(p.after.verdict == e.after);
        CHECK(p.before.rank == e.before_rank);
        CHECK(p.after.rank == e.after_rank);
        if (e.before != I) CHECK(p.before.score == Approx(e.before_score).margin(1e-9));
        if (e.after != I) CHECK(p.after.score == Approx(e.after_score).margin(1e-9));
        CHECK(p.flipped() == (e.before != e.after));
    }
    CHECK(d.proposals[1].name == "Mid-size assembly plant, 4 M USD/ha");
}

TEST_CASE("diff: the flips and what caused them", "[diff]") {
    RuleDiff d = fixture_diff();
    std::map<std::string, Lines, std::less<>> causes;
    std::map<std::string, const ProposalChange*, std::less<>> by_id;
    for (const auto& p : d.proposals) by_id[std::string(p.id)] = &p, causes[std::string(p.id)] = d.causes_of(p);
    std::vector<std::string> flipped;
    for (const auto& p : d.proposals)
        if (p.flipped()) flipped.emplace_back(p.id);
    CHECK(flipped == Lines{"CI-02", "CI-03", "CI-04", "CI-05", "CI-06"});

    // pass -> fail through the stricter band: capital 4 M USD/ha earns (4 - 2) / 6 = 33.33 instead of 75.
    const auto& ci02 = *by_id["CI-02"];
    CHECK(ci02.delta() == Approx(-125.0 / 9));
    CHECK(has(causes["CI-02"], "criterion 'capital-per-ha' 75.00 → 33.33"));
    // The lower pass score is no cause: 54.44 fails at 60 as at 55.
    CHECK_FALSE(has(causes["CI-02"], "pass score 60.00 → 55.00"));
    // fail -> pass at the same score, only through the lower pass score.
    const auto& ci03 = *by_id["CI-03"];
    CHECK(ci03.delta() == 0);
    CHECK(has(causes["CI-03"], "pass score 60.00 → 55.00"));
    CHECK(std::none_of(causes["CI-03"].begin(), causes["CI-03"].end(), [](const std::string& c) { return c.starts_with("criterion"); }));
    // pass -> fail through the new gate.
    const auto& ci04 = *by_id["CI-04"];
    CHECK(ci04.delta() == 0);
    CHECK(causes["CI-04"] == Lines{"new gate 'wastewater' fails"});  // 100 passes at 60 as at 55
    // pass -> invalid: the reasons the new rule set gives.
    CHECK(causes["CI-05"] == Lines{"wastewater_treatment: missing (required input)"});
    CHECK(causes["CI-06"] == Lines{"land_ha: expected at most 100, found 150"});
    // Score moves without a flip are explained too; unchanged ones have no causes.
    CHECK(has(causes["CI-07"], "criterion 'capital-per-ha' 50.00 → 16.67"));
    CHECK(by_id["CI-07"]->delta() == Approx(-100.0 / 9));
    CHECK(has(causes["CI-08"], "criterion 'capital-per-ha' 87.50 → 41.67"));
    CHECK(by_id["CI-08"]->delta() == Approx(-137.5 / 9));
    CHECK(causes["CI-01"].empty());
    CHECK(causes["CI-09"].empty());
}

TEST_CASE("diff: ranks in the diff are the ranks eval gives under each rule set", "[diff]") {
    RuleDiff d = fixture_diff();
    for (const auto& [rules, after] : {std::pair{v1_path, false}, std::pair{v2_path, true}}) {
        Cli cli = run_cli("-q eval --rules " + rules + " --format json " + proposals_path);
        REQUIRE(cli.exit_code == 0);
        json report = json::parse(cli.out);
        std::map<std::string, std::size_t> ranks;
        for (const auto& r : report["results"]) ranks[r["id"].get<std::string>()] = r["rank"].get<std::size_t>();
        for (const auto& p : d.proposals) {
            INFO(rules << " " << p.id);
            CHECK(ranks.at(std::string(p.id)) == (after ? p.after.rank : p.before.rank));
        }
    }
}

TEST_CASE("diff_batch: the same on 1 and 2 threads, and a repeated id is invalid under both", "[diff]") {
    auto v1 = compile_path(v1_path);
    auto v2 = compile_path(v2_path);
    // CI-10 is CI-01 under another id; then every fixture again, each id now repeating (a third
    // input, so that the repeats come in another chunk).
    const std::string dir = temp_dir("diff-batch");
    std::string ci_10 = lines_of(read_text(source_dir + "/" + proposals_path))[0];
    ci_10.replace(ci_10.find("CI-01"), 5, "CI-10");
    write_text(dir + "/ci-10.ndjson", ci_10 + "\n");
    const std::string fixtures = source_dir + "/" + proposals_path;
    const std::vector<std::string> inputs = {fixtures, dir + "/ci-10.ndjson", fixtures};
    const RuleDiff alone = fixture_diff();
    std::string one_thread;
    for (unsigned jobs : {1U, 2U}) {
        INFO("jobs " << jobs);
        const RuleDiff d = diff_batch(*v1, *v2, inputs, {jobs});
        REQUIRE(d.proposals.size() == 19);
        std::ostringstream batch;
        write_diff_json(batch, d);
        if (jobs == 1) one_thread = batch.str();
        CHECK(batch.str() == one_thread);
        // The fixtures first, as fixture_diff() has them (CI-10 only moves ranks).
        for (std::size_t k = 0; k < 9; ++k) {
            const ProposalChange &p = d.proposals[k], &q = alone.proposals[k];
            INFO(p.id);
            CHECK((p.id == q.id && p.name == q.name && p.source == q.source));
            CHECK((p.before.verdict == q.before.verdict && p.before.score == q.before.score));
            CHECK((p.after.verdict == q.after.verdict && p.after.score == q.after.score));
            CHECK(d.causes_of(p) == alone.causes_of(q));
        }
        // CI-10 ties CI-01, CI-04 and CI-06 at 100 under v1 (ranked by id), and CI-01 alone under v2.
        CHECK(d.proposals[9].id == "CI-10");
        CHECK((d.proposals[9].before.rank == 4 && d.proposals[9].after.rank == 2));
        // Scored under v1: 9 (#1-#9); CI-09 is #10, then the repeats in input order. Under v2, 7 are
        // scored, then CI-05, CI-06, CI-09 (#8-#10), then the repeats.
        for (std::size_t k = 10; k < 19; ++k) {
            const ProposalChange& p = d.proposals[k];
            INFO(p.id);
            CHECK(p.id == expected[k - 10].id);
            CHECK((p.before.verdict == Verdict::invalid && p.after.verdict == Verdict::invalid));
            CHECK((p.before.rank == k + 1 && p.after.rank == k + 1));
            CHECK(p.cause_count == 0);
        }
    }
}

TEST_CASE("diff: a rule set against itself changes nothing", "[diff]") {
    auto v1 = compile_path(v1_path);
    RuleDiff d = diff_batch(*v1, *v1, {source_dir + "/" + proposals_path}, {});
    REQUIRE(d.proposals.size() == 9);
    for (const auto& p : d.proposals) {
        CHECK_FALSE(p.flipped());
        CHECK(p.delta() == 0);
        CHECK(p.before.rank == p.after.rank);
        CHECK(p.cause_count == 0);
    }
    CHECK(d.causes.empty());
    std::ostringstream md;
    write_diff_md(md, d);
    CHECK_THAT(md.str(), StartsWith("## Rule change impact: `ci-demo` 1 → `ci-demo` 1\n\n"
                                    "**9 proposals: 0 verdict flips; 0 scores changed (largest 0.00); 0 rank moves.**\n\n"
                                    "<details><summary>All 9 proposals</summary>\n"));
}

TEST_CASE("diff: every kind of cause, in its order and words", "[diff]") {
    // Before: gates keep-gate (x > 10), mid (x > 50), old-gate (x < 5); group g (minimum 50) of band
    // (x over 0..40), gone (x over 0..100) and sometimes (x over 0..80, when flag); group h (minimum
    // 30) of steady (x over 0..100); pass score 40. After: keep-gate is x > 30, mid x > 35, old-gate
    // is gone and new-gate (x > 100) is new; g's minimum is 30, band is over 0..20, gone is gone,
    // sometimes always applies and fresh (x over 0..25) is new; h's minimum is 45; pass score 45.
    const std::string head = "format: screener/v1\nid: causes\nversion: \"1\"\ninputs:\n  x: { type: number }\n  flag: { type: boolean }\n";
    auto before = compile_ok(head +
                             "gates:\n  - { id: keep-gate, require: x > 10 }\n  - { id: mid, require: x > 50 }\n"
                             "  - { id: old-gate, require: x < 5 }\n"
                             "groups:\n  - id: g\n    minimum: 50\n    criteria:\n"
                             "      - { id: band, metric: x, zero_at: 0, full_at: 40 }\n"
                             "      - { id: gone, metric: x, zero_at: 0, full_at: 100 }\n"
                             "      - { id: sometimes, metric: x, zero_at: 0, full_at: 80, applies_when: flag }\n"
                             "  - id: h\n    minimum: 30\n    criteria:\n      - { id: steady, metric: x, zero_at: 0, full_at: 100 }\n"
                             "decision:\n  pass_score: 40\n");
    auto after = compile_ok(head +
                            "gates:\n  - { id: keep-gate, require: x > 30 }\n  - { id: mid, require: x > 35 }\n"
                            "  - { id: new-gate, require: x > 100 }\n"
                            "groups:\n  - id: g\n    minimum: 30\n    criteria:\n"
                            "      - { id: band, metric: x, zero_at: 0, full_at: 20 }\n"
                            "      - { id: sometimes, metric: x, zero_at: 0, full_at: 80 }\n"
                            "      - { id: fresh, metric: x, zero_at: 0, full_at: 25 }\n"
                            "  - id: h\n    minimum: 45\n    criteria:\n      - { id: steady, metric: x, zero_at: 0, full_at: 100 }\n"
                            "decision:\n  pass_score: 45\n");
    const std::string file = temp_dir("diff-causes") + "/p.ndjson";
    write_text(file, "{\"id\": \"P1\", \"x\": 20, \"flag\": false}\n{\"id\": \"P2\", \"x\": 40, \"flag\": true}\n");
    RuleDiff d = diff_batch(*before, *after, {file}, {});
    REQUIRE(d.proposals.size() == 2);
    // P1 (x 20) before: g = (band 50 + gone 20) / 2 = 35 (sometimes skipped), below 50; h = 20,
    // below 30; total (35 + 20) / 2 = 27.5. After: g = (band 100 + sometimes 25 + fresh 80) / 3 =
    // 68.33, above 30; h = 20, below 45; total 44.17. Fails both times, on gates. Criteria by how far
    // they moved: fresh 80, band 50, sometimes 25, gone 20.
    const ProposalChange& p1 = d.proposals[0];
    CHECK(p1.before.score == Approx(27.5));
    CHECK(p1.after.score == Approx(265.0 / 6));
    CHECK(d.causes_of(p1) == Lines{"gate 'keep-gate' now fails", "new gate 'new-gate' fails", "gate 'old-gate', which failed, was removed",
                                   "pass score 40.00 → 45.00", "group 'g' now meets its minimum (68.33 vs 30.00)",
                                   "new criterion 'fresh' 80.00", "criterion 'band' 50.00 → 100.00", "criterion 'sometimes' skipped → 25.00",
                                   "criterion 'gone' (20.00) was removed"});
    // P2 (x 40) before: g = (100 + 40 + 50) / 3 = 63.33, h = 40; total 51.67. After: g = (100 + 50 +
    // 100) / 3 = 83.33; h = 40, now below 45; total 61.67. band and sometimes did not move.
    const ProposalChange& p2 = d.proposals[1];
    CHECK(p2.before.score == Approx(155.0 / 3));
    CHECK(p2.after.score == Approx(185.0 / 3));
    // Its pass score is no cause: 61.67 is above both.
    CHECK(d.causes_of(p2) == Lines{"gate 'mid' now passes", "new gate 'new-gate' fails", "gate 'old-gate', which failed, was removed",
                                   "group 'h' now below its minimum (40.00 vs 45.00)",
                                   "new criterion 'fresh' 100.00", "criterion 'gone' (40.00) was removed"});
    std::ostringstream json_text;
    write_diff_json(json_text, d);
    CHECK(json::parse(json_text.str())["proposals"][1]["causes"] == json(d.causes_of(p2)));
}

TEST_CASE("diff: a new criterion is a cause only where it applies", "[diff]") {
    // From a rule-author helper: a new criterion that a proposal skips was named as its cause,
    // "new criterion 'only-b' 0.00", as if it had scored nothing there.
    const std::string head = "format: screener/v1\nid: new\nversion: \"1\"\ninputs:\n  x: { type: number }\n  s: { type: string }\n"
                             "groups:\n  - id: g\n    criteria:\n      - { id: cx, points: x }\n";
    auto before = compile_ok(head + "decision: { pass_score: 50 }\n");
    auto after = compile_ok(head + "      - { id: only-b, points: 100, applies_when: s == \"b\" }\ndecision: { pass_score: 55 }\n");
    const std::string file = temp_dir("diff-new-criterion") + "/p.ndjson";
    write_text(file, "{\"id\": \"P-a\", \"x\": 52, \"s\": \"a\"}\n{\"id\": \"P-b\", \"x\": 52, \"s\": \"b\"}\n");
    RuleDiff d = diff_batch(*before, *after, {file}, {});
    REQUIRE(d.proposals.size() == 2);
    // P-a: 52 both times (only-b skipped), fails at 55. P-b: (52 + 100) / 2 = 76, which passes at 50
    // as at 55: the pass score is no cause of its change.
    CHECK(d.causes_of(d.proposals[0]) == Lines{"pass score 50.00 → 55.00"});
    CHECK(d.causes_of(d.proposals[1]) == Lines{"new criterion 'only-b' 100.00"});
}

TEST_CASE("diff: a weight that moved is a cause, in the rule set or by a profile, where it weighs under both", "[diff]") {
    // From a rule-author helper: a group's weight 30 -> 5 flipped a proposal, and 'why' was empty.
    // Groups people (criterion jobs, points j) and money (criteria m1 = m, m2 = 100, when flag),
    // pass score 60. Before: people 30, money 10, m1 and m2 weigh 1; after: people 5, and m1 weighs 3
    // under the profile 'big' (m > 50).
    const std::string head = "format: screener/v1\nid: weights\nversion: \"1\"\ninputs:\n  j: { type: number }\n  m: { type: number }\n"
                             "  flag: { type: boolean }\ngroups:\n";
    auto groups = [](int people) {
        return "  - id: people\n    weight: " + std::to_string(people) + "\n    criteria:\n      - { id: jobs, points: j }\n"
               "  - id: money\n    weight: 10\n    criteria:\n      - { id: m1, points: m }\n"
               "      - { id: m2, points: 100, applies_when: flag }\ndecision: { pass_score: 60 }\n";
    };
    auto before = compile_ok(head + groups(30));
    auto after = compile_ok(head + groups(5) + "profiles:\n  - title: big\n    when: m > 50\n    set: { m1: { weight: 3 } }\n");
    const std::string file = temp_dir("diff-weights") + "/p.ndjson";
    write_text(file, "{\"id\": \"A\", \"j\": 40, \"m\": 90, \"flag\": true}\n{\"id\": \"B\", \"j\": 40, \"m\": 90, \"flag\": false}\n"
                     "{\"id\": \"C\", \"j\": 40, \"m\": 30, \"flag\": false}\n");
    RuleDiff d = diff_batch(*before, *after, {file}, {});
    REQUIRE(d.proposals.size() == 3);
    // A before: people 40, money (90 + 100) / 2 = 95: (30 * 40 + 10 * 95) / 40 = 53.75, fails. After:
    // money (3 * 90 + 100) / 4 = 92.5: (5 * 40 + 10 * 92.5) / 15 = 75, passes.
    CHECK(d.proposals[0].before.score == Approx(53.75));
    CHECK(d.proposals[0].after.score == Approx(75));
    CHECK(d.causes_of(d.proposals[0]) == Lines{"group 'people' weight 30 → 5", "criterion 'm1' weight 1 → 3"});
    // B: m2 skipped, money is m1 alone whatever its weight: no criterion weight cause. (30 * 40 + 10 *
    // 90) / 40 = 52.5, then (5 * 40 + 10 * 90) / 15 = 73.33.
    CHECK(d.proposals[1].after.score == Approx(1100.0 / 15));
    CHECK(d.causes_of(d.proposals[1]) == Lines{"group 'people' weight 30 → 5"});
    // C: no profile. (30 * 40 + 10 * 30) / 40 = 37.5, then (5 * 40 + 10 * 30) / 15 = 33.33.
    CHECK(d.causes_of(d.proposals[2]) == Lines{"group 'people' weight 30 → 5"});

    // A group scored alone weighs nothing, whatever its weight (from a review helper): group b
    // applies only with flag. Off: a alone, 40 both times, no cause; on: (40 + 100) / 2 = 70, then
    // (5 * 40 + 100) / 6 = 50.
    auto alone = [&](int weight) {
        return compile_ok(head + "  - id: a\n    weight: " + std::to_string(weight) + "\n    criteria:\n      - { id: ca, points: j }\n"
                                 "  - id: b\n    criteria:\n      - { id: cb, points: 100, applies_when: flag }\ndecision: { pass_score: 60 }\n");
    };
    write_text(file, "{\"id\": \"off\", \"j\": 40, \"m\": 0, \"flag\": false}\n{\"id\": \"on\", \"j\": 40, \"m\": 0, \"flag\": true}\n");
    RuleDiff lone = diff_batch(*alone(1), *alone(5), {file}, {});
    REQUIRE(lone.proposals.size() == 2);
    CHECK(lone.causes_of(lone.proposals[0]).empty());
    CHECK(lone.proposals[1].after.score == Approx(50));
    CHECK(lone.causes_of(lone.proposals[1]) == Lines{"group 'a' weight 1 → 5"});
}

TEST_CASE("diff: a lowered pass score is no cause of a pass that now fails on a gate", "[diff]") {
    // From a review helper. X1: 5 M USD/ha, 50 workers/ha, R&D 2 %, no wastewater treatment. v1:
    // (100 + 100 + 20) / 3 = 73.33, passes at 60. v2: capital (5 - 2) / 6 = 50 points, (50 + 100 +
    // 20) / 3 = 56.67, which would pass at 55 but fails the new gate: the pass score 55, under which it
    // would have passed, is no cause.
    auto v1 = compile_path(v1_path);
    auto v2 = compile_path(v2_path);
    const std::string file = temp_dir("diff-lowered-pass-score") + "/x.ndjson";
    write_text(file, R"({"id": "X1", "sector": "electronics", "land_ha": 10, "capital_musd": 50, "workers": 500, "rd_share": 0.02, "wastewater_treatment": false})"
                     "\n");
    RuleDiff d = diff_batch(*v1, *v2, {file}, {});
    REQUIRE(d.proposals.size() == 1);
    CHECK(d.proposals[0].after.score == Approx(170.0 / 3));
    CHECK(d.causes_of(d.proposals[0]) == Lines{"new gate 'wastewater' fails", "criterion 'capital-per-ha' 100.00 → 50.00"});
}

// ---------------------------------------------------------------------------------------------
// The Markdown summary (short enough for a pull-request comment) and the full table

TEST_CASE("diff md escapes the rule sets' versions: a version cannot forge the summary a CI log shows", "[diff]") {
    // From a committee-reader helper: a NEW rule set's version wrote its own summary line and hid the
    // real one in an HTML comment; check-rules.sh prints line 3 to the CI log.
    std::string v2 = read_text(source_dir + "/" + v2_path);
    const std::string version = R"(version: "2\n\n**9 proposals: 0 verdict flips.**\n\n<!--")";
    v2.replace(v2.find("version: \"2\""), std::string("version: \"2\"").size(), version);
    const std::string forged = temp_dir("diff-version") + "/v2.yaml";
    write_text(forged, v2);
    Cli cli = run_cli("diff " + v1_path + " " + q(forged) + " " + proposals_path);
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    const Lines lines = lines_of(cli.out);
    REQUIRE(lines.size() > 3);
    CHECK(lines[0] == "## Rule change impact: `ci-demo` 1 → `ci-demo` 2  \\*\\*9 proposals: 0 verdict flips.\\*\\*  \\<!--");
    CHECK_THAT(lines[2], StartsWith("**9 proposals: 5 verdict flips"));
}

TEST_CASE("diff md does not count rounding as a score change: weights 0.3 and 0.6 weigh as 1 and 2 do", "[diff]") {
    // From a committee-reader helper: weights scaled alike changed nothing, and the summary said
    // "45 scores changed (largest 0.00)": totals moved by 1e-14.
    const std::string dir = temp_dir("diff-rounding");
    const std::string rules = "format: screener/v1\nid: s\nversion: \"1\"\ninputs: {x: {type: number}, y: {type: number}}\ngroups:\n"
                              "  - id: g\n    criteria:\n      - {id: a, points: x, weight: W1}\n      - {id: b, points: y, weight: W2}\n"
                              "  - id: h\n    criteria:\n      - {id: c, points: x}\ndecision: {pass_score: 50}\n";
    auto with = [&](const std::string& w1, const std::string& w2) {
        std::string text = rules;
        text.replace(text.find("W1"), 2, w1);
        text.replace(text.find("W2"), 2, w2);
        return text;
    };
    write_text(dir + "/old.yaml", with("1", "2"));
    write_text(dir + "/new.yaml", with("0.3", "0.6"));
    std::string proposals;
    for (int i = 0; i < 300; ++i)
        proposals += "{\"id\":\"P" + std::to_string(i) + "\",\"x\":" + std::to_string(i * 0.337) + ",\"y\":" + std::to_string(99.9 - i * 0.331) + "}\n";
    write_text(dir + "/p.ndjson", proposals);
    const std::string args = "diff " + q(dir + "/old.yaml") + " " + q(dir + "/new.yaml") + " " + q(dir + "/p.ndjson");
    Cli md = run_cli(args);
    INFO(md.err);
    REQUIRE(lines_of(md.out).size() > 2);
    CHECK(lines_of(md.out)[2] == "**300 proposals: 0 verdict flips; 0 scores changed (largest 0.00); 0 rank moves.**");
    CHECK(md.out.find("+0.00") == std::string::npos);  // nor do the rows show rounding as a move
    CHECK(md.out.find("-0.00") == std::string::npos);
    // The rounding is there, in the exact deltas of the JSON report.
    const json report = json::parse(run_cli(args + " --format json").out);
    const auto moved = std::count_if(report["proposals"].begin(), report["proposals"].end(), [](const json& p) { return p["score_delta"] != 0.0; });
    CHECK(moved > 0);
}

TEST_CASE("diff md: the summary first, then the flips, then every proposal", "[diff]") {
    Cli cli = run_cli(diff_args);
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    Lines lines = lines_of(cli.out);
    REQUIRE(lines.size() > 12);
    // 5 flips: CI-03 fail → pass; CI-02 and CI-04 pass → fail; CI-05 and CI-06 pass → invalid.
    // 3 scores changed among proposals valid both times (CI-02, CI-07, CI-08; largest |Δ| 15.28 for CI-08).
    // 7 rank moves (all but CI-01 and CI-09).
    CHECK(lines[0] == "## Rule change impact: `ci-demo` 1 → `ci-demo` 2");
    CHECK(lines[1].empty());
    CHECK(lines[2] == "**9 proposals: 5 verdict flips (1 fail → pass, 2 pass → fail, 2 pass → invalid); "
                      "3 scores changed (largest 15.28); 7 rank moves.**");
    CHECK(lines[3].empty());
    CHECK(lines[4] == "| id | name | before | after | Δ score | why |");
    CHECK(lines[5] == "|---|---|---|---|---:|---|");
    CHECK_THAT(lines[6], StartsWith("| CI-02 | Mid-size assembly plant, 4 M USD/ha | pass 68.33 (#6) | fail 54.44 (#5) | -13.89 | "));
    CHECK_THAT(lines[6], Contains("criterion 'capital-per-ha' 75.00 → 33.33"));
    CHECK_THAT(lines[7], StartsWith("| CI-03 | Capital-dense plant just under the old pass score | fail 57.78 (#7) | pass 57.78 (#3) | 0.00 | "));
    CHECK_THAT(lines[7], Contains("pass score 60.00 → 55.00"));
    CHECK_THAT(lines[8], StartsWith("| CI-04 | Strong plant without wastewater treatment | pass 100.00 (#2) | fail 100.00 (#4) | 0.00 | "));
    CHECK_THAT(lines[8], Contains("new gate 'wastewater' fails"));
    CHECK(lines[9] == "| CI-05 | Plant that does not say how it treats wastewater | pass 88.89 (#5) | invalid |  | "
                      "wastewater_treatment: missing (required input) |");
    CHECK(lines[10] == "| CI-06 | Large 150 ha campus | pass 100.00 (#3) | invalid |  | land_ha: expected at most 100, found 150 |");
    CHECK(lines[11].empty());
    CHECK(lines[12] == "<details><summary>All 9 proposals</summary>");
    // The full table: Δ rank is old rank minus new rank (+ moved up).
    const Lines table = {
        "| id | before | after | Δ score | Δ rank |",
        "|---|---|---|---:|---:|",
        "| CI-01 | pass 100.00 (#1) | pass 100.00 (#1) | 0.00 |  |",
        "| CI-02 | pass 68.33 (#6) | fail 54.44 (#5) | -13.89 | +1 |",
        "| CI-03 | fail 57.78 (#7) | pass 57.78 (#3) | 0.00 | +4 |",
        "| CI-04 | pass 100.00 (#2) | fail 100.00 (#4) | 0.00 | -2 |",
        "| CI-05 | pass 88.89 (#5) | invalid |  | -2 |",
        "| CI-06 | pass 100.00 (#3) | invalid |  | -5 |",
        "| CI-07 | fail 16.67 (#8) | fail 5.56 (#6) | -11.11 | +2 |",
        "| CI-08 | pass 95.83 (#4) | pass 80.56 (#2) | -15.28 | +2 |",
        "| CI-09 | invalid | invalid |  |  |",
        "",
        "</details>",
    };
    REQUIRE(lines.size() == 14 + table.size());
    CHECK(Lines(lines.begin() + 14, lines.end()) == table);
}

// ---------------------------------------------------------------------------------------------
// The CLI: JSON, exit codes, -o

TEST_CASE("diff md of one proposal says '1 proposal'", "[diff]") {
    const std::string all = read_text(source_dir + "/" + proposals_path);
    Cli cli = run_cli("diff " + v1_path + " " + v2_path + " -", all.substr(0, all.find('\n') + 1));  // CI-01 alone
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    CHECK(lines_of(cli.out)[2] == "**1 proposal: 0 verdict flips; 0 scores changed (largest 0.00); 0 rank moves.**");
}

TEST_CASE("diff --format json lists every proposal with flip, deltas and causes", "[diff]") {
    Cli cli = run_cli(diff_args + " --format json");
    INFO(cli.err);
    REQUIRE(cli.exit_code == 0);
    json d = json::parse(cli.out);
    CHECK(cli.out == d.dump(2) + "\n");  // written a proposal at a time, as one document would be
    CHECK(d["format"] == "screener/diff/v1");
    CHECK(d["before"]["id"] == "ci-demo");
    CHECK(d["before"]["version"] == "1");
    CHECK(d["after"]["version"] == "2");
    CHECK(d["before"]["sha256"] == sha256_hex(read_text(source_dir + "/" + v1_path)));
    CHECK(d["summary"] == json{{"total", 9}, {"flips", 5}});
    REQUIRE(d["proposals"].size() == 9);
    const std::map<std::string, std::string> flips = {
        {"CI-02", "pass → fail"}, {"CI-03", "fail → pass"}, {"CI-04", "pass → fail"}, {"CI-05", "pass → invalid"}, {"CI-06", "pass → invalid"}};
    for (std::size_t i = 0; i < 9; ++i) {
        const json& p = d["proposals"][i];
        const Expected& e = expected[i];
        INFO(e.id);
        CHECK(p["id"] == e.id);
        CHECK(p["source"] == proposals_path + ":" + std::to_string(i + 1));
        CHECK(p["before"]["verdict"] == std::string(to_string(e.before)));
        CHECK(p["after"]["verdict"] == std::string(to_string(e.after)));
        CHECK(p["before"]["rank"] == e.before_rank);
        CHECK(p["after"]["rank"] == e.after_rank);
        CHECK(p["rank_delta"] == static_cast<long>(e.before_rank) - static_cast<long>(e.after_rank));
        if (e.before == I) CHECK(p["before"]["score"].is_null());
        else CHECK(p["before"]["score"].get<double>() == Approx(e.before_score));
        if (e.after == I) CHECK(p["after"]["score"].is_null());
        else CHECK(p["after"]["score"].get<double>() == Approx(e.after_score));
        if (e.before == I || e.after == I) CHECK(p["score_delta"].is_null());
        else CHECK(p["score_delta"].get<double>() == Approx(e.after_score - e.before_score).margin(1e-9));
        if (auto it = flips.find(e.id); it != flips.end()) CHECK(p["flip"] == it->second);
        else CHECK(p["flip"].is_null());
        CHECK(p["causes"].is_array());
    }
    CHECK(d["proposals"][5]["causes"] == json{"land_ha: expected at most 100, found 150"});
}

TEST_CASE("diff json is nlohmann's dump of the whole document, whatever the strings and numbers", "[diff]") {
    // The document as one nlohmann object, as it was written before it was streamed.
    auto document = [](const RuleDiff& d) {
        auto rules = [](const RulesInfo& r) { return json{{"id", r.id}, {"version", r.version}, {"sha256", r.sha256}}; };
        auto side = [](const Standing& s) {
            return json{{"verdict", std::string(to_string(s.verdict))},
                        {"score", s.verdict == Verdict::invalid ? json(nullptr) : json(s.score)},
                        {"rank", s.rank}};
        };
        json proposals = json::array();
        std::size_t flips = 0;
        for (const auto& p : d.proposals) {
            flips += p.flipped();
            const bool invalid = p.before.verdict == Verdict::invalid || p.after.verdict == Verdict::invalid;
            proposals.push_back({{"id", p.id},
                                 {"name", p.name},
                                 {"source", p.source},
                                 {"before", side(p.before)},
                                 {"after", side(p.after)},
                                 {"flip", p.flipped() ? json(std::string(to_string(p.before.verdict)) + " → " + std::string(to_string(p.after.verdict)))
                                                      : json(nullptr)},
                                 {"score_delta", invalid ? json(nullptr) : json(p.delta())},
                                 {"rank_delta", static_cast<long>(p.before.rank) - static_cast<long>(p.after.rank)},
                                 {"causes", d.causes_of(p)}});
        }
        const json doc = {{"format", "screener/diff/v1"}, {"before", rules(d.before_rules)}, {"after", rules(d.after_rules)},
                          {"summary", {{"total", d.proposals.size()}, {"flips", flips}}}, {"proposals", proposals}};
        return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    };
    auto written = [](const RuleDiff& d, unsigned threads = 1) {
        std::ostringstream out;
        write_diff_json(out, d, threads);
        return out.str();
    };
    auto rules = compile_path(v1_path);
    RuleDiff d(*rules, *rules);
    d.before_rules = {"rules \"a\"", "1\\2", std::string(64, 'f')};
    d.after_rules = {"r\xff", "v\u00e9 \U0001F600", "\x01"};
    CHECK(written(d) == document(d));  // no proposals
    // Causes here are reasons: any text.
    auto reasons = [](std::size_t n) {
        std::vector<Cause> causes(n);
        for (std::size_t k = 0; k < n; ++k) causes[k] = {Cause::Kind::reason, static_cast<std::uint32_t>(k)};
        return causes;
    };
    struct Row {
        std::string id, name, source;
        Standing before, after;
        std::vector<std::string> causes;
    };
    const std::vector<Row> rows = {
        {"id \"1\"", "name \xc3(", "dir\\f.ndjson:1", {.verdict = Verdict::pass, .rank = 1, .score = 100}, {.verdict = Verdict::fail, .rank = 3, .score = 54.444444444444436}, {"one"}},
        {"P2", "", "s:2", {.verdict = Verdict::invalid, .rank = 3}, {.verdict = Verdict::invalid, .rank = 4}, {}},
        {"P3", "\u00fc\x7f\t", "s:3", {.verdict = Verdict::fail, .rank = 2, .score = 1e300}, {.verdict = Verdict::pass, .rank = 1, .score = -0.0}, {"a", "b\n", "\xe2\x82"}},
        {"P4", "n", "s:4", {.verdict = Verdict::pass, .rank = 4, .score = 5e-324}, {.verdict = Verdict::invalid, .rank = 2}, {"land_ha: missing"}},
    };
    for (const Row& r : rows) d.add(r.id, r.name, r.source, r.before, r.after, reasons(r.causes.size()), r.causes);
    CHECK(written(d) == document(d));
    // Rows are rendered 8,192 at a time on each thread: 20,003 proposals make blocks of each thread
    // in one round, then a round with a short last block.
    for (std::size_t i = 4; i < 20'003; ++i) {
        const Row& r = rows[i % 4];
        d.add(r.id + "-" + std::to_string(i), r.name, r.source, r.before, r.after, reasons(r.causes.size()), r.causes);
    }
    const std::string whole = document(d);
    CHECK(written(d, 1) == whole);
    CHECK(written(d, 2) == whole);
    CHECK(written(d, 3) == whole);
}

TEST_CASE("diff md is the same text on any number of threads", "[diff]") {
    auto rules = compile_path(v1_path);
    RuleDiff d(*rules, *rules);
    d.before_rules = {"r", "1", std::string(64, 'a')};
    d.after_rules = {"r", "2", std::string(64, 'b')};
    for (std::size_t i = 0; i < 20'003; ++i)
        d.add("P" + std::to_string(i), "n|" + std::to_string(i), "s:" + std::to_string(i + 1),
              {.verdict = Verdict::pass, .rank = static_cast<std::uint32_t>(i + 1), .score = 60.0 + static_cast<double>(i % 7)},
              {.verdict = i % 3 ? Verdict::pass : Verdict::fail, .rank = static_cast<std::uint32_t>(20'003 - i), .score = 59.5}, {}, {});
    auto written = [&](unsigned threads) {
        std::ostringstream out;
        write_diff_md(out, d, threads);
        return out.str();
    };
    const std::string one = written(1);
    CHECK(written(2) == one);
    CHECK(written(3) == one);
    // Every row, in input order. The last two: P20001 scored 60 + 20001 % 7 = 62 at #20,002, then
    // fail (20001 % 3 == 0) 59.5 at #2; P20002 63 at #20,003, then pass 59.5 at #1.
    CHECK(one.find("| P20001 | pass 62.00 (#20002) | fail 59.50 (#2) | -2.50 | +20000 |\n"
                   "| P20002 | pass 63.00 (#20003) | pass 59.50 (#1) | -3.50 | +20002 |\n\n</details>\n") != std::string::npos);
}

TEST_CASE("diff md never shows a failing score as its pass score, nor a change as 0.00", "[diff]") {
    auto rules = compile_path(v1_path);
    RuleDiff d(*rules, *rules);
    d.before_rules = {"r", "1", std::string(64, 'a')};
    d.after_rules = {"r", "2", std::string(64, 'b')};
    // 59.996 against 60 would round to 60.00, and its change of -0.004 to -0.00. A gate's fail at
    // 100, above its pass score, and a pass at the pass score show two decimals.
    d.add("P1", "n", "s:1", {.verdict = Verdict::pass, .rank = 1, .score = 60, .pass_score = 60},
          {.verdict = Verdict::fail, .rank = 2, .score = 59.996, .pass_score = 60}, {}, {});
    d.add("P2", "n", "s:2", {.verdict = Verdict::fail, .rank = 2, .score = 100, .pass_score = 60},
          {.verdict = Verdict::fail, .rank = 1, .score = 100, .pass_score = 70}, {}, {});
    std::ostringstream out;
    write_diff_md(out, d);
    CHECK_THAT(out.str(), Contains("| P1 | pass 60.00 (#1) | fail 59.996 (#2) | -0.004 | -1 |\n"));
    CHECK_THAT(out.str(), Contains("| P2 | fail 100.00 (#2) | fail 100.00 (#1) | 0.00 | +1 |\n"));
}

TEST_CASE("diff warns when the two rule sets are different policies, not two versions of one", "[diff]") {
    const std::string dir = temp_dir("diff-other-id");
    std::string other = read_text(source_dir + "/" + v2_path);
    other.replace(other.find("id: ci-demo"), 11, "id: other-policy");
    write_text(dir + "/other.yaml", other);
    Cli cli = run_cli("diff " + v1_path + " " + q(dir + "/other.yaml") + " " + proposals_path);
    CHECK(cli.exit_code == 0);  // the report is written all the same
    CHECK_THAT(cli.err, Contains("warning: " + v1_path + " is rule set 'ci-demo' and " + dir + "/other.yaml is 'other-policy': "
                                 "diff compares two versions of one rule set"));
    CHECK(run_cli(diff_args).err.find("warning") == std::string::npos);
}

TEST_CASE("diff exit codes: 0, or 1 with --fail-on-change when a verdict flips", "[diff]") {
    CHECK(run_cli(diff_args + " --format json").exit_code == 0);
    Cli fail = run_cli(diff_args + " --format json --fail-on-change");
    CHECK(fail.exit_code == 1);
    CHECK(json::parse(fail.out)["summary"]["flips"] == 5);  // the report is still written
    CHECK(run_cli(diff_args + " --fail-on-change").exit_code == 1);
    // Same rules both sides: no flip.
    CHECK(run_cli("diff " + v1_path + " " + v1_path + " " + proposals_path + " --fail-on-change").exit_code == 0);
    // Only the proposals whose verdict stays (CI-01, CI-07, CI-08, CI-09): scores move, no flip.
    const std::string dir = temp_dir("diff-noflip");
    std::string stable;
    for (const auto& line : lines_of(read_text(source_dir + "/" + proposals_path)))
        for (const char* id : {"CI-01", "CI-07", "CI-08", "CI-09"})
            if (line.find(std::string("\"") + id + "\"") != std::string::npos) stable += line + "\n";
    write_text(dir + "/stable.ndjson", stable);
    Cli no_flip = run_cli(diff_args.substr(0, diff_args.rfind(' ')) + " " + q(dir + "/stable.ndjson") + " --fail-on-change");
    CHECK(no_flip.exit_code == 0);
    CHECK_THAT(no_flip.out, Contains("**4 proposals: 0 verdict flips; 2 scores changed (largest 15.28); 0 rank moves.**"));
}

TEST_CASE("diff usage and rule-set errors exit 2", "[diff]") {
    const std::string dir = temp_dir("diff-errors");
    const std::string broken = dir + "/broken.yaml";
    write_text(broken, "format: screener/v1\nid: b\n");
    Cli bad_rules = run_cli("diff " + v1_path + " " + q(broken) + " " + proposals_path);
    CHECK(bad_rules.exit_code == 2);
    CHECK(bad_rules.out.empty());
    CHECK_THAT(bad_rules.err, Contains(broken + ":1:1: error: the rule set needs 'version'"));
    CHECK(run_cli("diff " + v1_path + " " + v2_path).exit_code == 2);  // no input
    CHECK(run_cli(diff_args + " --format csv").exit_code == 2);
    CHECK(run_cli("diff " + v1_path + " tests/ci/no-such.yaml " + proposals_path).exit_code == 2);
}

TEST_CASE("diff -o writes the report to a file, in json when it is named .json and --format does not say, and refuses a name of another format", "[diff]") {
    const std::string dir = temp_dir("diff-output");
    Cli cli = run_cli(diff_args + " --format md -o " + q(dir + "/impact.md"));
    CHECK(cli.exit_code == 0);
    CHECK(cli.out.empty());
    const std::string md = run_cli(diff_args).out, json_text = run_cli(diff_args + " --format json").out;
    CHECK(read_text(dir + "/impact.md") == md);
    CHECK(run_cli(diff_args + " -o " + q(dir + "/impact.json")).exit_code == 0);
    CHECK(read_text(dir + "/impact.json") == json_text);
    CHECK(run_cli(diff_args + " --format md -o " + q(dir + "/md.json")).exit_code == 0);
    CHECK(read_text(dir + "/md.json") == md);
    // A name that says no format is refused too, unless --format says.
    Cli txt = run_cli(diff_args + " -o " + q(dir + "/impact.txt"));
    CHECK(txt.exit_code == 2);
    CHECK(txt.err == "screener: error: --output: cannot tell a report format from the name " + dir +
                         "/impact.txt: end it in .md or .json, or give --format\n");
    CHECK_FALSE(std::filesystem::exists(dir + "/impact.txt"));
    CHECK(run_cli(diff_args + " --format md -o " + q(dir + "/impact.txt")).exit_code == 0);
    CHECK(read_text(dir + "/impact.txt") == md);
    // A name of a format diff does not write is refused, and nothing is written.
    Cli html = run_cli(diff_args + " -o " + q(dir + "/impact.html"));
    CHECK(html.exit_code == 2);
    CHECK(html.err == "screener: error: diff writes md or json, not html: name the output .md or .json, or give --format\n");
    CHECK_FALSE(std::filesystem::exists(dir + "/impact.html"));
    CHECK(run_cli(diff_args + " --format md -o " + q(dir + "/impact.html")).exit_code == 0);
    CHECK(run_cli(diff_args + " --jobs 1 --format json").out == run_cli(diff_args + " -j 2 --format json").out);
}

TEST_CASE("diff reads proposals from standard input", "[diff]") {
    // `-` is accepted as an INPUT (as for eval); both rule sets must score the same proposals.
    Cli cli = run_cli("diff " + v1_path + " " + v2_path + " - --format json", read_text(source_dir + "/" + proposals_path));
    INFO(cli.err);
    CHECK(cli.exit_code == 0);
    if (cli.exit_code == 0) CHECK(json::parse(cli.out)["summary"] == json{{"total", 9}, {"flips", 5}});
}

// ---------------------------------------------------------------------------------------------
// The CI example (examples/ci): the commands the workflows run are the ones tested by the
// `ci_check_rules_*` ctest entries; here, that the workflow files say what docs/changing-rules.md says.

TEST_CASE("the CI examples run check-rules.sh on the base and head rule sets", "[diff]") {
    const std::string github = read_text(source_dir + "/examples/ci/github-actions.yml");
    CHECK_THAT(github, Contains("pull_request:"));
    CHECK_THAT(github, Contains("rules/**"));
    CHECK_THAT(github, Contains("fetch-depth: 0"));
    CHECK_THAT(github, Contains("bash scripts/install-deps.sh"));
    CHECK_THAT(github, Contains("git show \"origin/${{ github.base_ref }}:rules/bac-ninh-234.yaml\" > /tmp/old.yaml"));
    CHECK_THAT(github, Contains("examples/ci/check-rules.sh /tmp/old.yaml rules/bac-ninh-234.yaml examples/proposals"));
    CHECK_THAT(github, Contains("gh pr comment"));
    CHECK_THAT(github, Contains("--body-file"));
    CHECK_THAT(github, Contains("actions/upload-artifact"));

    const std::string gitlab = read_text(source_dir + "/examples/ci/gitlab-ci.yml");
    CHECK_THAT(gitlab, Contains("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
    CHECK_THAT(gitlab, Contains("git show \"$CI_MERGE_REQUEST_DIFF_BASE_SHA:rules/bac-ninh-234.yaml\" > /tmp/old.yaml"));
    CHECK_THAT(gitlab, Contains("examples/ci/check-rules.sh /tmp/old.yaml rules/bac-ninh-234.yaml examples/proposals"));
    CHECK_THAT(gitlab, Contains("junit: junit.xml"));
    CHECK_THAT(gitlab, Contains("impact.md"));

    const std::string script = read_text(source_dir + "/examples/ci/check-rules.sh");
    CHECK_THAT(script, StartsWith("#!/usr/bin/env bash\n"));
    CHECK_THAT(script, Contains("${SCREENER:-screener}"));
    CHECK_THAT(script, Contains("validate --strict"));
    CHECK_THAT(script, Contains("--junit"));
    CHECK_THAT(script, Contains("--format md -o"));
}
