// Result lines read back with simdjson On-Demand, in one pass: the line's keys must come in the
// order `eval --format ndjson` writes them, each once, with nothing else. Any other line (keys in
// another order or repeated, an unknown key, an escaped key, a value of another type, "-0", a
// number of more than 19 digits) is handed over to the ordinary path (report.cpp), which reads
// anything valid and names what is wrong. So both give the same result, or the ordinary path's
// error. (simdjson's DOM, read before, built a tape of the whole line first, and each lookup walked
// its object again from the start.) Built for AVX2 like fast_bind.cpp (On-Demand's kernel is
// chosen at compile time) and run only after simd_supported().
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "fast_bind.hpp"
#include "result_line.hpp"

namespace screener::detail {

namespace {

namespace od = simdjson::ondemand;

// Thrown for anything but the written form; the ordinary path then reads the line.
struct Decline {};

void need(bool ok) {
    if (!ok) throw Decline{};
}

// A key as expected in an object, and whether it may be left out.
struct Key {
    std::string_view name;
    bool optional = false;
};

// Reads `object`'s fields, which must be `keys` in that order (those marked optional may be
// missing), handing each one's index in `keys` and value to `read`.
template <std::size_t N, class Read>
void fields(od::object object, const std::array<Key, N>& keys, Read&& read) {
    std::size_t k = 0;
    for (auto result : object) {
        // The field is used where the iterator made it, and values go by reference: copying an
        // iterator just stored (into an od::field, or an od::value argument) stalled on store
        // forwarding, an eighth of reading a line.
        need(!result.error());
        od::field&& field = std::move(result).value_unsafe();
        // The key as written, and its closing quote: an escaped one never matches. Keys are short:
        // a loop, not a call to memcmp.
        const char* raw = field.key().raw();
        auto is = [raw](std::string_view name) {
            for (std::size_t i = 0; i < name.size(); ++i)
                if (raw[i] != name[i]) return false;
            return raw[name.size()] == '"';
        };
        for (; k < N && !is(keys[k].name); ++k) need(keys[k].optional);  // only optional keys may be missing
        need(k < N);
        read(k, field.value());
        ++k;
    }
    while (k < N && keys[k].optional) ++k;
    need(k == N);
}

std::string text(od::value& value) {
    std::string_view text;
    need(!value.get_string().get(text));
    return std::string(text);
}
// A string, or "" for null.
std::string text_or_null(od::value& value) {
    bool null = false;
    need(!value.is_null().get(null));
    return null ? std::string() : text(value);
}
double number(od::value& value) {
    double number = 0;
    need(!too_many_digits_for_simdjson(value.raw_json_token()));
    need(!value.get_double().get(number));
    need(number != 0 || !std::signbit(number));  // nlohmann reads "-0" as the integer 0: every -0 is handed over
    return number;
}
std::optional<double> number_or_null(od::value& value) {
    bool null = false;
    need(!value.is_null().get(null));
    if (null) return std::nullopt;
    return number(value);
}
bool boolean(od::value& value) {
    bool flag = false;
    need(!value.get_bool().get(flag));
    return flag;
}
std::vector<std::string> texts(od::value& value) {
    od::array array;
    need(!value.get_array().get(array));
    std::vector<std::string> out;
    for (auto item : array) {
        od::value v;
        need(!item.get(v));
        out.push_back(text(v));
    }
    return out;
}
// Each item of an array of objects.
template <class Read>
void objects(od::value& value, Read&& read) {
    od::array array;
    need(!value.get_array().get(array));
    for (auto item : array) {
        od::object object;
        need(!item.get_object().get(object));
        read(object);
    }
}

CriterionOutcome criterion(od::object object) {
    static constexpr std::array<Key, 9> keys = {{{"id"}, {"title"}, {"unit", true}, {"value"}, {"points"}, {"weight"},
                                                 {"band", true}, {"skipped"}, {"reason"}}};
    CriterionOutcome c;
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: c.id = text(v); break;
            case 1: c.title = text(v); break;
            case 2: c.unit = text_or_null(v); break;
            case 3: c.value = number_or_null(v).value_or(std::nan("")); break;
            case 4: c.points = number(v); break;
            case 5: c.weight = number(v); break;
            case 6: {
                od::object band;
                need(!v.get_object().get(band));
                static constexpr std::array<Key, 2> band_keys = {{{"zero_at"}, {"full_at"}}};
                fields(band, band_keys, [&](std::size_t b, od::value& n) { (b == 0 ? c.band.zero_at : c.band.full_at) = number(n); });
                c.has_metric = true;
                break;
            }
            case 7: c.skipped = boolean(v); break;
            default: c.reason = text_or_null(v);
        }
    });
    return c;
}

GroupOutcome group(od::object object) {
    static constexpr std::array<Key, 7> keys = {{{"id"}, {"title"}, {"score"}, {"weight"}, {"minimum"}, {"skipped"}, {"criteria"}}};
    GroupOutcome g;
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: g.id = text(v); break;
            case 1: g.title = text(v); break;
            case 2: g.score = number(v); break;
            case 3: g.weight = number(v); break;
            case 4: g.minimum = number_or_null(v); break;
            case 5: g.skipped = boolean(v); break;
            default: objects(v, [&](od::object c) { g.criteria.push_back(criterion(c)); });
        }
    });
    return g;
}

GateOutcome gate(od::object object) {
    static constexpr std::array<Key, 4> keys = {{{"id"}, {"title"}, {"passed"}, {"message", true}}};
    GateOutcome g;
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: g.id = text(v); break;
            case 1: g.title = text(v); break;
            case 2: g.passed = boolean(v); break;
            default: g.message = text_or_null(v);
        }
    });
    return g;
}

ResultLine result_line(od::object object) {
    // pass_score and profiles are there unless the verdict is invalid, whose score is null.
    static constexpr std::array<Key, 11> keys = {{{"id"}, {"name"}, {"verdict"}, {"score"}, {"source"}, {"pass_score", true},
                                                  {"profiles", true}, {"gates"}, {"groups"}, {"reasons"}, {"rules"}}};
    ResultLine out;
    Result& r = out.result;
    int scored = 0;  // of pass_score and profiles, read
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: r.id = text(v); break;
            case 1: r.name = text(v); break;
            case 2: {
                const std::string verdict = text(v);
                if (verdict == "pass") r.verdict = Verdict::pass;
                else if (verdict == "fail") r.verdict = Verdict::fail;
                else need(verdict == "invalid");
                break;
            }
            case 3: {
                const std::optional<double> score = number_or_null(v);
                need(score.has_value() == (r.verdict != Verdict::invalid));
                r.score = score.value_or(0);
                break;
            }
            case 4: r.source = text(v); break;
            case 5:
                r.pass_score = number(v);
                ++scored;
                break;
            case 6:
                r.profiles = texts(v);
                ++scored;
                break;
            case 7: objects(v, [&](od::object g) { r.gates.push_back(gate(g)); }); break;
            case 8: objects(v, [&](od::object g) { r.groups.push_back(group(g)); }); break;
            case 9: r.reasons = texts(v); break;
            default: {
                od::object rules;
                need(!v.get_object().get(rules));
                static constexpr std::array<Key, 3> rules_keys = {{{"id"}, {"version"}, {"sha256"}}};
                fields(rules, rules_keys, [&](std::size_t i, od::value& t) {
                    (i == 0 ? out.rules.id : i == 1 ? out.rules.version : out.rules.sha256) = text(t);
                });
            }
        }
    });
    need(scored == (r.verdict == Verdict::invalid ? 0 : 2));
    return out;
}

}  // namespace

std::optional<ResultLine> fast_read_result_line(std::string_view line, std::size_t capacity) {
    static_assert(simd_padding == simdjson::SIMDJSON_PADDING);
    thread_local od::parser parser;
    thread_local simdjson::padded_string copy;  // for a line without room after it
    if (line.empty()) return std::nullopt;
    if (capacity < line.size() + simd_padding) {
        if (copy.size() < line.size()) copy = simdjson::padded_string(line.size());
        std::memcpy(copy.data(), line.data(), line.size());
        copy.data()[line.size()] = '\0';  // not an earlier line's: simdjson may read a byte past the line
        capacity = copy.size() + simd_padding;
        line = std::string_view(copy.data(), line.size());
    }
    od::document doc;
    od::object object;
    if (parser.iterate(line.data(), line.size(), capacity).get(doc) || doc.get_object().get(object)) return std::nullopt;
    try {
        ResultLine read = result_line(object);
        const char* rest = nullptr;
        if (!doc.current_location().get(rest)) return std::nullopt;  // text after the object (none: an error)
        return read;
    } catch (const Decline&) {
        return std::nullopt;
    }
}

}  // namespace screener::detail
