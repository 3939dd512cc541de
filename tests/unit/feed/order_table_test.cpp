// The order table, the level pool and the ladder arena: the preallocated structures under the
// books, each at its limits.

#include "feed/order_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "feed/ladder_arena.hpp"
#include "feed/price_level.hpp"

namespace sentinel::feed {
namespace {

std::pmr::memory_resource* heap() { return std::pmr::new_delete_resource(); }

void put(OrderTable& t, std::uint64_t ref, std::uint32_t shares) {
    ASSERT_EQ(t.find(ref), nullptr) << ref;
    t.occupy(t.probe(ref), ref, shares, 7);
}

TEST(OrderTable, SizesItsSlotsAtLeastOneAndAHalfTimesTheMaximum) {
    EXPECT_EQ(OrderTable(1, heap()).slots(), 2u);
    EXPECT_EQ(OrderTable(1000, heap()).slots(), 2048u);
    EXPECT_EQ(OrderTable(std::size_t{1} << 22, heap()).slots(), std::size_t{1} << 23);
}

TEST(OrderTable, FindsWhatItHoldsAndNothingElse) {
    OrderTable t(100, heap());
    for (std::uint64_t ref = 1; ref <= 100; ++ref) put(t, ref * 1000003, static_cast<std::uint32_t>(ref));
    EXPECT_TRUE(t.full());
    for (std::uint64_t ref = 1; ref <= 100; ++ref) {
        const OrderEntry* e = t.find(ref * 1000003);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->shares, ref);
    }
    EXPECT_EQ(t.find(5), nullptr);
    EXPECT_EQ(t.probe(1000003)->reference, 1000003u) << "probe returns the resting order";
}

// Keys a multiple of the slot count apart share a home slot: one long probe run, then deletions
// from its middle must keep every survivor reachable (backward-shift deletion).
TEST(OrderTable, ErasingFromACollidingRunKeepsTheRestReachable) {
    OrderTable t(40, heap());
    const std::uint64_t stride = t.slots() * t.slots();  // also equal after folding the high bits
    for (std::uint64_t i = 0; i < 40; ++i) put(t, 5 + i * stride, static_cast<std::uint32_t>(i));
    for (std::uint64_t i = 0; i < 40; i += 3) t.erase(t.find(5 + i * stride));
    for (std::uint64_t i = 0; i < 40; ++i) {
        const OrderEntry* e = t.find(5 + i * stride);
        if (i % 3 == 0) {
            EXPECT_EQ(e, nullptr) << i;
        } else {
            ASSERT_NE(e, nullptr) << i;
            EXPECT_EQ(e->shares, i);
        }
    }
}

TEST(OrderTable, RandomChurnAgreesWithAMap) {
    OrderTable t(500, heap());
    std::map<std::uint64_t, std::uint32_t> model;
    std::mt19937_64 rng(7);
    for (int step = 0; step < 200'000; ++step) {
        const std::uint64_t ref = rng() % 2000 * (rng() % 2 ? 1 : t.slots());  // dense keys, and colliding ones
        OrderEntry* e = t.find(ref);
        ASSERT_EQ(e != nullptr, model.contains(ref)) << step;
        if (e) {
            ASSERT_EQ(e->shares, model[ref]);
            t.erase(e);
            model.erase(ref);
        } else if (!t.full()) {
            const auto shares = static_cast<std::uint32_t>(rng());
            put(t, ref, shares);
            model[ref] = shares;
        }
        ASSERT_EQ(t.size(), model.size());
    }
}

// A full little table: long runs with mixed homes that wrap past the last slot, where the Robin
// Hood displacement and the early stop of erase() are easiest to get wrong.
TEST(OrderTable, NearlyFullTinyTableChurnsAcrossTheWrapAgreeingWithAMap) {
    OrderTable t(20, heap());
    ASSERT_EQ(t.slots(), 32u);
    std::map<std::uint64_t, std::uint32_t> model;
    std::mt19937_64 rng(11);
    for (int step = 0; step < 100'000; ++step) {
        const std::uint64_t ref = 24 + rng() % 16 + (rng() % 3) * 32 * 32;  // homes 24..39 mod 32, three keys each
        OrderEntry* e = t.find(ref);
        ASSERT_EQ(e != nullptr, model.contains(ref)) << step;
        if (e) {
            t.erase(e);
            model.erase(ref);
        } else if (!t.full()) {
            const auto shares = static_cast<std::uint32_t>(rng());
            put(t, ref, shares);
            model[ref] = shares;
        }
        for (const auto& [r, shares] : model) {
            const OrderEntry* found = t.find(r);
            ASSERT_NE(found, nullptr) << step << " " << r;
            ASSERT_EQ(found->shares, shares);
        }
    }
}

TEST(LevelPool, HandsOutEveryLevelOnceThenNone) {
    LevelPool pool(3, heap());
    EXPECT_EQ(pool.acquire(2), 2u) << "a free home";
    EXPECT_EQ(pool.acquire(2), 0u) << "a taken home: the next fresh level";
    EXPECT_EQ(pool.acquire(0), 1u);
    EXPECT_EQ(pool.acquire(1), kNoLevel) << "the fresh levels skip the home taken early";
    EXPECT_EQ(pool.in_use(), 3u);
    pool.release(1);
    EXPECT_EQ(pool.in_use(), 2u);
    EXPECT_EQ(pool.acquire(0), 1u) << "the last released first";
    EXPECT_EQ(pool.acquire(0), kNoLevel);
}

TEST(LevelPool, NeverHandsOutAReleasedLevelTakenBackAsAHome) {
    LevelPool pool(4, heap());
    for (std::uint32_t i = 0; i < 4; ++i) ASSERT_EQ(pool.acquire(i), i);
    pool.release(1);
    pool.release(2);
    EXPECT_EQ(pool.acquire(1), 1u) << "its home, though stacked";
    EXPECT_EQ(pool.acquire(0), 2u);
    EXPECT_EQ(pool.acquire(0), kNoLevel) << "1's stacked entry is stale";
    for (int i = 0; i < 100; ++i) {  // stacked once however often it comes back: the stack holds N
        pool.release(3);
        ASSERT_EQ(pool.acquire(3), 3u);
    }
    pool.release(3);
    EXPECT_EQ(pool.acquire(0), 3u);
    EXPECT_EQ(pool.acquire(0), kNoLevel);
    EXPECT_EQ(pool.in_use(), 4u);
}

TEST(LevelPool, HomesWholeCentsOfABookSideBySideWithinThePool) {
    LevelPool pool(1000, heap());  // homes in the first 512
    const std::uint32_t ten_dollars = pool.home(7, Side::bid, 10'0000);
    EXPECT_EQ(pool.home(7, Side::bid, 10'0100), (ten_dollars + 1) % 512);
    EXPECT_EQ(pool.home(7, Side::bid, 9'9900), (ten_dollars + 511) % 512);
    EXPECT_NE(pool.home(7, Side::ask, 10'0000), ten_dollars) << "each side of each book has its own base";
    EXPECT_NE(pool.home(8, Side::bid, 10'0000), ten_dollars);
    for (itch::Price4 p = 0; p < 3000; ++p) ASSERT_LT(pool.home(9, Side::ask, p), 512u);
}

TEST(LevelPool, RefusesImpossibleCapacities) {
    EXPECT_THROW(LevelPool(0, heap()), std::invalid_argument);
}

TEST(LadderArena, KeepsRungsSortedAcrossGrowth) {
    LadderArena arena(1024, heap());
    Ladder l;
    std::mt19937 rng(3);
    std::vector<std::uint32_t> keys;
    for (int i = 0; i < 200; ++i) {
        const std::uint32_t k = rng() % 100000;
        const std::uint32_t at = arena.upper_bound(l, k);
        if (at > 0 && arena.rungs(l)[at - 1].key == k) continue;
        ASSERT_TRUE(arena.reserve_one(l));
        arena.insert(l, at, {k, static_cast<std::uint32_t>(i)});
        keys.insert(std::upper_bound(keys.begin(), keys.end(), k), k);
    }
    ASSERT_EQ(l.size, keys.size());
    EXPECT_EQ(l.capacity, 256u) << "8, 16, 32, 64, 128, 256";
    for (std::uint32_t i = 0; i < l.size; ++i) EXPECT_EQ(arena.rungs(l)[i].key, keys[i]);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(arena.rungs(l)) % 64, 0u) << "chunks start on a cache line";
}

TEST(LadderArena, UpperBoundCountsRungsAtOrBelowAKeyFromEitherEnd) {
    LadderArena arena(128, heap());  // chunks of 8, 16, 32 and 64
    Ladder l;
    for (std::uint32_t k = 10; k <= 400; k += 10) {
        ASSERT_TRUE(arena.reserve_one(l));
        arena.insert(l, l.size, {k, 0});
    }
    EXPECT_EQ(arena.upper_bound(l, 400), 40u);
    EXPECT_EQ(arena.upper_bound(l, 395), 39u) << "near the top: the walk";
    EXPECT_EQ(arena.upper_bound(l, 10), 1u) << "deep: the binary search";
    EXPECT_EQ(arena.upper_bound(l, 9), 0u);
    EXPECT_EQ(arena.upper_bound(l, 4'000'000'000), 40u);
    EXPECT_EQ(arena.upper_bound(l, 155), 15u);
}

TEST(LadderArena, ReusesFreedChunksAndRefusesWhenFull) {
    LadderArena arena(32, heap());
    Ladder a, b;
    for (std::uint32_t i = 0; i < 9; ++i) {  // a: 8 rungs, then 16 (the first chunk goes free)
        ASSERT_TRUE(arena.reserve_one(a));
        arena.insert(a, a.size, {i, i});
    }
    EXPECT_EQ(a.capacity, 16u);
    ASSERT_TRUE(arena.reserve_one(b));
    EXPECT_EQ(b.offset, 0u) << "b takes the chunk a left";
    EXPECT_EQ(b.capacity, 8u);
    for (std::uint32_t i = 0; i < 8; ++i) {
        ASSERT_TRUE(arena.reserve_one(b));
        arena.insert(b, b.size, {i, i});
    }
    EXPECT_EQ(b.capacity, 8u) << "full, not grown";
    Ladder c;
    ASSERT_TRUE(arena.reserve_one(c)) << "24 + 8 of 32 rungs";
    for (std::uint32_t i = 9; i < 16; ++i) {
        ASSERT_TRUE(arena.reserve_one(a));
        arena.insert(a, a.size, {i, i});
    }
    EXPECT_FALSE(arena.reserve_one(a)) << "a 32-rung chunk does not fit";
    EXPECT_EQ(a.size, 16u);
    EXPECT_EQ(a.capacity, 16u) << "unchanged by the refusal";
    for (std::uint32_t i = 0; i < 16; ++i) EXPECT_EQ(arena.rungs(a)[i].key, i);
}

}  // namespace
}  // namespace sentinel::feed
