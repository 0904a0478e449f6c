// Stage micro-benchmarks for the bulk path (issue 7): how the time of one proposal splits between
// bind (simdjson fast path, and the ordinary nlohmann path for comparison), evaluate, explain and
// serialize (append_result_json of an explained Result, and ResultJson straight from the evaluation),
// reading a result line back (screener rank), ranking (rank_order), plus the whole in-process pipeline (render_batch).
//
//   eval_bench [PROPOSALS.ndjson [RULES.yaml]] [--benchmark_...]
//
// Defaults: the reference rule set (bench/reference.yaml) and the 10,000 reference proposals the
// build generates with bench/gen_reference.py (seed 42). Every benchmark reports items/s, an item
// being one proposal.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "fast_bind.hpp"  // engine-private: the batch's own per-record bind (detail::read_raw, bind_record)
#include "result_line.hpp"  // engine-private: rank's reading of result lines
#include "screener/batch.hpp"
#include "screener/compile.hpp"
#include "screener/evaluate.hpp"
#include "screener/proposal.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

#ifndef SCREENER_BENCH_DATA
#define SCREENER_BENCH_DATA "ref-10000.ndjson"
#endif
#ifndef SCREENER_BENCH_RULES
#define SCREENER_BENCH_RULES "reference.yaml"
#endif

namespace {

using namespace screener;

struct Fixture {
    std::string data = SCREENER_BENCH_DATA, rules_file = SCREENER_BENCH_RULES;
    std::shared_ptr<const CompiledRules> rules;
    RulesInfo info;
    std::vector<Proposal> proposals;         // bound with read_proposals
    std::vector<detail::RawChunk> chunks;    // the same file as the batch reads it, before binding
    std::vector<std::string> lines;          // each proposal's text, for the ordinary bind path
    std::vector<Evaluation> evaluations;     // one per proposal
    std::vector<Result> results;             // explained, one per proposal
    std::size_t records = 0;
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "eval_bench: %s\n", what.c_str());
    std::exit(2);
}

void load(Fixture& f) {
    CompileResult compiled = compile_file(f.rules_file);
    if (!compiled.rules) die("cannot compile " + f.rules_file);
    f.rules = compiled.rules;
    f.info = rules_info(*f.rules);
    read_proposals(*f.rules, {f.data}, [&](BoundProposal&& bound) {
        if (auto* p = std::get_if<Proposal>(&bound)) f.proposals.push_back(std::move(*p));
        else die("an invalid proposal in " + f.data + " (is it the reference workload?)");
    });
    if (f.proposals.empty()) die("no proposals in " + f.data);
    detail::read_raw({f.data}, [&](detail::RawChunk&& chunk) {
        for (const auto& r : chunk.records) f.lines.emplace_back(chunk.bytes.data() + r.offset, r.length);
        f.records += chunk.records.size();
        f.chunks.push_back(std::move(chunk));
    });
    f.evaluations.resize(f.proposals.size());
    std::size_t pass = 0;
    for (std::size_t i = 0; i < f.proposals.size(); ++i) {
        evaluate(*f.rules, f.proposals[i], f.evaluations[i]);
        f.results.push_back(explain(*f.rules, f.proposals[i], f.evaluations[i]));
        pass += f.evaluations[i].verdict == Verdict::pass;
    }
    std::fprintf(stderr, "eval_bench: %zu proposals from %s (%zu pass) under %s\n", f.proposals.size(), f.data.c_str(), pass,
                 f.rules_file.c_str());
}

// Stage 4 alone: evaluate() over bound proposals, 16 at a time into 16 reused Evaluations (as a
// worker does).
void BM_Evaluate(benchmark::State& state) {
    const Fixture& f = fixture();
    constexpr std::size_t run = evaluation_lanes;
    std::vector<Evaluation> scratch(run);
    const std::span<const Proposal> all(f.proposals);
    for (auto _ : state) {
        for (std::size_t first = 0; first < all.size(); first += run) {
            const std::size_t n = std::min(run, all.size() - first);
            evaluate(*f.rules, all.subspan(first, n), std::span(scratch).first(n));
            benchmark::DoNotOptimize(scratch[0].total);
        }
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.proposals.size()));
}
BENCHMARK(BM_Evaluate)->Unit(benchmark::kMicrosecond);

// The same one proposal at a time, into one reused Evaluation (as explanations and advice do).
void BM_EvaluateOne(benchmark::State& state) {
    const Fixture& f = fixture();
    Evaluation scratch;
    for (auto _ : state) {
        for (const auto& p : f.proposals) {
            evaluate(*f.rules, p, scratch);
            benchmark::DoNotOptimize(scratch.total);
        }
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.proposals.size()));
}
BENCHMARK(BM_EvaluateOne)->Unit(benchmark::kMicrosecond);

// Stage 3, the batch's bind: detail::bind_record (the simdjson fast path, nlohmann when it declines).
void BM_BindFast(benchmark::State& state) {
    const Fixture& f = fixture();
    for (auto _ : state) {
        for (const auto& chunk : f.chunks)
            for (const auto& record : chunk.records) {
                BoundProposal bound = detail::bind_record(*f.rules, chunk, record);
                if (!std::holds_alternative<Proposal>(bound)) state.SkipWithError("the fast path returned an invalid proposal");
                benchmark::DoNotOptimize(bound);
            }
    }
    std::size_t bytes = 0;
    for (const auto& line : f.lines) bytes += line.size() + 1;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.records));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_BindFast)->Unit(benchmark::kMicrosecond);

// For comparison: the ordinary bind path (nlohmann DOM + bind_json), what the fast path replaces.
void BM_BindOrdinary(benchmark::State& state) {
    const Fixture& f = fixture();
    SourceLoc source{f.data, 1, 0};
    for (auto _ : state) {
        for (const auto& line : f.lines) {
            BoundProposal bound = bind_text(*f.rules, line, source);
            benchmark::DoNotOptimize(bound);
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.lines.size()));
}
BENCHMARK(BM_BindOrdinary)->Unit(benchmark::kMicrosecond);

// explain(): an Evaluation turned into a Result (ids, titles, gate messages, reasons) — per proposal.
void BM_Explain(benchmark::State& state) {
    const Fixture& f = fixture();
    for (auto _ : state) {
        for (std::size_t i = 0; i < f.proposals.size(); ++i) {
            Result r = explain(*f.rules, f.proposals[i], f.evaluations[i]);
            benchmark::DoNotOptimize(r);
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.proposals.size()));
}
BENCHMARK(BM_Explain)->Unit(benchmark::kMicrosecond);

// append_result_json() alone: one NDJSON line per Result, as `eval --format ndjson` renders it.
void BM_AppendResultJson(benchmark::State& state) {
    const Fixture& f = fixture();
    std::string out;
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (const auto& r : f.results) {
            out.clear();
            append_result_json(out, r, 0, &f.info);
            out += '\n';
            bytes += out.size();
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.results.size()));
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_AppendResultJson)->Unit(benchmark::kMicrosecond);

// explain + append_result_json together: the per-proposal reporting cost on a worker.
void BM_ExplainAppend(benchmark::State& state) {
    const Fixture& f = fixture();
    std::string out;
    for (auto _ : state) {
        for (std::size_t i = 0; i < f.proposals.size(); ++i) {
            Result r = explain(*f.rules, f.proposals[i], f.evaluations[i]);
            out.clear();
            append_result_json(out, r, 0, &f.info);
            out += '\n';
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.proposals.size()));
}
BENCHMARK(BM_ExplainAppend)->Unit(benchmark::kMicrosecond);

// ResultJson::append alone: the bulk path's renderer, straight from the plan and the evaluation.
void BM_ResultJson(benchmark::State& state) {
    const Fixture& f = fixture();
    const ResultJson renderer(*f.rules, &f.info);
    std::string out;
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < f.proposals.size(); ++i) {
            out.clear();
            renderer.append(out, f.proposals[i], f.evaluations[i], 0);
            bytes += out.size();
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.proposals.size()));
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ResultJson)->Unit(benchmark::kMicrosecond);

// read_result_line: a streamed result read back, as `screener rank` reads each line of its shards
// (in place, into one ResultLine reused).
void BM_ReadResultLine(benchmark::State& state) {
    const Fixture& f = fixture();
    std::vector<std::string> lines(f.results.size());
    for (std::size_t i = 0; i < f.results.size(); ++i) {
        append_result_json(lines[i], f.results[i], 0, &f.info);
        lines[i].reserve(lines[i].size() + detail::simd_padding);
    }
    ResultLine read;
    for (auto _ : state)
        for (const auto& line : lines) {
            detail::read_result_line(line, line.capacity(), read);
            benchmark::DoNotOptimize(read.result.score);
        }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
}
BENCHMARK(BM_ReadResultLine)->Unit(benchmark::kMicrosecond);

// bind, evaluate and render as a worker does (16 proposals bound into reused ones, evaluated
// together, rendered), without threads or I/O.
void BM_WorkerLoop(benchmark::State& state) {
    const Fixture& f = fixture();
    const ResultJson renderer(*f.rules, &f.info);
    std::vector<Proposal> proposals(evaluation_lanes);
    std::vector<Evaluation> evaluations(evaluation_lanes);
    BoundProposal other;
    std::string out;
    for (auto _ : state) {
        for (const auto& chunk : f.chunks) {
            out.clear();
            for (std::size_t first = 0; first < chunk.records.size(); first += evaluation_lanes) {
                const std::size_t n = std::min(evaluation_lanes, chunk.records.size() - first);
                for (std::size_t k = 0; k < n; ++k)
                    if (detail::bind_record(*f.rules, chunk, chunk.records[first + k], proposals[k], other) != &proposals[k])
                        state.SkipWithError("the fast path did not bind a reference proposal");
                evaluate(*f.rules, std::span<const Proposal>(proposals).first(n), std::span(evaluations).first(n));
                for (std::size_t k = 0; k < n; ++k) renderer.append(out, proposals[k], evaluations[k], 0);
            }
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.records));
}
BENCHMARK(BM_WorkerLoop)->Unit(benchmark::kMicrosecond);

// Stage 5 alone: rank_order over a million rank keys (the proposals' scores and verdicts, repeated
// under distinct ids), as a ranked report of a million proposals sorts them; Arg = threads.
void BM_RankOrder(benchmark::State& state) {
    const Fixture& f = fixture();
    constexpr std::size_t count = 1'000'000;
    std::vector<std::string> ids(count);
    std::vector<RankKey> keys(count);
    for (std::size_t i = 0; i < count; ++i) {
        const Evaluation& e = f.evaluations[i % f.evaluations.size()];
        ids[i] = std::to_string(10'000'000 + (i * 7'919) % count);  // distinct, not in input order
        ids[i][0] = 'P';                                               // "P0000000"...
        keys[i] = {e.verdict, e.total, ids[i]};
    }
    for (auto _ : state) benchmark::DoNotOptimize(rank_order(keys, static_cast<unsigned>(state.range(0))).data());
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
}
BENCHMARK(BM_RankOrder)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole in-process pipeline as `eval --format ndjson` runs it (read from the page cache, bind,
// score, render, hand on in order), output discarded; Arg = worker threads. Wall time (UseRealTime).
void BM_ScoreBatchNdjson(benchmark::State& state) {
    const Fixture& f = fixture();
    BatchOptions options;
    options.jobs = static_cast<unsigned>(state.range(0));
    std::size_t n = 0, bytes = 0;
    for (auto _ : state) {
        render_batch(*f.rules, {f.data}, options, &f.info, [&](const RenderedLines& run) {
            n += run.results.size();
            bytes += run.lines.size();
        });
    }
    if (n != state.iterations() * f.records) state.SkipWithError("render_batch lost proposals");
    state.SetItemsProcessed(static_cast<int64_t>(n));
}
BENCHMARK(BM_ScoreBatchNdjson)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);  // removes the --benchmark_* flags it knows
    Fixture& f = fixture();
    if (argc > 1) f.data = argv[1];
    if (argc > 2) f.rules_file = argv[2];
    if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
        std::fprintf(stderr, "usage: eval_bench [PROPOSALS.ndjson [RULES.yaml]] [--benchmark_...]\n");
        return 2;
    }
    load(f);
    benchmark::AddCustomContext("proposals", std::to_string(f.proposals.size()));
    benchmark::AddCustomContext("rules", f.rules_file);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
