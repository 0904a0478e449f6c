#include "expr_check.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "screener/limits.hpp"

namespace screener::detail {

std::string_view to_string(Type type) {
    static constexpr std::string_view names[] = {"a number", "true/false", "text", "a list"};
    return names[static_cast<int>(type)];
}

namespace {

const std::vector<std::string> function_names = {"min", "max", "clamp", "abs", "round", "if", "count", "contains", "len"};

bool is_constant(const Node& node) { return node.op == Op::number || node.op == Op::boolean; }

}  // namespace

Symbol* ExprCompiler::find(const std::string& name) {
    auto it = symbols_.find(name);
    return it == symbols_.end() ? nullptr : &it->second;
}

void ExprCompiler::fail(std::size_t offset, const std::string& message) {
    diagnostics_.push_back({current_->at(offset), Severity::error, message});
    throw Failed{};
}

std::uint32_t ExprCompiler::add(Node node) {
    program_.nodes.push_back(node);
    return static_cast<std::uint32_t>(program_.nodes.size() - 1);
}

// Levels deep, as the parser counts them (`x + x` is 2), counting those of each let used as if it
// were written out in place. The walk stops at lets (their depth is kept), so it recurses no deeper
// than the expression itself.
std::uint32_t ExprCompiler::depth(std::uint32_t node) const {
    const Node& n = program_.nodes[node];
    switch (n.op) {
        case Op::enum_in_set:  // its operand is an input slot
            return 2;
        case Op::let_number: case Op::let_boolean: case Op::let_string: case Op::let_list:
            return n.a < let_depths_.size() ? let_depths_[n.a] : 0;
        default: {
            std::uint32_t deepest = 0;  // 0 for a leaf
            for_each_operand(program_, n, [&](std::uint32_t operand) { deepest = std::max(deepest, depth(operand)); });
            return 1 + deepest;
        }
    }
}

// Replaces a node whose operands are all constants by its value, when that value is data.
std::uint32_t ExprCompiler::fold(std::uint32_t index) {
    Node& node = program_.nodes[index];
    if (node.type != Type::number && node.type != Type::boolean) return index;
    auto operands_constant = [&] {
        switch (node.op) {
            case Op::negate: case Op::abs: case Op::logical_not:
                return is_constant(program_.nodes[node.a]);
            case Op::add: case Op::subtract: case Op::multiply: case Op::divide: case Op::remainder:
            case Op::less: case Op::less_equal: case Op::greater: case Op::greater_equal:
            case Op::equal_number: case Op::not_equal_number: case Op::equal_boolean: case Op::not_equal_boolean:
            case Op::logical_and: case Op::logical_or: case Op::round:
                return is_constant(program_.nodes[node.a]) && is_constant(program_.nodes[node.b]);
            case Op::clamp: case Op::if_number: case Op::if_boolean:
                return is_constant(program_.nodes[node.a]) && is_constant(program_.nodes[node.b]) &&
                       is_constant(program_.nodes[node.c]);
            case Op::min: case Op::max:
                return std::all_of(program_.args.begin() + node.a, program_.args.begin() + node.a + node.b,
                                   [&](std::uint32_t arg) { return is_constant(program_.nodes[arg]); });
            default:
                return false;
        }
    };
    if (!operands_constant()) return index;
    static const Proposal nothing;
    static const LetValues no_lets;
    Evaluator evaluator(program_, nothing, no_lets);
    Node folded;
    folded.type = node.type;
    if (node.type == Type::number) {
        folded.op = Op::number;
        folded.number = evaluator.number(index);
        if (std::isnan(folded.number)) return index;  // keep "no data" (e.g. x / 0) visible in the plan
    } else {
        folded.op = Op::boolean;
        Tri value = evaluator.boolean(index);
        if (value == Tri::no_data) return index;
        folded.number = value == Tri::yes ? 1 : 0;
    }
    program_.nodes[index] = folded;  // its operands stay in the pool, unreferenced
    return index;
}

std::optional<std::pair<std::uint32_t, Type>> ExprCompiler::compile(const ExprText& expr, std::optional<Type> want,
                                                                    const std::string& what) {
    current_ = &expr;
    auto ast = parse_expression(expr, diagnostics_);
    if (!ast) return std::nullopt;
    try {
        Checked root = check(*ast);
        if (want && root.type != *want)
            fail(ast->start, what + " must give " + std::string(to_string(*want)) + ", but this expression gives " +
                                  std::string(to_string(root.type)));
        // The walks over compiled expressions (the lint, "no data" reasons, advice) recurse through
        // the lets an expression uses: the parser's limit on depth must hold for them written out too.
        const std::uint32_t deep = depth(root.node);
        if (deep > limits().max_expression_depth)
            fail(ast->start, "expression nests more than " + std::to_string(limits().max_expression_depth) +
                                  " operations deep with the lets it uses written out (use fewer levels of lets)");
        if (compiling_) {
            if (let_depths_.size() <= compiling_->index) let_depths_.resize(compiling_->index + 1, 0);
            let_depths_[compiling_->index] = deep;
            if (let_roots_.size() <= compiling_->index) let_roots_.resize(compiling_->index + 1, 0);
            let_roots_[compiling_->index] = root.node;
        }
        return std::pair{root.node, root.type};
    } catch (const Failed&) {
        return std::nullopt;
    }
}

ExprCompiler::Checked ExprCompiler::expect(const Ast& ast, Type type, const std::string& context) {
    Checked checked = check(ast);
    if (checked.type != type)
        fail(ast.start, context + " needs " + std::string(to_string(type)) + ", found " + std::string(to_string(checked.type)));
    return checked;
}

void ExprCompiler::enum_value_check(const Symbol& symbol, const std::string& value, std::size_t offset, const std::string& via) {
    const auto& values = *symbol.enum_values;
    if (std::find(values.begin(), values.end(), value) != values.end()) return;
    std::string name;
    for (const auto& [key, s] : symbols_)
        if (&s == &symbol) name = key;
    const std::string hint = did_you_mean(value, values);
    fail(offset, (via.empty() ? "'" + value + "'" : "let '" + via + "' holds '" + value + "', which") + " is not a value of '" + name + "'" +
                     (hint.empty() ? "; its values are " + listed(values) : hint));
}

// The text or list constant `node` is, written in place or in a let (named in `via`, the let it is
// written in when lets name lets), or nullptr:
// an enum compared with it is checked against the enum's values either way.
const Node* ExprCompiler::constant_text(std::uint32_t node, std::string& via) const {
    for (const Node* n = &program_.nodes[node];; n = &program_.nodes[let_roots_[n->a]]) {
        if (n->op == Op::string || n->op == Op::list) return n;
        if ((n->op != Op::let_string && n->op != Op::let_list) || n->a >= let_roots_.size()) return nullptr;
        for (const auto& [key, s] : symbols_)  // the let the text is written in is the last one followed
            if (s.kind == Symbol::Kind::let && s.index == n->a) via = key;
    }
}

// `item in list` (negated: `not in`), and contains(list, item), their types checked.
ExprCompiler::Checked ExprCompiler::membership(const Checked& item, const Ast& item_ast, const Checked& list, const Ast& list_ast, bool negated) {
    Node node;
    node.type = Type::boolean;
    node.negated = negated;
    std::string via;
    // Text looked for in a list input of allowed values must be one of them.
    if (const Node* text = list.enum_symbol ? constant_text(item.node, via) : nullptr; text && text->op == Op::string)
        enum_value_check(*list.enum_symbol, program_.strings[text->a], via.empty() ? item_ast.offset : item_ast.start, via);
    via.clear();
    const Node* constant = item.enum_symbol ? constant_text(list.node, via) : nullptr;
    if (constant && constant->op == Op::list) {
        const auto& items = program_.lists[constant->a];
        for (std::size_t k = 0; k < items.size(); ++k)
            if (via.empty()) enum_value_check(*item.enum_symbol, list_ast.children[k].text, list_ast.children[k].offset);
            else enum_value_check(*item.enum_symbol, items[k], list_ast.start, via);
        if (item.enum_symbol->enum_values->size() <= 64) {
            const auto& values = *item.enum_symbol->enum_values;
            node.op = Op::enum_in_set;
            node.a = item.enum_symbol->index;
            for (const auto& text : items)
                node.mask |= std::uint64_t{1} << (std::find(values.begin(), values.end(), text) - values.begin());
            return {add(node), Type::boolean};
        }
    }
    node.op = Op::string_in_list;
    node.a = item.node;
    node.b = list.node;
    return {add(node), Type::boolean};
}

ExprCompiler::Checked ExprCompiler::check(const Ast& ast) {
    Node node;
    switch (ast.kind) {
        case Ast::Kind::number:
            node.op = Op::number;
            node.number = ast.number;
            return {add(node), Type::number};
        case Ast::Kind::boolean:
            node.op = Op::boolean;
            node.type = Type::boolean;
            node.number = ast.boolean ? 1 : 0;
            return {add(node), Type::boolean};
        case Ast::Kind::string:
            node.op = Op::string;
            node.type = Type::string;
            node.a = static_cast<std::uint32_t>(program_.strings.size());
            program_.strings.push_back(ast.text);
            return {add(node), Type::string};
        case Ast::Kind::list: {
            std::vector<std::string> items;
            for (const Ast& item : ast.children) {
                if (item.kind != Ast::Kind::string)
                    fail(item.offset, "a list may only hold text values, as in [\"electronics\", \"semiconductors\"]");
                items.push_back(item.text);
            }
            node.op = Op::list;
            node.type = Type::list;
            node.a = static_cast<std::uint32_t>(program_.lists.size());
            program_.lists.push_back(std::move(items));
            return {add(node), Type::list};
        }
        case Ast::Kind::name: {
            Symbol* symbol = find(ast.text);
            if (!symbol) {
                std::vector<std::string> names;
                if (diagnostics_.size() < suggestions_until)
                    for (const auto& [key, s] : symbols_)
                        if (s.defined) names.push_back(key);
                bool known_function = std::find(function_names.begin(), function_names.end(), ast.text) != function_names.end();
                if (known_function) fail(ast.offset, "'" + ast.text + "' is a function; call it as " + ast.text + "(...)");
                // `coal-power` unquoted reads as coal - power: say so when the whole word is an enum's value.
                const std::string& text = current_->text;
                std::size_t end = ast.offset + ast.text.size();
                auto name_char = [&](std::size_t at) { return at < text.size() && (std::isalnum(static_cast<unsigned char>(text[at])) || text[at] == '_'); };
                while (end < text.size() && text[end] == '-' && name_char(end + 1))
                    for (++end; name_char(end); ++end) {
                    }
                if (const std::string word = text.substr(ast.offset, end - ast.offset); word != ast.text)
                    for (const auto& [key, s] : symbols_)
                        if (s.enum_values && std::find(s.enum_values->begin(), s.enum_values->end(), word) != s.enum_values->end())
                            fail(ast.offset, "unknown input '" + ast.text + "': the text \"" + word + "\", a value of '" + key + "', must be quoted");
                if (const std::string keyword = keyword_in_other_case(ast.text); !keyword.empty())
                    fail(ast.offset, "unknown input '" + ast.text + "'; keywords are lower case: '" + keyword + "'");
                fail(ast.offset, "unknown input '" + ast.text + "'" + did_you_mean(ast.text, names));
            }
            if (symbol->broken) throw Failed{};  // its own error is reported; don't pile on where it is used
            if (symbol == compiling_)
                fail(ast.offset, "let '" + ast.text + "' refers to itself; a let may only use inputs and earlier lets");
            if (!symbol->defined)
                fail(ast.offset, "let '" + ast.text + "' is defined later (line " + std::to_string(symbol->where.line) +
                                     "); a let may only use inputs and earlier lets");
            ++use_counts_[ast.text];
            node.type = symbol->type;
            node.a = symbol->index;
            if (symbol->kind == Symbol::Kind::let) {
                static constexpr Op ops[] = {Op::let_number, Op::let_boolean, Op::let_string, Op::let_list};
                node.op = ops[static_cast<int>(symbol->type)];
                return {add(node), symbol->type};
            }
            if (symbol->is_enum) {
                node.op = Op::input_enum;
                node.b = symbol->index;
                return {add(node), Type::string, symbol};
            }
            static constexpr Op ops[] = {Op::input_number, Op::input_boolean, Op::input_string, Op::input_list};
            node.op = ops[static_cast<int>(symbol->type)];
            return {add(node), symbol->type, symbol->enum_values ? symbol : nullptr};  // a list input's values are checked too
        }
        case Ast::Kind::unary: {
            if (ast.text == "-") {
                node.op = Op::negate;
                node.a = expect(ast.children[0], Type::number, "'-'").node;
            } else {
                node.op = Op::logical_not;
                node.type = Type::boolean;
                node.a = expect(ast.children[0], Type::boolean, "'not'").node;
            }
            return {fold(add(node)), node.type};
        }
        case Ast::Kind::binary:
            return check_binary(ast);
        case Ast::Kind::call:
            return check_call(ast);
    }
    fail(ast.offset, "unsupported expression");
}

ExprCompiler::Checked ExprCompiler::check_binary(const Ast& ast) {
    const std::string& op = ast.text;
    const Ast& left_ast = ast.children[0];
    const Ast& right_ast = ast.children[1];
    Node node;
    node.type = Type::boolean;

    if (op == "and" || op == "or") {
        node.op = op == "and" ? Op::logical_and : Op::logical_or;
        node.a = expect(left_ast, Type::boolean, "'" + op + "'").node;
        node.b = expect(right_ast, Type::boolean, "'" + op + "'").node;
        return {fold(add(node)), Type::boolean};
    }

    static const std::map<std::string, Op> arithmetic = {
        {"+", Op::add}, {"-", Op::subtract}, {"*", Op::multiply}, {"/", Op::divide}, {"%", Op::remainder}};
    if (auto it = arithmetic.find(op); it != arithmetic.end()) {
        node.op = it->second;
        node.type = Type::number;
        Checked left = check(left_ast), right = check(right_ast);
        for (auto [side, checked, at] : {std::tuple{"left", left, left_ast.start}, std::tuple{"right", right, right_ast.start}})
            if (checked.type != Type::number)
                fail(at, "'" + op + "' needs a number on the " + side + ", found " + std::string(to_string(checked.type)));
        node.a = left.node;
        node.b = right.node;
        return {fold(add(node)), Type::number};
    }

    if (op == "in" || op == "not in") {
        Checked left = check(left_ast);
        if (left.type != Type::string)
            fail(left_ast.start, "'" + op + "' looks for text in a list, but the left side is " + std::string(to_string(left.type)));
        Checked right = check(right_ast);
        if (right.type != Type::list)
            fail(right_ast.start, "'" + op + "' needs a list on the right, found " + std::string(to_string(right.type)));
        return membership(left, left_ast, right, right_ast, op == "not in");
    }

    // Comparisons.
    Checked left = check(left_ast), right = check(right_ast);
    const bool equality = op == "==" || op == "!=";
    if (!equality) {
        for (auto [side, checked, at] : {std::tuple{"left", left, left_ast.start}, std::tuple{"right", right, right_ast.start}})
            if (checked.type != Type::number)
                fail(at, "'" + op + "' compares numbers, but the " + side + " side is " + std::string(to_string(checked.type)));
        static const std::map<std::string, Op> ordering = {
            {"<", Op::less}, {"<=", Op::less_equal}, {">", Op::greater}, {">=", Op::greater_equal}};
        node.op = ordering.at(op);
    } else {
        if (left.type != right.type)
            fail(ast.offset, "'" + op + "' compares " + std::string(to_string(left.type)) + " with " +
                                 std::string(to_string(right.type)) + "; both sides must be of the same kind");
        if (left.type == Type::list) fail(ast.offset, "lists cannot be compared with '" + op + "'; use 'in' or contains()");
        // An enum compared with a constant: check the constant is one of its values, test by index.
        for (auto [mine, other, other_ast] : {std::tuple{left, right, &right_ast}, std::tuple{right, left, &left_ast}}) {
            std::string via;
            const Node* constant = mine.enum_symbol ? constant_text(other.node, via) : nullptr;
            if (!constant) continue;
            const std::string& text = program_.strings[constant->a];
            enum_value_check(*mine.enum_symbol, text, via.empty() ? other_ast->offset : other_ast->start, via);
            const auto& values = *mine.enum_symbol->enum_values;
            if (values.size() > 64) break;
            node.op = Op::enum_in_set;
            node.negated = op == "!=";
            node.a = mine.enum_symbol->index;
            node.mask = std::uint64_t{1} << (std::find(values.begin(), values.end(), text) - values.begin());
            return {add(node), Type::boolean};
        }
        static constexpr Op equal_ops[] = {Op::equal_number, Op::equal_boolean, Op::equal_string};
        static constexpr Op not_equal_ops[] = {Op::not_equal_number, Op::not_equal_boolean, Op::not_equal_string};
        node.op = (op == "==" ? equal_ops : not_equal_ops)[static_cast<int>(left.type)];
    }
    node.a = left.node;
    node.b = right.node;
    return {fold(add(node)), Type::boolean};
}

ExprCompiler::Checked ExprCompiler::check_call(const Ast& ast) {
    const std::string& name = ast.text;
    const auto& args = ast.children;
    const std::size_t n = args.size();
    auto arity = [&](std::size_t lo, std::size_t hi, const std::string& signature) {
        if (n < lo || n > hi)
            fail(ast.offset, name + "() takes " + signature + ", found " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
    };
    Node node;
    if (name == "min" || name == "max") {
        if (n < 2) fail(ast.offset, name + "() takes at least 2 arguments, found " + std::to_string(n));
        std::vector<std::uint32_t> nodes;
        for (const Ast& arg : args) nodes.push_back(expect(arg, Type::number, name + "()").node);
        node.op = name == "min" ? Op::min : Op::max;
        node.a = static_cast<std::uint32_t>(program_.args.size());
        node.b = static_cast<std::uint32_t>(n);
        program_.args.insert(program_.args.end(), nodes.begin(), nodes.end());
        return {fold(add(node)), Type::number};
    }
    if (name == "clamp") {
        arity(3, 3, "3 arguments (x, lo, hi)");
        node.op = Op::clamp;
        node.a = expect(args[0], Type::number, "clamp()").node;
        node.b = expect(args[1], Type::number, "clamp()").node;
        node.c = expect(args[2], Type::number, "clamp()").node;
        return {fold(add(node)), Type::number};
    }
    if (name == "abs") {
        arity(1, 1, "1 argument");
        node.op = Op::abs;
        node.a = expect(args[0], Type::number, "abs()").node;
        return {fold(add(node)), Type::number};
    }
    if (name == "round") {
        arity(1, 2, "1 or 2 arguments (x[, digits])");
        node.op = Op::round;
        node.a = expect(args[0], Type::number, "round()").node;
        node.b = n == 2 ? expect(args[1], Type::number, "round() digits").node : node.a;
        return {fold(add(node)), Type::number};
    }
    if (name == "if") {
        arity(3, 3, "3 arguments (condition, then, else)");
        node.a = expect(args[0], Type::boolean, "if() condition").node;
        Checked then = check(args[1]), otherwise = check(args[2]);
        if (then.type != otherwise.type)
            fail(args[2].start, "if() gives " + std::string(to_string(then.type)) + " when true but " +
                                     std::string(to_string(otherwise.type)) + " when false; both must be of the same kind");
        static constexpr Op ops[] = {Op::if_number, Op::if_boolean, Op::if_string, Op::if_list};
        node.op = ops[static_cast<int>(then.type)];
        node.type = then.type;
        node.b = then.node;
        node.c = otherwise.node;
        return {fold(add(node)), node.type};
    }
    if (name == "count") {
        arity(1, 1, "1 argument (a list)");
        node.op = Op::count;
        node.a = expect(args[0], Type::list, "count()").node;
        return {add(node), Type::number};
    }
    if (name == "contains") {
        arity(2, 2, "2 arguments (list, text)");
        const Checked list = expect(args[0], Type::list, "contains() first argument");
        const Checked item = expect(args[1], Type::string, "contains() second argument");
        return membership(item, args[1], list, args[0], false);  // as `item in list`
    }
    if (name == "len") {
        arity(1, 1, "1 argument (text)");
        node.op = Op::len;
        node.a = expect(args[0], Type::string, "len()").node;
        return {add(node), Type::number};
    }
    if (const std::string keyword = keyword_in_other_case(name); !keyword.empty())
        fail(ast.offset, "unknown function '" + name + "'; keywords are lower case: '" + keyword + "'");
    fail(ast.offset, "unknown function '" + name + "'" + did_you_mean(name, function_names));
}

}  // namespace screener::detail
