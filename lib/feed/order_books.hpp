#pragma once
// OrderBooks: the full-depth book of every instrument — price levels with their total shares and
// order counts, bids and asks — built from order-level messages, with no allocation after
// construction.
//
//   OrderTable (ref ─▶ open shares, level)        ──┐
//        │ level index                              │ all preallocated; capacities from BookConfig,
//        ▼                                          │ and an exhausted one refuses the add and
//   LevelPool (price, shares, orders, locate, side) │ counts it (book_*_exhausted): never UB,
//        ▲ level index, or home(locate, side, price)│ never a partial order
//        │                                          │
//   books[locate] = {bid ladder, ask ladder} ─▶ LadderArena (rungs sorted by price, best last)
//
//   add      probe the table (a duplicate reference is refused), find the level at its home in the
//            pool, else search its ladder, else make one and insert it, then add shares and one
//            order to it
//   reduce   (E, C, X) through the order's level index: no search, and no ladder read either, as
//            the level knows whether it is its side's best; the order leaves at 0 shares
//   remove   (D) likewise; a level whose last order leaves is erased from its ladder and released
//   replace  (U) removes the original and adds the new reference: same instrument and side, the
//            message's price and shares
//
// Each operation returns a BookUpdate: the instrument and whether its top of book (best price,
// shares or order count, on either side) changed. Only the best level is the top, so an add, reduce
// or remove changes it exactly when its level is the best one (and a reduction takes shares); a
// replace, whose two halves may cancel out, compares the best level before and after. An order
// reference the table does not know (after a gap, or a feed joined late) is counted and changes
// nothing.
//
// Footprint with the default BookConfig, all allocated and faulted in at construction: order table
// 2^23 slots x 16 B = 128 MiB, levels 2^20 x 32 B = 32 MiB, rungs 2^22 x 8 B = 32 MiB, books 64 Ki x
// 32 B = 2 MiB. The prefetch_*() hints let a caller that sees messages before it applies them
// (FeedEngine, through FeedHandler's hints) hide the misses on the table and the levels.
//
// Thread safety: one owner thread; the counters it adds to may be read from any.

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>

#include "feed/feed_counters.hpp"
#include "feed/itch50_message.hpp"
#include "feed/ladder_arena.hpp"
#include "feed/order_table.hpp"
#include "feed/preallocated_array.hpp"
#include "feed/price_level.hpp"

namespace sentinel::feed {

struct BookConfig {
    std::size_t max_orders = std::size_t{1} << 22;    // resting orders, every instrument together
    std::size_t max_levels = std::size_t{1} << 20;    // price levels, every instrument and side together
    std::size_t ladder_rungs = std::size_t{1} << 22;  // a ladder's chunk is < 2x its depth (min 8), plus free chunks

    // Books for `orders` resting orders, levels and rungs in the defaults' proportion: a level
    // for every four orders (at least 1024), a rung for every order.
    static constexpr BookConfig for_orders(std::size_t orders) noexcept {
        return {.max_orders = orders, .max_levels = orders / 4 > 1024 ? orders / 4 : 1024, .ladder_rungs = orders};
    }
};
static_assert(BookConfig::for_orders(BookConfig{}.max_orders).max_levels == BookConfig{}.max_levels &&
              BookConfig::for_orders(BookConfig{}.max_orders).ladder_rungs == BookConfig{}.ladder_rungs,
              "the defaults are the books for their order count");

// The best level of one side; orders == 0 when the side is empty.
struct Quote {
    itch::Price4 price = 0;
    std::uint32_t orders = 0;
    std::uint64_t shares = 0;
    bool operator==(const Quote&) const = default;
};

struct BookUpdate {
    std::uint16_t locate = 0;  // the instrument whose book the message touched
    bool top_changed = false;  // its best bid or best ask changed (price, shares or orders)
};

class OrderBooks {
public:
    OrderBooks(const BookConfig& config, FeedCounters& counters,
               std::pmr::memory_resource* memory = std::pmr::get_default_resource());

    // A, F. `side` is the buy/sell indicator: 'B' or 'S'.
    BookUpdate add(std::uint16_t locate, std::uint64_t reference, char side, std::uint32_t shares,
                   itch::Price4 price) noexcept;
    // E, C, X: executed or cancelled shares leave the order; at 0 the order leaves the book.
    BookUpdate reduce(std::uint64_t reference, std::uint32_t shares) noexcept;
    // D.
    BookUpdate remove(std::uint64_t reference) noexcept;
    // U.
    BookUpdate replace(std::uint64_t original, std::uint64_t reference, std::uint32_t shares,
                       itch::Price4 price) noexcept;

    // Cache hints for an operation a few messages ahead, so that its lines are on the way while the
    // messages before it are applied. For an order already resting, two stages: prefetch_order()
    // needs only the reference; prefetch_level() reads the order's table slot (give the first hint
    // time to bring it) and hints the order's level. They change nothing. Always inlined, or GCC
    // would take them for pure functions and delete the calls.
    [[gnu::always_inline]] void prefetch_order(std::uint64_t reference) const noexcept { orders_.prefetch(reference); }
    [[gnu::always_inline]] void prefetch_level(std::uint64_t reference) noexcept {
        if (const OrderEntry* order = orders_.find(reference)) __builtin_prefetch(&levels_[order->level]);
    }
    // And for an add, one stage, as it needs only the message: its level's home, where the level
    // most likely is (LevelPool), and its book, which a new level's insert reads.
    [[gnu::always_inline]] void prefetch_add(std::uint16_t locate, char side, itch::Price4 price) const noexcept {
        __builtin_prefetch(&levels_[levels_.home(locate, side_of(side), price)]);
        prefetch_book(locate);
    }
    // A change's top-of-book record reads both sides' best levels: the book first, then (once it
    // has arrived) the levels it names.
    [[gnu::always_inline]] void prefetch_book(std::uint16_t locate) const noexcept { __builtin_prefetch(&books_[locate]); }
    [[gnu::always_inline]] void prefetch_tops(std::uint16_t locate) const noexcept {
        for (const Ladder& l : books_[locate].sides)
            if (l.size != 0) __builtin_prefetch(&levels_[l.best]);
    }

    Quote best(std::uint16_t locate, Side side) const noexcept { return top(books_[locate].sides[index(side)]); }

    // f(const PriceLevel&) for each level of one side, best first.
    template <class F>
    void for_each_level(std::uint16_t locate, Side side, F&& f) const {
        const Ladder& l = books_[locate].sides[index(side)];
        const Rung* r = ladders_.rungs(l);
        for (std::uint32_t i = l.size; i > 0; --i) f(levels_[r[i - 1].level]);
    }

    // Every instrument that has held a level, in the order each first did (the dump walks these,
    // not all 64 Ki locates).
    std::span<const std::uint16_t> instruments() const noexcept { return {active_.data(), active_count_}; }

    std::size_t depth(std::uint16_t locate, Side side) const noexcept {
        return books_[locate].sides[index(side)].size;
    }
    std::size_t orders() const noexcept { return orders_.size(); }
    std::size_t levels() const noexcept { return levels_.in_use(); }

private:
    struct Book {
        Ladder sides[2];  // indexed by Side
    };
    static_assert(sizeof(Book) == 32, "two books per cache line");

    static std::size_t index(Side s) noexcept { return static_cast<std::size_t>(s); }
    // A hint's side: the message's 'B' or 'S', not yet checked.
    static Side side_of(char side) noexcept { return side == 'S' ? Side::ask : Side::bid; }
    static std::uint32_t key(Side s, itch::Price4 price) noexcept { return s == Side::bid ? price : ~price; }

    Ladder& ladder_of(const PriceLevel& l) noexcept { return books_[l.locate].sides[index(l.side)]; }
    Quote top(const Ladder& l) const noexcept {
        if (l.size == 0) return {};
        const PriceLevel& best = levels_[l.best];
        return {best.price, best.orders, best.shares};
    }
    // The order's level, or kNoLevel when the add was refused (and counted).
    std::uint32_t add_order(std::uint16_t locate, Side side, std::uint64_t reference, std::uint32_t shares,
                            itch::Price4 price) noexcept;
    // The level at `price` when it is at its home, else kNoLevel.
    std::uint32_t level_at_home(std::uint16_t locate, Side side, itch::Price4 price) const noexcept;
    // The level at `price` from its ladder, made if need be; kNoLevel when a capacity ran out
    // (counted). The rarer half of an add, kept out of line.
    [[gnu::noinline]] std::uint32_t level_at(std::uint16_t locate, Side side, itch::Price4 price) noexcept;
    void remove_order(OrderEntry* order) noexcept;

    FeedCounters& counters_;
    OrderTable orders_;
    LevelPool levels_;
    LadderArena ladders_;
    PreallocatedArray<Book> books_;  // by stock locate
    PreallocatedArray<std::uint16_t> active_;  // instruments(): a side's chunk, once had, is kept
    std::size_t active_count_ = 0;
};

}  // namespace sentinel::feed
