// RxQueuePoller against a ring the test drains by hand: a burst the ring has no room for is held
// (poll returns 0, nothing dropped, nothing received behind it) and admitted once a stage frees
// room; after a stop request a held burst waits out the grace, then is dropped and counted, and the
// poller says it has stopped only then; every mbuf goes back to its pool. net_ring2's RX queue 0
// reads what its TX queue 0 is given.

#include "net/rx_queue_poller.hpp"

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <atomic>
#include <chrono>
#include <memory_resource>
#include <thread>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net/port.hpp"
#include "net/release_stage.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

class RxQueuePollerTest : public test::EalTest {};

TEST_F(RxQueuePollerTest, HoldsWhatTheRingCannotTakeAndDropsItOnlyAfterTheStopGrace) {
    constexpr std::size_t kSlots = 64;
    constexpr std::uint16_t kBurst = 32;
    Mempool pool("rx_poller_test", 1023, static_cast<int>(rte_socket_id()));
    const std::uint16_t id = test::NetEal::port("net_ring2");
    Port port({.port = id, .rx_queues = 1, .tx_queues = 1}, pool.get());
    port.start();
    const std::vector<test::Frame> frames = test::sample_frames();
    const test::Frame& frame = frames.front();
    const auto send = [&](unsigned n) {  // into the TX queue, which net_ring2's RX queue reads
        std::vector<rte_mbuf*> mbufs;
        for (unsigned i = 0; i < n; ++i) mbufs.push_back(test::to_mbuf(pool.get(), frame.bytes));
        ASSERT_EQ(rte_eth_tx_burst(id, 0, mbufs.data(), static_cast<std::uint16_t>(n)), n);
    };

    std::atomic<bool> stop{false};
    PacketRing ring(std::allocator_arg, std::pmr::polymorphic_allocator<PacketSlot>(std::pmr::new_delete_resource()),
                    kSlots);
    ReleaseStage release;
    ring.handle_events_with(release);
    disruptor::EventProcessor& stage = *ring.start_on_caller_threads().front();
    stage.start_polling();
    RxQueuePoller rx(id, 0, kBurst, FullPolicy::wait, ring, stop);
    const auto count = [&rx](Counter c) { return rx.counters().get(c); };

    send(3 * kBurst);
    EXPECT_EQ(rx.poll(), kBurst);
    EXPECT_EQ(rx.poll(), kBurst);
    EXPECT_EQ(rx.poll(), 0u) << "the ring is full: the third burst is held, not spun on";
    EXPECT_EQ(rx.poll(), 0u);
    EXPECT_EQ(count(Counter::rx_packets), 2u * kBurst) << "a held burst is counted once it is admitted";
    EXPECT_EQ(count(Counter::dropped_ring_full), 0u);

    EXPECT_EQ(stage.poll(kSlots), kSlots);  // release makes room
    EXPECT_EQ(rx.poll(), kBurst) << "the held burst goes in first";
    EXPECT_EQ(count(Counter::rx_packets), 3u * kBurst);

    send(2 * kBurst);  // fills the ring again and leaves one burst held
    EXPECT_EQ(rx.poll(), kBurst);
    EXPECT_EQ(rx.poll(), 0u);
    stop.store(true);
    rx.begin_drain();
    EXPECT_FALSE(rx.stopped()) << "not while a burst is held";
    EXPECT_EQ(rx.poll(), 0u) << "the grace has begun";
    std::this_thread::sleep_for(RxQueuePoller::kStopGrace + std::chrono::milliseconds(100));
    EXPECT_EQ(rx.poll(), kBurst) << "dropped";
    EXPECT_TRUE(rx.stopped());
    EXPECT_EQ(count(Counter::dropped_ring_full), kBurst);
    EXPECT_EQ(count(Counter::rx_packets), 5u * kBurst);
    EXPECT_EQ(rx.poll(), 0u) << "nothing is received once draining";

    while (stage.poll(kSlots) != 0) {
    }
    stage.stop_polling();
    EXPECT_EQ(release.counters().get(Counter::released_packets), 4u * kBurst);
    port.stop_and_close();
    EXPECT_EQ(pool.in_use(), 0u);
}

// What net_pcap hands out for a damaged rx_pcap file: frames of 0 bytes and other runts. Counted,
// and published like any frame.
TEST_F(RxQueuePollerTest, CountsFramesShorterThanAnEthernetHeaderAsRunts) {
    Mempool pool("rx_runt_test", 255, static_cast<int>(rte_socket_id()));
    const std::uint16_t id = test::NetEal::port("net_ring3");
    Port port({.port = id, .rx_queues = 1, .tx_queues = 1}, pool.get());
    port.start();
    std::vector<rte_mbuf*> mbufs;
    for (const std::size_t len : {0, 1, 13, 14, 60, 0})
        mbufs.push_back(test::to_mbuf(pool.get(), std::vector<std::uint8_t>(len, 0xab)));
    ASSERT_EQ(rte_eth_tx_burst(id, 0, mbufs.data(), static_cast<std::uint16_t>(mbufs.size())), mbufs.size());

    std::atomic<bool> stop{false};
    PacketRing ring(std::allocator_arg, std::pmr::polymorphic_allocator<PacketSlot>(std::pmr::new_delete_resource()), 16);
    ReleaseStage release;
    ring.handle_events_with(release);
    disruptor::EventProcessor& stage = *ring.start_on_caller_threads().front();
    stage.start_polling();
    RxQueuePoller rx(id, 0, 16, FullPolicy::drop, ring, stop);
    EXPECT_EQ(rx.poll(), mbufs.size());
    EXPECT_EQ(rx.counters().get(Counter::rx_packets), 6u);
    EXPECT_EQ(rx.counters().get(Counter::rx_runt_packets), 4u) << "0, 1, 13 and 0 bytes; 14 is a whole header";
    EXPECT_EQ(rx.counters().get(Counter::rx_bytes), 0u + 1 + 13 + 14 + 60 + 0);
    EXPECT_EQ(rx.counters().get(Counter::dropped_ring_full), 0u);

    rx.begin_drain();
    while (stage.poll(16) != 0) {
    }
    stage.stop_polling();
    EXPECT_EQ(release.counters().get(Counter::released_packets), 6u);
    port.stop_and_close();
    EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace sentinel::net
