// The book dump: its exact line format, price formatting at the extremes, symbol trimming, the
// order of instruments (byte order of the symbol) and of levels (best first on each side).

#include "feed/book_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "feed/feed_handler.hpp"
#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using namespace test;

class BookWriter : public ::testing::Test {
protected:
    void apply(const Message& m) { handler_.on_message(m); }
    std::string dump(BookWriteSummary* summary = nullptr) const {
        std::string out;
        const BookWriteSummary s = write_books(handler_.books(), handler_.instruments(), out);
        if (summary) *summary = s;
        return out;
    }

    FeedHandler handler_{BookConfig{.max_orders = 1000, .max_levels = 1000, .ladder_rungs = 4096}};
};

TEST_F(BookWriter, WritesBidsBestFirstThenAsksBestFirst) {
    apply(stock_directory(1, "AAPL"));
    apply(add_order(1, 1, 'B', 100, 1234500));
    apply(add_order(1, 2, 'B', 200, 1234500));
    apply(add_order(1, 3, 'B', 50, 1234400));
    apply(add_order(1, 4, 'S', 70, 1234700));
    apply(add_order(1, 5, 'S', 30, 1235000));
    BookWriteSummary s;
    EXPECT_EQ(dump(&s),
              "AAPL B 123.4500 300 2\n"
              "AAPL B 123.4400 50 1\n"
              "AAPL S 123.4700 70 1\n"
              "AAPL S 123.5000 30 1\n");
    EXPECT_EQ(s.instruments, 1u);
    EXPECT_EQ(s.levels, 4u);
    EXPECT_EQ(s.unnamed, 0u);
}

TEST_F(BookWriter, PricesHaveExactlyFourDecimalsAtEveryMagnitude) {
    apply(stock_directory(1, "X"));
    apply(add_order(1, 1, 'S', 1, 1));
    apply(add_order(1, 2, 'S', 1, 10));
    apply(add_order(1, 3, 'S', 1, 10000));
    apply(add_order(1, 4, 'S', 1, 1999999999));
    apply(add_order(1, 5, 'S', 1, 0xFFFFFFFF));
    apply(add_order(1, 6, 'B', 1, 0));
    apply(add_order(1, 7, 'B', 4'294'967'295, 9999));
    EXPECT_EQ(dump(),
              "X B 0.9999 4294967295 1\n"
              "X B 0.0000 1 1\n"
              "X S 0.0001 1 1\n"
              "X S 0.0010 1 1\n"
              "X S 1.0000 1 1\n"
              "X S 199999.9999 1 1\n"
              "X S 429496.7295 1 1\n");
}

TEST_F(BookWriter, OrdersInstrumentsByTheBytesOfTheirTrimmedSymbols) {
    // Locates in another order than the symbols; "AB" is a prefix of "AB.C"; "a" sorts after "Z"
    // and '\x80' after both, as unsigned bytes.
    const std::vector<std::pair<std::uint16_t, std::string>> listed{
        {9, "ZZZZZZZZ"}, {3, "AB.C"}, {7, "a"}, {5, "AB"}, {8, "\x80HI"}, {2, "AB    "}, {1, "B"}};
    std::uint64_t ref = 1;
    for (const auto& [locate, symbol] : listed) {
        apply(stock_directory(locate, symbol));
        apply(add_order(locate, ref++, 'B', locate, 100));
    }
    EXPECT_EQ(dump(),
              "AB B 0.0100 2 1\n"
              "AB B 0.0100 5 1\n"
              "AB.C B 0.0100 3 1\n"
              "B B 0.0100 1 1\n"
              "ZZZZZZZZ B 0.0100 9 1\n"
              "a B 0.0100 7 1\n"
              "\x80HI B 0.0100 8 1\n")
        << "two locates named AB: by locate";
}

TEST_F(BookWriter, InstrumentsWithoutLevelsWriteNothing) {
    apply(stock_directory(1, "EMPTY"));
    apply(stock_directory(2, "GONE"));
    apply(add_order(2, 1, 'S', 10, 100));
    apply(order_delete(2, 1));
    EXPECT_EQ(dump(), "");
}

TEST_F(BookWriter, InstrumentsWithoutAStockDirectoryAreLeftOutAndCounted) {
    apply(stock_directory(1, "NAMED"));
    apply(add_order(1, 1, 'B', 10, 100));
    apply(add_order(2, 2, 'B', 10, 100));
    apply(add_order(3, 3, 'S', 10, 100));
    BookWriteSummary s;
    EXPECT_EQ(dump(&s), "NAMED B 0.0100 10 1\n");
    EXPECT_EQ(s.instruments, 1u);
    EXPECT_EQ(s.unnamed, 2u);
}

}  // namespace
}  // namespace sentinel::feed
