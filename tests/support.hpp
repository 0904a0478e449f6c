// Helpers shared by the test files: compile YAML text, bind proposals, run the built CLI.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "screener/compile.hpp"
#include "screener/evaluate.hpp"
#include "screener/proposal.hpp"

namespace screener::test {

inline const std::string source_dir = SCREENER_SOURCE_DIR;

// Loads and compiles rule-set text named `file` (diagnostics of both stages, sorted).
CompileResult compile_yaml(const std::string& yaml, const std::string& file = "test.yaml");

// Compiles, failing the test (with the diagnostics) when there are errors.
std::shared_ptr<const CompiledRules> compile_ok(const std::string& yaml);

// All diagnostics as "file:line:col: error: message" lines.
std::vector<std::string> messages(const Diagnostics& diagnostics);

// Binds a proposal, failing the test with the reasons when it is invalid.
Proposal bind_ok(const CompiledRules& rules, const nlohmann::json& proposal);
// Binds a proposal that must be invalid; returns its reasons.
std::vector<std::string> bind_invalid(const CompiledRules& rules, const nlohmann::json& proposal);

struct Cli {
    int exit_code = 0;
    std::string out, err;
};
// Runs the built screener binary with `args` (a shell-quoted string) in the source directory;
// `stdin_text` is fed to its standard input.
Cli run_cli(const std::string& args, const std::string& stdin_text = "");

// `x` with `decimals` decimals as the reports round, worked out on its text: half away from zero
// on the shortest digits that read back as x (78.125 is "78.13", 2.675 is "2.68"), no "-0.00".
std::string rounded_text(double x, int decimals);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
// A fresh empty directory under the build tree for one test.
std::string temp_dir(const std::string& name);

// An environment variable set for one scope (the commands run_cli starts inherit it), then put
// back as it was, also when an assertion ends the test early.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> before_;
};

}  // namespace screener::test
