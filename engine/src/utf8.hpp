// UTF-8 validation shared by the report writers, which replace what is not valid with U+FFFD; the
// byte order mark readers skip and csv writes; text read in composed form; text cut short where a
// reason quotes it. Private.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <string>
#include <string_view>

#include <utf8proc.h>

namespace screener::detail {

// U+FEFF in UTF-8: editors put it at the start of a file; readers skip it.
inline constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when the bytes there are not
// valid UTF-8: a stray continuation byte, a truncated or overlong sequence, a surrogate, or a code
// point beyond U+10FFFF.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
    else return 0;
    if (i + n > s.size()) return 0;
    std::uint32_t cp = c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

// Whether s[i] starts a C1 control, U+0080 to U+009F (0xC2 0x80-0x9F): U+009B is CSI to some
// terminals. Reports drop them or show them as '?', as they do other control characters.
inline bool c1_control(std::string_view s, std::size_t i) {
    return static_cast<unsigned char>(s[i]) == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}

// `text` in Unicode's composed form (NFC), as proposals and rule sets are read: a letter typed as
// a base and combining marks (macOS, some Vietnamese input methods: "ệ" as "e" and two marks) is
// the same text as the one code point, as an enum value, an id and to len(). ASCII, the usual case,
// is composed as it is; text that is not valid UTF-8 is left as it is (reports replace it).
inline void compose(std::string& text) {
    // Code points composed as they are, that nothing before them composes with: Latin (Vietnamese's
    // letters included), dashes and quotes, currency signs, CJK ideographs and Hangul syllables (a
    // trailing jamo after one is not among them). Text of these and ASCII alone, the usual case, is
    // left as it is: utf8proc_map allocates, and took as long again as binding a proposal with a
    // Vietnamese name.
    auto as_is = [](utf8proc_int32_t c) {
        return (c >= 0x80 && c <= 0x2FF) || (c >= 0x1E00 && c <= 0x1EFF) || (c >= 0x2010 && c <= 0x2027) ||
               (c >= 0x20A0 && c <= 0x20C0) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3);
    };
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    std::size_t i = 0;
    for (utf8proc_int32_t c = 0; i < text.size();) {
        if (bytes[i] < 0x80) {
            ++i;
            continue;
        }
        const utf8proc_ssize_t length = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(text.size() - i), &c);
        if (length <= 0) return;  // not UTF-8: left as it is
        if (!as_is(c)) break;
        i += static_cast<std::size_t>(length);
    }
    if (i == text.size()) return;
    utf8proc_uint8_t* composed = nullptr;
    const utf8proc_ssize_t size = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                                               &composed, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (size >= 0) text.assign(reinterpret_cast<const char*>(composed), static_cast<std::size_t>(size));
    std::free(composed);
}

// `text` cut to at most `most` bytes, "..." included, between two characters as a reader sees them
// (a letter and its combining marks stay together; never inside a UTF-8 sequence).
inline std::string shortened(std::string text, std::size_t most) {
    if (text.size() <= most) return text;
    if (most < 3) return std::string(most, '.');
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    std::size_t end = 0;  // the last break within the room left for "..."
    utf8proc_int32_t previous = -1, state = 0;
    for (std::size_t i = 0; i <= most - 3;) {
        utf8proc_int32_t code_point = -1;
        utf8proc_ssize_t length = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(text.size() - i), &code_point);
        if (length <= 0) length = 1, code_point = -1;  // a byte that is not UTF-8: a character of its own
        if (previous < 0 || code_point < 0 || utf8proc_grapheme_break_stateful(previous, code_point, &state)) end = i;
        if (code_point < 0) state = 0;
        previous = code_point;
        i += static_cast<std::size_t>(length);
    }
    text.resize(end);
    return text + "...";
}

}  // namespace screener::detail
