// Reading a streamed result line back (screener rank), written once for two JSON libraries.
// report.cpp reads with nlohmann: the ordinary path, whose errors name the field.
// fast_result_line.cpp reads with simdjson's DOM (its parser picks the processor's kernel at run
// time) and hands any line it cannot read, or could read differently (a repeated key), to the
// ordinary path, so both give the same result or the same error. Private.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "screener/diagnostic.hpp"
#include "screener/report.hpp"

namespace screener::detail {

// What is wrong is named by its key. `Json` says how to look into a value of its library:
// Value; find (nullopt when missing); is_object, is_string, is_number, is_boolean, is_array,
// is_null; string, number, boolean; each (over an array's items).
template <class Json>
class LineReader {
public:
    using Value = typename Json::Value;

    static Value need(Value object, const char* key) {
        const std::optional<Value> value = Json::find(object, key);
        if (!value) throw Error(std::string("missing \"") + key + "\"");
        return *value;
    }
    static std::string text(Value object, const char* key) { return string(need(object, key), key, "a string"); }
    static double number(Value object, const char* key) {
        const Value value = need(object, key);
        if (!Json::is_number(value)) fail(key, "a number");
        return Json::number(value);
    }
    // A number, or nullopt when the value is null (a missing key is an error all the same).
    static std::optional<double> number_or_null(Value object, const char* key) {
        const Value value = need(object, key);
        if (Json::is_null(value)) return std::nullopt;
        if (!Json::is_number(value)) fail(key, "a number");
        return Json::number(value);
    }
    static bool boolean(Value object, const char* key) {
        const Value value = need(object, key);
        if (!Json::is_boolean(value)) fail(key, "true or false");
        return Json::boolean(value);
    }
    static Value array(Value object, const char* key) {
        const Value value = need(object, key);
        if (!Json::is_array(value)) fail(key, "an array");
        return value;
    }
    // A string, or "" when the key is missing or null.
    static std::string optional_text(Value object, const char* key) {
        const std::optional<Value> value = Json::find(object, key);
        if (!value || Json::is_null(*value)) return "";
        return string(*value, key, "a string or null");
    }
    static std::vector<std::string> texts(Value object, const char* key) {
        std::vector<std::string> out;
        Json::each(array(object, key), [&](Value item) { out.push_back(string(item, key, "an array of strings")); });
        return out;
    }

private:
    [[noreturn]] static void fail(const char* key, const char* what) {
        throw Error(std::string("unexpected value: \"") + key + "\" must be " + what);
    }
    static std::string string(Value value, const char* key, const char* what) {
        if (!Json::is_string(value)) fail(key, what);
        return Json::string(value);
    }
};

// The result and rule set of a line already parsed into `v`.
template <class Json>
ResultLine read_result(typename Json::Value v) {
    using L = LineReader<Json>;
    using Value = typename Json::Value;
    if (!Json::is_object(v)) throw Error("not a result line: not a JSON object");
    ResultLine out;
    const std::optional<Value> rules = Json::find(v, "rules");
    if (!rules || !Json::is_object(*rules))
        throw Error("missing \"rules\" {id, version, sha256}: is this an `eval --format ndjson` result?");
    out.rules = {L::text(*rules, "id"), L::text(*rules, "version"), L::text(*rules, "sha256")};
    Result& r = out.result;
    r.id = L::text(v, "id");
    r.name = L::text(v, "name");
    r.source = L::text(v, "source");
    const std::string verdict = L::text(v, "verdict");
    if (verdict == "pass") r.verdict = Verdict::pass;
    else if (verdict == "fail") r.verdict = Verdict::fail;
    else if (verdict == "invalid") r.verdict = Verdict::invalid;
    else throw Error("unknown verdict \"" + verdict + "\"");
    if (r.verdict != Verdict::invalid) {
        r.score = L::number(v, "score");
        r.pass_score = L::number(v, "pass_score");
        r.profiles = L::texts(v, "profiles");
    }
    Json::each(L::array(v, "gates"), [&](Value g) {
        r.gates.push_back({L::text(g, "id"), L::optional_text(g, "title"), L::boolean(g, "passed"), L::optional_text(g, "message")});
    });
    Json::each(L::array(v, "groups"), [&](Value g) {
        GroupOutcome& group = r.groups.emplace_back();
        group.id = L::text(g, "id");
        group.title = L::text(g, "title");
        group.score = L::number(g, "score");
        group.weight = L::number(g, "weight");
        group.minimum = L::number_or_null(g, "minimum");
        group.skipped = L::boolean(g, "skipped");
        Json::each(L::array(g, "criteria"), [&](Value c) {
            CriterionOutcome& o = group.criteria.emplace_back();
            o.id = L::text(c, "id");
            o.title = L::text(c, "title");
            o.unit = L::optional_text(c, "unit");
            o.value = L::number_or_null(c, "value").value_or(std::nan(""));
            o.points = L::number(c, "points");
            o.weight = L::number(c, "weight");
            o.skipped = L::boolean(c, "skipped");
            o.reason = L::optional_text(c, "reason");
            if (const std::optional<Value> band = Json::find(c, "band")) {
                o.has_metric = true;
                o.band = {L::number(*band, "zero_at"), L::number(*band, "full_at")};
            }
        });
    });
    r.reasons = L::texts(v, "reasons");
    return out;
}

// The simdjson path: the line's result, or nullopt when the ordinary path must read it.
std::optional<ResultLine> fast_read_result_line(std::string_view line);
// The ordinary path alone (read_result_line takes the simdjson one first when the processor can).
ResultLine ordinary_read_result_line(std::string_view line);

}  // namespace screener::detail
