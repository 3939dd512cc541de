// arbitration_fuzz: libFuzzer target for the line arbitrator, the part of lib/feed that decides
// what a sequence number means. feed_fuzz reaches the decoder and the books through
// FeedHandler::on_packet, which has no lines, no gaps to recover and no timers; here every input
// is a script of packets on lines A, B and recovery, with time passing between them, played into
//
//   LineArbitrator<Sink, Requests>   directly, with a recording sink: the thing under test
//   FeedEngine<Requests, Output>     the same steps, as the appliance runs it (arbitrator, handler, books)
//
// with tiny capacities and timers, so that buffers fill, ranges run out, gaps are declared,
// re-requested, answered, given up, and far streams re-anchor. After every step a model of what the
// arbitrator may do checks what it did (__builtin_trap on a violation):
//
//   bounded work     a step's callbacks stay within its packet's messages + the buffer + the ranges
//                    (an endless loop traps in the callback that overran; run with -timeout too)
//   one stream       each delivery is the next number, exactly; an on_unrecoverable range starts
//                    at the next number and moves it past the range; on_reanchor(from, to) starts
//                    at it and moves it to `to`; next_sequence() agrees; every message delivered
//                    is a copy some admitted packet carried for that number (since the re-anchor)
//   admission        malformed / foreign / implausible predicted from the packet and the model
//                    (session, next, horizon) and matched by counters and on_refused(); a
//                    re-anchor only after reanchor_packets implausible line packets over reanchor_ns
//   counters         messages received = duplicates + delivered + held (held <= the buffer);
//                    missing = recovered + filled late + unrecoverable + open; missing <= what the
//                    session has shown, <= packets x (horizon + a packet); on_gap(), on_unrecoverable()
//                    and on_gap_closed() sum to the counters; the engine's equal the arbitrator's
//   the engine       the same refusals, gaps, give-ups and re-requests as the bare arbitrator;
//                    every message decoded once; a top of book stale exactly when its instrument was
//                    listed at a give-up or re-anchor
//   finish()         nothing held, nothing open, every gap closed with its parts summing to it
//
// The input is a script of steps (arbitration_script.hpp); tests/fuzz/regression/arbitration_fuzz/
// holds the ones that must keep passing. ARBITRATION_FUZZ_TRACE=1 prints every step's events and
// the final counters, for reading a finding.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "arbitration_events.hpp"
#include "arbitration_input.hpp"
#include "arbitration_script.hpp"
#include "feed/feed_engine.hpp"
#include "feed/line_arbitrator.hpp"
#include "recycling_memory.hpp"

namespace {

using namespace sentinel::feed;
using namespace sentinel::feed::fuzz;
using u128 = unsigned __int128;

constexpr BookConfig kTinyBooks{.max_orders = 64, .max_levels = 24, .ladder_rungs = 96};
constexpr int kMaxSteps = 256;

const bool kTrace = std::getenv("ARBITRATION_FUZZ_TRACE") != nullptr;

using Arbitrator = LineArbitrator<Sink, Requests>;
using Engine = FeedEngine<Requests, Output>;

enum class Verdict : std::uint8_t { accept, malformed, foreign, implausible };

std::uint64_t get(const ArbitrationCounters& c, ArbitrationCounter k) { return c.get(k); }
std::uint64_t per_line(const ArbitrationCounters& c, ArbitrationCounter line_a, Line line) {
    return c.get(on_line(line_a, line));
}
std::uint64_t all_lines(const ArbitrationCounters& c, ArbitrationCounter line_a) {
    return per_line(c, line_a, Line::a) + per_line(c, line_a, Line::b) + per_line(c, line_a, Line::recovery);
}

using Snapshot = std::array<std::uint64_t, kArbitrationCounterCount>;

Snapshot snapshot(const ArbitrationCounters& c) {
    Snapshot s;
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = c.get(static_cast<ArbitrationCounter>(i));
    return s;
}

std::uint64_t delta(const Snapshot& before, const ArbitrationCounters& after, ArbitrationCounter k) {
    return after.get(k) - before[static_cast<std::size_t>(k)];
}

// Runs one input's steps into both the arbitrator and the engine, and holds the model they are
// checked against.
class Harness {
public:
    Harness(const ArbitrationConfig& config, RecyclingMemory& memory)
        : config_(config),
          capacity_(std::bit_ceil(config.buffer_messages == 0 ? 1 : config.buffer_messages)),
          sink_{direct_},
          requests_{direct_},
          arbitrator_(sink_, requests_, config, &memory),
          engine_requests_{engine_events_},
          output_(engine_events_),
          engine_(std::make_unique<Engine>(engine_requests_, output_, config, kTinyBooks, &memory)),
          script_(config, capacity_) {
        output_.watch(engine_->instruments());
    }

    void step(Reader& in) {
        const Step s = script_.step(in, next(), high_);
        now_ = saturated(now_, s.wait_ns);
        run(s.line, s.payload);
    }

    void finish() {
        now_ = saturated(now_, 1);
        begin(0);
        arbitrator_.finish(now_);
        engine_->finish(now_);
        verify(std::nullopt, Parsed{}, Verdict::accept);
        if (kTrace) trace_counters();
        const ArbitrationCounters& c = arbitrator_.counters();
        check(arbitrator_.open_messages() == 0 && !arbitrator_.waiting() && !engine_->waiting());
        check(all_lines(c, ArbitrationCounter::messages_a) ==
              all_lines(c, ArbitrationCounter::duplicates_a) + get(c, ArbitrationCounter::messages));
        check(get(c, ArbitrationCounter::missing_messages) ==
              get(c, ArbitrationCounter::recovered_messages) + get(c, ArbitrationCounter::filled_late_messages) +
                  get(c, ArbitrationCounter::unrecoverable_messages));
        check(closed_ == declared_.size());
        check(closed_recovered_ == get(c, ArbitrationCounter::recovered_messages));
        check(closed_filled_late_ == get(c, ArbitrationCounter::filled_late_messages));
        check(closed_unrecoverable_ == get(c, ArbitrationCounter::unrecoverable_messages));
        check(next_ == high_);
    }

private:
    struct Declared {
        std::uint64_t first;
        std::uint64_t count;
        bool closed;
    };

    static std::uint64_t saturated(std::uint64_t a, std::uint64_t b) { return b > kMax - a ? kMax : a + b; }

    std::uint64_t next() const { return static_cast<std::uint64_t>(next_); }

    // Every callback a step may cause: its messages and the held ones delivered, each range given
    // up (declared, reported, closed), re-requests, a refusal and a re-anchor.
    std::size_t budget(std::uint64_t messages) const {
        return 5 * (messages + 1) + capacity_ + 4 * config_.max_ranges + 2 * config_.max_in_flight + 16;
    }

    void begin(std::uint64_t messages) {
        direct_.begin(budget(messages));
        engine_events_.begin(budget(messages));
        before_ = snapshot(arbitrator_.counters());
        const ArbitrationCounters& c = arbitrator_.counters();
        held_before_ = all_lines(c, ArbitrationCounter::messages_a) - all_lines(c, ArbitrationCounter::duplicates_a) -
                       get(c, ArbitrationCounter::messages);
    }

    void run(std::optional<Line> line, std::span<const std::byte> payload) {
        const Parsed p = parse(payload);
        begin(p.count());
        if (!line) {
            arbitrator_.on_timer(now_);
            engine_->on_timer(now_);
            verify(std::nullopt, p, Verdict::accept);
            return;
        }
        const Verdict verdict = predict(*line, p);
        arbitrator_.on_packet(*line, payload, now_);
        engine_->on_packet(*line, payload, now_, now_);
        ++packets_;
        verify(line, p, verdict);
    }

    Verdict predict(Line line, const Parsed& p) const {
        if (p.kind == mold::PacketKind::malformed) return Verdict::malformed;
        if (!session_) return line == Line::recovery || !p.numbers_exist() ? Verdict::implausible : Verdict::accept;
        if (p.session != *session_) return Verdict::foreign;
        if (!p.numbers_exist()) return Verdict::implausible;
        const std::uint64_t h = config_.horizon;
        if (p.sequence > high_) return p.sequence - high_ <= h ? Verdict::accept : Verdict::implausible;
        if (p.sequence < next()) return next() - p.sequence <= h ? Verdict::accept : Verdict::implausible;
        return Verdict::accept;
    }

    void verify(std::optional<Line> line, const Parsed& p, Verdict verdict) {
        if (kTrace) trace(line, p, verdict);
        const ArbitrationCounters& c = arbitrator_.counters();
        const std::uint64_t next_before = next();

        // The engine runs the same arbitrator on the same steps: the same counters and events.
        for (std::size_t i = 0; i < kArbitrationCounterCount; ++i) {
            const auto k = static_cast<ArbitrationCounter>(i);
            check(engine_->arbitration().get(k) == c.get(k));
        }
        std::vector<const Event*> outside;
        for (const Event& e : direct_.events)
            if (e.kind != Kind::message) outside.push_back(&e);
        check(outside.size() == engine_events_.events.size());
        for (std::size_t i = 0; i < outside.size(); ++i) check(same(*outside[i], engine_events_.events[i]));

        bool accepted = false;
        if (line) accepted = admission(*line, p, verdict);
        for (int other = 0; other < 3; ++other) {
            const auto l = static_cast<Line>(other);
            if (line && l == *line) continue;
            for (ArbitrationCounter k : {ArbitrationCounter::packets_a, ArbitrationCounter::messages_a,
                                         ArbitrationCounter::duplicates_a, ArbitrationCounter::malformed_packets_a,
                                         ArbitrationCounter::foreign_session_packets_a,
                                         ArbitrationCounter::implausible_packets_a})
                check(delta(before_, c, on_line(k, l)) == 0);
        }

        // Anchoring: the session's first packet sets where it starts, with no callback.
        if (accepted && !session_) {
            session_ = p.session;
            if (p.sequence - 1 > config_.horizon) next_ = high_ = p.sequence;
        }
        std::uint64_t bound = accepted ? std::max(high_, p.end()) : high_;
        std::uint64_t delivered = 0;
        for (std::size_t i = 0; i < direct_.events.size(); ++i) {
            const Event& e = direct_.events[i];
            switch (e.kind) {
                case Kind::message: {
                    check(next_ == e.first && e.first < bound);
                    const auto it = copies_.find(e.first);
                    check(it != copies_.end());
                    const Bytes& got = direct_.bytes[e.count];
                    check(std::any_of(it->second.begin(), it->second.end(),
                                      [&](const auto& copy) { return copy.first == epoch_ && copy.second == got; }));
                    ++next_;
                    ++delivered;
                    break;
                }
                case Kind::gap:
                    check(e.count >= 1 && e.first >= next_ && u128{e.first} + e.count <= bound);
                    declared_.push_back({e.first, e.count, false});
                    missing_ += e.count;
                    break;
                case Kind::unrecoverable:
                    check(e.count >= 1 && next_ == e.first && u128{e.first} + e.count <= bound);
                    next_ += e.count;
                    unrecoverable_ += e.count;
                    break;
                case Kind::gap_closed: {
                    const GapRecord& r = e.record;
                    check(r.number >= 1 && r.number <= declared_.size());
                    Declared& d = declared_[r.number - 1];
                    check(!d.closed && d.first == r.first && d.count == r.count);
                    check(u128{r.recovered} + r.filled_late + r.unrecoverable == r.count);
                    d.closed = true;
                    ++closed_;
                    closed_recovered_ += r.recovered;
                    closed_filled_late_ += r.filled_late;
                    closed_unrecoverable_ += r.unrecoverable;
                    break;
                }
                case Kind::refused: check(line && i == 0); break;  // its fields: admission()
                case Kind::reanchor:
                    // No packet moves a live session: only a line's far stream, long and old enough.
                    check(line && *line != Line::recovery && e.first == next_ && e.first == high_);
                    check(e.count == p.sequence && far_packets_ >= config_.reanchor_packets &&
                          now_ - far_since_ >= config_.reanchor_ns);
                    next_ = high_ = e.count;
                    bound = std::max(high_, p.end());
                    ++epoch_;
                    far_packets_ = 0;
                    break;
                case Kind::request:
                    check(session_ && e.session == *session_);
                    check(e.count >= 1 && e.first >= next_ && u128{e.first} + e.count <= bound);
                    script_.requested(e.session, e.first, e.count);
                    ++requests_sent_;
                    break;
            }
        }
        check(next_ <= kMax && arbitrator_.next_sequence() == next());
        check(next() >= next_before || get(c, ArbitrationCounter::reanchors) > before_[static_cast<std::size_t>(
                                                                                    ArbitrationCounter::reanchors)]);
        if (accepted) {
            const std::uint64_t high = std::max({high_, p.end(), next()});
            known_ += high - high_;
            high_ = high;
        }
        check(next_ <= high_);
        std::erase_if(copies_, [&](const auto& entry) { return entry.first < next(); });

        // The counters against the events and each other.
        const std::uint64_t received = all_lines(c, ArbitrationCounter::messages_a);
        const std::uint64_t duplicates = all_lines(c, ArbitrationCounter::duplicates_a);
        const std::uint64_t messages = get(c, ArbitrationCounter::messages);
        const std::uint64_t missing = get(c, ArbitrationCounter::missing_messages);
        const std::uint64_t recovered = get(c, ArbitrationCounter::recovered_messages);
        const std::uint64_t filled_late = get(c, ArbitrationCounter::filled_late_messages);
        const std::uint64_t unrecoverable = get(c, ArbitrationCounter::unrecoverable_messages);
        delivered_ += delivered;
        check(messages == delivered_ && get(c, ArbitrationCounter::gaps) == declared_.size());
        check(missing == missing_ && unrecoverable == unrecoverable_);
        check(u128{received} >= u128{duplicates} + messages && received - duplicates - messages <= capacity_);
        check(delivered <= p.count() + held_before_);
        check(u128{recovered} + filled_late + unrecoverable + arbitrator_.open_messages() == missing);
        check(engine_->open_messages() == arbitrator_.open_messages() && engine_->waiting() == arbitrator_.waiting());
        check(closed_recovered_ <= recovered && closed_filled_late_ <= filled_late &&
              closed_unrecoverable_ <= unrecoverable);
        check(recovered <= per_line(c, ArbitrationCounter::messages_a, Line::recovery));
        check(filled_late <= per_line(c, ArbitrationCounter::messages_a, Line::a) +
                                 per_line(c, ArbitrationCounter::messages_a, Line::b));
        check(missing <= known_ && u128{missing} <= u128{packets_} * (u128{config_.horizon} + 0xFFFF));
        for (int l = 0; l < 3; ++l) {
            const auto line_l = static_cast<Line>(l);
            check(per_line(c, ArbitrationCounter::malformed_packets_a, line_l) +
                      per_line(c, ArbitrationCounter::foreign_session_packets_a, line_l) +
                      per_line(c, ArbitrationCounter::implausible_packets_a, line_l) <=
                  per_line(c, ArbitrationCounter::packets_a, line_l));
        }
        check(get(c, ArbitrationCounter::session_ended) <= 1);
        check(get(c, ArbitrationCounter::rerequests) == requests_sent_ &&
              get(c, ArbitrationCounter::rerequest_retries) <= requests_sent_);
        check(get(c, ArbitrationCounter::buffer_overflows) <= get(c, ArbitrationCounter::resyncs));

        // The engine applied each delivered message once, and flagged tops as it should.
        std::uint64_t decoded = 0;
        for (auto k = static_cast<std::size_t>(FeedCounter::itch_system_event);
             k <= static_cast<std::size_t>(FeedCounter::itch_direct_listing_price_discovery); ++k)
            decoded += engine_->counters().get(static_cast<FeedCounter>(k));
        decoded += engine_->counters().get(FeedCounter::empty_messages) +
                   engine_->counters().get(FeedCounter::unknown_types) +
                   engine_->counters().get(FeedCounter::wrong_lengths);
        check(decoded == messages);
        check(engine_->top_changes() == output_.tops && engine_->stale_instruments() == output_.stale);
    }

    void trace(std::optional<Line> line, const Parsed& p, Verdict verdict) const {
        static constexpr const char* kLines[] = {"A", "B", "recovery"};
        static constexpr const char* kKinds[] = {"messages", "heartbeat", "end of session", "malformed"};
        static constexpr const char* kVerdicts[] = {"accept", "malformed", "foreign", "implausible"};
        if (line) {
            std::fprintf(stderr, "t=%llu %s: %s sequence %llu count %llu, predicted %s\n", (unsigned long long)now_,
                         kLines[static_cast<int>(*line)], kKinds[static_cast<int>(p.kind)],
                         (unsigned long long)p.sequence, (unsigned long long)p.count(),
                         kVerdicts[static_cast<int>(verdict)]);
        } else {
            std::fprintf(stderr, "t=%llu timer\n", (unsigned long long)now_);
        }
        for (const Event& e : direct_.events) {
            const auto a = (unsigned long long)e.first;
            const auto b = (unsigned long long)e.count;
            switch (e.kind) {
                case Kind::message: std::fprintf(stderr, "  message %llu\n", a); break;
                case Kind::gap: std::fprintf(stderr, "  gap %llu +%llu\n", a, b); break;
                case Kind::unrecoverable: std::fprintf(stderr, "  unrecoverable %llu +%llu\n", a, b); break;
                case Kind::gap_closed:
                    std::fprintf(stderr, "  gap %llu closed: %llu +%llu recovered %llu late %llu lost %llu\n",
                                 (unsigned long long)e.record.number, (unsigned long long)e.record.first,
                                 (unsigned long long)e.record.count, (unsigned long long)e.record.recovered,
                                 (unsigned long long)e.record.filled_late, (unsigned long long)e.record.unrecoverable);
                    break;
                case Kind::refused: std::fprintf(stderr, "  refused: reason %d\n", static_cast<int>(e.refused.reason)); break;
                case Kind::reanchor: std::fprintf(stderr, "  reanchor %llu -> %llu\n", a, b); break;
                case Kind::request: std::fprintf(stderr, "  request %llu +%llu\n", a, b); break;
            }
        }
    }

    void trace_counters() const {
        for (std::size_t i = 0; i < kArbitrationCounterCount; ++i)
            if (const std::uint64_t v = arbitrator_.counters().get(static_cast<ArbitrationCounter>(i)); v != 0)
                std::fprintf(stderr, "%.*s %llu\n", static_cast<int>(kArbitrationCounterLabels[i].size()),
                             kArbitrationCounterLabels[i].data(), (unsigned long long)v);
    }

    // A packet's refusal or admission, as predicted; records what an admitted one carried.
    bool admission(Line line, const Parsed& p, Verdict verdict) {
        const ArbitrationCounters& c = arbitrator_.counters();
        check(delta(before_, c, on_line(ArbitrationCounter::packets_a, line)) == 1);
        const std::uint64_t malformed = delta(before_, c, on_line(ArbitrationCounter::malformed_packets_a, line));
        const std::uint64_t foreign = delta(before_, c, on_line(ArbitrationCounter::foreign_session_packets_a, line));
        const std::uint64_t implausible = delta(before_, c, on_line(ArbitrationCounter::implausible_packets_a, line));
        const std::uint64_t reanchored = delta(before_, c, ArbitrationCounter::reanchors);
        check(malformed == (verdict == Verdict::malformed) && foreign == (verdict == Verdict::foreign) &&
              implausible == (verdict == Verdict::implausible) && reanchored <= implausible);

        const bool refused = verdict != Verdict::accept;
        const std::size_t refusals = static_cast<std::size_t>(
            std::count_if(direct_.events.begin(), direct_.events.end(), [](const Event& e) { return e.kind == Kind::refused; }));
        check(refusals == (refused ? 1u : 0u));
        if (refused) {
            const RefusedPacket& r = direct_.events.front().refused;
            const Refusal reason = verdict == Verdict::malformed ? Refusal::malformed
                                   : verdict == Verdict::foreign ? Refusal::foreign_session
                                                                 : Refusal::implausible;
            check(r.line == line && r.reason == reason && r.kind == p.kind && r.sequence == p.sequence &&
                  r.count == (p.kind == mold::PacketKind::messages ? p.count() : 0) && r.next_sequence == next());
        }
        // The far stream: implausible line packets since the last admitted one (the one that
        // completes it included).
        if (verdict == Verdict::implausible && session_ && line != Line::recovery) {
            if (far_packets_ == 0) far_since_ = now_;
            ++far_packets_;
        }
        const bool accepted = !refused || reanchored == 1;
        if (accepted && line != Line::recovery && reanchored == 0) far_packets_ = 0;

        const std::uint64_t carried = delta(before_, c, on_line(ArbitrationCounter::messages_a, line));
        check(carried == (accepted && p.kind == mold::PacketKind::messages ? p.count() : 0));
        if (accepted) {
            const std::uint64_t epoch = epoch_ + reanchored;
            for (std::uint64_t i = 0; i < p.count(); ++i) copies_[p.sequence + i].emplace_back(epoch, p.messages[i]);
            if (p.kind == mold::PacketKind::end_of_session) check(get(c, ArbitrationCounter::session_ended) == 1);
        }
        return accepted;
    }

    const ArbitrationConfig config_;
    const std::uint64_t capacity_;  // the buffer's, rounded as MessageBuffer rounds it

    Recorder direct_;
    Sink sink_;
    Requests requests_;
    Arbitrator arbitrator_;
    Recorder engine_events_;
    Requests engine_requests_;
    Output output_;
    std::unique_ptr<Engine> engine_;

    Script script_;
    std::uint64_t now_ = 0;

    // The model.
    Snapshot before_{};
    std::uint64_t held_before_ = 0;
    std::optional<mold::Session> session_;
    u128 next_ = 1;            // the next number to deliver; wider, so that running past 2^64 shows
    std::uint64_t high_ = 1;   // one past the highest number the session has shown
    std::uint64_t known_ = 0;  // what the session has shown, summed over re-anchors: a bound on missing
    std::uint64_t epoch_ = 0;  // re-anchors so far: copies from before one must not be delivered after
    std::map<std::uint64_t, std::vector<std::pair<std::uint64_t, Bytes>>> copies_;  // by number: (epoch, bytes)
    std::vector<Declared> declared_;  // every gap, by its number - 1
    std::uint64_t closed_ = 0;
    std::uint64_t closed_recovered_ = 0;
    std::uint64_t closed_filled_late_ = 0;
    std::uint64_t closed_unrecoverable_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t missing_ = 0;
    std::uint64_t unrecoverable_ = 0;
    std::uint64_t requests_sent_ = 0;
    std::uint64_t packets_ = 0;
    std::uint64_t far_packets_ = 0;  // implausible line packets since the last admitted one
    std::uint64_t far_since_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Never destroyed: the blocks it keeps for the next input stay reachable, not leaks, at exit.
    static RecyclingMemory* const memory = new RecyclingMemory;
    Reader in({data, size});
    const auto harness = std::make_unique<Harness>(preset(in.u8()), *memory);
    for (int steps = 0; steps < kMaxSteps && !in.done(); ++steps) harness->step(in);
    harness->finish();
    return 0;
}
