#include "net/port.hpp"

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "frames.hpp"
#include "net/forward_stage.hpp"
#include "net/mempool.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

using PortTest = test::EalTest;

// net_pcap0 replays a 9018-byte frame, a 60-byte one and a 14-byte runt: each must arrive with
// every byte, the jumbo as a chain of default-sized mbufs. net_pcap offers no scatter offload and
// keeps MTU 1500, yet chains any frame longer than an mbuf by itself.
TEST_F(PortTest, JumboFramesArriveWholeAsChains) {
    Mempool pool(930, 255, static_cast<int>(rte_socket_id()));
    Port port({.port = test::NetEal::port("net_pcap0"), .rx_queues = 1}, pool.get());
    port.start();

    const std::vector<test::Frame>& sent = test::NetEal::rx_frames();
    std::vector<rte_mbuf*> received;
    for (int polls = 0; polls < 1000 && received.size() < sent.size(); ++polls) {
        std::array<rte_mbuf*, 32> burst;
        const std::uint16_t n = rte_eth_rx_burst(port.id(), 0, burst.data(), burst.size());
        received.insert(received.end(), burst.begin(), burst.begin() + n);
    }
    ASSERT_EQ(received.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(received[i]->pkt_len, sent[i].bytes.size()) << sent[i].name;
        EXPECT_EQ(test::bytes_of(received[i]), sent[i].bytes) << sent[i].name;
    }
    EXPECT_GT(received[0]->nb_segs, 1) << "a 9018-byte frame does not fit one default mbuf";
    rte_pktmbuf_free_bulk(received.data(), static_cast<unsigned>(received.size()));
    port.stop_and_close();
    EXPECT_EQ(pool.in_use(), 0u);
}

// Mempools are sized by the mbufs the largest frame takes: a 9,018-byte frame in 2,048-byte data
// rooms where the device scatters, one mbuf where it does not. Before the tests that close these
// ports: a closed vdev port is gone for good.
TEST_F(PortTest, SegmentsPerFrameFollowScatter) {
    EXPECT_EQ(Port::segments_per_frame(test::NetEal::port("net_ring1")), 5u);
    EXPECT_EQ(Port::segments_per_frame(test::NetEal::port("net_null1")), 1u);
    EXPECT_EQ(Mempool::mbufs_for(4096, 1024, 32, 0, 5), (4096u + 32u) * 5u + 1024u)
        << "ring and burst hold chains; a descriptor holds one mbuf";
}

// net_ring offers scatter and multi-segment TX, and no MTU limit of its own: the port asks for 9000.
TEST_F(PortTest, JumboMtuWhereTheDeviceScatters) {
    Mempool pool(933, 63, static_cast<int>(rte_socket_id()));
    Port port({.port = test::NetEal::port("net_ring1"), .rx_queues = 1, .tx_queues = 1}, pool.get());
    EXPECT_TRUE(port.scatter());
    EXPECT_EQ(port.mtu(), 9000);
    port.start();
    port.stop_and_close();
}

// A forward-only port: TX queues, no RX queue, no mempool; one forward stage per queue.
TEST_F(PortTest, ForwardOnlyPortTransmitsOnEveryQueue) {
    Mempool pool(931, 255, static_cast<int>(rte_socket_id()));
    Port port({.port = test::NetEal::port("net_null1"), .rx_queues = 0, .tx_queues = 2}, nullptr);
    EXPECT_EQ(port.rx_queues(), 0);
    EXPECT_EQ(port.tx_queues(), 2);
    EXPECT_FALSE(port.scatter());
    port.start();

    const std::vector<test::Frame> frames = test::sample_frames();
    const test::Frame& frame = test::frame_named(frames, "ipv4_udp_feed");
    for (std::uint16_t queue = 0; queue < 2; ++queue) {
        ForwardStage stage(port.id(), queue);
        std::vector<PacketSlot> slots;
        for (int i = 0; i < 40; ++i)
            slots.push_back(test::slot_of(test::to_mbuf(pool.get(), frame.bytes), kForward));
        stage.on_events(slots, 0, true);
        EXPECT_EQ(stage.counters().get(Counter::forwarded_packets), 40u) << "queue " << queue;
        for (const PacketSlot& slot : slots) rte_pktmbuf_free(slot.mbuf);
    }
    EXPECT_EQ(pool.in_use(), 0u);  // net_null frees what it transmits at once
    port.stop_and_close();
}

TEST_F(PortTest, RejectsWhatItCannotSetUp) {
    const std::uint16_t id = test::NetEal::port("net_null0");
    Mempool pool(932, 63, static_cast<int>(rte_socket_id()));
    EXPECT_THROW(Port({.port = id, .rx_queues = 0, .tx_queues = 0}, nullptr), std::invalid_argument);
    EXPECT_THROW(Port({.port = id, .rx_queues = 1}, nullptr), std::invalid_argument);
    try {
        Port port({.port = id, .rx_queues = 0, .tx_queues = 65535}, nullptr);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("TX queues, not 65535"), std::string::npos) << e.what();
    }
    try {
        Port port({.port = RTE_MAX_ETHPORTS - 1, .rx_queues = 1}, pool.get());
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace sentinel::net
