#include "fast_bind.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "screener/compile.hpp"
#include "utf8.hpp"

namespace screener::detail {

namespace {

namespace od = simdjson::ondemand;

// What binding needs of a rule set, built once per rule set and thread: its input names as a tree
// of JSON keys ("environment.iso14001" nests), the blank proposal, and scratch space that every
// record reuses, so the ordinary record allocates nothing but the Proposal it returns.
struct Plan {
    // A key's JSON text and closing quote, as words to compare with the text a field's key starts
    // with: a memcmp call a key (unsafe_is_equal's) took a tenth of binding. Only keys of up to 31
    // bytes written plainly (no quotes or backslashes to escape) have one; others never match here.
    struct KeyText {
        std::uint64_t words[4] = {}, mask[4] = {};

        KeyText() = default;
        explicit KeyText(std::string_view key) {
            char text[32] = {}, significant[32] = {};
            if (key.size() >= sizeof text || key.find_first_of("\"\\") != std::string_view::npos) return;
            key.copy(text, key.size());
            text[key.size()] = '"';
            std::fill(significant, significant + key.size() + 1, '\xff');
            std::memcpy(words, text, sizeof text);
            std::memcpy(mask, significant, sizeof significant);
        }
        // `raw`: a key's text just past its opening quote, in a document with simdjson's padding
        // after it, so 32 bytes can be read from there.
        bool matches(const char* raw) const {
            if (mask[0] == 0) return false;  // no text to compare
            std::uint64_t differ = 0;
            for (int i = 0; i < 4; ++i) {
                std::uint64_t word;
                std::memcpy(&word, raw + 8 * i, sizeof word);
                differ |= (word ^ words[i]) & mask[i];
            }
            return differ == 0;
        }
    };
    struct Node {
        std::string key;
        int input = -1;          // index into rules.inputs, for a leaf
        std::size_t index = 0;   // into `seen`
        std::vector<Node> children;
        KeyText text;            // for the key expected next
    };
    Node root;
    std::size_t nodes = 0;             // the root's descendants
    std::vector<std::size_t> required;  // the nodes of required inputs
    Proposal blank;                     // every slot absent but for the defaults

    // Per record: the nodes whose key was read (a key read twice makes the proposal invalid: the
    // ordinary path says so), and the keys read that no input uses, with the object they are in.
    std::vector<std::uint8_t> seen;
    std::vector<std::pair<const Node*, std::string_view>> ignored;

    explicit Plan(const CompiledRules& rules) {
        for (std::size_t i = 0; i < rules.inputs.size(); ++i) {
            Node* node = &root;
            for (const auto& part : rules.inputs[i].path) {
                auto it = std::find_if(node->children.begin(), node->children.end(), [&](const Node& n) { return n.key == part; });
                if (it == node->children.end()) {
                    // At the top, "id" and "name" are the proposal's own (compile keeps inputs off them).
                    const bool own = node == &root && (part == "id" || part == "name");
                    node->children.push_back(Node{part, -1, 0, {}, own ? KeyText() : KeyText(part)});
                    it = node->children.end() - 1;
                }
                node = &*it;
            }
            node->input = static_cast<int>(i);
        }
        number(root);
        seen.assign(nodes, 0);
        collect_required(rules, root);

        blank.numbers.assign(rules.number_slots, std::nan(""));
        blank.strings.assign(rules.string_slots, std::string());
        blank.string_present.assign(rules.string_slots, 0);
        blank.lists.assign(rules.list_slots, {});
        blank.list_present.assign(rules.list_slots, 0);
        for (const auto& input : rules.inputs)
            if (!input.default_value.is_null()) store_value(input, input.default_value, blank);
    }

private:
    void number(Node& node) {
        for (auto& child : node.children) {
            child.index = nodes++;
            number(child);
        }
    }
    void collect_required(const CompiledRules& rules, const Node& node) {
        for (const auto& child : node.children) {
            if (child.input >= 0 && rules.inputs[static_cast<std::size_t>(child.input)].required) required.push_back(child.index);
            collect_required(rules, child);
        }
    }
};

class FastBinder {
public:
    FastBinder(const CompiledRules& rules, Plan& plan) : rules_(rules), plan_(plan) {}

    // false: not the ordinary case; let the ordinary path explain.
    bool object(od::object object, const Plan::Node& node, Proposal& p) {
        const bool root = &node == &plan_.root;
        bool seen_id = false, seen_name = false;
        std::size_t next = 0;  // where to look for the next key: objects tend to list them in input order
        for (auto result : object) {
            od::field field;
            if (std::move(result).get(field)) return false;
            od::value value = field.value();
            const Plan::Node* child = nullptr;
            if (next < node.children.size() && node.children[next].text.matches(field.key().raw())) {
                child = &node.children[next++];  // the usual case: the key expected next, written plainly
            } else {
                std::string_view key;
                if (!read_key(field, key)) return false;
                if (root && (key == "id" || key == "name")) {
                    bool& seen = key == "id" ? seen_id : seen_name;
                    if (seen) return false;
                    seen = true;
                    std::string_view text;
                    bool null = false;
                    if (key == "name" && value.is_null().get(null)) return false;  // malformed: the ordinary path explains
                    if (null) continue;
                    if (value.get_string().get(text)) return false;
                    detail::compose((key == "id" ? p.id : p.name).assign(text));
                    continue;
                }
                child = find(node, key, next);
                if (!child) {
                    if (!ignore(node, key, value)) return false;
                    continue;
                }
            }
            if (plan_.seen[child->index]) return false;
            plan_.seen[child->index] = 1;
            bool null = false;
            if (value.is_null().get(null)) return false;
            if (null) {
                if (child->input >= 0) return false;  // null counts as absent: rare enough for the ordinary path
                continue;
            }
            if (child->input >= 0) {
                if (!store(rules_.inputs[static_cast<std::size_t>(child->input)], value, p)) return false;
                if (!child->children.empty()) return false;  // cannot happen: compile rejects a value with nested inputs
                continue;
            }
            od::object nested;
            if (value.get_object().get(nested)) return false;
            if (!this->object(nested, *child, p)) return false;
        }
        return true;
    }

private:
    // The key as written when it has no escapes (the usual case: no copy), else unescaped. Either
    // view lives as long as the document.
    static bool read_key(od::field& field, std::string_view& key) {
        const char* raw = field.key().raw();  // just past the opening quote; the string is known to end
        for (const char* c = raw;; ++c) {
            if (*c == '"') {
                key = std::string_view(raw, static_cast<std::size_t>(c - raw));
                return true;
            }
            if (*c == '\\') return !field.unescaped_key().get(key);
        }
    }

    // The child named `key`, looked for from `next` on (wrapping around); `next` moves past it.
    static const Plan::Node* find(const Plan::Node& node, std::string_view key, std::size_t& next) {
        const std::size_t n = node.children.size();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = next + i < n ? next + i : next + i - n;
            if (node.children[k].key == key) {
                next = k + 1;
                return &node.children[k];
            }
        }
        return nullptr;
    }

    // A key no input uses: ignored, but it must not repeat (checked once all are read), and an
    // object inside it may repeat keys: let the ordinary path look at those.
    bool ignore(const Plan::Node& node, std::string_view key, od::value value) {
        plan_.ignored.emplace_back(&node, key);
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
            return true;
        }
        return valid_scalar(value, type);
    }

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
                if (too_many_digits_for_simdjson(value.raw_json_token())) return false;
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
                detail::compose(p.strings[input.slot].assign(text));
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
                return false;  // the ordinary path composes the text and looks again, or explains
            }
            case InputType::list: {
                od::array array;
                if (value.get_array().get(array)) return false;
                auto& items = p.lists[input.slot];
                items.clear();
                for (auto item : array) {
                    std::string_view text;
                    if (item.get_string().get(text)) return false;
                    detail::compose(items.emplace_back(text));
                    if (!input.values.empty() && std::find(input.values.begin(), input.values.end(), items.back()) == input.values.end())
                        return false;  // the ordinary path explains
                }
                p.list_present[input.slot] = 1;
                return true;
            }
        }
        return false;
    }

    const CompiledRules& rules_;
    Plan& plan_;
};

}  // namespace

bool fast_bind_into(const CompiledRules& rules, std::string_view text, std::size_t capacity, std::string_view file,
                    std::uint32_t line, Proposal& p) {
    thread_local od::parser parser;
    // The plans of the last two rule sets bound on this thread (diff binds under two in turn).
    struct Cached {
        const CompiledRules* rules = nullptr;
        std::string sha256;  // a rule set compiled later may reuse a freed one's address
        std::unique_ptr<Plan> plan;
    };
    thread_local std::array<Cached, 2> cached;
    if (cached[0].rules != &rules || cached[0].sha256 != rules.sha256) {
        std::swap(cached[0], cached[1]);
        if (cached[0].rules != &rules || cached[0].sha256 != rules.sha256) cached[0] = {&rules, rules.sha256, std::make_unique<Plan>(rules)};
    }
    Plan* plan = cached[0].plan.get();
    std::fill(plan->seen.begin(), plan->seen.end(), 0);
    plan->ignored.clear();

    od::document doc;
    if (parser.iterate(text.data(), text.size(), capacity).get(doc)) return false;
    od::object object;
    if (doc.get_object().get(object)) return false;
    p = plan->blank;
    FastBinder binder(rules, *plan);
    if (!binder.object(object, plan->root, p)) return false;
    const char* rest = nullptr;
    if (!doc.current_location().get(rest) || p.id.empty()) return false;  // text after the object
    for (std::size_t node : plan->required)
        if (!plan->seen[node]) return false;
    // Sorted, not compared pairwise: a proposal of a megabyte can hold 100,000 keys.
    std::sort(plan->ignored.begin(), plan->ignored.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? std::less<>{}(a.first, b.first) : a.second < b.second;
    });
    if (std::adjacent_find(plan->ignored.begin(), plan->ignored.end()) != plan->ignored.end()) return false;
    p.source.file.assign(file);  // into the memory a reused proposal already has
    p.source.line = line;
    p.source.col = 0;
    return true;
}

std::optional<Proposal> fast_bind(const CompiledRules& rules, std::string_view text, std::size_t capacity, const SourceLoc& source) {
    Proposal p;
    if (!fast_bind_into(rules, text, capacity, source.file, source.line, p)) return std::nullopt;
    p.source.col = source.col;
    return p;
}

}  // namespace screener::detail
