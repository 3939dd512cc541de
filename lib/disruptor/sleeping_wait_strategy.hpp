#pragma once
// SleepingWaitStrategy: spin, then yield, then sleep in short naps. Near-zero CPU when idle, at the
// price of up to one nap of latency. With a timeout it returns to the stage (which calls
// on_timeout) when nothing arrived for that long after the spin and yield phases.

#include <chrono>
#include <optional>
#include <thread>

#include "wait_strategy.hpp"

namespace sentinel::disruptor {

class SleepingWaitStrategy {
public:
    static constexpr int kSpinTries = 100;
    static constexpr int kYieldTries = 100;

    explicit SleepingWaitStrategy(std::chrono::nanoseconds nap = std::chrono::microseconds(100),
                                  std::optional<std::chrono::nanoseconds> timeout = std::nullopt)
        : nap_(nap), timeout_(timeout ? std::optional(capped(*timeout)) : std::nullopt) {}

    std::int64_t wait_for(std::int64_t seq, const SequenceGroup& deps,
                          const std::atomic<bool>& alerted) {
        std::int64_t available;
        int tries = kSpinTries + kYieldTries;
        std::optional<std::chrono::steady_clock::time_point> deadline;
        while ((available = deps.minimum()) < seq) {
            if (alerted.load(std::memory_order_relaxed)) return available;  // a flag, no data behind it
            if (tries > kYieldTries) {
                --tries;
                cpu_relax();
            } else if (tries > 0) {
                --tries;
                std::this_thread::yield();
            } else {
                const auto now = std::chrono::steady_clock::now();
                if (timeout_) {
                    if (!deadline) deadline = now + *timeout_;
                    else if (now >= *deadline) return available;
                }
                std::this_thread::sleep_for(nap_);
            }
        }
        return available;
    }

    void signal_all_when_blocking() noexcept {}

private:
    std::chrono::nanoseconds nap_;
    std::optional<std::chrono::nanoseconds> timeout_;
};

}  // namespace sentinel::disruptor
