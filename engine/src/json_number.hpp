// A double as the JSON reports write it: the text of fmt's "{}" (shortest digits that read back
// exactly; an exponent below 1e-4 and from 1e16 on), laid out here rather than by fmt's general
// float writer, which took as long again as finding the digits. The digits are fmt's own search,
// fmt::detail::dragonbox::to_decimal: in fmt's detail namespace (fmt 7 to 11 have it), so a test
// checks the text against fmt's over every magnitude. Private.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace screener::detail {

// Room `shortest_number` needs: it writes whole 16- and 17-byte blocks and returns where the text ends.
inline constexpr std::size_t shortest_number_room = 48;

// Eight decimal digits of v < 10^8 as ASCII, in memory order, each step on all lanes at once.
inline std::uint64_t eight_digits(std::uint32_t v) {
    const std::uint64_t halves = v / 10000 | static_cast<std::uint64_t>(v % 10000) << 32;
    std::uint64_t pairs = (halves * 10486 >> 20) & 0x0000007F0000007FULL;  // each half / 100
    pairs |= (halves - pairs * 100) << 16;
    std::uint64_t digits = (pairs * 103 >> 10) & 0x000F000F000F000FULL;  // each pair / 10
    digits |= (pairs - digits * 10) << 8;
    return digits + 0x3030303030303030ULL;
}

// Writes finite `v` into `out` (shortest_number_room bytes) and returns the end of the text.
inline char* shortest_number(double v, char* out) {
    if (std::signbit(v)) *out++ = '-', v = -v;
    if (v == 0) {
        *out = '0';
        return out + 1;
    }
    const auto decimal = fmt::detail::dragonbox::to_decimal(v);
    const std::uint64_t significand = decimal.significand;  // at most 17 digits
    static constexpr std::uint64_t powers_of_10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
                                                     1000000000, 10000000000, 100000000000, 1000000000000,
                                                     10000000000000, 100000000000000, 1000000000000000,
                                                     10000000000000000, 100000000000000000};
    const int below = std::bit_width(significand) * 1233 >> 12;  // log10(2) is about 1233 / 4096
    const int count = below + (significand >= powers_of_10[below]);

    // The digits end at digits + 24: one, then two groups of eight. What follows is only copied past.
    char digits[48] = {};
    const std::uint64_t high = significand / 100000000;
    digits[7] = static_cast<char>('0' + high / 100000000);
    const std::uint64_t middle = eight_digits(static_cast<std::uint32_t>(high % 100000000));
    const std::uint64_t low = eight_digits(static_cast<std::uint32_t>(significand % 100000000));
    std::memcpy(digits + 8, &middle, 8);
    std::memcpy(digits + 16, &low, 8);
    const char* first = digits + 24 - count;

    const int point = decimal.exponent + count;  // digits before the decimal point
    if (point - 1 < -4 || point - 1 >= 16) {  // d.ddde-05, de+16
        *out++ = *first;
        if (count > 1) {
            *out++ = '.';
            std::memcpy(out, first + 1, 16);
            out += count - 1;
        }
        int exponent = point - 1;
        *out++ = 'e';
        *out++ = exponent < 0 ? '-' : '+';
        exponent = std::abs(exponent);
        if (exponent >= 100) *out++ = static_cast<char>('0' + exponent / 100);
        *out++ = static_cast<char>('0' + exponent / 10 % 10);
        *out++ = static_cast<char>('0' + exponent % 10);
        return out;
    }
    // Whole blocks copied: one instruction each, where a copy of `count` bytes is a call.
    if (point <= 0) {  // 0.000ddd
        std::memcpy(out, "0.0000", 6);
        out += 2 - point;
        std::memcpy(out, first, 17);
        return out + count;
    }
    std::memcpy(out, first, 16);
    if (point >= count) {  // ddd000
        std::memset(out + count, '0', 16);
        return out + point;
    }
    out += point;  // dd.ddd
    *out++ = '.';
    std::memcpy(out, first + point, 16);
    return out + (count - point);
}

}  // namespace screener::detail
