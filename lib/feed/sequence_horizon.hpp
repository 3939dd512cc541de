#pragma once
// SequenceHorizon: which MoldUDP64 sequence numbers a session can plausibly carry next, given the
// next number it delivers. The wire is not trusted: a single packet may claim any 64-bit number,
// and a receiver that believes it moves its whole session there.
//
//                         next to deliver
//        ◀──── horizon ────────┤──────── horizon ────▶
//   implausible                │ plausible: a duplicate, a late       implausible
//   (far behind)               │ copy, the next packet, a gap         (far ahead)
//
//   sequence 0                      never: MoldUDP64 numbers messages from 1
//   sequence + count past 2^64 - 1  never: no such numbers exist
//
// A packet is plausible when every number it names lies within `horizon` of the next to deliver:
// a packet of messages up to its last, a heartbeat or end of session up to the number it
// announces. Measured from what was delivered, not from the highest number some packet claimed,
// so no chain of packets can walk the horizon forward: a session moves only as fast as its
// messages are delivered, no counter moves by more than the horizon for one packet, and the
// unsigned comparisons and differences made on accepted numbers cannot wrap.
//
// The arbitrator (line_arbitrator.hpp) judges with two distances: its buffer's window (what it
// can hold until the numbers before it arrive: one packet never forces a resync) and the horizon,
// 2^20 messages, about a second of Nasdaq TotalView at its peak rates and minutes on an ordinary
// day. A stream between the two is a loss wider than the window, followed once the lines show it
// is really there; beyond the horizon it is an outage, or a lie, and moves the session only after
// seconds of consistent traffic with the session silent.
//
// Thread safety: plain functions on values.

#include <cstdint>
#include <limits>

#include "feed/moldudp64.hpp"

namespace sentinel::feed {

inline constexpr std::uint64_t kDefaultHorizon = std::uint64_t{1} << 20;

// One past the last number `packet` names: the first after its messages, or, for a heartbeat or
// end of session, the next number it announces. Precondition: numbers_exist(packet).
inline std::uint64_t packet_end(const mold::Packet& packet) noexcept { return packet.sequence + packet.count; }

// Whether the numbers `packet` names can exist at all: none is 0, none runs past 2^64 - 1.
inline bool numbers_exist(const mold::Packet& packet) noexcept {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    return packet.sequence != 0 && packet.count <= kMax - packet.sequence;
}

// Whether every number `packet` names lies within `horizon` of `next`, the next to deliver.
inline bool within_horizon(const mold::Packet& packet, std::uint64_t next, std::uint64_t horizon) noexcept {
    if (!numbers_exist(packet)) return false;
    const std::uint64_t first = packet.sequence, end = packet_end(packet);
    if (first < next && next - first > horizon) return false;
    return end <= next || end - next <= horizon;
}

}  // namespace sentinel::feed
