#pragma once
// ITCH 5.0 add and modify order messages (spec sections 1.3 and 1.4): A F E C X D U, the ones that
// build the books. Orders are named by their reference number, unique for the day across every
// instrument; only adds (and a replace's new order) carry the side, instrument and price, so a
// book keeps them per order. Offsets and lengths are the spec's; see itch50_message.hpp.

#include "feed/itch50_message.hpp"

namespace sentinel::feed::itch {

struct AddOrder : MessageView {
    static constexpr char kType = 'A';
    static constexpr std::size_t kLength = 36;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    char buy_sell_indicator() const noexcept { return alpha(19); }  // B or S
    std::uint32_t shares() const noexcept { return u32(20); }
    std::string_view stock() const noexcept { return alpha(24, kStockSize); }
    Price4 price() const noexcept { return u32(32); }
};

// An add with the market participant's identifier; the same order to a book.
struct AddOrderMpid : MessageView {
    static constexpr char kType = 'F';
    static constexpr std::size_t kLength = 40;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    char buy_sell_indicator() const noexcept { return alpha(19); }
    std::uint32_t shares() const noexcept { return u32(20); }
    std::string_view stock() const noexcept { return alpha(24, kStockSize); }
    Price4 price() const noexcept { return u32(32); }
    std::string_view attribution() const noexcept { return alpha(36, 4); }
};

struct OrderExecuted : MessageView {
    static constexpr char kType = 'E';
    static constexpr std::size_t kLength = 31;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    std::uint32_t executed_shares() const noexcept { return u32(19); }
    std::uint64_t match_number() const noexcept { return u64(23); }
};

// An execution at a price other than the order's; the order itself rests at its own price.
struct OrderExecutedWithPrice : MessageView {
    static constexpr char kType = 'C';
    static constexpr std::size_t kLength = 36;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    std::uint32_t executed_shares() const noexcept { return u32(19); }
    std::uint64_t match_number() const noexcept { return u64(23); }
    char printable() const noexcept { return alpha(31); }  // Y or N
    Price4 execution_price() const noexcept { return u32(32); }
};

struct OrderCancel : MessageView {
    static constexpr char kType = 'X';
    static constexpr std::size_t kLength = 23;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
    std::uint32_t canceled_shares() const noexcept { return u32(19); }
};

struct OrderDelete : MessageView {
    static constexpr char kType = 'D';
    static constexpr std::size_t kLength = 19;
    using MessageView::MessageView;
    std::uint64_t order_reference_number() const noexcept { return u64(11); }
};

// Cancels the original order and adds a new one with the same side and instrument.
struct OrderReplace : MessageView {
    static constexpr char kType = 'U';
    static constexpr std::size_t kLength = 35;
    using MessageView::MessageView;
    std::uint64_t original_order_reference_number() const noexcept { return u64(11); }
    std::uint64_t new_order_reference_number() const noexcept { return u64(19); }
    std::uint32_t shares() const noexcept { return u32(27); }
    Price4 price() const noexcept { return u32(31); }
};

}  // namespace sentinel::feed::itch
