#pragma once
// LineArbitrator: lines A and B of a MoldUDP64 feed, and the re-request server's answers, merged
// into one stream that delivers every sequence number once, in order. What both lines lost is
// re-requested; what cannot be had in time is given up, reported, and skipped.
//
//   on_packet(line, payload, now)
//     mold::parse_packet ─▶ session? ─▶ each message, by its sequence number s:
//     malformed: counted    foreign:     s <  next   a duplicate: counted, dropped
//                           counted      s == next   sink.on_message(s), then every held s+1, s+2, ...
//                                        s >  next   held (a copy) in the MessageBuffer; the numbers
//                                                    it skipped become a missing range (GapTracker)
//     heartbeat, end of session ─▶ name the next number: any before it not yet seen are missing
//
//   then, and in on_timer(now), while anything is missing:
//     a range missing for reorder_packets line packets or reorder_ns ─▶ a gap: sink.on_gap()
//     gaps ─▶ RecoveryScheduler ─▶ requester.send(mold::Request)   capped in flight, retried
//     the front gap unfilled recovery_timeout_ns after its declaration ─▶ resync past it
//   and at once, when a message cannot be held (window, size, or ranges full) ─▶ resync up to it
//
// The first copy of a sequence number wins, whichever line brought it. A resync gives the missing
// numbers up (counted unrecoverable; sink.on_unrecoverable() with each exact range, before any
// message after it) and skips to the live stream: the held messages after them are delivered in
// order, and the stream carries on. Sessions number from 1, so a feed joined late starts with a
// gap from 1, given up at once when it is wider than the buffer.
//
// Thread safety
//   on_packet, on_timer, next_sequence, waiting   the thread driving the arbitrator (the feed stage)
//   counters()                                    any thread
// The sink and the requester are called on the driving thread, from inside on_packet and on_timer,
// and must not call back into the arbitrator.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>

#include "feed/arbitration_counters.hpp"
#include "feed/gap_tracker.hpp"
#include "feed/line.hpp"
#include "feed/message_buffer.hpp"
#include "feed/moldudp64.hpp"
#include "feed/recovery_scheduler.hpp"

namespace sentinel::feed {

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
template <class S>
concept ArbitrationSink = requires(S& sink, std::span<const std::byte> message, std::uint64_t sequence,
                                   std::uint64_t count) {
    sink.on_message(message, sequence);
    sink.on_gap(sequence, count);
    sink.on_unrecoverable(sequence, count);
};

// Sends one re-request to the recovery server (the appliance: mold::write_request() into an mbuf,
// UDP to the configured address, out of a TX queue). A send that fails is a request lost on the
// way: the retry timer covers both, so send() reports nothing.
template <class R>
concept Requester = requires(R& requester, const mold::Request& request) { requester.send(request); };

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
    std::uint64_t recovery_timeout_ns = 50'000'000;  // a gap still unfilled this long after its declaration is given up

    // Capacities, fixed at construction. The buffer holds the stream while the front gap is
    // recovered: size it for the peak message rate times recovery_timeout_ns (65,536 covers 1.3
    // million messages a second for 50 ms); when it is smaller, it fills first and resyncs early.
    std::size_t buffer_messages = 65'536;  // the window after the next number (rounded up to a power of two)
    std::size_t max_message_size = 64;     // bytes of one held message (ITCH 5.0's longest has 50)
    std::size_t max_ranges = 256;          // missing ranges tracked at once
};

template <ArbitrationSink Sink, Requester Req>
class LineArbitrator {
public:
    LineArbitrator(Sink& sink, Req& requester, const ArbitrationConfig& config = {},
                   std::pmr::memory_resource* memory = std::pmr::get_default_resource())
        : sink_(sink),
          requester_(requester),
          config_(config),
          buffer_(config.buffer_messages, config.max_message_size, memory),
          gaps_(config.max_ranges, memory),
          scheduler_(config.max_in_flight, config.max_request, config.retry_ns, memory) {}

    // One UDP payload from `line`; it may be released when the call returns. `now_ns` is a
    // monotonic clock, the same one for every call.
    void on_packet(Line line, std::span<const std::byte> payload, std::uint64_t now_ns) noexcept;

    // Declares, retries and gives up with no packet coming: call it whenever the stage is idle.
    void on_timer(std::uint64_t now_ns) noexcept {
        if (!gaps_.empty()) service(now_ns);
    }

    // The sequence number delivered next.
    std::uint64_t next_sequence() const noexcept { return next_; }

    // Whether the stream waits on a missing number (reordering, or a gap being recovered).
    bool waiting() const noexcept { return !gaps_.empty(); }

    // The input has ended (no answer can come any more): gives up whatever is still missing and
    // delivers every held message, as a resync would.
    void finish(std::uint64_t now_ns) noexcept {
        if (next_ < horizon_) resync_to(horizon_, now_ns);
    }

    const ArbitrationCounters& counters() const noexcept { return counters_; }

private:
    void arrive(Line line, std::span<const std::byte> message, std::uint64_t sequence, std::uint64_t now_ns) noexcept;
    bool hold(std::span<const std::byte> message, std::uint64_t sequence, std::uint64_t now_ns) noexcept;
    void reveal(std::uint64_t next, std::uint64_t now_ns) noexcept;
    void service(std::uint64_t now_ns) noexcept;
    void resync_to(std::uint64_t target, std::uint64_t now_ns) noexcept;
    void declare(MissingRange& range, std::uint64_t now_ns) noexcept;
    void count_gap(std::uint64_t first, std::uint64_t count) noexcept;
    void deliver(std::span<const std::byte> message, std::uint64_t sequence) noexcept;
    void drain() noexcept;
    bool same_session(const mold::Session& session) noexcept;

    ArbitrationCounters counters_;
    Sink& sink_;
    Req& requester_;
    ArbitrationConfig config_;
    MessageBuffer buffer_;
    GapTracker gaps_;  // exactly the numbers in [next_, horizon_) not in buffer_
    RecoveryScheduler scheduler_;
    std::optional<mold::Session> session_;
    std::uint64_t next_ = 1;          // the next sequence number to deliver
    std::uint64_t horizon_ = 1;       // one past the highest number known to exist
    std::uint64_t line_packets_ = 0;  // packets of the session from lines A and B: the tolerance's clock
};

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::on_packet(Line line, std::span<const std::byte> payload, std::uint64_t now_ns) noexcept {
    counters_.add(on_line(ArbitrationCounter::packets_a, line));
    const mold::Packet packet = mold::parse_packet(payload);
    if (packet.kind == mold::PacketKind::malformed) {
        counters_.add(on_line(ArbitrationCounter::malformed_packets_a, line));
        return;
    }
    if (!same_session(packet.session)) {
        counters_.add(on_line(ArbitrationCounter::foreign_session_packets_a, line));
        return;
    }
    if (line != Line::recovery) ++line_packets_;
    switch (packet.kind) {
        case mold::PacketKind::messages:
            counters_.add(on_line(ArbitrationCounter::messages_a, line), packet.count);
            if (packet.sequence < next_ && next_ - packet.sequence >= packet.count) {  // the other line's copy: no per-message work
                counters_.add(on_line(ArbitrationCounter::duplicates_a, line), packet.count);
                break;
            }
            mold::for_each_message(packet, [&](std::span<const std::byte> message, std::uint64_t sequence) {
                if (sequence == next_ && gaps_.empty()) [[likely]] {
                    deliver(message, sequence);
                    horizon_ = next_;  // nothing was missing or held: next_ was the horizon
                } else {
                    arrive(line, message, sequence, now_ns);
                }
            });
            break;
        case mold::PacketKind::end_of_session:
            if (counters_.get(ArbitrationCounter::session_ended) == 0) counters_.add(ArbitrationCounter::session_ended);
            reveal(packet.sequence, now_ns);  // the next number, which it does not consume
            break;
        case mold::PacketKind::heartbeat:
            reveal(packet.sequence, now_ns);
            break;
        case mold::PacketKind::malformed:
            break;
    }
    if (!gaps_.empty()) service(now_ns);
}

// A message off the fast path: a duplicate, one ahead of a missing number, or one filling it.
template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::arrive(Line line, std::span<const std::byte> message, std::uint64_t sequence,
                                       std::uint64_t now_ns) noexcept {
    if (sequence < next_ || (sequence < horizon_ && buffer_.holds(sequence))) {
        counters_.add(on_line(ArbitrationCounter::duplicates_a, line));
        return;
    }
    if (sequence > next_) {
        if (hold(message, sequence, now_ns)) return;
        counters_.add(ArbitrationCounter::buffer_overflows);
        resync_to(sequence, now_ns);
    }
    if (sequence < horizon_ && gaps_.arrive(sequence) == Arrival::recovered)  // the front range's first
        counters_.add(ArbitrationCounter::recovered_messages);
    deliver(message, sequence);
    drain();
}

// False when there is no room: outside the window, too long, or a range to add or split and no
// record left.
template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::hold(std::span<const std::byte> message, std::uint64_t sequence,
                                     std::uint64_t now_ns) noexcept {
    if (!buffer_.can_hold(next_, sequence, message.size())) return false;
    if (sequence < horizon_) {
        const Arrival arrival = gaps_.arrive(sequence);
        if (arrival == Arrival::no_room) return false;
        if (arrival == Arrival::recovered) counters_.add(ArbitrationCounter::recovered_messages);
    } else {
        if (sequence > horizon_) {
            if (gaps_.full()) return false;
            gaps_.add(horizon_, sequence, now_ns, line_packets_);
        }
        horizon_ = sequence + 1;
    }
    buffer_.hold(sequence, message);
    return true;
}

// A heartbeat or end of session: `next` is the next number the server sends.
template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::reveal(std::uint64_t next, std::uint64_t now_ns) noexcept {
    if (next <= horizon_) return;
    if (gaps_.full()) {
        counters_.add(ArbitrationCounter::buffer_overflows);
        resync_to(next, now_ns);
        return;
    }
    gaps_.add(horizon_, next, now_ns, line_packets_);
    horizon_ = next;
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::service(std::uint64_t now_ns) noexcept {
    for (std::size_t i = 0; i < gaps_.size(); ++i) {  // ranges found later are never older: stop at the first too young
        MissingRange& range = gaps_[i];
        if (range.gap) continue;
        if (line_packets_ - range.since_packet < config_.reorder_packets && now_ns - range.since_ns < config_.reorder_ns)
            break;
        declare(range, now_ns);
    }
    while (!gaps_.empty() && gaps_.front().gap && now_ns - gaps_.front().gap_ns >= config_.recovery_timeout_ns)
        resync_to(gaps_.front().end, now_ns);
    for (const RecoveryRequest& r : scheduler_.poll(gaps_, now_ns)) {
        requester_.send(mold::Request{*session_, r.first, r.count});
        counters_.add(ArbitrationCounter::rerequests);
        if (r.retry) counters_.add(ArbitrationCounter::rerequest_retries);
    }
}

// Gives up every missing number below `target` and delivers every held one, in order; then the
// held ones after it, up to the next missing number.
template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::resync_to(std::uint64_t target, std::uint64_t now_ns) noexcept {
    counters_.add(ArbitrationCounter::resyncs);
    while (next_ < target) {
        if (next_ < horizon_ && buffer_.holds(next_)) {
            deliver(buffer_.message(next_), next_);
            continue;
        }
        std::uint64_t end = target;
        if (next_ < horizon_) {  // the front range starts at next_
            MissingRange& front = gaps_.front();
            if (!front.gap) declare(front, now_ns);
            end = std::min(front.end, target);
            gaps_.trim_front(end);
        } else {  // past the horizon: never seen, so never declared
            count_gap(next_, end - next_);
        }
        counters_.add(ArbitrationCounter::unrecoverable_messages, end - next_);
        sink_.on_unrecoverable(next_, end - next_);
        next_ = end;
    }
    drain();
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::declare(MissingRange& range, std::uint64_t now_ns) noexcept {
    range.gap = true;
    range.gap_ns = now_ns;
    count_gap(range.first, range.size());
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::count_gap(std::uint64_t first, std::uint64_t count) noexcept {
    counters_.add(ArbitrationCounter::gaps);
    counters_.add(ArbitrationCounter::missing_messages, count);
    sink_.on_gap(first, count);
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::deliver(std::span<const std::byte> message, std::uint64_t sequence) noexcept {
    sink_.on_message(message, sequence);
    counters_.add(ArbitrationCounter::messages);
    next_ = sequence + 1;
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::drain() noexcept {
    while (next_ < horizon_ && buffer_.holds(next_)) deliver(buffer_.message(next_), next_);
    horizon_ = std::max(horizon_, next_);
}

template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::same_session(const mold::Session& session) noexcept {
    if (!session_) session_ = session;
    return *session_ == session;
}

}  // namespace sentinel::feed
