#pragma once
// SequenceHorizon: which MoldUDP64 sequence numbers a session can plausibly carry next, given what
// it has shown so far. The wire is not trusted: a single packet may claim any 64-bit number, and a
// receiver that believes it moves its whole session there.
//
//                 shown so far
//        ◀── horizon ──┤ low ······· high ├── horizon ──▶
//   implausible        │   plausible: a duplicate, a     │        implausible
//   (far behind)       │   late copy, the next packet,   │        (far ahead)
//                      │   or a gap to recover           │
//
//   sequence 0                      never: MoldUDP64 numbers messages from 1
//   sequence + count past 2^64 - 1  never: no such numbers exist
//
// `low` is the next number to deliver, `high` one past the highest known to exist. A plausible
// packet lies within `horizon` of that band and names no number past 2^64 - 1, so the band moves
// by at most the horizon a packet and never reaches the top: the plain unsigned comparisons and
// differences the arbitrator makes on accepted numbers can neither wrap nor overflow, and no
// counter moves by more than the horizon for one packet. The tests here are written so that they
// cannot wrap either, whatever the packet says.
//
// The horizon bounds a jump that is still treated as a gap (both lines lost what lies between,
// and a re-request may fill it). 2^20 messages is about a second of Nasdaq TotalView at its peak
// rates, and minutes on an ordinary day: a longer silence of both lines is an outage, after which
// the arbitrator re-anchors on the live stream (line_arbitrator.hpp) rather than trusting one
// packet.
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

// Whether `packet` lies within `horizon` of the band [low, high) a session has shown (low <= high).
inline bool within_horizon(const mold::Packet& packet, std::uint64_t low, std::uint64_t high,
                           std::uint64_t horizon) noexcept {
    if (!numbers_exist(packet)) return false;
    const std::uint64_t s = packet.sequence;
    if (s > high) return s - high <= horizon;
    if (s < low) return low - s <= horizon;
    return true;
}

}  // namespace sentinel::feed
