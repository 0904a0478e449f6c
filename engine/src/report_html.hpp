// The standalone HTML report: one self-contained file with inline CSS, SVG charts and a few lines of
// script for sorting. Private; reached through write_report(Format::html).
#pragma once

#include <ostream>
#include <vector>

#include "screener/report.hpp"

namespace screener::detail {

void write_html(std::ostream& out, const RulesInfo& rules, const std::vector<Result>& ranked);

}  // namespace screener::detail
