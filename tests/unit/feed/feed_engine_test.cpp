// FeedEngine: top-of-book records from the books after each change (fields, symbol, times, the
// numbering), nothing for changes below the top, every listed instrument stale once a gap is given
// up (and the records saying so), finish() applying what waited behind a gap; and the record
// layout and datagram header of the documented format.

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "feed/feed_engine.hpp"
#include "feed/top_of_book.hpp"
#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using test::add_order;
using test::mold_packet;
using test::order_delete;
using test::stock_directory;

constexpr std::string_view kSession = "ENGINE0001";

struct CountingRequester {
    std::vector<mold::Request> sent;
    void send(const mold::Request& r) { sent.push_back(r); }
};

struct RecordingOutput {
    std::vector<TopOfBook> tops;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps, given_up;
    void on_top(const TopOfBook& t) { tops.push_back(t); }
    void on_gap(std::uint64_t first, std::uint64_t count) { gaps.emplace_back(first, count); }
    void on_unrecoverable(std::uint64_t first, std::uint64_t count) { given_up.emplace_back(first, count); }
    void on_gap_closed(const GapRecord& r) { closed.push_back(r); }
    void on_refused(const RefusedPacket& p) { refused.push_back(p); }
    void on_reanchor(std::uint64_t from, std::uint64_t to) { reanchors.emplace_back(from, to); }
    std::vector<GapRecord> closed;
    std::vector<RefusedPacket> refused;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reanchors;
};

struct EngineTest : ::testing::Test {
    CountingRequester requester;
    RecordingOutput out;
    FeedEngine<CountingRequester, RecordingOutput> engine{
        requester, out, ArbitrationConfig{}, BookConfig{.max_orders = 1024, .max_levels = 256, .ladder_rungs = 1024}};

    void packet(std::uint64_t sequence, const std::vector<test::Message>& messages, std::uint64_t now_ns = 1'000,
                Line line = Line::a) {
        engine.on_packet(line, mold_packet(kSession, sequence, messages), now_ns, 5'000'000'000 + now_ns);
    }
};

TEST_F(EngineTest, PublishesTheTopAfterEachChangeOfIt) {
    packet(1, {stock_directory(7, "AAPL"), add_order(7, 100, 'B', 300, 1'234'500), add_order(7, 101, 'B', 50, 1'234'400),
               add_order(7, 102, 'S', 200, 1'235'000)}, 2'000);
    ASSERT_EQ(out.tops.size(), 2u) << "the second bid is below the best: no change of the top";
    const TopOfBook& t = out.tops[1];
    EXPECT_EQ(t.stock_locate, 7);
    EXPECT_EQ(std::string_view(t.symbol.data(), 8), "AAPL    ");
    EXPECT_EQ(t.bid_price, 1'234'500u);
    EXPECT_EQ(t.bid_shares, 300u);
    EXPECT_EQ(t.bid_orders, 1u);
    EXPECT_EQ(t.ask_price, 1'235'000u);
    EXPECT_EQ(t.ask_shares, 200u);
    EXPECT_EQ(t.ask_orders, 1u);
    EXPECT_EQ(t.itch_timestamp, 1u) << "the message's own timestamp";
    EXPECT_EQ(t.receive_time, 5'000'002'000u) << "the packet's arrival";
    EXPECT_EQ(t.flags, 0);
    EXPECT_EQ(out.tops[0].ask_orders, 0u) << "an empty side reads 0";
    EXPECT_EQ(out.tops[0].ask_price, 0u);
    EXPECT_EQ(engine.top_changes(), 2u);

    packet(5, {order_delete(7, 100)});
    ASSERT_EQ(out.tops.size(), 3u);
    EXPECT_EQ(out.tops[2].bid_price, 1'234'400u) << "the next level up";
    EXPECT_EQ(out.tops[2].bid_shares, 50u);
}

TEST_F(EngineTest, AGapGivenUpMakesEveryListedInstrumentStale) {
    packet(1, {stock_directory(1, "AAA"), stock_directory(2, "BBB"), add_order(1, 10, 'B', 100, 10'000)});
    packet(10, {add_order(2, 11, 'S', 100, 20'000)}, 2'000);  // 4..9 missing
    ASSERT_TRUE(engine.waiting());
    EXPECT_EQ(engine.stale_instruments(), 0u);
    engine.finish(3'000);
    ASSERT_EQ(out.given_up.size(), 1u);
    EXPECT_EQ(out.given_up[0], std::make_pair(std::uint64_t{4}, std::uint64_t{6}));
    EXPECT_EQ(engine.stale_instruments(), 2u);
    ASSERT_EQ(out.tops.size(), 2u) << "finish() applied the message held behind the gap";
    EXPECT_EQ(out.tops[1].stock_locate, 2);
    EXPECT_EQ(out.tops[1].flags, TopOfBook::kStale);
    EXPECT_EQ(engine.arbitration().get(ArbitrationCounter::unrecoverable_messages), 6u);

    packet(11, {add_order(1, 12, 'B', 100, 10'100)}, 4'000);
    ASSERT_EQ(out.tops.size(), 3u);
    EXPECT_EQ(out.tops[2].flags, TopOfBook::kStale) << "stale for the rest of the session";
}

TEST_F(EngineTest, ARecoveredGapLeavesNothingStale) {
    packet(1, {stock_directory(1, "AAA")});
    packet(3, {add_order(1, 10, 'B', 100, 10'000)}, 1'000);
    packet(2, {add_order(1, 9, 'B', 100, 9'000)}, 1'500, Line::recovery);
    EXPECT_FALSE(engine.waiting());
    EXPECT_EQ(engine.stale_instruments(), 0u);
    ASSERT_EQ(out.tops.size(), 2u);
    EXPECT_EQ(out.tops[1].bid_price, 10'000u);
}

TEST_F(EngineTest, TimeNeverRunsBackwards) {
    packet(1, {stock_directory(1, "AAA")}, 10'000'000);
    packet(3, {add_order(1, 10, 'B', 100, 10'000)}, 10'000'000);
    engine.on_timer(20'000'000);  // past the 2 ms tolerance: a gap, re-requested
    ASSERT_EQ(requester.sent.size(), 1u);
    // A burst that waited in the ring carries an earlier time: it must not re-arm the retry early
    // or underflow the timers.
    packet(4, {add_order(1, 11, 'B', 100, 10'000)}, 15'000'000);
    engine.on_timer(21'000'000);
    EXPECT_EQ(requester.sent.size(), 1u) << "the retry waits its 5 ms from 20 ms";
    engine.on_timer(26'000'000);
    EXPECT_EQ(requester.sent.size(), 2u);
}

TEST(TopOfBookFormat, HeaderIsMagicSizeCountAndFirstSequence) {
    std::array<std::byte, kTopOfBookHeaderSize> h{};
    write_top_of_book_header(h, 21, 0x0102030405060708ULL);
    const unsigned char expected[] = {'S', 'T', 'B', '1', 64, 0, 21, 0, 8, 7, 6, 5, 4, 3, 2, 1};
    EXPECT_EQ(std::memcmp(h.data(), expected, sizeof(expected)), 0);
    EXPECT_LE(kTopOfBookMaxPayload, 1472u) << "one datagram in a 1,500-byte MTU";
}

TEST(TopOfBookFormat, RecordFieldsSitWhereTheFormatSays) {
    TopOfBook t;
    t.itch_timestamp = 0x1111;
    t.bid_price = 0x2222;
    t.ask_shares = 0x4444;
    t.ask_price = 0x5555;
    t.ask_orders = 0x6666;
    t.stock_locate = 0x3333;
    t.flags = TopOfBook::kStale;
    t.symbol = {'M', 'S', 'F', 'T', ' ', ' ', ' ', ' '};
    unsigned char b[sizeof t];
    std::memcpy(b, &t, sizeof t);
    EXPECT_EQ(b[0], 0x11);
    EXPECT_EQ(b[24], 0x44);
    EXPECT_EQ(b[32], 0x22);
    EXPECT_EQ(b[36], 0x55);
    EXPECT_EQ(b[44], 0x66);
    EXPECT_EQ(b[48], 0x33);
    EXPECT_EQ(b[50], 1);
    EXPECT_EQ(b[51], 0);
    EXPECT_EQ(std::memcmp(b + 52, "MSFT    ", 8), 0);
    EXPECT_EQ(b[60] | b[61] | b[62] | b[63], 0);
}

}  // namespace
}  // namespace sentinel::feed
