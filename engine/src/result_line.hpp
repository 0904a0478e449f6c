// Reading a streamed result line back (screener rank), by two readers. The ordinary one
// (report.cpp, nlohmann) reads any valid line and names what is wrong by its key. The simdjson one
// (fast_result_line.cpp, On-Demand) reads lines in the form `eval --format ndjson` writes, in one
// pass, and hands any other line to the ordinary one, so both give the same result or the same
// error. Private.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "screener/report.hpp"

namespace screener::detail {

// screener::read_result_line, for a line readable `capacity` bytes from line.data() on: with
// simd_padding more than the line's, the simdjson path reads it in place, without a copy.
ResultLine read_result_line(std::string_view line, std::size_t capacity);
// The simdjson path: the line's result, or nullopt when the ordinary path must read it.
std::optional<ResultLine> fast_read_result_line(std::string_view line, std::size_t capacity = 0);
// The ordinary path alone (read_result_line takes the simdjson one first when the processor can).
ResultLine ordinary_read_result_line(std::string_view line);

}  // namespace screener::detail
