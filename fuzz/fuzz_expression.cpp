// Fuzz target 2: bytes as one expression, embedded in a fixed small rule set as the let `v` (escaped
// into a YAML single-quoted scalar) -> load -> compile. When it compiles, a second rule set also uses
// it where its type fits (number: metric and points; true/false: gate, applies_when, profile when;
// text: comparison and len; list: count and contains), and both are evaluated against fixed proposals:
// score, explain (gate messages interpolate {v}, "no data" reasons), what it takes, every report;
// and the values evaluate()'s flat plan computes must be those of the expression tree, bit for bit.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "program.hpp"
#include "screener/rules.hpp"

using namespace screener;

namespace {

const char* const head =
    "format: screener/v1\n"
    "id: fuzz-expression\n"
    "version: \"1\"\n"
    "inputs:\n"
    "  x: { type: number, required: false }\n"
    "  n: { type: integer, min: 0 }\n"
    "  flag: { type: boolean }\n"
    "  s: { type: string, required: false }\n"
    "  sector: { type: enum, values: [electronics, semiconductors, textiles] }\n"
    "  tags: { type: list, required: false, default: [] }\n"
    "  env.iso: { type: boolean, required: false, default: false }\n"
    "let:\n"
    "  half: x / 2\n"
    "  v: ";  // the expression follows, on this line

const char* const tail =
    "gates:\n"
    "  - id: shown\n"
    "    require: 'false'\n"  // always fails, so its message (and {v}) is interpolated
    "    message: 'v is {v}; half is {half}'\n";

const char* const groups =
    "groups:\n"
    "  - id: g\n"
    "    minimum: 10\n"
    "    criteria:\n"
    "      - id: base\n"
    "        points: 50\n";

const char* const decision =
    "decision:\n"
    "  pass_score: 50\n";

const char* const proposals[] = {
    R"({"id": "P1", "x": 10, "n": 3, "flag": true, "s": "h\u00e9llo", "sector": "electronics", "tags": ["a", "b"], "env": {"iso": true}})",
    R"({"id": "P2", "n": 0, "flag": false, "sector": "textiles"})",
    R"({"id": "P3", "x": -0.5, "n": 1000000, "flag": true, "s": "", "sector": "semiconductors", "tags": []})",
    R"({"id": "P4", "x": 1e308, "n": 7, "flag": false, "s": "a", "sector": "electronics", "tags": ["a"], "env": {"iso": false}})",
    R"({"id": "P5", "x": 0, "n": 1, "flag": true, "s": "\u0000\ud83d\ude00", "sector": "textiles", "tags": ["", "a"]})",
};

std::string yaml_quoted(const std::string& expr) {
    std::string out = "'";
    for (char c : expr) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::uint32_t lines_in(const std::string& text) {
    return static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n'));
}

// What the second rule set adds, by the type of `v`.
std::string uses(detail::Type type, const std::string& q) {
    switch (type) {
        case detail::Type::number:
            return "      - id: as-metric\n        metric: v\n        zero_at: 0\n        full_at: 100\n"
                   "      - id: as-points\n        points: " + q + "\n        weight: 2\n"
                   "      - id: inverted\n        metric: v * 2 + half\n        zero_at: 50\n        full_at: -50\n";
        case detail::Type::boolean:
            return "      - id: when\n        points: 100\n        applies_when: " + q + "\n";
        case detail::Type::string:
            return "      - id: length\n        metric: len(v)\n        zero_at: 0\n        full_at: 5\n"
                   "      - id: same\n        points: if(v == s, 100, 0)\n";
        case detail::Type::list:
            return "      - id: items\n        metric: count(v)\n        zero_at: 0\n        full_at: 3\n"
                   "      - id: has\n        points: if(contains(v, \"a\"), 100, 0)\n";
    }
    return "";
}

bool same(double a, double b) {
    return std::isnan(a) ? std::isnan(b) : std::memcmp(&a, &b, sizeof a) == 0;
}

// evaluate() runs the flat plan; explanations walk the expression tree. Both must see the same values.
void check_plan_matches_tree(const CompiledRules& rules, const Proposal& p, const Evaluation& e) {
    detail::LetValues lets;
    detail::compute_lets(rules, p, lets);
    const detail::Evaluator tree(*rules.program, p, lets);
    using detail::Tri;
    for (std::uint32_t i = 0; i < rules.profiles.size(); ++i) {
        const bool applied = std::find(e.parameters.profiles.begin(), e.parameters.profiles.end(), i) != e.parameters.profiles.end();
        FUZZ_CHECK(applied == (tree.boolean(rules.profiles[i].when) == Tri::yes), "profile " + std::to_string(i) + ": plan and tree differ");
    }
    for (std::uint32_t i = 0; i < rules.gates.size(); ++i) {
        const Tri t = tree.boolean(rules.gates[i].require);
        FUZZ_CHECK(e.gates[i].passed == (t == Tri::yes) && e.gates[i].no_data == (t == Tri::no_data),
                   "gate " + rules.gates[i].id + ": plan and tree differ");
    }
    for (std::uint32_t i = 0; i < rules.criteria.size(); ++i) {
        const CompiledCriterion& c = rules.criteria[i];
        const bool skipped = c.applies_when != no_expr && tree.boolean(c.applies_when) != Tri::yes;
        FUZZ_CHECK(skipped == e.criteria[i].skipped, "criterion " + c.id + ": plan and tree differ on applies_when");
        if (!skipped)
            FUZZ_CHECK(same(tree.number(c.expr), e.criteria[i].value), "criterion " + c.id + ": plan gives " +
                                                                          std::to_string(e.criteria[i].value) + ", tree " +
                                                                          std::to_string(tree.number(c.expr)));
    }
}

void run(const CompiledRules& rules) {
    std::vector<Result> results;
    Evaluation scratch;
    int k = 0;
    for (const char* json : proposals) {
        BoundProposal bound = bind_text(rules, json, SourceLoc{"fixed.json", static_cast<std::uint32_t>(++k), 0});
        FUZZ_CHECK(std::holds_alternative<Proposal>(bound), fuzz::describe(bound));
        Result result = score(rules, bound, scratch);
        check_plan_matches_tree(rules, std::get<Proposal>(bound), scratch);
        fuzz::check_result(rules, result);
        fuzz::check_advice(rules, std::get<Proposal>(bound), scratch);
        results.push_back(std::move(result));
    }
    fuzz::check_reports(rules, std::move(results));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One line of YAML: line breaks and other control characters become spaces (insignificant
    // between tokens; inside "text" they change the text, which is fine).
    std::string expr(reinterpret_cast<const char*>(data), size);
    for (char& c : expr)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    const std::string q = yaml_quoted(expr);

    std::string text = head;
    const std::uint32_t line = lines_in(text) + 1;
    const auto col = static_cast<std::uint32_t>(text.size() - text.rfind('\n'));  // of the opening quote
    text += q + "\n" + tail + groups + decision;

    LoadedRules loaded = load_rules(text, "expr.yaml");
    if (has_errors(loaded.diagnostics)) {
        // Only `v` can be wrong: the YAML reader must take any single-quoted scalar.
        for (const auto& d : loaded.diagnostics)
            FUZZ_CHECK(d.severity != Severity::error || d.where.line == line, d.str() + "\n" + text);
        return 0;
    }
    FUZZ_CHECK(loaded.rules.lets.size() == 2, text);
    FUZZ_CHECK(loaded.rules.lets[1].expr.text == expr, "YAML single-quoted scalar did not read back:\n[" + expr + "]\n[" +
                                                          loaded.rules.lets[1].expr.text + "]");

    CompileResult compiled = compile(loaded.rules);
    for (const auto& d : compiled.diagnostics) {
        (void)d.str();
        // Errors can only be in `v`, and must point into it.
        if (d.severity == Severity::error)
            FUZZ_CHECK(d.where.line == line && d.where.col >= col && d.where.col <= col + q.size(),
                       d.str() + " (expected line " + std::to_string(line) + ", columns " + std::to_string(col) + ".." +
                           std::to_string(col + q.size()) + ")\n" + text);
    }
    if (!compiled.rules) return 0;
    run(*compiled.rules);

    // The same expression where its type fits, used directly and through `v`.
    const detail::Type type = compiled.rules->program->nodes[compiled.rules->lets[1].expr].type;
    std::string second = head + q + "\n" + tail;
    if (type == detail::Type::boolean)
        second += "  - id: direct\n    require: " + q + "\n    message: 'direct {v} {x}'\n";
    second += std::string(groups) + uses(type, q) + decision;
    if (type == detail::Type::boolean)
        second += "profiles:\n  - title: fuzzed\n    when: " + q + "\n    set:\n      decision.pass_score: 40\n      g: { minimum: 0 }\n";
    LoadedRules loaded2 = load_rules(second, "expr2.yaml");
    FUZZ_CHECK(!has_errors(loaded2.diagnostics), second);
    CompileResult compiled2 = compile(loaded2.rules);
    std::string why;
    for (const auto& d : compiled2.diagnostics) why += d.str() + "\n";
    FUZZ_CHECK(compiled2.rules, "an expression that compiles as a let must compile where its type fits:\n" + why + second);
    run(*compiled2.rules);
    return 0;
}
