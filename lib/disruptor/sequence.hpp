#pragma once
// Sequence: a 64-bit counter that one thread advances and others watch.
//
// Memory ordering
//   A sequence has exactly one writer (a stage's progress, the single producer's cursor) or is
//   advanced only by atomic read-modify-write (the multi-producer claim cursor). The writer makes
//   its slot accesses visible with store_release(); a reader that load_acquire()s the value may
//   then touch every slot up to it. Relaxed operations are for values only their owner reads.
//   Sequences start at -1 and never wrap: 2^63 events at 1e9/s take 292 years.

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "cache_line.hpp"

namespace sentinel::disruptor {

// Alone on its pair of cache lines so that the writer's stores never invalidate a neighbour's data.
class alignas(kFalseSharingRange) Sequence {
public:
    static constexpr std::int64_t kInitial = -1;

    explicit Sequence(std::int64_t initial = kInitial) noexcept : value_(initial) {}
    Sequence(const Sequence&) = delete;
    Sequence& operator=(const Sequence&) = delete;

    // The owner re-reading its own value: no other thread writes it.
    std::int64_t load_relaxed() const noexcept { return value_.load(std::memory_order_relaxed); }

    // A watcher reading progress: everything the writer did before store_release() is visible.
    std::int64_t load_acquire() const noexcept { return value_.load(std::memory_order_acquire); }

    // The owner recording a value nobody synchronises on (initialisation, hints).
    void store_relaxed(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }

    // The owner publishing progress: its slot reads and writes happen-before a watcher's acquire.
    void store_release(std::int64_t v) noexcept { value_.store(v, std::memory_order_release); }

    // Claiming a range among several writers: uniqueness comes from the RMW itself, so no order.
    std::int64_t fetch_add_relaxed(std::int64_t n) noexcept {
        return value_.fetch_add(n, std::memory_order_relaxed);
    }

    // Claiming a range only if a capacity check made on `expected` still holds. Weak: may fail
    // spuriously, so callers loop.
    bool compare_exchange_weak_relaxed(std::int64_t& expected, std::int64_t desired) noexcept {
        return value_.compare_exchange_weak(expected, desired, std::memory_order_relaxed);
    }

private:
    std::atomic<std::int64_t> value_;
};

static_assert(sizeof(Sequence) == kFalseSharingRange,
              "a Sequence must own its 128-byte line pair to avoid false sharing");
static_assert(std::atomic<std::int64_t>::is_always_lock_free, "sequences must be lock-free");

// The sequences a stage waits on, or a producer is gated by: read-only once the graph is built.
class SequenceGroup {
public:
    SequenceGroup() = default;
    explicit SequenceGroup(std::vector<const Sequence*> sequences) : sequences_(std::move(sequences)) {}

    void add(const Sequence* s) { sequences_.push_back(s); }
    bool empty() const noexcept { return sequences_.empty(); }
    std::span<const Sequence* const> sequences() const noexcept { return sequences_; }

    // The slowest member, capped at `ceiling` (returned as is when the group is empty).
    std::int64_t minimum(std::int64_t ceiling = std::numeric_limits<std::int64_t>::max()) const noexcept {
        std::int64_t lowest = ceiling;
        for (const Sequence* s : sequences_) {
            // A1: acquire each member's progress; pairs with its owner's store_release (R1 in the
            // single-producer sequencer, R2 in stages). The multi-producer cursor is advanced by a
            // relaxed RMW: there the edge comes from the slot flags (A2), not from this load.
            const std::int64_t v = s->load_acquire();
            lowest = v < lowest ? v : lowest;
        }
        return lowest;
    }

private:
    std::vector<const Sequence*> sequences_;
};

}  // namespace sentinel::disruptor
