// The feed handler on MoldUDP64 packets of one stream: sequencing (each number applied once, gaps
// counted), sessions, heartbeats, end of session, malformed packets and messages (counted, never
// applied), and the top-of-book listener.

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
    void packet(std::uint64_t sequence, const std::vector<Message>& messages, std::string_view session = "S1") {
        handler_.on_packet(mold_packet(session, sequence, messages),
                           [&](const BookUpdate& u) { tops_.push_back(u.locate); });
    }
    void raw(const std::vector<std::byte>& payload) { handler_.on_packet(payload); }
    std::uint64_t count(FeedCounter c) const { return handler_.counters().get(c); }
    std::size_t orders() const { return handler_.books().orders(); }

    FeedHandler handler_{BookConfig{.max_orders = 1000, .max_levels = 1000, .ladder_rungs = 4096}};
    std::vector<std::uint16_t> tops_;
};

TEST_F(Handler, AppliesEachMessageOfAnInOrderStream) {
    packet(1, {stock_directory(kLocate, "AAPL"), add_order(kLocate, 1, 'B', 100, 500)});
    packet(3, {add_order(kLocate, 2, 'B', 100, 490), order_executed(kLocate, 1, 100)});
    EXPECT_EQ(handler_.next_sequence(), 5u);
    EXPECT_EQ(orders(), 1u);
    EXPECT_EQ(count(FeedCounter::packets), 2u);
    EXPECT_EQ(count(FeedCounter::itch_stock_directory), 1u);
    EXPECT_EQ(count(FeedCounter::itch_add_order), 2u);
    EXPECT_EQ(count(FeedCounter::itch_order_executed), 1u);
    EXPECT_EQ(count(FeedCounter::gap_messages), 0u);
    EXPECT_EQ(tops_, (std::vector<std::uint16_t>{kLocate, kLocate})) << "the first add, then the execution";
}

TEST_F(Handler, SkipsWhatWasAppliedAlreadyEvenWithinAPacket) {
    packet(1, {add_order(kLocate, 1, 'B', 100, 500), add_order(kLocate, 2, 'B', 100, 500)});
    packet(1, {add_order(kLocate, 1, 'B', 100, 500)});  // a retransmission
    packet(2, {add_order(kLocate, 2, 'B', 100, 500), add_order(kLocate, 3, 'B', 100, 500)});  // overlaps by one
    EXPECT_EQ(count(FeedCounter::duplicate_messages), 2u);
    EXPECT_EQ(count(FeedCounter::duplicate_order_refs), 0u) << "never applied twice";
    EXPECT_EQ(orders(), 3u);
    EXPECT_EQ(handler_.next_sequence(), 4u);
}

TEST_F(Handler, CountsAGapAndCarriesOnAfterIt) {
    packet(1, {add_order(kLocate, 1, 'B', 100, 500)});
    packet(5, {add_order(kLocate, 5, 'B', 100, 500)});
    EXPECT_EQ(count(FeedCounter::gap_messages), 3u) << "2, 3 and 4";
    EXPECT_EQ(orders(), 2u);
    packet(2, {add_order(kLocate, 2, 'B', 100, 500)});
    EXPECT_EQ(count(FeedCounter::duplicate_messages), 1u) << "too late: no recovery here";
    EXPECT_EQ(handler_.next_sequence(), 6u);
}

TEST_F(Handler, AStreamJoinedLateCountsWhatItMissed) {
    packet(1001, {add_order(kLocate, 1, 'B', 100, 500)});
    EXPECT_EQ(count(FeedCounter::gap_messages), 1000u);
    EXPECT_EQ(handler_.next_sequence(), 1002u);
}

TEST_F(Handler, HeartbeatNamesTheNextNumberAndRevealsAGap) {
    packet(1, {add_order(kLocate, 1, 'B', 100, 500)});
    raw(Wire().alpha("S1", 10).u64(2).u16(0).bytes());
    EXPECT_EQ(count(FeedCounter::heartbeats), 1u);
    EXPECT_EQ(count(FeedCounter::gap_messages), 0u);
    raw(Wire().alpha("S1", 10).u64(9).u16(0).bytes());
    EXPECT_EQ(count(FeedCounter::gap_messages), 7u);
    EXPECT_EQ(handler_.next_sequence(), 9u);
    raw(Wire().alpha("S1", 10).u64(4).u16(0).bytes());
    EXPECT_EQ(handler_.next_sequence(), 9u) << "an old heartbeat moves nothing back";
}

TEST_F(Handler, EndOfSessionDoesNotAdvanceTheSequence) {
    packet(1, {add_order(kLocate, 1, 'B', 100, 500)});
    raw(Wire().alpha("S1", 10).u64(2).u16(0xFFFF).bytes());
    raw(Wire().alpha("S1", 10).u64(50).u16(0xFFFF).bytes());
    EXPECT_EQ(count(FeedCounter::end_of_session), 2u);
    EXPECT_EQ(handler_.next_sequence(), 2u);
    EXPECT_EQ(count(FeedCounter::gap_messages), 0u);
    EXPECT_EQ(count(FeedCounter::packets), 1u);
}

TEST_F(Handler, MalformedPacketsAreDroppedWholeAndCounted) {
    auto lying = mold_packet("S1", 1, {add_order(kLocate, 1, 'B', 100, 500), add_order(kLocate, 2, 'B', 100, 500)});
    lying.pop_back();  // the second message is cut short: the first must not be applied either
    raw(lying);
    raw(std::vector<std::byte>(19, std::byte{'S'}));
    EXPECT_EQ(count(FeedCounter::malformed_packets), 2u);
    EXPECT_EQ(orders(), 0u);
    EXPECT_EQ(handler_.next_sequence(), 1u) << "the numbers it claimed are still to come";
    EXPECT_EQ(count(FeedCounter::packets), 0u);
}

TEST_F(Handler, PacketsOfAnotherSessionAreDropped) {
    packet(1, {add_order(kLocate, 1, 'B', 100, 500)}, "20240102A");
    packet(2, {add_order(kLocate, 2, 'B', 100, 500)}, "20240103A");
    raw(Wire().alpha("20240103A", 10).u64(50).u16(0).bytes());
    EXPECT_EQ(count(FeedCounter::foreign_session_packets), 2u);
    EXPECT_EQ(orders(), 1u);
    EXPECT_EQ(handler_.next_sequence(), 2u);
}

TEST_F(Handler, MalformedMessagesAreCountedByKindAndConsumeTheirNumber) {
    const Message unknown{std::byte{'Z'}, std::byte{0}};
    Message short_add = add_order(kLocate, 1, 'B', 100, 500);
    short_add.pop_back();
    packet(1, {Message{}, unknown, short_add, add_order(kLocate, 2, 'B', 100, 500)});
    EXPECT_EQ(count(FeedCounter::empty_messages), 1u);
    EXPECT_EQ(count(FeedCounter::unknown_types), 1u);
    EXPECT_EQ(count(FeedCounter::wrong_lengths), 1u);
    EXPECT_EQ(count(FeedCounter::itch_add_order), 1u) << "only the whole one";
    EXPECT_EQ(orders(), 1u);
    EXPECT_EQ(handler_.next_sequence(), 5u);
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
    packet(1, all);
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
