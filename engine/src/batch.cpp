#include "screener/batch.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "fast_bind.hpp"

namespace screener {

namespace {

// One chunk of input and what a worker made of it.
struct Block {
    detail::RawChunk chunk;        // kept until handed on: a repeated id is re-explained from it
    std::vector<Result> results;   // score_batch
    std::string json, ids;         // render_batch: each result's JSON and id, back to back
    struct Entry {
        Verdict verdict;
        double score;
        std::size_t json_end, id_end;
    };
    std::vector<Entry> entries;    // render_batch

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
    Evaluation evaluation;  // score_batch's, one at a time
    std::vector<Proposal> proposals = std::vector<Proposal>(evaluation_lanes);  // bound, evaluated together
    std::vector<Evaluation> evaluations = std::vector<Evaluation>(evaluation_lanes);
    BoundProposal other;  // a proposal the ordinary path bound, or an invalid one
};

// The producer reads chunks, the workers fill blocks from them, the caller's thread hands the
// blocks on in input order. At most a few blocks are in flight, so memory stays bounded.
class Pipeline {
public:
    using Work = std::function<void(Block&, Scratch&)>;  // on a worker thread
    using Consume = std::function<void(Block&)>;         // on the caller's thread, in order

    Pipeline(unsigned jobs, Work job) : work_(std::move(job)) {
        if (jobs == 0) jobs = std::max(1U, std::thread::hardware_concurrency());
        max_in_flight_ = 2 * jobs + 2;
        for (unsigned i = 0; i < jobs; ++i) workers_.emplace_back([this] { work(); });
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

    void run(const std::vector<std::string>& inputs, const Consume& consume) {
        producer_ = std::thread([this, &inputs] { produce(inputs); });
        for (std::size_t next = 0;; ++next) {
            Block block;
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
    void recycle(Block&& block) {
        block.chunk = {};
        block.results.clear();
        block.json.clear();
        block.ids.clear();
        block.entries.clear();
        std::lock_guard lock(mutex_);
        spare_.push_back(std::move(block));
    }

    void produce(const std::vector<std::string>& inputs) {
        try {
            detail::read_raw(inputs, [&](detail::RawChunk&& chunk) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || failure_ || produced_ - consumed_ < max_in_flight_; });
                if (stopping_ || failure_) throw Stop{};
                queue_.emplace_back(produced_++, std::move(chunk));
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

    void work() {
        Scratch scratch;
        while (true) {
            Block block;
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
                block.chunk = std::move(queue_.front().second);
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
    std::size_t max_in_flight_ = 4;
    std::vector<std::thread> workers_;
    std::thread producer_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::size_t, detail::RawChunk>> queue_;  // chunks to score, with their sequence number
    std::map<std::size_t, Block> done_;
    std::vector<Block> spare_;  // handed on, emptied, for the workers to fill again
    std::size_t produced_ = 0, consumed_ = 0;  // chunks read; blocks handed on by the caller
    bool produced_all_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
};

}  // namespace

void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&)>& sink) {
    Pipeline pipeline(options.jobs, [&rules](Block& block, Scratch& scratch) {
        block.results.reserve(block.chunk.records.size());
        for (const auto& record : block.chunk.records)
            block.results.push_back(score(rules, detail::bind_record(rules, block.chunk, record), scratch.evaluation));
    });
    IdSet ids;
    pipeline.run(inputs, [&](Block& block) {
        for (Result& result : block.results) {
            if (!ids.first(result.id)) mark_repeated_id(result);
            sink(std::move(result));
        }
    });
}

void render_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                  const RulesInfo* with_rules, const std::function<void(const RenderedResult&)>& sink) {
    const ResultJson renderer(rules, with_rules);
    Pipeline pipeline(options.jobs, [&](Block& block, Scratch& scratch) {
        block.entries.reserve(block.chunk.records.size());
        block.json.reserve(3 * block.chunk.bytes.size());  // results run to 2-3 times their proposal's size
        // Valid proposals are bound into scratch.proposals, then evaluated and rendered together;
        // an invalid one is rendered in its place, after those before it.
        auto rendered = [&](Verdict verdict, double score, std::string_view id) {  // after its JSON
            block.ids += id;
            block.entries.push_back({verdict, score, block.json.size(), block.ids.size()});
        };
        std::size_t bound = 0;
        auto evaluate_bound = [&] {
            const std::span<const Proposal> proposals(scratch.proposals.data(), bound);
            const std::span<Evaluation> evaluations(scratch.evaluations.data(), bound);
            evaluate(rules, proposals, evaluations);
            for (std::size_t k = 0; k < bound; ++k) {
                renderer.append(block.json, proposals[k], evaluations[k]);
                rendered(evaluations[k].verdict, evaluations[k].total, proposals[k].id);
            }
            bound = 0;
        };
        for (const auto& record : block.chunk.records) {
            Proposal& next = scratch.proposals[bound];
            if (const Proposal* proposal = detail::bind_record(rules, block.chunk, record, next, scratch.other)) {
                if (proposal != &next) next = std::get<Proposal>(std::move(scratch.other));  // the ordinary path's
                if (++bound == scratch.proposals.size()) evaluate_bound();
            } else {
                evaluate_bound();
                const auto& invalid = std::get<InvalidProposal>(scratch.other);
                append_result_json(block.json, explain(invalid), 0, with_rules);
                rendered(Verdict::invalid, 0, invalid.id);
            }
        }
        evaluate_bound();
    });
    IdSet ids;
    Evaluation scratch;
    std::string repeated;
    pipeline.run(inputs, [&](Block& block) {
        const std::size_t count = block.entries.size();
        constexpr std::size_t ahead = 8;  // the id set's slots are fetched this many ids ahead of the check
        for (std::size_t k = 0; k < std::min(ahead, count); ++k) ids.prefetch(block.id(k));
        for (std::size_t k = 0; k < count; ++k) {
            if (k + ahead < count) ids.prefetch(block.id(k + ahead));
            const std::string_view id = block.id(k);
            if (ids.first(id)) {
                sink({block.entries[k].verdict, block.entries[k].score, id, block.json_of(k)});
                continue;
            }
            // Rare: explain this one again, in full, to make it invalid.
            Result result = score(rules, detail::bind_record(rules, block.chunk, block.chunk.records[k]), scratch);
            mark_repeated_id(result);
            repeated.clear();
            append_result_json(repeated, result, 0, with_rules);
            sink({result.verdict, result.score, result.id, repeated});
        }
    });
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
