#pragma once
// PriceLevel: one price on one side of one instrument's book, the total shares and the count of the
// orders resting there; and LevelPool, the fixed pool levels come from.
//
//   LevelPool   ┌ level 0 ┬ level 1 ┬ level 2 ┬ ... ┬ level N-1 ┐   32 bytes each, two per cache line
//               └─ in use, or released: stacked ─┘└─ fresh, or taken as a home ─┘
//
// Each (instrument, side, price) has a home level, a hash of the three (home()); a new level takes
// its home when that is free, else the most recently released level (its line is likely still
// cached), else the next fresh one; kNoLevel once all N are in use. So most levels sit at their
// home, and an add, or a hint a few messages ahead that knows only the message, finds its level
// with no lookup and no dependent load: it checks the home level's price, instrument and side, and
// searches the ladder only when they differ (the home was taken when the level was made).
//
//   home = (base(locate, side) + price / 100 + price % 100 * kSpread) & (2^k - 1),  2^k <= N
//
// Each side of each book starts at its own scattered base and whole-cent prices then take
// consecutive levels: the levels near the top of a book share a few lines. Sub-penny prices (under
// $1) spread over the pool instead of piling onto their cent.
//
// Released levels go on a stack. A home taken while on the stack stays there, marked in use, and is
// skipped when popped; a level is on the stack at most once (released again while still there, it
// is simply free again), so the stack never holds more than N. Taking a home touches no other
// level, and the stack's stale entries cost one pop each.
//
// A level's index is stable for its life: orders name their level by index, so executions, cancels
// and deletes reach it without searching any ladder.
//
// Thread safety: one owner thread.

#include <bit>
#include <cstdint>
#include <limits>
#include <memory_resource>
#include <stdexcept>

#include "feed/itch50_message.hpp"
#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

enum class Side : std::uint8_t { bid = 0, ask = 1 };

// No level: marks an empty order table slot and a pool with nothing left.
inline constexpr std::uint32_t kNoLevel = std::numeric_limits<std::uint32_t>::max();

// 32 bytes, aligned to 32: two to a cache line, never one across two.
struct alignas(32) PriceLevel {
    std::uint64_t shares = 0;  // the orders' open shares: u64, as many u32 orders may rest at one price
    itch::Price4 price = 0;
    std::uint32_t orders = 0;
    std::uint16_t locate = 0;  // the instrument, to find the ladder when the last order leaves
    Side side = Side::bid;
    bool best = false;  // its ladder's best level: reduce() and remove() need not read the ladder
    bool free = true;  // not in use: the fields above mean nothing
    bool stacked = false;  // on the pool's stack of released levels, free or not
};
static_assert(sizeof(PriceLevel) == 32, "two levels per cache line");

class LevelPool {
public:
    LevelPool(std::size_t capacity, std::pmr::memory_resource* memory)
        : levels_(checked(capacity), memory), released_(capacity, memory), home_mask_(std::bit_floor(capacity) - 1) {}

    // The level a new one at this price takes when it is free.
    std::uint32_t home(std::uint16_t locate, Side side, itch::Price4 price) const noexcept {
        const std::uint64_t book = std::uint64_t{locate} << 1 | static_cast<std::uint8_t>(side);
        const std::uint64_t base = (book * kSpread) >> 32;
        return static_cast<std::uint32_t>((base + price / 100 + price % 100 * kSpread) & home_mask_);
    }

    // A level for the caller to fill in: `home` when free, else the most recently released one,
    // else the next fresh one; kNoLevel when every level is in use.
    std::uint32_t acquire(std::uint32_t home) noexcept {
        const std::uint32_t level = levels_[home].free ? home : any_free();
        if (level == kNoLevel) return kNoLevel;
        levels_[level].free = false;
        ++in_use_;
        return level;
    }

    void release(std::uint32_t level) noexcept {
        PriceLevel& l = levels_[level];
        l.free = true;
        if (!l.stacked) released_[released_count_++] = level;
        l.stacked = true;
        --in_use_;
    }

    PriceLevel& operator[](std::uint32_t level) noexcept { return levels_[level]; }
    const PriceLevel& operator[](std::uint32_t level) const noexcept { return levels_[level]; }

    std::size_t in_use() const noexcept { return in_use_; }

private:
    static constexpr std::uint64_t kSpread = 0x9E3779B97F4A7C15;  // odd, 2^64 / golden ratio: scatters its multiples

    static std::size_t checked(std::size_t capacity) {
        if (capacity == 0 || capacity >= kNoLevel) throw std::invalid_argument("LevelPool: capacity must be 1 to 2^32-2");
        return capacity;
    }

    std::uint32_t any_free() noexcept {
        while (released_count_ > 0) {
            const std::uint32_t level = released_[--released_count_];
            levels_[level].stacked = false;
            if (levels_[level].free) return level;  // else taken as a home since: stale
        }
        while (fresh_ < levels_.size() && !levels_[fresh_].free) ++fresh_;  // skips homes taken early
        return fresh_ < levels_.size() ? fresh_++ : kNoLevel;
    }

    PreallocatedArray<PriceLevel> levels_;
    PreallocatedArray<std::uint32_t> released_;  // a stack of released levels, each at most once
    std::uint64_t home_mask_;                    // 2^k - 1 for the largest 2^k <= capacity: a home is a level
    std::uint32_t released_count_ = 0;
    std::uint32_t fresh_ = 0;                    // levels [fresh_, capacity) were never handed out, but as homes
    std::size_t in_use_ = 0;
};

}  // namespace sentinel::feed
