#pragma once
// OrderTable: every resting order by its reference number. Open addressing with Robin Hood linear
// probing in one preallocated array; nothing is allocated after construction.
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
// Robin Hood order: along a run of occupied slots, entries sit in the order of their home slots (an
// insert that has come farther than the entry in its way takes the slot, and that entry moves on).
// So a lookup stops at the first entry closer to its home than the key would be, and erase() shifts
// the entries after the hole back one slot each only while they are away from home: it stops at an
// empty slot or one at its home, which with consecutive orders is the very next slot. No tombstones,
// so a day of churn never lengthens a probe. The table has at least 1.5x max_orders slots (a power
// of two), so it is at most 2/3 full and every probe ends.
//
// Thread safety: one owner thread.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <utility>

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
        return e->level != kNoLevel && e->reference == reference ? e : nullptr;
    }

    // The resting order, or else the slot where it would go: empty, or held by an entry closer to
    // its home, which occupy() moves on. occupy() it before anything else changes the table.
    OrderEntry* probe(std::uint64_t reference) noexcept {
        for (std::size_t i = home(reference), distance = 0;; i = (i + 1) & mask_, ++distance) {
            OrderEntry& e = slots_[i];
            if (e.level == kNoLevel || e.reference == reference || distance_from_home(e, i) < distance) return &e;
        }
    }

    // A hint: starts loading the line a lookup of `reference` begins with. Always inlined: GCC
    // takes a function whose only effect is a prefetch for pure, and deletes calls to it.
    [[gnu::always_inline]] void prefetch(std::uint64_t reference) const noexcept {
        const std::size_t h = home(reference);
        __builtin_prefetch(&slots_[h]);
        __builtin_prefetch(&slots_[(h + 1) & mask_]);  // erase() reads the next slot: the next line, one time in four
    }

    // Puts an order into the slot probe() returned for it, moving on the entries in its way. The
    // caller checks full() first; pointers into the table are stale afterwards.
    void occupy(OrderEntry* slot, std::uint64_t reference, std::uint32_t shares, std::uint32_t level) noexcept {
        OrderEntry carried{reference, shares, level};
        std::size_t i = index_of(slot);
        for (std::size_t distance = distance_from_home(carried, i);; i = (i + 1) & mask_, ++distance) {
            OrderEntry& e = slots_[i];
            if (e.level == kNoLevel) {
                e = carried;
                break;
            }
            const std::size_t d = distance_from_home(e, i);
            if (d < distance) {  // e is nearer its home than the carried entry: it moves on instead
                std::swap(e, carried);
                distance = d;
            }
        }
        ++size_;
    }

    // Removes a resting order; pointers into the table are stale afterwards.
    void erase(OrderEntry* entry) noexcept {
        std::size_t hole = index_of(entry);
        for (std::size_t i = (hole + 1) & mask_;; i = (i + 1) & mask_) {
            const OrderEntry& e = slots_[i];
            if (e.level == kNoLevel || distance_from_home(e, i) == 0) break;
            slots_[hole] = e;
            hole = i;
        }
        slots_[hole].level = kNoLevel;
        --size_;
    }

    bool full() const noexcept { return size_ == max_orders_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t slots() const noexcept { return slots_.size(); }

private:
    std::size_t home(std::uint64_t reference) const noexcept {
        return static_cast<std::size_t>(reference ^ reference >> shift_) & mask_;
    }
    std::size_t distance_from_home(const OrderEntry& e, std::size_t at) const noexcept {
        return (at - home(e.reference)) & mask_;
    }
    std::size_t index_of(const OrderEntry* e) const noexcept { return static_cast<std::size_t>(e - slots_.data()); }

    PreallocatedArray<OrderEntry> slots_;
    std::size_t mask_;
    int shift_;
    std::size_t max_orders_;
    std::size_t size_ = 0;
};

}  // namespace sentinel::feed
