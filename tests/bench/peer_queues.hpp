#pragma once
// The queues a user would pick instead of the Disruptor, behind one small interface.
//
//   RteRing<Producers>   DPDK rte_ring, single consumer; single or multi producer (SP/SC, MP/SC)
//   BoostSpsc            boost::lockfree::spsc_queue
//   MoodycamelRwq        moodycamel::ReaderWriterQueue (try_enqueue: never allocates)
//   MutexDeque           std::mutex around a bounded std::deque
//
// Each is bounded to the capacity it is built with and moves 8-byte events. The rte_ring adapter
// needs no EAL: rte_ring_init only lays the ring out in memory we allocate; memzones, which need
// an initialised EAL, are used by rte_ring_create alone.
//
// Thread safety: try_push/push_some from the producer thread(s) the queue supports, try_pop/
// pop_some from its one consumer thread.

#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <boost/lockfree/spsc_queue.hpp>
#include <readerwriterqueue/readerwriterqueue.h>

#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>

#include "disruptor/cache_line.hpp"
#include "options.hpp"

namespace sentinel::bench {

template <class Q>
concept PeerQueue = std::constructible_from<Q, std::size_t> && requires(Q& q, std::int64_t& v) {
    { q.try_push(v) } -> std::same_as<bool>;  // false: full
    { q.try_pop(v) } -> std::same_as<bool>;   // false: empty
};

// A queue that moves several events per call, as DPDK code does.
template <class Q>
concept BurstQueue = PeerQueue<Q> && requires(Q& q, std::span<const std::int64_t> in, std::span<std::int64_t> out) {
    { q.push_some(in) } -> std::same_as<std::size_t>;  // enqueues a prefix of `in`; its length
    { q.pop_some(out) } -> std::same_as<std::size_t>;  // dequeues into a prefix of `out`; its length
};

enum class Producers { single, multi };

template <Producers P>
class RteRing {
public:
    explicit RteRing(std::size_t capacity) {
        const unsigned count = static_cast<unsigned>(capacity);
        const ssize_t size = rte_ring_get_memsize(count);
        if (size < 0)
            throw std::invalid_argument("rte_ring_get_memsize(" + std::to_string(count) +
                                        "): " + rte_strerror(static_cast<int>(-size)));
        // aligned_alloc wants a multiple of the alignment; the ring's head and tail are cache-aligned.
        const std::size_t bytes = (static_cast<std::size_t>(size) + RTE_CACHE_LINE_SIZE - 1) &
                                  ~std::size_t{RTE_CACHE_LINE_SIZE - 1};
        memory_.reset(std::aligned_alloc(RTE_CACHE_LINE_SIZE, bytes));
        if (!memory_) throw std::bad_alloc();
        ring_ = static_cast<rte_ring*>(memory_.get());
        const unsigned flags = (P == Producers::single ? RING_F_SP_ENQ : 0) | RING_F_SC_DEQ;
        if (const int rc = rte_ring_init(ring_, "bench", count, flags); rc != 0)
            throw std::runtime_error(std::string("rte_ring_init: ") + rte_strerror(-rc));
    }

    // The sp_/mp_ and sc_ calls fix the sync mode at compile time, the fastest way to call a ring.
    bool try_push(std::int64_t& v) noexcept {
        if constexpr (P == Producers::single) return rte_ring_sp_enqueue_elem(ring_, &v, sizeof v) == 0;
        else return rte_ring_mp_enqueue_elem(ring_, &v, sizeof v) == 0;
    }
    bool try_pop(std::int64_t& v) noexcept { return rte_ring_sc_dequeue_elem(ring_, &v, sizeof v) == 0; }

    std::size_t push_some(std::span<const std::int64_t> in) noexcept {
        const auto n = static_cast<unsigned>(in.size());
        if constexpr (P == Producers::single)
            return rte_ring_sp_enqueue_burst_elem(ring_, in.data(), sizeof(std::int64_t), n, nullptr);
        else
            return rte_ring_mp_enqueue_burst_elem(ring_, in.data(), sizeof(std::int64_t), n, nullptr);
    }
    std::size_t pop_some(std::span<std::int64_t> out) noexcept {
        return rte_ring_sc_dequeue_burst_elem(ring_, out.data(), sizeof(std::int64_t),
                                              static_cast<unsigned>(out.size()), nullptr);
    }

private:
    struct Free {
        void operator()(void* p) const noexcept { std::free(p); }
    };
    std::unique_ptr<void, Free> memory_;
    rte_ring* ring_ = nullptr;
};

class BoostSpsc {
public:
    explicit BoostSpsc(std::size_t capacity) : queue_(capacity) {}
    bool try_push(std::int64_t& v) noexcept { return queue_.push(v); }
    bool try_pop(std::int64_t& v) noexcept { return queue_.pop(v); }

private:
    boost::lockfree::spsc_queue<std::int64_t> queue_;
};

class MoodycamelRwq {
public:
    explicit MoodycamelRwq(std::size_t capacity) : queue_(capacity) {}
    bool try_push(std::int64_t& v) { return queue_.try_enqueue(v); }
    bool try_pop(std::int64_t& v) noexcept { return queue_.try_dequeue(v); }

private:
    moodycamel::ReaderWriterQueue<std::int64_t> queue_;
};

// What most code writes first: correct for any number of threads, one lock round trip per event.
class MutexDeque {
public:
    explicit MutexDeque(std::size_t capacity) : capacity_(capacity) {}

    bool try_push(std::int64_t& v) {
        const std::lock_guard lock(mutex_);
        if (queue_.size() >= capacity_) return false;
        queue_.push_back(v);
        return true;
    }
    bool try_pop(std::int64_t& v) {
        const std::lock_guard lock(mutex_);
        if (queue_.empty()) return false;
        v = queue_.front();
        queue_.pop_front();
        return true;
    }

private:
    const std::size_t capacity_;
    alignas(disruptor::kFalseSharingRange) std::mutex mutex_;
    std::deque<std::int64_t> queue_;
};

// Whether the queue still makes progress when a thread inside one of its calls is preempted.
// rte_ring's multi-producer enqueue is not: each producer spins, without yielding, until the one
// ahead of it has published its tail, so with more threads than CPUs a preempted producer stalls
// the others for whole scheduler time slices (the DPDK ring docs forbid preempting an MP enqueuer).
template <class Q>
inline constexpr bool kPreemptionSafe = true;
template <>
inline constexpr bool kPreemptionSafe<RteRing<Producers::multi>> = false;

// Calls f.template operator()<Queue, Burst>(name) for every peer that suits one producer and one
// consumer per queue; Burst is the events moved per queue call.
template <class F>
void for_each_spsc_peer(F&& f) {
    f.template operator()<RteRing<Producers::single>, 1>("rte_ring_sp_sc");
    f.template operator()<RteRing<Producers::single>, kBatch>("rte_ring_burst32");
    f.template operator()<BoostSpsc, 1>("boost_spsc");
    f.template operator()<MoodycamelRwq, 1>("moodycamel_rwq");
    f.template operator()<MutexDeque, 1>("mutex_deque");
}

// The same for several producers into one consumer: SPSC queues cannot take part.
template <class F>
void for_each_mpsc_peer(F&& f) {
    f.template operator()<RteRing<Producers::multi>, 1>("rte_ring_mp_sc");
    f.template operator()<RteRing<Producers::multi>, kBatch>("rte_ring_mp_sc_burst32");
    f.template operator()<MutexDeque, 1>("mutex_deque");
}

}  // namespace sentinel::bench
