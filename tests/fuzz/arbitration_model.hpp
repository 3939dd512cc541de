#pragma once
// ArbitrationModel: what the line arbitrator must do with each step, written from its rules
// (line_arbitrator.hpp, sequence_horizon.hpp, gap_tracker.hpp, arbitration_config.hpp) with plain
// containers and 128-bit arithmetic, for arbitration_fuzz to hold the real one to. It predicts
// every callback but the re-requests (their schedule is the RecoveryScheduler's: the harness checks
// that each lies within a declared range) and every counter but rerequests and rerequest_retries.
//
//   reach        min(horizon, window - 1), window = bit_ceil(buffer_messages): what can be held
//   malformed    blocks that do not tile the payload, or a message longer than max_message_size
//   anchoring    no session yet: an end of session is foreign; the recovery line, or numbers that
//                do not exist (sequence 0, past 2^64 - 1), implausible; anything else anchors the
//                session (joined more than reach + 1 in: next = horizon = its sequence)
//   admitted     the session's, and every number it names within reach of next (a heartbeat's or
//                an end of session's: up to the one it announces)
//   far stream   anything else from line A or B whose numbers exist, an end of session excepted:
//                it continues the far stream when of its session and within reach of its end,
//                else starts a new one. Ours, ahead of next and within `horizon` of it (a wide
//                loss): followed after reorder_packets and reorder_ns, as a resync to it (a
//                buffer overflow). Else (beyond the horizon, behind, another session): after
//                reanchor_packets and reanchor_ns, as a re-anchor of the session at it. The packet
//                that completes it is used, not refused; an admitted line packet ends the stream.
//   line clock   admitted line packets, and refused line packets of the session, count
//   ranges       the missing numbers in [next, horizon), in ranges that appear at the top, split
//                when a number in their middle arrives (not with max_ranges already tracked: a
//                resync to it), each declared a gap once reorder_packets line packets or
//                reorder_ns old; a heartbeat with max_ranges tracked reveals nothing
//   stalled      the front gap, none of whose part arrived for recovery_timeout_ns while the lines
//                brought reorder_packets packets, or for 10 x recovery_timeout_ns: given up. An
//                arrival restarts the clock of every part of its gap
//
// Thread safety: one thread.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "arbitration_events.hpp"
#include "arbitration_input.hpp"
#include "feed/arbitration_config.hpp"
#include "feed/arbitration_counters.hpp"
#include "feed/gap_ledger.hpp"
#include "feed/line.hpp"
#include "feed/moldudp64.hpp"

namespace sentinel::feed::fuzz {

class ArbitrationModel {
public:
    using u128 = unsigned __int128;
    using Counters = std::array<std::uint64_t, kArbitrationCounterCount>;

    explicit ArbitrationModel(const ArbitrationConfig& config)
        : config_(config),
          window_(std::bit_ceil(config.buffer_messages == 0 ? std::size_t{1} : config.buffer_messages)),
          reach_(std::min<std::uint64_t>(config.horizon, window_ - 1)),
          max_ranges_(config.max_ranges == 0 ? 1 : config.max_ranges) {}

    // One packet from `line` at `now`: the callbacks it must cause, re-requests aside, into `out`.
    void on_packet(Line line, const Parsed& p, std::uint64_t now, Recorder& out) {
        out_ = &out;
        now_ = now;
        add(on_line(ArbitrationCounter::packets_a, line));
        if (admit(line, p)) use(line, p);
    }

    void on_timer(std::uint64_t now, Recorder& out) {
        out_ = &out;
        now_ = now;
        if (!ranges_.empty()) service();
    }

    void finish(std::uint64_t now, Recorder& out) {
        out_ = &out;
        now_ = now;
        if (next_ < horizon_) resync_to(horizon_);
    }

    const Counters& counters() const { return counters_; }
    std::uint64_t get(ArbitrationCounter k) const { return counters_[static_cast<std::size_t>(k)]; }
    const std::optional<SessionId>& session() const { return session_; }
    std::uint64_t next() const { return next_; }
    std::uint64_t horizon() const { return horizon_; }
    std::uint64_t held() const { return held_.size(); }
    std::uint64_t window() const { return window_; }
    bool waiting() const { return !ranges_.empty(); }
    // What the session has shown, summed over re-anchors: nothing beyond it can be missing.
    std::uint64_t shown() const { return shown_; }

    std::uint64_t open_messages() const {
        std::uint64_t open = 0;
        for (const GapRecord& r : ledger_) open += r.open();
        return open;
    }

    // Whether [first, first + count) lies within one declared gap's range: what a re-request may ask.
    bool within_declared(std::uint64_t first, std::uint64_t count) const {
        return std::any_of(ranges_.begin(), ranges_.end(), [&](const Range& r) {
            return r.gap != 0 && r.first <= first && u128{first} + count <= r.end;
        });
    }

private:
    struct Range {
        std::uint64_t first, end;
        std::uint64_t found_ns, found_packet;  // the tolerance's clock
        std::uint64_t quiet_ns, quiet_packet;  // declared: the stall clock, restarted by arrivals
        std::uint64_t gap = 0;                 // its gap's number; 0 while not declared
    };

    struct Far {
        SessionId session{};
        std::uint64_t first = 0;
        std::uint64_t end = 0;
        std::uint64_t since_ns = 0;
        std::uint64_t packets = 0;
    };

    // Every number `p` names within `distance` of `from`, none past 2^64 - 1, none 0.
    static bool within(const Parsed& p, std::uint64_t from, std::uint64_t distance) {
        return p.numbers_exist() && u128{p.sequence} + distance >= from && u128{p.end()} <= u128{from} + distance;
    }

    void add(ArbitrationCounter k, std::uint64_t n = 1) { counters_[static_cast<std::size_t>(k)] += n; }

    bool admit(Line line, const Parsed& p) {
        if (p.kind == mold::PacketKind::malformed || p.longest() > config_.max_message_size)
            return refuse(line, Refusal::malformed, p);
        if (!session_) {
            if (p.kind == mold::PacketKind::end_of_session) return refuse(line, Refusal::foreign_session, p);
            if (line == Line::recovery || !p.numbers_exist()) return refuse(line, Refusal::implausible, p);
            session_ = p.session;
            if (p.sequence > u128{reach_} + 1) move_to(p.sequence);
        }
        const bool ours = p.session == *session_;
        if (ours && within(p, next_, reach_)) return true;
        if (follow(line, p)) return true;
        if (ours && line != Line::recovery) ++line_packets_;
        return refuse(line, ours ? Refusal::implausible : Refusal::foreign_session, p);
    }

    bool refuse(Line line, Refusal reason, const Parsed& p) {
        add(on_line(reason == Refusal::malformed         ? ArbitrationCounter::malformed_packets_a
                    : reason == Refusal::foreign_session ? ArbitrationCounter::foreign_session_packets_a
                                                         : ArbitrationCounter::implausible_packets_a,
                    line));
        const auto count = static_cast<std::uint16_t>(p.kind == mold::PacketKind::messages ? p.count() : 0);
        Event e{Kind::refused};
        e.refused = RefusedPacket{line, reason, p.kind, p.sequence, count, next_};
        out_->add(e);
        return false;
    }

    // True when `p` completes a far stream, now followed (a resync or a re-anchor at it).
    bool follow(Line line, const Parsed& p) {
        if (line == Line::recovery || p.kind == mold::PacketKind::end_of_session || !p.numbers_exist()) return false;
        if (far_.packets != 0 && far_.session == p.session && within(p, far_.end, reach_)) {
            far_.first = std::min(far_.first, p.sequence);
            far_.end = std::max(far_.end, p.end());
            ++far_.packets;
        } else {
            far_ = Far{p.session, p.sequence, p.end(), now_, 1};
        }
        const bool wide_loss = p.session == *session_ && p.sequence > next_ && within(p, next_, config_.horizon);
        const std::uint64_t packets = wide_loss ? config_.reorder_packets : config_.reanchor_packets;
        const std::uint64_t ns = wide_loss ? config_.reorder_ns : config_.reanchor_ns;
        if (far_.packets < packets || now_ - far_.since_ns < ns) return false;
        if (wide_loss) {
            add(ArbitrationCounter::buffer_overflows);
            if (far_.first > next_) resync_to(far_.first);  // what the stream carried before is re-requested
            if (!within(p, next_, reach_)) resync_to(p.sequence);
        } else {
            if (next_ < horizon_) resync_to(horizon_);
            add(ArbitrationCounter::reanchors);
            out_->add({Kind::reanchor, next_, p.sequence});
            session_ = p.session;
            held_.clear();
            move_to(p.sequence);
        }
        far_ = Far{};
        return true;
    }

    // A new start with nothing missing or held: joining, or a re-anchor.
    void move_to(std::uint64_t sequence) { next_ = horizon_ = sequence; }

    void use(Line line, const Parsed& p) {
        if (line != Line::recovery) {
            ++line_packets_;
            far_.packets = 0;
        }
        switch (p.kind) {
            case mold::PacketKind::messages:
                add(on_line(ArbitrationCounter::messages_a, line), p.count());
                for (std::uint64_t i = 0; i < p.count(); ++i) arrive(line, p.messages[i], p.sequence + i);
                break;
            case mold::PacketKind::end_of_session:
                counters_[static_cast<std::size_t>(ArbitrationCounter::session_ended)] = 1;
                reveal(p.sequence);
                break;
            case mold::PacketKind::heartbeat: reveal(p.sequence); break;
            case mold::PacketKind::malformed: break;
        }
        if (!ranges_.empty()) service();
    }

    void arrive(Line line, const Bytes& message, std::uint64_t sequence) {
        if (sequence < next_ || held_.contains(sequence)) {
            add(on_line(ArbitrationCounter::duplicates_a, line));
            return;
        }
        if (sequence > next_) {
            if (hold(line, message, sequence)) return;
            add(ArbitrationCounter::buffer_overflows);
            resync_to(sequence);
        }
        if (sequence < horizon_) check(fill(line, sequence));  // the front range's first: no split
        deliver(sequence, message);
        drain();
    }

    bool hold(Line line, const Bytes& message, std::uint64_t sequence) {
        if (sequence - next_ >= window_ || message.size() > config_.max_message_size) return false;
        if (sequence < horizon_) {
            if (!fill(line, sequence)) return false;
        } else {
            if (sequence > horizon_) {
                if (ranges_.size() == max_ranges_) return false;
                found(sequence);
            }
            raise_horizon(sequence + 1);
        }
        held_.emplace(sequence, message);
        return true;
    }

    // `sequence`, missing, arrived from `line`; false when that would split a range with none left.
    bool fill(Line line, std::uint64_t sequence) {
        const auto at = std::find_if(ranges_.begin(), ranges_.end(),
                                     [&](const Range& r) { return r.first <= sequence && sequence < r.end; });
        check(at != ranges_.end());
        const std::uint64_t gap = at->gap;
        if (sequence == at->first) {
            if (++at->first == at->end) ranges_.erase(at);
        } else if (sequence + 1 == at->end) {
            at->end = sequence;
        } else {
            if (ranges_.size() == max_ranges_) return false;
            Range after = *at;
            after.first = sequence + 1;
            at->end = sequence;
            ranges_.insert(at + 1, after);
        }
        if (gap == 0) return true;
        for (Range& r : ranges_) {
            if (r.gap != gap) continue;
            r.quiet_ns = now_;
            r.quiet_packet = line_packets_;
        }
        resolve(gap, line == Line::recovery ? Resolution::recovered : Resolution::filled_late, 1);
        return true;
    }

    // [horizon, end) is missing: a new range at the top.
    void found(std::uint64_t end) {
        ranges_.push_back(Range{horizon_, end, now_, line_packets_, 0, 0, 0});
    }

    void raise_horizon(std::uint64_t to) {
        if (to <= horizon_) return;
        shown_ += to - horizon_;
        horizon_ = to;
    }

    void reveal(std::uint64_t next) {
        if (next <= horizon_ || ranges_.size() == max_ranges_) return;
        found(next);
        raise_horizon(next);
    }

    void service() {
        for (Range& r : ranges_) {
            const bool old = line_packets_ - r.found_packet >= config_.reorder_packets ||
                             now_ - r.found_ns >= config_.reorder_ns;
            if (r.gap == 0 && old) declare(r);
        }
        while (!ranges_.empty() && ranges_.front().gap != 0 && stalled(ranges_.front())) resync_to(ranges_.front().end);
    }

    bool stalled(const Range& r) const {
        const std::uint64_t quiet = now_ - r.quiet_ns;
        if (quiet < config_.recovery_timeout_ns) return false;
        return line_packets_ - r.quiet_packet >= config_.reorder_packets ||
               u128{quiet} >= u128{config_.recovery_timeout_ns} * 10;
    }

    void declare(Range& r) {
        r.gap = open_gap(r.first, r.end - r.first);
        r.quiet_ns = now_;
        r.quiet_packet = line_packets_;
    }

    std::uint64_t open_gap(std::uint64_t first, std::uint64_t count) {
        add(ArbitrationCounter::gaps);
        add(ArbitrationCounter::missing_messages, count);
        out_->add({Kind::gap, first, count});
        ledger_.push_back(GapRecord{ledger_.size() + 1, first, count, 0, 0, 0});
        return ledger_.size();
    }

    void resolve(std::uint64_t gap, Resolution how, std::uint64_t n) {
        GapRecord& r = ledger_[gap - 1];
        check(n <= r.open());
        switch (how) {
            case Resolution::recovered:
                add(ArbitrationCounter::recovered_messages, n);
                r.recovered += n;
                break;
            case Resolution::filled_late:
                add(ArbitrationCounter::filled_late_messages, n);
                r.filled_late += n;
                break;
            case Resolution::unrecoverable:
                add(ArbitrationCounter::unrecoverable_messages, n);
                r.unrecoverable += n;
                break;
        }
        if (r.open() == 0) out_->add({Kind::gap_closed, 0, 0, r});
    }

    // Gives up every missing number below `target`, delivering the held ones among them in order.
    void resync_to(std::uint64_t target) {
        add(ArbitrationCounter::resyncs);
        while (next_ < target) {
            if (const auto held = held_.find(next_); held != held_.end()) {
                deliver(next_, held->second);
                continue;
            }
            std::uint64_t end = target;
            std::uint64_t gap = 0;
            if (next_ < horizon_) {
                Range& front = ranges_.front();
                check(front.first == next_);
                if (front.gap == 0) declare(front);
                gap = front.gap;
                end = std::min(front.end, target);
                if (end == front.end) {
                    ranges_.erase(ranges_.begin());
                } else {
                    front.first = end;
                }
            } else {
                gap = open_gap(next_, end - next_);
            }
            out_->add({Kind::unrecoverable, next_, end - next_});
            resolve(gap, Resolution::unrecoverable, end - next_);
            next_ = end;
        }
        drain();
    }

    void deliver(std::uint64_t sequence, const Bytes& message) {
        check(sequence == next_ && sequence != std::numeric_limits<std::uint64_t>::max());
        out_->add({Kind::message, sequence, out_->bytes.size()});
        out_->bytes.push_back(message);
        add(ArbitrationCounter::messages);
        held_.erase(sequence);  // after the copy: `message` may be the held one
        next_ = sequence + 1;
    }

    void drain() {
        for (auto held = held_.find(next_); held != held_.end(); held = held_.find(next_)) deliver(next_, held->second);
        raise_horizon(next_);
    }

    const ArbitrationConfig config_;
    const std::uint64_t window_;
    const std::uint64_t reach_;
    const std::size_t max_ranges_;

    Recorder* out_ = nullptr;
    std::uint64_t now_ = 0;
    Counters counters_{};
    std::optional<SessionId> session_;
    std::uint64_t next_ = 1;     // the next number to deliver
    std::uint64_t horizon_ = 1;  // one past the highest known to exist
    std::uint64_t shown_ = 0;
    std::map<std::uint64_t, Bytes> held_;  // the first copy of each number in [next, horizon) not missing
    std::vector<Range> ranges_;            // the rest of [next, horizon), in order
    std::vector<GapRecord> ledger_;        // every gap declared, by number - 1
    Far far_;
    std::uint64_t line_packets_ = 0;
};

}  // namespace sentinel::feed::fuzz
