#pragma once
// ITCH 5.0 trade, imbalance and price discovery messages (spec sections 1.5 to 1.8): P Q B I N O.
// None changes a book: P reports a match against a non-displayed order, Q a cross, B a broken
// trade. Offsets and lengths are the spec's; see itch50_message.hpp.

#include "feed/itch50_message.hpp"

namespace sentinel::feed::itch {

struct TradeNonCross : MessageView {
    static constexpr char kType = 'P';
    static constexpr std::size_t kLength = 44;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    char buy_sell_indicator() const noexcept { return alpha(19); }
    std::uint32_t shares() const noexcept { return u32(20); }
    std::string_view stock() const noexcept { return alpha(24, kStockSize); }
    Price4 price() const noexcept { return u32(32); }
    std::uint64_t match_number() const noexcept { return u64(36); }
};

struct CrossTrade : MessageView {
    static constexpr char kType = 'Q';
    static constexpr std::size_t kLength = 40;
    using MessageView::MessageView;
    std::uint64_t shares() const noexcept { return u64(11); }
    std::string_view stock() const noexcept { return alpha(19, kStockSize); }
    Price4 cross_price() const noexcept { return u32(27); }
    std::uint64_t match_number() const noexcept { return u64(31); }
    char cross_type() const noexcept { return alpha(39); }
};

struct BrokenTrade : MessageView {
    static constexpr char kType = 'B';
    static constexpr std::size_t kLength = 19;
    using MessageView::MessageView;
    std::uint64_t match_number() const noexcept { return u64(11); }
};

// Net Order Imbalance Indicator.
struct Noii : MessageView {
    static constexpr char kType = 'I';
    static constexpr std::size_t kLength = 50;
    using MessageView::MessageView;
    std::uint64_t paired_shares() const noexcept { return u64(11); }
    std::uint64_t imbalance_shares() const noexcept { return u64(19); }
    char imbalance_direction() const noexcept { return alpha(27); }
    std::string_view stock() const noexcept { return alpha(28, kStockSize); }
    Price4 far_price() const noexcept { return u32(36); }
    Price4 near_price() const noexcept { return u32(40); }
    Price4 current_reference_price() const noexcept { return u32(44); }
    char cross_type() const noexcept { return alpha(48); }
    char price_variation_indicator() const noexcept { return alpha(49); }
};

// Retail Price Improvement Indicator.
struct Rpii : MessageView {
    static constexpr char kType = 'N';
    static constexpr std::size_t kLength = 20;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char interest_flag() const noexcept { return alpha(19); }
};

// Direct Listing with Capital Raise price discovery.
struct DirectListingPriceDiscovery : MessageView {
    static constexpr char kType = 'O';
    static constexpr std::size_t kLength = 48;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char open_eligibility_status() const noexcept { return alpha(19); }
    Price4 minimum_allowable_price() const noexcept { return u32(20); }
    Price4 maximum_allowable_price() const noexcept { return u32(24); }
    Price4 near_execution_price() const noexcept { return u32(28); }
    std::uint64_t near_execution_time() const noexcept { return u64(32); }
    Price4 lower_price_range_collar() const noexcept { return u32(40); }
    Price4 upper_price_range_collar() const noexcept { return u32(44); }
};

}  // namespace sentinel::feed::itch
