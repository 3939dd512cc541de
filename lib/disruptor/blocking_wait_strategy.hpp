#pragma once
// BlockingWaitStrategy: waiting stages sleep on a futex and cost no CPU.
//
// LMAX's blocking strategy sleeps only while the *producer* cursor is behind and busy-spins while
// an upstream *stage* is behind, so every dependent stage of an idle-but-busy pipeline burns a core.
// Here every sequence owner signals after advancing (the sequencer on publish, each stage after a
// batch), and a waiter sleeps on one epoch word whatever it waits for.
//
// Memory ordering (no lost wake-up, Dekker style)
//   waiter:   E0 = epoch; waiters += 1; F1 fence(seq_cst); read deps; if still behind: futex_wait(epoch, E0)
//   signaller: store sequence (release);  F2 fence(seq_cst); if waiters != 0: epoch += 1; futex_wake
//   F1 and F2 are totally ordered: either the waiter's re-read sees the new sequence, or the
//   signaller sees the waiter and bumps the epoch, and futex_wait then returns at once because the
//   epoch no longer equals E0.
//   The cost when nobody waits: one fence and one load per publish or batch.

#include <chrono>
#include <cstdint>
#include <optional>

#include "futex.hpp"
#include "wait_strategy.hpp"

namespace sentinel::disruptor {

class BlockingWaitStrategy {
public:
    // With a timeout, wait_for returns (below seq) after that long without progress, and the
    // stage calls its handler's on_timeout.
    explicit BlockingWaitStrategy(std::optional<std::chrono::nanoseconds> timeout = std::nullopt)
        : timeout_(timeout ? std::optional(capped(*timeout)) : std::nullopt) {}

    std::int64_t wait_for(std::int64_t seq, const SequenceGroup& deps, const std::atomic<bool>& alerted) {
        using Clock = std::chrono::steady_clock;
        std::int64_t available = deps.minimum();
        if (available >= seq) return available;
        const auto deadline = timeout_ ? Clock::now() + *timeout_ : Clock::time_point::max();
        for (;;) {
            // E0: any signal after this read changes the epoch, so the futex_wait below cannot sleep through it.
            const std::uint32_t epoch = epoch_.load(std::memory_order_relaxed);
            waiters_.fetch_add(1, std::memory_order_relaxed);  // ordered by F1, not by itself
            std::atomic_thread_fence(std::memory_order_seq_cst);  // F1: pairs with F2 in signal_all_when_blocking
            available = deps.minimum();
            const bool stop = alerted.load(std::memory_order_relaxed);  // a flag, no data behind it
            std::optional<std::chrono::nanoseconds> left;
            if (timeout_) left = deadline - Clock::now();
            if (available >= seq || stop || (left && left->count() <= 0)) {
                waiters_.fetch_sub(1, std::memory_order_relaxed);  // a count: a stale one costs a spare wake-up
                return available;
            }
            futex_wait(epoch_, epoch, left);
            waiters_.fetch_sub(1, std::memory_order_relaxed);  // a count: a stale one costs a spare wake-up
        }
    }

    void signal_all_when_blocking() noexcept {
        std::atomic_thread_fence(std::memory_order_seq_cst);  // F2: pairs with F1 in wait_for
        if (waiters_.load(std::memory_order_relaxed) != 0) {  // ordered by F2
            epoch_.fetch_add(1, std::memory_order_relaxed);  // the futex compares values; no data rides on it
            futex_wake_all(epoch_);
        }
    }

private:
    std::optional<std::chrono::nanoseconds> timeout_;
    // Shared by every waiter and signaller; kept off the lines of whatever object embeds us.
    alignas(kFalseSharingRange) std::atomic<std::uint32_t> epoch_{0};
    std::atomic<std::uint32_t> waiters_{0};
};

}  // namespace sentinel::disruptor
