// GapTracker: ranges added at the top, filled from the front, the back and the middle (a split that
// keeps the age and the declaration), no room to split, trimmed from the front.

#include <gtest/gtest.h>

#include <memory_resource>

#include "feed/gap_tracker.hpp"

namespace sentinel::feed {
namespace {

TEST(GapTracker, FindsTheRangeHoldingASequenceNumber) {
    GapTracker t(4, std::pmr::get_default_resource());
    EXPECT_EQ(t.find(5), nullptr);
    t.add(10, 12, 100, 1);
    t.add(14, 15, 200, 2);
    EXPECT_EQ(t.find(9), nullptr);
    ASSERT_NE(t.find(10), nullptr);
    EXPECT_EQ(t.find(11)->first, 10u);
    EXPECT_EQ(t.find(12), nullptr);
    EXPECT_EQ(t.find(14)->since_ns, 200u);
    EXPECT_EQ(t.find(15), nullptr);
}

TEST(GapTracker, ArrivalsShrinkFromEitherEndAndSplitInTheMiddle) {
    GapTracker t(4, std::pmr::get_default_resource());
    t.add(10, 20, 100, 7);
    EXPECT_EQ(t.arrive(10, 150, 0).arrival, Arrival::late);
    EXPECT_EQ(t.front().first, 11u);
    EXPECT_EQ(t.arrive(19, 160, 0).arrival, Arrival::late);
    EXPECT_EQ(t.front().end, 19u);
    t.front().gap = true;
    t.front().gap_id = 3;
    t.front().stalled_ns = 500;
    const Filled filled = t.arrive(15, 600, 0);
    EXPECT_EQ(filled.arrival, Arrival::declared);
    EXPECT_EQ(filled.gap_id, 3u);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].first, 11u);
    EXPECT_EQ(t[0].end, 15u);
    EXPECT_EQ(t[1].first, 16u);
    EXPECT_EQ(t[1].end, 19u);
    EXPECT_TRUE(t[1].gap) << "both parts keep the declaration";
    EXPECT_EQ(t[1].gap_id, 3u);
    EXPECT_EQ(t[0].stalled_ns, 600u) << "and neither part is stalled: a number of it arrived";
    EXPECT_EQ(t[1].stalled_ns, 600u);
    EXPECT_EQ(t[1].since_ns, 100u) << "and the age";
    EXPECT_EQ(t[1].since_packet, 7u);
    EXPECT_EQ(t.arrive(11, 700, 0).arrival, Arrival::declared);
    EXPECT_EQ(t[0].stalled_ns, 700u) << "an arrival restarts the clock of every part of its gap";
    EXPECT_EQ(t[1].stalled_ns, 700u);
    for (std::uint64_t s = 16; s < 19; ++s) t.arrive(s, 800, 0);
    EXPECT_EQ(t.size(), 1u) << "an emptied range goes";
}

TEST(GapTracker, SplitNeedsARecordAndChangesNothingWithoutOne) {
    GapTracker t(2, std::pmr::get_default_resource());
    t.add(10, 20, 0, 0);
    t.add(30, 40, 0, 0);
    ASSERT_TRUE(t.full());
    EXPECT_EQ(t.arrive(15, 0, 0).arrival, Arrival::no_room);
    EXPECT_EQ(t[0].first, 10u);
    EXPECT_EQ(t[0].end, 20u);
    EXPECT_EQ(t.arrive(10, 0, 0).arrival, Arrival::late) << "shrinking needs no record";
    EXPECT_EQ(t.arrive(39, 0, 0).arrival, Arrival::late);
    EXPECT_EQ(t[1].end, 39u);
}

TEST(GapTracker, TrimFrontGivesUpItsLowNumbers) {
    GapTracker t(4, std::pmr::get_default_resource());
    t.add(10, 20, 0, 0);
    t.add(30, 40, 0, 0);
    t.trim_front(15);
    EXPECT_EQ(t.front().first, 15u);
    t.trim_front(20);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t.front().first, 30u);
}

}  // namespace
}  // namespace sentinel::feed
