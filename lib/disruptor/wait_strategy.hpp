#pragma once
// WaitStrategy: how a stage waits for the sequences it depends on.
//
//   wait_for(seq, deps, alerted) -> the minimum of `deps` once it is >= seq, or a value < seq when
//                                   `alerted` was raised or the strategy's timeout expired
//   signal_all_when_blocking()   -> called after any watched sequence advances (a publish, a stage
//                                   finishing a batch, an alert); free for strategies that do not
//                                   block, a fence and a load for those that do
//
// Strategies, cheapest wake-up first:
//   BusySpinWaitStrategy        pause-hinted spin; a core per waiting stage
//   YieldingWaitStrategy        spin, then sched_yield
//   SleepingWaitStrategy        spin, yield, then nanosleep (optionally with a timeout)
//   PhasedBackoffWaitStrategy   spin for a time, yield for a time, then a fallback strategy
//   BlockingWaitStrategy        futex sleep; woken by publishes *and* by upstream stages, so a
//                               stage waiting on another stage does not spin (optionally timed)

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>

#include "sequence.hpp"

namespace sentinel::disruptor {

template <class W>
concept WaitStrategy = requires(W& w, std::int64_t seq, const SequenceGroup& deps,
                                const std::atomic<bool>& alerted) {
    { w.wait_for(seq, deps, alerted) } -> std::same_as<std::int64_t>;
    { w.signal_all_when_blocking() } noexcept;
};

// Timeouts are capped at a century so that now() + timeout cannot overflow when a caller passes
// nanoseconds::max() to mean "forever".
inline constexpr std::chrono::nanoseconds kLongestTimeout = std::chrono::hours(24 * 365 * 100);

inline std::chrono::nanoseconds capped(std::chrono::nanoseconds timeout) noexcept {
    return timeout < kLongestTimeout ? timeout : kLongestTimeout;
}

// A strategy that promises each waiting thread its own core says so with
// `static constexpr bool kDedicatedCore = true;`: producers and barriers then never yield either.
template <class W>
inline constexpr bool kMayYield = !requires { requires W::kDedicatedCore; };

}  // namespace sentinel::disruptor
