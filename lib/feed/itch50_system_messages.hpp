#pragma once
// ITCH 5.0 system event and stock-related messages (spec sections 1.1 and 1.2): S R H Y L V W K J h.
// None changes a book; the directory (R) names instruments, S and H carry the session's and each
// instrument's state. Offsets and lengths are the spec's; see itch50_message.hpp for the header.

#include "feed/itch50_message.hpp"

namespace sentinel::feed::itch {

struct SystemEvent : MessageView {
    static constexpr char kType = 'S';
    static constexpr std::size_t kLength = 12;
    using MessageView::MessageView;
    char event_code() const noexcept { return alpha(11); }  // O S Q M E C
};

struct StockDirectory : MessageView {
    static constexpr char kType = 'R';
    static constexpr std::size_t kLength = 39;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char market_category() const noexcept { return alpha(19); }
    char financial_status_indicator() const noexcept { return alpha(20); }
    std::uint32_t round_lot_size() const noexcept { return u32(21); }
    char round_lots_only() const noexcept { return alpha(25); }
    char issue_classification() const noexcept { return alpha(26); }
    std::string_view issue_sub_type() const noexcept { return alpha(27, 2); }
    char authenticity() const noexcept { return alpha(29); }
    char short_sale_threshold_indicator() const noexcept { return alpha(30); }
    char ipo_flag() const noexcept { return alpha(31); }
    char luld_reference_price_tier() const noexcept { return alpha(32); }
    char etp_flag() const noexcept { return alpha(33); }
    std::uint32_t etp_leverage_factor() const noexcept { return u32(34); }
    char inverse_indicator() const noexcept { return alpha(38); }
};

struct StockTradingAction : MessageView {
    static constexpr char kType = 'H';
    static constexpr std::size_t kLength = 25;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char trading_state() const noexcept { return alpha(19); }  // H P Q T
    char reserved() const noexcept { return alpha(20); }
    std::string_view reason() const noexcept { return alpha(21, 4); }
};

struct RegShoRestriction : MessageView {
    static constexpr char kType = 'Y';
    static constexpr std::size_t kLength = 20;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char reg_sho_action() const noexcept { return alpha(19); }
};

struct MarketParticipantPosition : MessageView {
    static constexpr char kType = 'L';
    static constexpr std::size_t kLength = 26;
    using MessageView::MessageView;
    std::string_view mpid() const noexcept { return alpha(11, 4); }
    std::string_view stock() const noexcept { return alpha(15, kStockSize); }
    char primary_market_maker() const noexcept { return alpha(23); }
    char market_maker_mode() const noexcept { return alpha(24); }
    char market_participant_state() const noexcept { return alpha(25); }
};

// Market-wide circuit breaker decline levels: the only Price(8) fields of the feed.
struct MwcbDeclineLevel : MessageView {
    static constexpr char kType = 'V';
    static constexpr std::size_t kLength = 35;
    using MessageView::MessageView;
    Price8 level_1() const noexcept { return u64(11); }
    Price8 level_2() const noexcept { return u64(19); }
    Price8 level_3() const noexcept { return u64(27); }
};

struct MwcbStatus : MessageView {
    static constexpr char kType = 'W';
    static constexpr std::size_t kLength = 12;
    using MessageView::MessageView;
    char breached_level() const noexcept { return alpha(11); }
};

struct IpoQuotingPeriodUpdate : MessageView {
    static constexpr char kType = 'K';
    static constexpr std::size_t kLength = 28;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    std::uint32_t ipo_quotation_release_time() const noexcept { return u32(19); }  // seconds since midnight
    char ipo_quotation_release_qualifier() const noexcept { return alpha(23); }
    Price4 ipo_price() const noexcept { return u32(24); }
};

struct LuldAuctionCollar : MessageView {
    static constexpr char kType = 'J';
    static constexpr std::size_t kLength = 35;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    Price4 auction_collar_reference_price() const noexcept { return u32(19); }
    Price4 upper_auction_collar_price() const noexcept { return u32(23); }
    Price4 lower_auction_collar_price() const noexcept { return u32(27); }
    std::uint32_t auction_collar_extension() const noexcept { return u32(31); }
};

struct OperationalHalt : MessageView {
    static constexpr char kType = 'h';
    static constexpr std::size_t kLength = 21;
    using MessageView::MessageView;
    std::string_view stock() const noexcept { return alpha(11, kStockSize); }
    char market_code() const noexcept { return alpha(19); }
    char operational_halt_action() const noexcept { return alpha(20); }
};

}  // namespace sentinel::feed::itch
