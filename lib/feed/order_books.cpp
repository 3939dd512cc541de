#include "feed/order_books.hpp"

namespace sentinel::feed {

OrderBooks::OrderBooks(const BookConfig& config, FeedCounters& counters, std::pmr::memory_resource* memory)
    : counters_(counters),
      orders_(config.max_orders, memory),
      levels_(config.max_levels, memory),
      ladders_(config.ladder_rungs, memory),
      books_(itch::kLocates, memory),
      active_(itch::kLocates, memory) {}

BookUpdate OrderBooks::add(std::uint16_t locate, std::uint64_t reference, char side, std::uint32_t shares,
                           itch::Price4 price) noexcept {
    if (side != 'B' && side != 'S') {
        counters_.add(FeedCounter::bad_sides);
        return {locate, false};
    }
    const Side s = side == 'B' ? Side::bid : Side::ask;
    const std::uint32_t level = add_order(locate, s, reference, shares, price);
    // A level gaining an order changes the top exactly when it is (or has become) the best.
    return {locate, level != kNoLevel && levels_[level].best};
}

BookUpdate OrderBooks::reduce(std::uint64_t reference, std::uint32_t shares) noexcept {
    OrderEntry* order = orders_.find(reference);
    if (order == nullptr) {
        counters_.add(FeedCounter::unknown_order_refs);
        return {};
    }
    PriceLevel& level = levels_[order->level];
    const std::uint16_t locate = level.locate;
    // Only the best level is the top: a change anywhere else leaves it as it was.
    const bool best = level.best;
    if (shares < order->shares) {
        order->shares -= shares;
        level.shares -= shares;
        return {locate, best && shares != 0};
    }
    if (shares > order->shares) counters_.add(FeedCounter::excess_reductions);
    remove_order(order);
    return {locate, best};
}

BookUpdate OrderBooks::remove(std::uint64_t reference) noexcept {
    OrderEntry* order = orders_.find(reference);
    if (order == nullptr) {
        counters_.add(FeedCounter::unknown_order_refs);
        return {};
    }
    const PriceLevel& level = levels_[order->level];
    const std::uint16_t locate = level.locate;
    const bool best = level.best;
    remove_order(order);
    return {locate, best};
}

BookUpdate OrderBooks::replace(std::uint64_t original, std::uint64_t reference, std::uint32_t shares,
                               itch::Price4 price) noexcept {
    OrderEntry* order = orders_.find(original);
    if (order == nullptr) {
        counters_.add(FeedCounter::unknown_order_refs);
        return {};
    }
    const PriceLevel& level = levels_[order->level];
    const std::uint16_t locate = level.locate;
    const Side side = level.side;
    // Both halves may touch the top, and together they may leave it as it was (the same price and
    // size again): only comparing the best level before and after tells.
    const Ladder& ladder = ladder_of(level);
    const Quote before = top(ladder);
    remove_order(order);
    add_order(locate, side, reference, shares, price);
    return {locate, top(ladder) != before};
}

std::uint32_t OrderBooks::add_order(std::uint16_t locate, Side side, std::uint64_t reference, std::uint32_t shares,
                                    itch::Price4 price) noexcept {
    OrderEntry* slot = orders_.probe(reference);
    if (slot->level != kNoLevel && slot->reference == reference) {
        counters_.add(FeedCounter::duplicate_order_refs);
        return kNoLevel;
    }
    if (orders_.full()) {
        counters_.add(FeedCounter::orders_exhausted);
        return kNoLevel;
    }
    std::uint32_t level = level_at_home(locate, side, price);
    if (level == kNoLevel) level = level_at(locate, side, price);
    if (level == kNoLevel) return kNoLevel;
    PriceLevel& l = levels_[level];
    l.shares += shares;
    ++l.orders;
    orders_.occupy(slot, reference, shares, level);
    return level;
}

inline std::uint32_t OrderBooks::level_at_home(std::uint16_t locate, Side side, itch::Price4 price) const noexcept {
    const std::uint32_t level = levels_.home(locate, side, price);
    const PriceLevel& l = levels_[level];
    return !l.free && l.price == price && l.locate == locate && l.side == side ? level : kNoLevel;
}

std::uint32_t OrderBooks::level_at(std::uint16_t locate, Side side, itch::Price4 price) noexcept {
    const std::uint32_t k = key(side, price);
    Ladder& ladder = books_[locate].sides[index(side)];
    const std::uint32_t at = ladders_.upper_bound(ladder, k);
    if (at > 0 && ladders_.rungs(ladder)[at - 1].key == k) {
        return ladders_.rungs(ladder)[at - 1].level;
    }
    // Room in the ladder first, so that a refusal leaves nothing to undo.
    const Book& book = books_[locate];
    const bool first_level_ever = book.sides[0].capacity == 0 && book.sides[1].capacity == 0;
    if (!ladders_.reserve_one(ladder)) {
        counters_.add(FeedCounter::ladders_exhausted);
        return kNoLevel;
    }
    if (first_level_ever) active_[active_count_++] = locate;
    const std::uint32_t level = levels_.acquire(levels_.home(locate, side, price));
    if (level == kNoLevel) {
        counters_.add(FeedCounter::levels_exhausted);
        return kNoLevel;
    }
    PriceLevel& l = levels_[level];  // field by field: acquire() has set its pool flags
    l.shares = 0;
    l.price = price;
    l.orders = 0;
    l.locate = locate;
    l.side = side;
    l.best = false;
    if (at == ladder.size) {  // above every level of the side: the new best
        if (ladder.size != 0) levels_[ladder.best].best = false;
        levels_[level].best = true;
    }
    ladders_.insert(ladder, at, {k, level});
    return level;
}

void OrderBooks::remove_order(OrderEntry* order) noexcept {
    const std::uint32_t level = order->level;
    PriceLevel& l = levels_[level];
    l.shares -= order->shares;
    --l.orders;
    orders_.erase(order);
    if (l.orders != 0) return;
    Ladder& ladder = ladder_of(l);
    // The best level is the last rung: no search.
    ladders_.erase(ladder, l.best ? ladder.size - 1 : ladders_.upper_bound(ladder, key(l.side, l.price)) - 1);
    if (l.best && ladder.size != 0) levels_[ladder.best].best = true;  // the level below takes the top
    levels_.release(level);
}

}  // namespace sentinel::feed
