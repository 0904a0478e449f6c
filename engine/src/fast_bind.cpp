#include "fast_bind.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <simdjson.h>

#include "screener/compile.hpp"

namespace screener::detail {

namespace {

namespace od = simdjson::ondemand;

// The rule set's input names as a tree of JSON keys ("environment.iso14001" nests).
struct KeyTree {
    struct Node {
        std::string key;
        int input = -1;  // index into rules.inputs, for a leaf
        std::vector<Node> children;
    };
    Node root;

    explicit KeyTree(const CompiledRules& rules) {
        for (std::size_t i = 0; i < rules.inputs.size(); ++i) {
            Node* node = &root;
            for (const auto& part : rules.inputs[i].path) {
                auto it = std::find_if(node->children.begin(), node->children.end(), [&](const Node& n) { return n.key == part; });
                if (it == node->children.end()) {
                    node->children.push_back(Node{part, -1, {}});
                    it = node->children.end() - 1;
                }
                node = &*it;
            }
            node->input = static_cast<int>(i);
        }
    }
};

class FastBinder {
public:
    FastBinder(const CompiledRules& rules, const KeyTree& tree) : rules_(rules), tree_(tree) {}

    // false: not the ordinary case; let the ordinary path explain.
    bool object(od::object object, const KeyTree::Node& node, Proposal& p, std::vector<std::uint8_t>& seen) {
        std::vector<std::string> keys;  // a repeated key makes the proposal invalid: the ordinary path says so
        for (auto field : object) {
            std::string_view key;
            if (field.unescaped_key().get(key)) return false;
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) return false;
            keys.emplace_back(key);
            od::value value;
            if (field.value().get(value)) return false;
            if (&node == &tree_.root && (key == "id" || key == "name")) {
                std::string_view text;
                bool null = false;
                if (key == "name" && value.is_null().get(null)) return false;  // malformed: the ordinary path explains
                if (null) continue;
                if (value.get_string().get(text)) return false;
                (key == "id" ? p.id : p.name).assign(text);
                continue;
            }
            const KeyTree::Node* child = nullptr;
            for (const auto& c : node.children)
                if (c.key == key) child = &c;
            if (!child) {  // other keys are ignored, but objects inside them may repeat keys: let the ordinary path look
                od::json_type type;
                if (value.type().get(type)) return false;
                if (type == od::json_type::object) return false;
                if (type == od::json_type::array) {
                    od::array array;
                    if (value.get_array().get(array)) return false;
                    for (auto item : array) {
                        od::value item_value;
                        od::json_type item_type;
                        if (item.get(item_value) || item_value.type().get(item_type) || !valid_scalar(item_value, item_type)) return false;
                    }
                } else if (!valid_scalar(value, type)) {
                    return false;
                }
                continue;
            }
            bool null = false;
            if (value.is_null().get(null)) return false;
            if (null) {
                if (child->input >= 0) return false;  // null counts as absent: rare enough for the ordinary path
                continue;
            }
            if (child->input >= 0) {
                if (!store(rules_.inputs[static_cast<std::size_t>(child->input)], value, p)) return false;
                seen[static_cast<std::size_t>(child->input)] = 1;
                if (!child->children.empty()) return false;  // cannot happen: compile rejects a value with nested inputs
                continue;
            }
            od::object nested;
            if (value.get_object().get(nested)) return false;
            if (!this->object(nested, *child, p, seen)) return false;
        }
        return true;
    }

private:
    // On-Demand does not validate what it skips: read each skipped scalar, so that malformed text
    // ("\w" escapes, tru, 01, ...) goes to the ordinary path, which calls it malformed JSON.
    static bool valid_scalar(od::value value, od::json_type type) {
        switch (type) {
            case od::json_type::string: {
                std::string_view text;
                return !value.get_string().get(text);
            }
            case od::json_type::number: {
                double number = 0;
                return !value.get_double().get(number);
            }
            case od::json_type::boolean: {
                bool flag = false;
                return !value.get_bool().get(flag);
            }
            case od::json_type::null: {
                bool null = false;
                return !value.is_null().get(null) && null;
            }
            default:
                return false;
        }
    }

    static bool store(const CompiledInput& input, od::value value, Proposal& p) {
        switch (input.type) {
            case InputType::number:
            case InputType::integer: {
                double v = 0;
                if (value.get_double().get(v) || !std::isfinite(v)) return false;
                if (input.type == InputType::integer && v != std::trunc(v)) return false;
                if ((input.min && v < *input.min) || (input.max && v > *input.max)) return false;
                p.numbers[input.slot] = v == 0 ? 0.0 : v;
                return true;
            }
            case InputType::boolean: {
                bool v = false;
                if (value.get_bool().get(v)) return false;
                p.numbers[input.slot] = v ? 1 : 0;
                return true;
            }
            case InputType::string: {
                std::string_view text;
                if (value.get_string().get(text)) return false;
                p.strings[input.slot].assign(text);
                p.string_present[input.slot] = 1;
                return true;
            }
            case InputType::enumeration: {
                std::string_view text;
                if (value.get_string().get(text)) return false;
                for (std::size_t k = 0; k < input.values.size(); ++k)
                    if (input.values[k] == text) {
                        p.numbers[input.slot] = static_cast<double>(k);
                        return true;
                    }
                return false;
            }
            case InputType::list: {
                od::array array;
                if (value.get_array().get(array)) return false;
                auto& items = p.lists[input.slot];
                items.clear();
                for (auto item : array) {
                    std::string_view text;
                    if (item.get_string().get(text)) return false;
                    items.emplace_back(text);
                }
                p.list_present[input.slot] = 1;
                return true;
            }
        }
        return false;
    }

    const CompiledRules& rules_;
    const KeyTree& tree_;
};

}  // namespace

std::optional<Proposal> fast_bind(const CompiledRules& rules, std::string_view text, std::size_t capacity, const SourceLoc& source) {
    thread_local od::parser parser;
    thread_local const CompiledRules* tree_rules = nullptr;
    thread_local std::string tree_sha256;  // a rule set compiled later may reuse a freed one's address
    thread_local std::unique_ptr<KeyTree> tree;
    thread_local Proposal blank;  // every slot absent but for the defaults
    if (tree_rules != &rules || tree_sha256 != rules.sha256) {
        tree = std::make_unique<KeyTree>(rules), tree_rules = &rules, tree_sha256 = rules.sha256;
        blank = Proposal{};
        blank.numbers.assign(rules.number_slots, std::nan(""));
        blank.strings.assign(rules.string_slots, std::string());
        blank.string_present.assign(rules.string_slots, 0);
        blank.lists.assign(rules.list_slots, {});
        blank.list_present.assign(rules.list_slots, 0);
        for (const auto& input : rules.inputs)
            if (!input.default_value.is_null()) store_value(input, input.default_value, blank);
    }

    Proposal p = blank;
    p.source = source;
    std::vector<std::uint8_t> seen(rules.inputs.size(), 0);

    od::document doc;
    if (parser.iterate(text.data(), text.size(), capacity).get(doc)) return std::nullopt;
    od::object object;
    if (doc.get_object().get(object)) return std::nullopt;
    FastBinder binder(rules, *tree);
    if (!binder.object(object, tree->root, p, seen)) return std::nullopt;
    const char* rest = nullptr;
    if (!doc.current_location().get(rest) || p.id.empty()) return std::nullopt;  // text after the object
    for (std::size_t i = 0; i < rules.inputs.size(); ++i)
        if (!seen[i] && rules.inputs[i].required) return std::nullopt;
    return p;
}

}  // namespace screener::detail
