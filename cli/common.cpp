#include "common.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "screener/limits.hpp"

namespace screener::cli {

namespace {

// The temporary file being written, so that an interrupt (Ctrl-C, SIGTERM) removes it instead of
// leaving a partial report behind. Only async-signal-safe calls in the handler.
char pending_temp[4096] = "";

extern "C" void remove_pending_temp(int signal) {
    if (pending_temp[0] != '\0') unlink(pending_temp);
    _exit(128 + signal);
}

struct PendingTemp {
    explicit PendingTemp(const std::string& path) {
        std::snprintf(pending_temp, sizeof pending_temp, "%s", path.c_str());
        std::signal(SIGINT, remove_pending_temp);
        std::signal(SIGTERM, remove_pending_temp);
        std::signal(SIGHUP, remove_pending_temp);
    }
    ~PendingTemp() { pending_temp[0] = '\0'; }
};

}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) != 0; }
bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

Format pick_format(const std::string& format, const std::string& output) {
    if (!format.empty()) return *parse_format(format);
    auto ends_with = [&](std::string_view ext) { return output.size() >= ext.size() && output.ends_with(ext); };
    if (ends_with(".json")) return Format::json;
    if (ends_with(".ndjson") || ends_with(".jsonl")) return Format::ndjson;
    if (ends_with(".csv")) return Format::csv;
    if (ends_with(".xml")) return Format::junit;
    if (ends_with(".md")) return Format::md;
    if (ends_with(".html") || ends_with(".htm")) return Format::html;
    return output.empty() && stdout_is_terminal() ? Format::md : Format::json;
}

void print_diagnostics(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics) std::cerr << d.str() << '\n';
}

std::shared_ptr<const CompiledRules> load_rules_or_throw(const std::string& path) {
    CompileResult result = path.empty() ? compile_default() : compile_file(path);
    // Errors only: lint warnings are for `validate`, not noise in every report run.
    Diagnostics errors;
    for (const auto& d : result.diagnostics)
        if (d.severity == Severity::error) errors.push_back(d);
    print_diagnostics(errors);
    if (!result.rules) throw Error("the rule set " + (path.empty() ? std::string("(built-in)") : path) + " has errors", 2);
    return result.rules;
}

void write_output(const std::string& path, const std::function<void(std::ostream&)>& write) {
    if (path.empty() || path == "-") {
        write(std::cout);
        std::cout.flush();
        if (!std::cout) throw Error("cannot write to standard output", 2);
        return;
    }
    namespace fs = std::filesystem;
    fs::path target(path);
    std::error_code ec;
    const auto status = fs::status(target, ec);
    if (fs::is_directory(status)) throw Error("cannot write " + path + ": it is a directory", 2);
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        // A FIFO, a device or a socket: write into it (renaming over it would replace it).
        std::ofstream out(path, std::ios::binary);
        if (!out) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        write(out);
        out.flush();
        if (!out) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        return;
    }
    std::string name = target.filename().string();
    name.append(".tmp-XXXXXX");
    std::string temp = (target.parent_path() / ("." + name)).string();
    int fd = mkstemp(temp.data());
    if (fd < 0) throw Error("cannot create " + path + ": " + std::strerror(errno), 2);
    // mkstemp makes the file 0600; give the report the mode a plain create would (or the replaced file's).
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = fs::exists(status) ? static_cast<mode_t>(status.permissions()) : (0666 & ~mask);
    fchmod(fd, mode);
    close(fd);
    PendingTemp pending(temp);
    try {
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            std::vector<char> buffer(1 << 20);
            out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            write(out);
            out.flush();
            if (!out) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        }
        fs::rename(temp, target, ec);
        if (ec) throw Error("cannot write " + path + ": " + ec.message(), 2);
    } catch (...) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw;
    }
}

void check_memory_limit(std::size_t held, std::string_view instead) {
    if (held < limits().max_proposals_in_memory) return;
    throw Error("more than " + std::to_string(limits().max_proposals_in_memory) + " proposals to rank in memory; " +
                    std::string(instead) + ", or raise max_proposals_in_memory in SCREENER_LIMITS",
                2);
}

void RankedJson::add(Verdict verdict, double score, std::string_view id, std::string_view json) {
    check_memory_limit(keys_.size(), instead_);
    ++counts_[static_cast<int>(verdict)];
    keys_.push_back({verdict, score, keep(id)});
    texts_.push_back(keep(json));
}

void RankedJson::write(std::ostream& out, const RulesInfo& rules) const {
    const auto order = rank_order(keys_);
    write_json_report(out, rules, counts_[0], counts_[1], counts_[2], [&](std::size_t r) { return texts_[order[r]]; });
}

std::string_view RankedJson::keep(std::string_view text) {
    constexpr std::size_t page_size = 16 << 20;
    if (pages_.empty() || pages_.back().capacity() - pages_.back().size() < text.size())
        pages_.emplace_back().reserve(std::max(page_size, text.size()));
    std::string& page = pages_.back();
    page.append(text);
    return {page.data() + page.size() - text.size(), text.size()};
}

}  // namespace screener::cli
