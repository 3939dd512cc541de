#pragma once
// FeedHandler: one in-order MoldUDP64 stream of ITCH 5.0 messages to order books, with counters.
//
//   on_packet(payload) ─▶ mold::parse_packet ─▶ session, sequence check ─▶ on_message(message) per message
//                          malformed: dropped      duplicate: skipped        │
//                                                  gap: counted, skipped over ▼
//                              itch::decode ─▶ count by type ─▶ OrderBooks (A F E C X D U)
//                                                            └▶ InstrumentDirectory (R H S)
//                                              ─▶ BookUpdate; on_packet passes changed tops to its listener
//
// on_message() is the decode-and-apply step for one message already known to be next in sequence:
// the A/B arbitrator and gap recovery sit above it and call it once per sequence number, in order.
// on_packet() is the simplest such caller, for one stream that needs no arbitration (a replay of
// one line): it applies each sequence number once, skips those already applied, and counts the
// ones a later packet jumped over as a gap without recovering them. It locks onto the first
// session it sees and drops packets of any other. Sessions number messages from 1, so a stream
// joined late counts what it missed as a gap.
//
// Thread safety: one thread drives a handler; counters() may be read from any thread.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>

#include "feed/feed_counters.hpp"
#include "feed/instrument_directory.hpp"
#include "feed/moldudp64.hpp"
#include "feed/order_books.hpp"

namespace sentinel::feed {

// Told of every message that changed an instrument's best bid or ask (the publisher stage's input).
template <class L>
concept TopOfBookListener = std::invocable<L&, const BookUpdate&>;

class FeedHandler {
public:
    explicit FeedHandler(const BookConfig& config = {},
                         std::pmr::memory_resource* memory = std::pmr::get_default_resource());

    // One ITCH message, the next in sequence: decode, count, apply. Never reads outside `message`.
    BookUpdate on_message(std::span<const std::byte> message) noexcept;

    // One MoldUDP64 packet (a UDP payload) of the stream.
    template <TopOfBookListener L>
    void on_packet(std::span<const std::byte> payload, L&& on_top_change) noexcept;
    void on_packet(std::span<const std::byte> payload) noexcept {
        on_packet(payload, [](const BookUpdate&) {});
    }

    // The sequence number on_packet() applies next.
    std::uint64_t next_sequence() const noexcept { return next_sequence_; }

    const FeedCounters& counters() const noexcept { return counters_; }
    const OrderBooks& books() const noexcept { return books_; }
    const InstrumentDirectory& instruments() const noexcept { return instruments_; }

private:
    struct Apply;

    // False for a session other than the stream's (the first one seen).
    bool same_session(const mold::Session& session) noexcept;

    FeedCounters counters_;
    OrderBooks books_;
    InstrumentDirectory instruments_;
    std::optional<mold::Session> session_;
    std::uint64_t next_sequence_ = 1;
};

template <TopOfBookListener L>
void FeedHandler::on_packet(std::span<const std::byte> payload, L&& on_top_change) noexcept {
    const mold::Packet packet = mold::parse_packet(payload);
    if (packet.kind == mold::PacketKind::malformed) {
        counters_.add(FeedCounter::malformed_packets);
        return;
    }
    if (!same_session(packet.session)) {
        counters_.add(FeedCounter::foreign_session_packets);
        return;
    }
    switch (packet.kind) {
        case mold::PacketKind::end_of_session:  // names the next sequence number without consuming it
            counters_.add(FeedCounter::end_of_session);
            return;
        case mold::PacketKind::heartbeat:  // names the next sequence number: any before it were lost
            counters_.add(FeedCounter::heartbeats);
            if (packet.sequence > next_sequence_) {
                counters_.add(FeedCounter::gap_messages, packet.sequence - next_sequence_);
                next_sequence_ = packet.sequence;
            }
            return;
        default:
            break;
    }
    counters_.add(FeedCounter::packets);
    mold::for_each_message(packet, [&](std::span<const std::byte> message, std::uint64_t sequence) {
        if (sequence < next_sequence_) {
            counters_.add(FeedCounter::duplicate_messages);
            return;
        }
        if (sequence > next_sequence_) counters_.add(FeedCounter::gap_messages, sequence - next_sequence_);
        next_sequence_ = sequence + 1;
        const BookUpdate update = on_message(message);
        if (update.top_changed) on_top_change(update);
    });
}

}  // namespace sentinel::feed
