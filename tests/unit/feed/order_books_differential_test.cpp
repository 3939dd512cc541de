// Differential: random order streams through FeedHandler::on_message (encoded, decoded, applied)
// and through a plain std::map model written here from the spec's semantics; full depth of every
// instrument compared every kCompareEvery messages, the top-of-book change flag after every one.
//   FORBIDDEN: any level (price, shares, orders) differing from the model's, on any side
//   FORBIDDEN: top_changed disagreeing with the model's best bid and ask before and after
//   FORBIDDEN: counters of unknown refs, duplicates, bad sides, excess reductions differing
// The streams include unknown references, duplicate adds and replaces onto resting references,
// bad sides, zero shares, over-executions, extreme prices and instruments far apart. The length
// shrinks under sanitizers; SENTINEL_STRESS_EVENTS overrides it.

#include <gtest/gtest.h>

#include <cstdlib>
#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "feed/feed_handler.hpp"
#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using namespace test;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kDefaultEvents = 40'000;
#else
constexpr std::uint64_t kDefaultEvents = 400'000;
#endif
constexpr std::uint64_t kCompareEvery = 2'000;

std::uint64_t events() {
    const char* env = std::getenv("SENTINEL_STRESS_EVENTS");
    return env ? std::strtoull(env, nullptr, 10) : kDefaultEvents;
}

// The reference: orders in a hash map, levels in an ordered map per instrument and side.
class Model {
public:
    using Quote = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;  // price, shares, orders
    struct Order {
        std::uint16_t locate;
        char side;
        std::uint32_t price;
        std::uint32_t shares;
    };

    std::unordered_map<std::uint64_t, Order> orders;
    std::map<std::tuple<std::uint16_t, char, std::uint32_t>, std::pair<std::uint64_t, std::uint32_t>> levels;
    std::uint64_t unknown = 0, duplicate = 0, bad_side = 0, excess = 0;

    void add(std::uint16_t locate, std::uint64_t ref, char side, std::uint32_t shares, std::uint32_t price) {
        if (side != 'B' && side != 'S') {
            ++bad_side;
        } else if (orders.contains(ref)) {
            ++duplicate;
        } else {
            orders[ref] = {locate, side, price, shares};
            auto& l = levels[{locate, side, price}];
            l.first += shares;
            ++l.second;
        }
    }
    void reduce(std::uint64_t ref, std::uint32_t shares) {
        const auto it = orders.find(ref);
        if (it == orders.end()) return void(++unknown);
        if (shares < it->second.shares) {
            it->second.shares -= shares;
            levels[key(it->second)].first -= shares;
        } else {
            if (shares > it->second.shares) ++excess;
            erase(it);
        }
    }
    void remove(std::uint64_t ref) {
        const auto it = orders.find(ref);
        if (it == orders.end()) return void(++unknown);
        erase(it);
    }
    void replace(std::uint64_t original, std::uint64_t ref, std::uint32_t shares, std::uint32_t price) {
        const auto it = orders.find(original);
        if (it == orders.end()) return void(++unknown);
        const Order o = it->second;
        erase(it);
        add(o.locate, ref, o.side, shares, price);
    }

    // Best first: highest bid, lowest ask.
    std::vector<Quote> depth(std::uint16_t locate, char side) const {
        std::vector<Quote> out;
        const auto lo = levels.lower_bound({locate, side, 0});
        const auto hi = levels.upper_bound({locate, side, 0xFFFFFFFF});
        for (auto it = lo; it != hi; ++it) out.emplace_back(std::get<2>(it->first), it->second.first, it->second.second);
        if (side == 'B') std::reverse(out.begin(), out.end());
        return out;
    }
    std::pair<Quote, Quote> top(std::uint16_t locate) const {
        const auto bids = depth(locate, 'B');
        const auto asks = depth(locate, 'S');
        return {bids.empty() ? Quote{} : bids.front(), asks.empty() ? Quote{} : asks.front()};
    }

private:
    static std::tuple<std::uint16_t, char, std::uint32_t> key(const Order& o) { return {o.locate, o.side, o.price}; }
    void erase(std::unordered_map<std::uint64_t, Order>::iterator it) {
        const auto l = levels.find(key(it->second));
        l->second.first -= it->second.shares;
        if (--l->second.second == 0) levels.erase(l);
        orders.erase(it);
    }
};

// One book-building message, as the stream chose it.
struct Op {
    char type = 'A';          // A F E C X D U
    std::uint16_t locate = 0;
    std::uint64_t ref = 0;    // U: the original
    std::uint64_t new_ref = 0;
    char side = 'B';
    std::uint32_t shares = 0;  // A F U: the order's; E C X: executed or cancelled
    std::uint32_t price = 0;   // A F U: the order's; C: the execution's
};

Message encode(const Op& op) {
    switch (op.type) {
        case 'A': return add_order(op.locate, op.ref, op.side, op.shares, op.price);
        case 'F': return add_order_mpid(op.locate, op.ref, op.side, op.shares, op.price, "MPID");
        case 'E': return order_executed(op.locate, op.ref, op.shares);
        case 'C': return order_executed_with_price(op.locate, op.ref, op.shares, op.price);
        case 'X': return order_cancel(op.locate, op.ref, op.shares);
        case 'D': return order_delete(op.locate, op.ref);
        default: return order_replace(op.locate, op.ref, op.new_ref, op.shares, op.price);
    }
}

void apply(Model& model, const Op& op) {
    switch (op.type) {
        case 'A':
        case 'F': return model.add(op.locate, op.ref, op.side, op.shares, op.price);
        case 'E':
        case 'C':
        case 'X': return model.reduce(op.ref, op.shares);
        case 'D': return model.remove(op.ref);
        default: return model.replace(op.ref, op.new_ref, op.shares, op.price);
    }
}

// Random operations in the proportions of a busy feed, with the awkward cases mixed in.
class Stream {
public:
    explicit Stream(std::uint64_t seed) : rng_(seed) {}

    Op next(const Model& model) {
        const auto dice = pick(0, 99);
        if (dice < 40 || live_.empty()) return add();
        Op op;
        op.ref = known_or_unknown();
        const auto it = model.orders.find(op.ref);
        op.locate = it == model.orders.end() ? 0 : it->second.locate;
        const std::uint64_t open = it == model.orders.end() ? 100 : it->second.shares;
        op.shares = static_cast<std::uint32_t>(pick(0, 99) < 90 ? pick(0, open) : pick(0, open + open / 4 + 1));
        op.price = price(it == model.orders.end() ? 'B' : it->second.side);
        op.type = dice < 55 ? 'E' : dice < 60 ? 'C' : dice < 70 ? 'X' : dice < 88 ? 'D' : 'U';
        if (op.type == 'U') {
            op.new_ref = fresh_or_resting();
            op.shares = shares();
        }
        return op;
    }

    // Forget references the model no longer holds, so that picks mostly hit resting orders.
    void prune(const Model& model) {
        std::erase_if(live_, [&](std::uint64_t r) { return !model.orders.contains(r); });
    }

private:
    std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
    }

    Op add() {
        Op op;
        op.type = pick(0, 1) ? 'A' : 'F';
        op.locate = kInstruments[pick(0, std::size(kInstruments) - 1)];
        op.ref = fresh_or_resting();
        const auto s = pick(0, 199);
        op.side = s == 0 ? 'Z' : s % 2 ? 'B' : 'S';
        op.shares = shares();
        op.price = price(op.side);
        return op;
    }
    // Mostly a new reference; now and then one that may be resting (a duplicate).
    std::uint64_t fresh_or_resting() {
        const std::uint64_t ref = pick(0, 99) < 2 && !live_.empty() ? live_[pick(0, live_.size() - 1)] : next_ref_++;
        live_.push_back(ref);
        return ref;
    }
    std::uint64_t known_or_unknown() {
        if (pick(0, 99) < 4) return next_ref_ + 1'000'000'000;  // never added
        // Recent orders are the likeliest to be touched, as on a real feed.
        const std::size_t n = live_.size();
        return pick(0, 1) ? live_[n - 1 - pick(0, std::min<std::size_t>(n - 1, 50))] : live_[pick(0, n - 1)];
    }
    std::uint32_t shares() { return pick(0, 99) == 0 ? 0 : static_cast<std::uint32_t>(pick(1, 10) * 100); }
    // Bids below $100, asks above, most within a few cents of it (a geometric distance, up to 80
    // ticks), so that many messages move a top; now and then the far extremes (a bid at 0, an ask
    // at $429496.7295, which would otherwise stick at the top).
    std::uint32_t price(char side) {
        if (pick(0, 999) == 0) return side == 'S' ? 0xFFFFFFFF : 0;
        const auto ticks = std::min<std::uint64_t>(std::geometric_distribution<std::uint64_t>(0.3)(rng_), 80);
        return static_cast<std::uint32_t>(side == 'S' ? 1'000'000 + (ticks + 1) * 100 : 1'000'000 - ticks * 100);
    }

    static constexpr std::uint16_t kInstruments[] = {0, 1, 2, 777, 65535};
    std::mt19937_64 rng_;
    std::vector<std::uint64_t> live_;
    std::uint64_t next_ref_ = 1;
};

std::vector<Model::Quote> depth_of(const FeedHandler& h, std::uint16_t locate, Side side) {
    std::vector<Model::Quote> out;
    h.books().for_each_level(locate, side, [&](const PriceLevel& l) { out.emplace_back(l.price, l.shares, l.orders); });
    return out;
}

// The instrument whose top the operation may move: the add's, or the resting order's.
std::optional<std::uint16_t> watched(const Model& model, const Op& op) {
    if (op.type == 'A' || op.type == 'F') return op.locate;
    const auto it = model.orders.find(op.ref);
    if (it == model.orders.end()) return std::nullopt;
    return it->second.locate;
}

TEST(OrderBooksDifferential, RandomStreamsAgreeWithAMapModel) {
    const std::uint64_t n = events();
    for (std::uint64_t seed : {1u, 2u}) {
        FeedHandler h(BookConfig{.max_orders = 1 << 20, .max_levels = 1 << 16, .ladder_rungs = 1 << 18});
        Model model;
        Stream stream(seed);
        std::uint64_t changes = 0;
        for (std::uint64_t i = 1; i <= n; ++i) {
            const Op op = stream.next(model);
            const std::optional<std::uint16_t> locate = watched(model, op);
            const auto before = locate ? model.top(*locate) : std::pair<Model::Quote, Model::Quote>{};
            const BookUpdate u = h.on_message(encode(op));
            apply(model, op);
            const bool changed = locate && model.top(*locate) != before;
            ASSERT_EQ(u.top_changed, changed) << "seed " << seed << " message " << i << " type " << op.type;
            if (changed) {
                ASSERT_EQ(u.locate, *locate);
                ++changes;
            }
            if (i % kCompareEvery != 0 && i != n) continue;
            for (const std::uint16_t l : {0, 1, 2, 777, 65535}) {
                ASSERT_EQ(depth_of(h, l, Side::bid), model.depth(l, 'B')) << "seed " << seed << " message " << i;
                ASSERT_EQ(depth_of(h, l, Side::ask), model.depth(l, 'S')) << "seed " << seed << " message " << i;
            }
            ASSERT_EQ(h.books().orders(), model.orders.size());
            ASSERT_EQ(h.books().levels(), model.levels.size());
            stream.prune(model);
        }
        const FeedCounters& c = h.counters();
        EXPECT_EQ(c.get(FeedCounter::unknown_order_refs), model.unknown);
        EXPECT_EQ(c.get(FeedCounter::duplicate_order_refs), model.duplicate);
        EXPECT_EQ(c.get(FeedCounter::bad_sides), model.bad_side);
        EXPECT_EQ(c.get(FeedCounter::excess_reductions), model.excess);
        EXPECT_EQ(c.get(FeedCounter::orders_exhausted) + c.get(FeedCounter::levels_exhausted) +
                      c.get(FeedCounter::ladders_exhausted),
                  0u);
        // The stream must have exercised what it claims to.
        EXPECT_GT(model.unknown, n / 100);
        EXPECT_GT(model.duplicate, 0u);
        EXPECT_GT(model.bad_side, 0u);
        EXPECT_GT(model.excess, 0u);
        EXPECT_GT(changes, n / 20);
        EXPECT_GT(model.orders.size(), 100u);
    }
}

}  // namespace
}  // namespace sentinel::feed
