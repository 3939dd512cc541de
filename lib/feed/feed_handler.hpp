#pragma once
// FeedHandler: the decode-and-apply step of the feed, one ITCH 5.0 message at a time, with
// counters. The arbitrator (line_arbitrator.hpp) decides which message is next; FeedEngine
// (feed_engine.hpp) joins the two, and every caller (the appliance's feed stage, the replay, the
// benchmark) runs that engine.
//
//   on_message(message) ─▶ itch::decode ─▶ count by type ─▶ OrderBooks (A F E C X D U)
//                                                       └▶ InstrumentDirectory (R H S)
//                       ─▶ BookUpdate: which instrument, and whether its best bid or ask changed
//
// Cache hints (prefetch_far, prefetch_near) let the caller hide the books' misses: given a message
// some messages before it is applied, they start the loads of the order table slot, the level and
// the book it will need, so those misses overlap with the work before them.
//
// Thread safety: one thread drives a handler; counters() may be read from any thread.

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>

#include "feed/big_endian.hpp"
#include "feed/feed_counters.hpp"
#include "feed/instrument_directory.hpp"
#include "feed/order_books.hpp"

namespace sentinel::feed {

class FeedHandler {
public:
    // Everything it holds (books, order table, directory) is allocated from `memory` here, and
    // nothing after: the appliance passes its hugepage resource.
    explicit FeedHandler(const BookConfig& config = {},
                         std::pmr::memory_resource* memory = std::pmr::get_default_resource());

    // One ITCH message, the next in sequence: decode, count, apply. Never reads outside `message`.
    BookUpdate on_message(std::span<const std::byte> message) noexcept;

    // Cache hints for a message about to be applied, so that its order's table slot and level are
    // on the way while the messages before it are applied (OrderBooks::prefetch_order): the engine
    // gives each message prefetch_far() kFarAhead messages before applying it and prefetch_near()
    // kNearAhead before. The far stage hints the order's table slot and its instrument's book, and
    // an add's level from the message alone (its home: OrderBooks::prefetch_add); the near stage
    // reads the book for both sides' best levels (a change's top-of-book record reads them) and
    // the table for the other orders' levels. Hints only: they change nothing, and read nothing outside `message`; always inlined
    // (see OrderBooks).
    static constexpr int kFarAhead = 16;  // ~0.9 us ahead: a DRAM miss, and the near hint then finds the slot loaded
    static constexpr int kNearAhead = 4;
    [[gnu::always_inline]] void prefetch_far(std::span<const std::byte> message) const noexcept {
        if (!names_an_order(message)) return;
        books_.prefetch_order(load_be64(message.data() + kOrderReferenceAt));
        const std::uint16_t locate = load_be16(message.data() + kStockLocateAt);
        if (is_add(message)) {
            books_.prefetch_add(locate, static_cast<char>(message[kSideAt]), load_be32(message.data() + kPriceAt));
        } else {
            books_.prefetch_book(locate);
        }
    }
    [[gnu::always_inline]] void prefetch_near(std::span<const std::byte> message) noexcept {
        if (!names_an_order(message) || is_add(message)) return;
        books_.prefetch_level(load_be64(message.data() + kOrderReferenceAt));
    }

    const FeedCounters& counters() const noexcept { return counters_; }
    const OrderBooks& books() const noexcept { return books_; }
    const InstrumentDirectory& instruments() const noexcept { return instruments_; }

private:
    struct Apply;

    // Where the hints find their fields (itch50_order_messages.hpp): every message's locate; the
    // order reference number of A F E C X D U (U's original); the side and price of A and F.
    static constexpr std::size_t kStockLocateAt = 1;
    static constexpr std::size_t kOrderReferenceAt = 11;
    static constexpr std::size_t kSideAt = 19;
    static constexpr std::size_t kPriceAt = 32;
    // A message with an order reference, long enough to read one: a hint never reads past the end.
    static bool names_an_order(std::span<const std::byte> message) noexcept {
        if (message.size() < kOrderReferenceAt + 8) return false;
        switch (static_cast<char>(message[0])) {
            case 'A': case 'F': case 'E': case 'C': case 'X': case 'D': case 'U': return true;
            default: return false;
        }
    }
    // An add, long enough to read its side and price (the decoder has not checked its length yet).
    static bool is_add(std::span<const std::byte> message) noexcept {
        return (message[0] == std::byte{'A'} || message[0] == std::byte{'F'}) && message.size() >= kPriceAt + 4;
    }

    FeedCounters counters_;
    OrderBooks books_;
    InstrumentDirectory instruments_;
};

}  // namespace sentinel::feed
