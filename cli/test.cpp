// `screener test RULES... [--junit OUT] [--min-coverage N]`: run rule-set tests, report coverage.
#include <iostream>

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
    std::string coverage_short;  // with --min-coverage: why coverage fell short of it, if it did
};

SuiteRun run_file(const std::string& file) {
    SuiteRun suite{file, "", "", {}, "", "", ""};
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
        rules_path = loaded.rules_path;
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

// `coverage_checked`: --min-coverage was given, so each rule set's coverage is a test case of its own
// (classname "coverage"), failed when it fell short: a CI job that fails on coverage shows why.
void write_junit(std::ostream& out, const std::vector<SuiteRun>& suites, bool coverage_checked) {
    auto cases = [&](const SuiteRun& s) { return s.run.outcomes.size() + !s.error.empty() + (coverage_checked && s.error.empty()); };
    auto failures = [](const SuiteRun& s) { return s.run.failed() + !s.coverage_short.empty(); };
    std::size_t tests = 0, failed = 0, errors = 0;
    for (const auto& s : suites) {
        tests += cases(s);  // a load error is a test case of its own
        failed += failures(s);
        errors += !s.error.empty();
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"screener test\" tests=\"" << tests << "\" failures=\""
        << failed << "\" errors=\"" << errors << "\">\n";
    for (const auto& s : suites) {
        out << "  <testsuite name=\"" << xml_escape(s.file) << "\" tests=\"" << cases(s) << "\" failures=\"" << failures(s) << "\" errors=\""
            << !s.error.empty() << "\">\n";
        if (coverage_checked && s.error.empty()) {
            out << "    <testcase classname=\"coverage\" name=\"" << xml_escape(s.file) << "\" file=\"" << xml_escape(s.file) << "\"";
            if (s.coverage_short.empty()) out << "/>\n";
            else out << ">\n      <failure message=\"" << xml_escape(s.coverage_short) << "\">" << xml_escape(s.coverage_short) << "</failure>\n    </testcase>\n";
        }
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
    std::vector<std::string> read = o.files;
    for (const auto& file : o.files)  // and the rule sets test files name
        if (is_test_file(file)) read.push_back(load_test_file(file).rules_path);
    refuse_to_replace_an_input("--junit", o.junit, read);
    std::vector<SuiteRun> suites;
    bool failed = false;
    // JUnit on standard output has it to itself: the results for people go to stderr then.
    std::ostream& out = !o.junit.empty() && is_standard_output(o.junit) ? std::cerr : std::cout;
    for (const auto& file : o.files) {
        SuiteRun suite = run_file(file);
        if (!suite.error.empty()) {
            out << file << ": error: " << suite.error << "\n";
            failed = true;
            suites.push_back(std::move(suite));
            continue;
        }
        const TestRun& run = suite.run;
        out << file << " (" << suite.rules_id << "): " << run.outcomes.size() << (run.outcomes.size() == 1 ? " test, " : " tests, ")
            << run.outcomes.size() - run.failed() << " passed, " << run.failed() << " failed\n";
        for (const auto& outcome : run.outcomes) {
            if (outcome.passed()) continue;
            out << outcome.where.str() << ": FAIL " << outcome.name << "\n";
            for (const auto& f : outcome.failures) out << "    " << f << "\n";
        }
        const Coverage& coverage = run.coverage;
        out << "coverage: " << two_decimals(coverage.percent()) << "% (" << coverage.covered() << " of " << coverage.total()
            << ": each gate passing and failing, each criterion at zero, partial and full points)\n";
        for (const auto& gap : coverage.gaps()) out << "    not covered: " << gap << "\n";
        if (run.failed() > 0) failed = true;
        if (coverage.percent() < o.min_coverage) {
            suite.coverage_short = "coverage " + two_decimals(coverage.percent()) + "% is below --min-coverage " + two_decimals(o.min_coverage) + "%";
            out << file << ": " << suite.coverage_short << "\n";
            failed = true;
        }
        suites.push_back(std::move(suite));
    }
    if (!o.junit.empty()) write_output(o.junit, [&](std::ostream& xml) { write_junit(xml, suites, o.min_coverage > 0); });
    return failed ? 1 : 0;
}

}  // namespace

void setup_test(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<TestOptions>();
    auto* cmd = app.add_subcommand("test", "Run the tests of rule sets (their tests: block, or test files with rules: and tests:)");
    cmd->add_option("RULES", o->files, "Rule sets, or test files (YAML with rules: PATH and tests:)")->required();
    cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to this file (- for standard output: the results for people then go to stderr)")
        ->check(output_path());
    cmd->add_option("--min-coverage", o->min_coverage, "Fail when coverage is below this percentage (in JUnit, a coverage test case for each rule set)")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                double percent = 0;
                const bool read = CLI::detail::lexical_cast(text, percent);
                return read && percent >= 0 && percent <= 100 ? "" : "expected a percentage from 0 to 100, found " + text;  // NaN too
            },
            "0..100"));
    cmd->callback([o, &exit_code] { exit_code = run_test(*o); });
}

}  // namespace screener::cli
