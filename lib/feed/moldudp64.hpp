#pragma once
// MoldUDP64: Nasdaq's framing of a sequenced message stream over UDP, and its re-request packet.
//
//   downstream packet (the UDP payload)
//   ┌ session 10 ┬ sequence u64 ┬ count u16 ┐┌ length u16 ┬ message ┐┌ length u16 ┬ message ┐ ...
//   └────────────── header, 20 bytes ───────┘└──── message block ───┘└──── message block ───┘
//
//   sequence       the number of the packet's first message; the next ones follow, +1 each
//   count 0        heartbeat: no messages; `sequence` is the next message the server will send
//   count 0xFFFF   end of session: no messages; `sequence` is still the next one (it consumes none)
//
//   re-request (receiver to the retransmission server)
//   ┌ session 10 ┬ sequence u64 ┬ count u16 ┐   "send `count` messages from `sequence` on"
//
// Integers are big-endian; the session is ASCII, space-padded.
//
// A packet is atomic: parse_packet() checks every length prefix against the payload before it
// hands out a single message, and a packet whose blocks do not end exactly where the payload ends
// (a count that promises more blocks than the bytes hold, a length running past the end, bytes left
// over) is malformed as a whole; none of its messages are used. Its header cannot be trusted to
// say which sequence numbers it carries, so using a prefix could apply the wrong messages; dropping
// it turns the damage into a gap, which the other line or a re-request fills.
//
// Thread safety: plain functions on caller-owned bytes.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "feed/big_endian.hpp"

namespace sentinel::feed::mold {

inline constexpr std::size_t kSessionSize = 10;
inline constexpr std::size_t kHeaderSize = 20;
inline constexpr std::size_t kBlockLengthSize = 2;
inline constexpr std::size_t kRequestSize = 20;
inline constexpr std::uint16_t kEndOfSessionCount = 0xFFFF;

using Session = std::array<std::byte, kSessionSize>;

enum class PacketKind : std::uint8_t {
    messages,        // count >= 1 well-formed message blocks
    heartbeat,       // count 0
    end_of_session,  // count 0xFFFF
    malformed,       // shorter than the header, or blocks that do not tile the payload
};

struct Packet {
    PacketKind kind = PacketKind::malformed;
    Session session{};
    std::uint64_t sequence = 0;  // first message's number; for heartbeat and end of session, the next one
    std::uint16_t count = 0;     // messages in `blocks`; 0 unless kind == messages
    std::uint16_t longest = 0;   // the longest message's length
    std::span<const std::byte> blocks;  // exactly `count` blocks that parse_packet() checked
};

// Never reads outside `payload`. A malformed packet still reports its header fields when it has one.
inline Packet parse_packet(std::span<const std::byte> payload) noexcept {
    Packet p;
    if (payload.size() < kHeaderSize) return p;
    const std::byte* h = payload.data();
    for (std::size_t i = 0; i < kSessionSize; ++i) p.session[i] = h[i];
    p.sequence = load_be64(h + 10);
    const std::uint16_t count = load_be16(h + 18);
    const std::span<const std::byte> blocks = payload.subspan(kHeaderSize);
    if (count == 0 || count == kEndOfSessionCount) {
        if (blocks.empty()) p.kind = count == 0 ? PacketKind::heartbeat : PacketKind::end_of_session;
        return p;
    }
    std::size_t at = 0;
    for (std::uint16_t i = 0; i < count; ++i) {
        if (blocks.size() - at < kBlockLengthSize) return p;
        const std::uint16_t length = load_be16(blocks.data() + at);
        at += kBlockLengthSize;
        if (blocks.size() - at < length) return p;
        at += length;
        p.longest = std::max(p.longest, length);
    }
    if (at != blocks.size()) return p;
    p.kind = PacketKind::messages;
    p.count = count;
    p.blocks = blocks;
    return p;
}

// Walks the message blocks of a packet that parse_packet() accepted, in order; several cursors may
// walk one packet (a reader a few messages ahead of another, prefetching).
class MessageCursor {
public:
    explicit MessageCursor(const Packet& packet) noexcept
        : at_(packet.blocks.data()), left_(packet.count), sequence_(packet.sequence) {}

    bool done() const noexcept { return left_ == 0; }
    // The sequence number of the message next() returns.
    std::uint64_t sequence() const noexcept { return sequence_; }

    // The next message; a block of length 0 is an empty message. Only when !done().
    std::span<const std::byte> next() noexcept {
        const std::size_t length = load_be16(at_);
        const std::span<const std::byte> message(at_ + kBlockLengthSize, length);
        at_ += kBlockLengthSize + length;
        --left_;
        ++sequence_;
        return message;
    }

private:
    const std::byte* at_;
    std::uint16_t left_;
    std::uint64_t sequence_;
};

// Calls f(std::span<const std::byte> message, std::uint64_t sequence) for each message of a packet
// that parse_packet() accepted, in order.
template <class F>
void for_each_message(const Packet& packet, F&& f) {
    for (MessageCursor c(packet); !c.done();) {
        const std::uint64_t sequence = c.sequence();
        f(c.next(), sequence);
    }
}

struct Request {
    Session session{};
    std::uint64_t sequence = 0;
    std::uint16_t count = 0;
};

inline void write_request(std::span<std::byte, kRequestSize> out, const Request& r) noexcept {
    for (std::size_t i = 0; i < kSessionSize; ++i) out[i] = r.session[i];
    store_be64(out.data() + 10, r.sequence);
    store_be16(out.data() + 18, r.count);
}

// A re-request is exactly 20 bytes; anything else is not one.
inline std::optional<Request> parse_request(std::span<const std::byte> bytes) noexcept {
    if (bytes.size() != kRequestSize) return std::nullopt;
    Request r;
    for (std::size_t i = 0; i < kSessionSize; ++i) r.session[i] = bytes[i];
    r.sequence = load_be64(bytes.data() + 10);
    r.count = load_be16(bytes.data() + 18);
    return r;
}

}  // namespace sentinel::feed::mold
