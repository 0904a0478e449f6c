#include "expr_parse.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "screener/limits.hpp"
#include "utf8.hpp"

namespace screener::detail {
namespace {

struct Token {
    enum class Kind { end, number, string, name, op, lparen, rparen, lbracket, rbracket, comma } kind = Kind::end;
    std::string text;  // as written (names, operators) or decoded (strings)
    double number = 0;
    std::size_t offset = 0;
};

class SyntaxError {
public:
    SyntaxError(std::size_t offset, std::string message) : offset(offset), message(std::move(message)) {}
    std::size_t offset;
    std::string message;
};

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Lexer {
public:
    explicit Lexer(const std::string& text) : text_(text) {}

    Token next() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        Token token;
        token.offset = pos_;
        if (pos_ >= text_.size()) return token;
        const char c = text_[pos_];
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            (c == '.' && pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))))
            return number(token);
        if (c == '"' || c == '\'') return string(token);
        if (is_name_start(c)) {
            std::size_t end = pos_;
            while (end < text_.size() && (is_name_char(text_[end]) ||
                                          (text_[end] == '.' && end + 1 < text_.size() && is_name_start(text_[end + 1]))))
                ++end;
            token.kind = Token::Kind::name;
            token.text = text_.substr(pos_, end - pos_);
            pos_ = end;
            return token;
        }
        static const char* const two_char[] = {"==", "!=", "<=", ">="};
        for (const char* op : two_char)
            if (text_.compare(pos_, 2, op) == 0) {
                token.kind = Token::Kind::op;
                token.text = op;
                pos_ += 2;
                return token;
            }
        ++pos_;
        switch (c) {
            case '(': token.kind = Token::Kind::lparen; break;
            case ')': token.kind = Token::Kind::rparen; break;
            case '[': token.kind = Token::Kind::lbracket; break;
            case ']': token.kind = Token::Kind::rbracket; break;
            case ',': token.kind = Token::Kind::comma; break;
            case '+': case '-': case '*': case '/': case '%': case '<': case '>':
                token.kind = Token::Kind::op;
                break;
            case '=':
                throw SyntaxError(token.offset, "'=' is not an operator; use '==' to compare");
            case '!':
                throw SyntaxError(token.offset, "'!' is not an operator; use 'not', or '!=' to compare");
            case '&':
                throw SyntaxError(token.offset, "'&' is not an operator; use 'and'");
            case '|':
                throw SyntaxError(token.offset, "'|' is not an operator; use 'or'");
            default: {
                std::size_t length = 1;  // quote a multi-byte UTF-8 character whole
                while (token.offset + length < text_.size() && (static_cast<unsigned char>(text_[token.offset + length]) & 0xC0) == 0x80)
                    ++length;
                throw SyntaxError(token.offset, "unexpected character '" + text_.substr(token.offset, length) + "'");
            }
        }
        token.text = std::string(1, c);
        return token;
    }

private:
    Token number(Token& token) {
        std::string digits;
        std::size_t end = pos_;
        auto digit_at = [&](std::size_t i) { return i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i])); };
        auto run = [&] {
            while (digit_at(end) || (text_[end] == '_' && end > pos_ && digit_at(end - 1) && digit_at(end + 1))) {
                if (text_[end] != '_') digits += text_[end];
                ++end;
            }
        };
        run();
        if (end < text_.size() && text_[end] == '.') digits += text_[end++], run();
        if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
            std::size_t mark = end;
            digits += text_[end++];
            if (end < text_.size() && (text_[end] == '+' || text_[end] == '-')) digits += text_[end++];
            if (!digit_at(end)) throw SyntaxError(mark, "a number's exponent needs digits, as in 1.5e6");
            run();
        }
        if (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '.')) {
            while (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '.')) ++end;
            throw SyntaxError(token.offset, "malformed number '" + text_.substr(pos_, end - pos_) + "'");
        }
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), token.number);
        if (ec != std::errc() || !std::isfinite(token.number))
            throw SyntaxError(token.offset, "number '" + text_.substr(pos_, end - pos_) + "' is out of range");
        token.kind = Token::Kind::number;
        token.text = text_.substr(pos_, end - pos_);
        pos_ = end;
        return token;
    }

    Token string(Token& token) {
        const char quote = text_[pos_++];
        std::string value;
        while (true) {
            if (pos_ >= text_.size()) throw SyntaxError(token.offset, "text starting here has no closing " + std::string(1, quote));
            char c = text_[pos_++];
            if (c == quote) break;
            if (c != '\\') {
                value += c;
                continue;
            }
            if (pos_ >= text_.size()) throw SyntaxError(pos_ - 1, "'\\' at the end of the expression");
            char e = text_[pos_++];
            switch (e) {
                case '"': case '\'': case '\\': value += e; break;
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'u': {
                    std::uint32_t cp = 0;
                    auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + std::min(pos_ + 4, text_.size()), cp, 16);
                    if (ec != std::errc() || ptr != text_.data() + pos_ + 4)
                        throw SyntaxError(pos_ - 2, "'\\u' needs four hex digits, as in \\u00e9");
                    append_utf8(value, cp);
                    pos_ += 4;
                    break;
                }
                default:
                    throw SyntaxError(pos_ - 2, std::string("unknown escape '\\") + e + "'; use \\\" \\' \\\\ \\n \\t or \\uXXXX");
            }
        }
        token.kind = Token::Kind::string;
        token.text = std::move(value);
        detail::compose(token.text);  // "e\u0301" is "\u00e9", as a proposal's text is read
        return token;
    }

    const std::string& text_;
    std::size_t pos_ = 0;
};

// Recursive descent, one function per precedence level.
class Parser {
public:
    Parser(const ExprText& expr) : expr_(expr), lexer_(expr.text) { advance(); }

    Ast parse() {
        Ast ast = parse_or();
        if (token_.kind != Token::Kind::end) throw SyntaxError(token_.offset, "unexpected " + describe(token_) + " after a complete expression");
        return ast;
    }

private:
    static constexpr int max_depth = 200;

    void advance() { token_ = lexer_.next(); }
    bool is_keyword(const char* word) const { return token_.kind == Token::Kind::name && token_.text == word; }
    bool is_op(const char* op) const { return token_.kind == Token::Kind::op && token_.text == op; }

    static std::string describe(const Token& token) {
        switch (token.kind) {
            case Token::Kind::end: return "end of expression";
            case Token::Kind::string: return "text \"" + token.text + "\"";
            case Token::Kind::comma: return "','";
            case Token::Kind::name: {
                const std::string keyword = keyword_in_other_case(token.text);
                return "'" + token.text + "'" + (keyword.empty() ? "" : " (keywords are lower case: '" + keyword + "')");
            }
            default: return "'" + token.text + "'";
        }
    }

    static Ast binary(std::string op, Ast left, Ast right, std::size_t offset) {
        Ast node;
        node.kind = Ast::Kind::binary;
        node.text = std::move(op);
        node.offset = offset;
        node.start = left.start;
        node.children.push_back(std::move(left));
        node.children.push_back(std::move(right));
        return node;
    }

    struct DepthGuard {
        explicit DepthGuard(Parser& p) : parser(p) {
            if (++parser.depth_ > max_depth)
                throw SyntaxError(parser.token_.offset, "expression nests deeper than " + std::to_string(max_depth) + " levels");
        }
        ~DepthGuard() { --parser.depth_; }
        Parser& parser;
    };

    Ast parse_or() {
        DepthGuard guard(*this);
        Ast left = parse_and();
        while (is_keyword("or")) {
            std::size_t at = token_.offset;
            advance();
            left = binary("or", std::move(left), parse_and(), at);
        }
        return left;
    }

    Ast parse_and() {
        Ast left = parse_not();
        while (is_keyword("and")) {
            std::size_t at = token_.offset;
            advance();
            left = binary("and", std::move(left), parse_not(), at);
        }
        return left;
    }

    Ast parse_not() {
        if (is_keyword("not")) {
            DepthGuard guard(*this);
            Ast node;
            node.kind = Ast::Kind::unary;
            node.text = "not";
            node.offset = node.start = token_.offset;
            advance();
            node.children.push_back(parse_not());
            return node;
        }
        return parse_comparison();
    }

    std::optional<std::string> comparison_operator() {
        if (token_.kind == Token::Kind::op &&
            (token_.text == "==" || token_.text == "!=" || token_.text == "<" || token_.text == "<=" ||
             token_.text == ">" || token_.text == ">="))
            return token_.text;
        if (is_keyword("in")) return "in";
        if (is_keyword("not")) return "not in";
        return std::nullopt;
    }

    Ast parse_comparison() {
        Ast left = parse_additive();
        auto op = comparison_operator();
        if (!op) return left;
        std::size_t at = token_.offset;
        advance();
        if (*op == "not in") {
            if (!is_keyword("in")) throw SyntaxError(token_.offset, "expected 'in' after 'not' here, as in: sector not in [\"textiles\"]");
            advance();
        }
        Ast node = binary(*op, std::move(left), parse_additive(), at);
        if (comparison_operator())
            throw SyntaxError(token_.offset, "comparisons cannot be chained; join them with 'and', as in: 1 <= x and x <= 5");
        return node;
    }

    Ast parse_additive() {
        Ast left = parse_multiplicative();
        while (is_op("+") || is_op("-")) {
            std::string op = token_.text;
            std::size_t at = token_.offset;
            advance();
            left = binary(op, std::move(left), parse_multiplicative(), at);
        }
        return left;
    }

    Ast parse_multiplicative() {
        Ast left = parse_unary();
        while (is_op("*") || is_op("/") || is_op("%")) {
            std::string op = token_.text;
            std::size_t at = token_.offset;
            advance();
            left = binary(op, std::move(left), parse_unary(), at);
        }
        return left;
    }

    Ast parse_unary() {
        if (is_op("-")) {
            DepthGuard guard(*this);
            Ast node;
            node.kind = Ast::Kind::unary;
            node.text = "-";
            node.offset = node.start = token_.offset;
            advance();
            node.children.push_back(parse_unary());
            return node;
        }
        return parse_primary();
    }

    Ast parse_primary() {
        Ast node;
        node.offset = node.start = token_.offset;
        switch (token_.kind) {
            case Token::Kind::number:
                node.kind = Ast::Kind::number;
                node.number = token_.number;
                node.text = token_.text;
                advance();
                return node;
            case Token::Kind::string:
                node.kind = Ast::Kind::string;
                node.text = token_.text;
                advance();
                return node;
            case Token::Kind::lparen: {
                const std::size_t paren = token_.offset;
                const SourceLoc opened = expr_.at(paren);
                advance();
                node = parse_or();
                node.start = paren;
                expect(Token::Kind::rparen, "')' to close the '(' opened at " + std::to_string(opened.line) + ":" + std::to_string(opened.col));
                return node;
            }
            case Token::Kind::lbracket: {
                DepthGuard guard(*this);
                node.kind = Ast::Kind::list;
                advance();
                if (token_.kind != Token::Kind::rbracket) {
                    node.children.push_back(parse_or());
                    while (token_.kind == Token::Kind::comma) {
                        advance();
                        node.children.push_back(parse_or());
                    }
                }
                expect(Token::Kind::rbracket, "']' to close the list");
                return node;
            }
            case Token::Kind::name: {
                if (token_.text == "true" || token_.text == "false") {
                    node.kind = Ast::Kind::boolean;
                    node.boolean = token_.text == "true";
                    node.text = token_.text;
                    advance();
                    return node;
                }
                if (token_.text == "and" || token_.text == "or" || token_.text == "in" || token_.text == "not")
                    throw SyntaxError(token_.offset, "expected a value before '" + token_.text + "'");
                node.text = token_.text;
                const std::size_t at = token_.offset;
                advance();
                // NOT x: a name, then a value, where a keyword in another case was meant.
                const bool value_next = token_.kind == Token::Kind::name || token_.kind == Token::Kind::number || token_.kind == Token::Kind::string;
                if (const std::string keyword = keyword_in_other_case(node.text); !keyword.empty() && value_next)
                    throw SyntaxError(at, "unexpected '" + node.text + "' (keywords are lower case: '" + keyword + "')");
                if (token_.kind != Token::Kind::lparen) {
                    node.kind = Ast::Kind::name;
                    return node;
                }
                DepthGuard guard(*this);
                node.kind = Ast::Kind::call;
                advance();
                if (token_.kind != Token::Kind::rparen) {
                    node.children.push_back(parse_or());
                    while (token_.kind == Token::Kind::comma) {
                        advance();
                        node.children.push_back(parse_or());
                    }
                }
                expect(Token::Kind::rparen, "')' to close the arguments of " + node.text + "(");
                return node;
            }
            default:
                throw SyntaxError(token_.offset, "expected a value, found " + describe(token_));
        }
    }

    void expect(Token::Kind kind, const std::string& what) {
        if (token_.kind != kind) throw SyntaxError(token_.offset, "expected " + what + ", found " + describe(token_));
        advance();
    }

    const ExprText& expr_;
    Lexer lexer_;
    Token token_;
    int depth_ = 0;
};

}  // namespace

namespace {

std::size_t depth_of(const Ast& root) {
    std::size_t deepest = 0;
    std::vector<std::pair<const Ast*, std::size_t>> stack{{&root, 1}};
    while (!stack.empty()) {
        auto [node, depth] = stack.back();
        stack.pop_back();
        deepest = std::max(deepest, depth);
        for (const Ast& child : node->children) stack.emplace_back(&child, depth + 1);
    }
    return deepest;
}

}  // namespace

std::string keyword_in_other_case(const std::string& word) {
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* keyword : {"and", "or", "not", "in", "true", "false"})
        if (lower == keyword && word != keyword) return lower;
    return "";
}

std::unique_ptr<Ast> parse_expression(const ExprText& expr, Diagnostics& diagnostics) {
    // Limits keep hostile rule files from exhausting the stack of the (recursive) checker and evaluator.
    const std::size_t max_length = limits().max_expression_length, max_depth = limits().max_expression_depth;
    if (expr.text.size() > max_length) {
        diagnostics.push_back({expr.at(0), Severity::error,
                               "expression is " + std::to_string(expr.text.size()) + " characters long; the limit is " +
                                   std::to_string(max_length) + " (split it into lets)"});
        return nullptr;
    }
    try {
        auto ast = std::make_unique<Ast>(Parser(expr).parse());
        if (depth_of(*ast) > max_depth) {
            diagnostics.push_back({expr.at(0), Severity::error,
                                   "expression nests more than " + std::to_string(max_depth) + " operations deep (split it into lets)"});
            return nullptr;
        }
        return ast;
    } catch (const SyntaxError& e) {
        diagnostics.push_back({expr.at(e.offset), Severity::error, e.message});
        return nullptr;
    }
}

}  // namespace screener::detail
