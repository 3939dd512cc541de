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
// session it sees and drops packets of any other, and drops packets whose numbers lie beyond the
// horizon as the arbitrator does (sequence_horizon.hpp; there is no re-anchoring here: a replay
// is one line, read once). Sessions number messages from 1, so a stream joined within the horizon
// of its start counts what it missed as a gap; one joined later starts where it joined.
//
// on_packet() hides the books' cache misses: it prefetches the whole packet before walking its
// length prefixes (each load depends on the one before), and two cursors walk ahead of the one
// applying messages, hinting the order table slot, the level and the book each message will need
// (prefetch_far, prefetch_near) so that those misses overlap with the work before them.
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
    // Everything it holds (books, order table, directory) is allocated from `memory` here, and
    // nothing after: the appliance passes its hugepage resource.
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

    // Cache hints for a message about to be applied, so that its order's table slot and level are
    // on the way while the messages before it are applied (OrderBooks::prefetch_order): on_packet()
    // gives each message prefetch_far() kFarAhead messages before applying it and prefetch_near()
    // kNearAhead before. An add's level is hinted by the far stage, from the message alone (its
    // home: OrderBooks::prefetch_add); the near stage reads the table for the other orders'
    // levels. An arbitrator holding messages in order can do the same. Hints only: they change
    // nothing, and read nothing outside `message`; always inlined (see OrderBooks).
    static constexpr int kFarAhead = 16;  // ~0.9 us ahead: a DRAM miss, and the near hint then finds the slot loaded
    static constexpr int kNearAhead = 4;
    [[gnu::always_inline]] void prefetch_far(std::span<const std::byte> message) const noexcept {
        if (!names_an_order(message)) return;
        books_.prefetch_order(load_be64(message.data() + kOrderReferenceAt));
        if (is_add(message)) {
            books_.prefetch_add(load_be16(message.data() + kStockLocateAt), static_cast<char>(message[kSideAt]),
                                load_be32(message.data() + kPriceAt));
        }
    }
    [[gnu::always_inline]] void prefetch_near(std::span<const std::byte> message) noexcept {
        if (!names_an_order(message) || is_add(message)) return;
        books_.prefetch_level(load_be64(message.data() + kOrderReferenceAt));
    }

    // The sequence number on_packet() applies next.
    std::uint64_t next_sequence() const noexcept { return next_sequence_; }

    const FeedCounters& counters() const noexcept { return counters_; }
    const OrderBooks& books() const noexcept { return books_; }
    const InstrumentDirectory& instruments() const noexcept { return instruments_; }

private:
    struct Apply;

    // Where the hints find their fields (itch50_order_messages.hpp): every message's locate; the
    // order reference number of A F E C X D U (U's original); the side and price of A and F.
    static constexpr std::size_t kStockLocateAt = 1;
    static constexpr std::size_t kOrderReferenceAt = 11;
    static constexpr std::size_t kSideAt = 19;
    static constexpr std::size_t kPriceAt = 32;
    // A message with an order reference, long enough to read one: a hint never reads past the end.
    static bool names_an_order(std::span<const std::byte> message) noexcept {
        if (message.size() < kOrderReferenceAt + 8) return false;
        switch (static_cast<char>(message[0])) {
            case 'A': case 'F': case 'E': case 'C': case 'X': case 'D': case 'U': return true;
            default: return false;
        }
    }
    // An add, long enough to read its side and price (the decoder has not checked its length yet).
    static bool is_add(std::span<const std::byte> message) noexcept {
        return (message[0] == std::byte{'A'} || message[0] == std::byte{'F'}) && message.size() >= kPriceAt + 4;
    }

    // Whether a well-formed packet's numbers may be used: the stream's session (the first seen
    // with numbers that exist), within the horizon (sequence_horizon.hpp); counts the others.
    bool admit(const mold::Packet& packet) noexcept;

    FeedCounters counters_;
    OrderBooks books_;
    InstrumentDirectory instruments_;
    std::optional<mold::Session> session_;
    std::uint64_t next_sequence_ = 1;
};

template <TopOfBookListener L>
void FeedHandler::on_packet(std::span<const std::byte> payload, L&& on_top_change) noexcept {
    // The whole packet at once: parse_packet() walks its length prefixes one after the other, and
    // each load's address depends on the one before, so lines it had to wait for in turn would
    // serialise their misses.
    for (std::size_t at = 0; at < payload.size(); at += disruptor::kCacheLine) __builtin_prefetch(payload.data() + at);
    const mold::Packet packet = mold::parse_packet(payload);
    if (packet.kind == mold::PacketKind::malformed) {
        counters_.add(FeedCounter::malformed_packets);
        return;
    }
    if (!admit(packet)) return;
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
    // Three cursors over the packet: two walk ahead, hinting the lines the messages will need.
    mold::MessageCursor far(packet), near(packet), cursor(packet);
    for (int i = 0; i < kFarAhead && !far.done(); ++i) prefetch_far(far.next());
    for (int i = 0; i < kNearAhead && !near.done(); ++i) prefetch_near(near.next());
    while (!cursor.done()) {
        if (!far.done()) prefetch_far(far.next());
        if (!near.done()) prefetch_near(near.next());
        const std::uint64_t sequence = cursor.sequence();
        const std::span<const std::byte> message = cursor.next();
        if (sequence < next_sequence_) {
            counters_.add(FeedCounter::duplicate_messages);
            continue;
        }
        if (sequence > next_sequence_) counters_.add(FeedCounter::gap_messages, sequence - next_sequence_);
        next_sequence_ = sequence + 1;
        const BookUpdate update = on_message(message);
        if (update.top_changed) on_top_change(update);
    }
}

}  // namespace sentinel::feed
