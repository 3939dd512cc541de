#pragma once
// What the line arbitrator, and the feed engine around it, tell the outside world, recorded in
// order for arbitration_fuzz to check: the arbitrator's sink, the engine's output, and a requester
// for both. Each step's events have a budget: a loop that keeps calling out traps in the call that
// overran, with the loop on the stack, rather than hanging until libFuzzer's -timeout.
//
// Thread safety: one thread (libFuzzer runs one input at a time).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "arbitration_input.hpp"
#include "feed/feed_engine.hpp"
#include "feed/line_arbitrator.hpp"

namespace sentinel::feed::fuzz {

// A broken invariant: a crash for libFuzzer, with the check on the stack.
inline void check(bool ok) {
    if (!ok) __builtin_trap();
}

enum class Kind : std::uint8_t { message, gap, unrecoverable, gap_closed, refused, reanchor, request };

struct Event {
    Kind kind;
    std::uint64_t first = 0;  // message: its number; gap, unrecoverable, request: the range; reanchor: from
    std::uint64_t count = 0;  // message: index of its bytes; reanchor: to
    GapRecord record{};
    RefusedPacket refused{};
    mold::Session session{};  // request
};

bool same(const Event& a, const Event& b) {
    const GapRecord& x = a.record;
    const GapRecord& y = b.record;
    const RefusedPacket& p = a.refused;
    const RefusedPacket& q = b.refused;
    return a.kind == b.kind && a.first == b.first && a.count == b.count && a.session == b.session &&
           x.number == y.number && x.first == y.first && x.count == y.count && x.recovered == y.recovered &&
           x.filled_late == y.filled_late && x.unrecoverable == y.unrecoverable && p.line == q.line &&
           p.reason == q.reason && p.kind == q.kind && p.sequence == q.sequence && p.count == q.count &&
           p.next_sequence == q.next_sequence;
}

// One step's events, with a budget: a loop that keeps calling out traps in the call that overran.
class Recorder {
public:
    void begin(std::size_t budget) {
        events.clear();
        bytes.clear();
        budget_ = budget;
    }
    void add(const Event& e) {
        check(events.size() < budget_);
        events.push_back(e);
    }

    std::vector<Event> events;
    std::vector<Bytes> bytes;  // each delivered message's

private:
    std::size_t budget_ = 0;
};

struct Sink {
    Recorder& r;
    void on_message(std::span<const std::byte> message, std::uint64_t sequence) noexcept {
        r.add({Kind::message, sequence, r.bytes.size()});
        r.bytes.emplace_back(message.begin(), message.end());
    }
    void on_gap(std::uint64_t first, std::uint64_t count) noexcept { r.add({Kind::gap, first, count}); }
    void on_unrecoverable(std::uint64_t first, std::uint64_t count) noexcept {
        r.add({Kind::unrecoverable, first, count});
    }
    void on_gap_closed(const GapRecord& record) noexcept { r.add({Kind::gap_closed, 0, 0, record}); }
    void on_refused(const RefusedPacket& packet) noexcept { r.add({Kind::refused, 0, 0, {}, packet}); }
    void on_reanchor(std::uint64_t from, std::uint64_t to) noexcept { r.add({Kind::reanchor, from, to}); }
};

struct Requests {
    Recorder& r;
    void send(const mold::Request& q) noexcept { r.add({Kind::request, q.sequence, q.count, {}, {}, q.session}); }
};

// The engine's output: its events, and the stale flags it must put on tops of book.
class Output {
public:
    explicit Output(Recorder& r) : r_(r) {}
    void watch(const InstrumentDirectory& directory) { directory_ = &directory; }

    void on_top(const TopOfBook& top) noexcept {
        ++tops;
        check(((top.flags & TopOfBook::kStale) != 0) == stale_[top.stock_locate]);
    }
    void on_gap(std::uint64_t first, std::uint64_t count) noexcept { r_.add({Kind::gap, first, count}); }
    void on_unrecoverable(std::uint64_t first, std::uint64_t count) noexcept {
        mark_stale();
        r_.add({Kind::unrecoverable, first, count});
    }
    void on_gap_closed(const GapRecord& record) noexcept { r_.add({Kind::gap_closed, 0, 0, record}); }
    void on_refused(const RefusedPacket& packet) noexcept { r_.add({Kind::refused, 0, 0, {}, packet}); }
    void on_reanchor(std::uint64_t from, std::uint64_t to) noexcept {
        mark_stale();
        r_.add({Kind::reanchor, from, to});
    }

    std::uint64_t tops = 0;
    std::uint64_t stale = 0;  // instruments marked

private:
    // Whatever was listed when numbers were given up may be wrong from then on. A scan of every
    // locate: kept out of the sanitizers' instrumentation, which would make it most of the run time.
    __attribute__((no_sanitize("coverage", "address", "undefined"))) void mark_stale() {
        const Instrument* const instruments = &(*directory_)[0];
        bool* const marked = stale_.data();
        for (std::size_t locate = 0; locate < itch::kLocates; ++locate) {
            if (marked[locate] || !instruments[locate].listed) continue;
            marked[locate] = true;
            ++stale;
        }
    }

    Recorder& r_;
    const InstrumentDirectory* directory_ = nullptr;
    std::array<bool, itch::kLocates> stale_{};
};

}  // namespace sentinel::feed::fuzz
