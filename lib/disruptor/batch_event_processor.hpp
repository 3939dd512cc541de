#pragma once
// BatchEventProcessor: the stage loop. Reads the highest available sequence once, hands every
// event up to it to the handler in a tight loop, then publishes its own progress once.
//
//   barrier.wait_for(next) ─▶ on_batch_start(n) ─▶ on_event(e, s, s == last) ... ─▶ sequence = last
//
// Memory ordering
//   A1/A2 (in the barrier): the stage may read slots up to what the barrier returned.
//   R2: sequence_.store_release(last) releases the stage's reads and writes of those slots to
//       downstream stages and to the producer (pairs with their A1).
//   state_: running/halted are flags checked once per batch (relaxed); failed is stored with
//       release after failure_ is written and read with acquire before failure_ is read.
//
// Thread safety
//   run, start_polling, poll, stop_polling   the stage's own thread (one at a time)
//   halt, sequence, state, failure, exceptions   any thread

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <utility>

#include "event_handler.hpp"
#include "event_processor.hpp"
#include "log/log.hpp"
#include "sequence_barrier.hpp"

namespace sentinel::disruptor {

template <class Ring, Sequencer S, StageHandler<typename Ring::value_type> Handler>
class BatchEventProcessor final : public EventProcessor {
    using Event = typename Ring::value_type;
    static constexpr bool kRuns = BatchHandler<Handler, Event>;

public:
    BatchEventProcessor(Ring& ring, SequenceBarrier<S>& barrier, Handler& handler,
                        ProcessorOptions options = {})
        : ring_(ring), barrier_(barrier), handler_(handler), options_(options) {
        if (options_.max_batch < 1)
            throw std::invalid_argument("max_batch must be at least 1");
        if (options_.shard_count < 1 || options_.shard_index < 0 ||
            options_.shard_index >= options_.shard_count)
            throw std::invalid_argument("shard index must be in [0, shard_count)");
        if (options_.shard_count > 1 && !EventHandler<Handler, Event>)
            throw std::invalid_argument("a sharded stage needs a handler with on_event, not only on_events");
    }

    // Any exception from a hook (on_start, on_batch_start, on_timeout, on_shutdown) fails the
    // stage like one from on_event under ExceptionPolicy::halt: nothing escapes run().
    void run() override {
        const bool entered = enter_running();
        try {
            notify_start();
            if (entered) loop();
        } catch (...) {
            fail(sequence_.load_relaxed() + 1, std::current_exception());
        }
        try {
            notify_shutdown();
        } catch (...) {
            if (state() != ProcessorState::failed) fail(sequence_.load_relaxed() + 1, std::current_exception());
        }
        leave_running();
    }

    void start_polling() override {
        enter_running();  // a halt before the first poll leaves it halted: poll() then does nothing
        notify_start();
        polling_ = true;
    }

    // Returns the sequences the stage moved past (a sharded stage passes over its siblings'
    // events too): non-zero means the duty cycle did work.
    std::size_t poll(std::size_t max) override {
        if (state_.load(std::memory_order_relaxed) != ProcessorState::running || max == 0) return 0;
        const std::int64_t next = sequence_.load_relaxed() + 1;
        const std::int64_t available = barrier_.available(next);
        if (available < next) return 0;
        const std::int64_t limit =
            max >= static_cast<std::size_t>(options_.max_batch) ? options_.max_batch : static_cast<std::int64_t>(max);
        handle_batch(next, batch_end(next, available, limit));
        return static_cast<std::size_t>(sequence_.load_relaxed() - next + 1);
    }

    void stop_polling() override {
        if (!polling_) return;
        polling_ = false;
        notify_shutdown();
        leave_running();
    }

    void halt() noexcept override {
        auto s = state_.load(std::memory_order_relaxed);
        // Relaxed: a flag the stage polls once per batch; the alert below wakes a sleeping stage.
        while ((s == ProcessorState::idle || s == ProcessorState::running) &&
               !state_.compare_exchange_weak(s, ProcessorState::halted, std::memory_order_relaxed)) {
        }
        barrier_.alert();
    }

    const Sequence& sequence() const noexcept override { return sequence_; }
    ProcessorState state() const noexcept override {
        return state_.load(std::memory_order_acquire);  // A3: pairs with R3 (failure_ is readable)
    }
    std::exception_ptr failure() const noexcept override {
        return state() == ProcessorState::failed ? failure_ : nullptr;
    }
    std::uint64_t exceptions() const noexcept override {
        return exceptions_.load(std::memory_order_relaxed);  // a statistic
    }

private:
    void loop() {
        std::int64_t next = sequence_.load_relaxed() + 1;
        while (state_.load(std::memory_order_relaxed) == ProcessorState::running) {  // a flag only
            const std::int64_t available = barrier_.wait_for(next);
            if (available >= next) {
                if (!handle_batch(next, batch_end(next, available, options_.max_batch))) return;
                next = sequence_.load_relaxed() + 1;
            } else if (!barrier_.alerted()) {
                notify_timeout(next - 1);
            }
        }
    }

    // The last sequence of a batch of at most `limit` events (written to stay clear of overflow:
    // limit is often INT64_MAX).
    static std::int64_t batch_end(std::int64_t next, std::int64_t available, std::int64_t limit) noexcept {
        return available - next >= limit ? next + limit - 1 : available;
    }

    // Handles [next, last] and publishes the stage's progress; false when the handler threw under
    // ExceptionPolicy::halt.
    bool handle_batch(std::int64_t next, std::int64_t last) {
        const bool runs = kRuns && options_.shard_count == 1;
        if (!(runs ? deliver_runs(next, last) : deliver_events(next, last))) return false;
        sequence_.store_release(last);  // R2: pairs with A1 in downstream barriers and the sequencer
        barrier_.signal();
        return true;
    }

    bool deliver_events(std::int64_t next, std::int64_t last) {
        if constexpr (EventHandler<Handler, Event>) {
            const std::int64_t step = options_.shard_count;
            const std::int64_t first =
                step == 1 ? next : next + (options_.shard_index - next % step + step) % step;
            if (first > last) return true;
            std::int64_t s = first;
            for (bool started = false;;) {
                try {
                    if constexpr (requires { handler_.on_batch_start(std::int64_t{}); })
                        if (!std::exchange(started, true)) handler_.on_batch_start((last - first) / step + 1);
                    for (; s <= last; s += step) handler_.on_event(ring_[s], s, s + step > last);
                    return true;
                } catch (...) {
                    if (!survive(s, s, std::current_exception())) return false;
                    s += step;
                }
            }
        }
        return true;
    }

    // One on_events call per run of slots that are contiguous in memory: [s, end of its lap].
    bool deliver_runs(std::int64_t next, std::int64_t last) {
        if constexpr (BatchHandler<Handler, Event>) {
            for (std::int64_t s = next; s <= last;) {
                const std::int64_t run_last = std::min(last, s | ring_.mask());
                try {
                    if constexpr (requires { handler_.on_batch_start(std::int64_t{}); })
                        if (s == next) handler_.on_batch_start(last - next + 1);
                    handler_.on_events(std::span<Event>(&ring_[s], static_cast<std::size_t>(run_last - s + 1)),
                                       s, run_last == last);
                } catch (...) {
                    if (!survive(s, run_last, std::current_exception())) return false;
                }
                s = run_last + 1;
            }
        }
        return true;
    }

    // The handler threw on [from, to]: stop (false) or log, count and skip, by policy.
    bool survive(std::int64_t from, std::int64_t to, std::exception_ptr e) {
        if (options_.exception_policy == ExceptionPolicy::halt) {
            fail(from, std::move(e));
            return false;
        }
        log_skipped(from, to, std::move(e));
        return true;
    }

    void fail(std::int64_t seq, std::exception_ptr e) {
        failure_ = std::move(e);
        sequence_.store_release(seq - 1);  // R2: everything before the failed event is done
        state_.store(ProcessorState::failed, std::memory_order_release);  // R3: pairs with A3
        barrier_.signal();
    }

    void log_skipped(std::int64_t from, std::int64_t to, std::exception_ptr e) noexcept {
        exceptions_.fetch_add(1, std::memory_order_relaxed);  // a statistic
        const char* what = "not a std::exception";
        try {
            std::rethrow_exception(e);  // `e` keeps the exception, and `what`, alive until we return
        } catch (const std::exception& ex) {
            what = ex.what();
        } catch (...) {
        }
        if (from == to)
            log::write(log::Type::disruptor, log::Level::error, "disruptor: stage handler threw at sequence %lld: %s (event skipped)",
                       static_cast<long long>(from), what);
        else
            log::write(log::Type::disruptor, log::Level::error,
                       "disruptor: stage handler threw on sequences %lld..%lld: %s (events skipped)",
                       static_cast<long long>(from), static_cast<long long>(to), what);
    }

    // True when the stage may run; false when it was halted before it ever started.
    bool enter_running() {
        if (ran_.exchange(true, std::memory_order_relaxed))  // a flag: run/start_polling are serial
            throw std::logic_error("event processor already ran (a processor runs once)");
        auto expected = ProcessorState::idle;
        // Relaxed: the state is a flag; failure_ is published by R3, not by this transition.
        return state_.compare_exchange_strong(expected, ProcessorState::running, std::memory_order_relaxed);
    }

    void leave_running() {
        auto expected = ProcessorState::running;
        // Relaxed: a flag; a failed or already-halted stage keeps its state.
        state_.compare_exchange_strong(expected, ProcessorState::halted, std::memory_order_relaxed);
    }

    void notify_start() {
        if constexpr (requires { handler_.on_start(); }) handler_.on_start();
    }
    void notify_shutdown() {
        if constexpr (requires { handler_.on_shutdown(); }) handler_.on_shutdown();
    }
    void notify_timeout(std::int64_t seq) {
        if constexpr (requires { handler_.on_timeout(seq); }) handler_.on_timeout(seq);
    }

    Ring& ring_;
    SequenceBarrier<S>& barrier_;
    Handler& handler_;
    const ProcessorOptions options_;
    std::exception_ptr failure_;
    bool polling_ = false;  // between start_polling and stop_polling; the stage's thread only
    std::atomic<bool> ran_{false};
    std::atomic<std::uint64_t> exceptions_{0};
    std::atomic<ProcessorState> state_{ProcessorState::idle};
    Sequence sequence_;  // alone on its line pair: downstream stages and the producer poll it
};

}  // namespace sentinel::disruptor
