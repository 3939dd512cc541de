#pragma once
// Idle: how a peer queue's thread waits on an empty or full queue.
//
// The same rule the benchmark gives Sentinel through its wait strategy, so neither side waits
// more cleverly than the other: spin with the pause hint while every thread has its own CPU
// (BusySpinWaitStrategy); when oversubscribed, spin YieldingWaitStrategy::kSpinTries times and then
// sched_yield, so the thread being waited for gets the CPU (YieldingWaitStrategy).

#include <thread>

#include "disruptor/cache_line.hpp"
#include "disruptor/yielding_wait_strategy.hpp"

namespace sentinel::bench {

class Idle {
public:
    explicit Idle(bool oversubscribed) noexcept : oversubscribed_(oversubscribed) {}

    // One failed attempt: the queue was empty (consumer) or full (producer).
    void pause() noexcept {
        if (oversubscribed_ && failures_ >= disruptor::YieldingWaitStrategy::kSpinTries) {
            std::this_thread::yield();
        } else {
            ++failures_;
            disruptor::cpu_relax();
        }
    }

    // An attempt succeeded: the next wait starts with spinning again.
    void reset() noexcept { failures_ = 0; }

private:
    bool oversubscribed_;
    int failures_ = 0;
};

}  // namespace sentinel::bench
