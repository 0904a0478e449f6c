// One setup function per subcommand; each registers its options and a callback that sets the exit code.
#pragma once

namespace CLI {
class App;
}

namespace screener::cli {

void setup_validate(CLI::App& app, int& exit_code);
void setup_eval(CLI::App& app, int& exit_code);
void setup_test(CLI::App& app, int& exit_code);
void setup_check(CLI::App& app, int& exit_code);
void setup_schema(CLI::App& app, int& exit_code);
void setup_diff(CLI::App& app, int& exit_code);
void setup_rank(CLI::App& app, int& exit_code);

}  // namespace screener::cli
