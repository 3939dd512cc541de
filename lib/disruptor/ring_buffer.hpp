#pragma once
// RingBuffer<T>: the pre-allocated slots that a sequencer hands out by sequence number.
//
//   slot index = sequence & (size - 1)        size is a power of two, fixed at construction
//
// The buffer holds storage only; who may touch which slot is decided by the sequencer and the
// barriers. Slots are constructed once and reused for every lap: events are mutated in place,
// never allocated on the data path. Memory comes from `Allocator`, so a platform layer can place it
// in hugepages on a chosen NUMA node.
//
// Thread safety: operator[] may be called by any thread that the sequencer or a barrier has
// granted the sequence.

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "cache_line.hpp"

namespace sentinel::disruptor {

inline void check_ring_size(std::size_t size) {
    if (size == 0 || !std::has_single_bit(size))
        throw std::invalid_argument("ring size " + std::to_string(size) +
                                    " is not a power of two (try " +
                                    std::to_string(std::bit_ceil(size == 0 ? 1 : size)) + ")");
    if (size > (std::size_t{1} << 40))
        throw std::invalid_argument("ring size " + std::to_string(size) + " is larger than 2^40 slots");
}

template <class T, class Allocator = std::allocator<T>>
class RingBuffer {
    using Traits = std::allocator_traits<Allocator>;
    // Unused slots before and after the ring keep neighbouring heap data off the first and last
    // slots' line pairs.
    static constexpr std::size_t kPad = (kFalseSharingRange + sizeof(T) - 1) / sizeof(T);

public:
    using value_type = T;

    explicit RingBuffer(std::size_t size, Allocator alloc = Allocator())
        : RingBuffer(size, [](std::size_t) { return T(); }, std::move(alloc)) {}

    // `make(i)` returns the initial value of slot i.
    template <std::invocable<std::size_t> Factory>
    RingBuffer(std::size_t size, Factory make, Allocator alloc = Allocator())
        : alloc_(std::move(alloc)), size_((check_ring_size(size), size)), mask_(size - 1) {
        storage_ = Traits::allocate(alloc_, size_ + 2 * kPad);
        slots_ = storage_ + kPad;
        std::size_t built = 0;
        try {
            for (; built < size_; ++built) Traits::construct(alloc_, slots_ + built, make(built));
        } catch (...) {
            destroy(built);
            throw;
        }
    }

    RingBuffer(const RingBuffer&) = delete;
    RingBuffer& operator=(const RingBuffer&) = delete;
    ~RingBuffer() { destroy(size_); }

    T& operator[](std::int64_t sequence) noexcept { return slots_[sequence & mask_]; }
    const T& operator[](std::int64_t sequence) const noexcept { return slots_[sequence & mask_]; }

    std::size_t size() const noexcept { return size_; }
    std::int64_t mask() const noexcept { return mask_; }
    // The first slot, for callers that must locate the memory (placement checks).
    const T* data() const noexcept { return slots_; }

private:
    void destroy(std::size_t built) noexcept {
        for (std::size_t i = 0; i < built; ++i) Traits::destroy(alloc_, slots_ + i);
        Traits::deallocate(alloc_, storage_, size_ + 2 * kPad);
    }

    Allocator alloc_;
    std::size_t size_;
    std::int64_t mask_;
    T* storage_ = nullptr;
    T* slots_ = nullptr;
};

}  // namespace sentinel::disruptor
