// `screener schema [--rules R] [-o OUT]`: the JSON Schema of a proposal under a rule set.
#include <ostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/schema.hpp"

namespace screener::cli {

void setup_schema(CLI::App& app, int& exit_code) {
    struct Options {
        std::string rules, output;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of a proposal for a rule set");
    cmd->add_option("--rules", o->rules, "Rule-set YAML file (default: the built-in bac-ninh-234)")->check(CLI::ExistingFile);
    cmd->add_option("-o,--output", o->output, "Write the schema to this file (atomically)")->check(output_path());
    cmd->callback([o, &exit_code] {
        refuse_to_replace_an_input("--output", o->output, {o->rules});
        auto rules = load_rules_or_throw(o->rules);
        write_output(o->output, [&](std::ostream& out) { out << proposal_schema(*rules).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"; });
        exit_code = 0;
    });
}

}  // namespace screener::cli
