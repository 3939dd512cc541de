// RecoveryScheduler: requests for declared gaps only, split by max_request, capped in flight,
// retired when their first number arrives (the rest asked for again at once), re-sent after
// retry_ns clipped to what is still missing.

#include <gtest/gtest.h>

#include <memory_resource>
#include <vector>

#include "feed/recovery_scheduler.hpp"

namespace sentinel::feed {
namespace {

std::vector<RecoveryRequest> sent(std::span<const RecoveryRequest> r) { return {r.begin(), r.end()}; }

void declare(GapTracker& t, std::size_t i) { t[i].gap = true; }

TEST(RecoveryScheduler, AsksForDeclaredGapsOnlyLowestFirstWithinTheCaps) {
    std::pmr::memory_resource* m = std::pmr::get_default_resource();
    GapTracker gaps(8, m);
    RecoveryScheduler s(/*max_in_flight=*/3, /*max_request=*/4, /*retry_ns=*/1'000, m);
    gaps.add(10, 16, 0, 0);
    gaps.add(20, 30, 0, 0);
    EXPECT_TRUE(s.poll(gaps, 0).empty()) << "nothing declared";
    declare(gaps, 0);
    declare(gaps, 1);
    EXPECT_EQ(sent(s.poll(gaps, 0)),
              (std::vector<RecoveryRequest>{{10, 4, false}, {14, 2, false}, {20, 4, false}}));
    EXPECT_EQ(s.in_flight(), 3u);
    EXPECT_TRUE(s.poll(gaps, 999).empty()) << "the cap is reached and nothing is overdue";
}

TEST(RecoveryScheduler, PartialAnswerRetiresARequestAndTheRestIsAskedForAtOnce) {
    std::pmr::memory_resource* m = std::pmr::get_default_resource();
    GapTracker gaps(8, m);
    RecoveryScheduler s(2, 8, 1'000, m);
    gaps.add(10, 30, 0, 0);
    declare(gaps, 0);
    EXPECT_EQ(sent(s.poll(gaps, 0)), (std::vector<RecoveryRequest>{{10, 8, false}, {18, 8, false}}));
    for (std::uint64_t q = 10; q < 13; ++q) gaps.arrive(q, 0, 0);  // an answer capped at 3
    EXPECT_EQ(sent(s.poll(gaps, 10)), (std::vector<RecoveryRequest>{{13, 5, false}}))
        << "up to the next request in flight";
}

TEST(RecoveryScheduler, OverdueRequestIsSentAgainClippedToWhatIsStillMissing) {
    std::pmr::memory_resource* m = std::pmr::get_default_resource();
    GapTracker gaps(8, m);
    RecoveryScheduler s(1, 8, 1'000, m);
    gaps.add(10, 18, 0, 0);
    declare(gaps, 0);
    EXPECT_EQ(sent(s.poll(gaps, 0)), (std::vector<RecoveryRequest>{{10, 8, false}}));
    gaps.arrive(14, 0, 0);  // a line's late copy splits the gap: [10,14) [15,18)
    EXPECT_TRUE(s.poll(gaps, 999).empty());
    EXPECT_EQ(sent(s.poll(gaps, 1'000)), (std::vector<RecoveryRequest>{{10, 4, true}}));
    for (std::uint64_t q = 10; q < 14; ++q) gaps.arrive(q, 0, 0);
    EXPECT_EQ(sent(s.poll(gaps, 1'001)), (std::vector<RecoveryRequest>{{15, 3, false}}));
}

TEST(RecoveryScheduler, GivenUpNumbersRetireTheirRequests) {
    std::pmr::memory_resource* m = std::pmr::get_default_resource();
    GapTracker gaps(8, m);
    RecoveryScheduler s(2, 8, 1'000, m);
    gaps.add(10, 14, 0, 0);
    declare(gaps, 0);
    s.poll(gaps, 0);
    gaps.trim_front(14);
    EXPECT_TRUE(s.poll(gaps, 5'000).empty());
    EXPECT_EQ(s.in_flight(), 0u);
}

}  // namespace
}  // namespace sentinel::feed
