#pragma once
// MessageBuffer: copies of the messages that arrived ahead of a missing one, held by sequence
// number until it comes, in a window of `capacity` numbers after the next one to deliver.
//
//   next to deliver
//        │
//   sequence   10   11   12   13   14   15   16   ...   10 + capacity - 1
//   held        ·    ■    ■    ·    ·    ■    ■
//   slot = sequence & (capacity - 1):  entries_[slot] = {sequence, length}
//                                      bytes_[slot * max_message_size ...] = the message
//
// Direct-mapped: each sequence number in the window has its own slot, so holding, finding and
// taking a message are one index each, and nothing is ever freed. A slot whose `sequence` is not
// the one asked for is empty: its last tenant was delivered or skipped over, and sequence numbers
// below the next to deliver are never asked for again. Sequence 0 is never held (MoldUDP64
// numbers from 1), so the zeroed table starts empty.
//
// Copies, because the packet a message came in is the caller's and goes back to its pool when
// on_packet() returns. Sized for the feed's longest message (ITCH 5.0: 50 bytes) rather than for
// MoldUDP64's 64 KiB: a fixed stride keeps every lookup one multiply, and the arena small enough to
// stay in the last-level cache.
//
// Thread safety: one owner thread.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <span>

#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

class MessageBuffer {
public:
    // `capacity` is rounded up to a power of two.
    MessageBuffer(std::size_t capacity, std::size_t max_message_size, std::pmr::memory_resource* memory)
        : mask_(std::bit_ceil(capacity == 0 ? 1 : capacity) - 1),
          max_message_size_(max_message_size),
          entries_(mask_ + 1, memory),
          bytes_((mask_ + 1) * max_message_size, memory) {}

    // How many numbers from the next to deliver on have a slot.
    std::uint64_t window() const noexcept { return mask_ + 1; }

    // Whether `sequence` (after `next`, the next to deliver) has a slot and its message fits one.
    bool can_hold(std::uint64_t next, std::uint64_t sequence, std::size_t length) const noexcept {
        return sequence - next <= mask_ && length <= max_message_size_;
    }

    // Precondition: can_hold(next, sequence, message.size()) for the caller's next to deliver.
    void hold(std::uint64_t sequence, std::span<const std::byte> message) noexcept {
        const std::size_t slot = sequence & mask_;
        entries_[slot] = Entry{sequence, static_cast<std::uint32_t>(message.size())};
        if (!message.empty()) std::memcpy(bytes_.data() + slot * max_message_size_, message.data(), message.size());
    }

    bool holds(std::uint64_t sequence) const noexcept { return entries_[sequence & mask_].sequence == sequence; }

    // Precondition: holds(sequence). Valid until the slot is held again.
    std::span<const std::byte> message(std::uint64_t sequence) const noexcept {
        const std::size_t slot = sequence & mask_;
        return {bytes_.data() + slot * max_message_size_, entries_[slot].length};
    }

    // Forgets every held message: the numbers they had may come again, meaning something else (a
    // session re-anchored behind them). Cold: touches the whole table.
    void clear() noexcept {
        for (std::size_t i = 0; i <= mask_; ++i) entries_[i] = Entry{};
    }

private:
    struct Entry {
        std::uint64_t sequence = 0;
        std::uint32_t length = 0;
    };

    std::size_t mask_;
    std::size_t max_message_size_;
    PreallocatedArray<Entry> entries_;
    PreallocatedArray<std::byte> bytes_;
};

}  // namespace sentinel::feed
