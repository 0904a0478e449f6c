// What the subcommands share: loading the rule set, printing diagnostics, writing output atomically,
// keeping results compactly for a ranked json report.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "screener/compile.hpp"
#include "screener/report.hpp"

namespace screener::cli {

// Compiles `path`, or the built-in rule set when it is empty. Prints diagnostics to stderr;
// throws screener::Error (exit 2) when the rule set has errors.
std::shared_ptr<const CompiledRules> load_rules_or_throw(const std::string& path);

void print_diagnostics(const Diagnostics& diagnostics);

// Runs `write` against stdout (path "" or "-"), or against a temporary file next to `path` that is
// renamed over it only once everything was written: a reader never sees a partial report.
void write_output(const std::string& path, const std::function<void(std::ostream&)>& write);

// The report format: --format when given, else from the output file's extension, else md on a
// terminal and json in a pipe.
Format pick_format(const std::string& format, const std::string& output);

// A ranked report holds every result until it is sorted: past max_proposals_in_memory, stop
// (exit 2) and say what to do `instead`.
void check_memory_limit(std::size_t held, std::string_view instead);

bool stdout_is_terminal();
bool stderr_is_terminal();

}  // namespace screener::cli
