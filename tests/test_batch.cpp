// The bulk path (engine/include/screener/batch.hpp): render_batch writes every result straight from
// the plan and its evaluation (ResultJson), and must give the very bytes append_result_json gives for
// the explained Result that score_batch hands on, whatever the thread count; repeated ids are made
// invalid in both. RankedBatch's report must be write_report's for score_batch's results, ranked.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "screener/batch.hpp"
#include "screener/limits.hpp"
#include "screener/rank.hpp"
#include "support.hpp"

using namespace screener;
using namespace screener::test;

namespace {

// Every branch a result's JSON has: a profile changing a band, weights, a group minimum and the pass
// score; a gate message with a value; a gate and a criterion without data; a skipped criterion; a unit;
// text that JSON must escape.
const std::string rules_yaml = R"(format: screener/v1
id: render
version: "2 \"quoted\""
inputs:
  x: { type: number }
  sector: { type: enum, values: [a, b] }
  opt: { type: number, required: false }
gates:
  - id: x-small
    title: "x < 100 \"strict\" <gate>"
    require: x < 100
    message: "x is {x}, must be below 100"
  - id: opt-known
    require: opt >= 0
groups:
  - id: g1
    title: "Nhóm một"
    minimum: 10
    criteria:
      - { id: m, title: "Metric\tx", unit: "M USD/ha", metric: x, zero_at: 0, full_at: 100, weight: 2 }
      - { id: per-opt, metric: x / opt, zero_at: 0, full_at: 10 }
      - { id: when-b, points: 50, applies_when: sector == "b" }
  - id: g2
    weight: 2
    criteria:
      - { id: q, points: 100 }
decision: { pass_score: 60 }
profiles:
  - title: "Profile \"b\""
    when: sector == "b"
    set:
      m: { zero_at: 20, full_at: 60, weight: 3 }
      g1: { weight: 3, minimum: 70 }
      decision.pass_score: 80
  - when: opt > 5
    set:
      decision.pass_score: 50
)";

const std::string proposals = R"({"id":"P1","name":"all there","x":40,"sector":"a","opt":2}
{"id":"P2","name":"profile b","x":50,"sector":"b","opt":10}
{"id":"P3","name":"no opt","x":30,"sector":"a"}
{"id":"P4","name":"opt zero","x":30,"sector":"b","opt":0}
{"id":"P5","name":"gate fails","x":150,"sector":"a","opt":1}
{"id":"P1","name":"repeats P1","x":90,"sector":"a","opt":1}
{"id":"P6","x":"not a number","sector":"z"}
{"id":"P6","name":"repeats an invalid one's id","x":10,"sector":"a","opt":1}
{"name":"no id","x":10,"sector":"a"}
{"id":"P7","name":"Dự án \u0001 \"x\"","x":100,"sector":"b","opt":6}
not json
{"id":"P8","name":"a null the ordinary path binds","x":20,"sector":"a","opt":null}
)";

// `count` copies of the proposals, each copy's ids made its own ("P1" becomes "P7-1" in copy 7).
std::string copies(int count) {
    std::string text;
    for (int copy = 0; copy < count; ++copy) {
        std::string block = proposals;
        for (std::size_t at = 0; (at = block.find("\"id\":\"P", at)) != std::string::npos; at += 7)
            block.insert(at + 7, std::to_string(copy) + "-");
        text += block;
    }
    return text;
}

// What `eval --format ndjson` streams for the proposals in `path`.
std::string streamed(const CompiledRules& rules, const std::string& path) {
    std::ostringstream lines;
    score_batch(rules, {path}, {2}, [&](Result&& r) { write_ndjson_line(lines, rules_info(rules), r); });
    return lines.str();
}

// The html report shows the date: fixed, so that two writers agree even across midnight.
ScopedEnv fixed_date() { return ScopedEnv("SOURCE_DATE_EPOCH", "1748736000"); }

}  // namespace

TEST_CASE("render_batch writes what append_result_json writes for score_batch's results, on 1 and 2 threads", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("render-batch");
    // Enough copies (each with its own ids) to fill several blocks, so threads really interleave.
    write_text(dir + "/p.ndjson", copies(600));

    std::vector<std::string> expected[2];  // without and with the rule set
    std::vector<Verdict> verdicts;
    score_batch(*rules, {dir + "/p.ndjson"}, {1}, [&](Result&& r) {
        append_result_json(expected[0].emplace_back(), r, 0, nullptr);
        append_result_json(expected[1].emplace_back(), r, 0, &info);
        verdicts.push_back(r.verdict);
    });
    REQUIRE(expected[0].size() == 600 * 12);
    CHECK(verdicts[1] == Verdict::fail);      // P2: profile b raises g1's minimum above its score
    CHECK(verdicts[2] == Verdict::fail);      // P3: opt-known has no data
    CHECK(verdicts[5] == Verdict::invalid);   // repeats P1
    CHECK_THAT(expected[0][5], Catch::Matchers::Contains("repeats an earlier proposal's id"));
    CHECK_THAT(expected[0][7], Catch::Matchers::Contains("repeats an earlier proposal's id"));

    for (unsigned jobs : {1U, 2U})
        for (int with_rules : {0, 1}) {
            std::vector<std::string> rendered;
            std::size_t i = 0;
            render_batch(*rules, {dir + "/p.ndjson"}, {jobs}, with_rules ? &info : nullptr, [&](const RenderedLines& run) {
                std::string lines;  // the run's results' json, a line each
                for (const RenderedResult& r : run.results) {
                    REQUIRE(i < verdicts.size());
                    CHECK(r.verdict == verdicts[i]);
                    CHECK(r.json == expected[with_rules][i]);
                    lines.append(r.json).append("\n");
                    ++i;
                }
                CHECK(run.lines == lines);
            });
            CHECK(i == verdicts.size());
        }
}

TEST_CASE("a rule set of thousands of criteria: blocks of a few results, the same bytes as score_batch's", "[batch]") {
    // 3,000 criteria, each x over 0..1: a result's JSON is some 400 KB (at most 590,473 bytes: 192
    // a criterion and its id, with a reason of no data of 32; 194 for the group, 256, and 133 for
    // the rule set), so a block holds the 7 results that fit in 4 MiB, where one of the reference
    // rules holds a 256 KiB chunk's, or 2,048 ranks.
    std::string yaml = "format: screener/v1\nid: wide\nversion: \"1\"\ninputs:\n  x: { type: number }\ngroups:\n  - id: g\n    criteria:\n";
    for (int i = 0; i < 3000; ++i) yaml += "      - { id: c" + std::to_string(i) + ", metric: x, zero_at: 0, full_at: 1 }\n";
    yaml += "decision:\n  pass_score: 50\n";
    auto rules = compile_ok(yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string path = temp_dir("wide-batch") + "/w.ndjson";
    std::string text;
    for (int i = 0; i < 30; ++i) text += "{\"id\":\"W" + std::to_string(i) + "\",\"x\":0." + std::to_string(i % 10) + "}\n";
    write_text(path, text);

    std::vector<Result> results;
    std::vector<std::string> expected;
    score_batch(*rules, {path}, {2}, [&](Result&& r) {
        append_result_json(expected.emplace_back(), r, 0, nullptr);
        results.push_back(std::move(r));
    });
    REQUIRE(results.size() == 30);
    for (std::size_t i = 0; i < 30; ++i) {  // every criterion earns 100 x points, and so does the total
        INFO(results[i].id);
        CHECK(results[i].score == Approx(10.0 * static_cast<double>(i % 10)));
        CHECK(results[i].verdict == (i % 10 >= 5 ? Verdict::pass : Verdict::fail));
    }
    rank(results);
    for (unsigned jobs : {1U, 2U}) {
        INFO(jobs << " threads");
        std::size_t i = 0;
        render_batch(*rules, {path}, {jobs}, nullptr, [&](const RenderedLines& run) {
            CHECK(run.results.size() <= 7);
            for (const RenderedResult& r : run.results) CHECK(r.json == expected.at(i++));
        });
        CHECK(i == 30);
        const RankedBatch batch(*rules, {path}, {jobs}, [](Verdict) {});
        std::ostringstream want, out;
        write_report(want, Format::json, info, results);
        std::vector<std::size_t> written;
        batch.write(out, Format::json, info, [&](std::size_t rows, std::size_t) { written.push_back(rows); });
        CHECK(out.str() == want.str());
        CHECK(written == std::vector<std::size_t>{7, 14, 21, 28, 30});
    }
}

TEST_CASE("blocks stay near 4 MiB when results are long for their reasons, profiles or rule set", "[batch]") {
    // Each rule set makes results of some 100-600 KB whose length is not in objects for gates,
    // groups and criteria. Blocks were cut as if a result were 1 KB: 40 such results made one block
    // of up to 24 MB (and a million made gigabytes in flight). A result's estimate (what fits in 4
    // MiB follows from it) is worked out for each; each NDJSON line carries the rule set.
    struct Case {
        std::string name, yaml, proposal;  // proposal: one line's text after its id
        std::size_t per_block;
    };
    auto digits = [](int i, std::size_t width) { return std::string(width - std::to_string(i).size(), '0') + std::to_string(i); };
    const std::string one_criterion = "groups:\n  - id: g\n    criteria:\n      - { id: c, metric: x, zero_at: 0, full_at: 1 }\n";
    // 3,000 required inputs i0000..i2999, none given: 3,000 reasons, "i0000: missing (required
    // input)", 102 KB a result. Invalid, it is estimated at 256 + 3,000 x (64 + 2 x 5) = 222,256
    // bytes (scored, at far less), and 140 for the rule set: 222,396, so 4 MiB holds 18.
    std::string many_inputs = "format: screener/v1\nid: many-inputs\nversion: \"1\"\ninputs:\n";
    for (int i = 0; i < 3000; ++i) many_inputs += "  i" + digits(i, 4) + ": { type: number }\n";
    many_inputs += "groups:\n  - id: g\n    criteria:\n      - { id: c, metric: i0000, zero_at: 0, full_at: 1 }\ndecision:\n  pass_score: 50\n";
    // 100 gates g00..g99 "x > 1", each failing with a message of 1,000 bytes and the value of x,
    // given twice (the gate's and its reason's): 200 KB a result. A gate is estimated at 64 + 2 x 3
    // + 2 x (1,000 + 100 + 32) = 2,334 bytes (the value at most 100 bytes, a reason of no data 32);
    // with 256, the group's 194, the criterion's 193 and the rule set's 142, a result at 234,185,
    // so 4 MiB holds 17.
    std::string long_messages = "format: screener/v1\nid: long-messages\nversion: \"1\"\ninputs:\n  x: { type: number }\ngates:\n";
    for (int i = 0; i < 100; ++i)
        long_messages += "  - id: g" + digits(i, 2) + "\n    require: x > 1\n    message: \"" + std::string(999, 'm') + " {x}\"\n";
    long_messages += one_criterion + "decision:\n  pass_score: 50\n";
    // 200 profiles that apply, titled in 1,000 bytes, and a version of 100,000: 300 KB a result,
    // estimated at 256 + 194 + 193 + 200 x 1,004 + the rule set's 100,136 = 301,579, so 13.
    std::string profiles = "format: screener/v1\nid: profiles\nversion: \"" + std::string(100'000, 'v') +
                           "\"\ninputs:\n  x: { type: number }\n" + one_criterion + "decision:\n  pass_score: 50\nprofiles:\n";
    for (int i = 0; i < 200; ++i)
        profiles += "  - title: \"" + digits(i, 3) + std::string(997, 'p') + "\"\n    when: x > 0\n    set:\n      decision.pass_score: 50\n";
    // 30 optional inputs of 300-letter names, none given, summed by a let that 100 criteria
    // c000..c099 read: each has a reason of no data that names 20 and counts 10 more, 6 KB. A
    // reason is estimated at 32 + 16 + 20 x 304 = 6,128 bytes, a criterion at 160 + 4 + 6,128, a
    // result at 256 + 194 + 100 x 6,292 + 136 = 629,786, so 6.
    std::string no_data = "format: screener/v1\nid: no-data\nversion: \"1\"\ninputs:\n";
    std::string sum;
    for (int i = 0; i < 30; ++i) {
        const std::string name = "n" + digits(i, 2) + "_" + std::string(296, 'n');
        no_data += "  " + name + ": { type: number, required: false }\n";
        sum += (i ? " + " : "") + name;
    }
    no_data += "let:\n  total: " + sum + "\ngroups:\n  - id: g\n    criteria:\n";
    for (int i = 0; i < 100; ++i) no_data += "      - { id: c" + digits(i, 3) + ", metric: total, zero_at: 0, full_at: 1 }\n";
    no_data += "decision:\n  pass_score: 50\n";

    for (const Case& c : {Case{"many inputs", many_inputs, "", 18}, Case{"long messages", long_messages, ",\"x\":0", 17},
                          Case{"profiles", profiles, ",\"x\":1", 13}, Case{"no data", no_data, "", 6}}) {
        INFO(c.name);
        auto rules = compile_ok(c.yaml);
        const RulesInfo info = rules_info(*rules);
        const std::string path = temp_dir("long-reasons") + "/p.ndjson";
        std::string text;
        for (int i = 0; i < 40; ++i) text += "{\"id\":\"W" + std::to_string(i) + "\"" + c.proposal + "}\n";
        write_text(path, text);
        std::string expected;
        score_batch(*rules, {path}, {1}, [&](Result&& r) { append_result_json(expected, r, 0, &info), expected += '\n'; });
        REQUIRE(expected.size() > 40 * 100'000);
        std::vector<std::size_t> blocks(40 / c.per_block, c.per_block);
        if (40 % c.per_block) blocks.push_back(40 % c.per_block);
        for (unsigned jobs : {1U, 2U}) {
            INFO(jobs << " threads");
            std::string lines;
            std::vector<std::size_t> runs;
            render_batch(*rules, {path}, {jobs}, &info, [&](const RenderedLines& run) {
                runs.push_back(run.results.size());
                CHECK(run.lines.size() <= std::size_t{4} << 20);
                lines.append(run.lines);
            });
            CHECK(runs == blocks);
            CHECK(lines == expected);
        }
    }
}

TEST_CASE("render_batch hands on each result's verdict, score and id as the report has them", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const std::string dir = temp_dir("render-batch-keys");
    write_text(dir + "/p.ndjson", proposals);
    struct Seen {
        Verdict verdict;
        double score;
    };
    std::vector<Seen> seen;  // a RenderedResult's views end with the sink's call
    std::vector<std::string> ids;
    render_batch(*rules, {dir + "/p.ndjson"}, {2}, nullptr, [&](const RenderedLines& run) {
        for (const RenderedResult& r : run.results) {
            seen.push_back({r.verdict, r.score});
            ids.emplace_back(r.id);
        }
    });
    REQUIRE(seen.size() == 12);
    CHECK(ids == std::vector<std::string>{"P1", "P2", "P3", "P4", "P5", "P1", "P6", "P6", "", "P7", "", "P8"});
    // P1: m = 40 points (weight 2), per-opt = x/opt = 20 -> 100, when-b skipped:
    // g1 = (2*40 + 100) / 3 = 60, g2 = 100, total = (60 + 2*100) / 3 = 86.666...
    CHECK(seen[0].verdict == Verdict::pass);
    CHECK(seen[0].score == Approx(260.0 / 3));
    // P2, profile b: m = (50-20)/(60-20) = 75 points at weight 3, per-opt 5 -> 50, when-b 50:
    // g1 = (225 + 50 + 50) / 5 = 65 < minimum 70, so it fails; total = (3*65 + 2*100) / 5 = 79.
    CHECK(seen[1].verdict == Verdict::fail);
    CHECK(seen[1].score == Approx(79));
    CHECK(seen[5].verdict == Verdict::invalid);
    CHECK(seen[5].score == 0);
    CHECK(seen[10].verdict == Verdict::invalid);
    // P8, bound by the ordinary path (null): opt-known has no data and fails; per-opt has none, 0 points:
    // g1 = (2*20 + 0) / 3 = 40/3, total = (40/3 + 2*100) / 3 = 640/9.
    CHECK(seen[11].verdict == Verdict::fail);
    CHECK(seen[11].score == Approx(640.0 / 9));
}

namespace {
// Sets limits().max_ids_in_memory for one test.
struct IdsInMemory {
    explicit IdsInMemory(std::size_t n) : before(std::exchange(limits().max_ids_in_memory, n)) {}
    ~IdsInMemory() { limits().max_ids_in_memory = before; }
    std::size_t before;
};

// Draws `draws` ids from a pool of `distinct` (0 to max_length - 1 bytes, any byte; one is empty)
// and asks `ids` of each in turn. Returns the first draw answered unlike std::set, counting from
// 1, or 0; `firsts` counts the new ones.
std::size_t first_wrong_answer(IdSet& ids, std::size_t distinct, std::size_t draws, std::size_t max_length, std::size_t& firsts) {
    std::vector<std::string> pool(distinct);
    std::uint64_t state = 42;
    auto next = [&state] { return (state = state * 6364136223846793005u + 1442695040888963407u) >> 33; };
    for (std::size_t i = 0; i < pool.size(); ++i) {
        pool[i] = std::to_string(i);
        for (std::size_t n = next() % max_length; n > 0; --n) pool[i] += static_cast<char>(next());
    }
    pool[7] = "";  // always "first": a missing id is reported on its own
    std::set<std::string> seen;
    firsts = 0;
    for (std::size_t draw = 1; draw <= draws; ++draw) {
        const std::string& id = pool[next() % pool.size()];
        const bool expected = id.empty() || seen.insert(id).second;
        firsts += expected;
        if (ids.first(id) != expected) return draw;
    }
    return 0;
}

// Hashes that tell exactness from hashing: every id the same, five values, only the top bits, the
// top bits all set (one crowded home at the table's end).
std::uint64_t one_hash(std::string_view) { return 42; }
std::uint64_t five_hashes(std::string_view id) { return IdSet::keyed_hash(id) % 5; }
std::uint64_t top_bits_only(std::string_view id) { return IdSet::keyed_hash(id) >> 60 << 60; }
std::uint64_t all_at_the_end(std::string_view id) { return ~std::uint64_t{0} - IdSet::keyed_hash(id) % 3; }
}  // namespace

TEST_CASE("IdSet finds every repeat exactly when most of its ids are on disk", "[batch]") {
    // 64 ids in memory (or 1,536 bytes of them), a filter of 16 lines that soon says "may be on disk"
    // of every id: each new id is looked up in the runs, which are merged again and again.
    const IdsInMemory small(64);
    IdSet ids;
    std::size_t firsts = 0;
    CHECK(first_wrong_answer(ids, 12'000, 30'000, 300, firsts) == 0);
    CHECK(firsts > 10'000);
    CHECK(firsts < 12'000);
}

TEST_CASE("IdSet is exact whatever the hash, and with 0 or 1 ids in memory", "[batch]") {
    std::size_t firsts = 0;
    for (const IdSet::Hash hash : {&one_hash, &five_hashes, &top_bits_only, &all_at_the_end}) {
        const IdsInMemory small(16);
        IdSet ids(hash);
        CHECK(first_wrong_answer(ids, 600, 2'000, 40, firsts) == 0);
        CHECK(firsts > 500);
    }
    for (const std::size_t in_memory : {0, 1}) {  // 0 is taken as 1: every new id spills the one before
        const IdsInMemory none(in_memory);
        IdSet ids;
        CHECK(first_wrong_answer(ids, 200, 600, 40, firsts) == 0);
        CHECK(firsts > 150);
    }
}

TEST_CASE("IdSet holds ids longer than its reads, up to a megabyte", "[batch]") {
    // A run is read 2 KiB at a time to look an id up, and lengths past 16 KiB take three bytes.
    const IdsInMemory two(2);
    IdSet ids;
    const std::vector<std::size_t> lengths = {2047, 2048, 2049, 4095, 4096, 16383, 16384, 100'000, (1 << 20) - 16};
    auto id = [&](std::size_t i, char last) { return std::string(lengths[i] - 1, static_cast<char>('a' + i)) + last; };
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) wrong += !ids.first(id(i, 'x'));
    for (int i = 0; i < 20; ++i) wrong += !ids.first("filler" + std::to_string(i));  // every long id now on disk
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        wrong += ids.first(id(i, 'x'));   // a repeat
        wrong += !ids.first(id(i, 'y'));  // differs in its last byte only
    }
    CHECK(wrong == 0);
}

TEST_CASE("IdSet keeps a bounded number of files open when its spills shrink", "[batch]") {
    // The arena spills at 24 bytes an id (1,536 for 64). Each round here is one long id and then
    // ever fewer short ones that fill the arena, so that the next long id spills one id fewer than
    // the last spill: runs merged like a binary counter's digits would never merge, a file each.
    namespace fs = std::filesystem;
    auto open_files = [] { return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{}); };
    const IdsInMemory small(64);
    const auto before = open_files();
    IdSet ids;
    std::size_t wrong = 0, n = 0;
    for (std::size_t short_ids = 60; short_ids > 0; --short_ids) {
        wrong += !ids.first(std::string(1'530 - 10 * short_ids, 'L') + std::to_string(n++));
        for (std::size_t i = 0; i < short_ids; ++i) wrong += !ids.first("S" + std::to_string(100'000 + n++));  // 7 bytes
    }
    CHECK(wrong == 0);
    CHECK(open_files() - before <= 16);  // max_runs in id_set.cpp
}

TEST_CASE("IdSet's files on disk have no name, even while open", "[batch]") {
    // Made with O_TMPFILE, so that a process that dies leaves none in $TMPDIR. /proc names an open
    // file by its path: a nameless one's is its folder, '#' and its inode number.
    namespace fs = std::filesystem;
    const char* dir = std::getenv("TMPDIR");
    const std::string folder = dir && *dir ? dir : "/tmp";
    const int probe = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (probe < 0) {
        WARN("the file system of " << folder << " cannot make nameless files: IdSet names them and deletes them at once");
        return;
    }
    ::close(probe);
    const IdsInMemory small(4);
    IdSet ids;
    for (int i = 0; i < 40; ++i) ids.first("id" + std::to_string(i));  // spills: some of its runs are open
    std::vector<std::string> named, nameless;
    for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
        std::error_code error;
        const std::string target = fs::read_symlink(fd.path(), error).string();
        if (target.rfind((fs::canonical(folder) / "#").string(), 0) == 0) nameless.push_back(target);
        if (target.find("screener-ids-") != std::string::npos) named.push_back(target);
    }
    CHECK(named.empty());
    CHECK(!nameless.empty());
}

TEST_CASE("IdSet holds ids whose hashes crowd the end of its table, in memory and on disk", "[batch]") {
    // A slot's home is its hash's top bits, and probes go on past the last one, never around to the
    // first. 40 ids whose hash has its top 10 bits set share the last home of the
    // first table (1,024 slots, or 64 for 30 ids in memory); 400 ordinary ids follow them.
    std::vector<std::string> crowd;
    for (int i = 0; crowd.size() < 40; ++i) {
        std::string id = "C" + std::to_string(i);
        if (IdSet::keyed_hash(id) >> 54 == 1023) crowd.push_back(id);
    }
    for (const std::size_t in_memory : {std::size_t{1000}, std::size_t{30}}) {  // all held, or most on disk
        INFO("max_ids_in_memory " << in_memory);
        const IdsInMemory held(in_memory);
        IdSet ids;
        std::size_t wrong = 0;
        for (int round = 0; round < 2; ++round) {  // all new, then all repeats
            for (const std::string& id : crowd) wrong += ids.first(id) != (round == 0);
            for (int i = 0; i < 400; ++i) wrong += ids.first("O" + std::to_string(i)) != (round == 0);
        }
        CHECK(wrong == 0);
    }
}

TEST_CASE("ids made to share std::hash's value get distinct keyed hashes", "[batch]") {
    // std::hash (libstdc++'s MurmurHash2 for 64 bits) mixes each 8-byte block k into the state h as
    // h = (h ^ f(k)) * m, with f invertible. Blocks a and b with f(a) ^ f(b) = 2^63 flip the state's
    // top bit, which the odd multiplier keeps where it is, and the same flip in the next block
    // cancels it, whatever h was: "aa" and "bb" leave the state alike. Ten such 16-byte pairs give
    // 1,024 ids of one hash, whatever std::hash's seed. a and b were found by trying UTF-8 blocks, so
    // that the ids are valid JSON strings (a proposal could carry them).
    const std::string a = "\xc8\xb6" "dd\xcd\x94" "3-", b = "\xc8\xb6!~hz\xdb\xbb";  // "ȶdd͔3-", "ȶ!~hzۻ"
    REQUIRE(a.size() == 8);
    REQUIRE(b.size() == 8);
    std::vector<std::string> flood;
    for (unsigned i = 0; i < 1024; ++i) {
        std::string id;
        for (unsigned bit = 0; bit < 10; ++bit) id += i >> bit & 1 ? b + b : a + a;
        flood.push_back(id);
    }
    IdSet ids;  // with its default hash
    std::set<std::size_t> standard;
    std::set<std::uint64_t> keyed;
    for (const std::string& id : flood) {
        standard.insert(std::hash<std::string>{}(id));
        keyed.insert(ids.hash(id));
    }
    CHECK(standard.size() == 1);  // the attack works on std::hash
    CHECK(keyed.size() == flood.size());
    std::size_t wrong = 0;
    for (int round = 0; round < 2; ++round)
        for (const std::string& id : flood) wrong += ids.first(id) != (round == 0);
    CHECK(wrong == 0);
}

TEST_CASE("repeated ids are found exactly among thousands, whatever their length", "[batch]") {
    // Held in memory, or 50 at a time with the rest on disk.
    const IdsInMemory in_memory(GENERATE(as<std::size_t>{}, Limits{}.max_ids_in_memory, 50));
    auto rules = compile_ok(rules_yaml);
    const std::string dir = temp_dir("render-batch-ids");
    // 3000 ids of 1 to 300 characters (lengths past 127 take two bytes in the id store), then the
    // first 1000 again, then ids that differ from earlier ones only in their last character.
    auto id = [](int i) { return std::string(static_cast<std::size_t>(i % 300), 'x') + std::to_string(i); };
    std::string text;
    for (int i = 0; i < 3000; ++i) text += R"({"id":")" + id(i) + R"(","x":1,"sector":"a","opt":1})" "\n";
    for (int i = 0; i < 1000; ++i) text += R"({"id":")" + id(i) + R"(","x":1,"sector":"a","opt":1})" "\n";
    for (int i = 0; i < 1000; ++i) text += R"({"id":")" + id(i) + R"(_","x":1,"sector":"a","opt":1})" "\n";
    write_text(dir + "/p.ndjson", text);
    std::size_t n = 0, invalid = 0;
    bool right = true;
    render_batch(*rules, {dir + "/p.ndjson"}, {2}, nullptr, [&](const RenderedLines& run) {
        std::string lines;
        for (const RenderedResult& r : run.results) {
            const bool repeat = n >= 3000 && n < 4000;
            right = right && (r.verdict == Verdict::invalid) == repeat;
            invalid += r.verdict == Verdict::invalid;
            lines.append(r.json).append("\n");
            ++n;
        }
        right = right && run.lines == lines;  // runs broken by a thousand repeats, each alone
    });
    CHECK(n == 5000);
    CHECK(invalid == 1000);
    CHECK(right);
}

TEST_CASE("RankedBatch writes write_report's reports of score_batch's results, on 1 and 2 threads", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("ranked-batch");
    // 7,202 proposals in two files: over three runs of ranks, ties on the score between copies
    // (ranked by id), profiles, invalid and repeated ones (ranked last, in input order).
    write_text(dir + "/a.ndjson", copies(600));
    write_text(dir + "/b.json", R"([{"id":"P0-1","name":"repeats the first","x":99,"sector":"a","opt":1},
                                    {"id":"Z","name":"last file","x":60,"sector":"b","opt":3}])");
    const std::vector<std::string> inputs{dir + "/a.ndjson", dir + "/b.json"};

    std::vector<Result> results;
    std::vector<Verdict> verdicts;
    score_batch(*rules, inputs, {1}, [&](Result&& r) {
        verdicts.push_back(r.verdict);
        results.push_back(std::move(r));
    });
    REQUIRE(results.size() == 7202);
    CHECK(verdicts[7200] == Verdict::invalid);  // P0-1 again
    // 5 invalid a copy, and P0-1 again: html's section of invalid proposals has 1,855 + 1,146 rows.
    CHECK(std::count(verdicts.begin(), verdicts.end(), Verdict::invalid) == 3001);
    rank(results);
    const ScopedEnv date = fixed_date();  // html shows the date: the same for both writers

    for (unsigned jobs : {1U, 2U}) {
        std::vector<Verdict> scored;
        const RankedBatch batch(*rules, inputs, {jobs}, [&](Verdict v) { scored.push_back(v); });
        CHECK(scored == verdicts);
        for (Format format : {Format::json, Format::md, Format::csv, Format::junit, Format::html}) {
            INFO(to_string(format) << ", " << jobs << " threads");
            std::ostringstream expected, out;
            write_report(expected, format, info, results);
            std::vector<std::pair<std::size_t, std::size_t>> written;
            batch.write(out, format, info, [&](std::size_t rows, std::size_t of) { written.emplace_back(rows, of); });
            CHECK(out.str() == expected.str());
            // Blocks of 1,855 ranks, the results of at most 4 MiB: a result of these rules is at most
            // 2,260 bytes, the rule set's 144 (NDJSON's) and its longest kind, scored: 256, the gates'
            // 427 and 160 (the message's value at most 100 bytes, twice with each no-data reason of
            // 39), the groups' 207 and 196, the criteria's 216, 206, 211 and 200, the profiles' 37.
            // So 1,855, 3,710, 5,565, 7,202 rows; md's details go over them again.
            using Rows = std::vector<std::pair<std::size_t, std::size_t>>;
            if (format == Format::md)
                CHECK(written == Rows{{1855, 14404}, {3710, 14404}, {5565, 14404}, {7202, 14404},
                                      {9057, 14404}, {10912, 14404}, {12767, 14404}, {14404, 14404}});
            else if (format == Format::html)  // the ranking, the 3,001 invalid ones, the details
                CHECK(written == Rows{{1855, 17405}, {3710, 17405}, {5565, 17405}, {7202, 17405}, {9057, 17405},
                                      {10203, 17405}, {12058, 17405}, {13913, 17405}, {15768, 17405}, {17405, 17405}});
            else
                CHECK(written == Rows{{1855, 7202}, {3710, 7202}, {5565, 7202}, {7202, 7202}});
        }
    }
}

TEST_CASE("RankedBatch of no proposals writes an empty report, and stops when its caller throws", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("ranked-batch-edges");
    write_text(dir + "/none.ndjson", "\n\n");
    const RankedBatch none(*rules, {dir + "/none.ndjson"}, {2}, [](Verdict) { FAIL("nothing to score"); });
    const ScopedEnv date = fixed_date();
    for (Format format : {Format::json, Format::md, Format::csv, Format::junit, Format::html}) {
        std::ostringstream expected, out;
        write_report(expected, format, info, {});
        none.write(out, format, info);
        CHECK(out.str() == expected.str());
        if (format == Format::json) CHECK_THAT(out.str(), Catch::Matchers::EndsWith("\"results\":[\n]}\n"));
    }
    // Only invalid proposals, one repeating an invalid one's id: csv has no score columns.
    write_text(dir + "/invalid.ndjson", "{\"id\":\"A\"}\nnot json\n{\"id\":\"A\",\"x\":1,\"sector\":\"a\"}\n");
    const RankedBatch invalid(*rules, {dir + "/invalid.ndjson"}, {2}, [](Verdict v) { CHECK(v == Verdict::invalid); });
    std::vector<Result> results;
    score_batch(*rules, {dir + "/invalid.ndjson"}, {1}, [&](Result&& r) { results.push_back(std::move(r)); });
    for (Format format : {Format::json, Format::md, Format::csv, Format::junit, Format::html}) {
        INFO(to_string(format));
        std::ostringstream expected, out;
        write_report(expected, format, info, results);
        invalid.write(out, format, info);
        CHECK(out.str() == expected.str());
    }
    // Small files are read on the workers, and a chunk of them may hold no proposal (blank lines
    // only), after one that held some.
    std::string many;
    for (int copy = 0; copy < 100; ++copy) many += proposals;
    REQUIRE(many.size() > (16 << 10));  // read by the reader itself
    write_text(dir + "/many.ndjson", many);
    const RankedBatch then_none(*rules, {dir + "/many.ndjson", dir + "/none.ndjson"}, {2}, [](Verdict) {});
    std::vector<Result> many_results;
    score_batch(*rules, {dir + "/many.ndjson"}, {1}, [&](Result&& r) { many_results.push_back(std::move(r)); });
    rank(many_results);
    for (Format format : {Format::json, Format::csv}) {
        std::ostringstream expected, out;
        write_report(expected, format, info, many_results);
        then_none.write(out, format, info);
        CHECK(out.str() == expected.str());
    }

    std::ostringstream csv;
    invalid.write(csv, Format::csv, info);
    CHECK(csv.str() == "\xEF\xBB\xBF" "rank,id,name,verdict,score,pass_score,source,reasons\r\n"
                       "1,A,,invalid,,," + dir + "/invalid.ndjson:1,x: missing (required input); sector: missing (required input)\r\n"
                       "2,,,invalid,,," + dir +
                       "/invalid.ndjson:2,\"malformed JSON: syntax error while parsing value - invalid literal; last read: 'no' (line 2, column 2)\"\r\n"
                       "3,A,,invalid,,," + dir + "/invalid.ndjson:3,\"id: \"\"A\"\" repeats an earlier proposal's id\"\r\n");

    // About 2 MB: several chunks in flight and the reader waiting for room when the caller throws.
    std::string text;
    for (int copy = 0; copy < 2500; ++copy) text += proposals;
    write_text(dir + "/p.ndjson", text);
    std::size_t seen = 0;
    auto third_is_too_many = [&](Verdict) {
        if (++seen == 3) throw Error("too many");
    };
    CHECK_THROWS_WITH(RankedBatch(*rules, {dir + "/p.ndjson"}, {2}, third_is_too_many), "too many");
}

TEST_CASE("RankedBatch scores again proposals with text and list inputs as they were bound", "[batch]") {
    // The second pass scores proposals stored by the first: strings, lists and their absence must
    // come back exactly, as they change both the score and the gate's message.
    auto rules = compile_ok(R"(format: screener/v1
id: text-and-lists
version: "1"
inputs:
  x: { type: number }
  note: { type: string, required: false }
  tags: { type: list, required: false }
gates:
  - id: small
    require: x < 90
    message: "x is {x}, note {note}"
groups:
  - id: g
    criteria:
      - { id: tagged, points: 100, applies_when: '"tax" in tags' }
      - { id: noted, points: 100, applies_when: 'note == "yes"' }
      - { id: counted, points: count(tags) * 50 }
      - { id: m, metric: x, zero_at: 0, full_at: 100 }
decision: { pass_score: 50 }
)");
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("ranked-batch-text");
    std::string text = R"({"id":"A","x":10,"note":"yes","tags":["tax","land"]}
{"id":"B","x":95,"note":"Ghi chú \"dài\"","tags":[]}
{"id":"C","x":50}
{"id":"D","x":40,"tags":["land","tax","tax"]}
{"id":"E","x":99,"note":"","tags":["x"]}
{"id":"F","x":20,"note":"yes"}
)";
    // Then, past line 65,536, 40 more that reuse each lane's proposal several times: with and
    // without a name, a note ("yes", none, "", long), tags (none, [], one, repeated, other); some
    // fail the gate, whose message shows the note or its absence.
    text += std::string(70'000, '\n');
    const std::string notes[] = {R"(,"note":"yes")", "", R"(,"note":"")", R"(,"note":"Ghi chú \"dài\" một")"};
    const std::string tags[] = {"", R"(,"tags":[])", R"(,"tags":["tax"])", R"(,"tags":["land","tax","tax"])", R"(,"tags":["x"])"};
    for (int i = 0; i < 40; ++i)
        text += R"({"id":"T)" + std::to_string(i) + '"' + (i % 3 == 2 ? "" : R"(,"name":"Dự án )" + std::to_string(i) + '"') +
                R"(,"x":)" + std::to_string(i * 7 % 100) + notes[i % 4] + tags[i % 5] + "}\n";
    write_text(dir + "/p.ndjson", text);
    std::vector<Result> results;
    score_batch(*rules, {dir + "/p.ndjson"}, {1}, [&](Result&& r) { results.push_back(std::move(r)); });
    REQUIRE(results.size() == 46);
    CHECK(results[6 + 13].source == dir + "/p.ndjson:70020");  // T13: x = 91, no note
    CHECK_FALSE(results[6 + 13].gates[0].passed);
    // A: tagged 100 + noted 100 + counted 100 + m 10 -> 77.5; D: tagged 100, noted skipped, counted
    // 150 clamped to 100, m 40 -> 80 of three; F: tagged skipped, noted 100, counted without data 0,
    // m 20 -> 40 of three. An absent list is no data, unlike B's []: it must come back absent.
    CHECK(results[0].score == Approx(77.5));
    CHECK(results[3].score == Approx(80));
    CHECK(results[5].score == Approx(40));
    CHECK(results[5].groups[0].criteria[2].reason == "no data: 'tags' not given");
    CHECK(results[1].groups[0].criteria[2].reason.empty());
    rank(results);
    std::ostringstream expected;
    write_report(expected, Format::json, info, results);
    CHECK_THAT(expected.str(), Catch::Matchers::Contains(R"(x is 95, note Ghi chú \"dài\")"));
    for (unsigned jobs : {1U, 2U}) {
        const RankedBatch batch(*rules, {dir + "/p.ndjson"}, {jobs}, [](Verdict) {});
        std::ostringstream out, md, expected_md;
        batch.write(out, Format::json, info);
        CHECK(out.str() == expected.str());
        batch.write(md, Format::md, info);
        write_report(expected_md, Format::md, info, results);
        CHECK(md.str() == expected_md.str());
    }
}

TEST_CASE("RankedResults ranks streamed results read back as write_report ranks the batch, and stream_results streams them as one eval does, on 1 and 2 threads", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("ranked-results");
    // Two shards: the second repeats an id of the first, which it cannot know; merged, the repeat
    // is invalid, as in one eval of both inputs. 7,202 results over several runs of ranks.
    write_text(dir + "/a.ndjson", copies(600));
    write_text(dir + "/b.ndjson", R"({"id":"P0-1","name":"repeats the first","x":99,"sector":"a","opt":1}
{"id":"Z","name":"last file","x":60,"sector":"b","opt":3}
)");
    std::vector<Result> results;
    std::vector<Verdict> verdicts;
    score_batch(*rules, {dir + "/a.ndjson", dir + "/b.ndjson"}, {1}, [&](Result&& r) {
        verdicts.push_back(r.verdict);
        results.push_back(std::move(r));
    });
    REQUIRE(results.size() == 7202);
    CHECK(verdicts[7200] == Verdict::invalid);
    const std::vector<Result> in_input_order = results;  // as one eval streams them (ndjson)
    rank(results);
    // Each shard streamed on its own, as `eval --format ndjson` writes it; the first with a byte
    // order mark, CRLF line ends and blank lines, as an editor might leave it.
    for (const char* shard : {"a", "b"}) {
        std::string text = streamed(*rules, dir + "/" + shard + ".ndjson");
        if (shard[0] == 'a') {
            std::string crlf = "\xEF\xBB\xBF";
            for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
                crlf += text.substr(at, end - at) + "\r\n" + (at % 7 == 0 ? "\r\n" : "");
            text = crlf;
        }
        write_text(dir + "/" + shard + ".results", text);
    }
    const std::vector<std::string> shards{dir + "/a.results", dir + "/b.results"};
    const ScopedEnv date = fixed_date();
    for (unsigned jobs : {1U, 2U}) {
        std::vector<Verdict> read;
        const RankedResults ranked(shards, {jobs}, [&](Verdict v) { read.push_back(v); });
        CHECK(read == verdicts);
        CHECK(ranked.rules() == info);
        for (Format format : {Format::json, Format::md, Format::csv, Format::junit, Format::html}) {
            INFO(to_string(format) << ", " << jobs << " threads");
            std::ostringstream expected, out;
            write_report(expected, format, info, results);
            ranked.write(out, format);
            CHECK(out.str() == expected.str());
        }

        std::ostringstream expected;
        write_report(expected, Format::ndjson, info, in_input_order);
        std::string lines;
        std::vector<Verdict> streamed_verdicts;
        stream_results(shards, {jobs}, [&](const RenderedLines& run) {
            lines += run.lines;
            for (const RenderedResult& result : run.results) streamed_verdicts.push_back(result.verdict);
        });
        CHECK(lines == expected.str());
        CHECK(streamed_verdicts == verdicts);
    }
}

TEST_CASE("RankedResults cuts its blocks by each line's length: long invalid results, ranked last, are not gathered into one", "[batch]") {
    // 300 optional inputs of 200-letter names: 5,000 proposals that give none score (lines of some
    // 300 bytes); 200 that give each as text are invalid with 300 reasons (lines of 75 KB). Cut by
    // the average line (1.3 KB), blocks were 2,048 ranks, and the last held all 200: 15 MB.
    std::string yaml = "format: screener/v1\nid: long-invalid\nversion: \"1\"\ninputs:\n";
    std::string wrong = "\"id\":\"X";
    for (int i = 0; i < 300; ++i) {
        const std::string name = "n" + std::to_string(1000 + i) + std::string(195, 'n');
        yaml += "  " + name + ": { type: number, required: false, default: 0 }\n";
        wrong += "\",\"" + name + "\":\"text";
    }
    yaml += "groups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision:\n  pass_score: 50\n";
    auto rules = compile_ok(yaml);
    const std::string dir = temp_dir("ranked-results-long-invalid");
    std::string text;
    for (int i = 0; i < 5200; ++i) text += i % 26 == 25 ? "{" + wrong + "\"}\n" : "{\"id\":\"V" + std::to_string(i) + "\"}\n";
    write_text(dir + "/p.ndjson", text);
    write_text(dir + "/p.results", streamed(*rules, dir + "/p.ndjson"));

    const RankedResults ranked({dir + "/p.results"}, {2}, [](Verdict) {});
    std::ostringstream out;
    std::vector<std::size_t> blocks;  // each block's bytes, as written
    std::size_t before = 0;
    ranked.write(out, Format::json, [&](std::size_t, std::size_t) {
        const auto now = static_cast<std::size_t>(out.tellp());
        blocks.push_back(now - before);
        before = now;
    });
    REQUIRE(blocks.size() >= 5);  // the 5,000 in 3 runs of 2,048 ranks at most, the 200 of 75 KB in 4 or more
    for (std::size_t bytes : blocks) CHECK(bytes <= std::size_t{4} << 20);
    CHECK(nlohmann::json::parse(out.str())["summary"] == nlohmann::json{{"total", 5200}, {"pass", 5000}, {"fail", 0}, {"invalid", 200}});
}

TEST_CASE("RankedResults says which file changed between reading it and writing the report", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const std::string dir = temp_dir("ranked-results-changed");
    write_text(dir + "/p.ndjson", proposals);
    const std::string path = dir + "/p.results", text = streamed(*rules, dir + "/p.ndjson");
    write_text(path, text);
    const RankedResults ranked({path}, {2}, [](Verdict) {});
    std::ostringstream expected;
    ranked.write(expected, Format::json);

    // The same size, but the first line is no result any more.
    std::string changed = text;
    changed[0] = '[';
    write_text(path, changed);
    std::ostringstream out;
    CHECK_THROWS_WITH(ranked.write(out, Format::json),
                      Catch::Matchers::StartsWith(path + ":1: changed while it was ranked: not a result line: "));
    // Still a result, of the same size, but of another proposal (P2 on line 2 is now Q2).
    changed = text;
    changed.replace(changed.find("\"id\":\"P2\""), 9, "\"id\":\"Q2\"");
    write_text(path, changed);
    CHECK_THROWS_WITH(ranked.write(out, Format::csv), path + ":2: changed while it was ranked");
    // The same proposal, verdict and score, but its first group renamed: csv would have written its
    // points under another group's column (or read past its groups, had it fewer).
    changed = text;
    const std::size_t group = changed.find(R"("groups":[{"id":")", text.find('\n')) + 17;
    REQUIRE(changed.rfind('\n', group) == text.find('\n'));  // on line 2
    changed[group] = changed[group] == 'z' ? 'y' : 'z';
    write_text(path, changed);
    CHECK_THROWS_WITH(ranked.write(out, Format::csv), path + ":2: changed while it was ranked");
    // Shorter: the last lines are gone.
    write_text(path, text.substr(0, text.size() / 2));
    CHECK_THROWS_WITH(ranked.write(out, Format::md), "cannot read " + path + " again: it changed while it was ranked");
    // Removed (or renamed over): the file read first is read again.
    write_text(path, text);
    std::filesystem::remove(path);
    out.str("");
    ranked.write(out, Format::json);
    CHECK(out.str() == expected.str());
}

TEST_CASE("RankedResults stops at the first line in input order that is no result of the first one's rule set", "[batch]") {
    auto rules = compile_ok(rules_yaml);
    const RulesInfo info = rules_info(*rules);
    const std::string dir = temp_dir("ranked-results-errors");
    write_text(dir + "/p.ndjson", copies(100));
    const std::string text = streamed(*rules, dir + "/p.ndjson");
    std::vector<std::string> results;  // 1,200 lines of about 1 KB: several blocks of 256 KiB
    for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
        results.push_back(text.substr(at, end - at));
    REQUIRE(results.size() == 1200);
    auto with = [&](std::map<std::size_t, std::string> changed) {  // by line number
        std::string text;
        for (std::size_t i = 0; i < results.size(); ++i) text += (changed.count(i + 1) ? changed[i + 1] : results[i]) + "\n";
        write_text(dir + "/r.ndjson", text);
        return std::vector<std::string>{dir + "/r.ndjson"};
    };
    std::string other_rules = results[0];
    other_rules.replace(other_rules.find(info.sha256), 12, "000000000000");
    const std::string earlier = "scored with rule set render 2 \"quoted\" (000000000000), but earlier results used render 2 \"quoted\" (" +
                                info.sha256.substr(0, 12) + ")";
    // Another rule set on the first line of a block: found by comparing blocks, not lines.
    std::size_t first_of_block = 0;  // the first line that does not end in the first 256 KiB read
    for (std::size_t i = 0, end = 0; i < results.size() && first_of_block == 0; ++i)
        if ((end += results[i].size() + 1) > (256 << 10)) first_of_block = i + 1;
    REQUIRE(first_of_block > 1);
    // A broken line in a later block than a line of another rule set, and the other way round.
    struct Case {
        std::map<std::size_t, std::string> changed;
        std::string error;
        bool more;  // the error goes on (what the parser said)
    };
    const std::vector<Case> cases{
        {{{700, "{broken"}, {1100, other_rules}}, dir + "/r.ndjson:700: not a result line: ", true},
        {{{300, other_rules}, {1100, "[]"}}, dir + "/r.ndjson:300: " + earlier, false},
        {{{first_of_block, other_rules}}, dir + "/r.ndjson:" + std::to_string(first_of_block) + ": " + earlier, false},
    };
    for (unsigned jobs : {1U, 2U}) {
        for (const auto& [changed, error, more] : cases) {
            INFO(jobs << " threads, " << error);
            const std::vector<std::string> inputs = with(changed);
            auto says_error = [&](const std::string& what) { return more ? what.starts_with(error) : what == error; };
            try {
                RankedResults(inputs, {jobs}, [](Verdict) {});
                FAIL("RankedResults read it");
            } catch (const Error& e) {
                INFO("said: " << e.what());
                CHECK(says_error(e.what()));
            }
            // Streamed, the lines before the error have gone on, each as it was.
            std::string lines;
            try {
                stream_results(inputs, {jobs}, [&](const RenderedLines& run) { lines += run.lines; });
                FAIL("stream_results read it");
            } catch (const Error& e) {
                INFO("said: " << e.what());
                CHECK(says_error(e.what()));
            }
            std::string before;
            for (std::size_t i = 0; i + 1 < changed.begin()->first; ++i) before += results[i] + "\n";
            CHECK(lines == before);
        }
    }
}
