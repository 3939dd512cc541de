#pragma once
// SequenceBarrier: what a stage may read. It waits until the producer has published a sequence
// and every upstream stage has finished with it.
//
//   producer cursor ──▶ [ barrier: deps = upstream stages, or the cursor for a first stage ] ──▶ stage
//
// A barrier belongs to one stage; alert() makes its waits return so the stage can halt.
//
// Memory ordering
//   Waits read the dependencies with acquire (A1 in SequenceGroup::minimum); for a multi-producer
//   ring, highest_published then acquires each slot's flag (A2). Either edge makes the slot
//   contents visible to the stage.
//   The alert flag carries no data: relaxed stores and loads, followed by a wake-up for blocked
//   waiters (the wait strategy's F1/F2 fences order it).
//
// Thread safety
//   wait_for, available      the stage's thread
//   alert, alerted, signal   any thread

#include <atomic>
#include <cstdint>
#include <vector>

#include "backoff.hpp"
#include "sequence.hpp"
#include "sequencer.hpp"

namespace sentinel::disruptor {

template <Sequencer S>
class SequenceBarrier {
public:
    // No upstream stages: wait on the producer cursor.
    SequenceBarrier(S& sequencer, std::vector<const Sequence*> upstream)
        : sequencer_(sequencer),
          deps_(upstream.empty() ? std::vector<const Sequence*>{&sequencer.cursor()} : std::move(upstream)) {}

    // Waits for `seq`; returns the highest sequence the stage may read (>= seq), or a value below
    // seq when the barrier was alerted or the wait strategy timed out (alerted() tells which).
    std::int64_t wait_for(std::int64_t seq) {
        const std::int64_t available = sequencer_.wait_strategy().wait_for(seq, deps_, alerted_);
        if (available < seq) return available;
        // Multi-producer: the cursor counts claims; slot `seq` may be claimed and still being written.
        // That window is a producer's fill of one claim, so the stage spins (and yields, unless
        // busy-spinning) rather than sleeping, and a strategy timeout does not run meanwhile.
        Backoff<kMayYield<typename S::WaitStrategyType>> backoff;
        for (;;) {
            const std::int64_t published = sequencer_.highest_published(seq, available);
            if (published >= seq) return published;
            if (alerted()) return seq - 1;
            backoff.pause();
        }
    }

    // The highest sequence readable now, without waiting (may be below seq).
    std::int64_t available(std::int64_t seq) const noexcept {
        const std::int64_t available = deps_.minimum();
        return available < seq ? available : sequencer_.highest_published(seq, available);
    }

    void alert() noexcept {
        alerted_.store(true, std::memory_order_relaxed);  // a flag; F2 in the signal orders it for sleepers
        signal();
    }
    bool alerted() const noexcept { return alerted_.load(std::memory_order_relaxed); }

    // The stage advanced its own sequence: wake stages that block waiting on it.
    void signal() noexcept { sequencer_.wait_strategy().signal_all_when_blocking(); }

private:
    S& sequencer_;
    SequenceGroup deps_;
    std::atomic<bool> alerted_{false};
};

}  // namespace sentinel::disruptor
