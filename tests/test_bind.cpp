// Binding proposals (SPEC section 4): reading JSON / NDJSON files and directories, and every reason a
// proposal is invalid, with its exact text and its source file:line. No valid proposal is ever dropped.
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "screener/evaluate.hpp"
#include "screener/limits.hpp"
#include "fast_bind.hpp"
#include "screener/proposal.hpp"
#include "support.hpp"
#include "utf8.hpp"

using namespace screener;
using namespace screener::test;
using nlohmann::json;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

const std::string rules_yaml = R"(format: screener/v1
id: t
version: "1"
inputs:
  land_ha: { type: number, min: 0.01, max: 1000 }
  workers: { type: integer, min: 0 }
  sector: { type: enum, values: [electronics, semiconductors, textiles] }
  environment.iso14001: { type: boolean, required: false, default: false }
  environment.wastewater: { type: boolean }
  support: { type: list, required: false, default: [] }
  note: { type: string, required: false }
  share: { type: number, min: 0, max: 1, required: false, default: 0.5 }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 0 }
)";

const CompiledRules& rules() {
    static auto compiled = compile_ok(rules_yaml);
    return *compiled;
}

// A valid proposal as one line of JSON text.
std::string valid(const std::string& id, const std::string& extra = "") {
    return R"({"id": ")" + id + R"(", "land_ha": 12, "workers": 250, "sector": "electronics", "environment": {"wastewater": true})" +
           extra + "}";
}

json valid_json(const std::string& id) { return json::parse(valid(id)); }

// What a test needs to know of a bound proposal.
struct Bound {
    bool ok = false;
    std::string id, name, source;  // source as "file:line"
    std::uint32_t line = 0;
    std::vector<std::string> reasons;
    Proposal proposal;  // when ok
};

Bound summary(BoundProposal&& b) {
    Bound out;
    if (auto* p = std::get_if<Proposal>(&b)) {
        out.ok = true;
        out.id = p->id;
        out.name = p->name;
        out.source = p->source.str();
        out.line = p->source.line;
        out.proposal = std::move(*p);
    } else {
        auto& invalid = std::get<InvalidProposal>(b);
        out.id = invalid.id;
        out.name = invalid.name;
        out.source = invalid.source.str();
        out.line = invalid.source.line;
        out.reasons = invalid.reasons;
    }
    return out;
}

std::vector<Bound> read(const std::vector<std::string>& inputs) {
    std::vector<Bound> out;
    read_proposals(rules(), inputs, [&](BoundProposal&& b) { out.push_back(summary(std::move(b))); });
    return out;
}

std::size_t count_valid(const std::vector<Bound>& all) {
    std::size_t n = 0;
    for (const auto& b : all) n += b.ok;
    return n;
}

const CompiledInput& input(const std::string& name) {
    for (const auto& i : rules().inputs)
        if (i.name == name) return i;
    FAIL("no input " << name);
    throw 0;
}

double number(const Proposal& p, const std::string& name) { return p.numbers[input(name).slot]; }

// The reasons of a proposal given as JSON that must be invalid.
std::vector<std::string> reasons(const json& proposal) { return bind_invalid(rules(), proposal); }

json with(json p, const std::string& key, const json& value) {
    p[key] = value;
    return p;
}

json without(json p, const std::string& key) {
    p.erase(key);
    return p;
}

bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 99;
        if (n == 99 || i + n >= s.size() + (n ? 0 : 1)) return false;
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reasons, one by one, with their exact text (field, what was expected, what was found).

TEST_CASE("a valid proposal binds, with defaults for absent optional inputs", "[bind]") {
    Proposal p = bind_ok(rules(), valid_json("P1"));
    CHECK(p.id == "P1");
    CHECK(number(p, "land_ha") == 12);
    CHECK(number(p, "workers") == 250);
    CHECK(number(p, "sector") == 0);                // enum index of "electronics"
    CHECK(number(p, "environment.wastewater") == 1);
    CHECK(number(p, "environment.iso14001") == 0);  // default false
    CHECK(number(p, "share") == 0.5);               // default 0.5
    CHECK(p.list_present[input("support").slot]);   // default []
    CHECK(p.lists[input("support").slot].empty());
    CHECK_FALSE(p.string_present[input("note").slot]);  // optional, no default: absent
    // unknown keys are ignored
    bind_ok(rules(), with(valid_json("P2"), "unrelated", {{"deep", 1}}));
}

TEST_CASE("a null parent object counts as absent on the simdjson path and on the ordinary one alike", "[bind]") {
    // From a conformance helper: {"env":null} took env.iso's default, but not when another key's null
    // sent the proposal to the ordinary path, which said env was not an object.
    auto compiled = compile_ok(R"y(format: screener/v1
id: nulls
version: "1"
inputs:
  n: { type: number }
  s: { type: string, required: false }
  env.iso: { type: boolean, required: false, default: true }
groups:
  - id: g
    criteria:
      - { id: c, points: "n + if(env.iso, 10, 0)" }
decision: { pass_score: 0 }
)y");
    auto dir = temp_dir("bind-null-parent");
    write_text(dir + "/p.ndjson", R"({"id":"A","n":1,"env":null})" "\n" R"({"id":"B","n":2,"s":null,"env":null})" "\n");
    std::map<std::string, double> iso;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) {
        REQUIRE(std::holds_alternative<Proposal>(b));
        const auto& p = std::get<Proposal>(b);
        for (const auto& input : compiled->inputs)
            if (input.name == "env.iso") iso[p.id] = p.numbers[input.slot];
    });
    CHECK(iso == std::map<std::string, double>{{"A", 1}, {"B", 1}});
}

TEST_CASE("text is read in composed form (NFC): a letter typed decomposed is the same id, enum value and text", "[bind]") {
    // From a helper writing Vietnamese: macOS and some input methods type "ệ" as "e" and two marks
    // (NFD). "điện tử" typed so was an unknown enum value, shown beside the same-looking one, and an
    // id typed both ways was two proposals.
    const std::string dien_tu = "\xC4\x91i\xE1\xBB\x87n t\xE1\xBB\xAD";                  // 7 characters
    const std::string dien_tu_nfd = "\xC4\x91ie\xCC\xA3\xCC\x82n tu\xCC\x9B\xCC\x89";    // 11 code points
    const std::string que_vo = "Qu\xE1\xBA\xBF V\xC3\xB5";
    const std::string que_vo_nfd = "Que\xCC\x82\xCC\x81 Vo\xCC\x83";
    const std::string id = "BN-\xC4\x90i\xE1\xBB\x87n-01";
    const std::string id_nfd = "BN-\xC4\x90ie\xCC\xA3\xCC\x82n-01";
    // The rule set types one enum value decomposed, the other in YAML escapes of the decomposed form.
    auto compiled = compile_ok("format: screener/v1\nid: vn\nversion: \"1\"\ninputs:\n"
                               "  sector: { type: enum, values: [electronics, \"" + dien_tu_nfd + "\"] }\n"
                               "  zone: { type: enum, values: [\"Que\\u0302\\u0301 Vo\\u0303\"] }\n"
                               "  note: { type: string }\n"
                               "  tags: { type: list }\n"
                               "gates:\n  - { id: composed, require: 'len(\"e\\u0301\") == 1' }\n"  // an escape is composed too
                               "groups:\n  - id: g\n    criteria:\n      - { id: c, points: \"len(note) * 10\" }\n"
                               "decision: { pass_score: 0 }\n");
    auto dir = temp_dir("bind-nfc");
    const auto line = [](const std::string& id, const std::string& sector, const std::string& zone, const std::string& note,
                         const std::string& tag) {
        return json{{"id", id}, {"sector", sector}, {"zone", zone}, {"note", note}, {"tags", {tag}}}.dump() + "\n";
    };
    write_text(dir + "/p.ndjson", line(id_nfd, dien_tu, que_vo_nfd, dien_tu_nfd, que_vo_nfd) +  // the ordinary path: an enum it composes
                                      line("B", dien_tu_nfd, que_vo, dien_tu_nfd, que_vo_nfd) +
                                      line("C", dien_tu, que_vo, dien_tu_nfd, que_vo_nfd) +      // the simdjson path
                                      line(id, dien_tu, que_vo, dien_tu, que_vo));                 // the first id, composed
    std::vector<BoundProposal> bound;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) { bound.push_back(std::move(b)); });
    REQUIRE(bound.size() == 4);
    Evaluation evaluation;
    for (std::size_t k = 0; k < 3; ++k) {
        INFO("line " << k + 1);
        REQUIRE(std::holds_alternative<Proposal>(bound[k]));
        const auto& p = std::get<Proposal>(bound[k]);
        CHECK(p.numbers[compiled->inputs[0].slot] == 1);  // the decomposed value of the rule set
        CHECK(p.numbers[compiled->inputs[1].slot] == 0);
        CHECK(p.strings[compiled->inputs[2].slot] == dien_tu);
        CHECK(p.lists[compiled->inputs[3].slot] == std::vector<std::string>{que_vo});
        const Result result = score(*compiled, bound[k], evaluation);
        CHECK(result.score == 70);  // len() counts 7 characters, not 11 code points
        CHECK(result.verdict == Verdict::pass);
    }
    CHECK(std::get<Proposal>(bound[0]).id == id);
    REQUIRE(std::holds_alternative<InvalidProposal>(bound[3]));
    CHECK(std::get<InvalidProposal>(bound[3]).reasons == std::vector<std::string>{"id: \"" + id + "\" repeats an earlier proposal's id"});
}

TEST_CASE("compose leaves the code points it takes as composed as utf8proc's NFC does, after any letter", "[bind]") {
    // compose() skips utf8proc for Latin, punctuation, currency, CJK and Hangul syllables: each of them,
    // between two letters that marks and jamo compose with, must be what NFC makes of it.
    auto utf8 = [](std::uint32_t c) {
        std::string out(4, '\0');
        out.resize(static_cast<std::size_t>(utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), reinterpret_cast<utf8proc_uint8_t*>(out.data()))));
        return out;
    };
    auto nfc = [](const std::string& text) {
        utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(text.c_str()));
        std::string composed(reinterpret_cast<const char*>(out));
        std::free(out);
        return composed;
    };
    std::size_t differ = 0, checked = 0;
    for (std::uint32_t c = 0x80; c <= 0xD7A3; ++c) {
        for (const char* before : {"e", "\xEA\xB0\x80" /* U+AC00 */}) {
            std::string text = before + utf8(c) + "e";
            std::string composed = text;
            detail::compose(composed);
            if (composed == text) {  // left as it is, perhaps without utf8proc
                ++checked;
                differ += nfc(text) != text;
            }
        }
    }
    CHECK(checked > 100'000);
    CHECK(differ == 0);
    // And text that is not composed is composed: e and a combining circumflex.
    std::string decomposed = "e\xCC\x82";
    detail::compose(decomposed);
    CHECK(decomposed == "\xC3\xAA");
}

TEST_CASE("a list input of allowed values: an item that is none of them makes the proposal invalid, on either path", "[bind]") {
    auto compiled = compile_ok(R"(format: screener/v1
id: list-values
version: "1"
inputs:
  certs: { type: list, values: [VietGAP, GlobalGAP, organic] }
groups:
  - id: g
    criteria:
      - { id: c, points: 'count(certs) * 10' }
decision: { pass_score: 0 }
)");
    auto dir = temp_dir("bind-list-values");
    write_text(dir + "/p.ndjson", R"({"id":"A","certs":["VietGAP","organic"]})" "\n" R"({"id":"B","certs":["VietGap"]})" "\n"
                                  R"({"id":"C","certs":["GlobalGAP","VietGAP "]})" "\n");
    std::vector<BoundProposal> bound;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) { bound.push_back(std::move(b)); });
    REQUIRE(bound.size() == 3);
    REQUIRE(std::holds_alternative<Proposal>(bound[0]));
    CHECK(std::get<Proposal>(bound[0]).lists[0] == std::vector<std::string>{"VietGAP", "organic"});
    REQUIRE(std::holds_alternative<InvalidProposal>(bound[1]));
    CHECK(std::get<InvalidProposal>(bound[1]).reasons ==
          std::vector<std::string>{"certs: unknown value \"VietGap\" in the list; did you mean 'VietGAP'? (expected each of VietGAP, GlobalGAP, organic)"});
    REQUIRE(std::holds_alternative<InvalidProposal>(bound[2]));
    CHECK(std::get<InvalidProposal>(bound[2]).reasons ==
          std::vector<std::string>{"certs: unknown value \"VietGAP \" in the list; did you mean 'VietGAP'? (expected each of VietGAP, GlobalGAP, organic)"});
    // The simdjson path leaves such a proposal to the ordinary one, which explains; that one alone:
    const BoundProposal ordinary = bind_text(*compiled, R"({"id":"D","certs":["organic","VietGap"]})", {});
    REQUIRE(std::holds_alternative<InvalidProposal>(ordinary));
    CHECK(std::get<InvalidProposal>(ordinary).reasons ==
          std::vector<std::string>{"certs: unknown value \"VietGap\" in the list; did you mean 'VietGAP'? (expected each of VietGAP, GlobalGAP, organic)"});
    CHECK(std::holds_alternative<Proposal>(bind_text(*compiled, R"({"id":"E","certs":["organic"]})", {})));
}

TEST_CASE("missing id, non-text id, empty id", "[bind]") {
    CHECK(reasons(without(valid_json("X"), "id")) == std::vector<std::string>{"id: missing (every proposal needs a text \"id\")"});
    CHECK(reasons(with(valid_json("X"), "id", nullptr)) == std::vector<std::string>{"id: missing (every proposal needs a text \"id\")"});
    CHECK(reasons(with(valid_json("X"), "id", 5)) == std::vector<std::string>{"id: expected non-empty text, found 5"});
    CHECK(reasons(with(valid_json("X"), "id", json::array({"A"}))) ==
          std::vector<std::string>{"id: expected non-empty text, found a list [\"A\"]"});
    CHECK(reasons(with(valid_json("X"), "id", "")) == std::vector<std::string>{"id: expected non-empty text, found text \"\""});
}

TEST_CASE("missing required input, and JSON null counting as absent", "[bind]") {
    CHECK(reasons(without(valid_json("X"), "workers")) == std::vector<std::string>{"workers: missing (required input)"});
    CHECK(reasons(with(valid_json("X"), "workers", nullptr)) == std::vector<std::string>{"workers: missing (required input)"});
    // nested required input: parent absent, or child absent, or child null
    CHECK(reasons(without(valid_json("X"), "environment")) == std::vector<std::string>{"environment.wastewater: missing (required input)"});
    CHECK(reasons(with(valid_json("X"), "environment", json::object())) ==
          std::vector<std::string>{"environment.wastewater: missing (required input)"});
    CHECK(reasons(with(valid_json("X"), "environment", {{"wastewater", nullptr}})) ==
          std::vector<std::string>{"environment.wastewater: missing (required input)"});
    // a null parent counts as absent too: its required child is missing, its optional one takes its default
    CHECK(reasons(with(valid_json("X"), "environment", nullptr)) == std::vector<std::string>{"environment.wastewater: missing (required input)"});
    // The input's name as one key (from an investor helper: the inputs table lists dotted names).
    CHECK(reasons(with(without(valid_json("X"), "environment"), "environment.wastewater", true)) ==
          std::vector<std::string>{"environment.wastewater: missing (required input); the proposal has \"environment.wastewater\" as one "
                                   "key: nest it, as {\"environment\": {\"wastewater\": ...}}"});
    // A key no input reads, close to the missing one's, in the same object (from an investor
    // helper: localisation_rate for localization_rate).
    CHECK(reasons(with(without(valid_json("X"), "workers"), "worker", 10)) ==
          std::vector<std::string>{"workers: missing (required input); the proposal has \"worker\", which the rule set does not read: a misspelling?"});
    CHECK(reasons(with(without(valid_json("X"), "environment"), "environment", {{"wastewatr", true}})) ==
          std::vector<std::string>{"environment.wastewater: missing (required input); the proposal has \"wastewatr\", which the rule set does not "
                                   "read: a misspelling?"});

    // null on an optional input: the default applies
    json p = valid_json("X");
    p["share"] = nullptr;
    p["environment"]["iso14001"] = nullptr;
    p["support"] = nullptr;
    p["note"] = nullptr;
    p["name"] = nullptr;
    Proposal bound = bind_ok(rules(), p);
    CHECK(number(bound, "share") == 0.5);
    CHECK(number(bound, "environment.iso14001") == 0);
    CHECK(bound.list_present[input("support").slot]);
    CHECK_FALSE(bound.string_present[input("note").slot]);
    CHECK(bound.name.empty());
}

TEST_CASE("wrong types name the field, what was expected and what was found", "[bind]") {
    // number given as text
    CHECK(reasons(with(valid_json("X"), "land_ha", "12")) == std::vector<std::string>{"land_ha: expected a number, found text \"12\""});
    CHECK(reasons(with(valid_json("X"), "workers", "250")) ==
          std::vector<std::string>{"workers: expected a whole number, found text \"250\""});
    // boolean given as a number
    json b = valid_json("X");
    b["environment"]["wastewater"] = 1;
    CHECK(reasons(b) == std::vector<std::string>{"environment.wastewater: expected true or false, found 1"});
    b["environment"]["wastewater"] = "true";
    CHECK(reasons(b) == std::vector<std::string>{"environment.wastewater: expected true or false, found text \"true\""});
    // a list with a non-text item; a list given as text
    CHECK(reasons(with(valid_json("X"), "support", json::array({"tax", 3}))) ==
          std::vector<std::string>{"support: expected a list of text, found an item 3"});
    CHECK(reasons(with(valid_json("X"), "support", "tax")) ==
          std::vector<std::string>{"support: expected a list of text, found text \"tax\""});
    // text given a number
    CHECK(reasons(with(valid_json("X"), "note", 7)) == std::vector<std::string>{"note: expected text, found 7"});
    // an enum given a number
    CHECK(reasons(with(valid_json("X"), "sector", 2)) ==
          std::vector<std::string>{"sector: expected one of electronics, semiconductors, textiles; found 2"});
    // the name, when given, must be text
    CHECK(reasons(with(valid_json("X"), "name", 3)) == std::vector<std::string>{"name: expected text, found 3"});
}

TEST_CASE("a nested input's parent that is not an object", "[bind]") {
    // both inputs under `environment` report it
    CHECK(reasons(with(valid_json("X"), "environment", true)) ==
          std::vector<std::string>{"environment.iso14001: expected 'environment' to be an object holding 'iso14001', found true",
                                   "environment.wastewater: expected 'environment' to be an object holding 'wastewater', found true"});
    CHECK(reasons(with(valid_json("X"), "environment", "yes")) ==
          std::vector<std::string>{
              "environment.iso14001: expected 'environment' to be an object holding 'iso14001', found text \"yes\"",
              "environment.wastewater: expected 'environment' to be an object holding 'wastewater', found text \"yes\""});
}

TEST_CASE("unknown enum value, with the did-you-mean hint", "[bind]") {
    CHECK(reasons(with(valid_json("X"), "sector", "electronic")) ==
          std::vector<std::string>{"sector: unknown value \"electronic\"; did you mean 'electronics'? "
                                   "(expected one of electronics, semiconductors, textiles)"});
    CHECK(reasons(with(valid_json("X"), "sector", "Textiles")) ==
          std::vector<std::string>{"sector: unknown value \"Textiles\"; did you mean 'textiles'? "
                                   "(expected one of electronics, semiconductors, textiles)"});
    // nothing close: no hint
    CHECK(reasons(with(valid_json("X"), "sector", "logistics")) ==
          std::vector<std::string>{"sector: unknown value \"logistics\" (expected one of electronics, semiconductors, textiles)"});
}

TEST_CASE("an enum of many values: a reason lists the first 20 and counts the rest", "[bind]") {
    std::string values, listed;
    for (int i = 0; i < 25; ++i) values += (i ? ", v" : "v") + std::to_string(i);
    for (int i = 0; i < 20; ++i) listed += (i ? ", v" : "v") + std::to_string(i);
    const auto rules = compile_ok("format: screener/v1\nid: t\nversion: \"1\"\ninputs:\n  e: { type: enum, values: [" + values +
                                  "] }\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision: { pass_score: 50 }\n");
    CHECK(bind_invalid(*rules, json{{"id", "X"}, {"e", "w"}}) ==
          std::vector<std::string>{"e: unknown value \"w\" (expected one of " + listed + " and 5 more)"});
    CHECK(bind_invalid(*rules, json{{"id", "X"}, {"e", 1}}) == std::vector<std::string>{"e: expected one of " + listed + " and 5 more; found 1"});
}

TEST_CASE("an unknown enum value gets a suggestion among 1,000 values, none among 200,000 (comparing each took 40 ms a proposal)", "[bind]") {
    for (const int count : {1000, 200'000}) {
        INFO(count << " values");
        const std::size_t digits = count == 1000 ? 3 : 6;  // a000..a999, a000000..a199999
        std::string values;
        for (int i = 0; i < count; ++i) {
            const std::string number = std::to_string(i);
            values += (i ? ", a" : "a") + std::string(digits - number.size(), '0') + number;
        }
        const auto rules = compile_ok("format: screener/v1\nid: t\nversion: \"1\"\ninputs:\n  e: { type: enum, values: [" + values +
                                      "] }\ngroups:\n  - id: g\n    criteria:\n      - { id: c, points: 100 }\ndecision: { pass_score: 50 }\n");
        const std::string slip = "a0x" + std::string(digits - 2, '0');  // one letter from a00…0, the first value
        const std::string listed = count == 1000 ? "a000, a001" : "a000000, a000001";
        const auto reasons = bind_invalid(*rules, json{{"id", "X"}, {"e", slip}});
        REQUIRE(reasons.size() == 1);
        CHECK_THAT(reasons[0], Catch::StartsWith("e: unknown value \"" + slip + "\"" +
                                                 (count == 1000 ? "; did you mean 'a" + std::string(digits, '0') + "'?" : "") +
                                                 " (expected one of " + listed + ", "));
    }
}

TEST_CASE("integer inputs accept whole numbers written with a fraction part, not 2.5", "[bind]") {
    CHECK(reasons(with(valid_json("X"), "workers", 2.5)) == std::vector<std::string>{"workers: expected a whole number, found 2.5"});
    // 250.0 parsed from text: a JSON float without a fractional part
    auto p = bind_text(rules(), R"({"id": "X", "land_ha": 12, "workers": 250.0, "sector": "electronics", "environment": {"wastewater": true}})",
                       {"f", 1, 0});
    REQUIRE(std::holds_alternative<Proposal>(p));
    CHECK(number(std::get<Proposal>(p), "workers") == 250);
    auto q = bind_text(rules(), R"({"id": "X", "land_ha": 12, "workers": 2.5e2, "sector": "electronics", "environment": {"wastewater": true}})",
                       {"f", 1, 0});
    CHECK(std::holds_alternative<Proposal>(q));
}

TEST_CASE("values outside min/max", "[bind]") {
    CHECK(reasons(with(valid_json("X"), "land_ha", 0)) == std::vector<std::string>{"land_ha: expected at least 0.01, found 0"});
    CHECK(reasons(with(valid_json("X"), "land_ha", 1500)) == std::vector<std::string>{"land_ha: expected at most 1000, found 1500"});
    CHECK(reasons(with(valid_json("X"), "workers", -1)) == std::vector<std::string>{"workers: expected at least 0, found -1"});
    CHECK(reasons(with(valid_json("X"), "share", 70)) == std::vector<std::string>{"share: expected at most 1, found 70"});
    // the bounds themselves are inside
    bind_ok(rules(), with(valid_json("X"), "land_ha", 0.01));
    bind_ok(rules(), with(valid_json("X"), "land_ha", 1000));
    bind_ok(rules(), with(valid_json("X"), "share", 0));
    bind_ok(rules(), with(valid_json("X"), "share", 1));
}

TEST_CASE("several reasons on one proposal are all listed", "[bind]") {
    json p = {{"land_ha", "12"}, {"workers", 2.5}, {"sector", "electronic"}, {"environment", json::object()}, {"share", -0.5}};
    CHECK_THAT(reasons(p), Catch::Matchers::UnorderedEquals(std::vector<std::string>{
                               "id: missing (every proposal needs a text \"id\")",
                               "land_ha: expected a number, found text \"12\"",
                               "workers: expected a whole number, found 2.5",
                               "sector: unknown value \"electronic\"; did you mean 'electronics'? "
                               "(expected one of electronics, semiconductors, textiles)",
                               "environment.wastewater: missing (required input)",
                               "share: expected at least 0, found -0.5",
                           }));
}

TEST_CASE("a proposal that is not an object", "[bind]") {
    CHECK(reasons(json::array({1, 2})) == std::vector<std::string>{"expected a proposal object {...}, found a list [1,2]"});
    CHECK(reasons(json("P1")) == std::vector<std::string>{"expected a proposal object {...}, found text \"P1\""});
}

// ---------------------------------------------------------------------------------------------
// Files, lines and batches

TEST_CASE("a .json file holding one object: its source line is where the object starts", "[bind]") {
    auto dir = temp_dir("bind-one");
    write_text(dir + "/one.json", "\n\n  " + valid("ONE") + "\n\n");
    auto all = read({dir + "/one.json"});
    REQUIRE(all.size() == 1);
    CHECK(all[0].ok);
    CHECK(all[0].id == "ONE");
    CHECK(all[0].source == dir + "/one.json:3");
}

TEST_CASE("a .json file holding an array over several lines: each proposal has the line its object starts on", "[bind]") {
    auto dir = temp_dir("bind-array");
    const std::string text =
        "[\n"                                                   // 1
        "  " + valid("A1") + ",\n"                              // 2
        "  {\n"                                                 // 3
        "    \"id\": \"A2\",\n"                                 // 4
        "    \"land_ha\": 5, \"workers\": 10, \"sector\": \"textiles\",\n"  // 5
        "    \"environment\": {\"wastewater\": false}\n"       // 6
        "  },\n"                                                // 7
        "\n"                                                    // 8
        "  {\"id\": \"A3\", \"name\": \"has [brackets], {braces}, \\\"quotes\\\" and \\n\\t\\/ escapes\", \"land_ha\": 1,\n"  // 9
        "   \"workers\": 0, \"sector\": \"semiconductors\", \"environment\": {\"wastewater\": true}},\n"  // 10
        "  {\"id\": \"A4\", \"workers\": -3},\n"                // 11: invalid
        "  " + valid("A5") + "\n"                               // 12
        "]\n";
    write_text(dir + "/batch.json", text);
    auto all = read({dir + "/batch.json"});
    REQUIRE(all.size() == 5);
    const std::string f = dir + "/batch.json";
    CHECK(all[0].id == "A1");
    CHECK(all[0].source == f + ":2");
    CHECK(all[1].id == "A2");
    CHECK(all[1].source == f + ":3");
    CHECK(all[2].id == "A3");
    CHECK(all[2].source == f + ":9");
    CHECK(all[2].name == "has [brackets], {braces}, \"quotes\" and \n\t/ escapes");
    CHECK(all[3].id == "A4");
    CHECK(all[3].source == f + ":11");
    CHECK_FALSE(all[3].ok);
    CHECK_THAT(all[3].reasons, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
                                   "land_ha: missing (required input)", "workers: expected at least 0, found -3",
                                   "sector: missing (required input)", "environment.wastewater: missing (required input)"}));
    CHECK(all[4].id == "A5");
    CHECK(all[4].source == f + ":12");
    CHECK(count_valid(all) == 4);
}

TEST_CASE("a .json array is read in blocks: every element keeps its text and line across the blocks' edges", "[bind]") {
    // 4,000 elements of 120 to 400 bytes (about a megabyte): the reader's 256 KiB blocks end inside
    // elements, strings, escapes and line breaks. Names hold what a splitter must not split at.
    auto dir = temp_dir("bind-array-blocks");
    std::string text = "[\n";
    std::vector<std::uint32_t> lines;
    std::vector<std::string> names;
    std::uint32_t line = 2;
    for (int i = 0; i < 4000; ++i) {
        // Brackets after an escaped quote, and a backslash as the last character: a splitter that took
        // \" for the string's end, or \\ for an escape of the quote after it, would count them.
        const std::string dots(static_cast<std::size_t>(i * 37 % 280), '.');
        const std::string name = "n" + std::to_string(i) + " \\\"]]}}, [x], {y}, \\\"z\\\" " + dots + "\\\\";
        names.push_back("n" + std::to_string(i) + " \"]]}}, [x], {y}, \"z\" " + dots + "\\");
        lines.push_back(line);
        const std::string id = "B" + std::to_string(i);
        text += i % 3 == 0 ? valid(id, ", \"name\": \"" + name + "\"")                                   // one line
                           : "{\"id\": \"" + id + "\", \"name\": \"" + name + "\",\n \"land_ha\": 12, \"workers\": 250,"
                             " \"sector\": \"electronics\", \"environment\": {\"wastewater\": true}}";  // two lines
        line += i % 3 == 0 ? 0 : 1;
        text += i + 1 < 4000 ? ",\n" : "\n]\n";
        ++line;
    }
    REQUIRE(text.size() > 4 * (256 << 10));
    write_text(dir + "/big.json", text);
    // Blank lines before the value, over more than two blocks, are counted and let go.
    write_text(dir + "/late.json", "\xEF\xBB\xBF" + std::string(600'000, '\n') + " \r\n{\"id\": \"L\",");
    const auto late = read({dir + "/late.json"});
    REQUIRE(late.size() == 1);
    CHECK(late[0].line == 600'002);
    CHECK_THAT(late[0].reasons.at(0), Contains("(line 600002, column 12)"));  // the parser's line, counted from the file's start
    const auto all = read({dir + "/big.json"});
    REQUIRE(all.size() == 4000);
    CHECK(count_valid(all) == 4000);
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO("element " << i);
        CHECK(all[i].id == "B" + std::to_string(i));
        CHECK(all[i].name == names[i]);
        CHECK(all[i].line == lines[i]);
    }
}

namespace {

// Sets limits().max_proposal_bytes for one test.
struct ProposalBytes {
    explicit ProposalBytes(std::size_t n) : before(std::exchange(limits().max_proposal_bytes, n)) {}
    ~ProposalBytes() { limits().max_proposal_bytes = before; }
    std::size_t before;
};

}  // namespace

TEST_CASE("read_raw hands on chunks of at most max_records records, small files together, each record with its text, file and line",
          "[bind]") {
    // NDJSON over several 256 KiB blocks with blank and too long lines, a .json array, a folder of
    // 60 small files (one of them empty), a single object and a missing file: read with no limit,
    // then at most 7 records a chunk, then 1; and each of those with the small files left unread,
    // then read by read_files as a worker reads them.
    auto dir = temp_dir("bind-pieces");
    std::string ndjson;
    for (int i = 0; i < 3000; ++i) {
        ndjson += valid("N" + std::to_string(i), ", \"name\": \"" + std::string(static_cast<std::size_t>(i % 200), 'n') + "\"") + "\n";
        if (i % 500 == 0) ndjson += "\n   \n" + std::string(150'000, 'x') + "\n";  // blank lines, and a line too long
    }
    REQUIRE(ndjson.size() > 3 * (256 << 10));
    std::map<std::string, std::string> files = {{dir + "/a.ndjson", ndjson}, {dir + "/c.json", valid("C", "")}};
    std::string array = "[\n";
    for (int i = 0; i < 40; ++i)  // J20 is too long: a problem among the array's records
        array += valid("J" + std::to_string(i), i == 20 ? ", \"name\": \"" + std::string(300'000, 'j') + "\"" : "") + (i + 1 < 40 ? ",\n" : "\n]\n");
    files[dir + "/b.json"] = array;
    std::filesystem::create_directory(dir + "/folder");
    for (int i = 0; i < 60; ++i) {
        const std::string name = dir + "/folder/" + std::to_string(100 + i) + (i % 3 ? ".json" : ".ndjson");
        files[name] = i == 31 ? "" : "\n" + valid("F" + std::to_string(i), "") + "\n";
    }
    for (const auto& [name, text] : files) write_text(name, text);
    const std::vector<std::string> inputs = {dir + "/a.ndjson", dir + "/b.json", dir + "/folder", dir + "/c.json", dir + "/missing.json"};

    struct Record {
        std::string file, text, problem;
        std::uint32_t line;
        bool operator==(const Record&) const = default;
    };
    const ProposalBytes limit(100'000);
    std::size_t chunks = 0, unread_chunks = 0, mixed_chunks = 0;
    auto read_in = [&](std::size_t max_records, bool small_files_unread = false) {
        std::vector<Record> out;
        chunks = unread_chunks = mixed_chunks = 0;
        detail::read_raw(
            inputs,
            [&](detail::RawChunk&& chunk) {
                ++chunks;
                if (chunk.unread()) {
                    // Files named only, with their sizes, among files read: a record counted for each 8
                    // bytes (or part of 8) of the first, and no record of theirs yet.
                    ++unread_chunks;
                    REQUIRE(chunk.sizes.size() == chunk.files.size());
                    mixed_chunks += std::count(chunk.sizes.begin(), chunk.sizes.end(), 0U) > 0;
                    std::size_t counted = chunk.records.size(), bytes = chunk.bytes.size();
                    for (std::size_t i = 0; i < chunk.files.size(); ++i) {
                        if (chunk.sizes[i] == 0) continue;
                        CHECK(chunk.sizes[i] == files.at(chunk.files[i]).size());
                        CHECK(chunk.sizes[i] <= (16 << 10));
                        counted += (chunk.sizes[i] + 7) / 8;
                        bytes += chunk.sizes[i];
                        for (const detail::RawRecord& r : chunk.records) CHECK(r.file != i);
                    }
                    CHECK(counted <= max_records);
                    CHECK(bytes <= (256 << 10));
                    detail::read_files(chunk);
                    CHECK(!chunk.unread());
                    CHECK(chunk.records.size() <= 4 * max_records);  // (here each file holds one proposal, or none)
                } else {
                    CHECK(chunk.records.size() <= max_records);
                }
                CHECK(std::set<std::string>(chunk.files.begin(), chunk.files.end()).size() == chunk.files.size());  // each file once
                if (!chunk.bytes.empty()) CHECK(chunk.bytes.capacity() >= chunk.bytes.size() + detail::simd_padding);
                for (const detail::RawRecord& r : chunk.records) {
                    const std::string text = chunk.bytes.substr(r.offset, r.length);
                    if (r.problem.empty() && chunk.files.size() == 1)  // its place in its file (where rank reads a line again)
                        CHECK(files.at(chunk.file(r)).substr(chunk.offset + r.offset, r.length) == text);
                    out.push_back({chunk.file(r), text, r.problem, r.line});
                }
            },
            max_records, small_files_unread);
        return out;
    };
    const std::vector<Record> whole = read_in(std::numeric_limits<std::size_t>::max());
    REQUIRE(whole.size() == 3000 + 6 + 40 + 60 + 1 + 1);  // 6 lines too long, and the missing file
    CHECK_THAT(whole[0].text, StartsWith("{\"id\": \"N0\""));
    CHECK(whole[1].line == 4);  // after N0 and two blank lines, the line too long (binding says so)
    CHECK(whole[1].text.size() == 150'000);
    CHECK(whole[2].line == 5);
    CHECK_THAT(whole[2].text, StartsWith("{\"id\": \"N1\""));
    CHECK(whole[3006 + 20].problem == "the proposal is 300118 bytes; proposals are limited to 100000 bytes");
    for (int i = 0; i < 60; ++i) {  // the folder's files in name order, each its own file and line
        const Record& r = whole[3046 + static_cast<std::size_t>(i)];
        INFO(r.file);
        CHECK(r.file == dir + "/folder/" + std::to_string(100 + i) + (i % 3 ? ".json" : ".ndjson"));
        if (i == 31) CHECK(r.problem == "cannot read: the file is empty");
        else CHECK((r.text == valid("F" + std::to_string(i), "") + (i % 3 ? "\n" : "") && r.line == 2));  // a .json's text runs to its end
    }
    CHECK(whole.back().problem == "cannot read: no such file or directory");
    // The NDJSON's 4 blocks and the array's 2 or 3, and the small files in a few chunks, not 62.
    CHECK(chunks < 15);
    CHECK(read_in(7) == whole);
    CHECK(chunks > (3000 + 60) / 7);
    CHECK(read_in(1) == whole);
    CHECK(unread_chunks == 0);
    // Left unread: the folder's files and c.json, in one chunk, among them the empty file read here
    // (one that says it is empty may not be: those of /proc); the missing file is reported apart. At
    // 100 records a chunk, a file of 110 bytes counting as 14, 7 files a chunk; at 7, none.
    REQUIRE(files.at(dir + "/folder/100.ndjson").size() > 56);
    CHECK(read_in(std::numeric_limits<std::size_t>::max(), true) == whole);
    CHECK(unread_chunks == 1);
    CHECK(mixed_chunks == 1);
    CHECK(read_in(100, true) == whole);
    CHECK(unread_chunks >= 60 / 7);  // the folder's 59 files that are not empty, and c.json
    CHECK(read_in(7, true) == whole);
    CHECK(unread_chunks == 0);
}

TEST_CASE("a .json proposal too long is reported with its size and line, and the array goes on", "[bind]") {
    const ProposalBytes limit(100'000);
    auto dir = temp_dir("bind-array-long");
    // B (about 600 KB) spans blocks: the reader reads past it. C (about 150 KB) is within a block or
    // two: binding refuses it. Either way the same reason, and the elements around it bind.
    const std::string b = valid("B", ", \"note\": \"" + std::string(600'000, 'b') + "\""),
                      c = valid("C", ", \"note\": \"" + std::string(150'000, 'c') + "\"");
    write_text(dir + "/a.json", "[\n" + valid("A") + ",\n" + b + ",\n" + c + "  ,\n" + valid("D") + "\n]\n");
    auto all = read({dir + "/a.json"});
    REQUIRE(all.size() == 4);
    CHECK(all[0].ok);
    CHECK(all[0].line == 2);
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].line == 3);
    CHECK(all[1].reasons == std::vector<std::string>{"the proposal is " + std::to_string(b.size()) + " bytes; proposals are limited to 100000 bytes"});
    CHECK_FALSE(all[2].ok);
    CHECK(all[2].line == 4);  // its length counts the blanks before the comma, as the text it would bind
    CHECK(all[2].reasons == std::vector<std::string>{"the proposal is " + std::to_string(c.size() + 2) + " bytes; proposals are limited to 100000 bytes"});
    CHECK(all[3].ok);
    CHECK(all[3].id == "D");
    CHECK(all[3].line == 5);

    // One object in a file: read up to the limit, then past; the size counts from its first byte.
    write_text(dir + "/one.json", "\n\n" + b + "\n");
    all = read({dir + "/one.json"});
    REQUIRE(all.size() == 1);
    CHECK(all[0].line == 3);
    CHECK(all[0].reasons == std::vector<std::string>{"the proposal is " + std::to_string(b.size() + 1) + " bytes; proposals are limited to 100000 bytes"});
}

TEST_CASE("an NDJSON line too long is reported with its size, whether read whole or read past", "[bind]") {
    const ProposalBytes limit(100'000);
    auto dir = temp_dir("bind-ndjson-long");
    // B (600 KB, with a CR before its newline) is longer than a read: the reader reads past it. C
    // (150 KB) fits in one: binding refuses it. The same reason either way, with the size binding
    // would count (the CR included); a blank line however long is no proposal.
    const std::string b = valid("B", ", \"note\": \"" + std::string(600'000, 'b') + "\"") + "\r",
                      c = valid("C", ", \"note\": \"" + std::string(150'000, 'c') + "\"");
    write_text(dir + "/a.ndjson", valid("A") + "\n" + b + "\n" + c + "\n" + std::string(700'000, ' ') + "\n" + valid("D") + "\n");
    auto all = read({dir + "/a.ndjson"});
    REQUIRE(all.size() == 4);
    CHECK(all[1].line == 2);
    CHECK(all[1].reasons == std::vector<std::string>{"the proposal is " + std::to_string(b.size()) + " bytes; proposals are limited to 100000 bytes"});
    CHECK(all[2].line == 3);
    CHECK(all[2].reasons == std::vector<std::string>{"the proposal is " + std::to_string(c.size()) + " bytes; proposals are limited to 100000 bytes"});
    CHECK((all[0].id == "A" && all[3].id == "D" && all[3].line == 5));
    CHECK((all[0].ok && all[3].ok));
}

TEST_CASE("a .json array's commas and closing bracket are checked: a missing element is an invalid entry", "[bind]") {
    // From an operator helper: [,] read as no proposals, and [a,b,] or [a} as if well formed, so a
    // mangled file passed --fail-on invalid.
    auto dir = temp_dir("bind-array-commas");
    auto reasons = [&](const std::string& text) {
        write_text(dir + "/a.json", text);
        std::vector<std::string> out;
        for (const Bound& b : read({dir + "/a.json"})) out.push_back(b.ok ? b.id : b.source.substr(dir.size() + 1) + " " + b.reasons.at(0));
        return out;
    };
    using Lines = std::vector<std::string>;
    const std::string empty_element = "malformed JSON: ',' where an element of the array should be";
    const std::string trailing = "malformed JSON: ',' before the array's closing ']'";
    CHECK(reasons("[]").empty());
    CHECK(reasons("[ \n ]").empty());
    CHECK(reasons("[" + valid("A") + ", " + valid("B") + "]") == Lines{"A", "B"});
    CHECK(reasons("[,]") == Lines{"a.json:1 " + empty_element});  // one stray comma, one entry
    CHECK(reasons("[\n" + valid("A") + ",\n]") == Lines{"A", "a.json:3 " + trailing});
    CHECK(reasons("[" + valid("A") + ",,\n" + valid("B") + "]") == Lines{"A", "a.json:1 " + empty_element, "B"});
    CHECK(reasons("[" + valid("A") + "}") == Lines{"A", "a.json:1 malformed JSON: '}' where the array's closing ']' should be"});
}

TEST_CASE("a .json array cut short keeps the elements read and says that its closing bracket is missing", "[bind]") {
    auto dir = temp_dir("bind-array-cut");
    write_text(dir + "/whole-elements.json", "[\n" + valid("A") + ",\n" + valid("B") + "\n");
    write_text(dir + "/cut-element.json", "[\n" + valid("C") + ",\n{\"id\": \"D\", \"land_ha\": 1");
    auto all = read({dir + "/whole-elements.json", dir + "/cut-element.json"});
    REQUIRE(all.size() == 6);
    CHECK(all[0].ok);
    CHECK(all[1].ok);
    CHECK(all[1].source == dir + "/whole-elements.json:3");
    CHECK_FALSE(all[2].ok);
    CHECK(all[2].source == dir + "/whole-elements.json:4");  // where the file ends
    CHECK(all[2].reasons == std::vector<std::string>{"malformed JSON: the file ends before the array's closing ']'"});
    CHECK(all[3].ok);
    CHECK_FALSE(all[4].ok);  // D's text ends with the file
    CHECK(all[4].id == "D");  // read before the text ended: the report can name it
    CHECK(all[4].source == dir + "/cut-element.json:3");
    REQUIRE(all[4].reasons.size() == 1);
    CHECK_THAT(all[4].reasons[0], StartsWith("malformed JSON: ") && Contains("unexpected end of input"));
    CHECK(all[5].source == dir + "/cut-element.json:3");
    CHECK(all[5].reasons == std::vector<std::string>{"malformed JSON: the file ends before the array's closing ']'"});

    // Text after the ']' is found however far on, on its own line.
    write_text(dir + "/trailing.json", "[" + valid("E") + "]" + std::string(300'000, ' ') + "\n\n\n" + std::string(300'000, '\t') + "x\n");
    all = read({dir + "/trailing.json"});
    REQUIRE(all.size() == 2);
    CHECK(all[0].ok);
    CHECK(all[1].source == dir + "/trailing.json:4");
    CHECK(all[1].reasons == std::vector<std::string>{"malformed JSON: unexpected text after the array's closing ']'"});
}

TEST_CASE("CRLF line endings in a .json array", "[bind]") {
    auto dir = temp_dir("bind-array-crlf");
    write_text(dir + "/b.json", "[\r\n  " + valid("C1") + ",\r\n\r\n  " + valid("C2") + "\r\n]\r\n");
    auto all = read({dir + "/b.json"});
    REQUIRE(all.size() == 2);
    CHECK(all[0].ok);
    CHECK(all[0].source == dir + "/b.json:2");
    CHECK(all[1].ok);
    CHECK(all[1].source == dir + "/b.json:4");
}

TEST_CASE("malformed JSON in a .json file", "[bind]") {
    auto dir = temp_dir("bind-malformed");
    write_text(dir + "/bad.json", "\n{\"id\": \"M1\", \"land_ha\": 12,,}\n");
    auto all = read({dir + "/bad.json"});
    REQUIRE(all.size() == 1);
    CHECK_FALSE(all[0].ok);
    CHECK(all[0].source == dir + "/bad.json:2");
    REQUIRE(all[0].reasons.size() == 1);
    CHECK_THAT(all[0].reasons[0], StartsWith("malformed JSON: "));
}

TEST_CASE("a .json file of one proposal a line is malformed, with a hint to name it .ndjson, and two on one line of NDJSON get none", "[bind]") {
    auto dir = temp_dir("bind-ndjson-named-json");
    write_text(dir + "/lines.json", valid("L1") + "\n" + valid("L2") + "\n");
    write_text(dir + "/two.ndjson", "{\"id\": \"T1\"} {\"id\": \"T2\"}\n");
    auto all = read({dir + "/lines.json", dir + "/two.ndjson"});
    REQUIRE(all.size() == 2);
    CHECK(all[0].source == dir + "/lines.json:1");
    CHECK(all[0].reasons == std::vector<std::string>{
                                "malformed JSON: syntax error while parsing value - unexpected '{'; expected end of input (line 2, column 1); "
                                "one proposal a line is NDJSON: name the file .ndjson or .jsonl"});
    CHECK(all[1].reasons == std::vector<std::string>{
                                "malformed JSON: syntax error while parsing value - unexpected '{'; expected end of input (line 1, column 14)"});
}

TEST_CASE("a malformed element of a .json array leaves the other elements valid", "[bind]") {
    auto dir = temp_dir("bind-malformed-element");
    write_text(dir + "/b.json", "[\n  " + valid("E1") + ",\n  {\"id\": \"E2\", \"land_ha\": tru},\n  " + valid("E3") + "\n]\n");
    auto all = read({dir + "/b.json"});
    REQUIRE(all.size() == 3);
    CHECK(all[0].ok);
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].source == dir + "/b.json:3");
    REQUIRE(all[1].reasons.size() == 1);
    CHECK_THAT(all[1].reasons[0], StartsWith("malformed JSON: "));
    CHECK(all[2].ok);
    CHECK(all[2].source == dir + "/b.json:4");
}

// Regression: bind_text once moved `source` into bind_json's argument before parse() threw, so a
// malformed proposal lost its file name (":2").
TEST_CASE("a malformed proposal's source names its file and line", "[bind]") {
    auto dir = temp_dir("bind-malformed-file");
    write_text(dir + "/one.json", "\n{\"id\": \"M1\", \"land_ha\": 12,,}\n");
    write_text(dir + "/arr.json", "[\n  " + valid("E1") + ",\n  {\"id\": \"E2\", \"land_ha\": tru}\n]\n");
    write_text(dir + "/p.ndjson", valid("N1") + "\n{\"id\": \"N2\", \"land_ha\": }\n");
    auto all = read({dir + "/one.json", dir + "/arr.json", dir + "/p.ndjson"});
    REQUIRE(all.size() == 5);
    CHECK_FALSE(all[0].ok);
    CHECK(all[0].source == dir + "/one.json:2");
    CHECK(all[1].ok);
    CHECK_FALSE(all[2].ok);
    CHECK(all[2].source == dir + "/arr.json:3");
    CHECK(all[3].ok);
    CHECK_FALSE(all[4].ok);
    CHECK(all[4].source == dir + "/p.ndjson:2");
    // bind_text directly
    auto b = bind_text(rules(), "{\"id\": ", {"stdin-or-whatever", 7, 0});
    REQUIRE(std::holds_alternative<InvalidProposal>(b));
    CHECK(std::get<InvalidProposal>(b).source.str() == "stdin-or-whatever:7");
}

TEST_CASE(".ndjson and .jsonl files: one proposal a line, a malformed line leaves the others valid", "[bind]") {
    auto dir = temp_dir("bind-ndjson");
    const std::string text = valid("N1") + "\n"   // 1
                             "\n"                 // 2: blank, skipped
                             "{\"id\": \"N2\", \"land_ha\": }\n"  // 3: malformed
                             "   \t\n"            // 4: blank
                             + valid("N3") + "\n" // 5
                             + valid("N4");       // 6: no final newline
    write_text(dir + "/p.ndjson", text);
    write_text(dir + "/q.jsonl", valid("L1") + "\n" + valid("L2") + "\n");
    auto all = read({dir + "/p.ndjson", dir + "/q.jsonl"});
    REQUIRE(all.size() == 6);
    CHECK(all[0].id == "N1");
    CHECK(all[0].source == dir + "/p.ndjson:1");
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].source == dir + "/p.ndjson:3");
    REQUIRE(all[1].reasons.size() == 1);
    CHECK_THAT(all[1].reasons[0], StartsWith("malformed JSON: "));
    CHECK(all[2].id == "N3");
    CHECK(all[2].source == dir + "/p.ndjson:5");
    CHECK(all[3].id == "N4");
    CHECK(all[3].source == dir + "/p.ndjson:6");
    CHECK(all[4].id == "L1");
    CHECK(all[4].source == dir + "/q.jsonl:1");
    CHECK(all[5].id == "L2");
    CHECK(all[5].source == dir + "/q.jsonl:2");
    CHECK(count_valid(all) == 5);
}

// Inputs whose keys test the bulk path's matching: of 31, 32 and 40 bytes, and one nested.
const char* const keys_rules = R"(format: screener/v1
id: keys
version: "1"
inputs:
  land: { type: number, required: false }
  land_ha: { type: number, required: false }
  a_key_of_thirty_one_bytes_xyz_w: { type: number, required: false }
  a_key_of_thirty_two_bytes_xyz_wv: { type: number, required: false }
  a_key_of_forty_bytes_abcdefghijklmnopqrs: { type: number, required: false }
  env.iso: { type: number, required: false }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 0 }
)";

TEST_CASE("NDJSON keys bind to their inputs by their whole text, whatever their length, order or escapes", "[bind]") {
    // The bulk path compares the key it expects next with a key's first 32 bytes (31 and the closing
    // quote); longer keys, keys out of order and escaped keys are looked up by their text instead.
    auto compiled = compile_ok(keys_rules);
    const std::vector<std::string> names = {"land", "land_ha", "a_key_of_thirty_one_bytes_xyz_w", "a_key_of_thirty_two_bytes_xyz_wv",
                                            "a_key_of_forty_bytes_abcdefghijklmnopqrs", "env.iso"};
    auto dir = temp_dir("bind-keys");
    write_text(dir + "/p.ndjson",
               // in the rule set's order
               R"({"id":"A","land":1,"land_ha":2,"a_key_of_thirty_one_bytes_xyz_w":3,"a_key_of_thirty_two_bytes_xyz_wv":4,)"
               R"("a_key_of_forty_bytes_abcdefghijklmnopqrs":5,"env":{"iso":6}})" "\n"
               // the other way round
               R"({"env":{"iso":6},"a_key_of_forty_bytes_abcdefghijklmnopqrs":5,"a_key_of_thirty_two_bytes_xyz_wv":4,)"
               R"("a_key_of_thirty_one_bytes_xyz_w":3,"land_ha":2,"land":1,"id":"B"})" "\n"
               // escaped keys
               R"({"l\u0061nd":1,"land_h\u0061":2,"a_key_of_thirty_one_bytes_xyz_\u0077":3,"env":{"is\u006f":6},"id":"C"})" "\n"
               // A key that differs from the one expected next only in its last byte, or goes on past
               // it, each on a line of its own after the keys before it (a miss does not move on what
               // is expected next), the id last: a key taken for another binds a number, not the id.
               R"({"lane":9,"id":"D"})" "\n"
               R"({"land_":9,"id":"E"})" "\n"
               R"({"land":1,"land_hb":9,"id":"F"})" "\n"
               R"({"land":1,"land_ha_x":9,"id":"G"})" "\n"
               R"({"land":1,"land_ha":2,"a_key_of_thirty_one_bytes_xyz_W":9,"id":"H"})" "\n"
               R"({"land":1,"land_ha":2,"a_key_of_thirty_one_bytes_xyz_wv":9,"id":"I"})" "\n"
               R"({"land":1,"land_ha":2,"a_key_of_thirty_one_bytes_xyz_w":3,"a_key_of_thirty_two_bytes_xyz_wV":9,)"
               R"("a_key_of_forty_bytes_abcdefghijklmnopqrS":9,"env":{"isox":9},"id":"J"})" "\n");
    std::vector<Proposal> bound;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) {
        REQUIRE(std::holds_alternative<Proposal>(b));
        bound.push_back(std::get<Proposal>(std::move(b)));
    });
    auto values = [&](const Proposal& p) {
        std::vector<double> out;
        for (const std::string& name : names)
            for (const auto& input : compiled->inputs)
                if (input.name == name) out.push_back(p.numbers[input.slot]);
        return out;
    };
    const double absent = std::nan("");
    const std::vector<std::vector<double>> expected = {
        {1, 2, 3, 4, 5, 6},                                   // A
        {1, 2, 3, 4, 5, 6},                                   // B
        {1, 2, 3, absent, absent, 6},                         // C: escaped keys
        {absent, absent, absent, absent, absent, absent},     // D
        {absent, absent, absent, absent, absent, absent},     // E
        {1, absent, absent, absent, absent, absent},          // F
        {1, absent, absent, absent, absent, absent},          // G
        {1, 2, absent, absent, absent, absent},               // H
        {1, 2, absent, absent, absent, absent},               // I
        {1, 2, 3, absent, absent, absent},                    // J
    };
    REQUIRE(bound.size() == expected.size());
    for (std::size_t k = 0; k < bound.size(); ++k) {
        INFO(bound[k].id);
        const std::vector<double> got = values(bound[k]);
        REQUIRE(got.size() == names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            INFO(names[i]);
            if (std::isnan(expected[k][i])) CHECK(std::isnan(got[i]));  // absent: no other key binds to it
            else CHECK(got[i] == expected[k][i]);
        }
    }
}

TEST_CASE("NDJSON keys no input uses are ignored however many, and one repeated in its object makes the proposal invalid", "[bind]") {
    // The bulk path checks the ignored keys for repeats once the object is read, sorted: a proposal
    // of a megabyte can hold 100,000 of them, and comparing each with those before took seconds.
    auto compiled = compile_ok(keys_rules);
    std::string many;
    for (int i = 0; i < 20'000; ++i) many += R"("k)" + std::to_string(i) + R"(":0,)";
    auto dir = temp_dir("bind-ignored");
    write_text(dir + "/p.ndjson",
               R"({"id":"A",)" + many + R"("land":1})" "\n"              // 20,000 ignored keys
               R"({"id":"B",)" + many + R"("land":1,"k19999":1})" "\n"   // the last of them again
               R"({"id":"C",)" + many + R"("land":1,"k\u0037":1})" "\n"  // k7 again, escaped
               R"({"id":"D","x":1,"land":1,"env":{"x":2,"iso":3}})" "\n"   // x in two objects
               R"({"id":"E","land":1,"env":{"x":2,"iso":3,"x":4}})" "\n");  // x twice in one
    std::map<std::string, std::vector<std::string>> found;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) {
        if (const auto* p = std::get_if<Proposal>(&b)) found[p->id] = {};
        else found[std::get<InvalidProposal>(b).id] = std::get<InvalidProposal>(b).reasons;
    });
    const std::map<std::string, std::vector<std::string>> expected = {
        {"A", {}},
        {"B", {R"(duplicate key "k19999": each key may appear only once in an object)"}},
        {"C", {R"(duplicate key "k7": each key may appear only once in an object)"}},
        {"D", {}},
        {"E", {R"(duplicate key "x": each key may appear only once in an object)"}},
    };
    CHECK(found == expected);
}

TEST_CASE("the ordinary path refuses a key repeated within one object, and only there, among any number of objects", "[bind]") {
    // It parses with nlohmann's DOM parser, noting keys as they come (parse() with a callback looked
    // back through every earlier value after each object: seconds for a proposal of many small ones).
    std::string many = R"(, "attachments": [{})";
    for (int i = 1; i < 20'000; ++i) many += ", {}";
    many += R"(], "meta": {"k0": {})";
    for (int i = 1; i < 20'000; ++i) many += R"(, "k)" + std::to_string(i) + R"(": {})";
    many += "}";
    const SourceLoc source{"p.json", 1, 0};
    auto bound = [&](const std::string& text) { return summary(bind_text(rules(), text, source)); };
    const Bound a = bound(valid("A", many));
    CHECK(a.ok);
    CHECK(a.reasons.empty());
    CHECK(bound(valid("B", R"(, "x": [{"a": 1}, {"a": 1}], "y": {"a": {"a": 1}})")).ok);  // one key in each object
    CHECK(bound(valid("C", R"(, "x": [{"a": 1, "b": {"a": 2}, "a": 3}])")).reasons ==
          std::vector<std::string>{R"(duplicate key "a": each key may appear only once in an object)"});
    const Bound d = bound(valid("D", R"(, "land_ha": 13, "name": "Dong Anh")"));
    CHECK(d.reasons == std::vector<std::string>{R"(duplicate key "land_ha": each key may appear only once in an object)"});
    CHECK(d.id == "D");  // id and name as far as they can be read, for the report's row
    CHECK(d.name == "Dong Anh");
}

TEST_CASE("NDJSON numbers of more than 19 digits bind to the double their text is nearest", "[bind]") {
    // simdjson 3.0.1, which the bulk path reads with, read 0.44444444444444477776 as 0.0755 and
    // 0.95000000000000000000 as 0.0277 (a 0 integer part and 20 or more significant digits).
    auto compiled = compile_ok(R"(format: screener/v1
id: digits
version: "1"
inputs:
  x: { type: number }
groups:
  - id: g
    criteria:
      - { id: c, points: 100 }
decision: { pass_score: 0 }
)");
    const std::vector<std::string> numbers = {"0.44444444444444477776", "0.95000000000000000000", "-0.12345678901234567890123",
                                              "0.000000000000000000001234567890123456789012", "0.1234567890123456789",
                                              "12345678901234567890.5", "1.00000000000000000000000000000001", "0.3000000000000000444e2"};
    auto dir = temp_dir("bind-digits");
    std::string text;
    for (std::size_t i = 0; i < numbers.size(); ++i) text += R"({"id":"N)" + std::to_string(i) + R"(","x":)" + numbers[i] + "}\n";
    write_text(dir + "/p.ndjson", text);
    std::vector<double> bound;
    read_proposals(*compiled, {dir + "/p.ndjson"}, [&](BoundProposal&& b) {
        REQUIRE(std::holds_alternative<Proposal>(b));
        bound.push_back(std::get<Proposal>(b).numbers[compiled->inputs[0].slot]);
    });
    REQUIRE(bound.size() == numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        INFO(numbers[i]);
        CHECK(bound[i] == std::strtod(numbers[i].c_str(), nullptr));
    }
}

TEST_CASE("CRLF line endings in NDJSON", "[bind]") {
    auto dir = temp_dir("bind-crlf");
    write_text(dir + "/p.ndjson", valid("R1") + "\r\n\r\n" + valid("R2", R"(, "note": "x")") + "\r\n");
    auto all = read({dir + "/p.ndjson"});
    REQUIRE(all.size() == 2);
    CHECK(all[0].ok);
    CHECK(all[0].source == dir + "/p.ndjson:1");
    CHECK(all[1].ok);
    CHECK(all[1].source == dir + "/p.ndjson:3");
    CHECK(all[1].proposal.strings[input("note").slot] == "x");  // no stray \r
}

TEST_CASE("a UTF-8 byte order mark at the start of a file is accepted", "[bind]") {
    auto dir = temp_dir("bind-bom");
    const std::string bom = "\xEF\xBB\xBF";
    write_text(dir + "/one.json", bom + valid("B1"));
    write_text(dir + "/arr.json", bom + "[\n" + valid("B2") + "\n]");
    write_text(dir + "/p.ndjson", bom + valid("B3") + "\n" + valid("B4") + "\n");
    auto all = read({dir + "/one.json", dir + "/arr.json", dir + "/p.ndjson"});
    REQUIRE(all.size() == 4);
    CHECK(count_valid(all) == 4);
    CHECK(all[0].id == "B1");
    CHECK(all[0].source == dir + "/one.json:1");
    CHECK(all[1].source == dir + "/arr.json:2");
    CHECK(all[2].id == "B3");
    CHECK(all[2].source == dir + "/p.ndjson:1");
    CHECK(all[3].source == dir + "/p.ndjson:2");
}

TEST_CASE("directories are read recursively, files in sorted order", "[bind]") {
    auto dir = temp_dir("bind-dir");
    namespace fs = std::filesystem;
    fs::create_directories(dir + "/a/sub");
    fs::create_directories(dir + "/c");
    write_text(dir + "/b.json", valid("from-b"));
    write_text(dir + "/c/x.jsonl", valid("from-c-x-1") + "\n" + valid("from-c-x-2") + "\n");
    write_text(dir + "/a/z.ndjson", valid("from-a-z") + "\n");
    std::string array = "[";
    array += valid("from-a-sub-y-1") + ",\n" + valid("from-a-sub-y-2") + "]";
    write_text(dir + "/a/sub/y.json", array);
    auto all = read({dir});
    std::vector<std::string> ids, sources;
    for (const auto& b : all) ids.push_back(b.id), sources.push_back(b.source);
    CHECK(ids == std::vector<std::string>{"from-a-sub-y-1", "from-a-sub-y-2", "from-a-z", "from-b", "from-c-x-1", "from-c-x-2"});
    CHECK(sources == std::vector<std::string>{dir + "/a/sub/y.json:1", dir + "/a/sub/y.json:2", dir + "/a/z.ndjson:1",
                                              dir + "/b.json:1", dir + "/c/x.jsonl:1", dir + "/c/x.jsonl:2"});
    CHECK(count_valid(all) == 6);
}

TEST_CASE("extensions count in any case: P.JSON is a proposal file, Q.NDJSON and R.JsonL are NDJSON, others are passed over", "[bind]") {
    auto dir = temp_dir("bind-extension-case");
    write_text(dir + "/P.JSON", valid("upper-json"));
    write_text(dir + "/Q.NDJSON", valid("upper-ndjson-1") + "\n" + valid("upper-ndjson-2") + "\n");
    write_text(dir + "/R.JsonL", valid("mixed-jsonl") + "\n");
    write_text(dir + "/S.TXT", valid("not-a-proposal-file"));
    auto all = read({dir});
    std::vector<std::string> ids;
    for (const auto& b : all) ids.push_back(b.id);
    CHECK(ids == std::vector<std::string>{"upper-json", "upper-ndjson-1", "upper-ndjson-2", "mixed-jsonl"});
    CHECK(count_valid(all) == 4);
}

TEST_CASE("empty files", "[bind]") {
    auto dir = temp_dir("bind-empty");
    write_text(dir + "/empty.json", "");
    write_text(dir + "/blank.json", " \n\t\n");
    write_text(dir + "/empty.ndjson", "");
    write_text(dir + "/blank.jsonl", "\n\r\n  \n");
    // an empty JSON file is reported (it holds no JSON value); an empty NDJSON file holds zero proposals
    auto all = read({dir + "/empty.json", dir + "/blank.json", dir + "/empty.ndjson", dir + "/blank.jsonl"});
    REQUIRE(all.size() == 2);
    CHECK_FALSE(all[0].ok);
    CHECK(all[0].source == dir + "/empty.json");
    CHECK(all[0].reasons == std::vector<std::string>{"cannot read: the file is empty"});
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].source == dir + "/blank.json");
    CHECK(all[1].reasons == std::vector<std::string>{"cannot read: the file is empty"});
}

TEST_CASE("a path that does not exist is one invalid entry and the batch goes on", "[bind]") {
    auto dir = temp_dir("bind-missing");
    write_text(dir + "/ok.ndjson", valid("after") + "\n");
    auto all = read({dir + "/nope.json", dir + "/ok.ndjson"});
    REQUIRE(all.size() == 2);
    CHECK_FALSE(all[0].ok);
    CHECK(all[0].source == dir + "/nope.json");
    CHECK(all[0].reasons == std::vector<std::string>{"cannot read: no such file or directory"});
    CHECK(all[1].ok);
    CHECK(all[1].id == "after");
}

TEST_CASE("a repeated id: the first stays valid, every later one is invalid", "[bind]") {
    auto dir = temp_dir("bind-dup");
    write_text(dir + "/p.ndjson", valid("D") + "\n" + valid("E") + "\n" + valid("D") + "\n" +
                                      R"({"id": "D", "land_ha": "x", "workers": 1, "sector": "textiles", "environment": {"wastewater": true}})" +
                                      "\n");
    write_text(dir + "/q.json", valid("E"));  // repeats across files too
    auto all = read({dir + "/p.ndjson", dir + "/q.json"});
    REQUIRE(all.size() == 5);
    CHECK(all[0].ok);
    CHECK(all[0].id == "D");
    CHECK(all[1].ok);
    CHECK_FALSE(all[2].ok);
    CHECK(all[2].id == "D");
    CHECK(all[2].source == dir + "/p.ndjson:3");
    CHECK(all[2].reasons == std::vector<std::string>{"id: \"D\" repeats an earlier proposal's id"});
    CHECK_FALSE(all[3].ok);
    CHECK(all[3].source == dir + "/p.ndjson:4");
    CHECK_THAT(all[3].reasons, Catch::Matchers::UnorderedEquals(std::vector<std::string>{
                                   "land_ha: expected a number, found text \"x\"", "id: \"D\" repeats an earlier proposal's id"}));
    CHECK_FALSE(all[4].ok);
    CHECK(all[4].source == dir + "/q.json:1");
    CHECK(all[4].reasons == std::vector<std::string>{"id: \"E\" repeats an earlier proposal's id"});
    CHECK(count_valid(all) == 2);
}

TEST_CASE("no valid proposal is ever dropped in a large mixed batch", "[bind]") {
    auto dir = temp_dir("bind-count");
    std::string ndjson;
    std::size_t expected_valid = 0, expected_total = 0;
    for (int i = 1; i <= 2000; ++i) {
        std::string id = "P";
        id += std::to_string(i);
        if (i % 11 == 0) ndjson += "{\"id\": \"" + id + "\", \"land_ha\": \n";          // malformed
        else if (i % 7 == 0) ndjson += "{\"id\": \"" + id + "\", \"workers\": 1.5}\n";     // invalid (3 reasons)
        else if (i % 13 == 0) ndjson += valid("P1") + "\n";                             // repeated id
        else if (i % 17 == 0) ndjson += "\n";                                           // blank
        else ndjson += valid(id) + "\n", ++expected_valid;
        if (i % 17 != 0 || i % 11 == 0 || i % 7 == 0 || i % 13 == 0) ++expected_total;
    }
    write_text(dir + "/big.ndjson", ndjson);
    auto all = read({dir + "/big.ndjson"});
    CHECK(all.size() == expected_total);
    CHECK(count_valid(all) == expected_valid);
    // and they are in input order, each on its own line
    std::uint32_t previous = 0;
    for (const auto& b : all) {
        auto line = static_cast<std::uint32_t>(std::stoul(b.source.substr(b.source.rfind(':') + 1)));
        CHECK(line > previous);
        previous = line;
    }
}

TEST_CASE("UTF-8 ids, names and values with Vietnamese diacritics survive unchanged", "[bind]") {
    auto dir = temp_dir("bind-utf8");
    const std::string id = "dự-án-Bắc-Ninh-01";
    const std::string name = "Nhà máy Điện tử Quế Võ — giai đoạn 2";
    const std::string note = "Khu công nghiệp Yên Phong, tỉnh Bắc Ninh";
    const std::string line = R"({"id": ")" + id + R"(", "name": ")" + name + R"(", "land_ha": 12, "workers": 250, "sector": "electronics",)"
                             R"( "environment": {"wastewater": true}, "note": ")" + note + R"(", "support": ["đất sạch", "ưu đãi thuế"]})";
    // the same name written with \u escapes decodes to the same bytes
    const std::string escaped = R"({"id": "esc", "name": "Nh\u00e0 m\u00e1y \u0110i\u1ec7n t\u1eed Qu\u1ebf V\u00f5 \u2014 giai \u0111o\u1ea1n 2",)"
                                R"( "land_ha": 12, "workers": 250, "sector": "electronics", "environment": {"wastewater": true}})";
    write_text(dir + "/p.ndjson", line + "\n" + escaped + "\n");
    auto all = read({dir + "/p.ndjson"});
    REQUIRE(all.size() == 2);
    REQUIRE(all[0].ok);
    CHECK(all[0].id == id);
    CHECK(all[0].name == name);
    CHECK(all[0].proposal.strings[input("note").slot] == note);
    CHECK(all[0].proposal.lists[input("support").slot] == std::vector<std::string>{"đất sạch", "ưu đãi thuế"});
    REQUIRE(all[1].ok);
    CHECK(all[1].name == name);

    // and in reasons: the value found is quoted as given
    CHECK(reasons(with(valid_json("X"), "sector", "điện tử")) ==
          std::vector<std::string>{"sector: unknown value \"điện tử\" (expected one of electronics, semiconductors, textiles)"});
    CHECK(reasons(with(valid_json("X"), "land_ha", "mười hai")) ==
          std::vector<std::string>{"land_ha: expected a number, found text \"mười hai\""});
    // an invalid proposal keeps its id and name
    auto bad = bind_json(rules(), with(with(with(valid_json(id), "name", name), "workers", -1), "id", id), {"f", 1, 0});
    REQUIRE(std::holds_alternative<InvalidProposal>(bad));
    CHECK(std::get<InvalidProposal>(bad).id == id);
    CHECK(std::get<InvalidProposal>(bad).name == name);
}

// ---------------------------------------------------------------------------------------------
// Regressions: behaviour these tests found wrong once, now fixed.

TEST_CASE("a number too large for a double is an invalid proposal, not an exception that stops the batch",
          "[bind]") {
    auto dir = temp_dir("bind-overflow");
    write_text(dir + "/p.ndjson", valid("O1") + "\n" +
                                      R"({"id": "O2", "land_ha": 1e400, "workers": 1, "sector": "textiles", "environment": {"wastewater": true}})" +
                                      "\n" + valid("O3") + "\n");
    std::vector<Bound> all;
    CHECK_NOTHROW(read_proposals(rules(), {dir + "/p.ndjson"}, [&](BoundProposal&& b) { all.push_back(summary(std::move(b))); }));
    REQUIRE(all.size() == 3);
    CHECK(all[0].ok);
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].source == dir + "/p.ndjson:2");
    CHECK(all[1].id == "O2");
    CHECK(all[1].reasons ==
          std::vector<std::string>{"land_ha: the number 1e400 is out of range: numbers run to ±1.7976931348623157e308 (line 2, column 25)"});
    CHECK(all[2].ok);  // the proposal after it is still read
}

TEST_CASE("a number too large for a double in a multi-line proposal is named by its field, line and column", "[bind]") {
    const std::string text = "{\n  \"id\": \"P-7\",\n  \"name\": \"Seven\",\n  \"environment\": {\n    \"wastewater\": -2E+999\n  }\n}\n";
    Bound b = summary(bind_text(rules(), text, SourceLoc{"p.json", 1, 0}));
    CHECK_FALSE(b.ok);
    CHECK(b.id == "P-7");  // read before the number
    CHECK(b.name == "Seven");
    CHECK(b.reasons == std::vector<std::string>{"environment.wastewater: the number -2E+999 is out of range: numbers run to "
                                                "±1.7976931348623157e308 (line 5, column 19)"});
    // In a file whose proposal starts on line 10, the line is the file's.
    CHECK(summary(bind_text(rules(), text, SourceLoc{"p.ndjson", 10, 0})).reasons[0].ends_with("(line 14, column 19)"));
}

TEST_CASE("a NUL byte outside a text is named, not taken for the end of the input", "[bind]") {
    // From an operator helper: a line holding a NUL said "unexpected end of input".
    auto reasons = [](const std::string& text) { return summary(bind_text(rules(), text, SourceLoc{"n.ndjson", 4, 0})).reasons; };
    CHECK(reasons(std::string("\0", 1)) == std::vector<std::string>{"malformed JSON: a NUL byte, where JSON has none (line 4, column 1)"});
    CHECK(reasons("{\"id\": \"A\"," + std::string(1, '\0') + " \"x\": 1}") ==
          std::vector<std::string>{"malformed JSON: a NUL byte, where JSON has none (line 4, column 12)"});
}

TEST_CASE("a malformed multi-line JSON object's reason gives the file line of the syntax error",
          "[bind]") {
    auto dir = temp_dir("bind-malformed-line");
    write_text(dir + "/bad.json",
               "{\n"                          // 1
               "  \"id\": \"M1\",\n"          // 2
               "  \"land_ha\": 12,\n"         // 3
               "  \"workers\": 25o,\n"        // 4: the error
               "  \"sector\": \"textiles\"\n" // 5
               "}\n");
    auto all = read({dir + "/bad.json"});
    REQUIRE(all.size() == 1);
    CHECK(all[0].line == 1);  // where the proposal starts
    REQUIRE(all[0].reasons.size() == 1);
    CHECK_THAT(all[0].reasons[0], StartsWith("malformed JSON") && Contains("line 4"));  // where the error is
}

TEST_CASE("text after the closing bracket of a .json array is reported, not silently ignored",
          "[bind]") {
    auto dir = temp_dir("bind-trailing");
    write_text(dir + "/b.json", "[\n" + valid("T1") + "\n]\n" + valid("T2") + "\n");
    auto all = read({dir + "/b.json"});
    // T2 is not part of any JSON value the file holds: the file is malformed, and something must say so
    bool reported = false;
    for (const auto& b : all)
        if (!b.ok)
            for (const auto& r : b.reasons) reported |= r.rfind("malformed JSON", 0) == 0;
    CHECK(reported);
}

TEST_CASE("a long value quoted in a reason is cut on a UTF-8 character boundary",
          "[bind]") {
    // describe() keeps the first 57 bytes of the JSON text of the value. Each "ệ" is 3 bytes (E1 BB 87).
    std::string e30;
    for (int k = 0; k < 30; ++k) e30 += "ệ";
    // text: `"a` (2 bytes) then ệ at bytes 2+3k: byte 57 = 2 + 3*18 + 1 falls inside the 19th ệ
    const std::string value = "a" + e30;
    auto r = reasons(with(valid_json("X"), "land_ha", value));
    REQUIRE(r.size() == 1);
    CHECK_THAT(r[0], StartsWith("land_ha: expected a number, found text \""));
    CHECK(valid_utf8(r[0]));
    // a list item: `["ab` (4 bytes) then ệ at bytes 4+3k: byte 57 = 4 + 3*17 + 2 falls inside the 18th ệ
    auto l = reasons(with(valid_json("X"), "support", json::array({json::array({"ab" + e30})})));
    REQUIRE(l.size() == 1);
    CHECK_THAT(l[0], StartsWith("support: expected a list of text, found an item a list"));
    CHECK(valid_utf8(l[0]));
}

TEST_CASE("hostile directory entries each get one clear result and the batch goes on", "[bind]") {
    namespace fs = std::filesystem;
    const std::string dir = temp_dir("bind-hostile");
    fs::create_directories(dir + "/loop");
    fs::create_directory_symlink("..", dir + "/loop/up");                   // a link loop: each folder searched once
    fs::create_symlink(dir + "/nowhere.json", dir + "/b-broken.json");      // a broken link
    write_text(dir + "/a-ok.json", valid("OK"));
    write_text(dir + "/c-bom-crlf.ndjson", "\xEF\xBB\xBF" + valid("BOM") + "\r\n" + valid("CRLF") + "\r\n");
    write_text(dir + "/d-empty.json", "");
    fs::create_directories(dir + "/e-folder.json");                         // a folder with a .json name
    write_text(dir + "/e-folder.json/inner.json", valid("INNER"));

    auto all = read({dir});
    REQUIRE(all.size() == 6);
    CHECK((all[0].ok && all[0].id == "OK"));
    CHECK_FALSE(all[1].ok);
    CHECK(all[1].source == dir + "/b-broken.json");
    CHECK(all[1].reasons == std::vector<std::string>{"cannot read: not a regular file (a broken link, a pipe or a device)"});
    CHECK((all[2].ok && all[2].id == "BOM" && all[2].line == 1));
    CHECK((all[3].ok && all[3].id == "CRLF" && all[3].line == 2));
    CHECK(all[4].reasons == std::vector<std::string>{"cannot read: the file is empty"});
    CHECK((all[5].ok && all[5].id == "INNER"));
}

TEST_CASE("a link to a folder is followed, each folder searched once, by its first name in sorted order", "[bind]") {
    // From an operator helper: a link to a folder was passed over without a word, its proposals
    // dropped.
    namespace fs = std::filesystem;
    const std::string dir = temp_dir("bind-linked-folder");
    fs::create_directories(dir + "/inbox");
    fs::create_directories(dir + "/shared/2025");
    write_text(dir + "/shared/2025/p.json", valid("LINKED"));
    write_text(dir + "/inbox/q.json", valid("OWN"));
    fs::create_directory_symlink(dir + "/shared", dir + "/inbox/archive");  // into a folder read through its link
    fs::create_directory_symlink(dir + "/inbox", dir + "/inbox/self");      // a loop
    auto ids = [](const std::vector<Bound>& all) {
        std::vector<std::string> out;
        for (const auto& b : all) out.push_back(b.id + " " + b.source);
        return out;
    };
    CHECK(ids(read({dir + "/inbox"})) == std::vector<std::string>{"LINKED " + dir + "/inbox/archive/2025/p.json:1", "OWN " + dir + "/inbox/q.json:1"});
    // Both the folder and a link to it: the first name searches it (inbox/archive before shared).
    CHECK(ids(read({dir})) == std::vector<std::string>{"LINKED " + dir + "/inbox/archive/2025/p.json:1", "OWN " + dir + "/inbox/q.json:1"});
}

TEST_CASE("files left unread are gathered among those read, so a folder of mixed sizes makes no more jobs", "[bind]") {
    // 40 files, one in two over 16 KiB (read by the reading thread), the others left for a worker.
    const std::string dir = temp_dir("bind-mixed");
    for (int i = 0; i < 40; ++i)
        write_text(dir + "/" + std::to_string(100 + i) + ".json",
                   valid("M" + std::to_string(i), i % 2 ? ", \"name\": \"" + std::string(20'000, 'm') + "\"" : ""));
    auto read_in = [&](bool small_files_unread, std::size_t& chunks, std::size_t& unread) {
        std::vector<std::tuple<std::string, std::string, std::uint32_t>> out;
        chunks = unread = 0;
        detail::read_raw({dir}, [&](detail::RawChunk&& chunk) {
            ++chunks;
            unread += chunk.unread();
            detail::read_files(chunk);
            for (const detail::RawRecord& r : chunk.records) out.emplace_back(chunk.file(r), chunk.bytes.substr(r.offset, r.length), r.line);
        }, std::numeric_limits<std::size_t>::max(), small_files_unread);
        return out;
    };
    std::size_t chunks = 0, unread = 0, chunks_unread = 0;
    const auto plain = read_in(false, chunks, unread);
    REQUIRE(plain.size() == 40);
    CHECK(read_in(true, chunks_unread, unread) == plain);
    CHECK(unread > 0);
    CHECK(chunks_unread <= chunks);  // (a chunk a file, when the two kinds went apart)
    CHECK(chunks < 10);
}

TEST_CASE("read_files reads each file as it was listed: no further, and nothing that is no regular file any more", "[bind]") {
    const std::string dir = temp_dir("bind-read-files");
    auto records_of = [](const std::vector<std::string>& files, const std::vector<std::uint64_t>& sizes) {
        detail::RawChunk chunk;
        chunk.files = files;
        chunk.sizes = sizes;
        detail::read_files(chunk);
        CHECK_FALSE(chunk.unread());
        std::vector<std::tuple<std::string, std::string, std::uint32_t, std::string>> out;
        for (const detail::RawRecord& r : chunk.records) out.emplace_back(chunk.file(r), chunk.bytes.substr(r.offset, r.length), r.line, r.problem);
        return std::pair(chunk.files, out);
    };
    const std::string a = dir + "/a.ndjson", grown = dir + "/grown.json", open_array = dir + "/open.json";
    write_text(a, valid("A1") + "\n\n" + valid("A2") + "\n");
    write_text(grown, valid("G"));
    // An array that never closes, longer than the reader's first block: it is handed on in two parts.
    std::string text = "[";
    for (int i = 0; i < 200; ++i) text += valid("O" + std::to_string(i)) + ",";
    REQUIRE(text.size() > (16 << 10));
    write_text(open_array, text);
    const auto size = [](const std::string& f) { return static_cast<std::uint64_t>(std::filesystem::file_size(f)); };

    // As listed: the records read_raw makes, each file named once.
    const auto [files, read] = records_of({a, open_array}, {size(a), size(open_array)});
    CHECK(files == std::vector<std::string>{a, open_array});
    REQUIRE(read.size() == 2 + 200 + 1);
    CHECK(read[0] == std::tuple(a, valid("A1"), 1U, std::string()));
    CHECK(read[1] == std::tuple(a, valid("A2"), 3U, std::string()));
    CHECK(read[2] == std::tuple(open_array, valid("O0"), 1U, std::string()));
    CHECK(std::get<3>(read.back()) == "malformed JSON: the file ends before the array's closing ']'");

    // Grown since it was listed (as if listed 5 bytes shorter): none of it is read, and it says why.
    const auto [grown_files, grown_read] = records_of({a, grown}, {size(a), size(grown) - 5});
    CHECK(grown_files == std::vector<std::string>{a, grown});
    REQUIRE(grown_read.size() == 3);
    CHECK(grown_read[2] == std::tuple(grown, std::string(), 0U,
                                      "cannot read: the file changed while it was read (" + std::to_string(size(grown) - 5) +
                                          " bytes when it was listed, more when it was read)"));
    // Shrunk since: what it holds now.
    CHECK(records_of({grown}, {size(grown) + 100}).second == std::vector{std::tuple(grown, valid("G"), 1U, std::string())});

    // A FIFO or a folder where a regular file was listed: no writer ever comes, so opening the FIFO
    // to wait for one would never return. A watchdog opens it for writing after two seconds, had
    // read_files blocked, so that the test fails rather than hangs.
    const std::string fifo = dir + "/late.json", folder = dir + "/folder.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::filesystem::create_directory(folder);
    std::atomic<bool> done = false, rescued = false;
    std::thread watchdog([&] {
        for (int i = 0; i < 200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (done) return;
        rescued = true;
        const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
    });
    const auto [late_files, late] = records_of({fifo, folder}, {100, 100});
    done = true;
    watchdog.join();
    CHECK_FALSE(rescued);
    const std::string not_regular = "cannot read: not a regular file (a broken link, a pipe or a device)";
    CHECK(late == std::vector{std::tuple(fifo, std::string(), 0U, not_regular), std::tuple(folder, std::string(), 0U, not_regular)});
}

TEST_CASE("hostile numbers: huge, tiny and out-of-range values are refused with the value found", "[bind]") {
    auto bound = [](const std::string& land) {
        return summary(bind_text(rules(), R"({"id": "N", "land_ha": )" + land +
                                              R"(, "workers": 250, "sector": "electronics", "environment": {"wastewater": true}})",
                                 SourceLoc{"n.json", 1, 0}));
    };
    // land_ha is declared with min 0.01 and max 1000
    CHECK(bound("1e308").reasons == std::vector<std::string>{"land_ha: expected at most 1000, found 1e+308"});
    CHECK(bound("1e-320").reasons == std::vector<std::string>{"land_ha: expected at least 0.01, found 1e-320"});
    CHECK(bound("-0").reasons == std::vector<std::string>{"land_ha: expected at least 0.01, found 0"});  // -0 is 0
    CHECK(bound("123456789012345678901234567890").reasons ==
          std::vector<std::string>{"land_ha: expected at most 1000, found 1.2345678901234568e+29"});
    // Beyond a double: the JSON itself cannot be read. The column is where 1e400 starts.
    CHECK(bound("1e400").reasons ==
          std::vector<std::string>{"land_ha: the number 1e400 is out of range: numbers run to ±1.7976931348623157e308 (line 1, column 24)"});
    CHECK(bound("999.5").ok);
}
