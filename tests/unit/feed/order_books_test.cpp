// The books, driven by encoded messages through FeedHandler::on_message (decode, then apply): each
// message type's effect, replace semantics, best prices, top-of-book change detection, and every
// capacity running out.

#include "feed/order_books.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "feed/feed_handler.hpp"
#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using namespace test;

using Level = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;  // price, shares, orders
using Levels = std::vector<Level>;

constexpr std::uint16_t kAapl = 13;
constexpr std::uint16_t kMsft = 4000;

class Books : public ::testing::Test {
protected:
    explicit Books(BookConfig config = {.max_orders = 1000, .max_levels = 1000, .ladder_rungs = 4096})
        : handler_(config) {}

    BookUpdate apply(const Message& m) { return handler_.on_message(m); }

    Levels levels(std::uint16_t locate, Side side) const {
        Levels out;
        handler_.books().for_each_level(locate, side, [&](const PriceLevel& l) {
            out.emplace_back(l.price, l.shares, l.orders);
        });
        return out;
    }
    std::uint64_t count(FeedCounter c) const { return handler_.counters().get(c); }
    Quote best(std::uint16_t locate, Side side) const { return handler_.books().best(locate, side); }

    FeedHandler handler_;
};

TEST_F(Books, AddsBuildBothSidesBestFirst) {
    apply(add_order(kAapl, 1, 'B', 100, 1000000));
    apply(add_order(kAapl, 2, 'B', 200, 1010000));
    apply(add_order(kAapl, 3, 'B', 300, 990000));
    apply(add_order(kAapl, 4, 'S', 400, 1030000));
    apply(add_order(kAapl, 5, 'S', 500, 1020000));
    apply(add_order(kAapl, 6, 'S', 600, 1040000));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{1010000, 200, 1}, {1000000, 100, 1}, {990000, 300, 1}}));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{1020000, 500, 1}, {1030000, 400, 1}, {1040000, 600, 1}}));
    EXPECT_EQ(handler_.books().orders(), 6u);
    EXPECT_EQ(handler_.books().levels(), 6u);
    EXPECT_EQ(count(FeedCounter::itch_add_order), 6u);
}

TEST_F(Books, OrdersAtOnePriceShareALevel) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 4'000'000'000, 500));
    apply(add_order(kAapl, 3, 'B', 4'000'000'000, 500));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 8'000'000'100, 3}})) << "shares add up past 2^32";
}

TEST_F(Books, AddWithMpidIsTheSameOrderToTheBook) {
    apply(add_order_mpid(kAapl, 9, 'S', 75, 123400, "GSCO"));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{123400, 75, 1}}));
    EXPECT_EQ(count(FeedCounter::itch_add_order_mpid), 1u);
    apply(order_delete(kAapl, 9));
    EXPECT_TRUE(levels(kAapl, Side::ask).empty());
}

TEST_F(Books, ExecutionsReduceSharesAndTheOrderLeavesAtZero) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 50, 500));
    apply(order_executed(kAapl, 1, 30));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 120, 2}}));
    apply(order_executed(kAapl, 1, 70));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 50, 1}})) << "order 1 fully executed";
    apply(order_executed(kAapl, 1, 1));
    EXPECT_EQ(count(FeedCounter::unknown_order_refs), 1u) << "order 1 is gone";
    apply(order_executed(kAapl, 2, 50));
    EXPECT_TRUE(levels(kAapl, Side::bid).empty()) << "the level goes with its last order";
    EXPECT_EQ(handler_.books().levels(), 0u);
    EXPECT_EQ(handler_.books().orders(), 0u);
}

TEST_F(Books, ExecutionWithPriceReducesTheOrderAtItsRestingPrice) {
    apply(add_order(kAapl, 1, 'S', 100, 20000));
    apply(order_executed_with_price(kAapl, 1, 40, 19900));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{20000, 60, 1}})) << "the execution price moves nothing";
    apply(order_executed_with_price(kAapl, 1, 60, 19800));
    EXPECT_TRUE(levels(kAapl, Side::ask).empty());
    EXPECT_EQ(count(FeedCounter::itch_order_executed_with_price), 2u);
}

TEST_F(Books, CancelReducesSharesAndAFullCancelRemovesTheOrder) {
    apply(add_order(kAapl, 1, 'S', 100, 20000));
    apply(order_cancel(kAapl, 1, 25));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{20000, 75, 1}}));
    apply(order_cancel(kAapl, 1, 75));
    EXPECT_TRUE(levels(kAapl, Side::ask).empty());
    EXPECT_EQ(handler_.books().orders(), 0u);
}

TEST_F(Books, ReductionBeyondTheOpenSharesRemovesTheOrderAndIsCounted) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 10, 500));
    apply(order_cancel(kAapl, 1, 101));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 10, 1}}));
    EXPECT_EQ(count(FeedCounter::excess_reductions), 1u);
}

TEST_F(Books, DeleteRemovesTheOrderAndItsEmptyLevelOnly) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 200, 500));
    apply(add_order(kAapl, 3, 'B', 300, 400));
    apply(order_delete(kAapl, 1));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 200, 1}, {400, 300, 1}}));
    apply(order_delete(kAapl, 3));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 200, 1}}));
}

TEST_F(Books, ReplaceMovesTheOrderToANewReferencePriceAndSizeOnTheSameSide) {
    apply(add_order(kAapl, 1, 'S', 100, 20000));
    apply(add_order(kAapl, 2, 'S', 100, 20100));
    apply(order_replace(kAapl, 1, 10, 70, 20100));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{20100, 170, 2}})) << "old level emptied, new price joined";
    EXPECT_TRUE(levels(kAapl, Side::bid).empty()) << "still a sell";
    apply(order_executed(kAapl, 1, 1));
    EXPECT_EQ(count(FeedCounter::unknown_order_refs), 1u) << "the original reference is gone";
    apply(order_executed(kAapl, 10, 20));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{20100, 150, 2}})) << "the new one is live";
    apply(order_replace(kAapl, 10, 11, 5, 19000));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{19000, 5, 1}, {20100, 100, 1}}));
}

TEST_F(Books, ReplaceKeepsTheOriginalsInstrument) {
    apply(add_order(kMsft, 1, 'B', 100, 3000000));
    apply(order_replace(kAapl, 1, 2, 50, 3000100));  // a wrong locate on the U: the order knows better
    EXPECT_TRUE(levels(kAapl, Side::bid).empty());
    EXPECT_EQ(levels(kMsft, Side::bid), (Levels{{3000100, 50, 1}}));
}

TEST_F(Books, ReplaceToTheSameReferenceWorks) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(order_replace(kAapl, 1, 1, 80, 510));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{510, 80, 1}}));
}

TEST_F(Books, ReplaceOntoARestingReferenceRemovesTheOriginalOnly) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 100, 490));
    apply(order_replace(kAapl, 1, 2, 80, 510));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{490, 100, 1}}));
    EXPECT_EQ(count(FeedCounter::duplicate_order_refs), 1u);
}

TEST_F(Books, UnknownReferencesAreCountedAndChangeNothing) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    for (const Message& m : {order_executed(kAapl, 9, 1), order_executed_with_price(kAapl, 9, 1, 1),
                             order_cancel(kAapl, 9, 1), order_delete(kAapl, 9), order_replace(kAapl, 9, 10, 1, 1)}) {
        const BookUpdate u = apply(m);
        EXPECT_FALSE(u.top_changed);
    }
    EXPECT_EQ(count(FeedCounter::unknown_order_refs), 5u);
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 100, 1}}));
    EXPECT_EQ(handler_.books().orders(), 1u) << "the replace added nothing either";
}

TEST_F(Books, DuplicateAddIsRefusedAndCounted) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 1, 'S', 100, 600));
    EXPECT_EQ(count(FeedCounter::duplicate_order_refs), 1u);
    EXPECT_TRUE(levels(kAapl, Side::ask).empty());
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 100, 1}}));
}

TEST_F(Books, AddWithNeitherBuyNorSellIsRefusedAndCounted) {
    apply(add_order(kAapl, 1, 'X', 100, 500));
    EXPECT_EQ(count(FeedCounter::bad_sides), 1u);
    EXPECT_EQ(handler_.books().orders(), 0u);
}

TEST_F(Books, InstrumentsAreIndependent) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kMsft, 2, 'B', 200, 500));
    apply(order_delete(kAapl, 1));
    EXPECT_TRUE(levels(kAapl, Side::bid).empty());
    EXPECT_EQ(levels(kMsft, Side::bid), (Levels{{500, 200, 1}}));
}

TEST_F(Books, InstrumentsAreListedOnceInTheOrderTheyFirstHeldALevel) {
    EXPECT_TRUE(handler_.books().instruments().empty());
    apply(add_order(kMsft, 1, 'S', 100, 500));
    apply(add_order(kAapl, 2, 'B', 100, 500));
    apply(add_order(kMsft, 3, 'B', 100, 400));
    apply(order_delete(kMsft, 1));
    apply(order_delete(kMsft, 3));
    apply(add_order(kMsft, 4, 'B', 100, 400));
    apply(add_order(7, 5, 'Z', 100, 400));  // refused: lists nothing
    const auto listed = handler_.books().instruments();
    EXPECT_EQ(std::vector<std::uint16_t>(listed.begin(), listed.end()), (std::vector<std::uint16_t>{kMsft, kAapl}))
        << "an instrument whose levels all left stays listed";
}

TEST_F(Books, BestPricesFollowTheBookBothWays) {
    EXPECT_EQ(best(kAapl, Side::bid), Quote{}) << "empty: orders == 0";
    apply(add_order(kAapl, 1, 'B', 100, 500));
    apply(add_order(kAapl, 2, 'B', 100, 510));
    apply(add_order(kAapl, 3, 'S', 100, 530));
    apply(add_order(kAapl, 4, 'S', 100, 520));
    EXPECT_EQ(best(kAapl, Side::bid), (Quote{510, 1, 100}));
    EXPECT_EQ(best(kAapl, Side::ask), (Quote{520, 1, 100}));
    apply(order_delete(kAapl, 2));
    apply(order_delete(kAapl, 4));
    EXPECT_EQ(best(kAapl, Side::bid), (Quote{500, 1, 100}));
    EXPECT_EQ(best(kAapl, Side::ask), (Quote{530, 1, 100}));
}

TEST_F(Books, ExtremePricesOrderCorrectly) {
    apply(add_order(kAapl, 1, 'S', 1, 0xFFFFFFFF));
    apply(add_order(kAapl, 2, 'S', 1, 0));
    apply(add_order(kAapl, 3, 'B', 1, 0xFFFFFFFF));
    apply(add_order(kAapl, 4, 'B', 1, 0));
    EXPECT_EQ(levels(kAapl, Side::ask), (Levels{{0, 1, 1}, {0xFFFFFFFF, 1, 1}}));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{0xFFFFFFFF, 1, 1}, {0, 1, 1}}));
}

TEST_F(Books, TopOfBookChangeIsReportedExactly) {
    auto changed = [&](const Message& m) {
        const BookUpdate u = apply(m);
        if (u.top_changed) {
            EXPECT_EQ(u.locate, kAapl);
        }
        return u.top_changed;
    };
    EXPECT_TRUE(changed(add_order(kAapl, 1, 'B', 100, 500))) << "first bid";
    EXPECT_FALSE(changed(add_order(kAapl, 2, 'B', 100, 490))) << "below the best";
    EXPECT_TRUE(changed(add_order(kAapl, 3, 'B', 100, 500))) << "joins the best: its size";
    EXPECT_TRUE(changed(add_order(kAapl, 4, 'B', 100, 510))) << "a better price";
    EXPECT_TRUE(changed(add_order(kAapl, 5, 'S', 100, 600))) << "first ask";
    EXPECT_FALSE(changed(add_order(kAapl, 6, 'S', 100, 610)));
    EXPECT_FALSE(changed(order_executed(kAapl, 2, 10))) << "a reduction below the best";
    EXPECT_TRUE(changed(order_executed(kAapl, 4, 10))) << "a reduction at the best";
    EXPECT_FALSE(changed(order_executed(kAapl, 4, 0))) << "nothing executed: nothing changed";
    EXPECT_FALSE(changed(order_cancel(kAapl, 6, 100))) << "the second ask level leaves";
    EXPECT_TRUE(changed(order_delete(kAapl, 4))) << "the best level leaves: 500 is best again";
    EXPECT_FALSE(changed(order_replace(kAapl, 2, 7, 90, 480))) << "moves deeper, off the top";
    EXPECT_TRUE(changed(order_replace(kAapl, 7, 8, 50, 505))) << "moves to the top";
    EXPECT_FALSE(changed(order_replace(kAapl, 8, 9, 50, 505))) << "same price and size: the top is as it was";
    EXPECT_FALSE(changed(order_delete(kAapl, 99))) << "unknown";
    EXPECT_TRUE(changed(order_delete(kAapl, 5))) << "the last ask";
    EXPECT_EQ(best(kAapl, Side::ask), Quote{});
}

TEST_F(Books, MessagesWithoutBookEffectAreCountedOnly) {
    apply(add_order(kAapl, 1, 'B', 100, 500));
    const Message trade = Wire::header('P', kAapl, 0, 1).u64(1).ch('B').u32(100).alpha("AAPL", 8).u32(500).u64(1).bytes();
    const Message cross = Wire::header('Q', kAapl, 0, 1).u64(100).alpha("AAPL", 8).u32(500).u64(2).ch('O').bytes();
    const Message broken = Wire::header('B', kAapl, 0, 1).u64(1).bytes();
    for (const Message& m : {trade, cross, broken}) EXPECT_FALSE(apply(m).top_changed);
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 100, 1}})) << "P names order 1 but does not touch it";
    EXPECT_EQ(count(FeedCounter::itch_trade_non_cross), 1u);
    EXPECT_EQ(count(FeedCounter::itch_cross_trade), 1u);
    EXPECT_EQ(count(FeedCounter::itch_broken_trade), 1u);
}

TEST_F(Books, DirectoryAndStateMessagesTrackTheInstrumentAndTheSession) {
    apply(stock_directory(kAapl, "AAPL"));
    apply(Wire::header('H', kAapl, 0, 1).alpha("AAPL", 8).ch('H').ch(' ').alpha("T1", 4).bytes());
    apply(Wire::header('S', 0, 0, 1).ch('Q').bytes());
    const InstrumentDirectory& d = handler_.instruments();
    EXPECT_EQ(d.symbol(kAapl), "AAPL");
    EXPECT_EQ(d[kAapl].trading_state, 'H');
    EXPECT_EQ(d.system_event(), 'Q');
    EXPECT_EQ(d.symbol(kMsft), "") << "never listed";
    EXPECT_TRUE(levels(kAapl, Side::bid).empty());
}

class SmallBooks : public Books {
protected:
    SmallBooks() : Books({.max_orders = 3, .max_levels = 2, .ladder_rungs = 16}) {}
};

TEST_F(SmallBooks, FullOrderTableRefusesAddsUntilAnOrderLeaves) {
    for (std::uint64_t ref = 1; ref <= 3; ++ref) apply(add_order(kAapl, ref, 'B', 10, 500));
    EXPECT_FALSE(apply(add_order(kAapl, 4, 'B', 10, 500)).top_changed);
    EXPECT_EQ(count(FeedCounter::orders_exhausted), 1u);
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 30, 3}})) << "nothing half-added";
    apply(order_delete(kAapl, 1));
    apply(add_order(kAapl, 4, 'B', 10, 500));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 30, 3}}));
    EXPECT_EQ(count(FeedCounter::orders_exhausted), 1u);
}

TEST_F(SmallBooks, EmptyLevelPoolRefusesNewPricesButNotExistingOnes) {
    apply(add_order(kAapl, 1, 'B', 10, 500));
    apply(add_order(kAapl, 2, 'S', 10, 600));
    apply(add_order(kAapl, 3, 'B', 10, 510));
    EXPECT_EQ(count(FeedCounter::levels_exhausted), 1u);
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 10, 1}}));
    apply(add_order(kAapl, 3, 'B', 10, 500));
    EXPECT_EQ(levels(kAapl, Side::bid), (Levels{{500, 20, 2}})) << "an existing level needs no new one";
    EXPECT_EQ(handler_.books().orders(), 3u);
}

TEST_F(SmallBooks, FullLadderArenaRefusesANewSideAndIsCounted) {
    // 16 rungs: two sides of 8.
    apply(add_order(kAapl, 1, 'B', 10, 500));
    apply(add_order(kMsft, 2, 'B', 10, 500));
    apply(order_delete(kMsft, 2));  // the side keeps its chunk
    apply(add_order(kMsft, 3, 'S', 10, 700));
    EXPECT_EQ(count(FeedCounter::ladders_exhausted), 1u);
    EXPECT_EQ(handler_.books().orders(), 1u);
    EXPECT_EQ(handler_.books().levels(), 1u) << "no level taken for the refused add";
}

}  // namespace
}  // namespace sentinel::feed
