// `screener rank [--format F] [-o OUT] [--jobs N] RESULTS...`: merge streamed NDJSON results (from
// `eval --format ndjson`, e.g. one file per shard) into one ranked report, identical to what a
// single `eval` of all the shards' inputs, in the same order, would have written.
#include <sys/resource.h>

#include <memory>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/batch.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct RankOptions {
    std::string format, output;
    std::vector<std::string> inputs;
    unsigned jobs = 0;
};

int run_rank(const RankOptions& o) {
    refuse_standard_input_twice(o.inputs);
    refuse_to_replace_an_input("--output", o.output, o.inputs);
    const Format format = pick_format(o.format, o.output);
    Progress progress("result", "read");
    log_run(o.inputs, o.jobs, to_string(format));
    if (format == Format::ndjson) {
        // Streamed, in input order: each line read, rendered again and written, in bounded memory.
        write_streamed(o.output, o.jobs, progress, [&](const BatchOptions& options, const LinesSink& sink) {
            stream_results(o.inputs, options, sink);
        });
        progress.log("result", " merged");
        return 0;
    }
    // Each shard stays open until the report is written, to be read again: as many as allowed.
    if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    const RankedResults ranked(o.inputs, {o.jobs}, [&](Verdict verdict) {
        check_memory_limit(progress.total(), "merge fewer results at a time");
        progress.add(verdict);
    });
    progress.report_starts(o.output);
    write_output(o.output, [&](std::ostream& out) {
        ranked.write(out, format, [&](std::size_t rows, std::size_t of) { progress.writing(rows, of); });
    });
    progress.log("result", " ranked");
    return 0;
}

}  // namespace

void setup_rank(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<RankOptions>();
    auto* cmd = app.add_subcommand("rank", "Merge NDJSON results (eval --format ndjson, e.g. one file per shard) into one "
                                           "ranked report, identical to a single eval");
    cmd->add_option("RESULTS", o->inputs, "Result files in input order, or - for stdin")
        ->required()
        ->check(input_path(false));
    cmd->add_option("-f,--format", o->format, "md | json | ndjson | csv | junit | html (default as for eval); ndjson is streamed in input order, as eval streams it")
        ->check(CLI::IsMember({"md", "json", "ndjson", "csv", "junit", "html"}));
    cmd->add_option("-o,--output", o->output, "Write the report to this file (atomically)")->check(output_path());
    cmd->add_option("-j,--jobs", o->jobs, "Worker threads (default: one per core); output is identical for any number")
        ->check(jobs_count());
    cmd->callback([o, &exit_code] { exit_code = run_rank(*o); });
}

}  // namespace screener::cli
