#pragma once
// YieldingWaitStrategy: spins briefly, then gives the core away with sched_yield. Good latency
// when there are more stages than cores (this 2-core development machine, a shared lcore).

#include <thread>

#include "wait_strategy.hpp"

namespace sentinel::disruptor {

class YieldingWaitStrategy {
public:
    static constexpr int kSpinTries = 100;

    std::int64_t wait_for(std::int64_t seq, const SequenceGroup& deps,
                          const std::atomic<bool>& alerted) noexcept {
        std::int64_t available;
        int spins = kSpinTries;
        while ((available = deps.minimum()) < seq) {
            if (alerted.load(std::memory_order_relaxed)) return available;  // a flag, no data behind it
            if (spins > 0) {
                --spins;
                cpu_relax();
            } else {
                std::this_thread::yield();
            }
        }
        return available;
    }

    void signal_all_when_blocking() noexcept {}
};

}  // namespace sentinel::disruptor
