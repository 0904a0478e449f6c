// Fuzz target 4: bytes as a proposals file, read by the batch reader (read_raw) the way `screener
// eval` reads files: NDJSON in 1 MiB blocks (no trailing newline, CRLF, a BOM, blank lines, lines
// longer than a block) or a JSON document (one object or an array split into its elements).
// Checked against a plain reference reading of the same bytes:
//   - the records (text and line number) are exactly the file's non-blank lines, in order;
//   - each record binds (bind_record: simdjson when it can) exactly as bind_text binds its text;
//   - read_proposals gives those bindings, with repeated ids made invalid;
//   - score_batch (jobs 1) gives the same results as read_proposals + score, in the same order;
//   - render_batch renders them byte for byte, and RankedBatch writes write_report's json, csv, md
//     and html reports;
//   - the results streamed as NDJSON and read back by RankedResults (screener rank) give the same
//     reports, and stream_results the same lines; each record is at its chunk's offset in the
//     file, where rank reads it again;
//   - the same bytes on standard input give the records of the same bytes in an NDJSON file or in a
//     .json file (the reader decides which): the same texts, lines and problems;
//   - the file left unread and read by read_files, as a worker reads a small file, gives the same
//     records, each naming the file.
// The first byte chooses the file kind and, when its top bits are set, pads the text with 0.5-1.5
// MiB of spaces at a chosen offset (so lines longer than the reader's block occur).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fast_bind.hpp"
#include "fuzz_common.hpp"
#include "screener/batch.hpp"
#include "screener/limits.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

using namespace screener;

namespace {

struct Record {
    std::string text;
    SourceLoc source;
    std::string problem;
};

// A reading's records as text, line and problem (not the file's name, which differs).
using Read = std::vector<std::tuple<std::string, std::uint32_t, std::string>>;
Read records_of(const std::string& input) {
    Read out;
    detail::read_raw({input}, [&](detail::RawChunk&& chunk) {
        for (const auto& record : chunk.records) out.emplace_back(chunk.bytes.substr(record.offset, record.length), record.line, record.problem);
    });
    return out;
}

// The bytes of `file` on standard input, read as `screener eval -` reads it.
Read stdin_records_of(const std::string& file) {
    const int saved = ::dup(STDIN_FILENO);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    FUZZ_CHECK(saved >= 0 && fd >= 0 && ::dup2(fd, STDIN_FILENO) == STDIN_FILENO, "cannot put the scratch file on standard input");
    ::close(fd);
    Read read = records_of("-");
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    return read;
}

// The file's non-blank lines, as the contract describes NDJSON.
std::vector<Record> reference_lines(std::string_view bytes, const std::string& name) {
    std::vector<Record> out;
    std::size_t start = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    std::uint32_t line = 1;
    while (start < bytes.size()) {
        std::size_t end = bytes.find('\n', start);
        if (end == std::string_view::npos) end = bytes.size();
        std::string_view row = bytes.substr(start, end - start);
        // Finding blank-long-line: a blank line longer than the proposal limit is reported as an invalid proposal.
        const bool reported_blank = row.size() > limits().max_proposal_bytes && fuzz::tolerated("blank-long-line");
        if (reported_blank || row.find_first_not_of(" \t\r") != std::string_view::npos)
            out.push_back({std::string(row), SourceLoc{name, line, 0}, {}});
        ++line;
        start = end + 1;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::shared_ptr<const CompiledRules> compiled = [] {
        auto result = compile_default();
        FUZZ_CHECK(result.rules, "the built-in rule set compiles");
        return result.rules;
    }();
    const CompiledRules& rules = *compiled;
    if (size == 0) return 0;

    const std::uint8_t mode = data[0];
    static const char* const extensions[] = {".ndjson", ".ndjson", ".jsonl", ".json"};
    const std::string path = fuzz::scratch_path(extensions[mode % 4]);
    const bool document = mode % 4 == 3;
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((mode & 0xF0) == 0xF0 && bytes.size() >= 3) {
        const std::size_t at = (static_cast<std::size_t>(static_cast<std::uint8_t>(bytes[0])) |
                                static_cast<std::size_t>(static_cast<std::uint8_t>(bytes[1])) << 8) % (bytes.size() - 2);
        const std::size_t pad = (1 + static_cast<std::uint8_t>(bytes[2]) % 3) * (512 << 10);
        bytes.erase(0, 3);
        bytes.insert(std::min(at, bytes.size()), pad, ' ');
    }
    fuzz::write_file(path, bytes);

    // 1. The raw records, and each one bound.
    std::vector<Record> raw;
    std::vector<BoundProposal> bound_raw;
    try {
        detail::read_raw({path}, [&](detail::RawChunk&& chunk) {
            for (const auto& record : chunk.records) {
                FUZZ_CHECK(record.offset + record.length <= chunk.bytes.size(), "a record lies within its chunk");
                const bool in_file = chunk.offset + record.offset + record.length <= bytes.size();
                FUZZ_CHECK(in_file && bytes.compare(chunk.offset + record.offset, record.length, chunk.bytes, record.offset, record.length) == 0,
                           "a record is where its chunk's offset says in the file (screener rank reads it there again)");
                if (record.problem.empty())
                    FUZZ_CHECK(chunk.bytes.capacity() >= record.offset + record.length + 64, "simdjson padding after a record");
                raw.push_back({chunk.bytes.substr(record.offset, record.length), chunk.source(record), record.problem});
                bound_raw.push_back(detail::bind_record(rules, chunk, record));
            }
        });
    } catch (const std::exception& e) {
        // Finding fast-bind-throws: a simdjson error escaped bind_record; the batch would stop here.
        FUZZ_CHECK(fuzz::tolerated("fast-bind-throws"), std::string("reading the batch threw: ") + e.what());
        return 0;
    }
    for (std::size_t i = 0; i < raw.size(); ++i)
        if (raw[i].problem.empty() && raw[i].text.size() > limits().max_proposal_bytes)  // over the limit: invalid, unread
            FUZZ_CHECK(std::holds_alternative<InvalidProposal>(bound_raw[i]), "a proposal over the size limit is invalid");
        else if (raw[i].problem.empty())
            fuzz::check_same_binding(bound_raw[i], bind_text(rules, raw[i].text, raw[i].source),
                                     "bind_record vs bind_text, record " + std::to_string(i) + " at " + raw[i].source.str());

    if (!document) {
        const std::vector<Record> want = reference_lines(bytes, path);
        std::string detail = "reader gave " + std::to_string(raw.size()) + " records, the file has " + std::to_string(want.size()) + " non-blank lines";
        for (std::size_t i = 0; i < std::min(raw.size(), want.size()); ++i) {
            // A line longer than a proposal may be is reported (at its line) without being kept.
            const bool skipped = !raw[i].problem.empty() && raw[i].text.empty() && raw[i].source == want[i].source &&
                                 want[i].text.size() > limits().max_proposal_bytes;
            if (!skipped && (raw[i].text != want[i].text || raw[i].source != want[i].source || !raw[i].problem.empty())) {
                detail += "; first difference: record " + std::to_string(i) + " at " + raw[i].source.str() + " (" +
                          std::to_string(raw[i].text.size()) + " bytes) vs line at " + want[i].source.str() + " (" +
                          std::to_string(want[i].text.size()) + " bytes) " + raw[i].problem;
                FUZZ_CHECK(false, detail);
            }
        }
        FUZZ_CHECK(raw.size() == want.size(), detail);
    } else {
        // When the whole file is valid JSON: an array gives one record per element, anything else one record.
        nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, false);
        if (!doc.is_discarded()) {
            const std::size_t want = doc.is_array() ? doc.size() : 1;
            FUZZ_CHECK(raw.size() == want, "a valid JSON document of " + std::to_string(want) + " proposals read as " +
                                               std::to_string(raw.size()) + " records");
            for (std::size_t i = 0; i < raw.size(); ++i) {
                FUZZ_CHECK(raw[i].problem.empty(), raw[i].problem);
                if (raw[i].text.size() > limits().max_proposal_bytes) continue;
                // bind_text, not bind_json of this DOM: the DOM keeps the last of repeated keys, while
                // proposals with repeated keys are invalid (docs/security.md)
                BoundProposal expected = bind_text(rules, raw[i].text, raw[i].source);
                fuzz::check_same_binding(bound_raw[i], expected, "array element " + std::to_string(i) + " vs bind_text");
            }
        }
    }

    // 1b. On standard input, as one kind of file or the other.
    {
        const std::string other = fuzz::scratch_path(document ? ".other.ndjson" : ".other.json");
        fuzz::write_file(other, bytes);
        const Read from_stdin = stdin_records_of(path), here = records_of(path), there = records_of(other);
        FUZZ_CHECK(from_stdin == here || from_stdin == there, "standard input reads the bytes as neither an NDJSON file nor a .json file does");
    }

    // 1c. Left unread, then read as a worker reads a small file (score_batch and the rest below read
    // this way when the file is small, so their checks cover it too). An empty file is never left
    // unread (a size of 0 marks a file read already).
    if (!bytes.empty()) {
        detail::RawChunk unread;
        unread.files = {path};
        unread.sizes = {bytes.size()};
        detail::read_files(unread);
        Read on_worker;
        for (const auto& record : unread.records) {
            FUZZ_CHECK(unread.file(record) == path, "a record read on a worker names its file");
            if (record.problem.empty()) FUZZ_CHECK(unread.bytes.capacity() >= record.offset + record.length + 64, "simdjson padding after a record");
            on_worker.emplace_back(unread.bytes.substr(record.offset, record.length), record.line, record.problem);
        }
        FUZZ_CHECK(on_worker == records_of(path), "read_files reads the file's records as read_raw does");
    }

    // 2. read_proposals: the same bindings, repeated ids made invalid.
    std::vector<BoundProposal> read;
    read_proposals(rules, {path}, [&](BoundProposal&& p) { read.push_back(std::move(p)); });
    FUZZ_CHECK(read.size() == bound_raw.size(), "read_proposals gives every record");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < read.size(); ++i) {
        BoundProposal expected = bound_raw[i];
        if (auto* p = std::get_if<Proposal>(&expected)) {
            if (!p->id.empty() && !ids.insert(p->id).second)
                expected = InvalidProposal{p->id, p->name, p->source, {repeated_id_reason(p->id)}};
        } else if (auto* invalid = std::get_if<InvalidProposal>(&expected)) {
            if (!invalid->id.empty() && !ids.insert(invalid->id).second) invalid->reasons.push_back(repeated_id_reason(invalid->id));
        }
        fuzz::check_same_binding(read[i], expected, "read_proposals, proposal " + std::to_string(i));
    }

    // 3. score_batch on one worker: the same results, in input order.
    Evaluation scratch;
    std::vector<Result> scored;
    for (const auto& p : read) scored.push_back(score(rules, p, scratch));
    std::vector<Result> batch;
    BatchOptions options;
    options.jobs = 1;
    score_batch(rules, {path}, options, [&](Result&& r) { batch.push_back(std::move(r)); });
    std::vector<std::string> rendered;
    std::string lines;
    render_batch(rules, {path}, options, nullptr, [&](const RenderedLines& run) {
        for (const RenderedResult& r : run.results) rendered.emplace_back(r.json), lines.append(r.json).append("\n");
        FUZZ_CHECK(run.lines.size() <= lines.size() && run.lines == std::string_view(lines).substr(lines.size() - run.lines.size()),
                   "a run's lines are its results' json");
    });
    FUZZ_CHECK(rendered.size() == batch.size(), "render_batch gives every result");
    FUZZ_CHECK(batch.size() == scored.size(), "score_batch gives " + std::to_string(batch.size()) + " results, read_proposals " +
                                                  std::to_string(scored.size()));
    const RulesInfo info = rules_info(rules);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        std::string a, b;
        append_result_json(a, scored[i], 0, &info);
        append_result_json(b, batch[i], 0, &info);
        FUZZ_CHECK(a == b, "score_batch and read_proposals + score differ:\n" + a + "\n" + b);
        std::string c;
        append_result_json(c, batch[i], 0, nullptr);
        FUZZ_CHECK(i < rendered.size() && rendered[i] == c, "render_batch and score_batch differ:\n" + c);
        if (i < 16) fuzz::check_result(rules, batch[i]);
    }

    // 4. RankedBatch: the reports write_report makes of score_batch's results, ranked.
    std::vector<Verdict> verdicts;
    const RankedBatch ranked(rules, {path}, options, [&](Verdict v) { verdicts.push_back(v); });
    std::vector<Result> in_rank_order = batch;
    rank(in_rank_order);
    FUZZ_CHECK(verdicts.size() == batch.size(), "RankedBatch scores every proposal");
    for (std::size_t i = 0; i < std::min(verdicts.size(), batch.size()); ++i)
        FUZZ_CHECK(verdicts[i] == batch[i].verdict, "RankedBatch's verdict " + std::to_string(i) + " differs");
    for (Format format : {Format::json, Format::csv, Format::md, Format::html}) {  // html: same day, same date
        std::ostringstream two_pass, expected;
        ranked.write(two_pass, format, info);
        write_report(expected, format, info, in_rank_order);
        FUZZ_CHECK(two_pass.str() == expected.str(),
                   "RankedBatch's " + std::string(to_string(format)) + " report differs from write_report's:\n" + two_pass.str());
    }

    // 5. RankedResults (screener rank): the results streamed as NDJSON, read back and ranked, give
    // the same reports; streamed again (stream_results), the same lines.
    std::ostringstream streamed;
    for (const Result& r : batch) write_ndjson_line(streamed, info, r);
    if (!batch.empty()) {
        const std::string results_path = fuzz::scratch_path(".results");
        fuzz::write_file(results_path, streamed.str());
        std::size_t read_back = 0;
        try {
            const RankedResults merged({results_path}, options, [&](Verdict) { ++read_back; });
            FUZZ_CHECK(read_back == batch.size(), "RankedResults reads every result back");
            for (Format format : {Format::json, Format::csv, Format::md, Format::html}) {
                std::ostringstream out, expected;
                merged.write(out, format);
                write_report(expected, format, info, in_rank_order);
                FUZZ_CHECK(out.str() == expected.str(),
                           "RankedResults's " + std::string(to_string(format)) + " report differs from write_report's:\n" + out.str());
            }
            std::string lines;
            stream_results({results_path}, options, [&](const RenderedLines& run) { lines += run.lines; });
            FUZZ_CHECK(lines == streamed.str(), "stream_results's lines differ from eval's:\n" + lines);
        } catch (const Error& e) {
            FUZZ_CHECK(false, std::string("RankedResults cannot rank what eval streamed: ") + e.what());
        }
    }

    if (batch.size() <= 16) fuzz::check_reports(rules, std::move(batch));
    return 0;
}
