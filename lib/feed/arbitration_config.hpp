#pragma once
// ArbitrationConfig: the line arbitrator's tolerances, timers and capacities.
//
// Thread safety: a value type.

#include <cstddef>
#include <cstdint>

#include "feed/sequence_horizon.hpp"

namespace sentinel::feed {

struct ArbitrationConfig {
    // The reorder tolerance: a missing range becomes a gap after this many packets on lines A and
    // B since it was found, or after this long, whichever comes first. Packets bound the wait in a
    // burst, time when the feed is quiet. Both lines' packets count, so 64 lets the line behind
    // trail by about 30 of its own: gen_itch.py's lines, 10 packets apart with 3% of them
    // reordered, need 24 packets or 1.5 ms (at its pace of one packet per 100 us).
    std::uint64_t reorder_packets = 64;
    std::uint64_t reorder_ns = 2'000'000;

    // Recovery.
    std::uint16_t max_request = 1'000;               // messages one re-request asks for, at most
    std::size_t max_in_flight = 4;                   // re-requests awaiting their answers
    std::uint64_t retry_ns = 5'000'000;              // unanswered this long: sent again
    // A gap none of whose numbers arrived for this long, while the lines brought reorder_packets
    // packets, is given up (with the lines silent: ten times as long).
    std::uint64_t recovery_timeout_ns = 50'000'000;

    // Trust in the wire (sequence_horizon.hpp). A packet naming a number beyond the buffer's window
    // (from the next to deliver) is refused: counted implausible, dropped whole, never a gap. A
    // stream of them, consistent on line A or B with no packet within the window among it, is
    // followed (a resync, what lies between given up) once it lasted reorder_packets packets and
    // reorder_ns while it stays within `horizon`: a loss wider than the window. Beyond the horizon,
    // or in another session, it takes reanchor_packets and reanchor_ns: an outage of both lines, a
    // new session, or the real feed after a stranger's packet came first; the session re-anchors
    // there, counting nothing between as missing. A live feed sends a packet, at least a
    // heartbeat, every second, and each one within the window resets those counts: no forged
    // stream moves a session that is alive.
    std::uint64_t horizon = kDefaultHorizon;
    std::uint64_t reanchor_packets = 32;
    std::uint64_t reanchor_ns = 3'000'000'000;

    // Capacities, fixed at construction. The buffer holds the stream while the front gap is
    // recovered: size it for the peak message rate times recovery_timeout_ns (65,536 covers 1.3
    // million messages a second for 50 ms); when it is smaller, it fills first and resyncs early.
    std::size_t buffer_messages = 65'536;  // the window after the next number (rounded up to a power of two)
    std::size_t max_message_size = 64;     // bytes of one held message (ITCH 5.0's longest has 50)
    std::size_t max_ranges = 256;          // missing ranges tracked at once
};

}  // namespace sentinel::feed
