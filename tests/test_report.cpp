// The text reports' building blocks (engine/include/screener/report.hpp): numbers as people read
// them, and markup escaped in Markdown and HTML rows. Numbers are checked against glibc's printf,
// which rounds the exact binary value as fmt does, over values of every size.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "screener/report.hpp"

using namespace screener;

namespace {

std::string printf_text(const char* format, double value) {
    char text[512];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// Whole numbers, halves and eighths (exact ties), and random values from 1e-9 to 1e18, both signs.
std::vector<double> sample_values() {
    std::vector<double> values = {0.0, -0.0, 1, -1, 20, 100, 999, 1000, 999999, 1000000, 123456, 0.125, 0.375, 2.5, 1234567.5,
                                  2500000.5, -0.004, -0.005, 2.675, 1e15, 9007199254740992.0, 1e20, 0.1, 1.0 / 3, 1e-5, 1.5e-7};
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> exponent(-9, 18), mantissa(1, 10);
    std::uniform_int_distribution<int> whole(-3'000'000, 3'000'000);
    for (int k = 0; k < 20000; ++k) {
        const double v = mantissa(random) * std::pow(10.0, std::floor(exponent(random)));
        values.push_back(k % 2 ? v : -v);
        values.push_back(whole(random));
        values.push_back(whole(random) / 8.0);
    }
    return values;
}

}  // namespace

TEST_CASE("two_decimals rounds as printf does, whole numbers included, and never says -0.00", "[report]") {
    CHECK(two_decimals(100) == "100.00");
    CHECK(two_decimals(-5) == "-5.00");
    CHECK(two_decimals(-0.0) == "0.00");
    CHECK(two_decimals(-0.004) == "0.00");
    CHECK(two_decimals(0.125) == "0.12");  // an exact tie goes to the even digit
    CHECK(two_decimals(0.375) == "0.38");
    CHECK(two_decimals(2.675) == "2.67");  // 2.67499999999999982236431605997495353221893310546875
    CHECK(two_decimals(1e20) == "100000000000000000000.00");
    for (double v : sample_values()) {
        INFO(printf_text("%.17g", v));
        const std::string expected = printf_text("%.2f", v);
        CHECK(two_decimals(v) == (expected == "-0.00" ? "0.00" : expected));
    }
}

TEST_CASE("format_number gives 6 significant digits, whole numbers from 1,000 in full, with thousands separators", "[report]") {
    CHECK(format_number(61'500'000) == "61,500,000");
    CHECK(format_number(7.8) == "7.8");
    CHECK(format_number(999) == "999");
    CHECK(format_number(1000) == "1,000");
    CHECK(format_number(1234.5) == "1,234.5");
    CHECK(format_number(123456.7) == "123,457");
    CHECK(format_number(-1'234'567) == "-1,234,567");
    CHECK(format_number(1234567.5) == "1,234,568");  // ties to even from 1e6 up, as %.0f
    CHECK(format_number(2500000.5) == "2,500,000");
    CHECK(format_number(-0.0) == "-0");
    CHECK(format_number(0.0001234567) == "0.000123457");
    CHECK(format_number(1.5e-7) == "1.5e-07");
    CHECK(format_number(std::nan("")) == "no data");
    for (double v : sample_values()) {
        INFO(printf_text("%.17g", v));
        const bool in_full = std::fabs(v) >= 1e6 || (std::fabs(v) >= 1000 && v == std::trunc(v));
        std::string digits = format_number(v);
        std::erase(digits, ',');
        CHECK(digits == printf_text(in_full ? "%.0f" : "%.6g", v));
    }
}

TEST_CASE("md and html rows escape markup, control characters and invalid UTF-8, and leave plain text as it is", "[report]") {
    Result r;
    r.id = "P|1";
    r.name = "A <b> & \"c\" 'd' *e* [f] `g` \\h\nline\x01\xff end";
    r.verdict = Verdict::invalid;
    r.reasons = {"plain reason", "x|y", "*bold*"};  // each escaped on its own
    const RulesInfo rules{"escapes", "1", std::string(64, '0')};

    const RowReport md(Format::md, rules, 0, 0, 1, std::nullopt);
    std::string row;
    md.append(row, 0, r, 1);
    CHECK(row == "| 1 | P\\|1 | A &lt;b&gt; & \"c\" 'd' \\*e\\* \\[f\\] \\`g\\` \\\\h line?\xEF\xBF\xBD end | invalid |  | "
                 "plain reason; x\\|y; \\*bold\\* |\n");

    const RowReport html(Format::html, rules, 0, 0, 1, std::nullopt);
    row.clear();
    html.append(row, 0, r, 1);
    CHECK(row == "<tr class=\"invalid\"><td>1<td><a href=\"#p-1\">P|1</a><td>A &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; *e* [f] `g` "
                 "\\h line\xEF\xBF\xBD end<td><span class=\"b invalid\">invalid</span><td class=\"n\"><td class=\"rs\">plain reason; x|y; *bold*\n");
}
