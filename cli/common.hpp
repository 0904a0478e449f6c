// What the subcommands share: loading the rule set, printing diagnostics, writing output atomically,
// the progress line of a long batch.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "screener/batch.hpp"
#include "screener/compile.hpp"
#include "screener/report.hpp"

namespace screener::cli {

// An input given on the command line: a file that exists (or a folder too, with `folders`), or -
// for standard input. One that does not is a usage error naming it ("INPUT: no such file or
// folder: x"), before anything is read.
CLI::Validator input_path(bool folders);
// An -o path that can be written, checked before anything is scored: not empty, not a folder, in a
// folder that exists and may be written (a device, a FIFO or /dev/stdout is written as it is).
CLI::Validator output_path();
// --jobs: a whole number of worker threads from 0 (one per core) to 1024.
CLI::Validator jobs_count();
// An output (`option`'s file) that is one of the files a command reads (by any name or link, or as
// standard input), or a proposal file in a folder it reads, is a usage error (exit 2), before
// anything is read: the atomic rename would replace the proposals or rule set it came from.
void refuse_to_replace_an_input(std::string_view option, const std::string& output, const std::vector<std::string>& inputs);
// Standard input is read once: "-" given twice would read nothing the second time, without a word.
void refuse_standard_input_twice(const std::vector<std::string>& inputs);
// Whether an output path is standard output: -, or a name that leads to descriptor 1 (/dev/stdout, /dev/fd/1).
bool is_standard_output(const std::string& path);

// Compiles `path`, or the built-in rule set when it is empty. Prints diagnostics to stderr;
// throws screener::Error (exit 2) when the rule set has errors.
std::shared_ptr<const CompiledRules> load_rules_or_throw(const std::string& path);
// With -v: how a run goes (its inputs, worker threads and report format). Without -q: the files a
// folder among the inputs passes over, and a folder with nothing to read.
void log_run(const std::vector<std::string>& inputs, unsigned jobs, std::string_view format);

// Diagnostics on stderr; warnings only without -q, unless they are errors (validate --strict).
void print_diagnostics(const Diagnostics& diagnostics, bool warnings_are_errors = false);

// Runs `write` against stdout (path "" or "-"), or against a temporary file next to `path` that is
// renamed over it only once everything was written: a reader never sees a partial report.
void write_output(const std::string& path, const std::function<void(std::ostream&)>& write);

inline constexpr std::initializer_list<Format> all_formats = {Format::md, Format::json, Format::ndjson, Format::csv, Format::html, Format::junit};
// The extensions that name `formats`: ".md, .json, .ndjson, .jsonl, .csv, .html, .htm or .xml (junit)".
std::string format_extensions(std::initializer_list<Format> formats);
// The report format an output file's extension names (.json, .ndjson or .jsonl, .csv, .xml for
// junit, .md, .html or .htm, in any case); none for a name without an extension. Any other
// extension is an error (exit 2) that names the extensions of the formats the command `writes`.
std::optional<Format> format_of_name(const std::string& output, std::initializer_list<Format> writes);
// The report format: --format when given, else from the output file's extension, else md on a
// terminal and json in a pipe.
Format pick_format(const std::string& format, const std::string& output);

// A ranked report holds every result until it is sorted: past max_proposals_in_memory, stop
// (exit 2) and say what to do `instead`.
void check_memory_limit(std::size_t held, std::string_view instead);

bool stdout_is_terminal();
bool stderr_is_terminal();

// A batch's verdicts, counted as it goes: shown live on stderr for long batches (only on a
// terminal, only after the first second, never with -q, and erased when done, so stdout and logs
// stay clean), and said at the end (not with -q): "screener: 20 proposals: 9 pass, 9 fail, 2
// invalid (0.04 s)". A ranked report is written in a second pass over everything, so the live line
// goes on with how much is written.
class Progress {
public:
    // What add() counts, as the live line names it: `noun` ("proposal", made plural) and `done`
    // ("scored").
    Progress(std::string noun, std::string done);
    ~Progress() { done(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void add(Verdict verdict);
    std::size_t total() const { return counts_[0] + counts_[1] + counts_[2]; }
    std::size_t count(Verdict verdict) const { return counts_[static_cast<int>(verdict)]; }
    void writing(std::size_t rows, std::size_t of);
    // Erases the live line, and shows it no more.
    void done();
    // Before a report starts: a report written to a terminal (standard output, or a path naming
    // one) is not interleaved with the live line, which ends there.
    void report_starts(const std::string& output);
    // The line at the end, after the live one is erased: `noun` (made plural) and `after` it:
    // "proposal", "" for eval; "result", " ranked" for rank.
    void log(std::string_view noun, std::string_view after);
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }

private:
    void show(std::size_t step, const std::string& text);
    std::string counted_text() const;  // "1 proposal scored", "20 proposals scored"

    std::string noun_, done_;
    bool enabled_;
    bool shown_ = false;
    std::size_t counts_[3] = {0, 0, 0};
    std::size_t percent_ = 101;  // of the report written, when last shown
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// A streamed report (ndjson) written to `output` as `stream(options, sink)` hands on its runs of lines,
// each result counted by `progress`. The options flush the output whenever no run is ready, so that
// results of lines from a slow pipe come out as they come.
using LinesSink = std::function<void(const RenderedLines&)>;
void write_streamed(const std::string& output, unsigned jobs, Progress& progress,
                    const std::function<void(const BatchOptions&, const LinesSink&)>& stream);

}  // namespace screener::cli
