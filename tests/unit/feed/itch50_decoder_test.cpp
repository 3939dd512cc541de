// ITCH 5.0 decoding: each of the 23 message types built byte by byte from the spec's field table,
// every field read back; each type's exact length; every way a message can be malformed.

#include "feed/itch50_decoder.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <set>
#include <vector>

#include "feed_test_support.hpp"

namespace sentinel::feed::itch {
namespace {

using test::Wire;

constexpr std::uint64_t kTimestamp = 0xA1B2C3D4E5F6;  // all six bytes distinct: a misplaced one shows

// A visitor for one type: records the view it was given.
template <class M>
struct Capture {
    std::optional<M> message;
    int calls = 0;
    void on(const M& m) {
        message = m;
        ++calls;
    }
};

template <class M>
M decoded(const Wire& w) {
    EXPECT_EQ(w.size(), M::kLength) << "the test's layout for '" << M::kType << "'";
    Capture<M> c;
    EXPECT_EQ(decode(w.span(), c), DecodeStatus::ok);
    EXPECT_EQ(c.calls, 1);
    if (!c.message) throw std::runtime_error("not delivered");
    EXPECT_EQ(c.message->message_type(), M::kType);
    EXPECT_EQ(c.message->stock_locate(), 0x1234u);
    EXPECT_EQ(c.message->tracking_number(), 0x5678u);
    EXPECT_EQ(c.message->timestamp(), kTimestamp);
    return *c.message;
}

Wire header(char type) { return Wire::header(type, 0x1234, 0x5678, kTimestamp); }

TEST(Itch50Decoder, SystemEvent) {
    const Wire w = header('S').ch('Q');
    EXPECT_EQ(decoded<SystemEvent>(w).event_code(), 'Q');
}

TEST(Itch50Decoder, StockDirectory) {
    const Wire w = header('R').alpha("AAPL", 8).ch('Q').ch('N').u32(100).ch('N').ch('C').alpha("Z", 2).ch('P').ch('N')
                       .ch('N').ch('1').ch('Y').u32(3).ch('Y');
    const auto m = decoded<StockDirectory>(w);
    EXPECT_EQ(m.stock(), "AAPL    ");
    EXPECT_EQ(m.market_category(), 'Q');
    EXPECT_EQ(m.financial_status_indicator(), 'N');
    EXPECT_EQ(m.round_lot_size(), 100u);
    EXPECT_EQ(m.round_lots_only(), 'N');
    EXPECT_EQ(m.issue_classification(), 'C');
    EXPECT_EQ(m.issue_sub_type(), "Z ");
    EXPECT_EQ(m.authenticity(), 'P');
    EXPECT_EQ(m.short_sale_threshold_indicator(), 'N');
    EXPECT_EQ(m.ipo_flag(), 'N');
    EXPECT_EQ(m.luld_reference_price_tier(), '1');
    EXPECT_EQ(m.etp_flag(), 'Y');
    EXPECT_EQ(m.etp_leverage_factor(), 3u);
    EXPECT_EQ(m.inverse_indicator(), 'Y');
}

TEST(Itch50Decoder, StockTradingAction) {
    const Wire w = header('H').alpha("MSFT", 8).ch('H').ch(' ').alpha("LUDP", 4);
    const auto m = decoded<StockTradingAction>(w);
    EXPECT_EQ(m.stock(), "MSFT    ");
    EXPECT_EQ(m.trading_state(), 'H');
    EXPECT_EQ(m.reserved(), ' ');
    EXPECT_EQ(m.reason(), "LUDP");
}

TEST(Itch50Decoder, RegShoRestriction) {
    const Wire w = header('Y').alpha("GOOGL", 8).ch('1');
    const auto m = decoded<RegShoRestriction>(w);
    EXPECT_EQ(m.stock(), "GOOGL   ");
    EXPECT_EQ(m.reg_sho_action(), '1');
}

TEST(Itch50Decoder, MarketParticipantPosition) {
    const Wire w = header('L').alpha("GSCO", 4).alpha("IBM", 8).ch('Y').ch('N').ch('A');
    const auto m = decoded<MarketParticipantPosition>(w);
    EXPECT_EQ(m.mpid(), "GSCO");
    EXPECT_EQ(m.stock(), "IBM     ");
    EXPECT_EQ(m.primary_market_maker(), 'Y');
    EXPECT_EQ(m.market_maker_mode(), 'N');
    EXPECT_EQ(m.market_participant_state(), 'A');
}

TEST(Itch50Decoder, MwcbDeclineLevelReadsEightBytePrices) {
    const Wire w = header('V').u64(3000123456789).u64(0x0102030405060708).u64(0xFFFFFFFFFFFFFFFE);
    const auto m = decoded<MwcbDeclineLevel>(w);
    EXPECT_EQ(m.level_1(), 3000123456789u);
    EXPECT_EQ(m.level_2(), 0x0102030405060708u);
    EXPECT_EQ(m.level_3(), 0xFFFFFFFFFFFFFFFEu);
}

TEST(Itch50Decoder, MwcbStatus) {
    const Wire w = header('W').ch('2');
    EXPECT_EQ(decoded<MwcbStatus>(w).breached_level(), '2');
}

TEST(Itch50Decoder, IpoQuotingPeriodUpdate) {
    const Wire w = header('K').alpha("ARM", 8).u32(34200).ch('A').u32(510000);
    const auto m = decoded<IpoQuotingPeriodUpdate>(w);
    EXPECT_EQ(m.stock(), "ARM     ");
    EXPECT_EQ(m.ipo_quotation_release_time(), 34200u);
    EXPECT_EQ(m.ipo_quotation_release_qualifier(), 'A');
    EXPECT_EQ(m.ipo_price(), 510000u);
}

TEST(Itch50Decoder, LuldAuctionCollar) {
    const Wire w = header('J').alpha("TSLA", 8).u32(2000000).u32(2200000).u32(1800000).u32(2);
    const auto m = decoded<LuldAuctionCollar>(w);
    EXPECT_EQ(m.stock(), "TSLA    ");
    EXPECT_EQ(m.auction_collar_reference_price(), 2000000u);
    EXPECT_EQ(m.upper_auction_collar_price(), 2200000u);
    EXPECT_EQ(m.lower_auction_collar_price(), 1800000u);
    EXPECT_EQ(m.auction_collar_extension(), 2u);
}

TEST(Itch50Decoder, OperationalHalt) {
    const Wire w = header('h').alpha("QQQ", 8).ch('Q').ch('H');
    const auto m = decoded<OperationalHalt>(w);
    EXPECT_EQ(m.stock(), "QQQ     ");
    EXPECT_EQ(m.market_code(), 'Q');
    EXPECT_EQ(m.operational_halt_action(), 'H');
}

TEST(Itch50Decoder, AddOrder) {
    const Wire w = header('A').u64(0x0102030405060708).ch('B').u32(0xDEADBEEF).alpha("NVDA", 8).u32(1234500);
    const auto m = decoded<AddOrder>(w);
    EXPECT_EQ(m.order_reference_number(), 0x0102030405060708u);
    EXPECT_EQ(m.buy_sell_indicator(), 'B');
    EXPECT_EQ(m.shares(), 0xDEADBEEFu);
    EXPECT_EQ(m.stock(), "NVDA    ");
    EXPECT_EQ(m.price(), 1234500u);
}

TEST(Itch50Decoder, AddOrderMpid) {
    const Wire w = header('F').u64(99).ch('S').u32(300).alpha("AMD", 8).u32(999999).alpha("VIRT", 4);
    const auto m = decoded<AddOrderMpid>(w);
    EXPECT_EQ(m.order_reference_number(), 99u);
    EXPECT_EQ(m.buy_sell_indicator(), 'S');
    EXPECT_EQ(m.shares(), 300u);
    EXPECT_EQ(m.stock(), "AMD     ");
    EXPECT_EQ(m.price(), 999999u);
    EXPECT_EQ(m.attribution(), "VIRT");
}

TEST(Itch50Decoder, OrderExecuted) {
    const Wire w = header('E').u64(0xFFFFFFFFFFFFFFFF).u32(25).u64(0x1111222233334444);
    const auto m = decoded<OrderExecuted>(w);
    EXPECT_EQ(m.order_reference_number(), 0xFFFFFFFFFFFFFFFFu);
    EXPECT_EQ(m.executed_shares(), 25u);
    EXPECT_EQ(m.match_number(), 0x1111222233334444u);
}

TEST(Itch50Decoder, OrderExecutedWithPrice) {
    const Wire w = header('C').u64(5).u32(10).u64(6).ch('N').u32(4321);
    const auto m = decoded<OrderExecutedWithPrice>(w);
    EXPECT_EQ(m.order_reference_number(), 5u);
    EXPECT_EQ(m.executed_shares(), 10u);
    EXPECT_EQ(m.match_number(), 6u);
    EXPECT_EQ(m.printable(), 'N');
    EXPECT_EQ(m.execution_price(), 4321u);
}

TEST(Itch50Decoder, OrderCancel) {
    const Wire w = header('X').u64(77).u32(40);
    const auto m = decoded<OrderCancel>(w);
    EXPECT_EQ(m.order_reference_number(), 77u);
    EXPECT_EQ(m.canceled_shares(), 40u);
}

TEST(Itch50Decoder, OrderDelete) {
    const Wire w = header('D').u64(0x8000000000000001);
    EXPECT_EQ(decoded<OrderDelete>(w).order_reference_number(), 0x8000000000000001u);
}

TEST(Itch50Decoder, OrderReplace) {
    const Wire w = header('U').u64(1000).u64(2000).u32(150).u32(1999999999);
    const auto m = decoded<OrderReplace>(w);
    EXPECT_EQ(m.original_order_reference_number(), 1000u);
    EXPECT_EQ(m.new_order_reference_number(), 2000u);
    EXPECT_EQ(m.shares(), 150u);
    EXPECT_EQ(m.price(), 1999999999u);
}

TEST(Itch50Decoder, TradeNonCross) {
    const Wire w = header('P').u64(0).ch('B').u32(100).alpha("SPY", 8).u32(4500000).u64(31337);
    const auto m = decoded<TradeNonCross>(w);
    EXPECT_EQ(m.order_reference_number(), 0u);
    EXPECT_EQ(m.buy_sell_indicator(), 'B');
    EXPECT_EQ(m.shares(), 100u);
    EXPECT_EQ(m.stock(), "SPY     ");
    EXPECT_EQ(m.price(), 4500000u);
    EXPECT_EQ(m.match_number(), 31337u);
}

TEST(Itch50Decoder, CrossTrade) {
    const Wire w = header('Q').u64(0x0000000100000002).alpha("META", 8).u32(3000000).u64(42).ch('O');
    const auto m = decoded<CrossTrade>(w);
    EXPECT_EQ(m.shares(), 0x0000000100000002u) << "cross shares are 8 bytes";
    EXPECT_EQ(m.stock(), "META    ");
    EXPECT_EQ(m.cross_price(), 3000000u);
    EXPECT_EQ(m.match_number(), 42u);
    EXPECT_EQ(m.cross_type(), 'O');
}

TEST(Itch50Decoder, BrokenTrade) {
    const Wire w = header('B').u64(123456789);
    EXPECT_EQ(decoded<BrokenTrade>(w).match_number(), 123456789u);
}

TEST(Itch50Decoder, Noii) {
    const Wire w = header('I').u64(1000).u64(200).ch('B').alpha("AAPL", 8).u32(1).u32(2).u32(3).ch('C').ch('L');
    const auto m = decoded<Noii>(w);
    EXPECT_EQ(m.paired_shares(), 1000u);
    EXPECT_EQ(m.imbalance_shares(), 200u);
    EXPECT_EQ(m.imbalance_direction(), 'B');
    EXPECT_EQ(m.stock(), "AAPL    ");
    EXPECT_EQ(m.far_price(), 1u);
    EXPECT_EQ(m.near_price(), 2u);
    EXPECT_EQ(m.current_reference_price(), 3u);
    EXPECT_EQ(m.cross_type(), 'C');
    EXPECT_EQ(m.price_variation_indicator(), 'L');
}

TEST(Itch50Decoder, Rpii) {
    const Wire w = header('N').alpha("XOM", 8).ch('A');
    const auto m = decoded<Rpii>(w);
    EXPECT_EQ(m.stock(), "XOM     ");
    EXPECT_EQ(m.interest_flag(), 'A');
}

TEST(Itch50Decoder, DirectListingPriceDiscovery) {
    const Wire w = header('O').alpha("NEWCO", 8).ch('Y').u32(100000).u32(200000).u32(150000).u64(34200000000000)
                       .u32(90000).u32(210000);
    const auto m = decoded<DirectListingPriceDiscovery>(w);
    EXPECT_EQ(m.stock(), "NEWCO   ");
    EXPECT_EQ(m.open_eligibility_status(), 'Y');
    EXPECT_EQ(m.minimum_allowable_price(), 100000u);
    EXPECT_EQ(m.maximum_allowable_price(), 200000u);
    EXPECT_EQ(m.near_execution_price(), 150000u);
    EXPECT_EQ(m.near_execution_time(), 34200000000000u);
    EXPECT_EQ(m.lower_price_range_collar(), 90000u);
    EXPECT_EQ(m.upper_price_range_collar(), 210000u);
}

// The spec's lengths, one per type.
const std::vector<std::pair<char, std::size_t>> kSpecLengths{
    {'S', 12}, {'R', 39}, {'H', 25}, {'Y', 20}, {'L', 26}, {'V', 35}, {'W', 12}, {'K', 28},
    {'J', 35}, {'h', 21}, {'A', 36}, {'F', 40}, {'E', 31}, {'C', 36}, {'X', 23}, {'D', 19},
    {'U', 35}, {'P', 44}, {'Q', 40}, {'B', 19}, {'I', 50}, {'N', 20}, {'O', 48}};

// Counts what it is given, by type.
struct CountAll {
    std::vector<char> types;
    template <class M>
    void on(const M& m) {
        types.push_back(m.message_type());
    }
};

TEST(Itch50Decoder, EveryTypeIsDeliveredAtExactlyItsLengthAndNoOther) {
    for (const auto& [type, length] : kSpecLengths) {
        for (std::size_t n = 1; n <= length + 8; ++n) {
            std::vector<std::byte> m(n, std::byte{0x20});  // exactly n bytes: ASan sees any overread
            m[0] = std::byte(type);
            CountAll v;
            const DecodeStatus s = decode(m, v);
            if (n == length) {
                EXPECT_EQ(s, DecodeStatus::ok) << type;
                EXPECT_EQ(v.types, std::vector<char>{type});
            } else {
                EXPECT_EQ(s, DecodeStatus::wrong_length) << type << " at " << n << " bytes";
                EXPECT_TRUE(v.types.empty());
            }
        }
    }
}

TEST(Itch50Decoder, EveryOtherTypeByteIsUnknown) {
    std::set<char> known;
    for (const auto& [type, length] : kSpecLengths) known.insert(type);
    ASSERT_EQ(known.size(), 23u);
    for (int b = 0; b < 256; ++b) {
        if (known.contains(static_cast<char>(b))) continue;
        for (std::size_t n : {1u, 12u, 36u}) {
            std::vector<std::byte> m(n, std::byte{0});
            m[0] = std::byte(b);
            CountAll v;
            EXPECT_EQ(decode(m, v), DecodeStatus::unknown_type) << b;
            EXPECT_TRUE(v.types.empty());
        }
    }
}

TEST(Itch50Decoder, EmptyMessageHasNoType) {
    CountAll v;
    EXPECT_EQ(decode(std::span<const std::byte>{}, v), DecodeStatus::empty);
    EXPECT_TRUE(v.types.empty());
}

TEST(Itch50Decoder, AVisitorWithoutAnOverloadForTheTypeIsNotCalled) {
    Capture<AddOrder> only_adds;
    const Wire d = header('D').u64(1);
    EXPECT_EQ(decode(d.span(), only_adds), DecodeStatus::ok) << "checked and known, just not delivered";
    EXPECT_EQ(only_adds.calls, 0);
}

}  // namespace
}  // namespace sentinel::feed::itch
