#include "net/forward_stage.hpp"

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <array>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net/port.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

// Every segment's reference count: a chain is shared segment by segment.
std::vector<std::uint16_t> refcnts(const rte_mbuf* m) {
    std::vector<std::uint16_t> out;
    for (; m != nullptr; m = m->next) out.push_back(rte_mbuf_refcnt_read(m));
    return out;
}

// The release stage's part: the ring's reference, dropped in bulk.
void release(std::vector<PacketSlot>& slots) {
    std::vector<rte_mbuf*> mbufs;
    for (const PacketSlot& slot : slots) mbufs.push_back(slot.mbuf);
    rte_pktmbuf_free_bulk(mbufs.data(), static_cast<unsigned>(mbufs.size()));
    slots.clear();
}

class ForwardStageTest : public test::EalTest {
protected:
    // `n` slots cycling through the sample frames (the jumbo as a chain); `forward(i)` says which
    // carry kForward. Returns the frames expected on the wire, in order.
    template <class Pick>
    std::vector<test::Bytes> fill(Mempool& pool, std::size_t n, Pick forward) {
        std::vector<test::Bytes> expected;
        for (std::size_t i = 0; i < n; ++i) {
            const test::Frame& f = frames_[i % frames_.size()];
            const bool jumbo = f.bytes.size() == test::kJumboLength;
            const std::vector<std::size_t> segments = jumbo ? test::jumbo_segments() : std::vector<std::size_t>{};
            rte_mbuf* m = test::to_mbuf(pool.get(), f.bytes, segments);
            const bool selected = forward(i);
            slots_.push_back(test::slot_of(m, selected ? kForward | kCapture : kCapture));
            if (selected) expected.push_back(f.bytes);
        }
        return expected;
    }

    const std::vector<test::Frame> frames_ = test::sample_frames();
    std::vector<PacketSlot> slots_;
};

// net_pcap writes what it is given to tx_pcap and frees it at once, as a NIC would after its DMA.
TEST_F(ForwardStageTest, TransmitsExactlyTheSelectedPacketsInOrder) {
    Mempool pool(920, 1023, static_cast<int>(rte_socket_id()));
    Port port({.port = test::NetEal::port("net_pcap1"), .rx_queues = 0, .tx_queues = 1}, nullptr);
    port.start();
    ForwardStage stage(port.id(), 0);

    constexpr std::size_t kSlots = 200;  // several full bursts, a partial one, and 18 jumbo chains
    const std::vector<test::Bytes> expected = fill(pool, kSlots, [](std::size_t i) { return i % 3 != 1; });
    // Two runs of one batch (a batch that wraps the ring), the first ending mid-burst.
    const std::span<PacketSlot> all(slots_);
    stage.on_events(all.first(77), 0, false);
    stage.on_events(all.subspan(77), 77, true);

    EXPECT_EQ(stage.counters().get(Counter::forwarded_packets), expected.size());
    EXPECT_EQ(stage.counters().get(Counter::forward_filtered_out), kSlots - expected.size());
    EXPECT_EQ(stage.counters().get(Counter::dropped_tx), 0u);
    // The driver has dropped its reference: only the ring's is left, on every segment.
    for (const PacketSlot& slot : slots_)
        for (const std::uint16_t refcnt : refcnts(slot.mbuf)) EXPECT_EQ(refcnt, 1);
    release(slots_);
    EXPECT_EQ(pool.in_use(), 0u) << "a leak, or (had the stage taken no reference) a double free";

    port.stop_and_close();  // closes the pcap file
    const std::vector<test::Bytes> wire = test::read_pcap(test::NetEal::tx_pcap());
    ASSERT_EQ(wire.size(), expected.size());
    for (std::size_t i = 0; i < wire.size(); ++i) EXPECT_EQ(wire[i], expected[i]) << "packet " << i;
}

// net_ring's TX queue 0 is a ring that its RX queue 0 drains, and nobody drains it meanwhile: once
// it is full, the stage must retry, give up, give its reference back and count the rest. That the
// port receives on the queue too shows a port may forward what it received.
TEST_F(ForwardStageTest, DropsAndCountsWhatAFullQueueRefuses) {
    Mempool pool(921, 2047, static_cast<int>(rte_socket_id()));
    Port port({.port = test::NetEal::port("net_ring0"), .rx_queues = 1, .tx_queues = 1}, pool.get());
    port.start();
    ForwardStage stage(port.id(), 0);

    constexpr std::size_t kSlots = 1500;  // more than the ring holds
    const test::Frame& small = test::frame_named(frames_, "ipv4_udp_dns");
    for (std::size_t i = 0; i < kSlots; ++i) {
        rte_mbuf* m = test::to_mbuf(pool.get(), small.bytes);
        slots_.push_back(test::slot_of(m, kForward));
    }
    stage.on_events(slots_, 0, true);

    const std::uint64_t sent = stage.counters().get(Counter::forwarded_packets);
    const std::uint64_t dropped = stage.counters().get(Counter::dropped_tx);
    EXPECT_GT(sent, 0u);
    EXPECT_GT(dropped, 0u);
    EXPECT_EQ(sent + dropped, kSlots);
    EXPECT_EQ(stage.counters().get(Counter::forward_filtered_out), 0u);

    // The ring holds the first `sent` packets, in order; each of those has two owners (the ring
    // slot and the queue), each refused one only the ring slot.
    std::vector<rte_mbuf*> received;
    for (int polls = 0; polls < 1000 && received.size() < kSlots; ++polls) {
        std::array<rte_mbuf*, 64> burst;
        const std::uint16_t n = rte_eth_rx_burst(port.id(), 0, burst.data(), burst.size());
        if (n == 0) break;
        received.insert(received.end(), burst.begin(), burst.begin() + n);
    }
    ASSERT_EQ(received.size(), sent);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (i < sent) {
            EXPECT_EQ(received[i], slots_[i].mbuf) << "slot " << i;
        }
        EXPECT_EQ(rte_mbuf_refcnt_read(slots_[i].mbuf), i < sent ? 2 : 1) << "slot " << i;
    }
    // The receiver frees its copies and the release stage the ring's: in either order, once each.
    rte_pktmbuf_free_bulk(received.data(), static_cast<unsigned>(received.size()));
    release(slots_);
    EXPECT_EQ(pool.in_use(), 0u);
    port.stop_and_close();
}

}  // namespace
}  // namespace sentinel::net
