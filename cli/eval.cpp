// `screener eval [--rules R] [--format F] [-o OUT] [--jobs N] INPUT...`: batch-score, rank and report.
#include <string>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/batch.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct EvalOptions {
    std::string rules, format, output;
    std::vector<std::string> inputs;
    std::vector<std::string> fail_on;
    unsigned jobs = 0;
};

// What to do when a batch is too large to rank in memory.
constexpr std::string_view instead = "use --format ndjson to stream unranked results (and screener rank to merge shards)";

int run_eval(const EvalOptions& o) {
    std::vector<std::string> read = o.inputs;
    read.push_back(o.rules);
    refuse_standard_input_twice(o.inputs);
    refuse_to_replace_an_input("--output", o.output, read);
    Progress progress("proposal", "scored");  // timed from here: loading the rule set counts
    auto rules = load_rules_or_throw(o.rules);
    const RulesInfo info = rules_info(*rules);
    const Format format = pick_format(o.format, o.output);
    const BatchOptions batch{o.jobs};
    log_run(o.inputs, o.jobs, to_string(format));

    if (format == Format::ndjson) {
        // Streaming: results written in input order as they are scored, in bounded memory.
        write_streamed(o.output, o.jobs, progress, [&](const BatchOptions& options, const LinesSink& sink) {
            render_batch(*rules, o.inputs, options, &info, sink);
        });
    } else {
        // Ranked without holding results: scored once for the rank keys, then again in rank order as
        // the report is written.
        const RankedBatch ranked(*rules, o.inputs, batch, [&](Verdict verdict) {
            check_memory_limit(progress.total(), instead);
            progress.add(verdict);
        });
        progress.report_starts(o.output);
        write_output(o.output, [&](std::ostream& out) {
            ranked.write(out, format, info, [&](std::size_t rows, std::size_t of) { progress.writing(rows, of); });
        });
    }

    progress.log("proposal", "");
    for (const auto& verdict : o.fail_on)
        if (progress.count(verdict == "fail" ? Verdict::fail : Verdict::invalid) > 0) return 1;
    return 0;
}

}  // namespace

void setup_eval(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<EvalOptions>();
    auto* cmd = app.add_subcommand("eval", "Score and rank proposals; write a report (md, json, ndjson, csv, junit, html)");
    cmd->add_option("INPUT", o->inputs,
                    "Proposal files (.json: one object or an array; .ndjson/.jsonl: one per line), directories "
                    "(searched recursively, in sorted order) or - for stdin")
        ->required()
        ->check(input_path(true));
    cmd->add_option("--rules", o->rules, "Rule-set YAML file (default: the built-in bac-ninh-234)")->check(CLI::ExistingFile);
    cmd->add_option("-f,--format", o->format,
                    "md | json | ndjson | csv | junit | html (default: from -o's extension, " + format_extensions(all_formats) +
                        "; any other is an error; without -o or an extension, md on a terminal, json otherwise); "
                    "ndjson streams unranked results in input order")
        ->check(CLI::IsMember({"md", "json", "ndjson", "csv", "junit", "html"}));
    cmd->add_option("-o,--output", o->output, "Write the report to this file (atomically: all or nothing)")->check(output_path());
    cmd->add_option("--fail-on", o->fail_on, "Exit 1 when any proposal has this verdict (fail, invalid; repeatable)")
        ->allow_extra_args(false)  // one verdict per --fail-on, so inputs may follow it
        ->check(CLI::IsMember({"fail", "invalid"}));
    cmd->add_option("-j,--jobs", o->jobs, "Worker threads (default: one per core); output is identical for any number")
        ->check(jobs_count());
    cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace screener::cli
