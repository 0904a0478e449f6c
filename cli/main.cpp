// screener: the command line. Parses flags, runs one subcommand, and turns errors into exit codes:
// data goes to stdout, diagnostics and logs to stderr.
#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "screener/diagnostic.hpp"
#include "screener/limits.hpp"

namespace {

// SCREENER_LIMITS="max_proposal_bytes=2000000,max_yaml_depth=100": every limit can be changed.
void apply_limits_from_environment() {
    const char* text = std::getenv("SCREENER_LIMITS");
    if (!text || !*text) return;
    auto& l = screener::limits();
    const std::map<std::string, std::size_t*> known = {
        {"max_rules_bytes", &l.max_rules_bytes},           {"max_yaml_depth", &l.max_yaml_depth},
        {"max_yaml_nodes", &l.max_yaml_nodes},
        {"max_expression_length", &l.max_expression_length}, {"max_expression_depth", &l.max_expression_depth},
        {"max_proposal_bytes", &l.max_proposal_bytes},     {"max_proposals_in_memory", &l.max_proposals_in_memory},
        {"max_ids_in_memory", &l.max_ids_in_memory}};
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ',');) {
        auto equals = item.find('=');
        auto it = known.find(item.substr(0, equals));
        std::size_t value = 0;
        const char* end = item.data() + item.size();
        auto [stop, ec] = equals == std::string::npos ? std::from_chars_result{nullptr, std::errc::invalid_argument}
                                                      : std::from_chars(item.data() + equals + 1, end, value);
        if (it == known.end() || ec != std::errc() || stop != end)
            throw screener::Error("SCREENER_LIMITS: cannot read '" + item + "'; expected NAME=NUMBER with NAME one of "
                                  "max_rules_bytes, max_yaml_depth, max_yaml_nodes, max_expression_length, max_expression_depth, "
                                  "max_proposal_bytes, max_proposals_in_memory, max_ids_in_memory");
        *it->second = value;
    }
}

// The first word after the flags of every command must name a command: CLI11 alone says only "A
// subcommand is required" of a typo.
void check_command(const CLI::App& app, int argc, char** argv) {
    int first = 1;
    for (const std::string_view flag : {"-q", "--quiet", "-v", "--verbose"})
        if (first < argc && argv[first] == flag) ++first;
    if (first == argc || argv[first][0] == '-') return;  // another flag, or none: CLI11 says what is wrong
    std::vector<std::string> names;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
    const std::string_view word = argv[first];
    if (word == "help") throw CLI::CallForHelp();
    if (std::find(names.begin(), names.end(), word) != names.end()) return;
    std::string hint = screener::did_you_mean(word, names);
    for (const auto& name : names)  // "evaluate" for "eval": too many letters apart for did_you_mean
        if (hint.empty() && word.size() > 1 && (word.starts_with(name) || name.starts_with(word))) hint = "; did you mean '" + name + "'?";
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    throw screener::Error("unknown command '" + std::string(word) + "'" + hint + " (commands: " + list + "; see screener --help)");
}

// What a command wrote to standard output may still sit in its buffer: a full disk or a closed
// descriptor shows only now, and a report (or --help) cut short must not exit as if written.
std::string standard_output_error() {
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout)) return std::string("cannot write to standard output: ") + std::strerror(errno);
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"screener: score investment proposals against a screening rule set (YAML) and rank them.\n"
                 "Without --rules, the built-in Bac Ninh \"2 less, 3 high, 4 ready\" rule set is used.",
                 "screener"};
    app.set_version_flag("--version", std::string("screener ") + SCREENER_VERSION);
    app.require_subcommand(1);
    app.fallthrough();  // -q/-v are accepted after the subcommand too
    auto* quiet = app.add_flag_callback("-q,--quiet", [] { spdlog::set_level(spdlog::level::err); }, "Only errors on stderr");
    app.add_flag_callback("-v,--verbose", [] { spdlog::set_level(spdlog::level::debug); }, "Also on stderr: the rule set loaded (sha256, counts), worker threads, when the report starts, bytes written (to a file or pipe)")
        ->excludes(quiet);

    int exit_code = 0;
    screener::cli::setup_validate(app, exit_code);
    screener::cli::setup_eval(app, exit_code);
    screener::cli::setup_test(app, exit_code);
    screener::cli::setup_check(app, exit_code);
    screener::cli::setup_schema(app, exit_code);
    screener::cli::setup_diff(app, exit_code);
    screener::cli::setup_rank(app, exit_code);

    auto logger = spdlog::stderr_color_mt("screener");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("screener: %v");
    try {
        apply_limits_from_environment();
        check_command(app, argc, argv);
        app.parse(argc, argv);
        if (const std::string error = standard_output_error(); !error.empty()) throw screener::Error(error);
    } catch (const CLI::Success& e) {  // --help, --version
        app.exit(e);
        if (const std::string error = standard_output_error(); !error.empty()) {
            std::cerr << "screener: error: " << error << '\n';
            return 2;
        }
        return 0;
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const screener::Error& e) {
        std::cerr << "screener: error: " << e.what() << '\n';
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "screener: internal error: " << e.what() << '\n';
        return 3;
    }
    return exit_code;
}
