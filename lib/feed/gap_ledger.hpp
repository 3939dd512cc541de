#pragma once
// GapLedger: how each declared gap ended. A gap is declared once, as one range of sequence
// numbers; its numbers then end one by one, or in runs, in exactly one of three ways, and the gap
// closes when the last of them has:
//
//   declared [first, first + count) ─┬ recovered      a re-request's answer brought it
//                                    ├ filled late    line A or B brought it after all
//                                    └ unrecoverable  given up by a resync
//
// so that, summed over every gap ever declared, at every moment
//
//   missing = recovered + filled_late + unrecoverable + open
//
// and open is 0 once the feed has finished. The gap's range may split while it is open (a number
// in its middle arrives): the parts share its record, by id.
//
// A record is taken when a gap is declared and given back when it closes; every open record
// still has at least one missing range in the GapTracker, so `capacity` records (the tracker's)
// always suffice.
//
// Thread safety: one owner thread.

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

// How a missing number ended.
enum class Resolution : std::uint8_t {
    recovered,
    filled_late,
    unrecoverable,
};

struct GapRecord {
    std::uint64_t number = 0;  // the gap's ordinal: 1 for the session's first declared gap, ...
    std::uint64_t first = 0;   // the gap as declared
    std::uint64_t count = 0;
    std::uint64_t recovered = 0;
    std::uint64_t filled_late = 0;
    std::uint64_t unrecoverable = 0;

    std::uint64_t open() const noexcept { return count - recovered - filled_late - unrecoverable; }
};

class GapLedger {
public:
    using Id = std::uint32_t;

    GapLedger(std::size_t capacity, std::pmr::memory_resource* memory)
        : records_(capacity == 0 ? 1 : capacity, memory), free_(records_.size(), memory) {
        for (std::size_t i = 0; i < free_.size(); ++i) free_[i] = static_cast<Id>(free_.size() - 1 - i);
        free_count_ = free_.size();
    }

    // Gap `number` is declared. Precondition: fewer records open than the capacity (see above).
    Id open(std::uint64_t number, std::uint64_t first, std::uint64_t count) noexcept {
        const Id id = free_[--free_count_];
        records_[id] = GapRecord{number, first, count, 0, 0, 0};
        open_ += count;
        return id;
    }

    // `n` numbers of gap `id` ended as `how`. True when that closed the gap: record(id) is then
    // valid until the next open().
    bool resolve(Id id, Resolution how, std::uint64_t n) noexcept {
        GapRecord& r = records_[id];
        switch (how) {
            case Resolution::recovered: r.recovered += n; break;
            case Resolution::filled_late: r.filled_late += n; break;
            case Resolution::unrecoverable: r.unrecoverable += n; break;
        }
        open_ -= n;
        if (r.open() != 0) return false;
        free_[free_count_++] = id;
        return true;
    }

    const GapRecord& record(Id id) const noexcept { return records_[id]; }

    // Numbers declared missing that have not ended yet, over every open gap.
    std::uint64_t open_messages() const noexcept { return open_; }

private:
    PreallocatedArray<GapRecord> records_;
    PreallocatedArray<Id> free_;  // a stack of the ids not in use
    std::size_t free_count_ = 0;
    std::uint64_t open_ = 0;
};

}  // namespace sentinel::feed
