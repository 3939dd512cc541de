#pragma once
// JournalSizing: how large a producer's buffers are, and how full one gets before it goes to the
// writer, for a rotation size and a snaplen.
//
// Files rotate between buffers, so a file ends short of rotate_bytes by up to one buffer as it
// was handed over. Buffers of half the rotation size left files at half of it; handing a buffer
// over once it holds rotate_bytes / 16 leaves every file but the last within 1/16 of
// rotate_bytes, plus one packet (a 1514-byte frame, or a 9018-byte jumbo: within 8% from 1 MiB
// up). The buffer itself stays large enough for one snaplen packet, so a big frame never waits
// for room; without rotation a buffer goes over when full, one long O_DIRECT transfer.

#include <cstddef>
#include <cstdint>

namespace sentinel::capture {

struct JournalSizing {
    std::size_t buffer_bytes;    // JournalConfig::buffer_bytes
    std::size_t hand_off_bytes;  // JournalConfig::hand_off_bytes
};

// The buffer size without rotation, and the most a buffer holds with it: large enough that a write
// is one long O_DIRECT transfer.
inline constexpr std::size_t kLargestJournalBuffer = std::size_t{4} << 20;

// rotate_bytes 0: no size rotation. Contract: rotate_bytes is 0 or at least
// smallest_rotate_bytes(snaplen); snaplen is 1..pcapng::kMaxSnaplen.
JournalSizing journal_sizing(std::uint64_t rotate_bytes, std::uint32_t snaplen) noexcept;

// The smallest rotate_bytes that a file can keep to: a header page and one buffer that holds a
// snaplen packet.
std::uint64_t smallest_rotate_bytes(std::uint32_t snaplen) noexcept;

}  // namespace sentinel::capture
