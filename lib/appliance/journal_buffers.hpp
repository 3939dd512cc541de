#pragma once
// The capture journal's buffers for a config: their sizing (capture/journal_sizing.hpp) and how
// many each ring's producer gets, for the plan's memory request and the journal alike.

#include <cstddef>

#include "capture/journal_sizing.hpp"
#include "config.hpp"

namespace sentinel::appliance {

// Eight buffers per ring ride out a disk stall of a few milliseconds at line rate before the
// capture stage has to wait.
inline constexpr std::size_t kJournalBuffersPerRing = 8;

// Config refused a --rotate-size too small for --snaplen, so the sizing's contract holds.
inline capture::JournalSizing journal_sizing(const Config& c) noexcept {
    return capture::journal_sizing(c.rotate_bytes, c.snaplen);
}

inline std::size_t journal_bytes_per_ring(const Config& c) noexcept {
    return kJournalBuffersPerRing * journal_sizing(c).buffer_bytes;
}

}  // namespace sentinel::appliance
