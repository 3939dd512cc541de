#pragma once
// MoldUDP64 packets, a recording sink and a re-request server for the line arbitrator's tests. The
// packets are built byte by byte from the spec's layout, with nothing from lib/feed: a parser that
// misreads a field cannot agree with them by construction.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

#include "feed/line_arbitrator.hpp"

namespace sentinel::feed::test {

using Bytes = std::vector<std::byte>;

inline constexpr std::string_view kSession = "SESSION001";

inline void put_be(Bytes& out, std::uint64_t v, int size) {
    for (int i = size - 1; i >= 0; --i) out.push_back(std::byte(v >> (8 * i) & 0xFF));
}

inline Bytes header(std::string_view session, std::uint64_t sequence, std::uint16_t count) {
    Bytes b;
    for (std::size_t i = 0; i < 10; ++i) b.push_back(std::byte(i < session.size() ? session[i] : ' '));
    put_be(b, sequence, 8);
    put_be(b, count, 2);
    return b;
}

inline Bytes heartbeat(std::uint64_t next, std::string_view session = kSession) { return header(session, next, 0); }
inline Bytes end_of_session(std::uint64_t next, std::string_view session = kSession) {
    return header(session, next, 0xFFFF);
}

inline mold::Session session_of(std::string_view name) {
    mold::Session s;
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = std::byte(i < name.size() ? name[i] : ' ');
    return s;
}

// Messages 1..count, each different: 'T', its sequence number (u64), and 0 to 4 bytes of filler.
class Stream {
public:
    explicit Stream(std::uint64_t count) : messages_(count) {
        for (std::uint64_t s = 1; s <= count; ++s) {
            Bytes& m = messages_[s - 1];
            m.push_back(std::byte{'T'});
            put_be(m, s, 8);
            m.insert(m.end(), s % 5, std::byte(s & 0xFF));
        }
    }

    std::uint64_t size() const { return messages_.size(); }
    std::span<const std::byte> message(std::uint64_t sequence) const { return messages_[sequence - 1]; }

    // Messages [first, first + count), clipped to the stream's end.
    Bytes packet(std::uint64_t first, std::uint64_t count, std::string_view session = kSession) const {
        count = std::min(count, size() + 1 - first);
        Bytes b = header(session, first, static_cast<std::uint16_t>(count));
        for (std::uint64_t s = first; s < first + count; ++s) {
            put_be(b, message(s).size(), 2);
            b.insert(b.end(), message(s).begin(), message(s).end());
        }
        return b;
    }

private:
    std::vector<Bytes> messages_;
};

// Everything the arbitrator told its sink, in order.
struct RecordingSink {
    enum class Kind { message, gap, unrecoverable };
    struct Event {
        Kind kind;
        std::uint64_t sequence;
        std::uint64_t count;  // 1 for a message
        bool operator==(const Event&) const = default;
    };

    void on_message(std::span<const std::byte> message, std::uint64_t sequence) {
        events.push_back({Kind::message, sequence, 1});
        bytes.emplace_back(message.begin(), message.end());
    }
    void on_gap(std::uint64_t first, std::uint64_t count) { events.push_back({Kind::gap, first, count}); }
    void on_unrecoverable(std::uint64_t first, std::uint64_t count) {
        events.push_back({Kind::unrecoverable, first, count});
    }
    // Kept apart from `events`: the order of messages, gaps and give-ups is what most tests check.
    void on_gap_closed(const GapRecord& record) { closed.push_back(record); }
    void on_refused(const RefusedPacket& packet) { refused.push_back(packet); }
    void on_reanchor(std::uint64_t from, std::uint64_t to) { reanchors.push_back({from, to}); }

    std::vector<std::uint64_t> delivered() const {
        std::vector<std::uint64_t> out;
        for (const Event& e : events)
            if (e.kind == Kind::message) out.push_back(e.sequence);
        return out;
    }
    std::vector<Event> of(Kind kind) const {
        std::vector<Event> out;
        for (const Event& e : events)
            if (e.kind == kind) out.push_back(e);
        return out;
    }

    std::vector<Event> events;
    std::vector<Bytes> bytes;  // each delivered message's bytes, in delivery order
    std::vector<GapRecord> closed;
    std::vector<RefusedPacket> refused;
    struct Reanchor {
        std::uint64_t from, to;
        bool operator==(const Reanchor&) const = default;
    };
    std::vector<Reanchor> reanchors;
};

// The re-request server: keeps the requests it has not answered, and answers one at a time from
// the stream, at most `cap` messages an answer (real servers cap theirs too).
class FakeServer {
public:
    FakeServer(const Stream& stream, std::uint16_t cap) : stream_(stream), cap_(cap) {}

    void send(const mold::Request& request) {
        requests.push_back(request);
        pending_.push_back(request);
        most_pending = std::max(most_pending, pending_.size());
    }

    std::size_t pending() const { return pending_.size(); }

    // Answers (or loses, while lose_answers > 0) the oldest pending request. False when none is.
    template <class Arbitrator>
    bool answer(Arbitrator& arbitrator, std::uint64_t now_ns) {
        if (pending_.empty()) return false;
        const mold::Request r = pending_.front();
        pending_.pop_front();
        if (lose_answers > 0) {
            --lose_answers;
            return true;
        }
        const std::string_view session(reinterpret_cast<const char*>(r.session.data()), r.session.size());
        const Bytes answer = stream_.packet(r.sequence, std::min(r.count, cap_), session);
        arbitrator.on_packet(Line::recovery, answer, now_ns);
        return true;
    }

    std::vector<mold::Request> requests;  // every request received, retries included
    std::size_t most_pending = 0;         // the most requests unanswered at once
    int lose_answers = 0;

private:
    const Stream& stream_;
    std::uint16_t cap_;
    std::deque<mold::Request> pending_;
};

// A stream of `messages`, the arbitrator under test, its recording sink and a re-request server;
// `now` moves only when a test waits.
struct ArbitrationRig {
    ArbitrationRig(const ArbitrationConfig& config, std::uint64_t messages, std::uint16_t server_cap)
        : stream(messages), server(stream, server_cap), arbitrator(sink, server, config) {}

    void on(Line line, std::uint64_t first, std::uint64_t count) {
        arbitrator.on_packet(line, stream.packet(first, count), now);
    }
    void a(std::uint64_t first, std::uint64_t count) { on(Line::a, first, count); }
    void b(std::uint64_t first, std::uint64_t count) { on(Line::b, first, count); }
    void raw(Line line, const Bytes& payload) { arbitrator.on_packet(line, payload, now); }

    // Lets `ns` pass and the arbitrator's timer run.
    void wait(std::uint64_t ns) {
        now += ns;
        arbitrator.on_timer(now);
    }
    // Answers every request, the ones the answers cause included.
    void answer_all() {
        for (int i = 0; i < 1000 && server.answer(arbitrator, now); ++i) now += 10;
    }

    std::uint64_t get(ArbitrationCounter c) const { return arbitrator.counters().get(c); }
    std::uint64_t duplicates() const {
        return get(ArbitrationCounter::duplicates_a) + get(ArbitrationCounter::duplicates_b) +
               get(ArbitrationCounter::duplicates_recovery);
    }

    void expect_bytes_as_sent() const {
        ASSERT_EQ(sink.bytes.size(), sink.delivered().size());
        const std::vector<std::uint64_t> delivered = sink.delivered();
        for (std::size_t i = 0; i < delivered.size(); ++i) {
            const auto m = stream.message(delivered[i]);
            ASSERT_EQ(sink.bytes[i], Bytes(m.begin(), m.end())) << "message " << delivered[i];
        }
    }

    Stream stream;
    RecordingSink sink;
    FakeServer server;
    LineArbitrator<RecordingSink, FakeServer> arbitrator;
    std::uint64_t now = 1'000'000;
};

// The sequence numbers first..last, in order.
inline std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
    std::vector<std::uint64_t> v(last + 1 - first);
    std::iota(v.begin(), v.end(), first);
    return v;
}

inline std::vector<std::uint64_t> operator+(std::vector<std::uint64_t> a, const std::vector<std::uint64_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace sentinel::feed::test
