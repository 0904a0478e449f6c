// Reading a streamed result line back (screener rank), by two readers. The ordinary one
// (report.cpp, nlohmann) reads any valid line and names what is wrong by its key. The simdjson one
// (fast_result_line.cpp, On-Demand) reads lines in the form `eval --format ndjson` writes, in one
// pass, and hands any other line to the ordinary one, so both give the same result or the same
// error. Private.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "screener/report.hpp"

namespace screener::detail {

// screener::read_result_line into `into`, for a line readable `capacity` bytes from line.data()
// on: with simd_padding more than the line's, the simdjson path reads it in place, without a copy.
// `into` may hold an earlier line: its strings and vectors are reused, so that a reader of many
// lines allocates little. On an error, `into` is left half-written. Without `outcomes`, the
// result's gates and groups are left empty, and the simdjson path passes over them unread.
void read_result_line(std::string_view line, std::size_t capacity, ResultLine& into, bool outcomes = true);
// The simdjson path: true when it read the line into `into`, false when the ordinary path must
// read it (`into` is then left half-written).
bool fast_read_result_line(std::string_view line, std::size_t capacity, ResultLine& into, bool outcomes = true);
// The same into a new ResultLine, or nullopt.
std::optional<ResultLine> fast_read_result_line(std::string_view line, std::size_t capacity = 0);
// A ResultLine's vector resized, for the simdjson path. fast_result_line.cpp is built for AVX2, and
// the linker keeps one copy of each piece of vector code that several objects hold: so the path
// calls this one, defined (for the vectors of a Result) in report.cpp, built for any x86-64, and
// holds no copy of its own that ordinary code might end up calling (tests/simd/avx2_confined.py).
template <class T>
void resize(std::vector<T>& items, std::size_t size);
// The ordinary path alone (read_result_line takes the simdjson one first when the processor can).
ResultLine ordinary_read_result_line(std::string_view line);

}  // namespace screener::detail
