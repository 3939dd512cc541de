#pragma once
// OrderTable: every resting order by its reference number. Open addressing with linear probing in
// one preallocated array; nothing is allocated after construction.
//
//   home slot = (ref ^ ref >> log2(slots)) & (slots - 1)
//   ┌──────────┬──────────┬──────────┬──────────┬──────────┬──────────┐
//   │ ref 1017 │ ref 1018 │ ref 1019 │  empty   │ ref 5113 │  empty   │ ...  16 bytes each, 4 per line
//   └──────────┴──────────┴──────────┴──────────┴──────────┴──────────┘
//
// Nasdaq numbers orders in increasing order through the day, so the low bits already spread them
// and consecutive orders take consecutive slots: an add writes the line the previous add warmed,
// and the recent orders that most deletes and executions name share lines too. A multiplicative
// hash would scatter them and pay a cache miss per message. Folding the high bits in keeps keys
// that differ only above the mask (a stride of the table size) off a single slot.
//
// erase() shifts the later members of the probe run back into the hole instead of leaving a
// tombstone, so a day of churn never lengthens a probe. The table has at least 1.5x max_orders
// slots (a power of two), so it is at most 2/3 full and every probe ends at an empty slot.
//
// Thread safety: one owner thread.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "feed/preallocated_array.hpp"
#include "feed/price_level.hpp"

namespace sentinel::feed {

// 16 bytes, aligned to 16: four to a cache line, never one across two.
struct alignas(16) OrderEntry {
    std::uint64_t reference = 0;
    std::uint32_t shares = 0;         // still open
    std::uint32_t level = kNoLevel;   // its PriceLevel; kNoLevel marks an empty slot
};
static_assert(sizeof(OrderEntry) == 16, "four orders per cache line");

class OrderTable {
public:
    OrderTable(std::size_t max_orders, std::pmr::memory_resource* memory)
        : slots_(std::bit_ceil(max_orders + max_orders / 2 + 1), memory),
          mask_(slots_.size() - 1),
          shift_(std::countr_zero(slots_.size())),
          max_orders_(max_orders) {}

    // The resting order, or nullptr.
    OrderEntry* find(std::uint64_t reference) noexcept {
        OrderEntry* e = probe(reference);
        return e->level == kNoLevel ? nullptr : e;
    }

    // The resting order, or else the empty slot where it would go (level == kNoLevel): occupy() it
    // before anything else changes the table.
    OrderEntry* probe(std::uint64_t reference) noexcept {
        for (std::size_t i = home(reference);; i = (i + 1) & mask_) {
            OrderEntry& e = slots_[i];
            if (e.level == kNoLevel || e.reference == reference) return &e;
        }
    }

    // Fills the empty slot probe() returned. The caller checks full() first.
    void occupy(OrderEntry* slot, std::uint64_t reference, std::uint32_t shares, std::uint32_t level) noexcept {
        *slot = {reference, shares, level};
        ++size_;
    }

    // Removes a resting order; pointers into the table are stale afterwards.
    void erase(OrderEntry* entry) noexcept {
        std::size_t hole = static_cast<std::size_t>(entry - slots_.data());
        for (std::size_t i = (hole + 1) & mask_;; i = (i + 1) & mask_) {
            OrderEntry& e = slots_[i];
            if (e.level == kNoLevel) break;
            // e may fill the hole unless its home lies cyclically after the hole (in (hole, i]):
            // then the hole is before its home and a lookup would never reach it there.
            if (((i - home(e.reference)) & mask_) >= ((i - hole) & mask_)) {
                slots_[hole] = e;
                hole = i;
            }
        }
        slots_[hole].level = kNoLevel;
        --size_;
    }

    bool full() const noexcept { return size_ == max_orders_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t max_orders() const noexcept { return max_orders_; }
    std::size_t slots() const noexcept { return slots_.size(); }

private:
    std::size_t home(std::uint64_t reference) const noexcept {
        return static_cast<std::size_t>(reference ^ reference >> shift_) & mask_;
    }

    PreallocatedArray<OrderEntry> slots_;
    std::size_t mask_;
    int shift_;
    std::size_t max_orders_;
    std::size_t size_ = 0;
};

}  // namespace sentinel::feed
