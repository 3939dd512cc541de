#pragma once
// Ladders: each side of each book keeps its price levels as a ladder, an array of rungs sorted by
// key with the best level last; LadderArena holds every ladder's rungs in one preallocated array.
//
//   key = price for bids, ~price for asks: on both sides the best level has the highest key
//
//   Ladder {offset, size, capacity, best} ──▶ ┌ rung ┬ rung ┬ ... ┬ rung ┬ best ┬ spare ┐  one chunk
//                                        worse ─────────────────▶ better
//   Rung {key, level}: 8 bytes, 8 to a cache line; a ladder of up to 8 levels is one line.
//
// The ladder also names its best level, kept by insert() and erase(): whether an order rests at
// the top, and what the top is, are then answered without touching the rungs.
//
// Activity crowds around the best price, so a search counts the rungs above the key among the top
// eight at once, then the eight below them, and so on down: one branch per block (and three adds in
// four stop at the first), where a walk one rung at a time or a binary search mispredicts a branch
// on most adds, as how deep an add lands is data, not pattern.
// An insert or erase shifts only the rungs above it: usually few.
//
// Chunks hold 8 << k rungs and start on a cache line. A full ladder moves to a chunk twice its
// size; the old chunk goes on the free list of its size, for the next ladder that grows into it.
// Fresh chunks come from a bump pointer. When neither has a chunk, reserve_one() says so and the
// caller counts the refusal: a ladder never grows outside the arena.
//
// Thread safety: one owner thread.

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory_resource>
#include <stdexcept>

#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

struct Rung {
    std::uint32_t key = 0;
    std::uint32_t level = 0;  // its PriceLevel in the LevelPool; a free chunk's first rung: the next free chunk
};
static_assert(sizeof(Rung) == 8, "eight rungs per cache line");

struct Ladder {
    std::uint32_t offset = 0;    // the chunk's first rung in the arena
    std::uint32_t size = 0;      // rungs in use: the side's levels
    std::uint32_t capacity = 0;  // the chunk's rungs; 0 until the side's first level
    std::uint32_t best = 0;      // the last rung's level, when size > 0
};

class LadderArena {
public:
    static constexpr std::uint32_t kMinChunk = 8;  // one cache line of rungs

    LadderArena(std::size_t rungs, std::pmr::memory_resource* memory) : rungs_(checked(rungs), memory) {
        free_.fill(kNoChunk);
    }

    Rung* rungs(const Ladder& l) noexcept { return rungs_.data() + l.offset; }
    const Rung* rungs(const Ladder& l) const noexcept { return rungs_.data() + l.offset; }

    // How many rungs have a key <= `key`: the level for `key` is the rung just below that count when
    // its key matches; otherwise a new rung for `key` goes at that position.
    std::uint32_t upper_bound(const Ladder& l, std::uint32_t key) const noexcept {
        const Rung* r = rungs(l);
        for (std::uint32_t end = l.size; end > 0;) {  // rungs [end, size) all have keys above `key`
            const std::uint32_t begin = end > kBlock ? end - kBlock : 0;
            const std::uint32_t above = count_above(r + begin, end - begin, key);
            if (above < end - begin) return end - above;
            end = begin;
        }
        return 0;
    }

    // Room for one more rung: a full ladder moves to a chunk twice its size. False when the arena
    // has no chunk that size left; the ladder is then unchanged.
    bool reserve_one(Ladder& l) noexcept {
        if (l.size < l.capacity) return true;
        const std::uint64_t capacity = l.capacity == 0 ? kMinChunk : std::uint64_t{l.capacity} * 2;
        std::uint32_t offset;
        if (!take(capacity, offset)) return false;
        std::memcpy(rungs_.data() + offset, rungs(l), l.size * sizeof(Rung));
        if (l.capacity != 0) give(l.offset, l.capacity);
        l.offset = offset;
        l.capacity = static_cast<std::uint32_t>(capacity);
        return true;
    }

    // After reserve_one(): the rungs from `at` up move one place up.
    void insert(Ladder& l, std::uint32_t at, Rung rung) noexcept {
        Rung* r = rungs(l);
        std::memmove(r + at + 1, r + at, (l.size - at) * sizeof(Rung));
        r[at] = rung;
        ++l.size;
        l.best = r[l.size - 1].level;
    }

    void erase(Ladder& l, std::uint32_t at) noexcept {
        Rung* r = rungs(l);
        std::memmove(r + at, r + at + 1, (l.size - at - 1) * sizeof(Rung));
        if (--l.size > 0) l.best = r[l.size - 1].level;
    }

private:
    static constexpr std::uint32_t kBlock = kMinChunk;  // rungs compared at once: every chunk holds as many

    // How many of the `n` (<= kBlock) rungs from `r` have a key above `key`, without a branch. Reads
    // kBlock rungs, which the chunk holds; those past the n are masked out. The keys are gathered
    // into two vectors first, so that each compare and mask works on four keys, not two.
    static std::uint32_t count_above(const Rung* r, std::uint32_t n, std::uint32_t key) noexcept {
        using Pair = std::uint32_t __attribute__((vector_size(16)));  // two rungs: key, level, key, level
        using Mask = std::int32_t __attribute__((vector_size(16)));   // a compare's lanes: -1 true, 0 false
        static_assert(kBlock == 8, "two vectors of four keys");
        const auto load = [r](std::uint32_t i) {  // rungs i and i + 1
            Pair pair;
            std::memcpy(&pair, r + i, sizeof pair);
            return pair;
        };
        const Pair low = __builtin_shufflevector(load(0), load(2), 0, 2, 4, 6);
        const Pair high = __builtin_shufflevector(load(4), load(6), 0, 2, 4, 6);
        const std::int32_t count = static_cast<std::int32_t>(n);
        const Mask low_index{0, 1, 2, 3}, high_index{4, 5, 6, 7};
        Mask above = ((low > key) & (low_index < count)) + ((high > key) & (high_index < count));
        above += __builtin_shufflevector(above, above, 2, 3, 0, 1);
        above += __builtin_shufflevector(above, above, 1, 0, 3, 2);
        return static_cast<std::uint32_t>(-above[0]);
    }

    static constexpr std::uint32_t kNoChunk = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::size_t kSizeClasses = 32;  // chunks of 8 << 0 ... 8 << 28 rungs fit a u32 offset

    static std::size_t checked(std::size_t rungs) {
        if (rungs < kMinChunk || rungs >= kNoChunk) throw std::invalid_argument("LadderArena: rungs must be 8 to 2^32-2");
        return rungs;
    }

    static std::size_t size_class(std::uint64_t capacity) noexcept {
        return static_cast<std::size_t>(std::countr_zero(capacity / kMinChunk));
    }

    bool take(std::uint64_t capacity, std::uint32_t& offset) noexcept {
        const std::size_t c = size_class(capacity);
        if (c < kSizeClasses && free_[c] != kNoChunk) {
            offset = free_[c];
            free_[c] = rungs_[offset].level;
            return true;
        }
        if (capacity > rungs_.size() - bump_) return false;
        offset = bump_;
        bump_ += static_cast<std::uint32_t>(capacity);
        return true;
    }

    void give(std::uint32_t offset, std::uint32_t capacity) noexcept {
        const std::size_t c = size_class(capacity);
        rungs_[offset].level = free_[c];
        free_[c] = offset;
    }

    PreallocatedArray<Rung> rungs_;
    std::array<std::uint32_t, kSizeClasses> free_;  // per chunk size, the first free chunk
    std::uint32_t bump_ = 0;                        // rungs [bump_, capacity) were never handed out
};

}  // namespace sentinel::feed
