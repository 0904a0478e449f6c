#include "screener/schema.hpp"

#include <algorithm>

namespace screener {

namespace {

nlohmann::json input_schema(const CompiledInput& input) {
    nlohmann::json s = nlohmann::json::object();
    static const char* const types[] = {"number", "integer", "boolean", "string", "string", "array"};
    const char* type = types[static_cast<int>(input.type)];
    // JSON null counts as absent, so an optional input may be null.
    s["type"] = input.required ? nlohmann::json(type) : nlohmann::json::array({type, "null"});
    if (!input.title.empty()) s["title"] = input.title;
    std::string description = input.description;
    if (!input.unit.empty()) description.append(description.empty() ? "" : " ").append("(unit: ").append(input.unit).append(")");
    if (!description.empty()) s["description"] = description;
    if (!input.unit.empty()) s["x-unit"] = input.unit;
    if (input.min) s["minimum"] = *input.min;
    if (input.max) s["maximum"] = *input.max;
    if (input.type == InputType::enumeration) {
        s["enum"] = input.values;
        if (!input.required) s["enum"].push_back(nullptr);
    }
    if (input.type == InputType::list) {
        s["items"] = {{"type", "string"}};
        if (!input.values.empty()) s["items"]["enum"] = input.values;
    }
    if (!input.default_value.is_null()) s["default"] = input.default_value;
    return s;
}

// The object schema at `path` inside `root`, created on first use.
nlohmann::json& object_at(nlohmann::json& root, const std::vector<std::string>& path, std::size_t depth) {
    nlohmann::json* node = &root;
    for (std::size_t k = 0; k < depth; ++k) {
        nlohmann::json& child = (*node)["properties"][path[k]];
        // null counts as absent: an object only optional inputs lie in may be null (until one is required)
        if (child.is_null()) child = {{"type", {"object", "null"}}, {"properties", nlohmann::json::object()}};
        node = &child;
    }
    return *node;
}

void add_required(nlohmann::json& object, const std::string& key) {
    auto& required = object["required"];
    if (required.is_null()) required = nlohmann::json::array();
    if (std::find(required.begin(), required.end(), key) == required.end()) required.push_back(key);
}

}  // namespace

nlohmann::json proposal_schema(const CompiledRules& rules) {
    std::string title = "Proposal for ";
    title.append(rules.title.empty() ? rules.id : rules.title).append(" (version ").append(rules.version).append(")");
    nlohmann::json root = {
        {"$schema", "https://json-schema.org/draft/2020-12/schema"},
        {"$id", "urn:screener:" + rules.id + ":" + rules.version + ":proposal"},
        {"title", title},
        {"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}, {"minLength", 1}, {"description", "Unique id of the proposal in a batch"}}},
          {"name", {{"type", {"string", "null"}}, {"description", "Name of the project or investor"}}}}},
        {"required", {"id"}},
    };
    for (const CompiledInput& input : rules.inputs) {
        const std::size_t depth = input.path.size() - 1;
        nlohmann::json& parent = object_at(root, input.path, depth);
        parent["properties"][input.path.back()] = input_schema(input);
        if (input.required) {
            // A required nested value makes every enclosing object required too.
            for (std::size_t k = 0; k <= depth; ++k) {
                add_required(object_at(root, input.path, k), input.path[k]);
                if (k < depth) object_at(root, input.path, k + 1)["type"] = "object";
            }
        }
    }
    return root;
}

}  // namespace screener
