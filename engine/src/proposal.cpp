#include "screener/proposal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <system_error>
#include <tuple>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <fmt/format.h>

#include "fast_bind.hpp"
#include "number_text.hpp"
#include "screener/compile.hpp"
#include "screener/limits.hpp"
#include "utf8.hpp"

namespace screener {

namespace {


std::string describe(const nlohmann::json& value) {
    // Containers are named, not printed, unless flat: printing nests as deep as the value does.
    if (value.is_object()) return "an object";
    if (value.is_array() && std::any_of(value.begin(), value.end(), [](const auto& v) { return v.is_structured(); }))
        return "a list holding lists or objects";
    const std::string text = detail::shortened(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 60);
    switch (value.type()) {
        case nlohmann::json::value_t::string: return "text " + text;
        case nlohmann::json::value_t::boolean: return text;
        case nlohmann::json::value_t::array: return "a list " + text;
        case nlohmann::json::value_t::object: return "an object";
        case nlohmann::json::value_t::null: return "null";
        default: return text;
    }
}

void size(const CompiledRules& rules, Proposal& p) {
    p.numbers.assign(rules.number_slots, std::nan(""));
    p.strings.assign(rules.string_slots, std::string());
    p.string_present.assign(rules.string_slots, 0);
    p.lists.assign(rules.list_slots, {});
    p.list_present.assign(rules.list_slots, 0);
}

}  // namespace

namespace detail {

std::optional<std::string> store_value(const CompiledInput& input, const nlohmann::json& value, Proposal& p) {
    switch (input.type) {
        case InputType::number:
        case InputType::integer: {
            if (!value.is_number())
                return "expected " + std::string(input.type == InputType::number ? "a number" : "a whole number") +
                       ", found " + describe(value);
            double v = value.get<double>();
            if (!std::isfinite(v)) return "expected a finite number, found " + describe(value);
            if (input.type == InputType::integer && v != std::trunc(v)) return "expected a whole number, found " + describe(value);
            if (input.min && v < *input.min) return "expected at least " + number_text(*input.min) + ", found " + number_text(v);
            if (input.max && v > *input.max) return "expected at most " + number_text(*input.max) + ", found " + number_text(v);
            p.numbers[input.slot] = v == 0 ? 0.0 : v;  // -0 is 0
            return std::nullopt;
        }
        case InputType::boolean:
            if (!value.is_boolean()) return "expected true or false, found " + describe(value);
            p.numbers[input.slot] = value.get<bool>() ? 1 : 0;
            return std::nullopt;
        case InputType::string:
            if (!value.is_string()) return "expected text, found " + describe(value);
            p.strings[input.slot] = value.get<std::string>();
            detail::compose(p.strings[input.slot]);
            p.string_present[input.slot] = 1;
            return std::nullopt;
        case InputType::enumeration: {
            auto one_of = [&] { return "one of " + listed(input.values); };
            if (!value.is_string()) return "expected " + one_of() + "; found " + describe(value);
            std::string text = value.get<std::string>();
            detail::compose(text);
            auto it = std::find(input.values.begin(), input.values.end(), text);
            if (it == input.values.end())
                return "unknown value \"" + text + "\"" + did_you_mean(text, input.values) + " (expected " + one_of() + ")";
            p.numbers[input.slot] = static_cast<double>(it - input.values.begin());
            return std::nullopt;
        }
        case InputType::list: {
            if (!value.is_array()) return "expected a list of text, found " + describe(value);
            std::vector<std::string> items;
            for (const auto& item : value) {
                if (!item.is_string()) return "expected a list of text, found an item " + describe(item);
                std::string& text = items.emplace_back(item.get<std::string>());
                detail::compose(text);
                if (!input.values.empty() && std::find(input.values.begin(), input.values.end(), text) == input.values.end())
                    return "unknown value \"" + text + "\" in the list" + did_you_mean(text, input.values) + " (expected each of " +
                           listed(input.values) + ")";
            }
            p.lists[input.slot] = std::move(items);
            p.list_present[input.slot] = 1;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace detail

namespace {
// How a proposal gives a nested key: {"environment": {"iso14001": ...}}.
std::string nested_form(const std::vector<std::string>& path) {
    std::string nested = "...";
    for (auto part = path.rbegin(); part != path.rend(); ++part) nested = "{\"" + *part + "\": " + nested + "}";
    return nested;
}

// The key paths a rule set's inputs read, dotted: each input's name ("environment.iso14001"), and
// the objects that hold inputs ("environment").
struct KeyPaths {
    explicit KeyPaths(const CompiledRules& rules) {
        for (const CompiledInput& input : rules.inputs) {
            inputs.insert(input.name);
            for (std::size_t dot = input.name.find('.'); dot != std::string::npos; dot = input.name.find('.', dot + 1))
                parents.insert(input.name.substr(0, dot));
        }
    }
    // Whether `path` is read, at `prefix` (a proposal's id and name are, at the top).
    bool read(const std::string& prefix, const std::string& key) const {
        const std::string path = prefix + key;
        return inputs.contains(path) || parents.contains(path) || (prefix.empty() && (key == "id" || key == "name"));
    }
    std::set<std::string> inputs, parents;
};

// Keys a proposal may misspell: a missing required input is told of a key near its own that no
// input reads, in the object it lies in (localisation_rate for localization_rate). Worked out for the
// first few missing inputs of a proposal only: one missing them all, with hundreds of keys, stays cheap.
class Misspellings {
public:
    explicit Misspellings(const CompiledRules& rules) : rules_(rules) {}

    std::string near(const nlohmann::json& proposal, const CompiledInput& input) {
        if (left_ == 0) return "";
        --left_;
        if (!paths_) paths_.emplace(rules_);
        const nlohmann::json* parent = &proposal;
        for (std::size_t k = 0; k + 1 < input.path.size() && parent; ++k) {
            const auto it = parent->find(input.path[k]);
            parent = it != parent->end() && it->is_object() ? &*it : nullptr;
        }
        if (!parent || !parent->is_object()) return "";
        std::string prefix;  // the parent's path and a dot: "environment."
        for (std::size_t k = 0; k + 1 < input.path.size(); ++k) prefix += input.path[k] + ".";
        std::vector<std::string> unread;
        for (const auto& [key, item] : parent->items())
            if (!paths_->read(prefix, key)) unread.push_back(key);
        const std::string* misspelt = closest(input.path.back(), unread);
        return misspelt ? *misspelt : "";
    }

private:
    const CompiledRules& rules_;
    std::optional<KeyPaths> paths_;  // worked out when first needed
    int left_ = 3;
};
}  // namespace

BoundProposal bind_json(const CompiledRules& rules, const nlohmann::json& value, SourceLoc source) {
    InvalidProposal invalid;
    invalid.source = source;
    if (!value.is_object()) {
        invalid.reasons.push_back("expected a proposal object {...}, found " + describe(value));
        return invalid;
    }
    Proposal p;
    p.source = std::move(source);
    size(rules, p);
    if (auto id = value.find("id"); id == value.end() || id->is_null())
        invalid.reasons.push_back("id: missing (every proposal needs a text \"id\")");
    else if (!id->is_string() || id->get_ref<const std::string&>().empty())
        invalid.reasons.push_back("id: expected non-empty text, found " + describe(*id));
    else
        detail::compose(p.id = id->get<std::string>());
    if (auto name = value.find("name"); name != value.end() && !name->is_null()) {
        if (name->is_string()) detail::compose(p.name = name->get<std::string>());
        else invalid.reasons.push_back("name: expected text, found " + describe(*name));
    }

    Misspellings misspellings(rules);
    for (const CompiledInput& input : rules.inputs) {
        const nlohmann::json* node = &value;
        std::string problem;
        for (std::size_t k = 0; k < input.path.size() && node; ++k) {
            if (node->is_null()) {  // a null parent counts as absent, as a null value does
                node = nullptr;
                break;
            }
            if (!node->is_object()) {
                std::string parent;
                for (std::size_t j = 0; j < k; ++j) parent += (j ? "." : "") + input.path[j];
                problem = "expected '" + parent + "' to be an object holding '" + input.path[k] + "', found " + describe(*node);
                node = nullptr;
                break;
            }
            auto it = node->find(input.path[k]);
            node = it == node->end() ? nullptr : &*it;
        }
        if (!problem.empty()) {
            invalid.reasons.push_back(input.name + ": " + problem);
            continue;
        }
        if (!node || node->is_null()) {
            if (!input.default_value.is_null()) detail::store_value(input, input.default_value, p);
            else if (input.required) {
                std::string reason = input.name + ": missing (required input)";
                // The name as written in the rule set, given as one key: the dots nest objects.
                if (input.path.size() > 1 && value.contains(input.name)) {
                    reason += "; the proposal has \"" + input.name + "\" as one key: nest it, as " + nested_form(input.path);
                } else if (const std::string misspelt = misspellings.near(value, input); !misspelt.empty()) {
                    reason += "; the proposal has \"" + misspelt + "\", which the rule set does not read: a misspelling?";
                }
                invalid.reasons.push_back(std::move(reason));
            }
            continue;
        }
        if (auto error = detail::store_value(input, *node, p)) invalid.reasons.push_back(input.name + ": " + *error);
    }
    if (invalid.reasons.empty()) return p;
    invalid.id = p.id;
    invalid.name = p.name;
    invalid.source = p.source;
    return invalid;
}

namespace {
// nlohmann's DOM parser, noting the first key repeated in an object: JSON allows repeated keys, but
// which value would count is anyone's guess, so they are refused. (parse() with a callback would
// see them too, but after each object it looks through all the values before it in its array or
// object: a proposal of many small objects took seconds.) The base is nlohmann's own, from its
// detail namespace: 3.11 (Debian bookworm's) takes the json type alone; 3.12 adds parameters.
struct DomParser : nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
    explicit DomParser(nlohmann::json& value) : json_sax_dom_parser(value) {}
    bool start_object(std::size_t size) {
        keys.emplace_back();
        path.emplace_back();
        return json_sax_dom_parser::start_object(size);
    }
    bool key(std::string& key) {
        if (!keys.back().insert(key).second && duplicate.empty()) duplicate = key;
        path.back() = key;
        return json_sax_dom_parser::key(key);
    }
    bool end_object() {
        keys.pop_back();
        path.pop_back();
        return json_sax_dom_parser::end_object();
    }
    // Where the error is, which a number too large for a double (nlohmann's out_of_range) does not
    // carry: the offset just past the token the parser stopped at, and that token.
    template <class Exception>
    bool parse_error(std::size_t position, const std::string& token, const Exception& ex) {
        error_end = position;
        error_token = token;
        return json_sax_dom_parser::parse_error(position, token, ex);
    }
    // The keys of the objects open, outermost first: the field an error is in ("environment.iso14001").
    std::string field() const {
        std::string out;
        for (const auto& key : path) out += (out.empty() ? "" : ".") + key;
        return out;
    }
    std::vector<std::set<std::string>> keys;  // of each object open
    std::vector<std::string> path;
    std::string duplicate;
    std::size_t error_end = 0;
    std::string error_token;
};
}  // namespace

BoundProposal bind_text(const CompiledRules& rules, std::string_view text, SourceLoc source) {
    nlohmann::json value;
    DomParser parser(value);
    // The id and name as far as they were read (the last of a repeated key's values): a proposal
    // that cannot be read is still named in the report when they came before what is wrong.
    auto read_text = [&value](const char* key) {
        std::string text = value.is_object() && value.contains(key) && value[key].is_string() ? value[key].get<std::string>() : std::string();
        detail::compose(text);
        return text;
    };
    auto invalid = [&](std::string reason) {
        InvalidProposal out;
        out.id = read_text("id");
        out.name = read_text("name");
        out.source = std::move(source);
        out.reasons.push_back(std::move(reason));
        return out;
    };
    // " (line 7, column 14)": where `offset` is in the file, the lines counted from this proposal's first.
    auto where = [&](std::size_t offset) {
        offset = std::min(offset, text.size());
        std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
        std::uint32_t line = source.line + static_cast<std::uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
        std::size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
        return std::pair{fmt::format(" (line {}, column {})", line, column), column};
    };
    try {
        nlohmann::json::sax_parse(text, &parser);
    } catch (const nlohmann::json::exception& e) {
        std::string what = json_error_text(e.what());
        if (const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e)) {
            // "parse error at line 4, column 14: syntax error ...": where is said below, in the file.
            if (const auto at = what.find(": "); at != std::string::npos) what.erase(0, at + 2);
            std::size_t offset = parse->byte > 0 ? parse->byte - 1 : 0;
            // nlohmann reads a NUL byte outside a text as the end of the input: say what it is.
            if (const std::size_t nul = text.find('\0'); nul <= offset && what.find("unexpected end of input") != std::string::npos)
                what = "a NUL byte, where JSON has none", offset = nul;
            const auto [at, column] = where(offset);
            std::string reason = "malformed JSON: " + what + at;
            // A second value at the start of a line: most likely NDJSON, which a file's name tells
            // apart, and standard input its first line (a whole proposal).
            if (column == 1 && what.ends_with("expected end of input"))
                reason += source.file == "<stdin>" ? "; proposals on standard input one after another are NDJSON, each whole on one line"
                                                   : "; one proposal a line is NDJSON: name the file .ndjson or .jsonl";
            return invalid(std::move(reason));
        }
        if (e.id == 406) {  // a number beyond a double: JSON allows it, a double cannot hold it
            const std::string field = parser.field();
            return invalid((field.empty() ? "" : field + ": ") + "the number " + parser.error_token +
                           " is out of range: numbers run to ±1.7976931348623157e308" + where(parser.error_end - std::min(parser.error_end, parser.error_token.size())).first);
        }
        return invalid("malformed JSON: " + what);
    }
    if (!parser.duplicate.empty())
        return invalid("duplicate key \"" + parser.duplicate + "\": each key may appear only once in an object");
    return bind_json(rules, value, std::move(source));
}

namespace detail {

namespace {

namespace fs = std::filesystem;

// A file's extension in lower case (P1.JSON is a proposal file as p1.json is).
std::string extension_of(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

bool is_ndjson(const std::string& path) {
    const std::string ext = extension_of(path);
    return ext == ".ndjson" || ext == ".jsonl";
}

constexpr std::size_t block_size = 256 << 10;  // NDJSON is read and handed on in blocks of about this size
constexpr std::size_t first_block = 16 << 10;  // a document's first read: most hold one proposal of a few KB
constexpr std::uint64_t small_file = first_block;  // files of up to this size may be left for the workers to read (read_raw)

// A line, or the rest of one, that holds no proposal.
bool all_blank(std::string_view text) { return text.find_first_not_of(" \t\r") == std::string_view::npos; }
constexpr std::string_view blanks = " \t\r\n";  // what may stand between JSON values, lines and all

// The bytes where the scan of a JSON array of proposals must look (RawReader::array): in a string,
// its closing quote, an escape and a line end (lines are counted); outside strings, also what opens,
// closes or separates values.
enum : unsigned char { ends_string = 1, ends_run = 2 };
constexpr std::array<unsigned char, 256> array_stops = [] {
    std::array<unsigned char, 256> stops{};
    for (const unsigned char c : {'"', '\\', '\n'}) stops[c] |= ends_string;
    for (const unsigned char c : {'"', '[', '{', ']', '}', ',', '\n'}) stops[c] |= ends_run;
    return stops;
}();

constexpr std::string_view not_regular = "cannot read: not a regular file (a broken link, a pipe or a device)";

// Why a proposal is invalid whose text is `size` bytes, past limits().max_proposal_bytes.
std::string too_long(std::uint64_t size) {
    return "the proposal is " + std::to_string(size) + " bytes; proposals are limited to " + std::to_string(limits().max_proposal_bytes) +
           " bytes";
}

// A file, standard input or a pipe, read with read(2). A read returns as soon as some bytes have
// come (from a file: all that were asked for), so that lines from a pipe are handed on as they
// arrive, not when a block has filled, and an error is reported while the pipe is still open. A
// reader blocked waiting is interrupted by a signal when its run is stopped (batch.cpp's
// Pipeline): the read fails, as any read error, and ends the input.
class Input {
public:
    // Standard input, not closed at the end.
    Input() : fd_(STDIN_FILENO), owned_(false) {}
    // The file at `path`; check opened() (errno says why not). `regular`: it was a regular file when
    // listed, so it is read without a poll between reads (one swapped for a FIFO since is waited on,
    // as standard input is).
    Input(const std::string& path, bool regular) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), owned_(true), regular_(regular) {}
    struct Listed {  // a size when listed: a name of its own, so that no bool or count takes its place
        std::uint64_t size;
    };
    // A file that was regular and `listed.size` bytes when it was listed, read on a worker
    // (read_files), where nothing may wait: opened without waiting, should it be a pipe now, and read
    // no further than that size (grew() says whether it held more by then; nothing past is kept).
    // Check opened(), then regular().
    Input(const std::string& path, Listed listed)
        : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)), owned_(true), limit_(listed.size), may_wait_(false) {
        struct stat st {};  // (O_NONBLOCK "has no effect for regular files", says open(2))
        regular_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
    }
    ~Input() {
        if (owned_ && fd_ >= 0) ::close(fd_);
    }
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    bool opened() const { return fd_ >= 0; }
    bool regular() const { return regular_; }
    bool at_end() const { return end_; }
    bool failed() const { return failed_; }
    bool grew() const { return grew_; }

    // Up to `size` bytes into `out`: what has come, waiting for at least one; 0 at the end or on an error.
    std::size_t read(char* out, std::size_t size) {
        std::size_t got = 0;
        while (got < size && !end_ && !failed_) {
            if (got > 0 && !more_now()) break;
            if (taken_ == limit_) {  // all it held when listed: anything more came since
                char more;
                grew_ = ::read(fd_, &more, 1) > 0;
                end_ = true;
                break;
            }
            const ssize_t n = ::read(fd_, out + got, static_cast<std::size_t>(std::min<std::uint64_t>(size - got, limit_ - taken_)));
            if (n > 0) got += static_cast<std::size_t>(n), taken_ += static_cast<std::uint64_t>(n);
            else if (n == 0) end_ = true;
            else if (const bool again = errno == EAGAIN || errno == EWOULDBLOCK; again && got > 0) break;  // what came goes on
            else if (again && may_wait_) wait_readable();
            else failed_ = true, error_ = errno;  // EINTR too: only a stopped run interrupts a read
        }
        return got;
    }
    // Why the last read failed ("Is a directory").
    std::string error() const { return std::strerror(error_); }

private:
    bool more_now() const {  // readable without waiting (a file always is; at its end, read says so)
        if (regular_) return true;
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }
    // A descriptor in non-blocking mode (a pipe its writer set so) says "try again" where another
    // would wait: wait for it here. A stopped run interrupts the wait as it would a read.
    void wait_readable() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, -1) < 0) failed_ = true, error_ = errno;
    }

    int fd_;
    bool owned_, regular_ = false;
    std::uint64_t limit_ = std::numeric_limits<std::uint64_t>::max(), taken_ = 0;
    bool end_ = false, failed_ = false, grew_ = false;
    bool may_wait_ = true;  // not on a worker (a Listed file)
    int error_ = 0;
};

// Where a reader starts in its input: what came before was read and let go (blank lines).
struct Position {
    std::uint64_t offset = 0;
    std::uint32_t line = 1;
};

struct FolderEntry {
    std::string path, why;  // a file, or a folder and why it cannot be read
    bool regular = false;   // a regular file, as the folder's listing says (no stat needed)
    bool operator<(const FolderEntry& other) const { return std::tie(path, why) < std::tie(other.path, other.why); }
};

struct FolderListing {
    std::vector<FolderEntry> found;        // sorted
    std::size_t passed_over = 0;           // files of other names
    std::vector<std::string> first_passed_over;  // the first few of them by name, sorted
};

// Counts a file passed over, keeping the first few names in order (a folder may hold millions).
void passed_over(FolderListing& listing, std::string path) {
    constexpr std::size_t kept = 3;
    ++listing.passed_over;
    auto& first = listing.first_passed_over;
    const auto at = std::lower_bound(first.begin(), first.end(), path);
    if (at - first.begin() >= static_cast<std::ptrdiff_t>(kept)) return;
    first.insert(at, std::move(path));
    if (first.size() > kept) first.pop_back();
}

// The .json, .ndjson and .jsonl files below `path`, and the files passed over. Links to folders are
// followed, each folder searched once (by device and inode), so that a link loop cannot trap the walk.
FolderListing list_folder(const std::string& path) {
    FolderListing listing;
    std::vector<std::string> folders{path};
    std::set<std::pair<dev_t, ino_t>> searched;
    while (!folders.empty()) {
        const std::string folder = std::move(folders.back());
        folders.pop_back();
        struct stat st {};
        if (::stat(folder.c_str(), &st) == 0 && !searched.emplace(st.st_dev, st.st_ino).second) continue;
        std::error_code ec;
        std::vector<std::string> inside;  // searched next, in sorted order: a folder and a link to it are searched by the first name
        for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
            std::error_code ignored;
            if (it->is_directory(ignored)) {
                inside.push_back(it->path().string());
                continue;  // a folder named x.json: its files are listed themselves
            }
            if (is_proposal_file_name(it->path().string())) listing.found.push_back({it->path().string(), "", it->is_regular_file(ignored)});
            else passed_over(listing, it->path().string());
        }
        if (ec) listing.found.push_back({folder, "cannot read: " + ec.message()});
        std::sort(inside.begin(), inside.end(), std::greater<>());  // the stack pops the first name first
        folders.insert(folders.end(), inside.begin(), inside.end());
    }
    std::sort(listing.found.begin(), listing.found.end());
    return listing;
}

class RawReader {
public:
    // `max_line`: the longest NDJSON line read; a longer one is a problem record, read past.
    // `may_wait`, if any, is called before reading an input that may keep the reader waiting
    // (standard input, a pipe or a device). `take`, if any, is offered each regular file before it
    // is read, and returns true when it takes the file, to have it read elsewhere.
    RawReader(const std::function<void(RawChunk&&)>& sink, std::size_t max_line, std::function<void()> may_wait = {},
              std::function<bool(const std::string&)> take = {})
        : sink_(sink), max_line_(max_line), may_wait_(std::move(may_wait)), take_(std::move(take)) {}

    void input(const std::string& path) {
        if (path == "-") {
            if (may_wait_) may_wait_();
            return stdin_input();
        }
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status)) return problem(path, "cannot read: no such file or directory");
        if (fs::is_directory(status)) return directory(path);
        const bool regular = fs::is_regular_file(status);
        if (!regular && may_wait_) may_wait_();  // a pipe or a device
        file(path, regular);
    }

    // A file that was regular and `size` bytes when listed, offered to no one and read no further
    // than that: false when it held more by the time it was read (what was read of it is handed
    // on all the same: the caller decides).
    bool listed_file(const std::string& path, std::uint64_t size) {
        Input in(path, Input::Listed{size});
        if (!opened(in, path)) return true;
        if (!in.regular()) {
            problem(path, std::string(not_regular));
            return true;
        }
        read_file(in, path);
        return !in.grew();
    }

    // A file or stdin read as NDJSON whatever its name: results to rank.
    void ndjson_input(const std::string& path) {
        if (path == "-") {
            Input in;
            return ndjson(in, "<stdin>", "");
        }
        Input in(path, false);
        if (opened(in, path)) ndjson(in, path, "");
    }

private:
    // Every .json, .ndjson and .jsonl file below `path`, in sorted order. A folder that cannot be
    // read is reported in its place (an invalid entry naming it), never skipped without a word.
    void directory(const std::string& path) {
        for (const auto& [f, why, regular] : list_folder(path).found) {
            std::error_code ec;
            if (!why.empty()) problem(f, why);
            else if (regular || fs::is_regular_file(f, ec)) file(f, true);
            else if (ec == std::errc::permission_denied) problem(f, "cannot read: " + ec.message());  // a folder listed, not searched
            else problem(f, std::string(not_regular));
        }
    }

    // Whether `in` was opened; if not, a problem record says why.
    bool opened(const Input& in, const std::string& path) {
        if (!in.opened()) problem(path, "cannot read: " + std::generic_category().message(errno));  // (strerror is not for threads)
        return in.opened();
    }

    void file(const std::string& path, bool regular) {
        if (regular && take_ && take_(path)) return;
        Input in(path, regular);
        if (opened(in, path)) read_file(in, path);
    }

    void read_file(Input& in, const std::string& path) {
        if (is_ndjson(path)) ndjson(in, path, "");
        else if (!in.regular() && extension_of(path) != ".json") read_by_content(in, path);
        else document(in, path, "");
    }

    void stdin_input() {
        Input in;
        read_by_content(in, "<stdin>");
    }

    // Standard input, or a pipe or device whose name does not say (process substitution's
    // /dev/fd/63), read as a document or as NDJSON by what it holds.
    void read_by_content(Input& in, const std::string& name) {
        // An array, or one object spread over lines, is a document; lines that each hold a value are
        // NDJSON — also when the first of them is malformed but the next line starts a new object.
        // What is read to decide is handed on to the reader chosen, and no more is read than
        // deciding takes: a first byte '[' decides at once, and so does a first line that is a value
        // alone (lines from a slow pipe are not kept waiting for the next). A stretch longer than a
        // proposal may be (a blank line before the first value, or blanks before it on its line; the
        // first line; the blank lines after it) decides NDJSON, whose reader reports such a line and
        // reads past it, not keeping it: by where bytes are, never by how they arrive.
        std::string head;
        Position from;  // where `head` starts: blank lines before it are counted and let go
        // Each search goes on from where the last one stopped, in blocks that grow with what is kept.
        auto read_more = [&] { return read_growing(in, head); };
        auto past_limit = [&](std::size_t from_byte, std::size_t to_byte) { return to_byte - from_byte > max_line_; };
        auto to_ndjson = [&] { ndjson(in, name, std::move(head), from); };
        while (head.size() < byte_order_mark.size() && read_more()) {}
        // Up to the first value: blank lines are counted and let go as they come, so that the first
        // value's line starts `head`.
        std::size_t scanned = std::string_view(head).starts_with(byte_order_mark) ? byte_order_mark.size() : 0;  // blank before it
        std::size_t first = 0;
        for (;;) {
            first = head.find_first_not_of(blanks, scanned);
            const std::size_t blank_end = first == std::string::npos ? head.size() : first;
            std::size_t line_begin = 0;
            for (std::size_t end; (end = head.find('\n', scanned)) < blank_end; line_begin = scanned = end + 1) {
                if (past_limit(line_begin, end)) return to_ndjson();  // a blank line too long
                ++from.line;
            }
            if (past_limit(line_begin, blank_end)) return to_ndjson();  // blanks too long, whatever ends them
            from.offset += line_begin;
            head.erase(0, line_begin);
            if (first != std::string::npos) {
                first -= line_begin;
                break;
            }
            scanned = head.size();
            if (!read_more()) {  // nothing on stdin: no proposals, unless it could not be read
                if (in.failed()) problem(name, "cannot read: " + in.error());
                else if (name != "<stdin>") problem(name, "cannot read: the file is empty");  // as a file named would be
                return;
            }
        }
        if (head[first] == '[') return document(in, name, std::move(head), from);
        // find(at) from `at` on, reading more until it finds, or input ends or `head` runs past the
        // limit from `base` (npos).
        auto search = [&](auto find, std::size_t at, std::size_t base) {
            std::size_t found;
            while ((found = find(at)) == std::string::npos && !past_limit(base, head.size())) {
                at = head.size();
                if (!read_more()) break;
            }
            return found;
        };
        const std::size_t line_end = search([&](std::size_t at) { return head.find('\n', at); }, first, 0);
        const std::size_t line_size = line_end == std::string::npos ? head.size() : line_end;
        if (line_size > max_line_ || nlohmann::json::accept(std::string_view(head).substr(0, line_size))) return to_ndjson();
        if (line_end == std::string::npos) return document(in, name, std::move(head), from);  // all there is
        // The next line's first byte.
        const std::size_t next = search([&](std::size_t at) { return head.find_first_not_of(blanks, at); }, line_end, line_end);
        const std::size_t blanks_end = next == std::string::npos ? head.size() : next;
        if (past_limit(line_end, blanks_end) || (next != std::string::npos && head[next] == '{')) return to_ndjson();
        document(in, name, std::move(head), from);
    }

    // Appends up to `size` bytes of `in` to `bytes`; false at the end of the file (or a read error).
    static bool read_block(Input& in, std::string& bytes, std::size_t size = block_size) {
        if (in.at_end()) return false;  // no room made for nothing
        const std::size_t old = bytes.size();
        if (bytes.capacity() < old + size + simd_padding) bytes.reserve(std::max(old + size + simd_padding, 2 * bytes.capacity()));
        bytes.resize(old + size);  // (zeroes what the read then writes over: a first read is kept small)
        const std::size_t n = in.read(bytes.data() + old, size);
        bytes.resize(old + n);
        return n > 0;
    }

    // read_block in blocks that start small and double with what `bytes` holds, up to block_size.
    static bool read_growing(Input& in, std::string& bytes) { return read_block(in, bytes, std::clamp(bytes.size(), first_block, block_size)); }

    // Reads past the rest of `in`; returns how many bytes that was.
    static std::uint64_t read_past(Input& in) {
        char block[1 << 16];
        std::uint64_t n = 0;
        for (std::size_t got; (got = in.read(block, sizeof block)) > 0;) n += got;
        return n;
    }

    // A .json file, or standard input holding one document (`bytes`: what was read of it already,
    // from `from` on). An array is split into its elements as it is read, a block at a time, so
    // memory stays bounded whatever the file's size and the workers share its elements. Any other
    // value is one proposal, kept up to the limit for one.
    void document(Input& in, const std::string& name, std::string bytes, Position from = {}) {
        while (bytes.size() < byte_order_mark.size() && read_growing(in, bytes)) {}
        // Up to the first byte that is not blank: blanks are counted as lines and let go, not kept.
        std::uint64_t at = from.offset;  // where `bytes` starts in the file
        std::uint32_t line = from.line;
        std::size_t first = at == 0 && std::string_view(bytes).starts_with(byte_order_mark) ? byte_order_mark.size() : 0;
        while ((first = bytes.find_first_not_of(blanks, first)) == std::string::npos) {
            line += static_cast<std::uint32_t>(std::count(bytes.begin(), bytes.end(), '\n'));
            at += bytes.size();
            bytes.clear();
            first = 0;
            if (!read_block(in, bytes)) {
                first = std::string::npos;
                break;
            }
        }
        if (in.failed()) return problem(name, "cannot read: " + in.error());
        if (first == std::string::npos) return problem(name, "cannot read: the file is empty");
        line += static_cast<std::uint32_t>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(first), '\n'));
        if (bytes[first] == '[') return array(in, name, std::move(bytes), at, first + 1, line);

        // One value: its text from its first byte, as far as a proposal may go.
        while (bytes.size() - first <= max_line_ && read_growing(in, bytes)) {}
        if (in.failed()) return problem(name, "cannot read: " + in.error());
        RawChunk chunk;
        chunk.files = {name};
        chunk.offset = at;
        if (bytes.size() - first > max_line_) {  // reported as binding would, without keeping it all
            const std::uint64_t size = bytes.size() - first + read_past(in);
            chunk.records.emplace_back(0, 0, line, too_long(size));
        } else {
            chunk.records.emplace_back(first, bytes.size() - first, line);
            bytes.reserve(bytes.size() + simd_padding);
            chunk.bytes = std::move(bytes);
        }
        chunk.ends_file = true;
        sink_(std::move(chunk));
    }

    // The elements of an array whose '[' is just before bytes[pos] (`bytes` starting at `at` in the
    // file), on line `line`: a record each,
    // with the line it starts on, handed on a block at a time. An element too long for a proposal
    // is read past, not kept. Text after the closing ']', or a file that ends before it, is reported
    // where it is.
    void array(Input& in, const std::string& name, std::string bytes, std::uint64_t at, std::size_t pos, std::uint32_t line) {
        constexpr std::size_t none = std::string::npos;
        RawChunk chunk;
        chunk.files = {name};
        chunk.offset = at;
        chunk.bytes = std::move(bytes);
        int depth = 1;
        bool in_string = false, escaped = false;
        std::size_t start = none;  // where the element being read starts in chunk.bytes
        std::uint32_t start_line = 0;
        std::uint64_t passed = 0;  // bytes of it read past, when it is too long to keep
        // What came last between the array's elements: a comma needs an element on either side.
        enum class Last { open, element, comma, stray_comma } last = Last::open;  // a stray one is reported once
        auto malformed = [&](const char* what) { chunk.records.emplace_back(0, 0, line, std::string("malformed JSON: ") + what); };
        auto element_ends = [&](std::size_t end) {
            if (start == none) return;
            if (passed > 0)
                chunk.records.emplace_back(0, 0, start_line, too_long(passed + end - start));
            else
                chunk.records.emplace_back(start, end - start, start_line);
            start = none;
            passed = 0;
        };
        auto hand_on = [&] {  // the elements read so far; the one being read moves to the next chunk
            const std::size_t keep = start == none ? chunk.bytes.size() : start;
            if (keep == 0) return;  // nothing before the element being read: it grows where it is
            std::string rest(chunk.bytes, keep);
            const std::uint64_t at = chunk.offset + keep;  // where `rest` is in the file
            chunk.bytes.resize(keep);
            chunk.bytes.reserve(keep + simd_padding);
            if (!chunk.records.empty()) sink_(std::move(chunk));
            chunk = RawChunk{};
            chunk.files = {name};
            chunk.offset = at;
            chunk.bytes = std::move(rest);
            pos -= keep;
            if (start != none) start = 0;
        };
        while (depth > 0) {
            if (pos == chunk.bytes.size()) {
                hand_on();
                if (start != none && passed + chunk.bytes.size() > max_line_) {  // too long to keep: read past it
                    passed += chunk.bytes.size();
                    chunk.offset += chunk.bytes.size();
                    chunk.bytes.clear();
                    pos = 0;
                }
                if (!read_block(in, chunk.bytes)) break;
            }
            // Bytes that change nothing are passed over in a tight loop: in a string, all but its end,
            // an escape and a line end; inside an element, all but those and the brackets and commas.
            // (Between elements, and after an escape, every byte counts.)
            const unsigned char stops = in_string ? (escaped ? 0 : ends_string) : (start != none || depth > 1) ? ends_run : 0;
            if (stops != 0) {
                const char* data = chunk.bytes.data();
                const std::size_t size = chunk.bytes.size();
                while (pos < size && !(array_stops[static_cast<unsigned char>(data[pos])] & stops)) ++pos;
                if (pos == size) continue;
            }
            const char c = chunk.bytes[pos];
            if (c == '\n') ++line;
            if (in_string) {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') in_string = false;
            } else {
                const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
                if (depth == 1 && start == none && !blank && c != ',' && c != ']' && c != '}') {
                    start = pos;
                    start_line = line;
                    last = Last::element;
                }
                switch (c) {
                    case '"': in_string = true; break;
                    case '[': case '{': ++depth; break;
                    case ']': case '}':
                        if (--depth > 0) break;
                        element_ends(pos);
                        if (c == '}') malformed("'}' where the array's closing ']' should be");
                        else if (last == Last::comma) malformed("',' before the array's closing ']'");
                        break;
                    case ',':
                        if (depth > 1) break;
                        element_ends(pos);
                        if (last != Last::element) malformed("',' where an element of the array should be");
                        last = last == Last::element ? Last::comma : Last::stray_comma;
                        break;
                    default: break;
                }
            }
            ++pos;
        }
        if (in.failed()) {
            chunk.records.emplace_back(0, 0, 0, "cannot read: " + in.error());
        } else if (depth > 0) {
            element_ends(chunk.bytes.size());
            chunk.records.emplace_back(0, 0, line, "malformed JSON: the file ends before the array's closing ']'");
        } else {
            // Text after the array is no proposal of it, but must not pass unnoticed.
            std::size_t rest = none;
            for (std::string more; (rest = chunk.bytes.find_first_not_of(blanks, pos)) == none;) {
                line += static_cast<std::uint32_t>(std::count(chunk.bytes.begin() + static_cast<std::ptrdiff_t>(pos), chunk.bytes.end(), '\n'));
                more.clear();
                if (!read_block(in, more)) break;
                chunk.bytes.resize(pos);  // what was scanned is not needed: read on in its place
                chunk.bytes += more;
            }
            if (rest != none) {
                line += static_cast<std::uint32_t>(std::count(chunk.bytes.begin() + static_cast<std::ptrdiff_t>(pos), chunk.bytes.begin() + static_cast<std::ptrdiff_t>(rest), '\n'));
                chunk.records.emplace_back(0, 0, line, "malformed JSON: unexpected text after the array's closing ']'");
            }
        }
        chunk.bytes.reserve(chunk.bytes.size() + simd_padding);
        chunk.ends_file = true;
        if (!chunk.records.empty()) sink_(std::move(chunk));
    }

    // NDJSON in blocks (`pending`: what was read of it already, from `from` on): memory stays
    // bounded whatever the file's size.
    void ndjson(Input& in, const std::string& name, std::string pending, Position from = {}) {
        std::uint32_t line = from.line;
        bool at_start = from.offset == 0;
        std::size_t scanned = 0;        // how much of `pending` is known to hold no line end
        std::uint64_t at = from.offset;  // where `pending` starts in the file
        for (bool eof = false; !eof;) {
            // Read straight into the next chunk's bytes, after the unfinished line the last block
            // left. A long line's text is taken over whole, not copied, while it is still unfinished.
            RawChunk chunk;
            chunk.files = {name};
            chunk.offset = at;
            std::string& bytes = chunk.bytes;
            bytes = std::move(pending);
            pending.clear();
            // Whole lines already here (standard input's first ones) go on before waiting for more.
            const bool whole_lines = bytes.find('\n', scanned) != std::string::npos;
            if (!whole_lines && !read_block(in, bytes)) {
                eof = true;
                if (in.failed()) problem(name, "cannot read: " + in.error());
            }
            eof = eof || in.at_end();  // (a file's last block: its last line goes with it)
            // Hand on whole lines; an unfinished last line waits for the next block.
            const std::size_t last = std::string_view(bytes).substr(scanned).rfind('\n');
            const std::size_t usable = eof ? bytes.size() : (last == std::string::npos ? 0 : scanned + last + 1);
            if (usable == 0) {
                pending = std::move(bytes);
                scanned = pending.size();
                if (!eof && pending.size() > max_line_) {
                    at += skip_long_line(in, name, line, pending, eof);
                    scanned = 0;
                    at_start = false;
                }
                continue;
            }
            at += usable;
            pending.assign(bytes, usable);
            scanned = pending.size();  // after the last line end
            bytes.resize(usable);
            std::size_t start = 0;
            if (at_start && std::string_view(bytes).starts_with(byte_order_mark)) start = byte_order_mark.size();
            at_start = false;
            while (start < bytes.size()) {
                std::size_t end = bytes.find('\n', start);
                if (end == std::string::npos) end = bytes.size();
                std::string_view row(bytes.data() + start, end - start);
                if (!all_blank(row)) chunk.records.emplace_back(start, row.size(), line);
                ++line;
                start = end + 1;
            }
            chunk.ends_file = eof;
            if (!chunk.records.empty()) sink_(std::move(chunk));
        }
    }

    // A line longer than a proposal may be (`pending` its start): reported once, as binding reports
    // a proposal too long that was read whole, then read past without keeping it; what was read
    // after its end is left in `pending`. Returns the line's size with its end, `pending`'s start
    // included.
    std::size_t skip_long_line(Input& in, const std::string& name, std::uint32_t& line, std::string& pending, bool& eof) {
        bool blank = all_blank(pending);  // blank lines are no proposals, however long
        std::uint64_t size = pending.size();
        bool ended = false;  // the line's end was read
        char block[1 << 16];
        for (std::size_t got; !ended && (got = in.read(block, sizeof block)) > 0;) {
            const auto* end = static_cast<const char*>(std::memchr(block, '\n', got));
            const std::string_view rest(block, end ? static_cast<std::size_t>(end - block) : got);
            size += rest.size();
            blank = blank && all_blank(rest);
            if ((ended = end != nullptr)) pending.assign(end + 1, static_cast<std::size_t>(block + got - (end + 1)));
        }
        if (!ended) {
            eof = true;
            pending.clear();
        }
        if (!blank) {
            RawChunk chunk;
            chunk.files = {name};
            chunk.records.emplace_back(0, 0, line, too_long(size));
            sink_(std::move(chunk));
        }
        ++line;
        return static_cast<std::size_t>(size) + (ended ? 1 : 0);  // and the line end
    }

    void problem(const std::string& path, std::string why) {
        RawChunk chunk;
        chunk.files = {path};
        chunk.ends_file = true;
        chunk.records.emplace_back(0, 0, 0, std::move(why));
        sink_(std::move(chunk));
    }

    const std::function<void(RawChunk&&)>& sink_;
    std::size_t max_line_;
    std::function<void()> may_wait_;
    std::function<bool(const std::string&)> take_;
};

// Appends the bytes and records of `part`, a chunk of one file, to `bytes` and `records`, its
// records now of file `file` and at their places in `bytes`.
void add_part(std::string& bytes, std::vector<RawRecord>& records, RawChunk&& part, std::uint32_t file) {
    const std::size_t base = bytes.size();
    bytes += part.bytes;
    for (RawRecord& record : part.records) {
        if (record.problem.empty()) record.offset += base;
        record.file = file;
        records.push_back(std::move(record));
    }
}

}  // namespace

void read_raw(const std::vector<std::string>& inputs, const std::function<void(RawChunk&&)>& sink, std::size_t max_records,
              bool small_files_unread) {
    // Small files (their last chunks) are gathered into one chunk, up to a block's bytes: a file a
    // proposal would otherwise make each proposal a job of its own, and handing a job to a worker
    // costs more than scoring it. A chunk that does not end its file (lines from a pipe as they
    // come) goes on at once. A file is gathered once a chunk, so a chunk of one file keeps its offset.
    // Files of up to small_file bytes may join unread instead, named with their sizes, for a worker
    // to read (read_files). What a worker reads is not split, so such a file counts as a record for
    // each 8 of its bytes or part of 8 (a proposal that binds takes 10 or more: {"id":"x"}) towards
    // max_records.
    RawChunk gathered;
    std::uint64_t records = 0, bytes = 0;  // gathered's records and bytes, counting its unread files' as above
    auto hand_on_gathered = [&] {
        if (gathered.files.empty()) return;
        if (!gathered.unread()) gathered.bytes.reserve(gathered.bytes.size() + simd_padding);  // (else read_files pads)
        sink(std::move(gathered));
        gathered = RawChunk{};
        records = bytes = 0;
    };
    auto make_room = [&](std::uint64_t more_records, std::uint64_t more_bytes, const std::string& file) {
        if (records + more_records > max_records || bytes + more_bytes > block_size || (!gathered.files.empty() && gathered.files.back() == file))
            hand_on_gathered();
        records += more_records;
        bytes += more_bytes;
    };
    auto gather = [&](RawChunk&& chunk) {
        make_room(chunk.records.size(), chunk.bytes.size(), chunk.files.front());
        if (gathered.files.empty()) {
            gathered = std::move(chunk);
            return;
        }
        const auto file = static_cast<std::uint32_t>(gathered.files.size());
        gathered.files.push_back(std::move(chunk.files.front()));
        if (gathered.unread()) gathered.sizes.push_back(0);  // read already
        add_part(gathered.bytes, gathered.records, std::move(chunk), file);
    };
    auto take_small = [&](const std::string& path) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
        const auto size = static_cast<std::uint64_t>(st.st_size);
        const std::uint64_t as_records = (size + 7) / 8;  // (lines of 2 bytes, `1` and its end, are 4 times as many)
        // (A file that says it is empty may not be: those of /proc hold text all the same. One that
        // may hold more than max_records records is read here, where its records can be split.)
        if (size == 0 || size > small_file || as_records > max_records) return false;
        make_room(as_records, size, path);
        if (!gathered.unread()) gathered.sizes.assign(gathered.files.size(), 0);
        gathered.files.push_back(path);
        gathered.sizes.push_back(size);
        return true;
    };
    // A chunk of more than max_records records is handed on in pieces, each with a copy of its
    // records' bytes (the chunk's are copied once in all).
    auto in_pieces = [&](RawChunk&& chunk) {
        for (std::size_t first = 0; first < chunk.records.size(); first += max_records) {
            const std::size_t end = std::min(chunk.records.size(), first + max_records);
            std::size_t from = std::numeric_limits<std::size_t>::max(), to = 0;
            for (std::size_t k = first; k < end; ++k)
                if (const RawRecord& r = chunk.records[k]; r.problem.empty())
                    from = std::min(from, r.offset), to = std::max(to, r.offset + r.length);
            if (from > to) from = to = 0;  // problems only: no bytes
            RawChunk piece;
            piece.files = chunk.files;
            piece.offset = chunk.offset + from;
            piece.bytes.reserve(to - from + simd_padding);
            piece.bytes.assign(chunk.bytes, from, to - from);
            for (std::size_t k = first; k < end; ++k) {
                RawRecord& r = piece.records.emplace_back(std::move(chunk.records[k]));
                if (r.problem.empty()) r.offset -= from;
            }
            sink(std::move(piece));
        }
    };
    const std::function<void(RawChunk&&)> rechunk = [&](RawChunk&& chunk) {
        if (chunk.records.size() <= max_records && chunk.ends_file && chunk.bytes.size() < block_size / 4) return gather(std::move(chunk));
        hand_on_gathered();
        if (chunk.records.size() > max_records) return in_pieces(std::move(chunk));
        sink(std::move(chunk));
    };
    RawReader reader(rechunk, limits().max_proposal_bytes, hand_on_gathered,  // nothing gathered waits with the reader
                     small_files_unread ? std::function<bool(const std::string&)>(take_small) : nullptr);
    for (const auto& input : inputs) reader.input(input);
    hand_on_gathered();
}

void read_files(RawChunk& chunk) {
    if (!chunk.unread()) return;
    // Each file's records in turn: those of a file read already as they are, those of a file read
    // here after them, its bytes added at the end of the chunk's.
    std::vector<RawRecord> records;
    records.reserve(chunk.records.size() + chunk.files.size());
    // All it may come to: a file is read no further than its listed size.
    chunk.bytes.reserve(chunk.bytes.size() + std::accumulate(chunk.sizes.begin(), chunk.sizes.end(), std::uint64_t{0}) + simd_padding);
    std::uint32_t file = 0;
    const std::function<void(RawChunk&&)> sink = [&](RawChunk&& part) { add_part(chunk.bytes, records, std::move(part), file); };
    RawReader reader(sink, limits().max_proposal_bytes);
    std::size_t next = 0;  // the chunk's next record
    for (; file < chunk.files.size(); ++file) {
        if (chunk.sizes[file] == 0) {
            for (; next < chunk.records.size() && chunk.records[next].file == file; ++next) records.push_back(std::move(chunk.records[next]));
            continue;
        }
        const std::size_t records_before = records.size(), bytes_before = chunk.bytes.size();
        if (!reader.listed_file(chunk.files[file], chunk.sizes[file])) {  // not the file listed: none of it, and why
            records.erase(records.begin() + static_cast<std::ptrdiff_t>(records_before), records.end());
            chunk.bytes.resize(bytes_before);
            records.emplace_back(0, 0, 0, "cannot read: the file changed while it was read (" + std::to_string(chunk.sizes[file]) +
                                              " bytes when it was listed, more when it was read)");
            records.back().file = file;
        }
    }
    chunk.records = std::move(records);
    chunk.sizes.clear();
    chunk.ends_file = true;
}

void read_ndjson(const std::vector<std::string>& inputs, const std::function<void(RawChunk&&)>& sink) {
    // A result line has no limit of its own: it may be longer than the proposal it came from.
    RawReader reader(sink, std::numeric_limits<std::size_t>::max());
    for (const auto& input : inputs) reader.ndjson_input(input);
}

bool simd_supported() {
#if defined(__x86_64__)
    // -march=haswell: x86-64-v3 (AVX2, BMI1/2, FMA, F16C, LZCNT, MOVBE) and carry-less multiply, one
    // by one: clang 14 (the fuzz build) knows neither "x86-64-v3" nor, here, f16c, lzcnt or movbe,
    // so those three are read from CPUID. "avx2" also checks that the OS saves the AVX registers.
    static const bool supported = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        const bool movbe_f16c = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_MOVBE) && (c & bit_F16C);
        const bool lzcnt = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_LZCNT);
        return movbe_f16c && lzcnt && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
               __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("pclmul");
    }();
    return supported;
#else
    return true;  // elsewhere the simdjson paths are built for the target's baseline (engine/CMakeLists.txt)
#endif
}

const Proposal* bind_record(const CompiledRules& rules, const RawChunk& chunk, const RawRecord& record, Proposal& reuse,
                            BoundProposal& other) {
    if (!record.problem.empty()) {
        other = InvalidProposal{{}, {}, chunk.source(record), {record.problem}};
        return nullptr;
    }
    std::string_view text(chunk.bytes.data() + record.offset, record.length);
    if (text.size() > limits().max_proposal_bytes) {
        other = InvalidProposal{{}, {}, chunk.source(record), {too_long(text.size())}};
        return nullptr;
    }
    if (simd_supported() && fast_bind_into(rules, text, chunk.bytes.capacity() - record.offset, chunk.file(record), record.line, reuse)) return &reuse;
    other = bind_text(rules, text, chunk.source(record));
    return std::get_if<Proposal>(&other);
}

BoundProposal bind_record(const CompiledRules& rules, const RawChunk& chunk, const RawRecord& record) {
    Proposal proposal;
    BoundProposal other;
    if (bind_record(rules, chunk, record, proposal, other) == &proposal) return proposal;
    return other;
}

}  // namespace detail

std::string repeated_id_reason(std::string_view id) {
    return "id: \"" + std::string(id) + "\" repeats an earlier proposal's id";
}

bool is_proposal_file_name(const std::string& path) {
    const std::string ext = detail::extension_of(path);
    return ext == ".json" || ext == ".ndjson" || ext == ".jsonl";
}

FolderFiles folder_files(const std::string& folder) {
    detail::FolderListing listing = detail::list_folder(folder);
    return {listing.found.size(), listing.passed_over, std::move(listing.first_passed_over)};
}

void read_proposals(const CompiledRules& rules, const std::vector<std::string>& inputs,
                    const std::function<void(BoundProposal&&)>& sink) {
    read_proposals(rules, inputs, [&](BoundProposal&& bound, std::string_view) { sink(std::move(bound)); });
}

void read_proposals(const CompiledRules& rules, const std::vector<std::string>& inputs,
                    const std::function<void(BoundProposal&&, std::string_view text)>& sink) {
    IdSet ids;
    detail::read_raw(inputs, [&](detail::RawChunk&& chunk) {
        for (const auto& record : chunk.records) {
            const std::string_view text(chunk.bytes.data() + record.offset, record.length);
            BoundProposal bound = detail::bind_record(rules, chunk, record);
            if (auto* p = std::get_if<Proposal>(&bound)) {
                if (!ids.first(p->id)) {
                    sink(InvalidProposal{p->id, p->name, p->source, {repeated_id_reason(p->id)}}, text);
                    continue;
                }
            } else if (auto* invalid = std::get_if<InvalidProposal>(&bound)) {
                if (!ids.first(invalid->id)) invalid->reasons.push_back(repeated_id_reason(invalid->id));
            }
            sink(std::move(bound), text);
        }
    });
}

std::vector<std::string> unread_keys(const CompiledRules& rules, std::string_view proposal) {
    const KeyPaths paths(rules);
    const std::set<std::string>& inputs = paths.inputs;
    const std::set<std::string>& parents = paths.parents;
    std::vector<std::string> out;
    auto walk = [&](auto& self, const nlohmann::ordered_json& object, const std::string& prefix) -> void {
        std::vector<std::string> near;  // the names of the inputs, and of the objects that hold inputs, that lie here
        auto here = [&](const std::string& name) {
            if (name.starts_with(prefix) && name.find('.', prefix.size()) == std::string::npos) near.push_back(name.substr(prefix.size()));
        };
        for (const std::string& name : inputs) here(name);
        for (const std::string& name : parents) here(name);
        for (const auto& [key, value] : object.items()) {
            const std::string path = prefix + key;
            // The key as written, and where: "iso_14001" in "environment".
            const std::string quoted = "\"" + key + "\"" + (prefix.empty() ? "" : " in \"" + prefix.substr(0, prefix.size() - 1) + "\"");
            if (key.find('.') == std::string::npos) {
                if (parents.contains(path) && value.is_object()) self(self, value, path + ".");
                if (paths.read(prefix, key)) continue;
            } else if (inputs.contains(path) || parents.contains(path)) {  // each part is looked up in turn: never read
                std::vector<std::string> parts;  // the key's, split at its dots
                std::size_t from = 0;
                for (std::size_t dot; (dot = key.find('.', from)) != std::string::npos; from = dot + 1) parts.push_back(key.substr(from, dot - from));
                parts.push_back(key.substr(from));
                out.push_back(quoted + " is one key, which no input reads: the dots nest objects, as " + nested_form(parts));
                continue;
            }
            if (const std::string* meant = closest(key, near))
                out.push_back(quoted + ", which no input reads: a misspelling of \"" + *meant + "\"?");
        }
    };
    try {
        if (const auto value = nlohmann::ordered_json::parse(proposal); value.is_object()) walk(walk, value, "");
    } catch (const nlohmann::json::exception&) {
    }  // a proposal that does not parse says so in its reasons
    return out;
}

}  // namespace screener
