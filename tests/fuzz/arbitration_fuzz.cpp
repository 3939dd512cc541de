// arbitration_fuzz: libFuzzer target for the line arbitrator, the part of lib/feed that decides
// what a sequence number means. feed_fuzz reaches the decoder and the books through
// FeedHandler::on_packet, which has no lines, no gaps to recover and no timers; here every input
// is a script of packets on lines A, B and recovery, with time passing between them, played into
//
//   LineArbitrator<Sink, Requests>   directly, with a recording sink: the thing under test
//   FeedEngine<Requests, Output>     the same steps, as the appliance runs it (arbitrator, handler, books)
//   ArbitrationModel                 the same steps, through the rules written out (arbitration_model.hpp)
//
// with tiny capacities and timers, so that buffers fill, ranges run out, gaps are declared,
// re-requested, answered, given up, wide losses are followed and far streams re-anchor. After every
// step what the arbitrator did is checked (__builtin_trap on a violation):
//
//   bounded work     a step's callbacks stay within its packet's messages + the buffer + the ranges
//                    (an endless loop traps in the callback that overran; run with -timeout too)
//   the model        exactly its callbacks, in order: each message delivered (the first copy's
//                    bytes), gap, give-up, closed gap with how its numbers ended, refusal with its
//                    reason, re-anchor; then only re-requests, each within a declared gap and
//                    max_request. Exactly its counters (all but rerequests and rerequest_retries),
//                    next_sequence(), waiting() and open_messages()
//   identities       messages received = duplicates + delivered + held (held <= the window);
//                    missing = recovered + filled late + unrecoverable + open; missing <= what the
//                    session has shown, <= packets x horizon (a packet moves the known numbers by
//                    at most the horizon: a wide loss's whole packet lies within it of the next
//                    number, any other admitted one within the window; a re-anchor counts nothing
//                    missing); the next number moves back only at a re-anchor
//   the engine       the same counters and callbacks as the bare arbitrator; every message decoded
//                    once; a top of book stale exactly when its instrument was listed at a give-up
//                    or re-anchor
//   finish()         nothing held, nothing open, every gap closed with its parts summing to the counters
//
// The input is a script of steps (arbitration_script.hpp); tests/fuzz/regression/arbitration_fuzz/
// holds the ones that must keep passing. ARBITRATION_FUZZ_TRACE=1 prints every step's callbacks
// (and the model's, where they differ) and the final counters, for reading a finding.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "arbitration_events.hpp"
#include "arbitration_input.hpp"
#include "arbitration_model.hpp"
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

std::uint64_t get(const ArbitrationCounters& c, ArbitrationCounter k) { return c.get(k); }
std::uint64_t per_line(const ArbitrationCounters& c, ArbitrationCounter line_a, Line line) {
    return c.get(on_line(line_a, line));
}
std::uint64_t all_lines(const ArbitrationCounters& c, ArbitrationCounter line_a) {
    return per_line(c, line_a, Line::a) + per_line(c, line_a, Line::b) + per_line(c, line_a, Line::recovery);
}

// Runs one input's steps into the arbitrator, the engine and the model, and checks them against
// each other after each.
class Harness {
public:
    Harness(const ArbitrationConfig& config, RecyclingMemory& memory)
        : config_(config),
          model_(config),
          sink_{direct_},
          requests_{direct_},
          arbitrator_(sink_, requests_, config, &memory),
          engine_requests_{engine_events_},
          output_(engine_events_),
          engine_(std::make_unique<Engine>(engine_requests_, output_, config, kTinyBooks, &memory)),
          script_(config, model_.window()) {
        output_.watch(engine_->instruments());
    }

    void step(Reader& in) {
        const Step s = script_.step(in, model_.next(), model_.horizon());
        now_ = saturated(now_, s.wait_ns);
        const Parsed p = parse(s.payload);
        begin(p.count());
        if (s.line) {
            arbitrator_.on_packet(*s.line, s.payload, now_);
            engine_->on_packet(*s.line, s.payload, now_, now_);
            model_.on_packet(*s.line, p, now_, expected_);
            ++packets_;
        } else {
            arbitrator_.on_timer(now_);
            engine_->on_timer(now_);
            model_.on_timer(now_, expected_);
        }
        verify(s.line, p);
    }

    void finish() {
        now_ = saturated(now_, 1);
        begin(0);
        arbitrator_.finish(now_);
        engine_->finish(now_);
        model_.finish(now_, expected_);
        verify(std::nullopt, Parsed{});
        if (kTrace) trace_counters();
        const ArbitrationCounters& c = arbitrator_.counters();
        check(arbitrator_.open_messages() == 0 && !arbitrator_.waiting() && !engine_->waiting());
        check(model_.held() == 0 && arbitrator_.next_sequence() == model_.horizon());
        check(all_lines(c, ArbitrationCounter::messages_a) ==
              all_lines(c, ArbitrationCounter::duplicates_a) + get(c, ArbitrationCounter::messages));
        check(get(c, ArbitrationCounter::missing_messages) ==
              get(c, ArbitrationCounter::recovered_messages) + get(c, ArbitrationCounter::filled_late_messages) +
                  get(c, ArbitrationCounter::unrecoverable_messages));
        check(closed_ == get(c, ArbitrationCounter::gaps));
        check(closed_recovered_ == get(c, ArbitrationCounter::recovered_messages));
        check(closed_filled_late_ == get(c, ArbitrationCounter::filled_late_messages));
        check(closed_unrecoverable_ == get(c, ArbitrationCounter::unrecoverable_messages));
    }

private:
    static std::uint64_t saturated(std::uint64_t a, std::uint64_t b) { return b > kMax - a ? kMax : a + b; }

    // Every callback a step may cause: its messages and the held ones delivered, each range given
    // up (declared, reported, closed), re-requests, a refusal and a re-anchor.
    std::size_t budget(std::uint64_t messages) const {
        return 5 * (messages + 1) + model_.window() + 4 * config_.max_ranges + 2 * config_.max_in_flight + 16;
    }

    void begin(std::uint64_t messages) {
        direct_.begin(budget(messages));
        engine_events_.begin(budget(messages));
        expected_.begin(std::numeric_limits<std::size_t>::max());
        next_before_ = arbitrator_.next_sequence();
        reanchors_before_ = get(arbitrator_.counters(), ArbitrationCounter::reanchors);
    }

    void verify(std::optional<Line> line, const Parsed& p) {
        if (kTrace) trace(line, p);
        const ArbitrationCounters& c = arbitrator_.counters();

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

        // The model's callbacks, exactly; then re-requests only, each for a declared gap.
        const bool as_modelled = modelled();
        if (kTrace && !as_modelled) trace_events("the model expected", expected_);
        check(as_modelled);
        for (std::size_t i = expected_.events.size(); i < direct_.events.size(); ++i) {
            const Event& e = direct_.events[i];
            check(e.kind == Kind::request && model_.session() && e.session == *model_.session());
            check(e.count >= 1 && e.count <= std::clamp<std::uint16_t>(config_.max_request, 1, 0xFFFE));
            check(model_.within_declared(e.first, e.count));
            script_.requested(e.session, e.first, e.count);
            ++requests_sent_;
        }
        for (std::size_t i = 0; i < kArbitrationCounterCount; ++i) {
            const auto k = static_cast<ArbitrationCounter>(i);
            if (k == ArbitrationCounter::rerequests || k == ArbitrationCounter::rerequest_retries) continue;
            check(c.get(k) == model_.get(k));
        }
        check(arbitrator_.next_sequence() == model_.next() && arbitrator_.waiting() == model_.waiting());
        check(arbitrator_.open_messages() == model_.open_messages());
        check(engine_->open_messages() == arbitrator_.open_messages() && engine_->waiting() == arbitrator_.waiting());
        check(model_.next() >= next_before_ || get(c, ArbitrationCounter::reanchors) > reanchors_before_);

        // The counters against each other.
        const std::uint64_t received = all_lines(c, ArbitrationCounter::messages_a);
        const std::uint64_t duplicates = all_lines(c, ArbitrationCounter::duplicates_a);
        const std::uint64_t messages = get(c, ArbitrationCounter::messages);
        const std::uint64_t missing = get(c, ArbitrationCounter::missing_messages);
        const std::uint64_t recovered = get(c, ArbitrationCounter::recovered_messages);
        const std::uint64_t filled_late = get(c, ArbitrationCounter::filled_late_messages);
        const std::uint64_t unrecoverable = get(c, ArbitrationCounter::unrecoverable_messages);
        check(u128{received} == u128{duplicates} + messages + model_.held() && model_.held() < model_.window());
        check(u128{recovered} + filled_late + unrecoverable + arbitrator_.open_messages() == missing);
        check(closed_recovered_ <= recovered && closed_filled_late_ <= filled_late &&
              closed_unrecoverable_ <= unrecoverable);
        check(recovered <= per_line(c, ArbitrationCounter::messages_a, Line::recovery));
        check(filled_late <= per_line(c, ArbitrationCounter::messages_a, Line::a) +
                                 per_line(c, ArbitrationCounter::messages_a, Line::b));
        check(missing <= model_.shown() && u128{missing} <= u128{packets_} * config_.horizon);
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
        for (const Event& e : direct_.events) {
            if (e.kind != Kind::gap_closed) continue;
            ++closed_;
            closed_recovered_ += e.record.recovered;
            closed_filled_late_ += e.record.filled_late;
            closed_unrecoverable_ += e.record.unrecoverable;
        }

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

    // Whether the step's callbacks begin with exactly the model's (a message: its number and bytes).
    bool modelled() const {
        if (direct_.events.size() < expected_.events.size()) return false;
        for (std::size_t i = 0; i < expected_.events.size(); ++i) {
            const Event& got = direct_.events[i];
            const Event& want = expected_.events[i];
            if (want.kind != Kind::message) {
                if (!same(got, want)) return false;
                continue;
            }
            if (got.kind != Kind::message || got.first != want.first ||
                direct_.bytes[got.count] != expected_.bytes[want.count])
                return false;
        }
        return true;
    }

    void trace(std::optional<Line> line, const Parsed& p) const {
        static constexpr const char* kLines[] = {"A", "B", "recovery"};
        static constexpr const char* kKinds[] = {"messages", "heartbeat", "end of session", "malformed"};
        if (line) {
            std::fprintf(stderr, "t=%llu %s: %s sequence %llu count %llu\n", (unsigned long long)now_,
                         kLines[static_cast<int>(*line)], kKinds[static_cast<int>(p.kind)],
                         (unsigned long long)p.sequence, (unsigned long long)p.count());
        } else {
            std::fprintf(stderr, "t=%llu timer\n", (unsigned long long)now_);
        }
        trace_events("", direct_);
    }

    static void trace_events(const char* label, const Recorder& r) {
        if (*label != '\0') std::fprintf(stderr, " %s:\n", label);
        for (const Event& e : r.events) {
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
                case Kind::refused:
                    std::fprintf(stderr, "  refused: reason %d\n", static_cast<int>(e.refused.reason));
                    break;
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

    const ArbitrationConfig config_;
    ArbitrationModel model_;

    Recorder direct_;
    Sink sink_;
    Requests requests_;
    Arbitrator arbitrator_;
    Recorder engine_events_;
    Requests engine_requests_;
    Output output_;
    std::unique_ptr<Engine> engine_;
    Recorder expected_;

    Script script_;
    std::uint64_t now_ = 0;

    std::uint64_t next_before_ = 1;
    std::uint64_t reanchors_before_ = 0;
    std::uint64_t closed_ = 0;
    std::uint64_t closed_recovered_ = 0;
    std::uint64_t closed_filled_late_ = 0;
    std::uint64_t closed_unrecoverable_ = 0;
    std::uint64_t requests_sent_ = 0;
    std::uint64_t packets_ = 0;
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
