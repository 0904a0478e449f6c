// `screener rank [--format F] [-o OUT] RESULTS...`: merge streamed NDJSON results (from
// `eval --format ndjson`, e.g. one file per shard) into one ranked report, identical to what a
// single `eval` of all the shards' inputs, in the same order, would have written.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_set>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/rank.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

struct RankOptions {
    std::string format, output;
    std::vector<std::string> inputs;
};

// Reads one results file line by line ("-" for stdin); a bad line stops with its file:line.
void read_results(const std::string& path, std::optional<RulesInfo>& rules, std::vector<Result>& out) {
    std::FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno), 2);
    const std::string name = path == "-" ? "<stdin>" : path;
    std::string line;
    std::uint32_t number = 0;
    int c = 0;
    while (c != EOF) {
        line.clear();
        while ((c = std::fgetc(in)) != EOF && c != '\n') line += static_cast<char>(c);
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            nlohmann::json value = nlohmann::json::parse(line);
            RulesInfo info = rules_info_from_json(value);
            if (!rules) rules = info;
            else if (!(*rules == info))
                throw Error("scored with rule set " + info.id + " " + info.version + " (" + info.sha256.substr(0, 12) +
                            "), but earlier results used " + rules->id + " " + rules->version + " (" + rules->sha256.substr(0, 12) + ")");
            out.push_back(result_from_json(value));
        } catch (const nlohmann::json::exception& e) {
            if (path != "-") std::fclose(in);
            throw Error(name + ":" + std::to_string(number) + ": not a result line: " + e.what(), 2);
        } catch (const Error& e) {
            if (path != "-") std::fclose(in);
            throw Error(name + ":" + std::to_string(number) + ": " + e.what(), 2);
        }
    }
    if (path != "-") std::fclose(in);
}

int run_rank(const RankOptions& o) {
    std::optional<RulesInfo> rules;
    std::vector<Result> results;
    for (const auto& input : o.inputs) read_results(input, rules, results);
    if (!rules) throw Error("no results to rank in " + std::to_string(o.inputs.size()) + " input(s)", 2);
    // Shards do not see each other's ids: a repeat across shards is caught here, as one eval would.
    std::unordered_set<std::string> ids;
    for (Result& r : results)
        if (!r.id.empty() && !ids.insert(r.id).second) mark_repeated_id(r);
    const Format format = pick_format(o.format, o.output);
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
