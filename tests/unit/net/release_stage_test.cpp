#include "net/release_stage.hpp"

#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <span>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

class ReleaseStageTest : public test::EalTest {
protected:
    const std::vector<test::Frame> frames_ = test::sample_frames();
    const test::Frame& jumbo_ = test::frame_named(frames_, "jumbo_udp");
    const test::Frame& small_ = test::frame_named(frames_, "ipv4_udp_dns");
};

// What RX writes: where the bytes are and whether the mbuf may go back to its pool unread.
TEST_F(ReleaseStageTest, SlotSaysWhereTheFrameIsAndWhetherTheMbufIsPlain) {
    Mempool pool("release.slot", 63, static_cast<int>(rte_socket_id()));
    rte_mbuf* one = test::to_mbuf(pool.get(), small_.bytes);
    const PacketSlot flat = make_slot(one, 3, 2, 77);
    EXPECT_EQ(flat.mbuf, one);
    EXPECT_EQ(flat.data, rte_pktmbuf_mtod(one, const std::byte*));
    EXPECT_EQ(flat.len, small_.bytes.size());
    EXPECT_EQ(flat.data_len, small_.bytes.size());
    EXPECT_TRUE(flat.contiguous());
    EXPECT_EQ(flat.pool, pool.get());
    EXPECT_EQ(flat.port, 3);
    EXPECT_EQ(flat.queue, 2);
    EXPECT_EQ(flat.rx_tsc, 77u);
    EXPECT_EQ(flat.verdict, 0u);

    const std::vector<std::size_t> segments = test::jumbo_segments();
    rte_mbuf* chain = test::to_mbuf(pool.get(), jumbo_.bytes, segments);
    const PacketSlot chained = make_slot(chain, 0, 0, 0);
    EXPECT_EQ(chained.len, test::kJumboLength);
    EXPECT_EQ(chained.data_len, segments.front());
    EXPECT_FALSE(chained.contiguous());
    EXPECT_EQ(chained.pool, nullptr) << "a chain goes back through rte_pktmbuf_free";

    rte_mbuf* clone = rte_pktmbuf_clone(one, pool.get());
    ASSERT_NE(clone, nullptr);
    EXPECT_EQ(make_slot(clone, 0, 0, 0).pool, nullptr) << "an indirect mbuf must be detached";
    EXPECT_EQ(make_slot(one, 0, 0, 0).pool, nullptr) << "a shared mbuf (the clone holds a reference) is not ours alone";

    rte_pktmbuf_free(clone);
    rte_pktmbuf_free(one);
    rte_pktmbuf_free(chain);
    EXPECT_EQ(pool.in_use(), 0u);
}

// Plain mbufs of two pools interleaved, chains, forwarded packets whose driver still holds its
// reference, a clone: each goes back the right way, once.
TEST_F(ReleaseStageTest, ReturnsEveryMbufToItsPoolOnceAndLeavesOtherReferences) {
    Mempool a("release.a", 1023, static_cast<int>(rte_socket_id()));
    Mempool b("release.b", 1023, static_cast<int>(rte_socket_id()));
    const std::vector<std::size_t> segments = test::jumbo_segments();
    std::vector<PacketSlot> slots;
    std::vector<rte_mbuf*> driver_references;  // what a forward stage's TX would still hold
    std::vector<rte_mbuf*> originals;          // the clones' direct mbufs, held by the test
    constexpr std::size_t kSlots = 300;        // several bulk calls' worth, runs of each pool
    for (std::size_t i = 0; i < kSlots; ++i) {
        Mempool& pool = (i / 7) % 2 == 0 ? a : b;
        rte_mbuf* m = i % 11 == 0 ? test::to_mbuf(pool.get(), jumbo_.bytes, segments)
                                  : test::to_mbuf(pool.get(), small_.bytes);
        if (i % 13 == 0) {
            originals.push_back(m);
            m = rte_pktmbuf_clone(m, pool.get());
            ASSERT_NE(m, nullptr);
        }
        PacketSlot slot = make_slot(m, 0, 0, 0);
        if (i % 5 == 0) {  // as ForwardStage does before handing it to the driver
            slot.verdict = kForward;
            rte_pktmbuf_refcnt_update(m, 1);
            driver_references.push_back(m);
        }
        slots.push_back(slot);
    }

    ReleaseStage release;
    const std::span<PacketSlot> all(slots);
    release.on_events(all.first(100), 0, false);
    release.on_events(all.subspan(100), 100, true);
    EXPECT_EQ(release.counters().get(Counter::released_packets), kSlots);

    // Left out: the forwarded packets (the driver's reference) and the clones' originals.
    std::size_t held = 0;
    for (rte_mbuf* m : driver_references) {
        held += m->nb_segs;  // a clone's segments are indirect mbufs of their own
        EXPECT_EQ(rte_mbuf_refcnt_read(m), 1) << "the ring's reference was dropped";
    }
    for (rte_mbuf* m : originals) held += m->nb_segs;
    EXPECT_EQ(a.in_use() + b.in_use(), held);

    rte_pktmbuf_free_bulk(driver_references.data(), static_cast<unsigned>(driver_references.size()));
    rte_pktmbuf_free_bulk(originals.data(), static_cast<unsigned>(originals.size()));
    EXPECT_EQ(a.in_use(), 0u) << "a leak, or an mbuf returned to the wrong pool";
    EXPECT_EQ(b.in_use(), 0u) << "a leak, or an mbuf returned to the wrong pool";
}

}  // namespace
}  // namespace sentinel::net
