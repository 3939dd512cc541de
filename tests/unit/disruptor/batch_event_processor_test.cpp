#include "disruptor/batch_event_processor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "disruptor/blocking_wait_strategy.hpp"
#include "disruptor/ring_buffer.hpp"
#include "disruptor/single_producer_sequencer.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

struct Event {
    std::int64_t value = 0;
};

// Records every callback in order, to check the contract of the processor.
struct Recorder {
    std::vector<std::int64_t> seen;
    std::vector<std::int64_t> batch_ends;  // sequences delivered with end_of_batch
    std::vector<std::int64_t> batch_sizes;
    std::vector<std::int64_t> timeouts;
    int starts = 0;
    int shutdowns = 0;
    std::int64_t throw_at = -1;

    void on_event(Event& e, std::int64_t seq, bool end_of_batch) {
        if (seq == throw_at) throw std::runtime_error("bad event " + std::to_string(seq));
        EXPECT_EQ(e.value, seq * 10);
        seen.push_back(seq);
        if (end_of_batch) batch_ends.push_back(seq);
    }
    void on_batch_start(std::int64_t n) { batch_sizes.push_back(n); }
    void on_start() { ++starts; }
    void on_shutdown() { ++shutdowns; }
    void on_timeout(std::int64_t seq) { timeouts.push_back(seq); }
};

struct Rig {
    explicit Rig(ProcessorOptions o = {}, BlockingWaitStrategy* w = nullptr)
        : wait(w ? *w : own_wait), seq(64, wait), barrier(seq, {}), proc(ring, barrier, rec, o) {
        seq.add_gating_sequence(&proc.sequence());
    }
    void publish(int n) {
        const auto hi = seq.next(n);
        for (auto s = hi - n + 1; s <= hi; ++s) ring[s].value = s * 10;
        seq.publish(hi - n + 1, hi);
    }
    BlockingWaitStrategy own_wait;
    BlockingWaitStrategy& wait;
    RingBuffer<Event> ring{64};
    SingleProducerSequencer<BlockingWaitStrategy> seq;
    SequenceBarrier<decltype(seq)> barrier;
    Recorder rec;
    BatchEventProcessor<RingBuffer<Event>, decltype(seq), Recorder> proc;
};

std::vector<std::int64_t> iota(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(to - from));
    std::iota(v.begin(), v.end(), from);
    return v;
}

TEST(BatchEventProcessor, PollHandlesOneBoundedBatch) {
    Rig r;
    r.proc.start_polling();
    EXPECT_EQ(r.proc.poll(16), 0u);
    r.publish(10);
    EXPECT_EQ(r.proc.poll(4), 4u);
    EXPECT_EQ(r.proc.sequence().load_acquire(), 3);
    EXPECT_EQ(r.proc.poll(100), 6u);
    EXPECT_EQ(r.proc.poll(100), 0u);
    r.proc.stop_polling();
    EXPECT_EQ(r.rec.seen, iota(0, 10));
    EXPECT_EQ(r.rec.batch_sizes, (std::vector<std::int64_t>{4, 6}));
    EXPECT_EQ(r.rec.batch_ends, (std::vector<std::int64_t>{3, 9}));
    EXPECT_EQ(r.rec.starts, 1);
    EXPECT_EQ(r.rec.shutdowns, 1);
    EXPECT_EQ(r.proc.state(), ProcessorState::halted);
}

TEST(BatchEventProcessor, PollWithNoLimitTakesWhatIsThere) {
    Rig r;
    r.publish(10);
    r.proc.start_polling();
    EXPECT_EQ(r.proc.poll(SIZE_MAX), 10u);
    EXPECT_EQ(r.proc.sequence().load_acquire(), 9);
    EXPECT_EQ(r.rec.seen, iota(0, 10));
}

TEST(BatchEventProcessor, RunHandlesEverythingInBatchesUntilHalted) {
    Rig r;
    r.publish(40);  // before the thread starts: one batch
    std::thread t([&] { r.proc.run(); });
    while (r.proc.sequence().load_acquire() < 39) std::this_thread::yield();
    r.publish(20);
    while (r.proc.sequence().load_acquire() < 59) std::this_thread::yield();
    r.proc.halt();
    t.join();
    EXPECT_EQ(r.rec.seen, iota(0, 60));
    EXPECT_EQ(r.rec.batch_sizes.front(), 40);
    EXPECT_EQ(std::accumulate(r.rec.batch_sizes.begin(), r.rec.batch_sizes.end(), std::int64_t{0}), 60);
    EXPECT_EQ(r.rec.batch_ends.back(), 59);
    EXPECT_EQ(r.rec.batch_ends.size(), r.rec.batch_sizes.size()) << "one end_of_batch per batch";
    EXPECT_EQ(r.rec.starts, 1);
    EXPECT_EQ(r.rec.shutdowns, 1);
}

TEST(BatchEventProcessor, MaxBatchBoundsEachBatch) {
    Rig r(ProcessorOptions{.max_batch = 8});
    r.publish(30);
    r.proc.start_polling();
    while (r.proc.poll(1000) > 0) {
    }
    EXPECT_EQ(r.rec.batch_sizes, (std::vector<std::int64_t>{8, 8, 8, 6}));
    EXPECT_EQ(r.rec.batch_ends, (std::vector<std::int64_t>{7, 15, 23, 29}));
}

TEST(BatchEventProcessor, HaltPolicyStopsAtTheFailingEvent) {
    Rig r;
    r.rec.throw_at = 5;
    r.publish(10);
    r.proc.run();  // returns by itself: the handler failed
    EXPECT_EQ(r.proc.state(), ProcessorState::failed);
    EXPECT_EQ(r.proc.sequence().load_acquire(), 4) << "events before the failure are done, the rest are not";
    EXPECT_EQ(r.rec.seen, iota(0, 5));
    ASSERT_TRUE(r.proc.failure());
    EXPECT_THROW(std::rethrow_exception(r.proc.failure()), std::runtime_error);
    EXPECT_EQ(r.rec.shutdowns, 1);
}

TEST(BatchEventProcessor, LogAndContinueSkipsTheFailingEvent) {
    Rig r(ProcessorOptions{.exception_policy = ExceptionPolicy::log_and_continue});
    r.rec.throw_at = 5;
    r.publish(10);
    r.proc.start_polling();
    EXPECT_EQ(r.proc.poll(100), 10u);
    EXPECT_EQ(r.proc.exceptions(), 1u);
    EXPECT_EQ(r.proc.state(), ProcessorState::running);
    std::vector<std::int64_t> expect = iota(0, 10);
    expect.erase(expect.begin() + 5);
    EXPECT_EQ(r.rec.seen, expect);
    EXPECT_EQ(r.rec.batch_ends, (std::vector<std::int64_t>{9}));
}

TEST(BatchEventProcessor, ShardsSplitTheSequencesAndEachSeesItsOwnBatchEnd) {
    BlockingWaitStrategy wait;
    SingleProducerSequencer<BlockingWaitStrategy> seq(64, wait);
    RingBuffer<Event> ring(64);
    SequenceBarrier<decltype(seq)> b0(seq, {}), b1(seq, {}), b2(seq, {});
    Recorder r0, r1, r2;
    using P = BatchEventProcessor<RingBuffer<Event>, decltype(seq), Recorder>;
    P p0(ring, b0, r0, {.shard_index = 0, .shard_count = 3});
    P p1(ring, b1, r1, {.shard_index = 1, .shard_count = 3});
    P p2(ring, b2, r2, {.shard_index = 2, .shard_count = 3});
    const auto hi = seq.next(11);
    for (std::int64_t s = 0; s <= hi; ++s) ring[s].value = s * 10;
    seq.publish(0, hi);
    for (P* p : {&p0, &p1, &p2}) {
        p->start_polling();
        EXPECT_EQ(p->poll(100), 11u) << "every shard advances over every sequence";
    }
    EXPECT_EQ(r0.seen, (std::vector<std::int64_t>{0, 3, 6, 9}));
    EXPECT_EQ(r1.seen, (std::vector<std::int64_t>{1, 4, 7, 10}));
    EXPECT_EQ(r2.seen, (std::vector<std::int64_t>{2, 5, 8}));
    EXPECT_EQ(r0.batch_ends, (std::vector<std::int64_t>{9}));
    EXPECT_EQ(r1.batch_ends, (std::vector<std::int64_t>{10}));
    EXPECT_EQ(r2.batch_ends, (std::vector<std::int64_t>{8}));
    EXPECT_EQ(r2.batch_sizes, (std::vector<std::int64_t>{3}));
    EXPECT_THROW(P(ring, b0, r0, {.shard_index = 3, .shard_count = 3}), std::invalid_argument);
}

TEST(BatchEventProcessor, HaltBeforeRunStillPairsStartWithShutdown) {
    Rig r;
    r.proc.halt();
    r.proc.run();
    EXPECT_EQ(r.rec.starts, 1);
    EXPECT_EQ(r.rec.shutdowns, 1);
    EXPECT_TRUE(r.rec.seen.empty());
}

TEST(BatchEventProcessor, RunsOnlyOnce) {
    Rig r;
    r.proc.start_polling();
    EXPECT_THROW(r.proc.run(), std::logic_error);
    r.proc.stop_polling();
    EXPECT_THROW(r.proc.run(), std::logic_error) << "nor again after it stopped";
    EXPECT_EQ(r.rec.starts, 1);
}

TEST(BatchEventProcessor, TimeoutReachesTheHandler) {
    BlockingWaitStrategy timed(1ms);
    Rig r({}, &timed);
    std::thread t([&] { r.proc.run(); });
    while (r.proc.state() != ProcessorState::running) std::this_thread::yield();
    std::this_thread::sleep_for(30ms);
    r.proc.halt();
    t.join();
    ASSERT_FALSE(r.rec.timeouts.empty());
    EXPECT_EQ(r.rec.timeouts.front(), -1) << "on_timeout gets the last sequence handled";
}

// The span form: one call per run of contiguous slots, split where the batch wraps the ring.
struct RunRecorder {
    std::vector<std::pair<std::int64_t, std::size_t>> runs;  // first sequence, length
    std::vector<bool> ends;
    std::int64_t sum = 0;
    std::int64_t throw_at = -1;
    void on_events(std::span<Event> events, std::int64_t first, bool end_of_batch) {
        if (first == throw_at) throw std::runtime_error("bad run");
        runs.emplace_back(first, events.size());
        ends.push_back(end_of_batch);
        for (const Event& e : events) sum += e.value;
    }
};

struct RunRig {
    explicit RunRig(ProcessorOptions o = {}) : seq(16, wait), barrier(seq, {}), proc(ring, barrier, rec, o) {
        seq.add_gating_sequence(&proc.sequence());
        proc.start_polling();
    }
    void publish(int n) {
        const auto hi = seq.next(n);
        for (auto s = hi - n + 1; s <= hi; ++s) ring[s].value = s * 10;
        seq.publish(hi - n + 1, hi);
    }
    BlockingWaitStrategy wait;
    RingBuffer<Event> ring{16};
    SingleProducerSequencer<BlockingWaitStrategy> seq;
    SequenceBarrier<decltype(seq)> barrier;
    RunRecorder rec;
    BatchEventProcessor<RingBuffer<Event>, decltype(seq), RunRecorder> proc;
};

TEST(BatchEventProcessor, SpanHandlerGetsContiguousRunsSplitAtTheWrap) {
    RunRig r;
    r.publish(10);
    EXPECT_EQ(r.proc.poll(100), 10u);
    r.publish(12);  // sequences 10..21: slots 10..15, then 0..5
    EXPECT_EQ(r.proc.poll(100), 12u);
    using Run = std::pair<std::int64_t, std::size_t>;
    EXPECT_EQ(r.rec.runs, (std::vector<Run>{{0, 10}, {10, 6}, {16, 6}}));
    EXPECT_EQ(r.rec.ends, (std::vector<bool>{true, false, true}));
    EXPECT_EQ(r.rec.sum, 10 * (21 * 22 / 2));
    EXPECT_EQ(r.proc.sequence().load_acquire(), 21);
}

TEST(BatchEventProcessor, SpanHandlerFailureStopsAtTheRun) {
    RunRig r;
    r.rec.throw_at = 16;
    r.publish(10);
    r.proc.poll(100);
    r.publish(12);
    EXPECT_EQ(r.proc.poll(100), 6u) << "the run before the wrap was handled";
    EXPECT_EQ(r.proc.state(), ProcessorState::failed);
    EXPECT_EQ(r.proc.sequence().load_acquire(), 15);
}

TEST(BatchEventProcessor, SpanHandlerCannotBeSharded) {
    BlockingWaitStrategy wait;
    SingleProducerSequencer<BlockingWaitStrategy> seq(16, wait);
    RingBuffer<Event> ring(16);
    SequenceBarrier<decltype(seq)> barrier(seq, {});
    RunRecorder rec;
    using P = BatchEventProcessor<RingBuffer<Event>, decltype(seq), RunRecorder>;
    EXPECT_THROW(P(ring, barrier, rec, {.shard_index = 0, .shard_count = 2}), std::invalid_argument);
}

}  // namespace
}  // namespace sentinel::disruptor
