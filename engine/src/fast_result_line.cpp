// Result lines read back with simdjson's DOM (see result_line.hpp): three times as fast as
// nlohmann's for a 1.3 KB line. Built for any x86-64 (the DOM parser's kernels in libsimdjson are
// chosen at run time), but run only after simd_supported(): simdjson's inline code is also
// compiled for AVX2 in fast_bind.cpp, and the linker keeps one copy of each function.
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "result_line.hpp"

namespace screener::detail {

namespace {

namespace dom = simdjson::dom;

// Thrown where nlohmann could read the line differently; the ordinary path then reads it.
struct Unsure {};

// How result_line.hpp's reader looks into simdjson's values.
struct Simdjson {
    using Value = dom::element;
    static std::optional<Value> find(Value object, const char* key) {
        dom::object fields;
        if (object.get(fields) != simdjson::SUCCESS) return std::nullopt;
        const std::string_view name(key);
        std::optional<Value> found;
        for (const dom::key_value_pair field : fields) {
            // The first byte before the rest: most keys of the same length differ there, and memcmp is a call.
            if (field.key.size() != name.size() || (!name.empty() && field.key[0] != name[0]) || field.key != name) continue;
            if (found) throw Unsure{};  // a repeated key: nlohmann keeps the last, simdjson's lookup the first
            found = field.value;
        }
        return found;
    }
    static bool is_object(Value v) { return v.is_object(); }
    static bool is_string(Value v) { return v.is_string(); }
    static bool is_number(Value v) { return v.is_number(); }
    static bool is_boolean(Value v) { return v.is_bool(); }
    static bool is_array(Value v) { return v.is_array(); }
    static bool is_null(Value v) { return v.is_null(); }
    static std::string string(Value v) { return std::string(std::string_view(v.get_string())); }
    static double number(Value v) { return double(v.get_double()); }  // integers too, as nlohmann's get<double>
    static bool boolean(Value v) { return bool(v.get_bool()); }
    template <class F>
    static void each(Value array, F&& f) {
        for (const dom::element item : dom::array(array.get_array())) f(item);
    }
};

}  // namespace

std::optional<ResultLine> fast_read_result_line(std::string_view line) {
    thread_local dom::parser parser;
    dom::element root;
    if (parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
    try {
        return read_result<Simdjson>(root);
    } catch (const Error&) {  // the ordinary path says what is wrong, in its words
        return std::nullopt;
    } catch (const Unsure&) {
        return std::nullopt;
    }
}

}  // namespace screener::detail
