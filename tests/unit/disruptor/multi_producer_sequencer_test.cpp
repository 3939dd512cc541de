#include "disruptor/multi_producer_sequencer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "disruptor/yielding_wait_strategy.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

struct MultiProducerSequencerTest : ::testing::Test {
    YieldingWaitStrategy wait;
    MultiProducerSequencer<YieldingWaitStrategy> seq{8, wait};
    Sequence consumer;
};

TEST_F(MultiProducerSequencerTest, NothingIsAvailableBeforeItIsPublished) {
    for (std::int64_t s = 0; s < 16; ++s) EXPECT_FALSE(seq.is_available(s)) << s;
}

TEST_F(MultiProducerSequencerTest, ClaimsConsecutiveRanges) {
    EXPECT_EQ(seq.next(), 0);
    EXPECT_EQ(seq.next(3), 3);
    EXPECT_EQ(seq.try_next(2), 5);
    EXPECT_EQ(seq.cursor().load_acquire(), 5) << "the cursor counts claims";
}

TEST_F(MultiProducerSequencerTest, RefusesClaimsThatCannotFit) {
    EXPECT_THROW(seq.next(0), std::invalid_argument);
    EXPECT_THROW(seq.next(9), std::invalid_argument);
    EXPECT_THROW(seq.try_next(-1), std::invalid_argument);
}

TEST_F(MultiProducerSequencerTest, OutOfOrderPublishStopsAtTheFirstHole) {
    seq.next(4);
    seq.publish(0);
    seq.publish(2);
    seq.publish(3);
    EXPECT_EQ(seq.highest_published(0, 3), 0);
    seq.publish(1);
    EXPECT_EQ(seq.highest_published(0, 3), 3);
    EXPECT_EQ(seq.highest_published(2, 3), 3);
}

TEST_F(MultiProducerSequencerTest, PublishedFlagsDistinguishLaps) {
    seq.add_gating_sequence(&consumer);
    seq.publish(0, seq.next(8));
    consumer.store_release(7);
    const auto hi = seq.next(8);
    EXPECT_EQ(hi, 15);
    EXPECT_FALSE(seq.is_available(8)) << "lap 1 slot must not read as published by lap 0";
    seq.publish(8, 15);
    EXPECT_TRUE(seq.is_available(8));
    EXPECT_FALSE(seq.is_available(0)) << "lap 0 is gone once lap 1 is published";
}

TEST_F(MultiProducerSequencerTest, TryNextFailsOnAFullRing) {
    seq.add_gating_sequence(&consumer);
    EXPECT_EQ(seq.try_next(6), 5);
    EXPECT_EQ(seq.remaining_capacity(), 2);
    EXPECT_FALSE(seq.try_next(3).has_value());
    EXPECT_EQ(seq.try_next(2), 7);
    EXPECT_FALSE(seq.try_next(1).has_value());
    consumer.store_release(0);
    EXPECT_EQ(seq.try_next(1), 8);
}

TEST_F(MultiProducerSequencerTest, NextWaitsForTheConsumer) {
    seq.add_gating_sequence(&consumer);
    seq.next(8);
    std::atomic<std::int64_t> claimed{-1};
    std::thread producer([&] { claimed.store(seq.next()); });
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(claimed.load(), -1);
    consumer.store_release(0);
    producer.join();
    EXPECT_EQ(claimed.load(), 8);
}

TEST(MultiProducerSequencer, ConcurrentClaimsAreDisjointAndComplete) {
    YieldingWaitStrategy wait;
    MultiProducerSequencer<YieldingWaitStrategy> seq(1024, wait);
    constexpr int kThreads = 4;
    constexpr int kClaims = 20000;
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> ranges(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kClaims; ++i) {
                const std::int64_t n = 1 + (i + t) % 3;
                const auto hi = (i % 2) ? seq.next(n) : *seq.try_next(n);  // no gating: always room
                ranges[t].emplace_back(hi - n + 1, hi);
            }
        });
    for (auto& t : threads) t.join();
    std::vector<std::pair<std::int64_t, std::int64_t>> all;
    for (auto& r : ranges) all.insert(all.end(), r.begin(), r.end());
    std::sort(all.begin(), all.end());
    std::int64_t expect = 0;
    for (auto [lo, hi] : all) {
        ASSERT_EQ(lo, expect) << "a gap or an overlap between claims";
        expect = hi + 1;
    }
    EXPECT_EQ(seq.cursor().load_acquire(), expect - 1);
}

}  // namespace
}  // namespace sentinel::disruptor
