#include "disruptor/sequence.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace sentinel::disruptor {
namespace {

TEST(Sequence, StartsAtMinusOne) {
    Sequence s;
    EXPECT_EQ(s.load_acquire(), -1);
    EXPECT_EQ(Sequence(41).load_relaxed(), 41);
}

TEST(Sequence, StoreAndLoad) {
    Sequence s;
    s.store_release(7);
    EXPECT_EQ(s.load_acquire(), 7);
    s.store_relaxed(9);
    EXPECT_EQ(s.load_relaxed(), 9);
}

TEST(Sequence, FetchAddReturnsPreviousValue) {
    Sequence s;
    EXPECT_EQ(s.fetch_add_relaxed(4), -1);
    EXPECT_EQ(s.load_acquire(), 3);
}

TEST(Sequence, CompareExchangeOnlyFromExpected) {
    Sequence s(10);
    std::int64_t expected = 9;
    EXPECT_FALSE(s.compare_exchange_weak_relaxed(expected, 20));
    EXPECT_EQ(expected, 10);
    while (!s.compare_exchange_weak_relaxed(expected, 20)) {
    }
    EXPECT_EQ(s.load_acquire(), 20);
}

TEST(Sequence, OwnsItsLinePair) {
    Sequence pair[2];
    const auto a = reinterpret_cast<std::uintptr_t>(&pair[0]);
    const auto b = reinterpret_cast<std::uintptr_t>(&pair[1]);
    EXPECT_EQ(a % kFalseSharingRange, 0u);
    EXPECT_GE(b - a, kFalseSharingRange);
}

TEST(SequenceGroup, MinimumOfMembersCappedByCeiling) {
    Sequence a(5), b(3), c(8);
    SequenceGroup g({&a, &b, &c});
    EXPECT_EQ(g.minimum(), 3);
    EXPECT_EQ(g.minimum(2), 2);
    b.store_release(10);
    EXPECT_EQ(g.minimum(), 5);
}

TEST(SequenceGroup, EmptyGroupReturnsCeiling) {
    SequenceGroup g;
    EXPECT_TRUE(g.empty());
    EXPECT_EQ(g.minimum(42), 42);
    EXPECT_EQ(g.minimum(), std::numeric_limits<std::int64_t>::max());
}

}  // namespace
}  // namespace sentinel::disruptor
