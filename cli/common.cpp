#include "common.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <chrono>
#include <climits>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <optional>
#include <streambuf>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "screener/limits.hpp"
#include "screener/proposal.hpp"
#include "screener/report.hpp"

namespace screener::cli {

namespace {

// "1 gate", "3 gates".
std::string counted(std::size_t n, std::string_view one, std::string_view more = {}) {
    return std::to_string(n) + " " + (n == 1 ? std::string(one) : more.empty() ? std::string(one) + "s" : std::string(more));
}

// The temporary file being written, so that an interrupt (Ctrl-C, SIGTERM) removes it instead of
// leaving a partial report behind. Only async-signal-safe calls in the handler.
char pending_temp[4096] = "";

// Then the process ends by the signal, as it would have without the handler: the shell's $? is
// 128 + the signal, and a shell loop stops on Ctrl-C.
extern "C" void remove_pending_temp(int signal) {
    if (pending_temp[0] != '\0') unlink(pending_temp);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

struct PendingTemp {
    explicit PendingTemp(const std::string& path) {
        std::snprintf(pending_temp, sizeof pending_temp, "%s", path.c_str());
        for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
            struct sigaction now {};
            // A signal the caller ignores (nohup, a background job's SIGINT) stays ignored.
            if (::sigaction(signal, nullptr, &now) == 0 && now.sa_handler != SIG_IGN) std::signal(signal, remove_pending_temp);
        }
    }
    ~PendingTemp() { pending_temp[0] = '\0'; }
};

// An output buffer over a file descriptor that writes in large blocks. std::filebuf passes any write
// over about 1 KiB straight to the kernel (one system call per result of a report) and stdio wrote
// standard output in 4 KiB pieces. A text that does not fit drains the buffer first; a large one
// (a run of streamed results) then goes straight out, not copied.
class BlockWriter : public std::streambuf {
public:
    // `allocate_ahead`: the file is our own new one, so its blocks may be allocated ahead of the
    // writes, past its end, and those left over given back by `finish`. ext4 then writes into blocks
    // it has, where it reserved each page as it came: writing 1.2 GB takes 0.12 s of system time,
    // not 0.20 (bench/README.md, "a report's blocks allocated ahead").
    explicit BlockWriter(int fd, bool allocate_ahead = false) : fd_(fd), buffer_(1 << 20), allocate_ahead_(allocate_ahead) {
        setp(buffer_.data(), buffer_.data() + buffer_.size());
    }
    int error() const { return error_; }  // errno of the first failed write, 0 if none
    std::size_t written() const { return written_; }

    // Gives back the blocks allocated ahead and not written (truncating to the same length does, on
    // ext4 and tmpfs).
    bool finish() {
        if (allocated_ > written_ && ftruncate(fd_, static_cast<off_t>(written_)) != 0 && error_ == 0) error_ = errno;
        return error_ == 0;
    }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        *pptr() = traits_type::to_char_type(c);
        pbump(1);
        return c;
    }

    std::streamsize xsputn(const char* text, std::streamsize n) override {
        constexpr std::streamsize large = 64 << 10;
        if (n > epptr() - pptr() || n >= large) {
            if (!drain()) return 0;
            if (n >= large) return write_all(text, static_cast<std::size_t>(n)) ? n : 0;
        }
        std::memcpy(pptr(), text, static_cast<std::size_t>(n));
        pbump(static_cast<int>(n));
        return n;
    }

    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const bool ok = write_all(pbase(), static_cast<std::size_t>(pptr() - pbase()));
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return ok;
    }

    bool write_all(const char* text, std::size_t n) {
        if (allocate_ahead_ && written_ + n > allocated_) allocate(written_ + n);
        while (n > 0 && error_ == 0) {
            const ssize_t written = ::write(fd_, text, n);
            if (written < 0 && errno != EINTR) error_ = errno;
            if (written == 0) error_ = EIO;  // nothing taken and no reason given: do not spin
            if (written > 0) text += written, n -= static_cast<std::size_t>(written), written_ += static_cast<std::size_t>(written);
        }
        return error_ == 0;
    }

    // Allocates past `end` by as much again as written, at most 64 MiB. Where the file system cannot
    // (or the disk is nearly full), the writes go on without: they say whether it fits. A call that
    // failed may have allocated part of it (ext4 keeps what it found before ENOSPC), so `finish`
    // gives back as far as was asked.
    void allocate(std::size_t end) {
        const std::size_t to = end + std::min(end, std::size_t{64} << 20);
        if (fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(allocated_), static_cast<off_t>(to - allocated_)) != 0)
            allocate_ahead_ = false;
        allocated_ = to;
    }

    int fd_;
    std::vector<char> buffer_;
    bool allocate_ahead_;
    std::size_t written_ = 0;    // bytes
    std::size_t allocated_ = 0;  // bytes of the file allocated, or asked for
    int error_ = 0;
};

// Closes a file descriptor once, early (to see the error) or when leaving scope.
struct Closer {
    int fd;
    int close() {
        const int was = std::exchange(fd, -1);
        return was < 0 ? 0 : ::close(was);
    }
    ~Closer() { close(); }
};

}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) != 0; }
bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

Progress::Progress(std::string noun, std::string done)
    : noun_(std::move(noun)), done_(std::move(done)), enabled_(stderr_is_terminal() && spdlog::get_level() <= spdlog::level::info) {}

std::string Progress::counted_text() const { return counted(total(), noun_) + " " + done_; }

void Progress::done() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = enabled_ = false;
}

void Progress::add(Verdict verdict) {
    ++counts_[static_cast<int>(verdict)];
    const std::size_t n = total();
    if (!enabled_ || n % 4096 != 0) return;
    show(n / 4096, fmt::format("{}, {:.0f}/s", counted_text(), static_cast<double>(n) / seconds()));
}

void Progress::writing(std::size_t rows, std::size_t of) {
    const std::size_t percent = 100 * rows / of;
    if (!enabled_ || percent == percent_) return;
    percent_ = percent;
    show(percent, fmt::format("{}; writing the ranked report, {}%", counted_text(), percent));
}

void Progress::show(std::size_t step, const std::string& text) {
    if (std::chrono::steady_clock::now() - started_ < std::chrono::seconds(1)) return;
    static constexpr const char* bar[] = {"[=   ]", "[ =  ]", "[  = ]", "[   =]", "[  = ]", "[ =  ]"};
    std::fprintf(stderr, "\r\033[K%s %s", bar[step % 6], text.c_str());
    std::fflush(stderr);
    shown_ = true;
}

namespace {

// Whether the report goes to a terminal, where the progress line would mix with it: standard output,
// or a path naming one (/dev/stdout, /dev/tty).
bool report_goes_to_terminal(const std::string& output) {
    if (output.empty() || output == "-") return stdout_is_terminal();
    struct stat st {};
    if (stat(output.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;
    const int fd = open(output.c_str(), O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    const bool terminal = isatty(fd) != 0;
    close(fd);
    return terminal;
}

}  // namespace

void Progress::report_starts(const std::string& output) {
    if (report_goes_to_terminal(output)) done();
    if (!spdlog::should_log(spdlog::level::debug)) return;
    if (shown_) std::fputs("\r\033[K", stderr), shown_ = false;  // the live line comes back with the next count
    spdlog::debug("{:.2f} s, {}: the report goes to {}", seconds(), counted_text(), output.empty() || output == "-" ? "standard output" : output);
}

void Progress::log(std::string_view noun, std::string_view after) {
    done();
    spdlog::info("{} {}{}{}: {} pass, {} fail, {} invalid ({:.2f} s)", total(), noun, total() == 1 ? "" : "s", after, counts_[0], counts_[1],
                 counts_[2], seconds());
}

CLI::Validator input_path(bool folders) {
    return CLI::Validator(
        [folders](std::string& path) -> std::string {
            if (path == "-") return "";
            namespace fs = std::filesystem;
            std::error_code error;
            const auto status = fs::status(path, error);
            if (status.type() == fs::file_type::not_found)
                return fs::is_symlink(fs::symlink_status(path, error)) ? path + " is a broken link" : "no such file or folder: " + path;
            if (status.type() == fs::file_type::none) return "cannot read " + path + ": " + error.message();
            if (!folders && fs::is_directory(status)) return path + " is a folder; give a file";
            return "";
        },
        folders ? "FILE|FOLDER|-" : "FILE|-");
}

namespace {

// The descriptor of this process's that `path` leads to (/dev/stdout, /dev/fd/3, /proc/self/fd/1,
// through their links), if any.
std::optional<int> descriptor_named(std::string path) {
    namespace fs = std::filesystem;
    for (int links = 0; links < 8; ++links) {
        for (const std::string& prefix : {std::string("/proc/self/fd/"), std::string("/dev/fd/"), "/proc/" + std::to_string(::getpid()) + "/fd/"}) {
            const std::string_view number = std::string_view(path).substr(std::min(path.size(), prefix.size()));
            if (path.starts_with(prefix) && !number.empty() && number.size() < 9 &&
                std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return std::stoi(std::string(number));
        }
        std::error_code error;
        if (!fs::is_symlink(fs::symlink_status(path, error))) return std::nullopt;
        const fs::path next = fs::read_symlink(path, error);
        if (error) return std::nullopt;
        path = (next.is_absolute() ? next : fs::path(path).parent_path() / next).string();
    }
    return std::nullopt;
}

// Gives the unnamed file at `by_proc` (/proc/self/fd/N) the name `temp`, whose last six characters
// (XXXXXX) are made up until no file has that name.
void link_unnamed(const std::string& by_proc, std::string& temp, std::optional<PendingTemp>& pending, const std::string& path) {
    static constexpr char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::uint64_t seed = static_cast<std::uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ULL ^
                         static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (int attempt = 0; attempt < 100; ++attempt) {
        for (std::size_t k = temp.size() - 6; k < temp.size(); ++k, seed = seed * 6364136223846793005ULL + 1442695040888963407ULL)
            temp[k] = letters[(seed >> 33) % (sizeof letters - 1)];
        if (linkat(AT_FDCWD, by_proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
            pending.emplace(temp);
            return;
        }
        if (errno != EEXIST) break;
    }
    throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
}

}  // namespace

bool is_standard_output(const std::string& path) { return path == "-" || descriptor_named(path) == STDOUT_FILENO; }

CLI::Validator output_path() {
    return CLI::Validator(
        [](std::string& path) -> std::string {
            if (path == "-") return "";
            if (path.empty()) return "an empty file name (use - for standard output)";
            if (const std::optional<int> fd = descriptor_named(path)) {  // written as the shell opened it
                const int flags = ::fcntl(*fd, F_GETFL);
                if (flags < 0) return "cannot write " + path + ": " + std::strerror(errno);
                return (flags & O_ACCMODE) == O_RDONLY ? "cannot write " + path + ": it is open for reading only" : "";
            }
            namespace fs = std::filesystem;
            std::error_code error;
            const auto status = fs::status(path, error);
            if (fs::is_directory(status)) return "cannot write " + path + ": it is a directory";
            if (fs::exists(status) && !fs::is_regular_file(status)) return "";  // a device or FIFO, written into
            // A new file, or one replaced by renaming a new one over it: either takes a folder that may be written.
            const fs::path parent = fs::path(path).parent_path();
            const std::string folder = parent.empty() ? "." : parent.string();
            if (const auto folder_status = fs::status(folder, error); !fs::is_directory(folder_status))
                return "cannot create " + path + ": " + (fs::exists(folder_status) ? folder + " is not a folder" : "no such folder " + folder);
            if (::access(folder.c_str(), W_OK | X_OK) != 0) return "cannot create " + path + ": " + std::strerror(errno);
            return "";
        },
        "FILE|-");
}

CLI::Validator jobs_count() {
    return CLI::Validator(
        [](const std::string& text) -> std::string {
            unsigned jobs = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), jobs);
            if (error == std::errc() && end == text.data() + text.size() && jobs <= 1024) return "";
            return "expected a whole number of worker threads from 0 (one per core) to 1024, found '" + text + "'";
        },
        "0..1024");
}

void refuse_standard_input_twice(const std::vector<std::string>& inputs) {
    if (std::count(inputs.begin(), inputs.end(), "-") > 1) throw Error("- (standard input) is given twice; it can be read once", 2);
}

void refuse_to_replace_an_input(std::string_view option, const std::string& output, const std::vector<std::string>& inputs) {
    if (output.empty() || output == "-") return;
    namespace fs = std::filesystem;
    std::error_code error;  // (a file that does not exist, or cannot be looked at, is no input replaced)
    auto refuse = [&](const std::string& what) { throw Error(fmt::format("{} {} is {}; name another file", option, output, what), 2); };
    const std::string replaced = ": writing there would replace it";
    for (const std::string& input : inputs) {
        if (input.empty()) continue;
        if (fs::equivalent(output, input == "-" ? "/dev/stdin" : input, error)) {  // (a pipe or terminal is no file replaced)
            refuse((input == "-" ? "the file standard input reads" : input == output ? "an input" : "the input " + input) + replaced);
        } else if (is_proposal_file_name(output) && fs::is_directory(input, error)) {
            // A proposal file in a folder that is an input: read as one (this run, or the next).
            const fs::path folder = fs::canonical(input, error), file = fs::weakly_canonical(output, error);
            const auto [in_folder, in_file] = std::mismatch(folder.begin(), folder.end(), file.begin(), file.end());
            if (!error && in_folder == folder.end()) refuse("in the input folder " + input + ", which would read it as proposals");
        }
    }
}

namespace {

// The report formats an output file's name may end in (in any case), in the order help lists them.
constexpr std::pair<std::string_view, Format> named_formats[] = {{".md", Format::md},          {".json", Format::json},
                                                                 {".ndjson", Format::ndjson},  {".jsonl", Format::ndjson},
                                                                 {".csv", Format::csv},        {".html", Format::html},
                                                                 {".htm", Format::html},       {".xml", Format::junit}};

}  // namespace

std::string format_extensions(std::initializer_list<Format> formats) {
    std::vector<std::string> names;
    for (const auto& [extension, format] : named_formats)
        if (std::find(formats.begin(), formats.end(), format) != formats.end())
            names.push_back(std::string(extension) + (format == Format::junit ? " (junit)" : ""));
    std::string text;
    for (std::size_t k = 0; k < names.size(); ++k) text += (k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + names[k];
    return text;
}

std::optional<Format> format_of_name(const std::string& output, std::initializer_list<Format> writes) {
    std::string name = std::filesystem::path(output).filename().string();  // REPORT.CSV as report.csv
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [extension, format] : named_formats)
        if (name.ends_with(extension)) return format;
    // report.xlsx or report.txt would get json, which Excel or an editor then cannot read
    if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0 && dot + 1 < name.size())
        throw Error("--output: cannot tell a report format from the name " + output + ": end it in " + format_extensions(writes) +
                        ", or give --format",
                    2);
    return std::nullopt;
}

Format pick_format(const std::string& format, const std::string& output) {
    if (!format.empty()) return *parse_format(format);
    if (const auto named = format_of_name(output, all_formats)) return *named;
    return (output.empty() || is_standard_output(output)) && stdout_is_terminal() ? Format::md : Format::json;
}

void print_diagnostics(const Diagnostics& diagnostics, bool warnings_are_errors) {
    const bool warnings = warnings_are_errors || spdlog::should_log(spdlog::level::warn);  // -q: only errors on stderr
    for (const auto& d : diagnostics)
        if (d.severity == Severity::error || warnings) std::cerr << d.str() << '\n';
}

std::shared_ptr<const CompiledRules> load_rules_or_throw(const std::string& path) {
    CompileResult result = path.empty() ? compile_default() : compile_file(path);
    // Errors only: lint warnings are for `validate`, not noise in every report run.
    Diagnostics errors;
    for (const auto& d : result.diagnostics)
        if (d.severity == Severity::error) errors.push_back(d);
    print_diagnostics(errors);
    if (!result.rules) throw Error("the rule set " + (path.empty() ? std::string("(built-in)") : path) + " has errors", 2);
    const CompiledRules& r = *result.rules;
    spdlog::debug("rule set {} {} (sha256 {}) from {}: {}, {}, {}, {}, {}, {}, {}", r.id, printable_line(r.version), r.sha256.substr(0, 12),
                  path.empty() ? "the built-in rules" : path, counted(r.inputs.size(), "input"), counted(r.lets.size(), "let"),
                  counted(r.gates.size(), "gate"), counted(r.groups.size(), "group"), counted(r.criteria.size(), "criterion", "criteria"),
                  counted(r.profiles.size(), "profile"), counted(r.tests.size(), "test"));
    if (const std::size_t warnings = result.diagnostics.size() - errors.size(); warnings > 0)
        spdlog::debug("{}: screener validate lists them", counted(warnings, "lint warning"));
    return result.rules;
}

void log_run(const std::vector<std::string>& inputs, unsigned jobs, std::string_view format) {
    if (jobs == 0) jobs = std::max(1U, std::thread::hardware_concurrency());
    spdlog::debug("{} on {}; the report in {}", counted(inputs.size(), "input"), counted(jobs, "worker thread"), format);
    // A folder's other files are passed over: say so, naming a few, so that proposals saved as
    // .txt or .xlsx are not missed without a word (and a folder with none to read, louder).
    if (!spdlog::should_log(spdlog::level::warn)) return;  // -q
    for (const auto& input : inputs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(input, ec)) continue;
        const FolderFiles files = folder_files(input);
        std::string names;
        for (std::size_t k = 0; k < files.first_passed_over.size(); ++k)
            names += (k ? ", '" : ": '") + printable_line(std::filesystem::path(files.first_passed_over[k]).lexically_relative(input).string()) + "'";
        if (files.passed_over > files.first_passed_over.size()) names += " and " + std::to_string(files.passed_over - files.first_passed_over.size()) + " more";
        const std::string passed_over = counted(files.passed_over, "file") + " not named .json, .ndjson or .jsonl passed over" + names;
        if (files.proposal_entries == 0) spdlog::warn("warning: {}: no proposal files in this folder{}", input, files.passed_over == 0 ? "" : "; " + passed_over);
        else if (files.passed_over > 0) spdlog::info("{}: {}", input, passed_over);
    }
}

void write_output(const std::string& path, const std::function<void(std::ostream&)>& write) {
    // A file size limit (ulimit -f) is then a failed write, which removes the temporary file, not a
    // signal that kills the process and leaves it behind.
    std::signal(SIGXFSZ, SIG_IGN);
    // Writes through `fd`, then says what went wrong, if anything, in terms of `name`.
    // The first failed write throws, so that a run stops there (a stream would go on reading its
    // input, which may never end, only to throw the results away).
    auto write_to = [&](int fd, const std::string& name, bool own_file) {
        BlockWriter buffer(fd, own_file);
        std::ostream out(&buffer);
        out.exceptions(std::ios::badbit);
        try {
            write(out);
            out.flush();
        } catch (const std::ios_base::failure&) {
        } catch (...) {
            // Stopped by an error: what was streamed before it still goes out (a file of our own is removed).
            if (!own_file) buffer.pubsync();
            throw;
        }
        if (!buffer.finish() || !out) throw Error("cannot write " + name + ": " + std::strerror(buffer.error() ? buffer.error() : EIO), 2);
        return buffer.written();
    };
    auto log_written = [](std::size_t bytes, const std::string& name) { spdlog::debug("{} bytes written to {}", bytes, name); };
    if (path.empty() || path == "-") {
        if (stdout_is_terminal()) {  // a person reading: line by line, as it comes
            write(std::cout);
            std::cout.flush();
            if (!std::cout) throw Error("cannot write to standard output", 2);
            return;
        }
        std::cout.flush();
        log_written(write_to(STDOUT_FILENO, "to standard output", false), "standard output");
        return;
    }
    if (const std::optional<int> fd = descriptor_named(path)) {
        // Written through the descriptor as the shell set it up (a file may be open for appending),
        // not renamed over: /dev/stdout is standard output.
        if (*fd == STDOUT_FILENO) return write_output("-", write);
        log_written(write_to(*fd, path, false), path);
        return;
    }
    namespace fs = std::filesystem;
    fs::path target(path);
    std::error_code ec;
    const auto status = fs::status(target, ec);
    if (fs::is_directory(status)) throw Error("cannot write " + path + ": it is a directory", 2);
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        // A FIFO, a device or a socket: write into it (renaming over it would replace it).
        const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        Closer closer{fd};
        const std::size_t written = write_to(fd, path, false);
        if (closer.close() != 0) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        log_written(written, path);
        return;
    }
    // The report is written into an unnamed file in FILE's folder (O_TMPFILE), which nothing can
    // leave behind, not even SIGKILL. Once complete, it is linked in under a hidden temporary name
    // and renamed over FILE. Without O_TMPFILE (or /proc to link it by), the temporary file is named
    // from the start: removed on a failure. SIGINT, SIGTERM and SIGHUP exit 128 + the signal from
    // here on, removing a named temporary file.
    const PendingTemp interrupts("");
    mode_t mask = umask(0);
    umask(mask);
    // The mode a plain create would give the report (or the replaced file's).
    const mode_t mode = fs::exists(status) ? static_cast<mode_t>(status.permissions()) : (0666 & ~mask);
    const std::string folder = target.parent_path().empty() ? "." : target.parent_path().string();
    int fd = open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    const std::string by_proc = "/proc/self/fd/" + std::to_string(fd);
    if (fd >= 0 && access(by_proc.c_str(), F_OK) != 0) fd = (close(fd), -1);
    const bool unnamed = fd >= 0;
    // ".report.json.tmp-XXXXXX", or ".screener.tmp-XXXXXX" when that would be too long a name.
    const std::string name = target.filename().string();
    std::string temp = (target.parent_path() / ((name.size() + 12 <= NAME_MAX ? "." + name : ".screener") + ".tmp-XXXXXX")).string();
    std::optional<PendingTemp> pending;  // set once the temporary file has a name
    if (!unnamed) {
        fd = mkstemp(temp.data());
        if (fd < 0) throw Error("cannot create " + path + ": " + std::strerror(errno), 2);
        pending.emplace(temp);
    }
    std::size_t written = 0;
    try {
        {
            Closer closer{fd};
            fchmod(fd, mode);
            written = write_to(fd, path, true);
            if (unnamed) link_unnamed(by_proc, temp, pending, path);
            if (closer.close() != 0) throw Error("cannot write " + path + ": " + std::strerror(errno), 2);
        }
        fs::rename(temp, target, ec);
        if (ec) throw Error("cannot write " + path + ": " + ec.message(), 2);
    } catch (...) {
        std::error_code ignored;
        if (pending) fs::remove(temp, ignored);
        throw;
    }
    log_written(written, path);
}

void write_streamed(const std::string& output, unsigned jobs, Progress& progress,
                    const std::function<void(const BatchOptions&, const LinesSink&)>& stream) {
    progress.report_starts(output);
    write_output(output, [&](std::ostream& out) {
        stream({jobs, [&] { out.flush(); }}, [&](const RenderedLines& run) {
            for (const RenderedResult& result : run.results) progress.add(result.verdict);
            out.write(run.lines.data(), static_cast<std::streamsize>(run.lines.size()));
        });
    });
}

void check_memory_limit(std::size_t held, std::string_view instead) {
    if (held < limits().max_proposals_in_memory) return;
    throw Error("more than " + std::to_string(limits().max_proposals_in_memory) + " proposals to rank in memory; " +
                    std::string(instead) + ", or raise max_proposals_in_memory in SCREENER_LIMITS",
                2);
}

}  // namespace screener::cli
