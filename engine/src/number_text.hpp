// A number as diagnostics and reasons write it: the shortest text that reads back as the same
// double (1234567, 0.1, 0.10000000000000002, 1e-320), so two numbers a message sets side by side
// never read alike when they differ. Private.
#pragma once

#include <string>

#include <fmt/format.h>

namespace screener::detail {

inline std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace screener::detail
