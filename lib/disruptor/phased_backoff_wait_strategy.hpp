#pragma once
// PhasedBackoffWaitStrategy: spin for `spin_for`, then yield until `yield_for` has passed, then
// hand over to a fallback strategy (blocking or sleeping). Spinning covers bursts, the fallback
// covers quiet periods without burning a core. A fallback timeout counts from the hand-over.

#include <chrono>
#include <thread>
#include <utility>

#include "wait_strategy.hpp"

namespace sentinel::disruptor {

template <WaitStrategy Fallback>
class PhasedBackoffWaitStrategy {
public:
    // The fallback is built in place from the trailing arguments (strategies are not movable).
    template <class... FallbackArgs>
    PhasedBackoffWaitStrategy(std::chrono::nanoseconds spin_for, std::chrono::nanoseconds yield_for,
                              FallbackArgs&&... fallback_args)
        : spin_for_(spin_for),
          yield_until_(spin_for + yield_for),
          fallback_(std::forward<FallbackArgs>(fallback_args)...) {}

    std::int64_t wait_for(std::int64_t seq, const SequenceGroup& deps,
                          const std::atomic<bool>& alerted) {
        using Clock = std::chrono::steady_clock;
        constexpr int kSpinsPerClockRead = 1000;
        const auto start = Clock::now();
        for (;;) {
            for (int i = 0; i < kSpinsPerClockRead; ++i) {
                const std::int64_t available = deps.minimum();
                if (available >= seq) return available;
                if (alerted.load(std::memory_order_relaxed)) return available;  // a flag only
                cpu_relax();
            }
            const auto waited = Clock::now() - start;
            if (waited > yield_until_) return fallback_.wait_for(seq, deps, alerted);
            if (waited > spin_for_) std::this_thread::yield();
        }
    }

    void signal_all_when_blocking() noexcept { fallback_.signal_all_when_blocking(); }

private:
    std::chrono::nanoseconds spin_for_;
    std::chrono::nanoseconds yield_until_;  // measured from the start of the wait
    Fallback fallback_;
};

}  // namespace sentinel::disruptor
