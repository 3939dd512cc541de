#include "disruptor/ring_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sentinel::disruptor {
namespace {

TEST(RingBuffer, RejectsSizesThatAreNotPowersOfTwo) {
    for (std::size_t bad : {0ul, 3ul, 1000ul, 1025ul}) {
        try {
            RingBuffer<int> r(bad);
            FAIL() << "size " << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("not a power of two"), std::string::npos) << e.what();
        }
    }
    try {
        RingBuffer<int> r(1000);
        FAIL() << "size 1000 was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("try 1024"), std::string::npos) << e.what();
    }
}

TEST(RingBuffer, SequencesWrapOntoTheSameSlots) {
    RingBuffer<std::int64_t> r(8);
    EXPECT_EQ(r.size(), 8u);
    EXPECT_EQ(r.mask(), 7);
    r[3] = 33;
    EXPECT_EQ(&r[3], &r[11]);
    EXPECT_EQ(&r[3], &r[3 + 8 * 1000]);
    EXPECT_EQ(r[11], 33);
    EXPECT_NE(&r[3], &r[4]);
}

TEST(RingBuffer, FactoryBuildsEachSlotOnce) {
    std::vector<std::size_t> calls;
    RingBuffer<std::size_t> r(4, [&](std::size_t i) {
        calls.push_back(i);
        return i * 10;
    });
    EXPECT_EQ(calls, (std::vector<std::size_t>{0, 1, 2, 3}));
    EXPECT_EQ(r[2], 20u);
    EXPECT_EQ(r[6], 20u);
}

struct Counted {
    static inline int alive = 0;
    Counted() { ++alive; }
    Counted(const Counted&) { ++alive; }
    Counted(Counted&&) noexcept { ++alive; }
    ~Counted() { --alive; }
};

TEST(RingBuffer, DestroysEverySlot) {
    {
        RingBuffer<Counted> r(16);
        EXPECT_EQ(Counted::alive, 16);
    }
    EXPECT_EQ(Counted::alive, 0);
}

template <class T>
struct RecordingAllocator {
    using value_type = T;
    static inline std::size_t allocated = 0;
    static inline std::size_t deallocated = 0;
    static inline const void* last = nullptr;
    RecordingAllocator() = default;
    template <class U>
    RecordingAllocator(const RecordingAllocator<U>&) {}
    T* allocate(std::size_t n) {
        allocated += n;
        T* p = std::allocator<T>().allocate(n);
        last = p;
        return p;
    }
    void deallocate(T* p, std::size_t n) {
        deallocated += n;
        std::allocator<T>().deallocate(p, n);
    }
    bool operator==(const RecordingAllocator&) const = default;
};

TEST(RingBuffer, TakesMemoryFromTheCallersAllocator) {
    using Alloc = RecordingAllocator<std::int64_t>;
    {
        RingBuffer<std::int64_t, Alloc> r(64);
        EXPECT_GE(Alloc::allocated, 64u);
        const auto* base = static_cast<const std::int64_t*>(Alloc::last);
        EXPECT_GE(r.data(), base);
        EXPECT_LE(r.data() + 64, base + Alloc::allocated);
        // Padding keeps the slots a line pair away from whatever sits before the allocation.
        EXPECT_GE(reinterpret_cast<std::uintptr_t>(r.data()) - reinterpret_cast<std::uintptr_t>(base),
                  kFalseSharingRange);
    }
    EXPECT_EQ(Alloc::allocated, Alloc::deallocated);
}

struct alignas(64) Slot {
    std::int64_t value = 0;
};

TEST(RingBuffer, HonoursSlotAlignment) {
    RingBuffer<Slot> r(8);
    for (std::int64_t s = 0; s < 8; ++s)
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&r[s]) % 64, 0u);
}

}  // namespace
}  // namespace sentinel::disruptor
