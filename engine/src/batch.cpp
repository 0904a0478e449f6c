#include "screener/batch.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <ostream>
#include <span>
#include <thread>

#include "fast_bind.hpp"
#include "screener/rank.hpp"

namespace screener {

namespace {

// One piece of work (a chunk of input, or a run of ranks) and what a worker made of it.
template <class Job>
struct Block {
    Job job;
    std::vector<Result> results;   // score_batch
    std::string json, ids;         // each result's JSON and id, back to back (as the work needs)
    struct Entry {
        Verdict verdict;
        double score;
        std::size_t json_end, id_end;
    };
    std::vector<Entry> entries;

    void add(Verdict verdict, double score, std::string_view id) {  // after its JSON, if any
        ids += id;
        entries.push_back({verdict, score, json.size(), ids.size()});
    }
    std::string_view id(std::size_t k) const {
        const std::size_t begin = k == 0 ? 0 : entries[k - 1].id_end;
        return {ids.data() + begin, entries[k].id_end - begin};
    }
    std::string_view json_of(std::size_t k) const {
        const std::size_t begin = k == 0 ? 0 : entries[k - 1].json_end;
        return {json.data() + begin, entries[k].json_end - begin};
    }
};

// What a worker reuses from proposal to proposal, so that scoring one allocates little.
struct Scratch {
    Evaluation evaluation;  // one at a time: score_batch, and a repeated id scored again
    std::vector<Proposal> proposals = std::vector<Proposal>(evaluation_lanes);  // bound, evaluated together
    std::vector<Evaluation> evaluations = std::vector<Evaluation>(evaluation_lanes);
    BoundProposal other;  // a proposal the ordinary path bound, or an invalid one
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
        changed_.notify_all();
        for (auto& t : workers_) t.join();
        if (producer_.joinable()) producer_.join();
    }

    void run(Produce produce, const Consume& consume) {
        produce_ = std::move(produce);  // kept here: the producer may outlive this call when it throws
        producer_ = std::thread([this] { make_jobs(); });
        for (std::size_t next = 0;; ++next) {
            Block<Job> block;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return failure_ || done_.count(next) || (produced_all_ && next == produced_); });
                if (failure_) std::rethrow_exception(failure_);
                if (!done_.count(next)) break;  // everything handed on
                block = std::move(done_[next]);
                done_.erase(next);
                ++consumed_;
            }
            changed_.notify_all();  // room for the producer
            consume(block);
            recycle(std::move(block));
        }
    }

private:
    // A block handed on goes back to the workers emptied, its memory kept: a new block's pages
    // would each fault on first touch, and a large buffer freed on this thread is returned to the
    // kernel and faulted in again by the next.
    void recycle(Block<Job>&& block) {
        block.job = {};
        block.results.clear();
        block.json.clear();
        block.ids.clear();
        block.entries.clear();
        std::lock_guard lock(mutex_);
        spare_.push_back(std::move(block));
    }

    void make_jobs() {
        try {
            produce_([&](Job&& job) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || failure_ || produced_ - consumed_ < max_in_flight_; });
                if (stopping_ || failure_) throw Stop{};
                queue_.emplace_back(produced_++, std::move(job));
                changed_.notify_all();
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
        changed_.notify_all();
    }

    void serve() {  // a worker thread
        Scratch scratch;
        while (true) {
            Block<Job> block;
            std::size_t seq = 0;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                if (!spare_.empty()) {
                    block = std::move(spare_.back());
                    spare_.pop_back();
                }
                seq = queue_.front().first;
                block.job = std::move(queue_.front().second);
                queue_.pop_front();
            }
            try {
                work_(block, scratch);
                std::lock_guard lock(mutex_);
                done_.emplace(seq, std::move(block));
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!failure_) failure_ = std::current_exception();
            }
            changed_.notify_all();
        }
    }

    struct Stop {};

    Work work_;
    Produce produce_;
    std::size_t max_in_flight_ = 4;
    std::vector<std::thread> workers_;
    std::thread producer_;
    std::mutex mutex_;
    std::condition_variable changed_;
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
        Proposal& next = scratch_.proposals[bound_];
        if (const Proposal* proposal = detail::bind_record(rules_, chunk, record, next, scratch_.other)) {
            if (proposal != &next) next = std::get<Proposal>(std::move(scratch_.other));  // the ordinary path's
            if (++bound_ == scratch_.proposals.size()) flush();
        } else {
            flush();
            invalid_(std::get<InvalidProposal>(scratch_.other));
        }
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

// Calls `f(k, first)` for each result of `block` in order; `first` is false when its id came before.
template <class Job, class F>
void check_ids(IdSet& ids, const Block<Job>& block, F&& f) {
    const std::size_t count = block.entries.size();
    constexpr std::size_t ahead = 8;  // the id set's slots are fetched this many ids ahead of the check
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) ids.prefetch(block.id(k));
    for (std::size_t k = 0; k < count; ++k) {
        if (k + ahead < count) ids.prefetch(block.id(k + ahead));
        f(k, ids.first(block.id(k)));
    }
}

// A proposal whose id came before, scored again in full to be made invalid (rare).
Result repeated_id_result(const CompiledRules& rules, const detail::RawChunk& chunk, const detail::RawRecord& record,
                          Evaluation& scratch) {
    Result result = score(rules, detail::bind_record(rules, chunk, record), scratch);
    mark_repeated_id(result);
    return result;
}

Pipeline<detail::RawChunk>::Produce read_inputs(const std::vector<std::string>& inputs) {
    return [&inputs](const auto& emit) { detail::read_raw(inputs, emit); };
}

}  // namespace

void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&)>& sink) {
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&rules](Block<detail::RawChunk>& block, Scratch& scratch) {
        block.results.reserve(block.job.records.size());
        for (const auto& record : block.job.records)
            block.results.push_back(score(rules, detail::bind_record(rules, block.job, record), scratch.evaluation));
    });
    IdSet ids;
    pipeline.run(read_inputs(inputs), [&](Block<detail::RawChunk>& block) {
        for (Result& result : block.results) {
            if (!ids.first(result.id)) mark_repeated_id(result);
            sink(std::move(result));
        }
    });
}

void render_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                  const RulesInfo* with_rules, const std::function<void(const RenderedResult&)>& sink) {
    const ResultJson renderer(rules, with_rules);
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&](Block<detail::RawChunk>& block, Scratch& scratch) {
        block.entries.reserve(block.job.records.size());
        block.json.reserve(3 * block.job.bytes.size());  // results run to 2-3 times their proposal's size
        Lanes lanes(
            rules, scratch,
            [&](const Proposal& p, const Evaluation& e) {
                renderer.append(block.json, p, e, 0);
                block.add(e.verdict, e.total, p.id);
            },
            [&](const InvalidProposal& invalid) {
                append_result_json(block.json, explain(invalid), 0, with_rules);
                block.add(Verdict::invalid, 0, invalid.id);
            });
        for (const auto& record : block.job.records) lanes.bind(block.job, record);
        lanes.flush();
    });
    IdSet ids;
    Evaluation scratch;
    std::string repeated;
    pipeline.run(read_inputs(inputs), [&](Block<detail::RawChunk>& block) {
        check_ids(ids, block, [&](std::size_t k, bool first) {
            if (first) {
                sink({block.entries[k].verdict, block.entries[k].score, block.id(k), block.json_of(k)});
                return;
            }
            const Result result = repeated_id_result(rules, block.job, block.job.records[k], scratch);
            repeated.clear();
            append_result_json(repeated, result, 0, with_rules);
            sink({result.verdict, result.score, result.id, repeated});
        });
    });
}

// The input as read, and a rank key for each proposal: what the second pass scores again.
struct RankedBatch::Kept {
    struct Where {
        std::uint32_t chunk, record;
    };
    std::vector<detail::RawChunk> chunks;
    std::vector<RankKey> keys;          // in input order
    std::vector<Where> where;           // each key's record
    std::vector<std::size_t> repeated;  // the keys whose id came before, ascending
    KeptText ids;
};

RankedBatch::RankedBatch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                         const std::function<void(Verdict)>& scored)
    : rules_(rules), options_(options), kept_(std::make_unique<Kept>()) {
    Pipeline<detail::RawChunk> pipeline(options.jobs, [&rules](Block<detail::RawChunk>& block, Scratch& scratch) {
        block.entries.reserve(block.job.records.size());
        Lanes lanes(
            rules, scratch, [&](const Proposal& p, const Evaluation& e) { block.add(e.verdict, e.total, p.id); },
            [&](const InvalidProposal& invalid) { block.add(Verdict::invalid, 0, invalid.id); });
        for (const auto& record : block.job.records) lanes.bind(block.job, record);
        lanes.flush();
        block.job.shrink();  // kept to the end
    });
    Kept& kept = *kept_;
    IdSet ids;
    pipeline.run(read_inputs(inputs), [&](Block<detail::RawChunk>& block) {
        const auto chunk = static_cast<std::uint32_t>(kept.chunks.size());
        check_ids(ids, block, [&](std::size_t k, bool first) {
            const Verdict verdict = first ? block.entries[k].verdict : Verdict::invalid;
            scored(verdict);
            if (!first) kept.repeated.push_back(kept.keys.size());
            kept.keys.push_back({verdict, first ? block.entries[k].score : 0, kept.ids.keep(block.id(k))});
            kept.where.push_back({chunk, static_cast<std::uint32_t>(k)});
        });
        kept.chunks.push_back(std::move(block.job));
    });
}

RankedBatch::~RankedBatch() = default;

void RankedBatch::write_json(std::ostream& out, const RulesInfo& rules) const {
    const Kept& kept = *kept_;
    const std::vector<std::size_t> order = rank_order(kept.keys, options_.jobs == 1 ? 1 : 2);
    std::size_t counts[3] = {0, 0, 0};
    for (const RankKey& key : kept.keys) ++counts[static_cast<int>(key.verdict)];
    const std::size_t total = kept.keys.size();

    struct Ranks {
        std::size_t first = 0, count = 0;
    };
    const ResultJson renderer(rules_, nullptr);
    struct Located {  // a record of the kept input, and its rank key
        const detail::RawChunk* chunk;
        const detail::RawRecord* record;
        std::size_t key;
    };
    Pipeline<Ranks> pipeline(options_.jobs, [&](Block<Ranks>& block, Scratch& scratch) {
        std::vector<Located> located;
        std::size_t rank = block.job.first + 1;  // the next result's
        auto line_written = [&] { block.json += rank++ < total ? ",\n" : "\n"; };
        Lanes lanes(
            rules_, scratch,
            [&](const Proposal& p, const Evaluation& e) {
                renderer.append(block.json, p, e, rank);
                line_written();
            },
            [&](const InvalidProposal& invalid) {
                append_result_json(block.json, explain(invalid), rank, nullptr);
                line_written();
            });
        // In rank order the records are scattered over the whole input: where each is is looked up
        // for the whole run first (independent loads, overlapped), and its text fetched a few ahead.
        located.reserve(block.job.count);
        for (std::size_t r = block.job.first; r < block.job.first + block.job.count; ++r) {
            const Kept::Where where = kept.where[order[r]];
            const detail::RawChunk& chunk = kept.chunks[where.chunk];
            located.push_back({&chunk, &chunk.records[where.record], order[r]});
            __builtin_prefetch(located.back().record);
        }
        auto prefetch = [&](const Located& at) {
            for (std::size_t b = 0; b < at.record->length; b += 64) __builtin_prefetch(at.chunk->bytes.data() + at.record->offset + b);
        };
        constexpr std::size_t ahead = 8;
        for (std::size_t k = 0; k < std::min(ahead, located.size()); ++k) prefetch(located[k]);
        for (std::size_t k = 0; k < located.size(); ++k) {
            if (k + ahead < located.size()) prefetch(located[k + ahead]);
            const detail::RawChunk& chunk = *located[k].chunk;
            const detail::RawRecord& record = *located[k].record;
            if (!std::binary_search(kept.repeated.begin(), kept.repeated.end(), located[k].key)) {
                lanes.bind(chunk, record);
                continue;
            }
            lanes.flush();
            append_result_json(block.json, repeated_id_result(rules_, chunk, record, scratch.evaluation), rank, nullptr);
            line_written();
        }
        lanes.flush();
    });
    out << json_report_head(rules, counts[0], counts[1], counts[2]);
    constexpr std::size_t block_ranks = 2048;
    pipeline.run(
        [&](const auto& emit) {
            for (std::size_t first = 0; first < total; first += block_ranks) emit({first, std::min(block_ranks, total - first)});
        },
        [&](Block<Ranks>& block) { out.write(block.json.data(), static_cast<std::streamsize>(block.json.size())); });
    out << json_report_tail;
}

std::vector<std::vector<Result>> score_under_each(const std::vector<const CompiledRules*>& rule_sets,
                                                  const std::vector<std::string>& inputs) {
    std::vector<std::vector<Result>> out(rule_sets.size());
    std::vector<IdSet> ids(rule_sets.size());
    Evaluation scratch;
    detail::read_raw(inputs, [&](detail::RawChunk&& chunk) {
        for (const auto& record : chunk.records)
            for (std::size_t k = 0; k < rule_sets.size(); ++k) {
                Result result = score(*rule_sets[k], detail::bind_record(*rule_sets[k], chunk, record), scratch);
                if (!ids[k].first(result.id)) mark_repeated_id(result);
                out[k].push_back(std::move(result));
            }
    });
    return out;
}

}  // namespace screener
