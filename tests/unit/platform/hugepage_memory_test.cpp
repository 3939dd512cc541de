#include "platform/hugepage_memory.hpp"

#include <gtest/gtest.h>
#include <numa.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "disruptor/ring_buffer.hpp"
#include "hugepage_pool.hpp"
#include "platform/placement.hpp"

namespace sentinel::platform {
namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;
constexpr std::size_t k2MiBPoolKiB = 2048;
constexpr std::size_t k1GiBPoolKiB = 1024 * 1024;

// Every test here gets 8 free 2 MiB pages or is skipped with the reason.
class HugepageMemoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        pool_.emplace(8, k2MiBPoolKiB);
        if (!pool_->why_not().empty()) GTEST_SKIP() << pool_->why_not();
    }

    std::optional<HugepageReservation> pool_;
};

TEST_F(HugepageMemoryTest, EveryPageIs2MiBAndOnTheRequestedNode) {
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
    constexpr std::size_t kBytes = 5 * kMiB;  // three pages, the last one partly used
    auto* bytes = static_cast<std::byte*>(memory.allocate(kBytes, 64));
    for (std::size_t offset = 0; offset < kBytes; offset += 2 * kMiB) {
        const Placement where = placement_of(bytes + offset);
        EXPECT_EQ(where.page_size, 2 * kMiB) << "offset " << offset;
        EXPECT_EQ(where.node, 0) << "offset " << offset;
    }
    EXPECT_EQ(placement_of(bytes + kBytes - 1).page_size, 2 * kMiB);
    std::memset(bytes, 0xab, kBytes);
    memory.deallocate(bytes, kBytes, 64);
}

TEST_F(HugepageMemoryTest, PagesAreTakenAtAllocationAndReturnedAtDeallocation) {
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
    const long before = obtainable_hugepages(k2MiBPoolKiB);
    void* p = memory.allocate(3 * kMiB, 64);
    EXPECT_EQ(obtainable_hugepages(k2MiBPoolKiB), before - 2) << "both pages are faulted in now";
    memory.deallocate(p, 3 * kMiB, 64);
    EXPECT_EQ(obtainable_hugepages(k2MiBPoolKiB), before) << "munmap must cover the whole mapping";
}

TEST_F(HugepageMemoryTest, RingBufferOverAPolymorphicAllocatorLandsOnHugepages) {
    struct alignas(64) Slot {
        std::uint64_t words[8];
    };
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
    // The allocator spelled out: a bare &memory would bind to RingBuffer's Factory parameter.
    disruptor::RingBuffer<Slot, std::pmr::polymorphic_allocator<Slot>> ring(
        1024, std::pmr::polymorphic_allocator<Slot>(&memory));
    for (const Slot* slot : {ring.data(), static_cast<const Slot*>(&ring[1023])}) {
        const Placement where = placement_of(slot);
        EXPECT_EQ(where.page_size, 2 * kMiB);
        EXPECT_EQ(where.node, 0);
    }
}

TEST_F(HugepageMemoryTest, AnyNodeStillGetsHugepages) {
    HugepageMemory memory(kAnyNode, PageSize::huge_2m, Fallback::refuse);
    void* p = memory.allocate(kMiB, 64);
    const Placement where = placement_of(p);
    EXPECT_EQ(where.page_size, 2 * kMiB);
    EXPECT_GE(where.node, 0);
    EXPECT_LE(where.node, numa_max_node());
    memory.deallocate(p, kMiB, 64);
}

TEST_F(HugepageMemoryTest, EachResourceFreesOnlyItsOwnMappings) {
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
    HugepageMemory other(0, PageSize::huge_2m, Fallback::refuse);
    EXPECT_TRUE(memory.is_equal(memory));
    EXPECT_FALSE(memory.is_equal(other));
    int not_ours = 0;
    EXPECT_THROW(memory.deallocate(&not_ours, sizeof not_ours, alignof(int)), std::invalid_argument);
}

TEST_F(HugepageMemoryTest, DestructorUnmapsWhatIsStillAllocated) {
    const long before = obtainable_hugepages(k2MiBPoolKiB);
    {
        HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
        [[maybe_unused]] void* left_allocated = memory.allocate(kMiB, 64);
        EXPECT_EQ(obtainable_hugepages(k2MiBPoolKiB), before - 1);
    }
    EXPECT_EQ(obtainable_hugepages(k2MiBPoolKiB), before);
}

// A request one page larger than the pool can supply, so no test has to empty the machine's pool.
class ShortPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        const long obtainable = obtainable_hugepages(k2MiBPoolKiB);
        if (obtainable < 0) GTEST_SKIP() << "this kernel has no 2 MiB hugepage pool";
        // The fallback maps and populates the whole request in normal pages; keep that cheap.
        if (obtainable > 256) GTEST_SKIP() << obtainable << " free 2 MiB hugepages: too many to outgrow";
        pages_ = obtainable + 1;
        bytes_ = static_cast<std::size_t>(pages_) * 2 * kMiB;
    }

    long pages_ = 0;
    std::size_t bytes_ = 0;
};

TEST_F(ShortPoolTest, RefusalNamesTheCommandThatReservesHugepages) {
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::refuse);
    try {
        [[maybe_unused]] void* p = memory.allocate(bytes_, 64);
        FAIL() << "allocated " << pages_ << " pages from a pool that has " << pages_ - 1;
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOMEM) << e.what();
        EXPECT_NE(std::string(e.what()).find("hugepages/hugepages.sh reserve --pages " + std::to_string(pages_)),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("mmap"), std::string::npos) << e.what();
    }
}

TEST_F(ShortPoolTest, FallbackUsesNormalPagesOnTheNodeAndWarnsOnce) {
    HugepageMemory memory(0, PageSize::huge_2m, Fallback::normal_pages);
    ::testing::internal::CaptureStderr();
    void* p = memory.allocate(bytes_, 64);
    const std::string warning = ::testing::internal::GetCapturedStderr();

    const Placement where = placement_of(p);
    EXPECT_EQ(where.page_size, 4 * kKiB);
    EXPECT_EQ(where.node, 0);
    EXPECT_EQ(placement_of(static_cast<std::byte*>(p) + bytes_ - 1).page_size, 4 * kKiB);
    memory.deallocate(p, bytes_, 64);

    EXPECT_EQ(std::count(warning.begin(), warning.end(), '\n'), 1) << warning;
    EXPECT_NE(warning.find("warning=no 2 MiB hugepages"), std::string::npos) << warning;
    EXPECT_NE(warning.find("using 4 KiB pages"), std::string::npos) << warning;
    EXPECT_NE(warning.find("512x the TLB entries"), std::string::npos) << warning;
    EXPECT_NE(warning.find("hugepages/hugepages.sh reserve --pages " + std::to_string(pages_)),
              std::string::npos)
        << warning;
}

TEST(HugepageMemory, NormalPagesAreBoundToTheNodeWithoutAWarning) {
    HugepageMemory memory(0, PageSize::normal, Fallback::refuse);
    ::testing::internal::CaptureStderr();
    void* p = memory.allocate(64 * kKiB, 64);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    const Placement where = placement_of(p);
    EXPECT_EQ(where.page_size, 4 * kKiB);
    EXPECT_EQ(where.node, 0);
    memory.deallocate(p, 64 * kKiB, 64);
}

TEST(HugepageMemory, RejectsANodeThatDoesNotExist) {
    for (const int node : {numa_max_node() + 1, -2}) {
        try {
            HugepageMemory memory(node, PageSize::huge_2m, Fallback::refuse);
            FAIL() << "node " << node << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("NUMA node " + std::to_string(node) + " does not exist"),
                      std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("numactl --hardware"), std::string::npos) << e.what();
        }
    }
}

TEST(HugepageMemory, RejectsAnAlignmentAboveTheNormalPageSize) {
    HugepageMemory memory(0, PageSize::normal, Fallback::refuse);
    EXPECT_THROW(static_cast<void>(memory.allocate(64 * kKiB, 8 * kKiB)), std::invalid_argument);
}

TEST(HugepageMemory, OneGiBPagesWhenTheMachineHasThem) {
    HugepageReservation pool(1, k1GiBPoolKiB);
    if (!pool.why_not().empty()) GTEST_SKIP() << pool.why_not();
    HugepageMemory memory(0, PageSize::huge_1g, Fallback::refuse);
    void* p = memory.allocate(kMiB, 64);
    const Placement where = placement_of(p);
    EXPECT_EQ(where.page_size, 1024 * kMiB);
    EXPECT_EQ(where.node, 0);
    memory.deallocate(p, kMiB, 64);
}

}  // namespace
}  // namespace sentinel::platform
