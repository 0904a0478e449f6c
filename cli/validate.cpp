// `screener validate RULES...`: compile each rule set and print its diagnostics.
#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {
struct ValidateOptions {
    std::vector<std::string> files;
    bool strict = false;
};
}  // namespace

void setup_validate(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Compile and lint rule sets; report every error and warning as file:line:col (exit 1 on errors, or warnings with --strict)");
    cmd->add_option("RULES", options->files, "Rule-set YAML files")->required();
    cmd->add_flag("--strict", options->strict, "Treat lint warnings as errors (exit 1)");
    cmd->callback([options, &exit_code] {
        bool errors = false;
        for (const auto& file : options->files) {
            CompileResult result = compile_file(file);
            print_diagnostics(result.diagnostics, options->strict);  // --strict: warnings are errors, shown under -q too
            const std::size_t warnings = static_cast<std::size_t>(std::count_if(
                result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& d) { return d.severity == Severity::warning; }));
            if (result.rules) {
                const auto& r = *result.rules;
                auto count = [](std::size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
                std::cout << file << ": ok (" << r.id << " " << printable_line(r.version) << ": " << count(r.inputs.size(), "input", "inputs") << ", "
                          << count(r.gates.size(), "gate", "gates") << ", " << count(r.groups.size(), "group", "groups") << ", "
                          << count(r.criteria.size(), "criterion", "criteria") << ", " << count(r.tests.size(), "test", "tests") << ")";
                if (warnings > 0) std::cout << ", " << warnings << " warning" << (warnings == 1 ? "" : "s");
                std::cout << "\n";
                if (warnings > 0 && options->strict) errors = true;
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
