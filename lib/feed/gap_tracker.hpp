#pragma once
// GapTracker: the sequence numbers known to exist that have not arrived, as ranges in sequence
// order, each with its age and whether it has been declared a gap.
//
//   delivered ┃ next                                                         horizon
//   ──────────╋──────────┬──────────┬──────────┬──────────┬─────────────────┤
//             ┃ [10, 12) │ 12..13   │ [14, 15) │ 15..17   │ [18, 22)        │ 22
//               range 0    held       range 1    held       range 2: a heartbeat said 22 is next
//
// A range appears at the top only: a message or heartbeat naming a number past the highest known
// (the horizon) shows that the numbers between were sent. Its messages then arrive one by one (the
// line that is behind sends them in order, so a range mostly shrinks from its front; a reordered
// one splits it, both parts keeping the age of the whole), or the arbitrator gives them up.
//
// A range is first just reordering: lines A and B drift a few packets apart, and the one behind
// still has the messages on the way. Once older than the tolerance it is declared a gap: gone from
// both lines, to be re-requested, with a record in the GapLedger that says how its numbers end. A
// range found later is never older, so the declared ranges are a prefix of the list. A declared
// range is stalled while none of its numbers arrive; each arrival restarts that clock (in time and
// in line packets), so a gap still being filled (by capped answers, or a stream that is merely
// behind) is not given up.
//
// Ranges live in one preallocated array kept sorted; an insertion (a split) moves the ranges
// after it, which are few: one or two while the lines merely drift.
//
// Thread safety: one owner thread.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "feed/gap_ledger.hpp"
#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

struct MissingRange {
    std::uint64_t first = 0;         // the first missing sequence number
    std::uint64_t end = 0;           // one past the last
    std::uint64_t since_ns = 0;      // when it was found missing
    std::uint64_t since_packet = 0;  // the arbitrator's count of line packets then
    std::uint64_t stalled_ns = 0;    // declared: when it was, or when a number of it last arrived
    std::uint64_t stalled_packet = 0;  // ... and the arbitrator's count of line packets then
    GapLedger::Id gap_id = 0;        // declared: its record
    bool gap = false;                // declared: counted, reported, being re-requested

    std::uint64_t size() const noexcept { return end - first; }
};

enum class Arrival : std::uint8_t {
    late,      // filled a range still within the tolerance: reordering, or the line behind
    declared,  // filled a declared gap: Filled::gap_id says which
    no_room,   // would split a range, and the tracker is full: nothing changed
};

struct Filled {
    Arrival arrival;
    GapLedger::Id gap_id;  // when arrival == declared
};

class GapTracker {
public:
    GapTracker(std::size_t capacity, std::pmr::memory_resource* memory) : ranges_(capacity == 0 ? 1 : capacity, memory) {}

    bool empty() const noexcept { return size_ == 0; }
    bool full() const noexcept { return size_ == ranges_.size(); }
    std::size_t size() const noexcept { return size_; }
    MissingRange& operator[](std::size_t i) noexcept { return ranges_[i]; }
    const MissingRange& operator[](std::size_t i) const noexcept { return ranges_[i]; }
    MissingRange& front() noexcept { return ranges_[0]; }

    // [first, end) found missing; `first` is past every range. Precondition: !full().
    void add(std::uint64_t first, std::uint64_t end, std::uint64_t now_ns, std::uint64_t packet) noexcept {
        ranges_[size_++] = MissingRange{first, end, now_ns, packet, 0, 0, 0, false};
    }

    // The range holding `sequence`, or nullptr.
    const MissingRange* find(std::uint64_t sequence) const noexcept {
        const std::size_t i = index_after(sequence);
        return i > 0 && sequence < ranges_[i - 1].end ? &ranges_[i - 1] : nullptr;
    }

    // `sequence` arrived at `now_ns`, the arbitrator's `packet`th line packet. Precondition:
    // find(sequence) != nullptr.
    Filled arrive(std::uint64_t sequence, std::uint64_t now_ns, std::uint64_t packet) noexcept {
        const std::size_t i = index_after(sequence) - 1;
        MissingRange& r = ranges_[i];
        const Filled filled{r.gap ? Arrival::declared : Arrival::late, r.gap_id};
        if (sequence == r.first) {
            if (++r.first == r.end) erase(i);
        } else if (sequence + 1 == r.end) {
            r.end = sequence;
        } else {
            if (full()) return {Arrival::no_room, 0};
            MissingRange* const at = ranges_.data();
            std::copy_backward(at + i + 1, at + size_, at + size_ + 1);
            ++size_;
            ranges_[i + 1] = r;
            ranges_[i + 1].first = sequence + 1;
            r.end = sequence;
        }
        if (filled.arrival == Arrival::declared) restart(filled.gap_id, now_ns, packet);
        return filled;
    }

    // The front range no longer holds the numbers before `sequence` (given up); it goes when empty.
    void trim_front(std::uint64_t sequence) noexcept {
        if (sequence < ranges_[0].end) {
            ranges_[0].first = sequence;
        } else {
            erase(0);
        }
    }

private:
    // Every part of declared gap `id`: one of its numbers arrived, so none of it is stalled.
    // Cold: only declared gaps, whose ranges are few.
    void restart(GapLedger::Id id, std::uint64_t now_ns, std::uint64_t packet) noexcept {
        for (std::size_t i = 0; i < size_; ++i) {
            MissingRange& r = ranges_[i];
            if (!r.gap || r.gap_id != id) continue;
            r.stalled_ns = now_ns;
            r.stalled_packet = packet;
        }
    }

    // The index of the first range starting after `sequence`.
    std::size_t index_after(std::uint64_t sequence) const noexcept {
        const MissingRange* begin = ranges_.data();
        return static_cast<std::size_t>(
            std::upper_bound(begin, begin + size_, sequence,
                             [](std::uint64_t s, const MissingRange& r) { return s < r.first; }) -
            begin);
    }

    void erase(std::size_t i) noexcept {
        MissingRange* const at = ranges_.data();
        std::copy(at + i + 1, at + size_, at + i);
        --size_;
    }

    PreallocatedArray<MissingRange> ranges_;
    std::size_t size_ = 0;
};

}  // namespace sentinel::feed
