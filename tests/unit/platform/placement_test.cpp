#include "platform/placement.hpp"

#include <gtest/gtest.h>
#include <numa.h>
#include <numaif.h>
#include <linux/mman.h>  // MAP_HUGE_2MB, MAP_HUGE_1GB
#include <sys/mman.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "hugepage_pool.hpp"

namespace sentinel::platform {
namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kHugePage = 2 * 1024 * 1024;

void expect_normal_page_on_a_node(const void* addr) {
    const Placement where = placement_of(addr);
    EXPECT_EQ(where.page_size, kPage);
    EXPECT_GE(where.node, 0);
    EXPECT_LE(where.node, numa_max_node());
}

TEST(Placement, StackIsInNormalPages) {
    volatile int on_stack = 1;
    expect_normal_page_on_a_node(const_cast<int*>(&on_stack));
}

TEST(Placement, HeapIsInNormalPages) {
    std::vector<char> heap(1 << 20, 'x');
    expect_normal_page_on_a_node(heap.data());
    expect_normal_page_on_a_node(heap.data() + heap.size() - 1);
}

// Checks placement_of against a mapping made here with the raw calls, independent of the
// memory resources that it is used to check.
TEST(Placement, SeesAHugetlbMappingAndTheNodeItWasBoundTo) {
    HugepageReservation pool(1, 2048);
    if (!pool.why_not().empty()) GTEST_SKIP() << pool.why_not();
    void* p = mmap(nullptr, kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
    ASSERT_NE(p, MAP_FAILED) << "mmap(MAP_HUGETLB): " << std::strerror(errno);
    unsigned long node0 = 1;
    ASSERT_EQ(mbind(p, kHugePage, MPOL_BIND, &node0, sizeof node0 * 8 + 1, 0), 0) << std::strerror(errno);
    static_cast<char*>(p)[0] = 1;
    const Placement where = placement_of(static_cast<char*>(p) + kHugePage - 1);
    EXPECT_EQ(where.page_size, kHugePage);
    EXPECT_EQ(where.node, 0);
    munmap(p, kHugePage);
}

TEST(Placement, AnUntouchedPageHasNoNodeYet) {
    void* p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED) << "mmap: " << std::strerror(errno);
    try {
        placement_of(p);
        ADD_FAILURE() << "an untouched page reported a node";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT) << e.what();
        EXPECT_NE(std::string(e.what()).find("touch it first"), std::string::npos) << e.what();
    }
    munmap(p, kPage);
}

TEST(Placement, AnUnmappedAddressThrows) {
    void* p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED) << "mmap: " << std::strerror(errno);
    ASSERT_EQ(munmap(p, kPage), 0);
    for (const void* nowhere : {static_cast<const void*>(p), static_cast<const void*>(nullptr)}) {
        try {
            placement_of(nowhere);
            ADD_FAILURE() << nowhere << " reported a placement";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("is in no mapping"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace sentinel::platform
