#pragma once
// SingleProducerSequencer: the sequencer for one producing thread (an RX lcore, say).
//
// Memory ordering
//   The producer alone reads and writes next_value_ and cached_gating_, so they are plain fields.
//   A1 (in SequenceGroup::minimum): the producer acquires the gating stages' progress before reusing
//       a slot; pairs with each stage's R2 release, so their reads of the old event happen-before
//       our overwrite.
//   R1: publish() releases the cursor; pairs with A1 in the stages' barriers, making the slot
//       contents written before publish visible to them.
//   The gating minimum is cached: the producer re-reads the stages' sequences only when a claim
//   would pass the cached value, so a producer running ahead of idle stages touches no shared line.
//
// Thread safety
//   next, try_next, publish, remaining_capacity   the producer thread only
//   cursor, is_available, highest_published       any thread
//   add_gating_sequence                           before any thread uses the sequencer

#include <cstdint>
#include <optional>

#include "backoff.hpp"
#include "ring_buffer.hpp"
#include "sequencer.hpp"

namespace sentinel::disruptor {

template <WaitStrategy W>
class SingleProducerSequencer {
public:
    using WaitStrategyType = W;

    SingleProducerSequencer(std::int64_t buffer_size, W& wait_strategy)
        : buffer_size_(buffer_size), wait_strategy_(wait_strategy) {
        check_ring_size(static_cast<std::size_t>(buffer_size));
    }

    void add_gating_sequence(const Sequence* s) { gating_.add(s); }

    // Claims the next n slots, waiting for the slowest stage to free them; returns the last one.
    std::int64_t next(std::int64_t n = 1) {
        check_claim_size(n, buffer_size_);
        const std::int64_t next = next_value_ + n;
        const std::int64_t wrap_point = next - buffer_size_;
        if (wrap_point > cached_gating_) {
            Backoff<kMayYield<W>> backoff;
            std::int64_t min;
            while (wrap_point > (min = gating_.minimum(next_value_))) backoff.pause();
            cached_gating_ = min;
        }
        next_value_ = next;
        return next;
    }

    // Claims the next n slots if they are free now; never waits.
    std::optional<std::int64_t> try_next(std::int64_t n = 1) {
        check_claim_size(n, buffer_size_);
        const std::int64_t wrap_point = next_value_ + n - buffer_size_;
        if (wrap_point > cached_gating_) {
            cached_gating_ = gating_.minimum(next_value_);
            if (wrap_point > cached_gating_) return std::nullopt;
        }
        next_value_ += n;
        return next_value_;
    }

    void publish(std::int64_t seq) noexcept {
        cursor_.store_release(seq);  // R1: slot contents before the cursor; pairs with A1 in barriers
        wait_strategy_.signal_all_when_blocking();
    }

    // Publishing a range is publishing its end: the cursor covers everything below it.
    void publish(std::int64_t /*lo*/, std::int64_t hi) noexcept { publish(hi); }

    std::int64_t remaining_capacity() const noexcept {
        return buffer_size_ - (next_value_ - gating_.minimum(next_value_));
    }

    // The slots the producer knows to be free without reading the stages' sequences (its cached
    // view, so possibly fewer than are): free to prefetch for writing, as no stage reads them.
    std::int64_t known_free() const noexcept { return cached_gating_ + buffer_size_ - next_value_; }

    bool is_available(std::int64_t seq) const noexcept { return seq <= cursor_.load_acquire(); }

    // Everything up to the cursor is published: the single producer publishes in order.
    std::int64_t highest_published(std::int64_t /*lo*/, std::int64_t available) const noexcept {
        return available;
    }

    const Sequence& cursor() const noexcept { return cursor_; }
    std::int64_t buffer_size() const noexcept { return buffer_size_; }
    W& wait_strategy() noexcept { return wait_strategy_; }

private:
    const std::int64_t buffer_size_;
    W& wait_strategy_;
    SequenceGroup gating_;
    // Producer-private: on their own line pair, away from the cursor that every stage reads.
    alignas(kFalseSharingRange) std::int64_t next_value_ = Sequence::kInitial;
    std::int64_t cached_gating_ = Sequence::kInitial;
    Sequence cursor_;
};

}  // namespace sentinel::disruptor
