// Limits on what a rule set or a proposal may demand of the engine, so that hostile or broken input
// gets a clear error instead of exhausting the stack, memory or time. Set them once, before any work
// starts (the CLI does so from its flags); every stage reads them.
#pragma once

#include <cstddef>

namespace screener {

struct Limits {
    std::size_t max_rules_bytes = 4 << 20;          // a rule-set file
    std::size_t max_yaml_depth = 64;                 // nesting of YAML mappings and lists
    std::size_t max_yaml_nodes = 500'000;            // values in one rule-set or test file (yaml-cpp keeps ~600 B each)
    std::size_t max_expression_length = 10'000;      // characters in one expression
    std::size_t max_expression_depth = 500;          // nested operations in one expression
    std::size_t max_proposal_bytes = 1 << 20;        // one proposal's JSON (and one NDJSON line)
    std::size_t max_proposals_in_memory = 20'000'000;  // ranked reports; ndjson streams without limit
    std::size_t max_ids_in_memory = 1 << 19;         // ids held to find repeats; more go to disk
};

Limits& limits();

}  // namespace screener
