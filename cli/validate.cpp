// `screener validate RULES...`: compile each rule set and print its diagnostics.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace screener::cli {

namespace {
struct ValidateOptions {
    std::vector<std::string> files;
};
}  // namespace

void setup_validate(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Compile rule sets and report every error as file:line:col");
    cmd->add_option("RULES", options->files, "Rule-set YAML files")->required()->check(CLI::ExistingFile);
    cmd->callback([options, &exit_code] {
        bool errors = false;
        for (const auto& file : options->files) {
            CompileResult result = compile_file(file);
            print_diagnostics(result.diagnostics);
            if (result.rules) {
                const auto& r = *result.rules;
                std::cout << file << ": ok (" << r.id << " " << r.version << ": " << r.inputs.size() << " inputs, "
                          << r.gates.size() << " gates, " << r.groups.size() << " groups, " << r.criteria.size()
                          << " criteria, " << r.tests.size() << " tests)\n";
            } else {
                errors = true;
                std::size_t count = 0;
                for (const auto& d : result.diagnostics) count += d.severity == Severity::error;
                std::cout << file << ": " << count << " error" << (count == 1 ? "" : "s") << "\n";
            }
        }
        exit_code = errors ? 1 : 0;
    });
}

}  // namespace screener::cli
