#pragma once
// Disruptor: builds a graph of stages over one ring, starts it, drains it, stops it.
//
//   Disruptor<Event> d(1024);
//   d.handle_events_with(a, b).then(c);       // a and b in parallel, c after both (a diamond)
//   d.start({2, 3, 4});                       // one pinned thread per stage
//   d.publish_event([](Event& e, std::int64_t) { e.value = 42; });
//   d.drain_and_halt();
//
//                  ┌──▶ a ──┐
//   producer ──▶ ring       ├──▶ c ──▶ (gates the producer)
//                  └──▶ b ──┘
//
// Stages read events in place; a stage that needs another's result gates on that stage's
// sequence. The last stages gate the producer, so no slot is reused before all have seen it.
//
// Thread safety
//   handle_events_*, after, then*, start*, drain_and_halt, halt   the owner thread, graph first:
//                                         build and start the whole graph before publishing
//   publish_event, publish_events, sequencer().next/publish      the producer thread (any thread
//                                         with ProducerType::multi)
//   ring(), processors()                  any thread
// Processors handed out by start_on_caller_threads() must have stopped running before the
// Disruptor is destroyed: it can only join the threads start() made.
//
// Memory ordering: drain_and_halt acquires the cursor and each stage's sequence (pairing with the
// producers' publishes and the stages' R2); everything else is the components' own.

#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "batch_event_processor.hpp"
#include "blocking_wait_strategy.hpp"
#include "log/log.hpp"
#include "multi_producer_sequencer.hpp"
#include "ring_buffer.hpp"
#include "sequence_barrier.hpp"
#include "single_producer_sequencer.hpp"
#include "thread_affinity.hpp"

namespace sentinel::disruptor {

enum class ProducerType { single, multi };

template <class T, ProducerType P = ProducerType::single, WaitStrategy W = BlockingWaitStrategy,
          class Allocator = std::allocator<T>>
class Disruptor {
public:
    using Ring = RingBuffer<T, Allocator>;
    using SequencerType = std::conditional_t<P == ProducerType::single, SingleProducerSequencer<W>,
                                             MultiProducerSequencer<W>>;
    using Barrier = SequenceBarrier<SequencerType>;

    // A set of stages that later stages may follow.
    class StageGroup {
    public:
        template <StageHandler<T>... H>
        StageGroup then(H&... handlers) { return d_->add_stages(sequences_, ProcessorOptions{}, false, handlers...); }
        template <StageHandler<T>... H>
        StageGroup then(const ProcessorOptions& options, H&... handlers) {
            return d_->add_stages(sequences_, options, false, handlers...);
        }
        template <EventHandler<T>... H>
        StageGroup then_sharded(H&... handlers) {
            return d_->add_stages(sequences_, ProcessorOptions{}, true, handlers...);
        }

        std::span<const Sequence* const> sequences() const noexcept { return sequences_; }

    private:
        friend class Disruptor;
        StageGroup(Disruptor* d, std::vector<const Sequence*> sequences)
            : d_(d), sequences_(std::move(sequences)) {}
        Disruptor* d_;
        std::vector<const Sequence*> sequences_;
    };

    template <class... WaitArgs>
    explicit Disruptor(std::size_t size, WaitArgs&&... wait_args)
        : Disruptor(std::allocator_arg, Allocator(), size, std::forward<WaitArgs>(wait_args)...) {}

    template <class... WaitArgs>
    Disruptor(std::allocator_arg_t, Allocator alloc, std::size_t size, WaitArgs&&... wait_args)
        : wait_strategy_(std::forward<WaitArgs>(wait_args)...),
          ring_(size, std::move(alloc)),
          sequencer_(static_cast<std::int64_t>(size), wait_strategy_) {}

    Disruptor(const Disruptor&) = delete;
    Disruptor& operator=(const Disruptor&) = delete;
    ~Disruptor() { halt(); }

    // First stages: each handler reads every published event, in parallel with the others.
    template <StageHandler<T>... H>
    StageGroup handle_events_with(H&... handlers) { return add_stages({}, ProcessorOptions{}, false, handlers...); }
    template <StageHandler<T>... H>
    StageGroup handle_events_with(const ProcessorOptions& options, H&... handlers) {
        return add_stages({}, options, false, handlers...);
    }
    // One logical stage split over N handlers: handler i takes the events with seq % N == i.
    template <EventHandler<T>... H>
    StageGroup handle_events_sharded(H&... handlers) { return add_stages({}, ProcessorOptions{}, true, handlers...); }

    // Stages that will follow every stage of the given groups.
    template <class... G>
    StageGroup after(const G&... groups) {
        std::vector<const Sequence*> joined;
        (joined.insert(joined.end(), groups.sequences().begin(), groups.sequences().end()), ...);
        return StageGroup(this, std::move(joined));
    }

    // Starts one thread per stage, in the order stages were added; stage i is pinned to
    // cpus[i % cpus.size()] when cpus is given. Throws (with every thread stopped) if a pin fails.
    void start(std::span<const int> cpus = {}) {
        seal();
        const std::size_t n = processors_.size();
        // Shared with the threads: a thread that fails to start must not leave the others
        // pointing at this frame's locals.
        struct Launch {
            explicit Launch(std::size_t n) : errors(n), pinned(static_cast<std::ptrdiff_t>(n)) {}
            std::vector<std::string> errors;
            std::latch pinned;
        };
        auto launch = std::make_shared<Launch>(n);
        threads_.reserve(n);
        std::size_t made = 0;
        try {
            for (; made < n; ++made) {
                const std::optional<int> cpu =
                    cpus.empty() ? std::nullopt : std::optional<int>(cpus[made % cpus.size()]);
                threads_.emplace_back([this, i = made, cpu, launch] {
                    try {
                        if (cpu) pin_current_thread(*cpu);
                    } catch (const std::exception& e) {
                        launch->errors[i] = e.what();
                    }
                    const bool ok = launch->errors[i].empty();
                    launch->pinned.count_down();
                    if (ok) run_guarded(*processors_[i]);
                });
            }
        } catch (...) {
            launch->pinned.count_down(static_cast<std::ptrdiff_t>(n - made));
            halt();
            throw;
        }
        launch->pinned.wait();
        for (const std::string& e : launch->errors) {
            if (e.empty()) continue;
            halt();
            throw std::runtime_error("disruptor start: " + e);
        }
    }
    void start(std::initializer_list<int> cpus) { start(std::span<const int>(cpus.begin(), cpus.size())); }

    // For callers that run stages on their own threads or DPDK lcores: each processor's run() or
    // start_polling/poll/stop_polling, in the order stages were added.
    std::vector<EventProcessor*> start_on_caller_threads() {
        seal();
        std::vector<EventProcessor*> out;
        for (auto& p : processors_) out.push_back(p.get());
        return out;
    }

    // Returns once every event published before the call has been handled by every stage, then
    // halts them. Returns false, without waiting longer, if a stage failed or halted first or the
    // timeout passed; stages that have not started yet are waited for, never skipped.
    // The target is the claim cursor, not the highest contiguous published sequence: with several
    // producers, an event published before the call may sit behind a slot another producer has
    // claimed and is still filling; waiting for the claim covers it. A producer that claimed and
    // will never publish is the one case that needs the timeout.
    bool drain_and_halt(std::optional<std::chrono::nanoseconds> timeout = std::nullopt) {
        const auto deadline = std::chrono::steady_clock::now() + capped(timeout.value_or(kLongestTimeout));
        const std::int64_t target = sequencer_.cursor().load_acquire();  // pairs with nothing: a count of claims
        bool drained = true;
        for (std::uint32_t round = 0;; ++round) {
            bool done = true;
            for (auto& p : processors_) {
                if (p->sequence().load_acquire() >= target) continue;
                const ProcessorState s = p->state();
                if (s == ProcessorState::failed || s == ProcessorState::halted) drained = false;
                done = false;
            }
            if (done || !drained) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                drained = false;
                break;
            }
            if (round < 1000) std::this_thread::yield();
            else std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        halt();
        return drained;
    }

    // Stops every stage after its current batch and joins the threads start() made (all but the
    // calling one, when a stage's handler calls it).
    void halt() noexcept {
        for (auto& p : processors_) p->halt();
        for (auto& t : threads_) {
            if (t.get_id() == std::this_thread::get_id()) t.detach();
            else t.join();
        }
        threads_.clear();
    }

    // Claims a slot, fills it with translate(event, seq), publishes it. A claimed slot is always
    // published, even when translate throws (then with whatever it had written): an unpublished
    // claim would stall every stage of a multi-producer ring for good.
    template <class F>
    std::int64_t publish_event(F&& translate) {
        const std::int64_t seq = sequencer_.next();
        const PublishOnExit publish{sequencer_, seq, seq};
        translate(ring_[seq], seq);
        return seq;
    }

    // Claims n slots at once, fills them, publishes them with one cursor update.
    template <class F>
    std::int64_t publish_events(std::int64_t n, F&& translate) {
        const std::int64_t hi = sequencer_.next(n);
        const std::int64_t lo = hi - n + 1;
        const PublishOnExit publish{sequencer_, lo, hi};
        for (std::int64_t s = lo; s <= hi; ++s) translate(ring_[s], s);
        return hi;
    }

    Ring& ring() noexcept { return ring_; }
    SequencerType& sequencer() noexcept { return sequencer_; }
    std::span<const std::unique_ptr<EventProcessor>> processors() const noexcept { return processors_; }

private:
    struct PublishOnExit {
        SequencerType& sequencer;
        std::int64_t lo;
        std::int64_t hi;
        ~PublishOnExit() { sequencer.publish(lo, hi); }
    };

    template <StageHandler<T>... H>
    StageGroup add_stages(const std::vector<const Sequence*>& upstream, ProcessorOptions options,
                          bool sharded, H&... handlers) {
        if (sealed_) throw std::logic_error("disruptor: stages must be added before start");
        std::vector<const Sequence*> added;
        std::int64_t shard = 0;
        auto add = [&](auto& handler) {
            using Handler = std::remove_reference_t<decltype(handler)>;
            ProcessorOptions o = options;
            if (sharded) {
                o.shard_index = shard++;
                o.shard_count = static_cast<std::int64_t>(sizeof...(H));
            }
            barriers_.push_back(std::make_unique<Barrier>(sequencer_, upstream));
            auto p = std::make_unique<BatchEventProcessor<Ring, SequencerType, Handler>>(
                ring_, *barriers_.back(), handler, o);
            added.push_back(&p->sequence());
            processors_.push_back(std::move(p));
            is_leaf_.push_back(true);
        };
        (add(handlers), ...);
        for (std::size_t i = 0; i < processors_.size(); ++i)
            for (const Sequence* u : upstream)
                if (&processors_[i]->sequence() == u) is_leaf_[i] = false;
        return StageGroup(this, std::move(added));
    }

    // The last stages gate the producer; fixed from here on.
    void seal() {
        if (sealed_) throw std::logic_error("disruptor: already started");
        sealed_ = true;
        for (std::size_t i = 0; i < processors_.size(); ++i)
            if (is_leaf_[i]) sequencer_.add_gating_sequence(&processors_[i]->sequence());
    }

    static void run_guarded(EventProcessor& p) noexcept {
        try {
            p.run();
        } catch (const std::exception& e) {
            log::write(log::Type::disruptor, log::Level::error, "disruptor: stage thread stopped: %s", e.what());
        } catch (...) {
            log::write(log::Type::disruptor, log::Level::error,
                       "disruptor: stage thread stopped by an exception that is not a std::exception");
        }
    }

    W wait_strategy_;
    Ring ring_;
    SequencerType sequencer_;
    std::vector<std::unique_ptr<Barrier>> barriers_;
    std::vector<std::unique_ptr<EventProcessor>> processors_;
    std::vector<bool> is_leaf_;
    std::vector<std::thread> threads_;
    bool sealed_ = false;
};

}  // namespace sentinel::disruptor
