// A JSON Schema (draft 2020-12) describing a valid proposal under a rule set, so application forms
// and editors can check a proposal before it is submitted. Mirrors bind(): required inputs,
// types, enum values, min/max, nested objects for dotted names, null allowed where it means absent.
#pragma once

#include <nlohmann/json.hpp>

#include "screener/compile.hpp"

namespace screener {

nlohmann::json proposal_schema(const CompiledRules& rules);

}  // namespace screener
