#include "disruptor/sequence_barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "disruptor/blocking_wait_strategy.hpp"
#include "disruptor/multi_producer_sequencer.hpp"
#include "disruptor/single_producer_sequencer.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

TEST(SequenceBarrier, FirstStageWaitsOnTheCursor) {
    BlockingWaitStrategy wait;
    SingleProducerSequencer<BlockingWaitStrategy> seq(16, wait);
    SequenceBarrier<decltype(seq)> barrier(seq, {});
    EXPECT_EQ(barrier.available(0), -1);
    seq.publish(seq.next(5));
    EXPECT_EQ(barrier.wait_for(0), 4);
    EXPECT_EQ(barrier.wait_for(3), 4);
    EXPECT_EQ(barrier.available(2), 4);
}

TEST(SequenceBarrier, LaterStageWaitsOnTheSlowestUpstreamStage) {
    BlockingWaitStrategy wait;
    SingleProducerSequencer<BlockingWaitStrategy> seq(16, wait);
    Sequence a, b;
    SequenceBarrier<decltype(seq)> barrier(seq, {&a, &b});
    seq.publish(seq.next(10));
    a.store_release(7);
    EXPECT_EQ(barrier.available(0), -1) << "b has not handled anything yet";
    std::atomic<std::int64_t> got{-100};
    std::thread stage([&] { got.store(barrier.wait_for(0)); });
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(got.load(), -100);
    b.store_release(3);
    barrier.signal();
    stage.join();
    EXPECT_EQ(got.load(), 3);
}

TEST(SequenceBarrier, AlertReleasesAWaitingStage) {
    BlockingWaitStrategy wait;
    SingleProducerSequencer<BlockingWaitStrategy> seq(16, wait);
    SequenceBarrier<decltype(seq)> barrier(seq, {});
    std::atomic<std::int64_t> got{-100};
    std::thread stage([&] { got.store(barrier.wait_for(0)); });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(barrier.alerted());
    barrier.alert();
    stage.join();
    EXPECT_LT(got.load(), 0);
    EXPECT_TRUE(barrier.alerted());
}

TEST(SequenceBarrier, MultiProducerClaimedSlotsAreNotReadable) {
    BlockingWaitStrategy wait;
    MultiProducerSequencer<BlockingWaitStrategy> seq(16, wait);
    SequenceBarrier<decltype(seq)> barrier(seq, {});
    seq.next(3);  // claims 0..2
    seq.publish(1);
    seq.publish(2);
    EXPECT_EQ(barrier.available(0), -1) << "slot 0 is claimed but still being written";
    std::atomic<std::int64_t> got{-100};
    std::thread stage([&] { got.store(barrier.wait_for(0)); });
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(got.load(), -100);
    seq.publish(0);
    stage.join();
    EXPECT_EQ(got.load(), 2);
}

}  // namespace
}  // namespace sentinel::disruptor
