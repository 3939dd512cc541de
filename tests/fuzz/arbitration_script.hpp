#pragma once
// Script: arbitration_fuzz's input, decoded into steps: which line a packet comes on (or a timer
// tick), how much time passes first, and the packet. make_regression_corpus.py writes this format.
//
//   byte 0        the configuration: preset(), four tiny ones, so capacities and timers are reached
//   then steps, each an op byte and the fields it asks for:
//   op bits 0-1   line: 0 A, 1 B, 2 recovery; 3 no packet, on_timer() only
//   op bits 2-4   time passing first: 0 none, 1 u8 ns, 2 reorder_ns, 3 retry_ns,
//                 4 recovery_timeout_ns, 5 u16 x 64 ns, 6 u64 ns (saturating), 7 reanchor_ns
//   op bits 5-7   the packet:
//     0     the line's next packet in order: u8 -> 1 + u8 % 4 messages (recovery: answers the
//           oldest re-request not yet answered, at most that many)
//     1, 7  built: session u8, sequence u8 (+ its fields), count u8, then per message a kind u8 (+ fields)
//     2     built, every message the exchange's own for its number (no per-message bytes)
//     3     a heartbeat naming the line's next number
//     4     raw bytes: u16 length (% 2048), then the bytes
//     5     a packet sent before (u8 picks one of the last 16), now on this line
//     6     the line skips ahead (u8 < 0xC0: 1 to 16 numbers; else a jump: kJumps), then as 0
//
//   built: session u8 % 4: 0, 1 the session, 2 another, 3 the ten bytes that follow.
//          sequence u8 % 16: choose_sequence(). count: 0 heartbeat, 1 end of session,
//          2..0xEF 1 + (c - 2) % 8 messages, 0xF0.. 1 + u8 % 64 messages.
//          message kind u8 % 8: 0-2 the exchange's own, 3 add (locate, ref, side, shares, price:
//          u8 each), 4 delete (ref u8), 5 directory (locate u8), 6 empty, 7 raw (length u8, bytes).
//
// Lines A and B each send the exchange's stream (canonical_message) from their own cursor, so
// most steps look like a feed: the lines drift, lose packets, jump; the fields then pick the
// hostile values (sequence 0, 2^63, 2^64 - 1, the horizon's and the buffer's edges).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include "arbitration_input.hpp"
#include "feed/arbitration_config.hpp"
#include "feed/line.hpp"
#include "feed/moldudp64.hpp"

namespace sentinel::feed::fuzz {

inline constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// Small enough that every capacity and timer is reached within a few steps.
inline ArbitrationConfig preset(std::uint8_t pick) {
    ArbitrationConfig c;
    switch (pick % 4) {
        case 0:  // the shape of the appliance's, shrunk
            c.reorder_packets = 4;
            c.reorder_ns = 1'000;
            c.max_request = 8;
            c.max_in_flight = 2;
            c.retry_ns = 3'000;
            c.recovery_timeout_ns = 10'000;
            c.horizon = 256;
            c.reanchor_packets = 3;
            c.reanchor_ns = 5'000;
            c.buffer_messages = 64;
            c.max_message_size = 64;
            c.max_ranges = 4;
            break;
        case 1:  // everything at its smallest: one range, one request, any far packet re-anchors
            c.reorder_packets = 1;
            c.reorder_ns = 100;
            c.max_request = 1;
            c.max_in_flight = 1;
            c.retry_ns = 500;
            c.recovery_timeout_ns = 2'000;
            c.horizon = 64;
            c.reanchor_packets = 1;
            c.reanchor_ns = 0;
            c.buffer_messages = 16;
            c.max_message_size = 40;
            c.max_ranges = 1;
            break;
        case 2:  // the default horizon, tolerance by time only, requests uncapped
            c.reorder_packets = 1'000'000;
            c.reorder_ns = 2'000;
            c.max_request = 0xFFFF;
            c.max_in_flight = 2;
            c.retry_ns = 1'000;
            c.recovery_timeout_ns = 50'000;
            c.reanchor_packets = 8;
            c.reanchor_ns = 100'000;
            c.buffer_messages = 64;
            c.max_message_size = 64;
            c.max_ranges = 8;
            break;
        default:  // the default horizon and a quick tolerance: wide losses of up to 2^20 followed
            c.reorder_packets = 2;
            c.reorder_ns = 1'000;
            c.max_request = 0xFFFF;
            c.max_in_flight = 2;
            c.retry_ns = 1'000;
            c.recovery_timeout_ns = 20'000;
            c.reanchor_packets = 4;
            c.reanchor_ns = 50'000;
            c.buffer_messages = 32;
            c.max_message_size = 64;
            c.max_ranges = 8;
            break;
    }
    return c;
}

struct Step {
    std::optional<Line> line;  // none: on_timer() only
    std::uint64_t wait_ns = 0;
    Bytes payload;
};

class Script {
public:
    Script(const ArbitrationConfig& config, std::uint64_t buffer_capacity)
        : config_(config), capacity_(buffer_capacity) {}

    // The next step. `next` and `high` are where the session stands (the next number to deliver,
    // one past the highest known to exist), for the fields that aim near them.
    Step step(Reader& in, std::uint64_t next, std::uint64_t high) {
        next_ = next;
        high_ = high;
        const std::uint8_t op = in.u8();
        Step s;
        s.wait_ns = wait((op >> 2) & 7, in);
        if ((op & 3) == 3) return s;
        s.line = static_cast<Line>(op & 3);
        s.payload = packet(*s.line, op >> 5, in);
        if (history_.size() == kHistory) history_.pop_front();
        history_.push_back(s.payload);
        return s;
    }

    // A re-request the arbitrator sent: the recovery line answers it, oldest first.
    void requested(const mold::Session& session, std::uint64_t first, std::uint64_t count) {
        if (pending_.size() == kMaxPending) pending_.pop_front();
        pending_.push_back({session, first, count});
    }

private:
    static constexpr std::size_t kHistory = 16;
    static constexpr std::size_t kMaxPending = 64;

    struct Pending {
        mold::Session session;
        std::uint64_t first;
        std::uint64_t count;
    };

    std::uint64_t wait(unsigned kind, Reader& in) {
        switch (kind) {
            case 0: return 0;
            case 1: return in.u8();
            case 2: return config_.reorder_ns;
            case 3: return config_.retry_ns;
            case 4: return config_.recovery_timeout_ns;
            case 5: return in.be(2) * 64;
            case 6: return in.be(8);
            default: return config_.reanchor_ns;
        }
    }

    Bytes packet(Line line, unsigned what, Reader& in) {
        switch (what) {
            case 0: return in_order(line, 1 + in.u8() % 4);
            case 2: return built(line, in, true);
            case 3: return mold_packet(kSession, line == Line::recovery ? next_ : cursor(line), 0, {});
            case 4: return in.bytes(in.be(2) % 2048);
            case 5: return history_.empty() ? Bytes{} : history_[in.u8() % history_.size()];
            case 6: skip(line, in.u8()); return in_order(line, 1 + in.u8() % 4);
            default: return built(line, in, false);
        }
    }

    std::uint64_t& cursor(Line line) { return cursor_[line == Line::b ? 1 : 0]; }

    // The recovery line answers as servers do: from the first number asked for, capped.
    Bytes in_order(Line line, std::uint64_t n) {
        if (line == Line::recovery) {
            if (pending_.empty()) return mold_packet(kSession, next_, 0, {});
            Pending& r = pending_.front();
            n = std::min(n, r.count);
            const Bytes answer = mold_packet(r.session, r.first, static_cast<std::uint16_t>(n), canonical(r.first, n));
            r.first += n;
            r.count -= n;
            if (r.count == 0) pending_.pop_front();
            return answer;
        }
        std::uint64_t& at = cursor(line);
        const Bytes p = mold_packet(kSession, at, static_cast<std::uint16_t>(n), canonical(at, n));
        at += n;
        return p;
    }

    static std::vector<Bytes> canonical(std::uint64_t first, std::uint64_t n) {
        std::vector<Bytes> out;
        for (std::uint64_t i = 0; i < n; ++i) out.push_back(canonical_message(first + i));
        return out;
    }

    // A line that lost packets, or whose stream moved: an outage past the horizon, a restart from 1.
    void skip(Line line, std::uint8_t k) {
        if (line == Line::recovery) return;
        std::uint64_t& at = cursor(line);
        const std::uint64_t h = config_.horizon;
        if (k < 0xC0) {
            at += 1 + k % 16;
            return;
        }
        const std::array<std::uint64_t, 6> kJumps{h - 1, h, h + 1, 2 * h, std::uint64_t{1} << 32, capacity_};
        switch (k % 8) {
            case 6: at = 1; break;
            case 7: at = std::uint64_t{1} << 63; break;
            default: at += kJumps[k % 8]; break;
        }
    }

    Bytes built(Line line, Reader& in, bool canonical_only) {
        const std::uint8_t s = in.u8();
        SessionId session = kSession;
        if (s % 4 == 2) session = session_named("SESSION002");
        if (s % 4 == 3) {
            const Bytes raw = in.bytes(session.size());
            std::copy(raw.begin(), raw.end(), session.begin());
        }
        const std::uint64_t sequence = choose_sequence(line, in);
        const std::uint8_t c = in.u8();
        if (c <= 1) return mold_packet(session, sequence, c == 0 ? 0 : mold::kEndOfSessionCount, {});
        const std::uint64_t n = c < 0xF0 ? 1 + (c - 2) % 8 : 1 + in.u8() % 64;
        std::vector<Bytes> messages;
        for (std::uint64_t i = 0; i < n; ++i)
            messages.push_back(canonical_only ? canonical_message(sequence + i) : message(sequence + i, in));
        return mold_packet(session, sequence, static_cast<std::uint16_t>(n), messages);
    }

    // Near what the session expects, at the horizon's and the buffer's edges, or anywhere in 64 bits.
    std::uint64_t choose_sequence(Line line, Reader& in) {
        const std::uint8_t mode = in.u8();
        const std::uint64_t h = config_.horizon;
        const auto near = [&] { return static_cast<std::uint64_t>(static_cast<std::int8_t>(in.u8())); };
        static constexpr std::array<std::uint64_t, 12> kSpecial{
            0, 1, 2, std::uint64_t{1} << 63, (std::uint64_t{1} << 63) - 1, (std::uint64_t{1} << 63) + 1,
            kMax, kMax - 1, std::uint64_t{1} << 32, std::uint64_t{1} << 40, 0xFFFF, kMax - 0xFFFE};
        switch (mode % 16) {
            case 1: return high_ + near();
            case 2: return (line == Line::recovery ? next_ : cursor(line)) + near();
            case 3: return in.be(8);
            case 4: return kSpecial[in.u8() % kSpecial.size()];
            case 5: return next_ + capacity_ + near();
            case 6: return kMax - in.u8();
            case 7: return next_ + in.be(4);
            case 8: return next_ + h + near();
            case 9: return high_ + h + near();
            case 10: return next_ - h + near();
            case 11: return next_ - in.u8();
            default: return next_ + near();
        }
    }

    static Bytes message(std::uint64_t sequence, Reader& in) {
        switch (in.u8() % 8) {
            case 3: {
                const auto locate = static_cast<std::uint16_t>(1 + in.u8() % 4);
                const std::uint64_t ref = in.u8();
                const char side = in.u8() % 2 == 0 ? 'B' : 'S';
                const std::uint32_t shares = in.u8();
                const std::uint32_t price = 9'000 + 100u * in.u8();
                return itch_message::add(locate, ref, side, shares, price, sequence);
            }
            case 4: return itch_message::remove(1, in.u8(), sequence);
            case 5: return itch_message::directory(static_cast<std::uint16_t>(1 + in.u8() % 4), "FUZZED", sequence);
            case 6: return {};
            case 7: return in.bytes(in.u8());
            default: return canonical_message(sequence);
        }
    }

    static inline const SessionId kSession = session_named("SESSION001");

    const ArbitrationConfig config_;
    const std::uint64_t capacity_;
    std::uint64_t next_ = 1;
    std::uint64_t high_ = 1;
    std::array<std::uint64_t, 2> cursor_{1, 1};  // lines A and B: the next number each sends
    std::deque<Pending> pending_;                // re-requests the recovery line has not answered
    std::deque<Bytes> history_;
};

}  // namespace sentinel::feed::fuzz
