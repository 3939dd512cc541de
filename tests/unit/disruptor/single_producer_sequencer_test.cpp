#include "disruptor/single_producer_sequencer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "disruptor/busy_spin_wait_strategy.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

struct SingleProducerSequencerTest : ::testing::Test {
    BusySpinWaitStrategy wait;
    SingleProducerSequencer<BusySpinWaitStrategy> seq{8, wait};
    Sequence consumer;
};

TEST_F(SingleProducerSequencerTest, ClaimsConsecutiveSequences) {
    EXPECT_EQ(seq.next(), 0);
    EXPECT_EQ(seq.next(), 1);
    EXPECT_EQ(seq.next(3), 4);
    EXPECT_EQ(seq.try_next(2), 6);
}

TEST_F(SingleProducerSequencerTest, RefusesClaimsThatCannotFit) {
    EXPECT_THROW(seq.next(0), std::invalid_argument);
    EXPECT_THROW(seq.next(9), std::invalid_argument);
    EXPECT_THROW(seq.try_next(9), std::invalid_argument);
    try {
        seq.next(100);
        FAIL() << "next(100) on an 8-slot ring was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "cannot claim 100 slots of a 8-slot ring (need 1..8)");
    }
    EXPECT_EQ(seq.next(8), 7) << "a claim of the whole ring is legal";
}

TEST_F(SingleProducerSequencerTest, PublishMovesTheCursor) {
    const auto hi = seq.next(3);
    EXPECT_FALSE(seq.is_available(0));
    seq.publish(hi - 2, hi);
    EXPECT_EQ(seq.cursor().load_acquire(), 2);
    EXPECT_TRUE(seq.is_available(2));
    EXPECT_FALSE(seq.is_available(3));
    EXPECT_EQ(seq.highest_published(0, 2), 2);
}

TEST_F(SingleProducerSequencerTest, KnownFreeNeverCountsASlotAStageMayStillRead) {
    seq.add_gating_sequence(&consumer);
    EXPECT_EQ(seq.known_free(), 8) << "an empty ring";
    EXPECT_EQ(seq.try_next(5), 4);
    EXPECT_EQ(seq.known_free(), 3);
    consumer.store_release(3);  // 0..3 done, but the producer has not looked
    EXPECT_EQ(seq.known_free(), 3) << "the cached view, without reading the stage";
    EXPECT_EQ(seq.try_next(3), 7);
    EXPECT_EQ(seq.known_free(), 0);
    EXPECT_EQ(seq.try_next(1), 8) << "this claim passes the cached view: it reads the stage";
    EXPECT_EQ(seq.known_free(), 3) << "slots 9, 10, 11 (once 1, 2, 3): free; 4..8 the stage has not passed";
    EXPECT_EQ(seq.remaining_capacity(), seq.known_free());
}

TEST_F(SingleProducerSequencerTest, TryNextFailsOnAFullRingAndRecovers) {
    seq.add_gating_sequence(&consumer);
    EXPECT_EQ(seq.remaining_capacity(), 8);
    EXPECT_EQ(seq.try_next(8), 7);
    EXPECT_EQ(seq.remaining_capacity(), 0);
    EXPECT_FALSE(seq.try_next(1).has_value());
    consumer.store_release(1);  // slots 0 and 1 are free again
    EXPECT_EQ(seq.remaining_capacity(), 2);
    EXPECT_FALSE(seq.try_next(3).has_value());
    EXPECT_EQ(seq.try_next(2), 9);
}

TEST_F(SingleProducerSequencerTest, WithoutConsumersNeverWaits) {
    for (int i = 0; i < 100; ++i) seq.next(8);
    EXPECT_EQ(seq.next(), 800);
}

TEST_F(SingleProducerSequencerTest, NextWaitsForTheSlowestConsumer) {
    Sequence second;
    seq.add_gating_sequence(&consumer);
    seq.add_gating_sequence(&second);
    seq.publish(seq.next(8));
    std::atomic<std::int64_t> claimed{-1};
    std::thread producer([&] { claimed.store(seq.next(2)); });
    consumer.store_release(5);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(claimed.load(), -1) << "overwrote slots the slower consumer still reads";
    second.store_release(1);
    producer.join();
    EXPECT_EQ(claimed.load(), 9);
}

}  // namespace
}  // namespace sentinel::disruptor
