// `screener eval [--rules R] [--format F] [-o OUT] INPUT...`: batch-score, rank and report.
#include <chrono>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "common.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct EvalOptions {
    std::string rules, format, output;
    std::vector<std::string> inputs;
    std::vector<std::string> fail_on;
};

// Without --format: from the output file's extension, else md on a terminal and json in a pipe.
Format pick_format(const EvalOptions& o) {
    if (!o.format.empty()) return *parse_format(o.format);
    auto ends_with = [&](std::string_view ext) { return o.output.size() >= ext.size() && o.output.ends_with(ext); };
    if (ends_with(".json")) return Format::json;
    if (ends_with(".ndjson") || ends_with(".jsonl")) return Format::ndjson;
    if (ends_with(".csv")) return Format::csv;
    if (ends_with(".xml")) return Format::junit;
    if (ends_with(".md")) return Format::md;
    if (ends_with(".html") || ends_with(".htm")) return Format::html;
    return o.output.empty() && stdout_is_terminal() ? Format::md : Format::json;
}

int run_eval(const EvalOptions& o) {
    auto started = std::chrono::steady_clock::now();
    auto rules = load_rules_or_throw(o.rules);
    const RulesInfo info = rules_info(*rules);
    const Format format = pick_format(o);
    std::size_t counts[3] = {0, 0, 0};
    Evaluation scratch;

    if (format == Format::ndjson) {
        // Streaming: each result is written as soon as it is scored, in input order, in bounded memory.
        write_output(o.output, [&](std::ostream& out) {
            read_proposals(*rules, o.inputs, [&](BoundProposal&& bound) {
                Result result = score(*rules, bound, scratch);
                ++counts[static_cast<int>(result.verdict)];
                write_ndjson_line(out, info, result);
            });
        });
    } else {
        std::vector<Result> results;
        read_proposals(*rules, o.inputs, [&](BoundProposal&& bound) {
            results.push_back(score(*rules, bound, scratch));
            ++counts[static_cast<int>(results.back().verdict)];
        });
        rank(results);
        write_output(o.output, [&](std::ostream& out) { write_report(out, format, info, results); });
    }

    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::size_t total = counts[0] + counts[1] + counts[2];
    spdlog::info("{} proposal{}: {} pass, {} fail, {} invalid ({:.2f} s)", total, total == 1 ? "" : "s", counts[0],
                 counts[1], counts[2], seconds);
    for (const auto& verdict : o.fail_on)
        if ((verdict == "fail" && counts[1] > 0) || (verdict == "invalid" && counts[2] > 0)) return 1;
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
        ->check(CLI::ExistingPath | CLI::IsMember({"-"}));
    cmd->add_option("--rules", o->rules, "Rule-set YAML file (default: the built-in bac-ninh-234)")->check(CLI::ExistingFile);
    cmd->add_option("-f,--format", o->format,
                    "md | json | ndjson | csv | junit | html (default: from -o's extension, else md on a terminal, json otherwise); "
                    "ndjson streams unranked results in input order")
        ->check(CLI::IsMember({"md", "json", "ndjson", "csv", "junit", "html"}));
    cmd->add_option("-o,--output", o->output, "Write the report to this file (atomically: all or nothing)");
    cmd->add_option("--fail-on", o->fail_on, "Exit 1 when any proposal has this verdict (fail, invalid; repeatable)")
        ->allow_extra_args(false)  // one verdict per --fail-on, so inputs may follow it
        ->check(CLI::IsMember({"fail", "invalid"}));
    cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace screener::cli
