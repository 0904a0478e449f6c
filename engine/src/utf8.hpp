// UTF-8 validation shared by the report writers, which replace what is not valid with U+FFFD; the
// byte order mark readers skip and csv writes; text cut short where a reason quotes it. Private.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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

// `text` cut to at most `most` bytes, "..." included, never inside a UTF-8 sequence.
inline std::string shortened(std::string text, std::size_t most) {
    if (text.size() <= most) return text;
    if (most < 3) return std::string(most, '.');
    std::size_t end = most - 3;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text + "...";
}

}  // namespace screener::detail
