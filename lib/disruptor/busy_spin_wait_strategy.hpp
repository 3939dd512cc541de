#pragma once
// BusySpinWaitStrategy: lowest latency; burns the waiting core. Use one core per waiting stage.

#include "wait_strategy.hpp"

namespace sentinel::disruptor {

class BusySpinWaitStrategy {
public:
    static constexpr bool kDedicatedCore = true;  // producers and barriers spin, never yield

    std::int64_t wait_for(std::int64_t seq, const SequenceGroup& deps,
                          const std::atomic<bool>& alerted) noexcept {
        std::int64_t available;
        while ((available = deps.minimum()) < seq) {
            if (alerted.load(std::memory_order_relaxed)) return available;  // a flag, no data behind it
            cpu_relax();
        }
        return available;
    }

    void signal_all_when_blocking() noexcept {}
};

}  // namespace sentinel::disruptor
