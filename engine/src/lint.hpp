// Lint: warnings about a rule set that compiles but probably does not say what its author meant —
// unused names, step bands, bands or gates that the inputs' min/max make unreachable or constant,
// groups that cannot reach their minimum. Uses interval arithmetic over the compiled plan. Private.
#pragma once

#include <map>
#include <string>

#include "screener/compile.hpp"

namespace screener::detail {

void lint(const CompiledRules& rules, const RuleSet& source, const std::map<std::string, int>& use_counts,
          Diagnostics& diagnostics);

}  // namespace screener::detail
