// `screener diff OLD NEW INPUT... [--format md|json] [-o OUT] [--jobs N] [--fail-on-change]`: impact of a rule change.
#include <algorithm>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "common.hpp"
#include "screener/batch.hpp"
#include "screener/diff.hpp"

namespace screener::cli {

namespace {

struct DiffOptions {
    std::string before, after, format, output;
    std::vector<std::string> inputs;
    unsigned jobs = 0;
    bool fail_on_change = false;
};

// As eval picks its format: from --format, else from -o's name (.json); md otherwise, the one diff
// writes for people. A name of another report's format is refused, before any work: diff writes no
// csv or html.
bool writes_json(const DiffOptions& o) {
    if (!o.format.empty()) return o.format == "json";
    const std::optional<Format> named = format_of_name(o.output, {Format::md, Format::json});
    if (named && named != Format::json && named != Format::md)
        throw Error("diff writes md or json, not " + std::string(to_string(*named)) + ": name the output .md or .json, or give --format", 2);
    return named == Format::json;
}

int run_diff(const DiffOptions& o) {
    std::vector<std::string> read = o.inputs;
    read.insert(read.end(), {o.before, o.after});
    refuse_standard_input_twice(o.inputs);
    refuse_to_replace_an_input("--output", o.output, read);
    const bool json = writes_json(o);
    auto before = load_rules_or_throw(o.before);
    auto after = load_rules_or_throw(o.after);
    if (before->id != after->id)  // two policies, not two versions of one: gates and criteria match by id only by chance
        spdlog::warn("warning: {} is rule set '{}' and {} is '{}': diff compares two versions of one rule set", o.before, before->id,
                     o.after, after->id);
    Progress progress("proposal", "diffed");
    log_run(o.inputs, o.jobs, json ? "json" : "md");
    const RuleDiff d = diff_batch(*before, *after, o.inputs, {o.jobs}, [&](const ProposalChange& change) {
        check_memory_limit(progress.total(), "diff fewer proposals at a time");
        progress.add(change.after.verdict);
    });
    progress.report_starts(o.output);
    write_output(o.output, [&](std::ostream& out) {
        if (json) write_diff_json(out, d, o.jobs);
        else write_diff_md(out, d, o.jobs);
    });
    bool flipped = std::any_of(d.proposals.begin(), d.proposals.end(), [](const ProposalChange& p) { return p.flipped(); });
    return o.fail_on_change && flipped ? 1 : 0;
}

}  // namespace

void setup_diff(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<DiffOptions>();
    auto* cmd = app.add_subcommand("diff", "Impact of a rule change: verdict flips, score and rank moves of the same proposals "
                                           "under OLD and NEW rule sets");
    cmd->add_option("OLD", o->before, "The rule set before the change")->required()->check(CLI::ExistingFile);
    cmd->add_option("NEW", o->after, "The rule set after the change")->required()->check(CLI::ExistingFile);
    cmd->add_option("INPUT", o->inputs, "Proposal files, directories or - (as for eval)")
        ->required()
        ->check(input_path(true));
    cmd->add_option("-f,--format", o->format, "md (default: a summary short enough for a pull-request comment, then "
                                              "the full table) | json (default with -o NAME.json)")
        ->check(CLI::IsMember({"md", "json"}));
    cmd->add_option("-o,--output", o->output, "Write to this file (atomically); a .json name writes json, .md md, and any other extension is refused")->check(output_path());
    cmd->add_option("-j,--jobs", o->jobs, "Worker threads (default: one per core); output is identical for any number")
        ->check(jobs_count());
    cmd->add_flag("--fail-on-change", o->fail_on_change, "Exit 1 when any proposal's verdict flips");
    cmd->callback([o, &exit_code] { exit_code = run_diff(*o); });
}

}  // namespace screener::cli
