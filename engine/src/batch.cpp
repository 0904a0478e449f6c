#include "screener/batch.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "fast_bind.hpp"

namespace screener {

namespace {

struct Work {
    std::size_t seq = 0;
    detail::RawChunk chunk;
};

struct Done {
    std::vector<Result> results;
    std::string text;
    std::vector<std::size_t> ends;  // end of each result's text in `text`
};

// The producer reads chunks, the workers score them, the caller's thread hands results on in order.
class Pipeline {
public:
    Pipeline(const CompiledRules& rules, const BatchOptions& options) : rules_(rules), options_(options) {
        unsigned jobs = options.jobs ? options.jobs : std::max(1U, std::thread::hardware_concurrency());
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

    void run(const std::vector<std::string>& inputs, const std::function<void(Result&&, std::string_view)>& sink) {
        producer_ = std::thread([this, &inputs] { produce(inputs); });
        detail::IdRegistry ids;
        for (std::size_t next = 0;; ++next) {
            Done done;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return failure_ || done_.count(next) || (produced_all_ && next == produced_); });
                if (failure_) std::rethrow_exception(failure_);
                if (!done_.count(next)) break;  // everything handed on
                done = std::move(done_[next]);
                done_.erase(next);
                ++consumed_;
            }
            changed_.notify_all();  // room for the producer
            std::size_t begin = 0;
            for (std::size_t i = 0; i < done.results.size(); ++i) {
                Result& result = done.results[i];
                std::string_view text(done.text.data() + begin, done.ends.empty() ? 0 : done.ends[i] - begin);
                if (!done.ends.empty()) begin = done.ends[i];
                if (ids.first(result.id)) {
                    sink(std::move(result), text);
                    continue;
                }
                mark_repeated_id(result);
                std::string rendered;
                if (options_.render) options_.render(result, rendered);
                sink(std::move(result), rendered);
            }
        }
    }

private:
    void produce(const std::vector<std::string>& inputs) {
        try {
            detail::read_raw(inputs, [&](detail::RawChunk&& chunk) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || failure_ || produced_ - consumed_ < max_in_flight_; });
                if (stopping_ || failure_) throw Stop{};
                queue_.push_back(Work{produced_++, std::move(chunk)});
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
        Evaluation scratch;
        while (true) {
            Work item;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                item = std::move(queue_.front());
                queue_.pop_front();
            }
            try {
                Done done;
                done.results.reserve(item.chunk.records.size());
                for (const auto& record : item.chunk.records) {
                    done.results.push_back(score(rules_, detail::bind_record(rules_, item.chunk, record), scratch));
                    if (options_.render) {
                        options_.render(done.results.back(), done.text);
                        done.ends.push_back(done.text.size());
                    }
                }
                std::lock_guard lock(mutex_);
                done_.emplace(item.seq, std::move(done));
            } catch (...) {
                std::lock_guard lock(mutex_);
                if (!failure_) failure_ = std::current_exception();
            }
            changed_.notify_all();
        }
    }

    struct Stop {};

    const CompiledRules& rules_;
    const BatchOptions& options_;
    std::size_t max_in_flight_ = 4;
    std::vector<std::thread> workers_;
    std::thread producer_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Work> queue_;
    std::map<std::size_t, Done> done_;
    std::size_t produced_ = 0, consumed_ = 0;  // chunks read; chunks handed on by the caller
    bool produced_all_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
};

}  // namespace

std::vector<std::vector<Result>> score_under_each(const std::vector<const CompiledRules*>& rule_sets,
                                                  const std::vector<std::string>& inputs) {
    std::vector<std::vector<Result>> out(rule_sets.size());
    std::vector<detail::IdRegistry> ids(rule_sets.size());
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

void score_batch(const CompiledRules& rules, const std::vector<std::string>& inputs, const BatchOptions& options,
                 const std::function<void(Result&&, std::string_view)>& sink) {
    Pipeline pipeline(rules, options);
    pipeline.run(inputs, sink);
}

}  // namespace screener
