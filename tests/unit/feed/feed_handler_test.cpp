// The feed handler's decode-and-apply step: each message counted by type, applied to the books and
// the directory, malformed ones counted and never applied, and the update that says whose top
// changed. Sequencing (sessions, duplicates, gaps) is the arbitrator's: feed_arbitration/.

#include "feed/feed_handler.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using namespace test;

constexpr std::uint16_t kLocate = 42;

class Handler : public ::testing::Test {
protected:
    void apply(const std::vector<Message>& messages) {
        for (const Message& m : messages)
            if (const BookUpdate u = handler_.on_message(m); u.top_changed) tops_.push_back(u.locate);
    }
    std::uint64_t count(FeedCounter c) const { return handler_.counters().get(c); }
    std::size_t orders() const { return handler_.books().orders(); }

    FeedHandler handler_{BookConfig{.max_orders = 1000, .max_levels = 1000, .ladder_rungs = 4096}};
    std::vector<std::uint16_t> tops_;
};

TEST_F(Handler, AppliesEachMessageAndSaysWhoseTopChanged) {
    apply({stock_directory(kLocate, "AAPL"), add_order(kLocate, 1, 'B', 100, 500)});
    apply({add_order(kLocate, 2, 'B', 100, 490), order_executed(kLocate, 1, 100)});
    EXPECT_EQ(orders(), 1u);
    EXPECT_EQ(count(FeedCounter::itch_stock_directory), 1u);
    EXPECT_EQ(count(FeedCounter::itch_add_order), 2u);
    EXPECT_EQ(count(FeedCounter::itch_order_executed), 1u);
    EXPECT_TRUE(handler_.instruments()[kLocate].listed);
    EXPECT_EQ(tops_, (std::vector<std::uint16_t>{kLocate, kLocate})) << "the first add, then the execution";
}

TEST_F(Handler, MalformedMessagesAreCountedByKindAndNeverApplied) {
    const Message unknown{std::byte{'Z'}, std::byte{0}};
    Message short_add = add_order(kLocate, 1, 'B', 100, 500);
    short_add.pop_back();
    apply({Message{}, unknown, short_add, add_order(kLocate, 2, 'B', 100, 500)});
    EXPECT_EQ(count(FeedCounter::empty_messages), 1u);
    EXPECT_EQ(count(FeedCounter::unknown_types), 1u);
    EXPECT_EQ(count(FeedCounter::wrong_lengths), 1u);
    EXPECT_EQ(count(FeedCounter::itch_add_order), 1u) << "only the whole one";
    EXPECT_EQ(orders(), 1u);
}

TEST_F(Handler, EveryMessageTypeIsCountedUnderItsOwnLabel) {
    std::vector<Message> all;
    const std::pair<char, std::size_t> types[] = {{'S', 12}, {'R', 39}, {'H', 25}, {'Y', 20}, {'L', 26}, {'V', 35},
                                                  {'W', 12}, {'K', 28}, {'J', 35}, {'h', 21}, {'A', 36}, {'F', 40},
                                                  {'E', 31}, {'C', 36}, {'X', 23}, {'D', 19}, {'U', 35}, {'P', 44},
                                                  {'Q', 40}, {'B', 19}, {'I', 50}, {'N', 20}, {'O', 48}};
    for (const auto& [type, length] : types) {
        Message m(length, std::byte{'B'});  // an add's side 'B'; every other field is just bytes
        m[0] = std::byte(type);
        all.push_back(m);
    }
    apply(all);
    for (std::size_t c = static_cast<std::size_t>(FeedCounter::itch_system_event);
         c <= static_cast<std::size_t>(FeedCounter::itch_direct_listing_price_discovery); ++c)
        EXPECT_EQ(handler_.counters().get(static_cast<FeedCounter>(c)), 1u) << kFeedCounterLabels[c];
    EXPECT_EQ(count(FeedCounter::unknown_types) + count(FeedCounter::wrong_lengths), 0u);
}

TEST(FeedCounters, EveryCounterHasAUniqueLabel) {
    std::set<std::string_view> labels(kFeedCounterLabels.begin(), kFeedCounterLabels.end());
    EXPECT_EQ(labels.size(), kFeedCounterCount);
    EXPECT_EQ(kFeedCounterLabels[static_cast<std::size_t>(FeedCounter::ladders_exhausted)], "book_ladders_exhausted");
    EXPECT_EQ(message_counter('h'), FeedCounter::itch_operational_halt);
    EXPECT_EQ(message_counter('H'), FeedCounter::itch_stock_trading_action);
}

}  // namespace
}  // namespace sentinel::feed
