#include "feed/feed_handler.hpp"


#include "feed/itch50_decoder.hpp"

namespace sentinel::feed {

// The decoder's visitor: counts every message by type, then applies those that change a book or
// the directory; the rest (L V W K J h P Q B I N O, Y) are counted only.
struct FeedHandler::Apply {
    FeedHandler& handler;
    BookUpdate update{};

    template <class M>
    void on(const M& m) noexcept {
        handler.counters_.add(message_counter(M::kType));
        act(m);
    }

    void act(const itch::AddOrder& m) noexcept {
        update = handler.books_.add(m.stock_locate(), m.order_reference_number(), m.buy_sell_indicator(),
                                    m.shares(), m.price());
    }
    void act(const itch::AddOrderMpid& m) noexcept {  // the attribution means nothing to a book
        update = handler.books_.add(m.stock_locate(), m.order_reference_number(), m.buy_sell_indicator(),
                                    m.shares(), m.price());
    }
    void act(const itch::OrderExecuted& m) noexcept {
        update = handler.books_.reduce(m.order_reference_number(), m.executed_shares());
    }
    void act(const itch::OrderExecutedWithPrice& m) noexcept {  // the order rests at its own price
        update = handler.books_.reduce(m.order_reference_number(), m.executed_shares());
    }
    void act(const itch::OrderCancel& m) noexcept {
        update = handler.books_.reduce(m.order_reference_number(), m.canceled_shares());
    }
    void act(const itch::OrderDelete& m) noexcept { update = handler.books_.remove(m.order_reference_number()); }
    void act(const itch::OrderReplace& m) noexcept {
        update = handler.books_.replace(m.original_order_reference_number(), m.new_order_reference_number(),
                                        m.shares(), m.price());
    }
    void act(const itch::StockDirectory& m) noexcept { handler.instruments_.list(m.stock_locate(), m.stock()); }
    void act(const itch::StockTradingAction& m) noexcept {
        handler.instruments_.set_trading_state(m.stock_locate(), m.trading_state());
    }
    void act(const itch::SystemEvent& m) noexcept { handler.instruments_.set_system_event(m.event_code()); }
    void act(const itch::MessageView&) noexcept {}
};

FeedHandler::FeedHandler(const BookConfig& config, std::pmr::memory_resource* memory)
    : books_(config, counters_, memory), instruments_(memory) {}

BookUpdate FeedHandler::on_message(std::span<const std::byte> message) noexcept {
    Apply apply{*this};
    switch (itch::decode(message, apply)) {
        case itch::DecodeStatus::ok: break;
        case itch::DecodeStatus::empty: counters_.add(FeedCounter::empty_messages); break;
        case itch::DecodeStatus::unknown_type: counters_.add(FeedCounter::unknown_types); break;
        case itch::DecodeStatus::wrong_length: counters_.add(FeedCounter::wrong_lengths); break;
    }
    return apply.update;
}

}  // namespace sentinel::feed
