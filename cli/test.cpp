// `screener test RULES... [--junit OUT] [--min-coverage N]`: run rule-set tests, report coverage.
#include <filesystem>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "screener/report.hpp"
#include "screener/testing.hpp"

namespace screener::cli {

namespace {

struct TestOptions {
    std::vector<std::string> files;
    std::string junit;
    double min_coverage = 0;
};

struct SuiteRun {
    std::string file;
    std::string rules_id;  // and version, as the summary shows it
    std::string classname;  // the rule set's id: a JUnit class name, which CI splits at its dots
    TestRun run;
    std::string error;  // the rule set or test file could not be loaded
    std::string diagnostics;  // then its errors, one a line
};

SuiteRun run_file(const std::string& file) {
    SuiteRun suite{file, "", "", {}, "", ""};
    const auto keep_errors = [&](const Diagnostics& diagnostics) {
        for (const auto& d : diagnostics)
            if (d.severity == Severity::error) suite.diagnostics += d.str() + "\n";
    };
    std::string rules_path = file;
    std::vector<TestCase> tests;
    bool separate = is_test_file(file);
    if (separate) {
        LoadedTests loaded = load_test_file(file);
        print_diagnostics(loaded.diagnostics);
        if (has_errors(loaded.diagnostics)) {
            suite.error = "the test file has errors";
            keep_errors(loaded.diagnostics);
            return suite;
        }
        rules_path = (std::filesystem::path(file).parent_path() / loaded.rules_path).string();
        tests = std::move(loaded.tests);
    }
    CompileResult compiled = compile_file(rules_path);
    print_diagnostics(compiled.diagnostics);
    if (!compiled.rules) {
        suite.error = "the rule set " + rules_path + " has errors";
        keep_errors(compiled.diagnostics);
        return suite;
    }
    suite.rules_id = compiled.rules->id + " " + printable_line(compiled.rules->version);
    suite.classname = compiled.rules->id;
    suite.run = run_tests(*compiled.rules, separate ? tests : compiled.rules->tests);
    return suite;
}

void write_junit(std::ostream& out, const std::vector<SuiteRun>& suites) {
    std::size_t tests = 0, failures = 0, errors = 0;
    for (const auto& s : suites) {
        tests += s.run.outcomes.size() + !s.error.empty();  // a load error is a test case of its own
        failures += s.run.failed();
        errors += !s.error.empty();
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"screener test\" tests=\"" << tests << "\" failures=\""
        << failures << "\" errors=\"" << errors << "\">\n";
    for (const auto& s : suites) {
        out << "  <testsuite name=\"" << xml_escape(s.file) << "\" tests=\"" << s.run.outcomes.size() + !s.error.empty() << "\" failures=\""
            << s.run.failed() << "\" errors=\"" << !s.error.empty() << "\">\n";
        if (!s.error.empty())
            out << "    <testcase classname=\"load\" name=\"" << xml_escape(s.file) << "\" file=\"" << xml_escape(s.file) << "\">\n      <error message=\""
                << xml_escape(s.error) << "\">" << xml_escape(s.diagnostics) << "</error>\n    </testcase>\n";
        for (const auto& o : s.run.outcomes) {
            out << "    <testcase classname=\"" << xml_escape(s.classname) << "\" name=\"" << xml_escape(o.name) << "\" file=\"" << xml_escape(o.where.file)
                << "\" line=\"" << o.where.line << "\"";
            if (o.passed()) {
                out << "/>\n";
                continue;
            }
            std::string text;
            for (const auto& f : o.failures) text += f + "\n";
            out << ">\n      <failure message=\"" << xml_escape(o.failures.front()) << "\">" << xml_escape(o.where.str() + "\n" + text)
                << "</failure>\n    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

int run_test(const TestOptions& o) {
    std::vector<SuiteRun> suites;
    bool failed = false;
    for (const auto& file : o.files) {
        SuiteRun suite = run_file(file);
        if (!suite.error.empty()) {
            std::cout << file << ": error: " << suite.error << "\n";
            failed = true;
            suites.push_back(std::move(suite));
            continue;
        }
        const TestRun& run = suite.run;
        std::cout << file << " (" << suite.rules_id << "): " << run.outcomes.size() << (run.outcomes.size() == 1 ? " test, " : " tests, ")
                  << run.outcomes.size() - run.failed() << " passed, " << run.failed() << " failed\n";
        for (const auto& outcome : run.outcomes) {
            if (outcome.passed()) continue;
            std::cout << outcome.where.str() << ": FAIL " << outcome.name << "\n";
            for (const auto& f : outcome.failures) std::cout << "    " << f << "\n";
        }
        const Coverage& coverage = run.coverage;
        std::cout << "coverage: " << two_decimals(coverage.percent()) << "% (" << coverage.covered() << " of " << coverage.total()
                  << ": each gate passing and failing, each criterion at zero, partial and full points)\n";
        for (const auto& gap : coverage.gaps()) std::cout << "    not covered: " << gap << "\n";
        if (run.failed() > 0) failed = true;
        if (coverage.percent() < o.min_coverage) {
            std::cout << file << ": coverage " << two_decimals(coverage.percent()) << "% is below --min-coverage "
                      << two_decimals(o.min_coverage) << "%\n";
            failed = true;
        }
        suites.push_back(std::move(suite));
    }
    if (!o.junit.empty()) write_output(o.junit, [&](std::ostream& out) { write_junit(out, suites); });
    return failed ? 1 : 0;
}

}  // namespace

void setup_test(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<TestOptions>();
    auto* cmd = app.add_subcommand("test", "Run the tests of rule sets (their tests: block, or test files with rules: and tests:)");
    cmd->add_option("RULES", o->files, "Rule sets, or test files (YAML with rules: PATH and tests:)")->required();
    cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to this file");
    cmd->add_option("--min-coverage", o->min_coverage, "Fail when coverage is below this percentage")->check(CLI::Range(0.0, 100.0));
    cmd->callback([o, &exit_code] { exit_code = run_test(*o); });
}

}  // namespace screener::cli
