// Shared checks for the fuzz targets (see fuzz/README.md). Each target feeds bytes to the engine
// through the same entry points the CLI uses, and on top of "no crash, no sanitizer report" checks
// the contract's invariants (SPEC sections 3, 4 and 6). A broken invariant aborts with a message,
// which libFuzzer records as a crash; the replay program (fuzz/replay_main.cpp) reports the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "screener/compile.hpp"
#include "screener/evaluate.hpp"
#include "screener/proposal.hpp"

namespace fuzz {

[[noreturn]] void fail(const char* file, int line, const char* condition, const std::string& detail);

#define FUZZ_CHECK(condition, detail)                                          \
    do {                                                                       \
        if (!(condition)) ::fuzz::fail(__FILE__, __LINE__, #condition, detail); \
    } while (0)

// SPEC 3 and 6: scores and points within 0..100, the verdict agreeing with the reasons, the JSON
// line valid JSON that `screener rank` reads back to the same bytes; then every report format is
// written (md, json, csv, junit, html, ndjson), the JSON report parsed back.
void check_result(const screener::CompiledRules& rules, const screener::Result& result);
void check_reports(const screener::CompiledRules& rules, std::vector<screener::Result> results);

// For a bound proposal: what_it_takes() and describe() for each change (as `screener check` does).
void check_advice(const screener::CompiledRules& rules, const screener::Proposal& proposal, const screener::Evaluation& e);

// Known findings (see tests/fuzz_regressions/README.md) that a fuzzing run may be told to step over,
// so it goes on finding new ones: SCREENER_FUZZ_TOLERATE=tag,tag. The replay never sets it.
bool tolerated(const char* tag);

// Two bindings of the same text must agree slot by slot (fast path vs the ordinary one).
void check_same_binding(const screener::BoundProposal& a, const screener::BoundProposal& b, std::string_view what);
std::string describe(const screener::BoundProposal& bound);

// A per-process scratch file name (in /dev/shm when there is one) with the given extension.
std::string scratch_path(std::string_view extension);
void write_file(const std::string& path, std::string_view bytes);

}  // namespace fuzz
