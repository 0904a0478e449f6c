// `screener rank [--format F] [-o OUT] RESULTS...`: merge streamed NDJSON results (from
// `eval --format ndjson`, e.g. one file per shard) into one ranked report, identical to what a
// single `eval` of all the shards' inputs, in the same order, would have written.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/proposal.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct RankOptions {
    std::string format, output;
    std::vector<std::string> inputs;
};

// Reads one results file line by line ("-" for stdin) and hands each result to `sink`; a bad line
// stops with its file:line.
void read_results(const std::string& path, std::optional<RulesInfo>& rules, const std::function<void(Result&&)>& sink) {
    std::FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno), 2);
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> closing(path == "-" ? nullptr : in, std::fclose);
    const std::string name = path == "-" ? "<stdin>" : path;
    char* buffer = nullptr;
    std::size_t capacity = 0;
    const std::unique_ptr<char*, void (*)(char**)> freeing(&buffer, [](char** b) { std::free(*b); });
    std::uint32_t number = 0;
    for (ssize_t length; (length = ::getline(&buffer, &capacity, in)) >= 0;) {
        ++number;
        std::string_view line(buffer, static_cast<std::size_t>(length));
        if (line.ends_with('\n')) line.remove_suffix(1);  // so that a parse error's column is the line's
        if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // a byte order mark, as eval skips it
        if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
        try {
            ResultLine read = read_result_line(line);
            const RulesInfo& info = read.rules;
            if (!rules) rules = info;
            else if (!(*rules == info))
                throw Error("scored with rule set " + info.id + " " + info.version + " (" + info.sha256.substr(0, 12) +
                            "), but earlier results used " + rules->id + " " + rules->version + " (" + rules->sha256.substr(0, 12) + ")");
            sink(std::move(read.result));
        } catch (const Error& e) {
            throw Error(name + ":" + std::to_string(number) + ": " + e.what(), 2);
        }
    }
}

constexpr std::string_view instead = "merge fewer results at a time";

int run_rank(const RankOptions& o) {
    std::optional<RulesInfo> rules;
    // Shards do not see each other's ids: a repeat across shards is caught here, as one eval would.
    IdSet ids;
    auto read_all = [&](const std::function<void(Result&&)>& take) {
        for (const auto& input : o.inputs)
            read_results(input, rules, [&](Result&& r) {
                if (!ids.first(r.id)) mark_repeated_id(r);
                take(std::move(r));
            });
        if (!rules) throw Error("no results to rank in " + std::to_string(o.inputs.size()) + " input(s)", 2);
    };
    const Format format = pick_format(o.format, o.output);
    if (format == Format::json) {  // compact: each result's text and rank key, not the Result
        RankedJson ranked(instead);
        std::string text;
        read_all([&](Result&& r) {
            text.clear();
            append_result_json(text, r, 0, nullptr);
            ranked.add(r.verdict, r.score, r.id, text);
        });
        write_output(o.output, [&](std::ostream& out) { ranked.write(out, *rules); });
        return 0;
    }
    std::vector<Result> results;
    read_all([&](Result&& r) {
        check_memory_limit(results.size(), instead);
        results.push_back(std::move(r));
    });
    rank(results);
    write_output(o.output, [&](std::ostream& out) {
        if (format == Format::ndjson) {
            for (const auto& r : results) write_ndjson_line(out, *rules, r);
        } else {
            write_report(out, format, *rules, results);
        }
    });
    return 0;
}

}  // namespace

void setup_rank(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<RankOptions>();
    auto* cmd = app.add_subcommand("rank", "Merge NDJSON results (eval --format ndjson, e.g. one file per shard) into one "
                                           "ranked report, identical to a single eval");
    cmd->add_option("RESULTS", o->inputs, "Result files in input order, or - for stdin")
        ->required()
        ->check(CLI::ExistingFile | CLI::IsMember({"-"}));
    cmd->add_option("-f,--format", o->format, "md | json | ndjson | csv | junit | html (default as for eval)")
        ->check(CLI::IsMember({"md", "json", "ndjson", "csv", "junit", "html"}));
    cmd->add_option("-o,--output", o->output, "Write the report to this file (atomically)");
    cmd->callback([o, &exit_code] { exit_code = run_rank(*o); });
}

}  // namespace screener::cli
