#include "screener/batch.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <span>
#include <thread>
#include <utility>

#include "fast_bind.hpp"
#include "result_line.hpp"
#include "screener/rank.hpp"

namespace screener {

namespace {

// One piece of work (a chunk of input, or a run of ranks) and what a worker made of it.
template <class Job>
struct Block {
    Job job;
    std::vector<Result> results;   // score_batch's
    ScoreSummary charts;           // html's, of a run of ranks (write_ranked)
    std::string text, ids;         // each one's JSON, report rows or stored bytes, and its id, back to back
    struct Entry {
        Verdict verdict;
        double score;
        std::size_t text_end, id_end;
    };
    std::vector<Entry> entries;

    void add(Verdict verdict, double score, std::string_view id) {  // after its text, if any
        ids += id;
        entries.push_back({verdict, score, text.size(), ids.size()});
    }
    std::string_view id(std::size_t k) const {
        const std::size_t begin = k == 0 ? 0 : entries[k - 1].id_end;
        return {ids.data() + begin, entries[k].id_end - begin};
    }
    std::string_view text_of(std::size_t k) const {
        const std::size_t begin = k == 0 ? 0 : entries[k - 1].text_end;
        return {text.data() + begin, entries[k].text_end - begin};
    }
};

// What a worker reuses from proposal to proposal, so that scoring one allocates little.
struct Scratch {
    Evaluation evaluation;  // score_batch's, one at a time
    std::vector<Proposal> proposals = std::vector<Proposal>(evaluation_lanes);  // bound, evaluated together
    std::vector<Evaluation> evaluations = std::vector<Evaluation>(evaluation_lanes);
    BoundProposal other;  // a proposal the ordinary path bound, or an invalid one
    ResultLine line;      // a result line read back (rank), into the same strings and vectors each time
};

// The producer makes jobs (reads chunks), the workers fill blocks from them, the caller's thread
// hands the blocks on in the jobs' order. At most a few blocks are in flight, so memory stays bounded.
template <class Job>
class Pipeline {
public:
    using Produce = std::function<void(const std::function<void(Job&&)>& emit)>;  // on a thread of its own
    using Work = std::function<void(Block<Job>&, Scratch&)>;                     // on a worker thread
    using Consume = std::function<void(Block<Job>&)>;                            // on the caller's thread, in order

    Pipeline(unsigned threads, Work work) : work_(std::move(work)) {
        if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
        max_in_flight_ = 2 * threads + 2;
        for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { serve(); });
    }

    ~Pipeline() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        job_queued_.notify_all();
        room_made_.notify_all();
        for (auto& t : workers_) t.join();
        if (producer_.joinable()) {
            interrupt_reading();
            producer_.join();
        }
    }

    // `waiting`, if any, is called (unlocked) before the caller's thread waits for the next block.
    void run(Produce produce, const Consume& consume, const std::function<void()>& waiting = {}) {
        produce_ = std::move(produce);  // kept here: the producer may outlive this call when it throws
        producer_ = std::thread([this] { make_jobs(); });
        for (std::size_t next = 0;; ++next) {
            Block<Job> block;
            {
                std::unique_lock lock(mutex_);
                auto ready = [&] { return failure_ || done_.count(next) || (produced_all_ && next == produced_); };
                if (waiting && !ready()) {
                    lock.unlock();
                    waiting();
                    lock.lock();
                }
                next_done_.wait(lock, ready);
                if (failure_) std::rethrow_exception(failure_);
                if (!done_.count(next)) break;  // everything handed on
                block = std::move(done_[next]);
                done_.erase(next);
                ++consumed_;
            }
            room_made_.notify_one();
            consume(block);
            recycle(std::move(block));
        }
    }

private:
    // A producer stopped early (an error, or a caller that threw) may be blocked reading standard
    // input or a pipe that has not ended, and would keep the error waiting for it. It is sent
    // `interrupt_signal` until it is done: the signal's handler does nothing, so the read fails with
    // EINTR, the reader reports a read error, and handing that on meets `stopping_`.
    static constexpr int interrupt_signal = SIGURG;  // ignored by default, so never sent to a process by mistake
    static bool interrupt_handled() {
        static const bool handled = [] {
            struct sigaction current {};
            if (::sigaction(interrupt_signal, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) return false;  // someone else's
            struct sigaction action {};
            action.sa_handler = [](int) {};
            ::sigemptyset(&action.sa_mask);
            action.sa_flags = 0;  // no SA_RESTART: an interrupted read returns
            return ::sigaction(interrupt_signal, &action, nullptr) == 0;
        }();
        return handled;
    }
    void interrupt_reading() {
        if (!interrupt_handled()) return;
        std::unique_lock lock(mutex_);
        while (!produced_all_) {
            ::pthread_kill(producer_.native_handle(), interrupt_signal);
            next_done_.wait_for(lock, std::chrono::milliseconds(20), [&] { return produced_all_; });
        }
    }

    // A block handed on goes back to the workers emptied, its memory kept: a new block's pages
    // would each fault on first touch, and a large buffer freed on this thread is returned to the
    // kernel and faulted in again by the next.
    void recycle(Block<Job>&& block) {
        block.job = {};
        block.results.clear();
        block.charts = {};
        block.text.clear();
        block.ids.clear();
        block.entries.clear();
        std::lock_guard lock(mutex_);
        spare_.push_back(std::move(block));
    }

    void make_jobs() {
        try {
            produce_([&](Job&& job) {
                std::unique_lock lock(mutex_);
                room_made_.wait(lock, [&] { return stopping_ || failure_ || produced_ - consumed_ < max_in_flight_; });
                if (stopping_ || failure_) throw Stop{};
                queue_.emplace_back(produced_++, std::move(job));
                lock.unlock();
                job_queued_.notify_one();
            });
        } catch (const Stop&) {
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!failure_) failure_ = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            produced_all_ = true;
        }
        next_done_.notify_all();  // the caller, waiting for a block or for this
    }

    void serve() {  // a worker thread
        Scratch scratch;
        while (true) {
            Block<Job> block;
            std::size_t seq = 0;
            {
                std::unique_lock lock(mutex_);
                job_queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                if (!spare_.empty()) {
                    block = std::move(spare_.back());
                    spare_.pop_back();
                }
                seq = queue_.front().first;
                block.job = std::move(queue_.front().second);
                queue_.pop_front();
            }
            bool wanted = true;  // by the caller, which waits for the blocks in order
            try {
                work_(block, scratch);
                std::lock_guard lock(mutex_);
                done_.emplace(seq, std::move(block));
                wanted = seq == consumed_;
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!failure_) failure_ = std::current_exception();
                room_made_.notify_one();  // the producer stops
            }
            if (wanted) next_done_.notify_one();
        }
    }

    struct Stop {};

    Work work_;
    Produce produce_;
    std::size_t max_in_flight_ = 4;
    std::vector<std::thread> workers_;
    std::thread producer_;
    std::mutex mutex_;
    // Each waits for one thing, so that a change wakes only the thread that waits for it (one
    // condition for all woke every thread at every block, and most went back to sleep).
    std::condition_variable job_queued_;  // the workers: a job to do, or stopping_
    std::condition_variable room_made_;   // the producer: a block in flight fewer, stopping_ or a failure
    std::condition_variable next_done_;   // the caller: the block it wants, produced_all_ or a failure
    std::deque<std::pair<std::size_t, Job>> queue_;  // jobs to do, with their sequence number
    std::map<std::size_t, Block<Job>> done_;
    std::vector<Block<Job>> spare_;  // handed on, emptied, for the workers to fill again
    std::size_t produced_ = 0, consumed_ = 0;  // jobs made; blocks handed on by the caller
    bool produced_all_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
};

// Binds records into a worker's lanes and evaluates them evaluation_lanes at a time, handing each
// on in the order its record came: `scored(proposal, evaluation)`, or `invalid(InvalidProposal)`.
template <class Scored, class Invalid>
class Lanes {
public:
    Lanes(const CompiledRules& rules, Scratch& scratch, Scored scored, Invalid invalid)
        : rules_(rules), scratch_(scratch), scored_(std::move(scored)), invalid_(std::move(invalid)) {}

    void bind(const detail::RawChunk& chunk, const detail::RawRecord& record) {
        Proposal& next = next_lane();
        if (const Proposal* proposal = detail::bind_record(rules_, chunk, record, next, scratch_.other)) {
            if (proposal != &next) next = std::get<Proposal>(std::move(scratch_.other));  // the ordinary path's
            filled();
        } else {
            flush();
            invalid_(std::get<InvalidProposal>(scratch_.other));
        }
    }
    // For a proposal bound elsewhere: written into next_lane(), then filled().
    Proposal& next_lane() { return scratch_.proposals[bound_]; }
    void filled() {
        if (++bound_ == scratch_.proposals.size()) flush();
    }
    // Evaluates and hands on what is bound: at the end, and before handing on anything out of turn.
    void flush() {
        const std::span<const Proposal> proposals(scratch_.proposals.data(), bound_);
        const std::span<Evaluation> evaluations(scratch_.evaluations.data(), bound_);
        evaluate(rules_, proposals, evaluations);
        for (std::size_t k = 0; k < bound_; ++k) scored_(proposals[k], evaluations[k]);
        bound_ = 0;
    }

private:
    const CompiledRules& rules_;
    Scratch& scratch_;
    Scored scored_;
    Invalid invalid_;
    std::size_t bound_ = 0;
};

// Binds and scores a chunk's records in the worker's lanes: `scored(proposal, evaluation)` and
// `invalid(result)` put what the caller needs of each into the block.
template <class Scored, class Invalid>
void score_chunk(const CompiledRules& rules, Block<detail::RawChunk>& block, Scratch& scratch, Scored scored, Invalid invalid) {
    block.entries.reserve(block.job.records.size());
    Lanes lanes(
        rules, scratch,
        [&](const Proposal& p, const Evaluation& e) {
            scored(p, e);
            block.add(e.verdict, e.total, p.id);
        },
        [&](const InvalidProposal& proposal) {
            invalid(explain(proposal));
            block.add(Verdict::invalid, 0, proposal.id);
        });
    for (const auto& record : block.job.records) lanes.bind(block.job, record);
    lanes.flush();
}

// Calls `f(k, first)` for each result of `block` in order; `first` is false when its id came before.
template <class Job, class F>
void check_ids(IdSet& ids, const Block<Job>& block, F&& f) {
    const std::size_t count = block.entries.size();
    constexpr std::size_t ahead = 8;  // the id set's slots are fetched this many ids ahead of the check
    std::array<std::uint64_t, ahead> hashes;  // of ids k to k + ahead - 1, id j's at j % ahead
    auto fetch = [&](std::size_t j) { ids.prefetch(hashes[j % ahead] = ids.hash(block.id(j))); };
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) fetch(k);
    for (std::size_t k = 0; k < count; ++k) {
        const std::uint64_t hash = hashes[k % ahead];
        if (k + ahead < count) fetch(k + ahead);
        f(k, ids.first(block.id(k), hash));
    }
}

// A proposal whose id came before, bound again to be made invalid (rare): an invalid one gains the
// reason, and a bound one keeps only its id, name and source, so it is not scored.
Result repeated_id_result(const CompiledRules& rules, const detail::RawChunk& chunk, const detail::RawRecord& record) {
    const BoundProposal bound = detail::bind_record(rules, chunk, record);
    const auto* p = std::get_if<Proposal>(&bound);
    Result result = p ? explain(InvalidProposal{p->id, p->name, p->source, {}}) : explain(std::get<InvalidProposal>(bound));
    mark_repeated_id(result);
    return result;
}

// Hands a block's rendered lines (each one's JSON and a '\n', in block.text) to `sink` in runs,
// broken where an id came before: that result, `repeated(k)` (made invalid), goes on alone, rendered
// into `alone`. `results` is reused from block to block.
template <class Job, class Repeated>
void hand_on_in_runs(IdSet& ids, const Block<Job>& block, const RulesInfo* with_rules, const Repeated& repeated,
                     std::vector<RenderedResult>& results, std::string& alone, const std::function<void(const RenderedLines&)>& sink) {
    results.clear();
    std::size_t run = 0;  // the first result of the run
    auto hand_on_run = [&](std::size_t end) {
        if (end == run) return;
        const auto begin = static_cast<std::size_t>(block.text_of(run).data() - block.text.data());
        sink({std::string_view(block.text).substr(begin, block.entries[end - 1].text_end - begin), std::span(results).subspan(run, end - run)});
    };
    check_ids(ids, block, [&](std::size_t k, bool first) {
        const std::string_view line = block.text_of(k);
        results.push_back({block.entries[k].verdict, block.entries[k].score, block.id(k), line.substr(0, line.size() - 1)});
        if (first) return;
        hand_on_run(k);
        run = k + 1;
        const Result& result = repeated(k);
        alone.clear();
        append_result_json(alone, result, 0, with_rules);
        alone += '\n';
        const RenderedResult rendered{result.verdict, result.score, result.id, std::string_view(alone).substr(0, alone.size() - 1)};
        sink({alone, std::span(&rendered, 1)});
    });
    hand_on_run(block.entries.size());
}

// What a batch holds is a few blocks at a time, and a block's results can be long: one result
// under a rule set of 20,000 criteria is 2.5 MB of JSON. A block is cut to about this many bytes of
// results (and never to less than one), so memory stays flat whatever the rule set. (A policy's
// results are far shorter: a 256 KiB chunk's, or at most 2,048 ranks, come first.)
constexpr std::size_t block_result_bytes = 4 << 20;

// About how long a result's JSON runs under `rules`, every part counted (what a result quotes of a
// proposal is cut short, so each part has a most). A scored one has an object for each gate, group
// and criterion, the profiles that apply, a failing gate's message twice (the gate's and its
// reason's) and reasons of no data; an invalid one has a reason for each input at most. Whichever
// is longer counts, with the rule set (NDJSON lines carry it). Counted in raw bytes, and without
// the proposal's file name: text of control characters, which JSON writes as 6 bytes each, or a
// long name in `source` makes results longer (security.md's known gaps). (`rank` knows each line's
// length, and cuts by that.)
std::size_t result_bytes(const CompiledRules& rules) {
    // A reason of no data names inputs not given (only those neither required nor defaulted can
    // be), at most names_in_a_reason of them: the longest are counted.
    std::vector<std::size_t> optional;
    for (const auto& input : rules.inputs)
        if (!input.required && input.default_value.is_null()) optional.push_back(4 + input.name.size());
    std::sort(optional.rbegin(), optional.rend());
    std::size_t no_data = 32 + (optional.size() > names_in_a_reason ? 16 : 0);  // "no data: … not given", "and N more"
    for (std::size_t k = 0; k < std::min(names_in_a_reason, optional.size()); ++k) no_data += optional[k];

    std::size_t scored = 256, invalid = 256;
    for (const auto& g : rules.gates) {
        std::size_t message = 0;
        for (const MessagePart& part : g.message) message += part.expr == no_expr ? part.text.size() : message_value_bytes;
        scored += 64 + 2 * g.id.size() + g.title.size() + 2 * (message + no_data);  // the id in its reason too
    }
    for (const auto& g : rules.groups) scored += 192 + 2 * g.id.size() + g.title.size();  // and a reason if below its minimum
    for (const auto& c : rules.criteria)
        scored += 160 + c.id.size() + c.title.size() + c.unit.size() + std::max(32 + c.applies_when_text.size(), no_data);
    for (std::uint32_t p = 0; p < rules.profiles.size(); ++p) scored += 4 + profile_name(rules, p).size();
    for (const auto& input : rules.inputs) {
        invalid += 64 + 2 * input.name.size();  // the name, and in "expected 'a.b' to be an object holding 'c'"
        for (std::size_t k = 0; k < std::min(names_in_a_reason, input.values.size()); ++k) invalid += 2 + input.values[k].size();
    }
    return std::max(scored, invalid) + 128 + rules.id.size() + rules.version.size();
}

std::size_t per_block(std::size_t bytes_each) {
    return std::max<std::size_t>(1, block_result_bytes / std::max<std::size_t>(1, bytes_each));
}

// Reads `inputs` in chunks of at most as many proposals as make a block of results `bytes_each` long.
// Small files are left unread, for the workers to read (detail::read_files) before they score.
Pipeline<detail::RawChunk>::Produce read_inputs(const std::vector<std::string>& inputs, std::size_t bytes_each) {
    return [&inputs, bytes_each](const auto& emit) { detail::read_raw(inputs, emit, per_block(bytes_each), true); };
}

// Bound proposals kept for scoring again (a ranked report's), compactly: each one's id, name, line
// and slot values back to back as bytes, about 180 a proposal for the reference rule set.
namespace stored {

static_assert(sizeof(Proposal) == 224, "a field added to Proposal must be stored and loaded here too");

template <class T>
void put(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}
void put_text(std::string& out, std::string_view text) {
    put(out, static_cast<std::uint32_t>(text.size()));
    out.append(text);
}
template <class T>
T get(const char*& in) {
    T value;
    std::memcpy(&value, in, sizeof value);
    in += sizeof value;
    return value;
}
void get_text(const char*& in, std::string& text) {
    const auto size = get<std::uint32_t>(in);
    text.assign(in, size);
    in += size;
}

// The proposal without its file, which the caller keeps once a file. Its id comes first (see id()).
void append(std::string& out, const Proposal& p) {
    put_text(out, p.id);
    put_text(out, p.name);
    put(out, p.source.line);
    put(out, p.source.col);
    put(out, static_cast<std::uint32_t>(p.numbers.size()));
    out.append(reinterpret_cast<const char*>(p.numbers.data()), p.numbers.size() * sizeof(double));  // all at once
    put(out, static_cast<std::uint32_t>(p.strings.size()));
    for (std::size_t i = 0; i < p.strings.size(); ++i) put(out, p.string_present[i]), put_text(out, p.strings[i]);
    put(out, static_cast<std::uint32_t>(p.lists.size()));
    for (std::size_t i = 0; i < p.lists.size(); ++i) {
        put(out, p.list_present[i]);
        put(out, static_cast<std::uint32_t>(p.lists[i].size()));
        for (const std::string& item : p.lists[i]) put_text(out, item);
    }
}

// Into `p`, whose strings and vectors keep their memory from proposal to proposal.
void load(const char* in, const std::string& file, Proposal& p) {
    get_text(in, p.id);
    get_text(in, p.name);
    p.source.file.assign(file);
    p.source.line = get<decltype(p.source.line)>(in);
    p.source.col = get<decltype(p.source.col)>(in);
    p.numbers.resize(get<std::uint32_t>(in));
    if (!p.numbers.empty()) std::memcpy(p.numbers.data(), in, p.numbers.size() * sizeof(double));  // data() may be null
    in += p.numbers.size() * sizeof(double);
    const auto strings = get<std::uint32_t>(in);
    p.strings.resize(strings);
    p.string_present.resize(strings);
    for (std::size_t i = 0; i < strings; ++i) {
        p.string_present[i] = get<std::uint8_t>(in);
        get_text(in, p.strings[i]);
    }
    const auto lists = get<std::uint32_t>(in);
    p.lists.resize(lists);
    p.list_present.resize(lists);
    for (std::size_t i = 0; i < lists; ++i) {
        p.list_present[i] = get<std::uint8_t>(in);
        p.lists[i].resize(get<std::uint32_t>(in));
        for (std::string& item : p.lists[i]) get_text(in, item);
    }
}

// An invalid proposal's result: its id (first, as a proposal's), name, source and reasons, all an
// invalid result has.
void append_invalid(std::string& out, const Result& result) {
    put_text(out, result.id);
    put_text(out, result.name);
    put_text(out, result.source);
    put(out, static_cast<std::uint32_t>(result.reasons.size()));
    for (const std::string& reason : result.reasons) put_text(out, reason);
}

Result load_invalid(const char* in) {
    Result result;
    get_text(in, result.id);
    get_text(in, result.name);
    get_text(in, result.source);
    result.reasons.resize(get<std::uint32_t>(in));
    for (std::string& reason : result.reasons) get_text(in, reason);
    return result;
}

// About how many bytes append() takes for a proposal under `rules`, besides its texts.
std::size_t bytes(const CompiledRules& rules) {
    return 64 + 8 * (std::size_t{rules.number_slots} + rules.string_slots + rules.list_slots);
}

// The id of a stored proposal or invalid result, viewed where it is stored.
std::string_view id(const char* in) {
    const auto size = get<std::uint32_t>(in);
    return {in, size};
}

}  // namespace stored

// A run of ranks: a piece of a ranked report's second pass.
struct Ranks {
    std::size_t first = 0, count = 0;
};

using Written = std::function<void(std::size_t rows, std::size_t of)>;

// Writes the ranked report of the results whose rank keys are `keys`, rendering its rows on the
// workers while the ones before are written. So no result is held. `results(ranks, scratch, outcomes,
// scored, result)`, on a worker, hands on the results of `ranks` in rank order: scored(proposal,
// evaluation, rank) for a proposal scored again under `plan` (rendered straight from the plan in
// json), or result(const Result&, rank), whose gates and groups may be left out when `outcomes` is
// false (the rows do not show them). The row of rank r + 1 takes about `row_bytes(r)`.
template <class Results, class RowBytes>
void write_ranked(std::ostream& out, Format format, const RulesInfo& rules, const std::vector<RankKey>& keys, unsigned jobs,
                  const CompiledRules* plan, const Results& results, const RowBytes& row_bytes, const Written& written) {
    std::size_t counts[3] = {0, 0, 0};
    for (const RankKey& key : keys) ++counts[static_cast<int>(key.verdict)];
    const std::size_t total = keys.size(), scored = counts[0] + counts[1];

    // Runs `work` on the workers over the ranks from `first` to `end` (at most), a block at a
    // time (2,048 ranks, or as many as take block_result_bytes, and at least one), and `take` on
    // this thread with each block in rank order.
    auto run_ranks = [&](std::size_t first, std::size_t end, const std::function<void(Block<Ranks>&, Scratch&)>& work,
                         const std::function<void(Block<Ranks>&)>& take) {
        Pipeline<Ranks> pipeline(jobs, work);
        pipeline.run(
            [&](const auto& emit) {
                for (std::size_t r = first; r < end;) {
                    std::size_t count = 1, bytes = row_bytes(r);
                    for (std::size_t more; r + count < end && count < 2048 && bytes + (more = row_bytes(r + count)) <= block_result_bytes; ++count)
                        bytes += more;
                    emit({r, count});
                    r += count;
                }
            },
            take);
    };
    // Writes the blocks of ranks from `first` on in order, as `render` fills them on the workers:
    // `rows` in all, a result's row in each section.
    std::size_t rows = total, rows_written = 0;
    auto write_ranks = [&](std::size_t first, const std::function<void(Block<Ranks>&, Scratch&)>& render) {
        run_ranks(first, total, render, [&](Block<Ranks>& block) {
            out.write(block.text.data(), static_cast<std::streamsize>(block.text.size()));
            rows_written += block.job.count;
            if (written) written(rows_written, rows);
        });
    };

    if (format == Format::json) {
        // A JSON line a result, with its rank.
        std::optional<ResultJson> renderer;
        if (plan) renderer.emplace(*plan, nullptr);
        auto line_end = [&](std::size_t rank) { return rank == total ? "\n" : ",\n"; };
        out << json_report_head(rules, counts[0], counts[1], counts[2]);
        write_ranks(0, [&](Block<Ranks>& block, Scratch& scratch) {
            results(
                block.job, scratch, true,
                [&](const Proposal& p, const Evaluation& e, std::size_t rank) {
                    renderer->append(block.text, p, e, rank);
                    block.text += line_end(rank);
                },
                [&](const Result& result, std::size_t rank) {
                    append_result_json(block.text, result, rank, nullptr);
                    block.text += line_end(rank);
                });
        });
        out << json_report_tail;
        return;
    }

    // The other formats write Results: a proposal scored again is explained, without the gates'
    // and groups' outcomes when the rows do not show them.
    auto each_result = [&](const Ranks& ranks, Scratch& scratch, bool outcomes, const auto& each) {
        results(
            ranks, scratch, outcomes,
            [&](const Proposal& p, const Evaluation& e, std::size_t rank) {
                each(outcomes ? explain(*plan, p, e) : explain_verdict(*plan, p, e), rank);
            },
            each);
    };
    // The first ranked result, when scored, names csv's and html's columns (invalid ones rank last).
    std::optional<Result> first_scored;
    if ((format == Format::csv || format == Format::html) && scored > 0) {
        Scratch scratch;
        each_result(Ranks{0, 1}, scratch, true, [&](const Result& result, std::size_t) { first_scored = result; });
    }
    // html's charts, of the scored results, come before its first row: a pass of their own,
    // explained and summed on the workers.
    ScoreSummary charts;
    if (format == Format::html)
        run_ranks(
            0, scored,
            [&](Block<Ranks>& block, Scratch& scratch) {
                each_result(block.job, scratch, true, [&](const Result& result, std::size_t) { block.charts.add(result); });
            },
            [&](Block<Ranks>& block) { charts.add(block.charts); });
    const RowReport report(format, rules, counts[0], counts[1], counts[2], std::move(first_scored), charts);
    rows = 0;
    for (std::size_t section = 0; section < report.sections(); ++section) rows += report.lists_invalid_only(section) ? total - scored : total;
    for (std::size_t section = 0; section < report.sections(); ++section) {
        out << report.head(section);
        write_ranks(report.lists_invalid_only(section) ? scored : 0, [&](Block<Ranks>& block, Scratch& scratch) {
            each_result(block.job, scratch, report.shows_outcomes(section),
                        [&](const Result& result, std::size_t rank) { report.append(block.text, section, result, rank); });
        });
    }
    out << report.tail();
}

}  // namespace

void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&)>& sink) {
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&rules](Block<detail::RawChunk>& block, Scratch& scratch) {
        detail::read_files(block.job);
        block.results.reserve(block.job.records.size());
        for (const auto& record : block.job.records)
            block.results.push_back(score(rules, detail::bind_record(rules, block.job, record), scratch.evaluation));
    });
    IdSet ids;
    pipeline.run(read_inputs(inputs, result_bytes(rules)), [&](Block<detail::RawChunk>& block) {
        for (Result& result : block.results) {
            if (!ids.first(result.id)) mark_repeated_id(result);
            sink(std::move(result));
        }
    });
}

void render_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                  const RulesInfo* with_rules, const std::function<void(const RenderedLines&)>& sink) {
    const ResultJson renderer(rules, with_rules);
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&](Block<detail::RawChunk>& block, Scratch& scratch) {
        detail::read_files(block.job);
        block.text.reserve(3 * block.job.bytes.size());  // results run to 2-3 times their proposal's size
        score_chunk(
            rules, block, scratch,
            [&](const Proposal& p, const Evaluation& e) {
                renderer.append(block.text, p, e, 0);
                block.text += '\n';
            },
            [&](const Result& invalid) {
                append_result_json(block.text, invalid, 0, with_rules);
                block.text += '\n';
            });
    });
    IdSet ids;
    std::vector<RenderedResult> results;
    std::string alone;
    pipeline.run(read_inputs(inputs, result_bytes(rules)), [&](Block<detail::RawChunk>& block) {
        hand_on_in_runs(
            ids, block, with_rules, [&](std::size_t k) { return repeated_id_result(rules, block.job, block.job.records[k]); }, results,
            alone, sink);
    }, options.waiting);
}

// What the second pass needs of each proposal: its rank key, and the bound proposal or, for the
// few that are invalid, their result, stored.
struct RankedBatch::Kept {
    struct Entry {
        const char* stored;  // in `text`: the bound proposal, or an invalid one's result
        std::uint32_t file;  // in `files`
        bool bound;          // scored, so stored as a proposal (as keys[] says too: read here, the
                             // second pass, in rank order, reads no key)
    };
    std::vector<RankKey> keys;  // in input order; each id viewed in its stored bytes
    std::vector<Entry> entries;  // the same order
    std::vector<std::string> files;
    KeptText text;
};

RankedBatch::RankedBatch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                         const std::function<void(Verdict)>& scored)
    : rules_(rules), options_(options), kept_(std::make_unique<Kept>()) {
    // The workers score each proposal and store it, or an invalid one's result, in block.text.
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&rules](Block<detail::RawChunk>& block, Scratch& scratch) {
        detail::read_files(block.job);
        score_chunk(
            rules, block, scratch, [&](const Proposal& p, const Evaluation&) { stored::append(block.text, p); },
            [&](const Result& invalid) { stored::append_invalid(block.text, invalid); });
    });
    Kept& kept = *kept_;
    IdSet ids;
    std::string repeat;  // a repeated id's result, stored
    pipeline.run(read_inputs(inputs, stored::bytes(rules)), [&](Block<detail::RawChunk>& block) {
        // A chunk's files differ from the one before (one read on a worker may hold no record): the
        // first may go on from the last chunk.
        const bool goes_on = !kept.files.empty() && kept.files.back() == block.job.files.front();
        const auto first_file = static_cast<std::uint32_t>(kept.files.size() - goes_on);
        kept.files.insert(kept.files.end(), block.job.files.begin() + goes_on, block.job.files.end());
        check_ids(ids, block, [&](std::size_t k, bool first) {
            const std::uint32_t file = first_file + block.job.records[k].file;
            const Verdict verdict = first ? block.entries[k].verdict : Verdict::invalid;
            scored(verdict);
            std::string_view bytes = block.text_of(k);
            if (!first) {
                repeat.clear();
                stored::append_invalid(repeat, repeated_id_result(rules, block.job, block.job.records[k]));
                bytes = repeat;
            }
            const char* kept_bytes = kept.text.keep(bytes).data();
            kept.keys.push_back({verdict, verdict == Verdict::invalid ? 0 : block.entries[k].score, stored::id(kept_bytes)});
            kept.entries.push_back({kept_bytes, file, verdict != Verdict::invalid});
        });
    });
}

RankedBatch::~RankedBatch() = default;

void RankedBatch::write(std::ostream& out, Format format, const RulesInfo& rules, const Written& written) const {
    const Kept& kept = *kept_;
    const std::vector<std::size_t> order = rank_order(kept.keys, options_.jobs == 1 ? 1 : 2);
    // A run of ranks scored again from their stored proposals, or an invalid one's stored result.
    auto results = [&](const Ranks& ranks, Scratch& scratch, bool, const auto& scored, const auto& result) {
        std::size_t rank = ranks.first + 1;  // the next result's
        Lanes lanes(
            rules_, scratch, [&](const Proposal& p, const Evaluation& e) { scored(p, e, rank++); },
            [](const InvalidProposal&) {});  // none: every stored proposal was bound
        // In rank order the stored proposals are scattered over memory, and so are their entries:
        // each entry is fetched some way ahead, so that its proposal can be fetched a few ahead
        // without waiting for it (which took a tenth of the second pass).
        const std::size_t end = ranks.first + ranks.count;
        constexpr std::size_t ahead = 8;
        auto fetch_entry = [&](std::size_t r) { __builtin_prefetch(&kept.entries[order[r]]); };
        auto fetch_proposal = [&](std::size_t r) {
            for (int line = 0; line < 4; ++line) __builtin_prefetch(kept.entries[order[r]].stored + 64 * line);
        };
        for (std::size_t r = ranks.first; r < std::min(end, ranks.first + 2 * ahead); ++r) fetch_entry(r);
        for (std::size_t r = ranks.first; r < std::min(end, ranks.first + ahead); ++r) fetch_proposal(r);
        for (std::size_t r = ranks.first; r < end; ++r) {
            if (r + 2 * ahead < end) fetch_entry(r + 2 * ahead);
            if (r + ahead < end) fetch_proposal(r + ahead);
            const Kept::Entry& entry = kept.entries[order[r]];
            if (entry.bound) {
                stored::load(entry.stored, kept.files[entry.file], lanes.next_lane());
                lanes.filled();
                continue;
            }
            lanes.flush();
            result(stored::load_invalid(entry.stored), rank++);
        }
        lanes.flush();
    };
    const std::size_t row_bytes = result_bytes(rules_);
    write_ranked(out, format, rules, kept.keys, options_.jobs, &rules_, results, [row_bytes](std::size_t) { return row_bytes; }, written);
}

namespace {

// A scored result's groups and criteria by id, in order: one rule set lays out every scored
// result alike, and csv's columns and html's cells are the first's.
using Layout = std::vector<std::pair<std::string, std::vector<std::string>>>;

Layout layout_of(const Result& result) {
    Layout layout;
    for (const GroupOutcome& group : result.groups) {
        auto& [id, criteria] = layout.emplace_back(group.id, std::vector<std::string>{});
        for (const CriterionOutcome& criterion : group.criteria) criteria.push_back(criterion.id);
    }
    return layout;
}

bool laid_out_as(const Result& result, const Layout& layout) {
    return std::equal(result.groups.begin(), result.groups.end(), layout.begin(), layout.end(), [](const GroupOutcome& group, const auto& laid) {
        return group.id == laid.first && std::equal(group.criteria.begin(), group.criteria.end(), laid.second.begin(), laid.second.end(),
                                                    [](const CriterionOutcome& c, const std::string& id) { return c.id == id; });
    });
}

// Where `layout` differs from `earlier`, said.
std::string other_layout(const Layout& layout, const Layout& earlier) {
    const std::string theirs = ", but earlier results of the same rule set ", edited = ": was it edited?";
    if (layout.size() != earlier.size())
        return "lists " + std::to_string(layout.size()) + " groups" + theirs + "list " + std::to_string(earlier.size()) + edited;
    std::size_t g = 0;
    while (g + 1 < layout.size() && layout[g] == earlier[g]) ++g;
    if (layout[g].first != earlier[g].first)
        return "lists group '" + layout[g].first + "' in place " + std::to_string(g + 1) + theirs + "list '" + earlier[g].first + "'" + edited;
    const auto& criteria = earlier[g].second;
    const std::string named = criteria.empty()      ? ""
                              : criteria.size() == 1 ? " ('" + criteria.front() + "')"
                                                     : " ('" + criteria.front() + "' to '" + criteria.back() + "')";
    return "lists other criteria in group '" + layout[g].first + "'" + theirs + "list " + std::to_string(criteria.size()) + named + edited;
}

// A chunk of result lines (`screener rank`'s first pass), and where its worker stopped reading them.
struct ResultChunk {
    detail::RawChunk chunk;
    RulesInfo rules;  // the chunk's first result's
    std::optional<Layout> layout;  // the chunk's first scored result's
    std::size_t laid_out = 0;      // that result's record
    std::string error;  // why the record after the ones read could not be, naming its file and line
};

std::string other_rules(const RulesInfo& rules, const RulesInfo& earlier) {
    return "scored with rule set " + rules.id + " " + rules.version + " (" + rules.sha256.substr(0, 12) +
           "), but earlier results used " + earlier.id + " " + earlier.version + " (" + earlier.sha256.substr(0, 12) + ")";
}

// Reads a chunk's result lines on a worker, calling `each(result)` with each one before it is added
// to the block. The first line that cannot be read, or names another rule set than the chunk's
// first, or lays out its groups otherwise, ends the chunk, job.error saying why.
template <class Each>
void read_result_chunk(Block<ResultChunk>& block, Scratch& scratch, const Each& each) {
    const detail::RawChunk& chunk = block.job.chunk;
    ResultLine& line = scratch.line;
    for (const detail::RawRecord& record : chunk.records) {
        try {
            if (!record.problem.empty()) throw Error(record.problem);
            if (record.length > UINT32_MAX) throw Error("the line is longer than 4 GiB");
            detail::read_result_line(std::string_view(chunk.bytes).substr(record.offset, record.length), chunk.bytes.capacity() - record.offset,
                                     line);
            if (block.entries.empty()) block.job.rules = line.rules;
            else if (!(line.rules == block.job.rules)) throw Error(other_rules(line.rules, block.job.rules));
            if (line.result.verdict != Verdict::invalid) {
                if (!block.job.layout) block.job.layout = layout_of(line.result), block.job.laid_out = block.entries.size();
                else if (!laid_out_as(line.result, *block.job.layout)) throw Error(other_layout(layout_of(line.result), *block.job.layout));
            }
            each(line.result);
            block.add(line.result.verdict, line.result.score, line.result.id);
        } catch (const Error& e) {
            block.job.error = chunk.source(record).str() + ": " + e.what();
            return;
        }
    }
}

// What every chunk of results must share, on the calling thread: the rule set, and the layout of a
// scored result's groups and criteria. `check` throws naming the chunk's first result that differs.
struct SharedByResults {
    std::optional<RulesInfo> rules;
    std::optional<Layout> layout;  // of the first scored result

    void check(Block<ResultChunk>& block) {
        const detail::RawChunk& chunk = block.job.chunk;
        if (!block.entries.empty()) {
            if (!rules) rules = block.job.rules;
            else if (!(block.job.rules == *rules)) throw Error(chunk.source(chunk.records[0]).str() + ": " + other_rules(block.job.rules, *rules));
        }
        if (block.job.layout) {
            if (!layout) layout = std::move(block.job.layout);
            else if (*block.job.layout != *layout)
                throw Error(chunk.source(chunk.records[block.job.laid_out]).str() + ": " + other_layout(*block.job.layout, *layout));
        }
    }
};

std::string no_results(const std::vector<std::string>& inputs) {
    // eval of an empty input writes an empty report: it has the rule set, which results carry
    return "no results to rank in " + std::to_string(inputs.size()) + (inputs.size() == 1 ? " input" : " inputs") +
           ": a report names the rule set its results were scored by, and no result here names one; rank them with a shard "
           "that has results, or run eval on the proposals";
}

void read_result_chunks(const std::vector<std::string>& inputs, const std::function<void(ResultChunk&&)>& emit) {
    detail::read_ndjson(inputs, [&](detail::RawChunk&& chunk) { emit(ResultChunk{std::move(chunk), {}, {}, 0, {}}); });
}

}  // namespace

// Where each result's line is, to be read again: in its file, or kept (from stdin or a pipe).
struct RankedResults::Kept {
    struct Line {
        const char* kept;  // in `text` when its file cannot be read again; else null, and in the file at `offset`
        std::uint64_t offset;
        std::uint32_t length, file, line;
        bool repeated;  // its id an earlier result had
    };
    // A file of results, open from the first pass to the last: read again with pread (its pages
    // stay the kernel's cache, never this process's memory), and the same file even if renamed over.
    struct File {
        std::string name;
        int fd;  // -1: stdin, a pipe or a device, or no descriptor to spare; its lines are kept

        File(std::string file, bool may_open) : name(std::move(file)), fd(-1) {
            if (name == "<stdin>" || !may_open) return;
            fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO, whose writer is gone, must not block
            struct stat st {};
            if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) ::close(std::exchange(fd, -1));
        }
        // `length` bytes at `offset`, into `text` (with room for read_result_line to read them in place).
        void read(std::uint64_t offset, std::uint32_t length, std::string& text) const {
            text.reserve(std::size_t{length} + detail::simd_padding);
            text.resize(length);
            for (std::size_t done = 0; done < length;) {
                const ssize_t n = ::pread(fd, text.data() + done, length - done, static_cast<off_t>(offset + done));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) throw Error("cannot read " + name + " again: " + std::strerror(errno));
                if (n == 0) throw Error("cannot read " + name + " again: it changed while it was ranked");
                done += static_cast<std::size_t>(n);
            }
        }
    };
    std::vector<RankKey> keys;  // in input order; each id viewed in `text`
    std::vector<Line> lines;    // the same order
    std::vector<File> files;
    SharedByResults shared;
    KeptText text;

    Kept() = default;
    Kept(const Kept&) = delete;
    Kept& operator=(const Kept&) = delete;
    ~Kept() {
        for (const File& file : files)
            if (file.fd >= 0) ::close(file.fd);
    }
};

RankedResults::RankedResults(const std::vector<std::string>& inputs, const BatchOptions& options,
                             const std::function<void(Verdict)>& read)
    : options_(options), kept_(std::make_unique<Kept>()) {
    // The workers read each line for its rank key.
    Pipeline<ResultChunk> pipeline(options.jobs, [](Block<ResultChunk>& block, Scratch& scratch) {
        read_result_chunk(block, scratch, [](const Result&) {});
    });
    Kept& kept = *kept_;
    // Shards do not see each other's ids: a repeat across them is caught here, as one eval would.
    IdSet ids;
    // Descriptors kept open at most: the rest of the limit is left to reading and writing, and to
    // the id set's runs on disk (18 at most).
    rlimit limit{};
    const std::size_t spare = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur > 64 ? limit.rlim_cur - 32 : 0;
    std::size_t open = 0;
    pipeline.run(
        [&inputs](const auto& emit) { read_result_chunks(inputs, emit); },
        [&](Block<ResultChunk>& block) {
            const detail::RawChunk& chunk = block.job.chunk;
            const std::string& name = chunk.files.front();  // read_ndjson's chunks are each of one file
            if (kept.files.empty() || kept.files.back().name != name) open += kept.files.emplace_back(name, open < spare).fd >= 0;
            const auto file = static_cast<std::uint32_t>(kept.files.size() - 1);
            const bool keep_lines = kept.files.back().fd < 0;
            kept.shared.check(block);
            check_ids(ids, block, [&](std::size_t k, bool first) {
                const Verdict verdict = first ? block.entries[k].verdict : Verdict::invalid;
                read(verdict);
                const detail::RawRecord& record = chunk.records[k];
                kept.keys.push_back({verdict, block.entries[k].score, kept.text.keep(block.id(k))});
                const std::string_view line = std::string_view(chunk.bytes).substr(record.offset, record.length);
                kept.lines.push_back({keep_lines ? kept.text.keep(line).data() : nullptr, chunk.offset + record.offset,
                                      static_cast<std::uint32_t>(record.length), file, record.line, !first});
            });
            if (!block.job.error.empty()) throw Error(block.job.error);
        });
    if (!kept.shared.rules) throw Error(no_results(inputs));
}

RankedResults::~RankedResults() = default;

const RulesInfo& RankedResults::rules() const { return *kept_->shared.rules; }

void RankedResults::write(std::ostream& out, Format format, const Written& written) const {
    const Kept& kept = *kept_;
    const std::vector<std::size_t> order = rank_order(kept.keys, options_.jobs == 1 ? 1 : 2);
    // A run of ranks read again from their lines. A line must read as it did the first time: a
    // file changed in between is an error, not a wrong report.
    auto results = [&](const Ranks& ranks, Scratch& scratch, bool outcomes, const auto&, const auto& result) {
        std::string text;
        ResultLine& read = scratch.line;
        // In rank order the lines' entries and keys are scattered over memory: fetched some way
        // ahead, and each key's id a few ahead (as in RankedBatch::write).
        const std::size_t end = ranks.first + ranks.count;
        constexpr std::size_t ahead = 8;
        auto fetch_entry = [&](std::size_t r) {
            __builtin_prefetch(&kept.lines[order[r]]);
            __builtin_prefetch(&kept.keys[order[r]]);
        };
        auto fetch_id = [&](std::size_t r) { __builtin_prefetch(kept.keys[order[r]].id.data()); };
        for (std::size_t r = ranks.first; r < std::min(end, ranks.first + 2 * ahead); ++r) fetch_entry(r);
        for (std::size_t r = ranks.first; r < std::min(end, ranks.first + ahead); ++r) fetch_id(r);
        for (std::size_t r = ranks.first; r < end; ++r) {
            if (r + 2 * ahead < end) fetch_entry(r + 2 * ahead);
            if (r + ahead < end) fetch_id(r + ahead);
            const Kept::Line& line = kept.lines[order[r]];
            const RankKey& key = kept.keys[order[r]];
            const Kept::File& file = kept.files[line.file];
            std::string_view view;
            if (line.kept) {
                view = {line.kept, line.length};
            } else {
                file.read(line.offset, line.length, text);
                view = text;
            }
            auto changed = [&] { return file.name + ":" + std::to_string(line.line) + ": changed while it was ranked"; };
            try {
                detail::read_result_line(view, line.kept ? 0 : text.capacity(), read, outcomes);
            } catch (const Error& e) {
                throw Error(changed() + ": " + e.what());
            }
            const bool same_score = read.result.score == key.score || (std::isnan(read.result.score) && std::isnan(key.score));
            if (read.result.id != key.id || !(read.rules == *kept.shared.rules) || (!line.repeated && (read.result.verdict != key.verdict || !same_score)))
                throw Error(changed());
            if (outcomes && !line.repeated && read.result.verdict != Verdict::invalid && !laid_out_as(read.result, *kept.shared.layout))
                throw Error(changed());
            if (line.repeated) mark_repeated_id(read.result);
            result(read.result, r + 1);
        }
    };
    // Each row by its own line: lines of one batch differ (invalid ones, ranked last, can be long).
    write_ranked(out, format, *kept.shared.rules, kept.keys, options_.jobs, nullptr, results,
                 [&](std::size_t r) { return std::size_t{kept.lines[order[r]].length}; }, written);
}

void stream_results(const std::vector<std::string>& inputs, const BatchOptions& options, const std::function<void(const RenderedLines&)>& sink) {
    Pipeline<ResultChunk> pipeline(options.jobs, [](Block<ResultChunk>& block, Scratch& scratch) {
        read_result_chunk(block, scratch, [&](const Result& result) {
            append_result_json(block.text, result, 0, &block.job.rules);
            block.text += '\n';
        });
    });
    SharedByResults shared;
    IdSet ids;
    std::vector<RenderedResult> results;
    std::string alone;
    ResultLine again;  // a repeated id's line, read again to be made invalid (rare)
    pipeline.run(
        [&inputs](const auto& emit) { read_result_chunks(inputs, emit); },
        [&](Block<ResultChunk>& block) {
            shared.check(block);
            const detail::RawChunk& chunk = block.job.chunk;
            hand_on_in_runs(
                ids, block, shared.rules ? &*shared.rules : nullptr,
                [&](std::size_t k) -> const Result& {
                    const detail::RawRecord& record = chunk.records[k];
                    detail::read_result_line(std::string_view(chunk.bytes).substr(record.offset, record.length),
                                             chunk.bytes.capacity() - record.offset, again);
                    mark_repeated_id(again.result);
                    return again.result;
                },
                results, alone, sink);
            if (!block.job.error.empty()) throw Error(block.job.error);
        },
        options.waiting);
    if (!shared.rules) throw Error(no_results(inputs));
}

namespace {

// A chunk of proposals scored under two rule sets (`screener diff`): each one's standing under both
// and the causes of its change. The block's text holds each one's name, then its source.
struct DiffChunk {
    detail::RawChunk chunk;
    struct Change {
        Standing before, after;
        std::size_t name_size, causes_end;
    };
    std::vector<Change> changes;
    std::vector<Cause> causes;
    std::vector<std::string> reasons;  // what a cause of kind `reason` indexes
};

// A proposal's id, name and source as one rule set read them: bound, or invalid (`other`).
struct Named {
    const std::string &id, &name;
    const SourceLoc& source;
};
Named named(const Proposal* bound, const BoundProposal& other) {
    if (bound) return {bound->id, bound->name, bound->source};
    const auto& invalid = std::get<InvalidProposal>(other);
    return {invalid.id, invalid.name, invalid.source};
}

}  // namespace

RuleDiff diff_batch(const CompiledRules& before, const CompiledRules& after, const std::vector<std::string>& inputs,
                    const BatchOptions& options, const std::function<void(const ProposalChange&)>& diffed) {
    const RuleChange rule_change(before, after);
    Pipeline<DiffChunk> pipeline(options.jobs, [&](Block<DiffChunk>& block, Scratch& scratch) {
        DiffChunk& job = block.job;
        detail::read_files(job.chunk);
        BoundProposal other_before, other_after;
        Evaluation& e_before = scratch.evaluations[0];
        Evaluation& e_after = scratch.evaluations[1];
        for (const detail::RawRecord& record : job.chunk.records) {
            const Proposal* a = detail::bind_record(before, job.chunk, record, scratch.proposals[0], other_before);
            const Proposal* b = detail::bind_record(after, job.chunk, record, scratch.proposals[1], other_after);
            if (a) evaluate(before, *a, e_before);
            if (b) evaluate(after, *b, e_after);
            auto standing = [](const Evaluation& e) { return Standing{.verdict = e.verdict, .score = e.total, .pass_score = e.parameters.pass_score}; };
            const Standing was = a ? standing(e_before) : Standing{};
            const Standing now = b ? standing(e_after) : Standing{};
            if (was.verdict != now.verdict || was.score != now.score) {
                if (a && b) {
                    rule_change.causes(e_before, e_after, job.causes);
                } else {  // invalid under one rule set: its reasons
                    for (const std::string& reason : std::get<InvalidProposal>(b ? other_before : other_after).reasons) {
                        job.causes.push_back({Cause::Kind::reason, static_cast<std::uint32_t>(job.reasons.size())});
                        job.reasons.push_back(reason);
                    }
                }
            }
            // Its id and name as the new rule set read them (or the old one, where it read none).
            const Named old_reading = named(a, other_before), new_reading = named(b, other_after);
            const std::string& name = new_reading.name.empty() ? old_reading.name : new_reading.name;
            block.text += name;
            block.text += new_reading.source.str();
            job.changes.push_back({was, now, name.size(), job.causes.size()});
            block.add(now.verdict, now.score, new_reading.id.empty() ? old_reading.id : new_reading.id);  // its id, for check_ids
        }
    });
    RuleDiff out(before, after);
    IdSet ids;
    // A proposal's change may have a cause for every gate, group and criterion of both rule sets.
    const std::size_t causes_each =
        before.gates.size() + after.gates.size() + after.groups.size() + before.criteria.size() + after.criteria.size() + 1;
    pipeline.run(
        [&inputs, causes_each](const auto& emit) {
            detail::read_raw(
                inputs,
                [&](detail::RawChunk&& chunk) {
                    DiffChunk job;
                    job.chunk = std::move(chunk);
                    emit(std::move(job));
                },
                per_block(sizeof(Cause) * causes_each), true);
        },
        [&](Block<DiffChunk>& block) {
            const DiffChunk& job = block.job;
            check_ids(ids, block, [&](std::size_t k, bool first) {
                if (first) {
                    const DiffChunk::Change& change = job.changes[k];
                    const std::size_t causes_begin = k == 0 ? 0 : job.changes[k - 1].causes_end;
                    const std::string_view text = block.text_of(k);
                    out.add(block.id(k), text.substr(0, change.name_size), text.substr(change.name_size), change.before, change.after,
                            std::span(job.causes).subspan(causes_begin, change.causes_end - causes_begin), job.reasons);
                } else {  // (rare) bound again, here, now that it is known to repeat: invalid under both, so no causes
                    const Result was = repeated_id_result(before, job.chunk, job.chunk.records[k]);
                    const Result now = repeated_id_result(after, job.chunk, job.chunk.records[k]);
                    out.add(now.id.empty() ? was.id : now.id, now.name.empty() ? was.name : now.name, now.source, {}, {}, {}, {});
                }
                if (diffed) diffed(out.proposals.back());
            });
        });
    out.rank(options.jobs == 1 ? 1 : 2);
    return out;
}

}  // namespace screener
