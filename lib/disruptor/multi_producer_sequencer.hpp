#pragma once
// MultiProducerSequencer: the sequencer for any number of producing threads.
//
// Claim: fetch-add on the cursor (one RMW per claim, wait-free among producers; LMAX 4 does the
// same). try_next uses a CAS instead, because a fetch-add cannot be taken back when there is no room.
//
// Availability: one 64-bit flag per slot holding the sequence last published into it. A slot's
// event `seq` is published when flag[seq & mask] == seq. LMAX stores 32-bit lap numbers
// (seq >> log2(size)) to halve the array; a full sequence costs 4 more bytes per slot, saves the
// shift, and cannot alias across laps because sequences never wrap.
//
// Memory ordering
//   C1: the claim is relaxed: the RMW alone makes ranges disjoint; the producer learns it may write
//       the slots from the gating check (A1), not from the claim.
//   A1 (in SequenceGroup::minimum): acquire the stages' progress before reusing a slot; pairs with
//       each stage's R2 release.
//   G1/G2: the cached gating minimum is shared by producers; release/acquire carries the A1 edge
//       from the producer that refreshed it to a producer that relies on it.
//   R1: publish stores the slot's flag with release; pairs with A2 (is_available) in consumers.
//
// A producer blocked in next() on a full ring waits until the stages make room; halting the stages
// does not release it. Producers that must stop on shutdown use try_next.
//
// Thread safety
//   next, try_next, publish, remaining_capacity, cursor, is_available, highest_published   any thread
//   add_gating_sequence                                     before any thread uses the sequencer

#include <cstdint>
#include <memory>
#include <optional>

#include "backoff.hpp"
#include "ring_buffer.hpp"
#include "sequencer.hpp"

namespace sentinel::disruptor {

template <WaitStrategy W>
class MultiProducerSequencer {
public:
    using WaitStrategyType = W;

    MultiProducerSequencer(std::int64_t buffer_size, W& wait_strategy)
        : buffer_size_((check_ring_size(static_cast<std::size_t>(buffer_size)), buffer_size)),
          mask_(buffer_size - 1),
          wait_strategy_(wait_strategy),
          available_(std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(buffer_size))) {
        // Slot i was last published in lap -1, so no sequence >= 0 reads as available yet.
        for (std::int64_t i = 0; i < buffer_size_; ++i)
            available_[static_cast<std::size_t>(i)].store(i - buffer_size_, std::memory_order_relaxed);
    }

    void add_gating_sequence(const Sequence* s) { gating_.add(s); }

    std::int64_t next(std::int64_t n = 1) {
        check_claim_size(n, buffer_size_);
        const std::int64_t current = cursor_.fetch_add_relaxed(n);  // C1
        const std::int64_t next = current + n;
        const std::int64_t wrap_point = next - buffer_size_;
        if (wrap_point > gating_cache_.load_acquire()) {  // G2: pairs with G1
            Backoff<kMayYield<W>> backoff;
            std::int64_t min;
            while (wrap_point > (min = gating_.minimum(current))) backoff.pause();
            gating_cache_.store_release(min);  // G1: pairs with G2
        }
        return next;
    }

    std::optional<std::int64_t> try_next(std::int64_t n = 1) {
        check_claim_size(n, buffer_size_);
        std::int64_t current = cursor_.load_relaxed();
        do {
            if (!has_capacity(n, current)) return std::nullopt;
        } while (!cursor_.compare_exchange_weak_relaxed(current, current + n));  // C1
        return current + n;
    }

    void publish(std::int64_t seq) noexcept {
        flag(seq).store(seq, std::memory_order_release);  // R1: pairs with A2 in is_available
        wait_strategy_.signal_all_when_blocking();
    }

    void publish(std::int64_t lo, std::int64_t hi) noexcept {
        for (std::int64_t s = lo; s <= hi; ++s) flag(s).store(s, std::memory_order_release);  // R1
        wait_strategy_.signal_all_when_blocking();
    }

    std::int64_t remaining_capacity() const noexcept {
        const std::int64_t claimed = cursor_.load_relaxed();
        return buffer_size_ - (claimed - gating_.minimum(claimed));
    }

    bool is_available(std::int64_t seq) const noexcept {
        return flag(seq).load(std::memory_order_acquire) == seq;  // A2: pairs with R1 in publish
    }

    // The highest sequence in [lo, available] below which every slot is published.
    std::int64_t highest_published(std::int64_t lo, std::int64_t available) const noexcept {
        for (std::int64_t s = lo; s <= available; ++s)
            if (!is_available(s)) return s - 1;
        return available;
    }

    // The highest *claimed* sequence: stages wait on it, then ask highest_published.
    const Sequence& cursor() const noexcept { return cursor_; }
    std::int64_t buffer_size() const noexcept { return buffer_size_; }
    W& wait_strategy() noexcept { return wait_strategy_; }

private:
    bool has_capacity(std::int64_t n, std::int64_t claimed) {
        const std::int64_t wrap_point = claimed + n - buffer_size_;
        if (wrap_point > gating_cache_.load_acquire()) {  // G2
            const std::int64_t min = gating_.minimum(claimed);
            gating_cache_.store_release(min);  // G1
            if (wrap_point > min) return false;
        }
        return true;
    }

    std::atomic<std::int64_t>& flag(std::int64_t seq) const noexcept {
        return available_[static_cast<std::size_t>(seq & mask_)];
    }

    const std::int64_t buffer_size_;
    const std::int64_t mask_;
    W& wait_strategy_;
    SequenceGroup gating_;
    std::unique_ptr<std::atomic<std::int64_t>[]> available_;
    Sequence cursor_;
    Sequence gating_cache_;
};

}  // namespace sentinel::disruptor
