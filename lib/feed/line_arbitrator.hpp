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
//     the front gap stalled (none of it arrived for recovery_timeout_ns as the lines flowed)
//       ─▶ resync past it
//   and at once, when a message cannot be held (no range record left) ─▶ resync up to it
//
// The first copy of a sequence number wins, whichever line brought it. A resync gives the missing
// numbers up (counted unrecoverable; sink.on_unrecoverable() with each exact range, before any
// message after it) and skips to the live stream: the held messages after them are delivered in
// order, and the stream carries on. Every declared gap ends in sink.on_gap_closed(), saying how
// each of its numbers ended (gap_ledger.hpp).
//
// The wire is hostile (sequence_horizon.hpp). Before any number is used, a packet must be
//   well-formed, no message longer than         else counted malformed, dropped whole
//   max_message_size
//   of the session (the first one anchored)      else counted foreign: another session id, or an
//                                                end of session from a stranger, changes nothing
//   within the buffer's window of the next       else counted implausible, dropped whole: sequence
//   number (sequence_horizon.hpp)                0, a count running past 2^64, a message or
//                                                heartbeat beyond the window, ahead or behind
// and each refusal goes to sink.on_refused(). What is admitted can always be held, so no single
// packet forces a resync. A stream that stays beyond the window, consistently on line A or B with
// no admitted line packet among it, is followed: within the horizon, after reorder_packets and
// reorder_ns (a loss wider than the window: a resync to the stream's start, what lies before it
// given up); beyond it or in another session, after reanchor_packets and reanchor_ns (an outage, a
// new session, or the real feed after a stranger's packet came first: the arbitrator gives up what
// is missing, delivers what it holds, and re-anchors there, sink.on_reanchor()). An admitted line
// packet resets those counts, so no packet, nor any number of them, moves a session that is alive.
// Forged packets within the window cannot be told from the feed's: a heartbeat ahead of the stream
// opens a gap the lines then fill, a forged message that comes first wins as any first copy does,
// and forged messages scattered over more ranges than max_ranges force a resync within the window.
//
// Joining. The first packet of line A or B with numbers that exist, messages or a heartbeat,
// anchors the session. Sessions number from 1: a feed joined within the window of its start has a
// gap from 1, re-requested like any other; one joined later starts where it joined, with nothing
// counted missing (it was never ours).
//
// Every loop is bounded by the packet in hand, the buffer's window and the ranges tracked: no
// input makes a call run long.
//
// Thread safety
//   on_packet, on_timer, finish, next_sequence, waiting, open_messages   the driving thread (the feed stage)
//   counters()                                                          any thread
// The sink and the requester are called on the driving thread, from inside on_packet and on_timer,
// and must not call back into the arbitrator.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>

#include "feed/arbitration_config.hpp"
#include "feed/arbitration_counters.hpp"
#include "feed/arbitration_sink.hpp"
#include "feed/gap_ledger.hpp"
#include "feed/gap_tracker.hpp"
#include "feed/line.hpp"
#include "feed/message_buffer.hpp"
#include "feed/moldudp64.hpp"
#include "feed/recovery_scheduler.hpp"
#include "feed/sequence_horizon.hpp"

namespace sentinel::feed {

template <ArbitrationSink Sink, Requester Req>
class LineArbitrator {
public:
    LineArbitrator(Sink& sink, Req& requester, const ArbitrationConfig& config = {},
                   std::pmr::memory_resource* memory = std::pmr::get_default_resource())
        : sink_(sink),
          requester_(requester),
          config_(config),
          buffer_(config.buffer_messages, config.max_message_size, memory),
          reach_(std::min<std::uint64_t>(config.horizon, buffer_.window() - 1)),
          gaps_(config.max_ranges, memory),
          ledger_(config.max_ranges, memory),
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

    // Numbers declared missing whose end is not known yet: 0 once finish() has run.
    std::uint64_t open_messages() const noexcept { return ledger_.open_messages(); }

    // The input has ended (no answer can come any more): gives up whatever is still missing and
    // delivers every held message, as a resync would.
    void finish(std::uint64_t now_ns) noexcept {
        if (next_ < horizon_) resync_to(horizon_, now_ns);
    }

    const ArbitrationCounters& counters() const noexcept { return counters_; }

private:
    // Packets beyond the horizon that agree with each other: a session moved elsewhere, or a hostile sender.
    struct FarStream {
        mold::Session session{};
        std::uint64_t first = 0;  // the band of numbers its packets named
        std::uint64_t end = 0;
        std::uint64_t since_ns = 0;
        std::uint64_t packets = 0;  // 0: none since the last plausible line packet
    };

    bool admit(Line line, const mold::Packet& packet, std::uint64_t now_ns) noexcept;
    void refuse(Line line, Refusal reason, const mold::Packet& packet) noexcept;
    bool far_ahead(Line line, const mold::Packet& packet, std::uint64_t now_ns) noexcept;
    void reanchor(std::uint64_t to, std::uint64_t now_ns) noexcept;
    void arrive(Line line, std::span<const std::byte> message, std::uint64_t sequence, std::uint64_t now_ns) noexcept;
    bool hold(Line line, std::span<const std::byte> message, std::uint64_t sequence, std::uint64_t now_ns) noexcept;
    void reveal(std::uint64_t next, std::uint64_t now_ns) noexcept;
    void service(std::uint64_t now_ns) noexcept;
    bool stalled(const MissingRange& range, std::uint64_t now_ns) const noexcept;
    void resync_to(std::uint64_t target, std::uint64_t now_ns) noexcept;
    void declare(MissingRange& range, std::uint64_t now_ns) noexcept;
    GapLedger::Id declare(std::uint64_t first, std::uint64_t count) noexcept;
    void resolve(GapLedger::Id id, Resolution how, std::uint64_t n) noexcept;
    void deliver(std::span<const std::byte> message, std::uint64_t sequence) noexcept;
    void drain() noexcept;

    ArbitrationCounters counters_;
    Sink& sink_;
    Req& requester_;
    ArbitrationConfig config_;
    MessageBuffer buffer_;
    std::uint64_t reach_;  // the window less one: a packet within it can be held whole
    GapTracker gaps_;  // exactly the numbers in [next_, horizon_) not in buffer_
    GapLedger ledger_;
    RecoveryScheduler scheduler_;
    std::optional<mold::Session> session_;
    FarStream far_;
    std::uint64_t next_ = 1;          // the next sequence number to deliver
    std::uint64_t horizon_ = 1;       // one past the highest number known to exist
    std::uint64_t line_packets_ = 0;  // packets of the session from lines A and B: the tolerance's clock
};

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::on_packet(Line line, std::span<const std::byte> payload, std::uint64_t now_ns) noexcept {
    counters_.add(on_line(ArbitrationCounter::packets_a, line));
    const mold::Packet packet = mold::parse_packet(payload);
    if (!admit(line, packet, now_ns)) return;
    if (line != Line::recovery) {
        ++line_packets_;
        far_.packets = 0;  // the session is alive here
    }
    switch (packet.kind) {
        case mold::PacketKind::messages:
            counters_.add(on_line(ArbitrationCounter::messages_a, line), packet.count);
            if (packet.sequence < next_ && next_ - packet.sequence >= packet.count) {  // the other line's copy: no per-message work
                counters_.add(on_line(ArbitrationCounter::duplicates_a, line), packet.count);
                break;
            }
            if constexpr (requires { sink_.on_packet(packet); }) sink_.on_packet(packet);
            if (packet.sequence == next_ && gaps_.empty()) [[likely]] {
                // The stream in order: nothing is missing, so nothing is held (next_ is the
                // horizon), and each message is the next.
                mold::for_each_message(packet, [&](std::span<const std::byte> message, std::uint64_t sequence) {
                    sink_.on_message(message, sequence);
                });
                counters_.add(ArbitrationCounter::messages, packet.count);
                next_ = horizon_ = packet.sequence + packet.count;  // admit() saw to it that these exist
                break;
            }
            mold::for_each_message(packet, [&](std::span<const std::byte> message, std::uint64_t sequence) {
                if (sequence == next_ && gaps_.empty()) {
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

// Whether the packet's numbers may be used: well-formed, the session's, within the horizon (or
// the far stream it belongs to has just become the session). Anchors the session on the first.
template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::admit(Line line, const mold::Packet& packet, std::uint64_t now_ns) noexcept {
    // A message longer than any the feed sends could not be held: the packet is not the feed's.
    if (packet.kind == mold::PacketKind::malformed || packet.longest > config_.max_message_size) {
        refuse(line, Refusal::malformed, packet);
        return false;
    }
    if (!session_) {
        // Only a line can start a session (an answer nobody asked for cannot), and only with numbers
        // that exist; and an end of session starts none: it belongs to a session that is over.
        if (packet.kind == mold::PacketKind::end_of_session) {
            refuse(line, Refusal::foreign_session, packet);
            return false;
        }
        if (line == Line::recovery || !numbers_exist(packet)) {
            refuse(line, Refusal::implausible, packet);
            return false;
        }
        session_ = packet.session;
        if (packet.sequence - 1 > reach_) next_ = horizon_ = packet.sequence;  // joined late: nothing before is ours
    }
    const bool ours = *session_ == packet.session;
    if (ours && within_horizon(packet, next_, reach_)) return true;  // the window: what can be held
    if (far_ahead(line, packet, now_ns)) return true;
    // The lines flow, even if what they bring is beyond what can be held (a loss wider than the
    // window): the front gap's stall clock counts it.
    if (ours && line != Line::recovery) ++line_packets_;
    refuse(line, ours ? Refusal::implausible : Refusal::foreign_session, packet);
    return false;
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::refuse(Line line, Refusal reason, const mold::Packet& packet) noexcept {
    switch (reason) {
        case Refusal::malformed: counters_.add(on_line(ArbitrationCounter::malformed_packets_a, line)); break;
        case Refusal::foreign_session: counters_.add(on_line(ArbitrationCounter::foreign_session_packets_a, line)); break;
        case Refusal::implausible: counters_.add(on_line(ArbitrationCounter::implausible_packets_a, line)); break;
    }
    sink_.on_refused(RefusedPacket{line, reason, packet.kind, packet.sequence, packet.count, next_});
}

// A packet beyond the window, or of another session: true when it completes a far stream that
// the session now follows (a resync or a re-anchor at it, so that it is used). Answers never do
// (we asked for what lies within the window), nor does an end of session (it ends one).
template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::far_ahead(Line line, const mold::Packet& packet, std::uint64_t now_ns) noexcept {
    if (line == Line::recovery || packet.kind == mold::PacketKind::end_of_session || !numbers_exist(packet))
        return false;
    if (far_.packets != 0 && far_.session == packet.session && within_horizon(packet, far_.end, reach_)) {
        far_.first = std::min(far_.first, packet.sequence);
        far_.end = std::max(far_.end, packet_end(packet));
        ++far_.packets;
    } else {
        far_ = FarStream{packet.session, packet.sequence, packet_end(packet), now_ns, 1};
    }
    // Ahead within the horizon: a loss wider than the window, soon followed. Else: an outage, a
    // new session, or a lie, followed only after seconds.
    const bool wide_loss =
        *session_ == packet.session && packet.sequence > next_ && within_horizon(packet, next_, config_.horizon);
    const std::uint64_t packets = wide_loss ? config_.reorder_packets : config_.reanchor_packets;
    const std::uint64_t ns = wide_loss ? config_.reorder_ns : config_.reanchor_ns;
    if (far_.packets < packets || now_ns - far_.since_ns < ns) return false;
    const std::uint64_t first = far_.first;
    far_ = FarStream{};
    if (wide_loss) {
        counters_.add(ArbitrationCounter::buffer_overflows);
        // Only what lies before the stream is given up: the numbers its earlier packets carried
        // (refused while it was judged) become a gap to re-request, where the window allows.
        if (first > next_) resync_to(first, now_ns);
        if (!within_horizon(packet, next_, reach_)) resync_to(packet.sequence, now_ns);
    } else {
        session_ = packet.session;
        reanchor(packet.sequence, now_ns);
    }
    return true;
}

// Gives up what is missing and delivers what is held, as at the end of the input, then moves the
// session to `to`, forwards or backwards.
template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::reanchor(std::uint64_t to, std::uint64_t now_ns) noexcept {
    finish(now_ns);
    scheduler_.clear();  // what was asked for is of the old numbers
    counters_.add(ArbitrationCounter::reanchors);
    sink_.on_reanchor(next_, to);
    buffer_.clear();  // held copies of the old numbers must not pass for the new ones
    next_ = horizon_ = to;
    far_ = FarStream{};
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
        if (hold(line, message, sequence, now_ns)) return;
        counters_.add(ArbitrationCounter::buffer_overflows);
        resync_to(sequence, now_ns);
    }
    if (sequence < horizon_) {  // the front range's first: it cannot split
        const Filled filled = gaps_.arrive(sequence, now_ns, line_packets_);
        if (filled.arrival == Arrival::declared)
            resolve(filled.gap_id, line == Line::recovery ? Resolution::recovered : Resolution::filled_late, 1);
    }
    deliver(message, sequence);
    drain();
}

// False when there is no room: outside the window, too long, or a range to add or split and no
// record left.
template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::hold(Line line, std::span<const std::byte> message, std::uint64_t sequence,
                                     std::uint64_t now_ns) noexcept {
    if (!buffer_.can_hold(next_, sequence, message.size())) return false;
    if (sequence < horizon_) {
        const Filled filled = gaps_.arrive(sequence, now_ns, line_packets_);
        if (filled.arrival == Arrival::no_room) return false;
        if (filled.arrival == Arrival::declared)
            resolve(filled.gap_id, line == Line::recovery ? Resolution::recovered : Resolution::filled_late, 1);
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

// A heartbeat or end of session: `next` is the next number the server sends. With no range record
// left it tells nothing worth a resync (it carries no message): the numbers come to light anyway
// with the next message after them.
template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::reveal(std::uint64_t next, std::uint64_t now_ns) noexcept {
    if (next <= horizon_ || gaps_.full()) return;
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
    while (!gaps_.empty() && gaps_.front().gap && stalled(gaps_.front(), now_ns)) resync_to(gaps_.front().end, now_ns);
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
        GapLedger::Id id;
        if (next_ < horizon_) {  // the front range starts at next_
            MissingRange& front = gaps_.front();
            if (!front.gap) declare(front, now_ns);
            end = std::min(front.end, target);
            id = front.gap_id;
            gaps_.trim_front(end);
        } else {  // past the horizon: never seen, so never declared
            id = declare(next_, end - next_);
        }
        sink_.on_unrecoverable(next_, end - next_);
        resolve(id, Resolution::unrecoverable, end - next_);
        next_ = end;
    }
    drain();
}

// A declared gap is given up once none of it has arrived for recovery_timeout_ns while the lines
// brought reorder_packets packets: they flow, and this is not among what they bring. With the
// lines silent (a quiet feed, or our own RX held up by a busy CPU: what is on its way has not been
// read yet) it waits ten times as long.
template <ArbitrationSink Sink, Requester Req>
bool LineArbitrator<Sink, Req>::stalled(const MissingRange& range, std::uint64_t now_ns) const noexcept {
    const std::uint64_t waited = now_ns - range.stalled_ns;
    if (waited < config_.recovery_timeout_ns) return false;
    return line_packets_ - range.stalled_packet >= config_.reorder_packets ||
           waited / 10 >= config_.recovery_timeout_ns;
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::declare(MissingRange& range, std::uint64_t now_ns) noexcept {
    range.gap = true;
    range.stalled_ns = now_ns;
    range.stalled_packet = line_packets_;
    range.gap_id = declare(range.first, range.size());
}

template <ArbitrationSink Sink, Requester Req>
GapLedger::Id LineArbitrator<Sink, Req>::declare(std::uint64_t first, std::uint64_t count) noexcept {
    counters_.add(ArbitrationCounter::gaps);
    counters_.add(ArbitrationCounter::missing_messages, count);
    sink_.on_gap(first, count);
    return ledger_.open(counters_.get(ArbitrationCounter::gaps), first, count);
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::resolve(GapLedger::Id id, Resolution how, std::uint64_t n) noexcept {
    switch (how) {
        case Resolution::recovered: counters_.add(ArbitrationCounter::recovered_messages, n); break;
        case Resolution::filled_late: counters_.add(ArbitrationCounter::filled_late_messages, n); break;
        case Resolution::unrecoverable: counters_.add(ArbitrationCounter::unrecoverable_messages, n); break;
    }
    if (ledger_.resolve(id, how, n)) sink_.on_gap_closed(ledger_.record(id));
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::deliver(std::span<const std::byte> message, std::uint64_t sequence) noexcept {
    sink_.on_message(message, sequence);
    counters_.add(ArbitrationCounter::messages);
    next_ = sequence + 1;  // admit() saw to it that this exists
}

template <ArbitrationSink Sink, Requester Req>
void LineArbitrator<Sink, Req>::drain() noexcept {
    while (next_ < horizon_ && buffer_.holds(next_)) deliver(buffer_.message(next_), next_);
    horizon_ = std::max(horizon_, next_);
}

}  // namespace sentinel::feed
