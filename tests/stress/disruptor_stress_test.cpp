// Concurrency stress tests for lib/disruptor. Each test lists what must never happen:
//   FORBIDDEN: an event lost, seen twice, or seen out of its producer's order by any stage
//   FORBIDDEN: a stage seeing an event before its upstream stages finished with it
//   FORBIDDEN: drain_and_halt returning before an event published ahead of it was handled
//   FORBIDDEN: a blocked stage missing a wake-up (the watchdog fails the test instead of hanging)
// Sizes shrink under sanitizers (10-50x slower); SENTINEL_STRESS_EVENTS overrides them.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "disruptor/disruptor.hpp"
#include "disruptor/phased_backoff_wait_strategy.hpp"
#include "disruptor/sleeping_wait_strategy.hpp"
#include "disruptor/yielding_wait_strategy.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::int64_t kDefaultEvents = 400'000;
#else
constexpr std::int64_t kDefaultEvents = 2'000'000;
#endif

std::int64_t events_per_producer() {
    const char* env = std::getenv("SENTINEL_STRESS_EVENTS");
    return env ? std::atoll(env) : kDefaultEvents;
}

constexpr int kProducers = 4;

struct Event {
    std::int32_t producer = 0;
    std::int64_t counter = 0;  // 0, 1, 2, ... per producer
    std::int64_t a_stamp = 0;  // written by stage A
    std::int64_t b_stamp = 0;  // written by stage B
    std::int64_t c_stamp = 0;  // written by stage C
};

std::int64_t stamp(const Event& e, std::int64_t salt) { return (e.counter * 31 + e.producer) ^ salt; }

// Checks that every producer's events arrive exactly once and in the order it published them,
// and that the stages this one depends on already stamped the event.
struct Checker {
    enum Role { a, b, c, d } role;
    std::array<std::int64_t, kProducers> next{};
    std::array<std::int64_t, kProducers> sum{};
    std::int64_t count = 0;
    std::int64_t last_seq = -1;
    std::int64_t errors = 0;

    explicit Checker(Role r) : role(r) {}

    void on_event(Event& e, std::int64_t seq, bool) {
        if (seq != last_seq + 1 || e.producer < 0 || e.producer >= kProducers ||
            e.counter != next[static_cast<std::size_t>(e.producer)]) {
            ++errors;
        }
        last_seq = seq;
        if (e.producer >= 0 && e.producer < kProducers) {
            next[static_cast<std::size_t>(e.producer)] = e.counter + 1;
            sum[static_cast<std::size_t>(e.producer)] += e.counter;
        }
        ++count;
        switch (role) {
        case a: e.a_stamp = stamp(e, 0xA); break;
        case b: e.b_stamp = stamp(e, 0xB); break;
        case c:
            if (e.a_stamp != stamp(e, 0xA) || e.b_stamp != stamp(e, 0xB)) ++errors;
            e.c_stamp = stamp(e, 0xC);
            break;
        case d:
            if (e.c_stamp != stamp(e, 0xC)) ++errors;
            break;
        }
    }

    void expect_complete(std::int64_t per_producer, const char* name) const {
        SCOPED_TRACE(name);
        EXPECT_EQ(errors, 0);
        EXPECT_EQ(count, per_producer * kProducers);
        for (std::size_t p = 0; p < kProducers; ++p) {
            EXPECT_EQ(next[p], per_producer) << "producer " << p;
            EXPECT_EQ(sum[p], per_producer * (per_producer - 1) / 2) << "producer " << p;
        }
    }
};

// Publishes `n` events for producer `p` in claims of 1..8 slots, with try_next on every third claim.
template <class D>
void produce(D& d, int p, std::int64_t n) {
    auto& seq = d.sequencer();
    std::int64_t counter = 0;
    std::uint32_t round = static_cast<std::uint32_t>(p);
    while (counter < n) {
        const std::int64_t batch = std::min<std::int64_t>(1 + (round++ % 8), n - counter);
        std::int64_t hi;
        if (round % 3 == 0) {
            std::optional<std::int64_t> claimed;
            while (!(claimed = seq.try_next(batch))) std::this_thread::yield();
            hi = *claimed;
        } else {
            hi = seq.next(batch);
        }
        for (std::int64_t s = hi - batch + 1; s <= hi; ++s) {
            Event& e = d.ring()[s];
            e.producer = p;
            e.counter = counter++;
            e.a_stamp = e.b_stamp = e.c_stamp = -1;  // last lap's stamps must not satisfy a check
        }
        seq.publish(hi - batch + 1, hi);
    }
}

template <class W>
void run_diamond_then_pipeline(std::size_t ring_size, std::int64_t per_producer) {
    Checker a(Checker::a), b(Checker::b), c(Checker::c), d(Checker::d);
    Disruptor<Event, ProducerType::multi, W> disruptor(ring_size);
    disruptor.handle_events_with(a, b).then(c).then(d);  // diamond A,B -> C, then pipeline C -> D
    disruptor.start();
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] { produce(disruptor, p, per_producer); });
    for (auto& t : producers) t.join();
    ASSERT_TRUE(disruptor.drain_and_halt());
    a.expect_complete(per_producer, "A");
    b.expect_complete(per_producer, "B");
    c.expect_complete(per_producer, "C");
    d.expect_complete(per_producer, "D");
}

TEST(DisruptorStress, FourProducersDiamondAndPipelineBlocking) {
    run_diamond_then_pipeline<BlockingWaitStrategy>(1024, events_per_producer());
}

TEST(DisruptorStress, FourProducersManyLapsOfA64SlotRing) {
    run_diamond_then_pipeline<YieldingWaitStrategy>(64, events_per_producer());
}

TEST(DisruptorStress, FourProducersPhasedBackoff) {
    using W = PhasedBackoffWaitStrategy<SleepingWaitStrategy>;
    Checker a(Checker::a), b(Checker::b), c(Checker::c), d(Checker::d);
    Disruptor<Event, ProducerType::multi, W> disruptor(256, 20us, 50us);
    disruptor.handle_events_with(a, b).then(c).then(d);
    disruptor.start();
    const std::int64_t n = events_per_producer() / 4;
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) producers.emplace_back([&, p] { produce(disruptor, p, n); });
    for (auto& t : producers) t.join();
    ASSERT_TRUE(disruptor.drain_and_halt());
    d.expect_complete(n, "D");
}

// One producer, so every event counts as producer 0; checks order and exactly-once through a
// three-stage pipeline over thousands of laps.
TEST(DisruptorStress, SingleProducerPipelineManyLaps) {
    struct InOrder {
        std::int64_t expect = 0, errors = 0;
        void on_event(Event& e, std::int64_t seq, bool) {
            if (e.counter != expect || seq != expect) ++errors;
            ++expect;
        }
    } s1, s2, s3;
    Disruptor<Event, ProducerType::single, YieldingWaitStrategy> d(64);
    d.handle_events_with(s1).then(s2).then(s3);
    d.start();
    const std::int64_t n = 2 * events_per_producer();
    std::int64_t counter = 0;
    while (counter < n) {
        const std::int64_t batch = std::min<std::int64_t>(1 + counter % 32, n - counter);
        d.publish_events(batch, [&](Event& e, std::int64_t) { e.counter = counter++; });
    }
    ASSERT_TRUE(d.drain_and_halt());
    for (auto* s : {&s1, &s2, &s3}) {
        EXPECT_EQ(s->expect, n);
        EXPECT_EQ(s->errors, 0);
    }
}

// Producers that never block: try_next against a consumer that stalls now and then, so the ring
// really is full at times. Every event must still arrive exactly once.
TEST(DisruptorStress, TryNextUnderAFullRing) {
    struct Stalling : Checker {
        Stalling() : Checker(Checker::a) {}
        void on_event(Event& e, std::int64_t seq, bool eob) {
            Checker::on_event(e, seq, eob);
            if (count % 1024 == 0) std::this_thread::sleep_for(200us);
        }
    } consumer;
    Disruptor<Event, ProducerType::multi, BlockingWaitStrategy> d(128);
    d.handle_events_with(consumer);
    d.start();
    const std::int64_t n = events_per_producer() / 4;
    std::atomic<std::int64_t> refusals{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] {
            std::int64_t refused = 0;
            for (std::int64_t i = 0; i < n;) {
                const std::int64_t batch = std::min<std::int64_t>(1 + i % 4, n - i);
                const auto hi = d.sequencer().try_next(batch);
                if (!hi) {
                    ++refused;
                    std::this_thread::yield();
                    continue;
                }
                for (std::int64_t s = *hi - batch + 1; s <= *hi; ++s) {
                    d.ring()[s].producer = p;
                    d.ring()[s].counter = i++;
                }
                d.sequencer().publish(*hi - batch + 1, *hi);
            }
            refusals.fetch_add(refused);
        });
    for (auto& t : producers) t.join();
    ASSERT_TRUE(d.drain_and_halt());
    consumer.expect_complete(n, "consumer");
    EXPECT_GT(refusals.load(), 0) << "the ring never filled: the test did not test try_next";
}

// drain_and_halt while producers are still publishing: everything published before the call
// must have been handled by every stage when it returns.
TEST(DisruptorStress, DrainRacesWithTheLastPublishes) {
    const int rounds = events_per_producer() >= 1'000'000 ? 500 : 50;
    std::mt19937 rng(12345);
    for (int round = 0; round < rounds; ++round) {
        Checker a(Checker::a), b(Checker::b), c(Checker::c);
        Disruptor<Event, ProducerType::multi, BlockingWaitStrategy> d(256);
        d.handle_events_with(a, b).then(c);
        d.start();
        std::atomic<bool> stop{false};
        std::array<std::atomic<std::int64_t>, 2> published{};
        std::vector<std::thread> producers;
        for (int p = 0; p < 2; ++p)
            producers.emplace_back([&, p] {
                for (std::int64_t i = 0; !stop.load(std::memory_order_relaxed);) {
                    const auto hi = d.sequencer().try_next(1);
                    if (!hi) {
                        std::this_thread::yield();
                        continue;
                    }
                    d.ring()[*hi].producer = p;
                    d.ring()[*hi].counter = i++;
                    d.ring()[*hi].a_stamp = d.ring()[*hi].b_stamp = -1;
                    d.sequencer().publish(*hi);
                    published[static_cast<std::size_t>(p)].store(i, std::memory_order_release);
                }
            });
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
        const std::int64_t before0 = published[0].load(std::memory_order_acquire);
        const std::int64_t before1 = published[1].load(std::memory_order_acquire);
        const bool drained = d.drain_and_halt(30s);
        stop.store(true);  // producers stop before any ASSERT can leave this scope
        for (auto& t : producers) t.join();
        ASSERT_TRUE(drained) << "round " << round;
        for (Checker* k : {&a, &b, &c}) {
            ASSERT_EQ(k->errors, 0) << "round " << round;
            ASSERT_GE(k->next[0], before0) << "round " << round << ": drain lost an event of producer 0";
            ASSERT_GE(k->next[1], before1) << "round " << round << ": drain lost an event of producer 1";
        }
    }
}

// Every round trip puts both stages of the ping ring and the stage of the pong ring to sleep, so
// one missed wake-up stalls the test; the watchdog turns that into a failure.
TEST(DisruptorStress, BlockingStagesNeverMissAWakeUp) {
    struct Counted {
        std::atomic<std::int64_t> count{0};
        void on_event(Event&, std::int64_t, bool) { count.fetch_add(1, std::memory_order_release); }
    } pong_seen;
    Disruptor<Event, ProducerType::single, BlockingWaitStrategy> pong(64);
    pong.handle_events_with(pong_seen);
    struct Echo {
        decltype(pong)& out;
        void on_event(Event& e, std::int64_t, bool) {
            out.publish_event([&](Event& o, std::int64_t) { o.counter = e.counter; });
        }
    } echo{pong};
    struct Follower {
        std::int64_t count = 0;
        void on_event(Event&, std::int64_t, bool) { ++count; }
    } follower;
    Disruptor<Event, ProducerType::single, BlockingWaitStrategy> ping(64);
    ping.handle_events_with(echo).then(follower);  // the follower sleeps on a stage, not the cursor
    pong.start();
    ping.start();
    const std::int64_t rounds = events_per_producer() / 20;
    for (std::int64_t i = 0; i < rounds; ++i) {
        ping.publish_event([i](Event& e, std::int64_t) { e.counter = i; });
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (pong_seen.count.load(std::memory_order_acquire) <= i) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "missed wake-up in round " << i;
            std::this_thread::yield();
        }
    }
    ASSERT_TRUE(ping.drain_and_halt(10s));
    ASSERT_TRUE(pong.drain_and_halt(10s));
    EXPECT_EQ(follower.count, rounds);
    EXPECT_EQ(pong_seen.count.load(), rounds);
}

}  // namespace
}  // namespace sentinel::disruptor
