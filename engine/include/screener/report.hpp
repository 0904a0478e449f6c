// Stage 6, report: ranked results written as md, json (screener/report/v1), ndjson, csv, junit or html.
// Writers only read Results; the same writers serve `eval` and `rank` (which merges NDJSON shards),
// so both give byte-identical reports for the same proposals.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "screener/evaluate.hpp"

namespace screener {

enum class Format { md, json, ndjson, csv, junit, html };
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format format);

// What a report says about the rule set it was scored with.
struct RulesInfo {
    std::string id, version, sha256;
    friend bool operator==(const RulesInfo&, const RulesInfo&) = default;
};
RulesInfo rules_info(const CompiledRules& rules);

// One result as a JSON object of the report (SPEC section 6), appended to `out`; rank 0 leaves
// "rank" out (ndjson), and `rules`, when given, is added (ndjson lines describe their rule set).
void append_result_json(std::string& out, const Result& result, std::size_t rank, const RulesInfo* rules);
// The same JSON for a scored proposal, written straight from the plan and its evaluation without
// building a Result: the bulk path's renderer. The rule set's own text (ids, titles, default weights
// and bands) is escaped once, here; the bytes are those of append_result_json(explain(...)).
class ResultJson {
public:
    ResultJson(const CompiledRules& rules, const RulesInfo* with_rules);
    // `rank` > 0 is written first, as in a json report; 0 leaves it out (ndjson).
    void append(std::string& out, const Proposal& proposal, const Evaluation& evaluation, std::size_t rank) const;

private:
    // The text between the numbers of a result, written once: each piece starts with the comma
    // that separates it from the one before, and the pieces for the rule set's own parameters (no
    // profile applied) hold them already.
    const CompiledRules& rules_;
    std::vector<std::string> gate_passed_, gate_failed_;  // [,]{"id":…,"title":…,"passed":true} | …false,"message":
    std::vector<std::string> group_heads_;                // [,]{"id":…,"title":…,"score":
    std::vector<std::string> group_defaults_[2];          // ,"weight":…,"minimum":…,"skipped":false|true,"criteria":[
    std::vector<std::string> criterion_heads_;            // [,]{"id":…,"title":…[,"unit":…],"value":
    std::vector<std::string> criterion_defaults_;         // ,"weight":…[,"band":{…}]
    std::vector<std::string> criterion_scored_;           // the same, then ,"skipped":false,"reason":null}
    std::vector<std::string> profile_names_;              // as JSON strings
    std::string after_source_;                            // ","pass_score":…,"profiles":[],"gates":[
    std::string tail_;                                    // the rule set (ndjson) and the closing brace
};

// append_result_json's object as a JSON value, keys in report order.
nlohmann::ordered_json to_json(const Result& result, std::size_t rank);
// The text of a JSON report (SPEC section 6) before its first result and after its last; the
// results go in between, each with its rank, one a line, ",\n" after all but the last.
std::string json_report_head(const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid);
inline constexpr std::string_view json_report_tail = "]}\n";
// A streamed NDJSON result line read back (screener rank): the result, and the rule set that
// scored it. Throws screener::Error naming what is wrong.
struct ResultLine {
    Result result;
    RulesInfo rules;
};
ResultLine read_result_line(std::string_view line);

// What the html report's charts show of a batch, summed over its results in any order: the scored
// ones by total score in 10-point bins, the pass scores in use, and how many fail each gate, each
// group's minimum and the pass score.
struct ScoreSummary {
    std::size_t bins_pass[10] = {}, bins_fail[10] = {};
    std::map<double, std::size_t> pass_scores;  // with how many scored results have each
    // Each gate and group by its label, in rule-set order (every scored result lists them all).
    std::vector<std::pair<std::string, std::size_t>> gates_failed, groups_below_minimum;
    std::size_t below_pass_score = 0;  // failing results whose total is below their pass score

    void add(const Result& result);
    // Adds another summary's counts: summaries of parts of a batch, in any order, sum to the batch's.
    void add(const ScoreSummary& other);
};

// A whole report in md, csv, junit or html, written one result at a time in rank order, so that a
// writer need not hold the results (RankedBatch, RankedResults); write_report writes these formats
// through it. The report is each section's head followed by its rows, one a result in rank order,
// then the tail: md has two sections (the ranking table, then each result's details), html three
// (the ranking table, the invalid proposals, each result's details), csv and junit one.
class RowReport {
public:
    // `scored`: the first scored (not invalid) result in rank order, whose groups and criteria name
    // csv's and html's columns (every scored result of a rule set has the same), or none when no
    // proposal was scored. `charts`: html's, summed over every result; the other formats have none.
    RowReport(Format format, const RulesInfo& rules, std::size_t pass, std::size_t fail, std::size_t invalid,
              std::optional<Result> scored, const ScoreSummary& charts = {});
    std::size_t sections() const { return heads_.size(); }
    const std::string& head(std::size_t section) const { return heads_[section]; }
    // Whether `section` has rows for invalid results only (they rank last): a writer may skip the others.
    bool lists_invalid_only(std::size_t section) const { return format_ == Format::html && section == 1; }
    // Whether the rows of `section` show gates, groups or criteria: when not (md's ranking table,
    // junit), a writer may give it results without them (explain_verdict).
    bool shows_outcomes(std::size_t section) const { return !(format_ == Format::junit || (format_ == Format::md && section == 0)); }
    void append(std::string& out, std::size_t section, const Result& result, std::size_t rank) const;
    const std::string& tail() const { return tail_; }

private:
    Format format_;
    RulesInfo rules_;
    std::optional<Result> scored_;
    std::vector<std::string> heads_;
    std::string tail_;
};

// Writes `ranked` (already in rank order) in any format. The plain form, for Results at hand:
// RankedBatch and RankedResults write the same bytes without holding them, and are tested against it.
void write_report(std::ostream& out, Format format, const RulesInfo& rules, const std::vector<Result>& ranked);
// One NDJSON line for a streamed, unranked result (with the rule set, so shards describe themselves).
void write_ndjson_line(std::ostream& out, const RulesInfo& rules, const Result& result);

// Numbers as text reports show them: two decimals, no "-0.00".
std::string two_decimals(double value);
// A score as text reports show it: two decimals, or as many as tell a score below its threshold
// from it (a failing 59.9996 is not "60.00" beside a pass score of 60).
std::string score_text(double score, double threshold);
// Text from a proposal made safe for a terminal or a text report: invalid UTF-8 replaced, control
// characters (escape sequences, C1 controls too) shown as '?', line breaks (CR LF and CR as LF) and
// tabs kept.
std::string printable(std::string_view text);
// The same on one line: line breaks and tabs as spaces, so that no text prints a line of its own.
std::string printable_line(std::string_view text);
// Text for a Markdown table cell or line, read as it is: what would end the cell or the line, make
// markup, HTML or a link (http://…, www.…, a@b) is escaped, and the text made printable.
std::string md_escape(std::string_view text);
// Numbers for people: up to 6 significant digits, thousands separators ("61,500,000", "7.8"),
// whole numbers from 1,000 in full up to 1e16, and an exponent beyond ("1.51515e+19"), as in JSON.
std::string format_number(double value);
// The same with `significant` digits (from a million: `significant` - 6 decimals).
std::string format_number(double value, int significant);
// `a` and `b` as format_number writes them, with more digits where those would show them equal
// ("0.69999999" and "0.7", not "0.7" twice).
std::pair<std::string, std::string> format_numbers_apart(double a, double b);
// Text for XML attributes and content (JUnit): markup characters escaped, control characters but line
// breaks and tabs made spaces, invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace screener
