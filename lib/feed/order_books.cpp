#include "feed/order_books.hpp"

namespace sentinel::feed {

OrderBooks::OrderBooks(const BookConfig& config, FeedCounters& counters, std::pmr::memory_resource* memory)
    : counters_(counters),
      orders_(config.max_orders, memory),
      levels_(config.max_levels, memory),
      ladders_(config.ladder_rungs, memory),
      books_(itch::kLocates, memory) {}

Quote OrderBooks::top(const Ladder& l) const noexcept {
    if (l.size == 0) return {};
    const PriceLevel& best = levels_[ladders_.rungs(l)[l.size - 1].level];
    return {best.price, best.orders, best.shares};
}

BookUpdate OrderBooks::add(std::uint16_t locate, std::uint64_t reference, char side, std::uint32_t shares,
                           itch::Price4 price) noexcept {
    if (side != 'B' && side != 'S') {
        counters_.add(FeedCounter::bad_sides);
        return {locate, false};
    }
    const Side s = side == 'B' ? Side::bid : Side::ask;
    const Ladder& ladder = books_[locate].sides[index(s)];
    const Quote before = top(ladder);
    if (!add_order(locate, s, reference, shares, price)) return {locate, false};
    return {locate, top(ladder) != before};
}

BookUpdate OrderBooks::reduce(std::uint64_t reference, std::uint32_t shares) noexcept {
    OrderEntry* order = orders_.find(reference);
    if (order == nullptr) {
        counters_.add(FeedCounter::unknown_order_refs);
        return {};
    }
    PriceLevel& level = levels_[order->level];
    const std::uint16_t locate = level.locate;
    const Ladder& ladder = ladder_of(level);
    const Quote before = top(ladder);
    if (shares < order->shares) {
        order->shares -= shares;
        level.shares -= shares;
    } else {
        if (shares > order->shares) counters_.add(FeedCounter::excess_reductions);
        remove_order(order);
    }
    return {locate, top(ladder) != before};
}

BookUpdate OrderBooks::remove(std::uint64_t reference) noexcept {
    OrderEntry* order = orders_.find(reference);
    if (order == nullptr) {
        counters_.add(FeedCounter::unknown_order_refs);
        return {};
    }
    const PriceLevel& level = levels_[order->level];
    const std::uint16_t locate = level.locate;
    const Ladder& ladder = ladder_of(level);
    const Quote before = top(ladder);
    remove_order(order);
    return {locate, top(ladder) != before};
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
    const Ladder& ladder = ladder_of(level);
    const Quote before = top(ladder);
    remove_order(order);
    add_order(locate, side, reference, shares, price);
    return {locate, top(ladder) != before};
}

bool OrderBooks::add_order(std::uint16_t locate, Side side, std::uint64_t reference, std::uint32_t shares,
                           itch::Price4 price) noexcept {
    OrderEntry* slot = orders_.probe(reference);
    if (slot->level != kNoLevel) {
        counters_.add(FeedCounter::duplicate_order_refs);
        return false;
    }
    if (orders_.full()) {
        counters_.add(FeedCounter::orders_exhausted);
        return false;
    }
    const std::uint32_t level = level_at(books_[locate].sides[index(side)], locate, side, price);
    if (level == kNoLevel) return false;
    PriceLevel& l = levels_[level];
    l.shares += shares;
    ++l.orders;
    orders_.occupy(slot, reference, shares, level);
    return true;
}

std::uint32_t OrderBooks::level_at(Ladder& ladder, std::uint16_t locate, Side side, itch::Price4 price) noexcept {
    const std::uint32_t k = key(side, price);
    const std::uint32_t at = ladders_.upper_bound(ladder, k);
    if (at > 0) {
        const Rung& below = ladders_.rungs(ladder)[at - 1];
        if (below.key == k) return below.level;
    }
    // A new level: room in the ladder first, so that a refusal leaves nothing to undo.
    if (!ladders_.reserve_one(ladder)) {
        counters_.add(FeedCounter::ladders_exhausted);
        return kNoLevel;
    }
    const std::uint32_t level = levels_.acquire();
    if (level == kNoLevel) {
        counters_.add(FeedCounter::levels_exhausted);
        return kNoLevel;
    }
    levels_[level] = {.shares = 0, .price = price, .orders = 0, .locate = locate, .side = side};
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
    ladders_.erase(ladder, ladders_.upper_bound(ladder, key(l.side, l.price)) - 1);
    levels_.release(level);
}

}  // namespace sentinel::feed
