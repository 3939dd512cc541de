#include "journal_sizing.hpp"

#include <algorithm>

#include "journal_buffer.hpp"
#include "pcapng_format.hpp"

namespace sentinel::capture {
namespace {

// The share of rotate_bytes a file may end short of it, as a divisor.
constexpr std::uint64_t kRotationSlack = 16;

std::size_t snaplen_buffer(std::uint32_t snaplen) noexcept {
    return align_up(pcapng::enhanced_packet_size(snaplen) + pcapng::kMinFillerSize);
}

}  // namespace

JournalSizing journal_sizing(std::uint64_t rotate_bytes, std::uint32_t snaplen) noexcept {
    if (rotate_bytes == 0) return {.buffer_bytes = std::max(kLargestJournalBuffer, snaplen_buffer(snaplen)), .hand_off_bytes = 0};
    const std::uint64_t hand_off = std::max<std::uint64_t>(rotate_bytes / kRotationSlack, 1);
    const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>(align_up(hand_off), kLargestJournalBuffer));
    const std::size_t buffer = std::max(room, snaplen_buffer(snaplen));
    return {.buffer_bytes = buffer, .hand_off_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(hand_off, buffer))};
}

std::uint64_t smallest_rotate_bytes(std::uint32_t snaplen) noexcept { return snaplen_buffer(snaplen) + kBlockAlign; }

}  // namespace sentinel::capture
