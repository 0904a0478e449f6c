// Result lines read back with simdjson On-Demand, in one pass: the line's keys must come in the
// order `eval --format ndjson` writes them, each once, with nothing else. Any other line (keys in
// another order or repeated, an unknown key, an escaped key, a value of another type, "-0", a
// number of more than 19 digits) is handed over to the ordinary path (report.cpp), which reads
// anything valid and names what is wrong. So both give the same result, or the ordinary path's
// error. (On-Demand reads each value once, where it stands; simdjson's DOM would build a tape of the
// whole line first, and walk its object again from the start for each lookup.) Built for AVX2 like
// fast_bind.cpp (On-Demand's kernel is chosen at compile time) and run only after simd_supported().
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

// Values are read into the ResultLine given, whose strings and vectors keep their memory from line
// to line: reading a line allocates little once a few have been read.
void text(od::value& value, std::string& out) {
    std::string_view text;
    need(!value.get_string().get(text));
    out.assign(text);
}
// A string, or "" for null.
void text_or_null(od::value& value, std::string& out) {
    bool null = false;
    need(!value.is_null().get(null));
    if (null) out.clear();
    else text(value, out);
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
// Each item of an array into `out`'s item of the same place, by read(item, out[i]); `out` then
// has as many items as the array.
template <class T, class Read>
void items(od::value& value, std::vector<T>& out, Read&& read) {
    od::array array;
    need(!value.get_array().get(array));
    std::size_t n = 0;
    for (auto item : array) {
        od::value v;
        need(!item.get(v));
        if (n == out.size()) resize(out, n + 1);
        read(v, out[n++]);
    }
    resize(out, n);
}
void texts(od::value& value, std::vector<std::string>& out) { items(value, out, [](od::value& v, std::string& t) { text(v, t); }); }
// An array of objects, each read by read(object, out[i]).
template <class T, class Read>
void objects(od::value& value, std::vector<T>& out, Read&& read) {
    items(value, out, [&](od::value& v, T& into) {
        od::object object;
        need(!v.get_object().get(object));
        read(object, into);
    });
}

void criterion(od::object object, CriterionOutcome& c) {
    static constexpr std::array<Key, 9> keys = {{{"id"}, {"title"}, {"unit", true}, {"value"}, {"points"}, {"weight"},
                                                 {"band", true}, {"skipped"}, {"reason"}}};
    c.unit.clear();  // the optional keys' values when they are left out
    c.has_metric = false;
    c.band = {};
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: text(v, c.id); break;
            case 1: text(v, c.title); break;
            case 2: text_or_null(v, c.unit); break;
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
            default: text_or_null(v, c.reason);
        }
    });
}

void group(od::object object, GroupOutcome& g) {
    static constexpr std::array<Key, 7> keys = {{{"id"}, {"title"}, {"score"}, {"weight"}, {"minimum"}, {"skipped"}, {"criteria"}}};
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: text(v, g.id); break;
            case 1: text(v, g.title); break;
            case 2: g.score = number(v); break;
            case 3: g.weight = number(v); break;
            case 4: g.minimum = number_or_null(v); break;
            case 5: g.skipped = boolean(v); break;
            default: objects(v, g.criteria, criterion);
        }
    });
}

void gate(od::object object, GateOutcome& g) {
    static constexpr std::array<Key, 4> keys = {{{"id"}, {"title"}, {"passed"}, {"message", true}}};
    g.message.clear();
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: text(v, g.id); break;
            case 1: text(v, g.title); break;
            case 2: g.passed = boolean(v); break;
            default: text_or_null(v, g.message);
        }
    });
}

void result_line(od::object object, ResultLine& out, bool outcomes) {
    // pass_score and profiles are there unless the verdict is invalid, whose score is null.
    static constexpr std::array<Key, 11> keys = {{{"id"}, {"name"}, {"verdict"}, {"score"}, {"source"}, {"pass_score", true},
                                                  {"profiles", true}, {"gates"}, {"groups"}, {"reasons"}, {"rules"}}};
    Result& r = out.result;
    r.pass_score = 0;
    resize(r.profiles, 0);
    int scored = 0;  // of pass_score and profiles, read
    fields(object, keys, [&](std::size_t k, od::value& v) {
        switch (k) {
            case 0: text(v, r.id); break;
            case 1: text(v, r.name); break;
            case 2: {
                std::string_view verdict;
                need(!v.get_string().get(verdict));
                if (verdict == "pass") r.verdict = Verdict::pass;
                else if (verdict == "fail") r.verdict = Verdict::fail;
                else {
                    need(verdict == "invalid");
                    r.verdict = Verdict::invalid;
                }
                break;
            }
            case 3: {
                const std::optional<double> score = number_or_null(v);
                need(score.has_value() == (r.verdict != Verdict::invalid));
                r.score = score.value_or(0);
                break;
            }
            case 4: text(v, r.source); break;
            case 5:
                r.pass_score = number(v);
                ++scored;
                break;
            case 6:
                texts(v, r.profiles);
                ++scored;
                break;
            case 7:
                if (outcomes) objects(v, r.gates, gate);
                else resize(r.gates, 0);  // the value passed over unread
                break;
            case 8:
                if (outcomes) objects(v, r.groups, group);
                else resize(r.groups, 0);
                break;
            case 9: texts(v, r.reasons); break;
            default: {
                od::object rules;
                need(!v.get_object().get(rules));
                static constexpr std::array<Key, 3> rules_keys = {{{"id"}, {"version"}, {"sha256"}}};
                fields(rules, rules_keys, [&](std::size_t i, od::value& t) {
                    text(t, i == 0 ? out.rules.id : i == 1 ? out.rules.version : out.rules.sha256);
                });
            }
        }
    });
    need(scored == (r.verdict == Verdict::invalid ? 0 : 2));
}

}  // namespace

bool fast_read_result_line(std::string_view line, std::size_t capacity, ResultLine& into, bool outcomes) {
    static_assert(simd_padding == simdjson::SIMDJSON_PADDING);
    thread_local od::parser parser;
    thread_local simdjson::padded_string copy;  // for a line without room after it
    if (line.empty()) return false;
    if (capacity < line.size() + simd_padding) {
        if (copy.size() < line.size()) copy = simdjson::padded_string(line.size());
        std::memcpy(copy.data(), line.data(), line.size());
        copy.data()[line.size()] = '\0';  // not an earlier line's: simdjson may read a byte past the line
        capacity = copy.size() + simd_padding;
        line = std::string_view(copy.data(), line.size());
    }
    od::document doc;
    od::object object;
    if (parser.iterate(line.data(), line.size(), capacity).get(doc) || doc.get_object().get(object)) return false;
    try {
        result_line(object, into, outcomes);
        const char* rest = nullptr;
        return doc.current_location().get(rest) != simdjson::SUCCESS;  // no text after the object (reading past it is an error)
    } catch (const Decline&) {
        return false;
    }
}

}  // namespace screener::detail
