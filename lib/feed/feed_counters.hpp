#pragma once
// FeedCounters: what the feed handler did with the messages the arbitrator delivered in sequence
// (packets, sessions, duplicates and gaps are the arbitrator's: arbitration_counters.hpp), one
// enum with the labels the stats use. Every message and book operation not applied lands in
// exactly one counter here.
//
//   message ─▶ decode ─┬ one itch_<type> each ─▶ book: unknown refs, duplicates, bad sides,
//                      │                              capacity exhausted
//                      └ empty / unknown type / wrong length
//
// Memory ordering (disruptor/counter_block.hpp): one writer, the thread running the feed handler; any
// thread reads relaxed and sees a recent value (the stats printer).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "disruptor/counter_block.hpp"

namespace sentinel::feed {

enum class FeedCounter : std::size_t {
    itch_system_event,        // one counter per ITCH message type, counted once decoded ...
    itch_stock_directory,
    itch_stock_trading_action,
    itch_reg_sho_restriction,
    itch_market_participant_position,
    itch_mwcb_decline_level,
    itch_mwcb_status,
    itch_ipo_quoting_period_update,
    itch_luld_auction_collar,
    itch_operational_halt,
    itch_add_order,
    itch_add_order_mpid,
    itch_order_executed,
    itch_order_executed_with_price,
    itch_order_cancel,
    itch_order_delete,
    itch_order_replace,
    itch_trade_non_cross,
    itch_cross_trade,
    itch_broken_trade,
    itch_noii,
    itch_rpii,
    itch_direct_listing_price_discovery,  // ... up to here
    empty_messages,           // skipped: a zero-length message block
    unknown_types,            // skipped: a type byte the spec does not define
    wrong_lengths,            // skipped: a known type of another length
    unknown_order_refs,       // E C X D U naming no resting order (a gap, or a feed joined late)
    duplicate_order_refs,     // A F U adding a reference number that is resting already: not added
    bad_sides,                // A F with a buy/sell indicator other than B or S: not added
    excess_reductions,        // E C X for more shares than the order had: the order is removed
    orders_exhausted,         // adds refused: the order table holds its maximum
    levels_exhausted,         // adds refused: the price level pool is empty
    ladders_exhausted,        // adds refused: no room left to grow a side's ladder
    count,                    // add all new counters before this one
};

inline constexpr std::size_t kFeedCounterCount = static_cast<std::size_t>(FeedCounter::count);

inline constexpr std::array<std::string_view, kFeedCounterCount> kFeedCounterLabels{
    "itch_system_event",
    "itch_stock_directory",
    "itch_stock_trading_action",
    "itch_reg_sho_restriction",
    "itch_market_participant_position",
    "itch_mwcb_decline_level",
    "itch_mwcb_status",
    "itch_ipo_quoting_period_update",
    "itch_luld_auction_collar",
    "itch_operational_halt",
    "itch_add_order",
    "itch_add_order_mpid",
    "itch_order_executed",
    "itch_order_executed_with_price",
    "itch_order_cancel",
    "itch_order_delete",
    "itch_order_replace",
    "itch_trade_non_cross",
    "itch_cross_trade",
    "itch_broken_trade",
    "itch_noii",
    "itch_rpii",
    "itch_direct_listing_price_discovery",
    "itch_empty_messages",
    "itch_unknown_types",
    "itch_wrong_lengths",
    "book_unknown_order_refs",
    "book_duplicate_order_refs",
    "book_bad_sides",
    "book_excess_reductions",
    "book_orders_exhausted",
    "book_levels_exhausted",
    "book_ladders_exhausted",
};
static_assert(disruptor::every_label_given(kFeedCounterLabels), "a counter without a label: add it to kFeedCounterLabels, in the enum's order");

// The counter of each ITCH message type, by its type byte.
constexpr FeedCounter message_counter(char type) noexcept {
    switch (type) {
        case 'S': return FeedCounter::itch_system_event;
        case 'R': return FeedCounter::itch_stock_directory;
        case 'H': return FeedCounter::itch_stock_trading_action;
        case 'Y': return FeedCounter::itch_reg_sho_restriction;
        case 'L': return FeedCounter::itch_market_participant_position;
        case 'V': return FeedCounter::itch_mwcb_decline_level;
        case 'W': return FeedCounter::itch_mwcb_status;
        case 'K': return FeedCounter::itch_ipo_quoting_period_update;
        case 'J': return FeedCounter::itch_luld_auction_collar;
        case 'h': return FeedCounter::itch_operational_halt;
        case 'A': return FeedCounter::itch_add_order;
        case 'F': return FeedCounter::itch_add_order_mpid;
        case 'E': return FeedCounter::itch_order_executed;
        case 'C': return FeedCounter::itch_order_executed_with_price;
        case 'X': return FeedCounter::itch_order_cancel;
        case 'D': return FeedCounter::itch_order_delete;
        case 'U': return FeedCounter::itch_order_replace;
        case 'P': return FeedCounter::itch_trade_non_cross;
        case 'Q': return FeedCounter::itch_cross_trade;
        case 'B': return FeedCounter::itch_broken_trade;
        case 'I': return FeedCounter::itch_noii;
        case 'N': return FeedCounter::itch_rpii;
        case 'O': return FeedCounter::itch_direct_listing_price_discovery;
        default: return FeedCounter::unknown_types;
    }
}

using FeedCounters = disruptor::CounterBlock<FeedCounter>;

}  // namespace sentinel::feed
