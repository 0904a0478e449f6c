// Expressions, stage two: syntax tree -> typed nodes in a Program, with names resolved to input slots
// and let indexes, every type error reported, and constant sub-expressions folded. Private.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "expr_parse.hpp"
#include "program.hpp"
#include "screener/compile.hpp"

namespace screener::detail {

// What a name in an expression refers to.
struct Symbol {
    enum class Kind { input, let } kind = Kind::input;
    Type type = Type::number;
    std::uint32_t index = 0;      // input slot (an enum's is its row of Program::enum_values), or let index
    bool is_enum = false;
    const std::vector<std::string>* enum_values = nullptr;
    SourceLoc where;
    bool defined = true;          // false for lets declared later than the expression using them
    bool broken = false;          // a let whose own expression has errors
};

class ExprCompiler {
public:
    ExprCompiler(Program& program, Diagnostics& diagnostics) : program_(program), diagnostics_(diagnostics) {}

    void declare(const std::string& name, Symbol symbol) { symbols_[name] = std::move(symbol); }
    // The let being compiled, so a reference to itself gets its own message (nullptr otherwise).
    void compiling(const Symbol* let) { compiling_ = let; }
    Symbol* find(const std::string& name);

    // Parses, checks and compiles `expr`, which must have type `want` (any type when nullopt).
    // `what` names the expression in messages ("gate 'x' 'require'"). Returns the root node, or nullopt.
    std::optional<std::pair<std::uint32_t, Type>> compile(const ExprText& expr, std::optional<Type> want,
                                                          const std::string& what);

    // How often each input and let is read, for the unused-name lint.
    const std::map<std::string, int>& use_counts() const { return use_counts_; }

private:
    struct Checked {
        std::uint32_t node;
        Type type;
        const Symbol* enum_symbol = nullptr;  // set when the node reads an enum input, or a list input of allowed values, directly
    };
    class Failed {};

    Checked check(const Ast& ast);
    Checked check_binary(const Ast& ast);
    Checked check_call(const Ast& ast);
    Checked expect(const Ast& ast, Type type, const std::string& context);
    std::uint32_t add(Node node);
    std::uint32_t fold(std::uint32_t index);
    std::uint32_t depth(std::uint32_t node) const;
    [[noreturn]] void fail(std::size_t offset, const std::string& message);
    // `via`: the let the value was written in, when it is not written where it is compared.
    void enum_value_check(const Symbol& symbol, const std::string& value, std::size_t offset, const std::string& via = "");
    const Node* constant_text(std::uint32_t node, std::string& via) const;
    Checked membership(const Checked& item, const Ast& item_ast, const Checked& list, const Ast& list_ast, bool negated);

    Program& program_;
    Diagnostics& diagnostics_;
    std::map<std::string, Symbol> symbols_;
    const ExprText* current_ = nullptr;
    const Symbol* compiling_ = nullptr;
    std::map<std::string, int> use_counts_;
    std::vector<std::uint32_t> let_depths_;  // by let index: depth(its root)
    std::vector<std::uint32_t> let_roots_;   // by let index: its root node
};

}  // namespace screener::detail
