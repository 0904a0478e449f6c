// A whole batch, read, bound and scored on several threads: the bulk path behind `screener eval`,
// `rank` and `diff`.
// Results come out in input order whatever the thread count, so every report is byte-identical to a
// single-threaded run; memory stays bounded by a few blocks of input in flight. A batch that stops
// early (an error, or a callback that throws) while its reader waits on standard input or a pipe
// interrupts that read with SIGURG, for which it installs a handler that does nothing when the
// process has none; a process with its own SIGURG handler waits for the input to end instead.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "screener/diff.hpp"
#include "screener/evaluate.hpp"
#include "screener/report.hpp"

namespace screener {

struct BatchOptions {
    unsigned jobs = 0;  // worker threads; 0 means one per core
    // Called on the calling thread when no result is ready to hand on (render_batch): a caller that
    // streams output flushes it here, so that results from a slow pipe come out as they are scored.
    std::function<void()> waiting = {};
};

// Reads `inputs` (as read_proposals does), binds and scores every proposal, and calls `sink` on the
// calling thread with each explained result in input order. A repeated id makes the later proposal
// invalid, exactly as read_proposals does. The plain form, for a caller that wants the Results; the
// CLI streams (render_batch) or ranks (RankedBatch) without building them, and is tested against it.
void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&)>& sink);

// What the calling thread gets of each result when the workers render it: the streaming NDJSON
// report needs no more, so no Result is built.
struct RenderedResult {
    Verdict verdict;
    double score;          // 0 when invalid
    std::string_view id;
    std::string_view json;  // append_result_json's bytes, rank left out
};

// A run of results, rendered: `lines` holds each one's json and a '\n', back to back, so a
// streaming writer writes the whole run at once. Its views, and the results', are valid only
// during the call to the sink that is given it.
struct RenderedLines {
    std::string_view lines;
    std::span<const RenderedResult> results;
};

// The same batch, each result rendered as JSON on the workers (ResultJson; `with_rules` adds the
// rule set, as NDJSON lines carry it) and handed to `sink` in input order, a run at a time.
void render_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                  const RulesInfo* with_rules, const std::function<void(const RenderedLines&)>& sink);

// A batch scored for a ranked report in two passes: the first binds and scores every proposal for
// its rank key, keeping the bound proposal compactly (its id, name, line and input values: a seventh
// of its result's JSON); the second, in write, scores them again in rank order and renders each
// result on the workers while the ones before are written. So no result is held, and rendering
// overlaps writing.
// `rules` must outlive the batch.
class RankedBatch {
public:
    // The first pass: reads and scores `inputs` as render_batch does, calling `scored` on the
    // calling thread with each verdict in input order (what it throws ends the batch).
    RankedBatch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                const std::function<void(Verdict)>& scored);
    ~RankedBatch();
    // The second: the report in `format` (json, md, csv, junit or html), byte for byte what
    // write_report writes of the results ranked. json is rendered straight from the plan
    // (ResultJson); the others explain each result again (RowReport), once per section: md scores
    // everything twice, and html three times, as its charts sum up every result before its first row.
    // `written(rows, of)`, when given, is called on the calling thread as blocks of rows are written
    // (`of`: a row a result in each section, html's list of invalid proposals only theirs).
    void write(std::ostream& out, Format format, const RulesInfo& rules,
               const std::function<void(std::size_t rows, std::size_t of)>& written = {}) const;

private:
    struct Kept;
    const CompiledRules& rules_;
    BatchOptions options_;
    std::unique_ptr<Kept> kept_;
};

// Streamed NDJSON results (`eval --format ndjson`, one file a shard) read back and ranked, for
// `screener rank`: the report one eval of all the shards' proposals, in the same order, would have
// written. Each line is read on the workers, and a repeated id across files makes the later result
// invalid, as one eval would. Kept are each result's rank key and where its line is in its file
// (about 140 bytes a result in all; a line from stdin or a pipe is kept whole): the second pass, in
// write, reads the lines again in rank order on the workers as the report is written.
class RankedResults {
public:
    // Reads `inputs` (files read as NDJSON whatever their names, or "-" for stdin), calling `read`
    // on the calling thread with each verdict in input order (what it throws ends the reading). A
    // line that is not a result, or a result of another rule set than the first, is an Error naming
    // the file and line; having no result at all is an Error too.
    RankedResults(const std::vector<std::string>& inputs, const BatchOptions& options, const std::function<void(Verdict)>& read);
    ~RankedResults();
    // The rule set that scored every result.
    const RulesInfo& rules() const;
    // The ranked report (json, md, csv, junit or html; ndjson, in input order, is stream_results').
    // `written` as for RankedBatch::write. A file changed since it was read is an Error naming it.
    void write(std::ostream& out, Format format, const std::function<void(std::size_t rows, std::size_t of)>& written = {}) const;

private:
    struct Kept;
    BatchOptions options_;
    std::unique_ptr<Kept> kept_;
};

// `screener rank --format ndjson`: the streamed results of `inputs` read as RankedResults reads
// them (with the same errors, thrown once the lines before have gone to `sink`), and each rendered
// again, as one eval of all the shards' proposals would have streamed it, and handed to `sink` in
// input order, a later repeat of an id made invalid. One pass in bounded memory: nothing is kept
// but the ids, which go to disk beyond max_ids_in_memory, as eval's do.
void stream_results(const std::vector<std::string>& inputs, const BatchOptions& options, const std::function<void(const RenderedLines&)>& sink);

// Reads `inputs` once (as `screener diff` needs, even when the input is stdin) and scores every
// proposal under both rule sets on the workers, keeping only each one's change, in input order, and
// calling `diffed` with it on the calling thread (what it throws ends the reading). A repeated id
// makes the later proposal invalid under both, as eval would.
RuleDiff diff_batch(const CompiledRules& before, const CompiledRules& after, const std::vector<std::string>& inputs,
                    const BatchOptions& options, const std::function<void(const ProposalChange&)>& diffed = {});

}  // namespace screener
