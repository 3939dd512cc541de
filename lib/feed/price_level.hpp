#pragma once
// PriceLevel: one price on one side of one instrument's book, the total shares and the count of the
// orders resting there; and LevelPool, the fixed pool levels come from.
//
//   LevelPool   ┌ level 0 ┬ level 1 ┬ level 2 ┬ ... ┬ level N-1 ┐   32 bytes each, two per cache line
//               └─ in use or on the free stack ──┘└─ fresh ─────┘
//   acquire(): the most recently released level first (its line is likely still cached), else the
//              next fresh one; kNoLevel once all N are in use. release() pushes it back.
//
// A level's index is stable for its life: orders name their level by index, so executions, cancels
// and deletes reach it without searching any ladder.
//
// Thread safety: one owner thread.

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
};
static_assert(sizeof(PriceLevel) == 32, "two levels per cache line");

class LevelPool {
public:
    LevelPool(std::size_t capacity, std::pmr::memory_resource* memory)
        : levels_(checked(capacity), memory), free_(capacity, memory) {}

    // A level for the caller to fill in, or kNoLevel when every level is in use.
    std::uint32_t acquire() noexcept {
        if (free_count_ > 0) return free_[--free_count_];
        if (fresh_ < levels_.size()) return fresh_++;
        return kNoLevel;
    }

    void release(std::uint32_t level) noexcept { free_[free_count_++] = level; }

    PriceLevel& operator[](std::uint32_t level) noexcept { return levels_[level]; }
    const PriceLevel& operator[](std::uint32_t level) const noexcept { return levels_[level]; }

    std::size_t in_use() const noexcept { return fresh_ - free_count_; }

private:
    static std::size_t checked(std::size_t capacity) {
        if (capacity == 0 || capacity >= kNoLevel) throw std::invalid_argument("LevelPool: capacity must be 1 to 2^32-2");
        return capacity;
    }

    PreallocatedArray<PriceLevel> levels_;
    PreallocatedArray<std::uint32_t> free_;  // a stack of released levels
    std::uint32_t fresh_ = 0;                // levels [fresh_, capacity) were never handed out
    std::uint32_t free_count_ = 0;
};

}  // namespace sentinel::feed
