// Expressions, stage one: text -> syntax tree. Private to the engine.
// Grammar, lowest precedence first: or; and; not; == != < <= > >= in, not in; + -; * / %; unary -.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "screener/rules.hpp"

namespace screener::detail {

struct Ast {
    enum class Kind { number, string, boolean, list, name, unary, binary, call };
    Kind kind = Kind::number;
    std::string text;  // operator, name, function name or string value
    double number = 0;
    bool boolean = false;
    std::vector<Ast> children;
    std::size_t offset = 0;  // of the operator or token, for diagnostics about it
    std::size_t start = 0;   // of the whole sub-expression, for diagnostics about its value
};

// Parses `expr`; on a syntax error reports it (with its line:col) and returns nullptr.
std::unique_ptr<Ast> parse_expression(const ExprText& expr, Diagnostics& diagnostics);

// The keyword `word` is in another case ("and" for AND, "not" for Not), or "".
std::string keyword_in_other_case(const std::string& word);

}  // namespace screener::detail
