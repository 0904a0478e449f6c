#include "support.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include <catch2/catch.hpp>

namespace screener::test {

CompileResult compile_yaml(const std::string& yaml, const std::string& file) {
    LoadedRules loaded = load_rules(yaml, file);
    if (has_errors(loaded.diagnostics)) return CompileResult{nullptr, loaded.diagnostics};
    CompileResult result = compile(loaded.rules);
    result.diagnostics.insert(result.diagnostics.begin(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    return result;
}

std::vector<std::string> messages(const Diagnostics& diagnostics) {
    std::vector<std::string> out;
    for (const auto& d : diagnostics) out.push_back(d.str());
    return out;
}

std::shared_ptr<const CompiledRules> compile_ok(const std::string& yaml) {
    CompileResult result = compile_yaml(yaml);
    INFO(Catch::Detail::stringify(messages(result.diagnostics)));
    REQUIRE(result.rules);
    return result.rules;
}

Proposal bind_ok(const CompiledRules& rules, const nlohmann::json& proposal) {
    BoundProposal bound = bind_json(rules, proposal, SourceLoc{"test", 1, 0});
    if (auto* invalid = std::get_if<InvalidProposal>(&bound)) {
        INFO(Catch::Detail::stringify(invalid->reasons));
        FAIL("proposal is invalid");
    }
    return std::get<Proposal>(bound);
}

std::vector<std::string> bind_invalid(const CompiledRules& rules, const nlohmann::json& proposal) {
    BoundProposal bound = bind_json(rules, proposal, SourceLoc{"test", 1, 0});
    auto* invalid = std::get_if<InvalidProposal>(&bound);
    REQUIRE(invalid);
    return invalid->reasons;
}

std::string rounded_text(double x, int decimals) {
    char buffer[400];
    std::string text(buffer, std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed).ptr);
    const bool negative = text[0] == '-';
    if (negative) text.erase(0, 1);
    if (text.find('.') == std::string::npos) text += '.';
    const std::size_t point = text.find('.');
    text.append(static_cast<std::size_t>(decimals) + 1, '0');
    bool carry = text[point + static_cast<std::size_t>(decimals) + 1] >= '5';
    text.resize(point + static_cast<std::size_t>(decimals) + 1);
    for (std::size_t i = text.size(); carry && i-- > 0;) {
        if (text[i] == '.') continue;
        carry = text[i] == '9';
        text[i] = carry ? '0' : static_cast<char>(text[i] + 1);
    }
    if (carry) text.insert(0, "1");
    if (decimals == 0) text.pop_back();  // the point
    return negative && text.find_first_not_of("0.") != std::string::npos ? "-" + text : text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string temp_dir(const std::string& name) {
    namespace fs = std::filesystem;
    fs::path dir = fs::current_path() / "test-tmp" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

Cli run_cli(const std::string& args, const std::string& stdin_text) {
    static int counter = 0;
    std::string dir = temp_dir("cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::string in = dir + "/stdin", out = dir + "/stdout", err = dir + "/stderr";
    write_text(in, stdin_text);
    std::string command = "cd '" + source_dir + "' && '" + std::string(SCREENER_BINARY) + "' " + args + " <'" + in + "' >'" +
                          out + "' 2>'" + err + "'";
    int status = std::system(command.c_str());
    Cli cli;
    cli.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    cli.out = read_text(out);
    cli.err = read_text(err);
    std::filesystem::remove_all(dir);
    return cli;
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* before = std::getenv(name)) before_ = before;
    ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
    if (before_) ::setenv(name_, before_->c_str(), 1);
    else ::unsetenv(name_);
}

}  // namespace screener::test
