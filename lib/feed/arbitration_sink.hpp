#pragma once
// ArbitrationSink and Requester: what the line arbitrator (line_arbitrator.hpp) calls, the stream
// it delivers and the re-requests it sends; and the refusals it reports.
//
// Thread safety: the arbitrator calls both on its driving thread.

#include <cstddef>
#include <cstdint>
#include <span>

#include "feed/gap_ledger.hpp"
#include "feed/line.hpp"
#include "feed/moldudp64.hpp"

namespace sentinel::feed {

// Why a packet was dropped whole, before any of its numbers was used.
enum class Refusal : std::uint8_t {
    malformed,        // blocks that do not tile the payload (moldudp64.hpp)
    foreign_session,  // a session id other than the one anchored
    implausible,      // numbers that cannot exist, or lie beyond the horizon (sequence_horizon.hpp)
};

struct RefusedPacket {
    Line line;
    Refusal reason;
    mold::PacketKind kind;        // as parsed (malformed: unknown)
    std::uint64_t sequence;       // as the packet claims
    std::uint16_t count;          // its messages (0 for a heartbeat or an end of session)
    std::uint64_t next_sequence;  // the session's next number then
};

// Where the stream goes (the feed handler's on_message, in the appliance).
//   on_message(message, sequence)   the next message; its bytes are valid during the call only
//   on_gap(first, count)            [first, first + count) is gone from both lines and is being
//                                   re-requested; the stream waits (for the log)
//   on_unrecoverable(first, count)  [first, first + count) is given up; the messages after it
//                                   follow. Nobody can tell which instruments the lost messages
//                                   touched, and ITCH has no per-instrument refresh (a lost delete
//                                   leaves an order that no later message removes), so the book
//                                   layer should mark every instrument stale until a snapshot or
//                                   the next session rebuilds it.
//   on_gap_closed(record)           the last number of a gap on_gap() told of has ended; `record`
//                                   says how they all did
//   on_refused(packet)              a packet was dropped whole (every one: the sink rate-limits)
//   on_reanchor(from, to)           the session moved from `from` to `to` without the numbers
//                                   between: stale, like on_unrecoverable
// and, where the sink has it, on_packet(packet): a packet of the session's messages is about to
// be walked, before its first message arrives (the engine starts its cache hints there).
template <class S>
concept ArbitrationSink = requires(S& sink, std::span<const std::byte> message, std::uint64_t sequence,
                                   std::uint64_t count, const GapRecord& record, const RefusedPacket& refused) {
    sink.on_message(message, sequence);
    sink.on_gap(sequence, count);
    sink.on_unrecoverable(sequence, count);
    sink.on_gap_closed(record);
    sink.on_refused(refused);
    sink.on_reanchor(sequence, count);
};

// Sends one re-request to the recovery server (the appliance: mold::write_request() into an mbuf,
// UDP to the configured address, out of a TX queue). A send that fails is a request lost on the
// way: the retry timer covers both, so send() reports nothing.
template <class R>
concept Requester = requires(R& requester, const mold::Request& request) { requester.send(request); };

}  // namespace sentinel::feed
