// The standalone HTML report: one self-contained file with inline CSS, SVG charts and a few lines of
// script for sorting. Private; reached through RowReport(Format::html) and write_report.
#pragma once

#include <string>
#include <vector>

#include "screener/report.hpp"

namespace screener::detail {

// The text of the html report around its rows: a head for each of its three sections (the ranking
// table, the invalid proposals, each result's details), and the tail. `shape` is RowReport's first
// scored result, or null.
struct HtmlFrame {
    std::vector<std::string> heads;
    std::string tail;
};
HtmlFrame html_frame(const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid, const Result* shape,
                     const ScoreSummary& charts);
// A result's row in `section`; nothing for a scored result in the invalid proposals' section.
void append_html_row(std::string& out, std::size_t section, const Result& result, std::size_t rank, const Result* shape);

}  // namespace screener::detail
