#pragma once
// decode(): one ITCH 5.0 message to the visitor's on(const T&), once its type and length check out.
//
//   message bytes ─▶ switch (type byte) ─▶ size == T::kLength ? ─▶ visitor.on(T{bytes})
//                        │                       └─ no: wrong_length
//                        └─ not one of the 23 types: unknown_type
//
// Every type has one fixed length in the spec, and a message of another length is skipped whole:
// a view only reads inside the bytes the length check vouched for, so a lying message never
// reads past its end. A visitor handles the types it cares about with on() overloads; the others
// are still checked and reported ok, just not delivered. It is all inline: the switch becomes a
// jump table, each case one compare, and the visitor's on() is compiled into its case.
//
// Thread safety: a plain function on caller-owned bytes.

#include <cstdint>
#include <span>

#include "feed/itch50_order_messages.hpp"
#include "feed/itch50_system_messages.hpp"
#include "feed/itch50_trade_messages.hpp"

namespace sentinel::feed::itch {

enum class DecodeStatus : std::uint8_t {
    ok,            // a known type of the right length (delivered when the visitor has an on() for it)
    empty,         // zero bytes: no type
    unknown_type,  // a type byte the spec does not define
    wrong_length,  // a known type, but not its length
};

namespace detail {

template <class M, class Visitor>
inline DecodeStatus deliver(std::span<const std::byte> message, Visitor& visitor) {
    if (message.size() != M::kLength) return DecodeStatus::wrong_length;
    if constexpr (requires(const M& m) { visitor.on(m); }) visitor.on(M{message.data()});
    return DecodeStatus::ok;
}

}  // namespace detail

template <class Visitor>
inline DecodeStatus decode(std::span<const std::byte> message, Visitor& visitor) {
    if (message.empty()) return DecodeStatus::empty;
    using detail::deliver;
    switch (static_cast<char>(message[0])) {
        case SystemEvent::kType: return deliver<SystemEvent>(message, visitor);
        case StockDirectory::kType: return deliver<StockDirectory>(message, visitor);
        case StockTradingAction::kType: return deliver<StockTradingAction>(message, visitor);
        case RegShoRestriction::kType: return deliver<RegShoRestriction>(message, visitor);
        case MarketParticipantPosition::kType: return deliver<MarketParticipantPosition>(message, visitor);
        case MwcbDeclineLevel::kType: return deliver<MwcbDeclineLevel>(message, visitor);
        case MwcbStatus::kType: return deliver<MwcbStatus>(message, visitor);
        case IpoQuotingPeriodUpdate::kType: return deliver<IpoQuotingPeriodUpdate>(message, visitor);
        case LuldAuctionCollar::kType: return deliver<LuldAuctionCollar>(message, visitor);
        case OperationalHalt::kType: return deliver<OperationalHalt>(message, visitor);
        case AddOrder::kType: return deliver<AddOrder>(message, visitor);
        case AddOrderMpid::kType: return deliver<AddOrderMpid>(message, visitor);
        case OrderExecuted::kType: return deliver<OrderExecuted>(message, visitor);
        case OrderExecutedWithPrice::kType: return deliver<OrderExecutedWithPrice>(message, visitor);
        case OrderCancel::kType: return deliver<OrderCancel>(message, visitor);
        case OrderDelete::kType: return deliver<OrderDelete>(message, visitor);
        case OrderReplace::kType: return deliver<OrderReplace>(message, visitor);
        case TradeNonCross::kType: return deliver<TradeNonCross>(message, visitor);
        case CrossTrade::kType: return deliver<CrossTrade>(message, visitor);
        case BrokenTrade::kType: return deliver<BrokenTrade>(message, visitor);
        case Noii::kType: return deliver<Noii>(message, visitor);
        case Rpii::kType: return deliver<Rpii>(message, visitor);
        case DirectListingPriceDiscovery::kType: return deliver<DirectListingPriceDiscovery>(message, visitor);
        default: return DecodeStatus::unknown_type;
    }
}

}  // namespace sentinel::feed::itch
