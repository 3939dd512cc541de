#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <future>
#include <thread>

#include "disruptor/blocking_wait_strategy.hpp"
#include "disruptor/busy_spin_wait_strategy.hpp"
#include "disruptor/phased_backoff_wait_strategy.hpp"
#include "disruptor/sleeping_wait_strategy.hpp"
#include "disruptor/yielding_wait_strategy.hpp"

namespace sentinel::disruptor {
namespace {

using namespace std::chrono_literals;

template <class W>
W make_strategy() {
    if constexpr (std::is_same_v<W, PhasedBackoffWaitStrategy<BlockingWaitStrategy>>)
        return W(10us, 10us);  // guaranteed elision: strategies are not movable
    else
        return W();
}

// A failed wait must not leave the future's destructor blocked on a thread that sleeps forever.
template <class W>
void release_if_stuck(bool woke, W& w, Sequence& dep, std::atomic<bool>& alerted) {
    if (woke) return;
    dep.store_release(1'000'000);
    alerted.store(true);
    w.signal_all_when_blocking();
}

template <class W>
struct WaitStrategyTest : ::testing::Test {};

using Strategies = ::testing::Types<BusySpinWaitStrategy, YieldingWaitStrategy, SleepingWaitStrategy,
                                    BlockingWaitStrategy, PhasedBackoffWaitStrategy<BlockingWaitStrategy>>;
TYPED_TEST_SUITE(WaitStrategyTest, Strategies);

TYPED_TEST(WaitStrategyTest, ReturnsAtOnceWhenAlreadyAvailable) {
    auto w = make_strategy<TypeParam>();
    Sequence dep(10);
    SequenceGroup deps({&dep});
    std::atomic<bool> alerted{false};
    EXPECT_EQ(w.wait_for(4, deps, alerted), 10);
}

TYPED_TEST(WaitStrategyTest, WakesWhenTheDependencyAdvances) {
    auto w = make_strategy<TypeParam>();
    Sequence dep;
    SequenceGroup deps({&dep});
    std::atomic<bool> alerted{false};
    auto waiter = std::async(std::launch::async, [&] { return w.wait_for(3, deps, alerted); });
    std::this_thread::sleep_for(5ms);
    dep.store_release(2);
    w.signal_all_when_blocking();
    std::this_thread::sleep_for(5ms);
    dep.store_release(5);
    w.signal_all_when_blocking();
    const bool woke = waiter.wait_for(10s) == std::future_status::ready;
    release_if_stuck(woke, w, dep, alerted);
    ASSERT_TRUE(woke) << "missed wake-up";
    EXPECT_EQ(waiter.get(), 5);
}

TYPED_TEST(WaitStrategyTest, ReturnsBelowTheSequenceWhenAlerted) {
    auto w = make_strategy<TypeParam>();
    Sequence dep;
    SequenceGroup deps({&dep});
    std::atomic<bool> alerted{false};
    auto waiter = std::async(std::launch::async, [&] { return w.wait_for(0, deps, alerted); });
    std::this_thread::sleep_for(5ms);
    alerted.store(true);
    w.signal_all_when_blocking();
    const bool woke = waiter.wait_for(10s) == std::future_status::ready;
    release_if_stuck(woke, w, dep, alerted);
    ASSERT_TRUE(woke) << "alert did not wake the waiter";
    EXPECT_EQ(waiter.get(), -1);
}

TEST(TimeoutWaitStrategies, ReturnBelowTheSequenceAfterTheTimeout) {
    Sequence dep;
    SequenceGroup deps({&dep});
    std::atomic<bool> alerted{false};
    BlockingWaitStrategy blocking(2ms);
    SleepingWaitStrategy sleeping(100us, 2ms);
    PhasedBackoffWaitStrategy<BlockingWaitStrategy> phased(10us, 10us, 2ms);
    EXPECT_EQ(blocking.wait_for(0, deps, alerted), -1);
    EXPECT_EQ(sleeping.wait_for(0, deps, alerted), -1);
    EXPECT_EQ(phased.wait_for(0, deps, alerted), -1);
}

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// LMAX's blocking strategy sleeps on the producer cursor but spins on an upstream stage; here a
// stage waiting on another stage must sleep too.
TEST(BlockingWaitStrategy, WaitingOnAnUpstreamStageBurnsNoCpu) {
    BlockingWaitStrategy w;
    Sequence upstream;      // the stage we depend on is stuck
    SequenceGroup deps({&upstream});
    std::atomic<bool> alerted{false};
    auto waiter = std::async(std::launch::async, [&] {
        const auto before = thread_cpu_time();
        const auto got = w.wait_for(0, deps, alerted);
        return std::pair(got, thread_cpu_time() - before);
    });
    std::this_thread::sleep_for(300ms);
    upstream.store_release(0);
    w.signal_all_when_blocking();
    const bool woke = waiter.wait_for(10s) == std::future_status::ready;
    release_if_stuck(woke, w, upstream, alerted);
    ASSERT_TRUE(woke) << "missed wake-up";
    const auto [got, cpu] = waiter.get();
    EXPECT_EQ(got, 0);
    EXPECT_LT(cpu, 30ms) << "the waiter spun instead of sleeping";
}

}  // namespace
}  // namespace sentinel::disruptor
