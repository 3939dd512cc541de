// Its own executable: rte_eal_init() runs once per process.
#include "platform/dpdk_memory.hpp"

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>

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
#include "platform/hugepage_memory.hpp"
#include "platform/placement.hpp"

namespace sentinel::platform {
namespace {

constexpr std::size_t kHugePage = 2 * 1024 * 1024;

// Brings the EAL up once for every test, on hugepages reserved for it, and takes both down after.
// A missing EAL skips each test with the reason rather than failing it.
class Eal : public ::testing::Environment {
public:
    void SetUp() override {
        pool_.emplace(32, 2048);
        if (!pool_->why_not().empty()) {
            why_down_ = pool_->why_not();
            return;
        }
        // In memory, with no PCI scan, telemetry socket or shared files: nothing outlives the test.
        const char* args[] = {"platform_dpdk_unit", "--in-memory", "--no-pci", "--no-telemetry",
                              "-l", "0", "--log-level=lib.eal:error"};
        char* argv[std::size(args)];
        for (std::size_t i = 0; i < std::size(args); ++i) argv[i] = const_cast<char*>(args[i]);
        if (rte_eal_init(static_cast<int>(std::size(args)), argv) < 0) {
            why_down_ = std::string("rte_eal_init: ") + rte_strerror(rte_errno);
            ADD_FAILURE() << why_down_;
        }
    }

    void TearDown() override {
        if (why_down_.empty()) rte_eal_cleanup();
        pool_.reset();
    }

    // Empty when the EAL is up; otherwise why not.
    static const std::string& why_down() { return why_down_; }

private:
    std::optional<HugepageReservation> pool_;
    static inline std::string why_down_;
};

const auto* const kEal = ::testing::AddGlobalTestEnvironment(new Eal);

class DpdkMemoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!Eal::why_down().empty()) GTEST_SKIP() << Eal::why_down();
    }
};

TEST_F(DpdkMemoryTest, AllocatesHugepageMemoryOnTheSocket) {
    DpdkMemory memory(0);
    constexpr std::size_t kBytes = 3 * 1024 * 1024;
    auto* bytes = static_cast<std::byte*>(memory.allocate(kBytes, 64));
    std::memset(bytes, 0xab, kBytes);
    for (const std::byte* at : {bytes, bytes + kBytes - 1}) {
        const Placement where = placement_of(at);
        EXPECT_EQ(where.page_size, kHugePage);
        EXPECT_EQ(where.node, 0);
    }
    memory.deallocate(bytes, kBytes, 64);
}

TEST_F(DpdkMemoryTest, RingBufferOverAPolymorphicAllocatorLandsOnHugepages) {
    struct alignas(64) Slot {
        std::uint64_t words[8];
    };
    DpdkMemory memory(0);
    disruptor::RingBuffer<Slot, std::pmr::polymorphic_allocator<Slot>> ring(
        1024, std::pmr::polymorphic_allocator<Slot>(&memory));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(ring.data()) % alignof(Slot), 0u);
    for (const Slot* slot : {ring.data(), static_cast<const Slot*>(&ring[1023])}) {
        const Placement where = placement_of(slot);
        EXPECT_EQ(where.page_size, kHugePage);
        EXPECT_EQ(where.node, 0);
    }
}

TEST_F(DpdkMemoryTest, AnyNodeIsSocketIdAny) {
    DpdkMemory memory(kAnyNode);
    void* p = memory.allocate(4096, 64);
    std::memset(p, 0, 4096);
    EXPECT_EQ(placement_of(p).page_size, kHugePage);
    memory.deallocate(p, 4096, 64);
}

TEST_F(DpdkMemoryTest, RejectsASocketTheEalDoesNotKnow) {
    try {
        DpdkMemory memory(7);
        FAIL() << "socket 7 was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("socket 7 is unknown to the EAL (known: 0)"), std::string::npos)
            << e.what();
    }
}

TEST_F(DpdkMemoryTest, ExhaustionNamesTheCallTheSizeAndTheSocket) {
    DpdkMemory memory(0);
    constexpr std::size_t kTooMuch = std::size_t{1} << 40;
    try {
        [[maybe_unused]] void* p = memory.allocate(kTooMuch, 64);
        FAIL() << "1 TiB was allocated";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOMEM) << e.what();
        EXPECT_NE(std::string(e.what()).find("rte_malloc_socket of " + std::to_string(kTooMuch) +
                                             " bytes on socket 0"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(DpdkMemoryTest, ResourcesOnTheSameSocketAreInterchangeable) {
    DpdkMemory memory(0);
    DpdkMemory same(0);
    DpdkMemory any(kAnyNode);
    EXPECT_TRUE(memory.is_equal(same));
    EXPECT_FALSE(memory.is_equal(any));
}

}  // namespace
}  // namespace sentinel::platform
