#include "disruptor/disruptor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <sched.h>
#include <vector>

#include "disruptor/yielding_wait_strategy.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

struct Event {
    std::int64_t value = 0;
    std::int64_t doubled = 0;  // written by stage A
    std::int64_t negated = 0;  // written by stage B
};

struct Doubler {
    void on_event(Event& e, std::int64_t, bool) { e.doubled = e.value * 2; }
};
struct Negator {
    void on_event(Event& e, std::int64_t, bool) { e.negated = -e.value; }
};
// Runs after A and B: must always see both of their results for the event in hand.
struct Joiner {
    std::int64_t count = 0;
    std::int64_t sum = 0;
    std::int64_t wrong = 0;
    void on_event(Event& e, std::int64_t, bool) {
        if (e.doubled != 2 * e.value || e.negated != -e.value) ++wrong;
        sum += e.value;
        ++count;
    }
};
struct Counter {
    std::int64_t count = 0;
    std::int64_t last = -1;
    std::int64_t out_of_order = 0;
    void on_event(Event&, std::int64_t seq, bool) {
        if (seq != last + 1) ++out_of_order;
        last = seq;
        ++count;
    }
};
struct Thrower {
    void on_event(Event&, std::int64_t seq, bool) {
        if (seq == 100) throw std::runtime_error("boom");
    }
};

constexpr std::int64_t kEvents = 200'000;
constexpr std::int64_t kSum = kEvents * (kEvents - 1) / 2;

TEST(Disruptor, DiamondStageSeesBothUpstreamResults) {
    Doubler a;
    Negator b;
    Joiner c;
    Disruptor<Event> d(256);
    d.handle_events_with(a, b).then(c);
    d.start();
    for (std::int64_t i = 0; i < kEvents; ++i)
        d.publish_event([i](Event& e, std::int64_t) {
            e.value = i;
            e.doubled = e.negated = 0;  // stale values from the last lap must not satisfy C
        });
    ASSERT_TRUE(d.drain_and_halt());
    EXPECT_EQ(c.count, kEvents);
    EXPECT_EQ(c.sum, kSum);
    EXPECT_EQ(c.wrong, 0);
}

TEST(Disruptor, AfterJoinsGroupsAndBatchedPublishKeepsOrder) {
    Counter a, b, c, d2;
    Disruptor<Event, ProducerType::single, YieldingWaitStrategy> d(64);
    auto ga = d.handle_events_with(a);
    auto gb = d.handle_events_with(b);
    d.after(ga, gb).then(c).then(d2);
    d.start();
    for (std::int64_t i = 0; i < kEvents; i += 16)
        d.publish_events(16, [](Event& e, std::int64_t s) { e.value = s; });
    ASSERT_TRUE(d.drain_and_halt());
    for (Counter* k : {&a, &b, &c, &d2}) {
        EXPECT_EQ(k->count, kEvents);
        EXPECT_EQ(k->out_of_order, 0);
    }
}

TEST(Disruptor, ShardedStageCoversEverySequenceOnce) {
    Counter x, y;
    struct Shard {
        std::int64_t count = 0, sum = 0;
        void on_event(Event& e, std::int64_t, bool) {
            ++count;
            sum += e.value;
        }
    } s0, s1;
    Disruptor<Event, ProducerType::multi> d(128);
    d.handle_events_sharded(s0, s1).then(x, y);
    d.start();
    for (std::int64_t i = 0; i < kEvents; ++i) d.publish_event([i](Event& e, std::int64_t) { e.value = i; });
    ASSERT_TRUE(d.drain_and_halt());
    EXPECT_EQ(s0.count, kEvents / 2);
    EXPECT_EQ(s1.count, kEvents / 2);
    EXPECT_EQ(s0.sum + s1.sum, kSum);
    EXPECT_EQ(x.count, kEvents);
}

// LMAX once skipped stages that had not started running when checking for a backlog; a stage
// that starts late must still see every event before drain_and_halt returns.
TEST(Disruptor, DrainWaitsForAStageThatStartsLate) {
    Counter a, b;
    Disruptor<Event> d(1024);
    d.handle_events_with(a).then(b);
    auto processors = d.start_on_caller_threads();
    std::thread first([&] { processors[0]->run(); });
    for (std::int64_t i = 0; i < 1000; ++i) d.publish_event([](Event&, std::int64_t) {});
    std::thread late([&] {
        std::this_thread::sleep_for(50ms);
        processors[1]->run();
    });
    EXPECT_TRUE(d.drain_and_halt());
    first.join();
    late.join();
    EXPECT_EQ(a.count, 1000);
    EXPECT_EQ(b.count, 1000);
}

TEST(Disruptor, DrainReportsAFailedStageInsteadOfHanging) {
    Thrower t;
    Counter after;
    Disruptor<Event> d(256);  // room for all 200 events: a failed stage gates the producer forever
    d.handle_events_with(t).then(after);
    d.start();
    for (int i = 0; i < 50; ++i) d.publish_events(4, [](Event&, std::int64_t) {});
    EXPECT_FALSE(d.drain_and_halt());
    // drain_and_halt stops at the failure, so the stage after it may be halted before catching up.
    EXPECT_LE(after.count, 100) << "the stage after the failure never passes it";
    EXPECT_EQ(d.processors()[0]->state(), ProcessorState::failed);
    EXPECT_EQ(d.processors()[0]->sequence().load_acquire(), 99);
}

TEST(Disruptor, DrainTimesOutOnAStageNobodyRuns) {
    Counter a;
    Disruptor<Event> d(64);
    d.handle_events_with(a);
    d.start_on_caller_threads();
    d.publish_event([](Event&, std::int64_t) {});
    EXPECT_FALSE(d.drain_and_halt(20ms));
}

TEST(Disruptor, DrainWithNothingPublishedReturnsAtOnce) {
    Counter a;
    Disruptor<Event> d(64);
    d.handle_events_with(a);
    d.start();
    EXPECT_TRUE(d.drain_and_halt(5s));
    EXPECT_EQ(a.count, 0);
}

int first_allowed_cpu() {
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) return cpu;
    return 0;
}

TEST(Disruptor, PinsStagesAndReportsABadCpu) {
    Counter a;
    Disruptor<Event> ok(64);
    ok.handle_events_with(a);
    ok.start({first_allowed_cpu()});
    ok.publish_event([](Event&, std::int64_t) {});
    EXPECT_TRUE(ok.drain_and_halt());

    Counter b;
    Disruptor<Event> bad(64);
    bad.handle_events_with(b);
    try {
        bad.start({9999});
        FAIL() << "pinning to cpu 9999 succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cpu 9999"), std::string::npos) << e.what();
    }
}

// A translator that throws still publishes its claim: otherwise a multi-producer ring stalls.
TEST(Disruptor, ThrowingTranslatorStillPublishes) {
    Counter a;
    Disruptor<Event, ProducerType::multi> d(64);
    d.handle_events_with(a);
    d.start();
    EXPECT_THROW(d.publish_event([](Event&, std::int64_t) { throw std::runtime_error("bad input"); }),
                 std::runtime_error);
    d.publish_event([](Event& e, std::int64_t) { e.value = 1; });
    EXPECT_TRUE(d.drain_and_halt(5s));
    EXPECT_EQ(a.count, 2);
}

// A hook that throws fails the stage instead of leaving it "running" for drain to wait on forever.
TEST(Disruptor, ThrowingHookFailsTheStage) {
    struct BadBatchStart {
        int shutdowns = 0;
        void on_batch_start(std::int64_t) { throw std::runtime_error("no buffer"); }
        void on_event(Event&, std::int64_t, bool) {}
        void on_shutdown() { ++shutdowns; }
    } bad;
    Disruptor<Event> d(64);
    d.handle_events_with(bad);
    d.start();
    d.publish_event([](Event&, std::int64_t) {});
    EXPECT_FALSE(d.drain_and_halt(5s));
    EXPECT_EQ(d.processors()[0]->state(), ProcessorState::failed);
    EXPECT_EQ(bad.shutdowns, 1);
}

TEST(Disruptor, GraphIsFixedOnceStarted) {
    Counter a, b;
    Disruptor<Event> d(64);
    d.handle_events_with(a);
    d.start();
    EXPECT_THROW(d.handle_events_with(b), std::logic_error);
    EXPECT_THROW(d.start(), std::logic_error);
    d.halt();
}

}  // namespace
}  // namespace sentinel::disruptor
