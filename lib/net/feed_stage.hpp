#pragma once
// FeedStage: the market-data feed handler as a stage of the ring. It reads the slots the filter
// marked as line A, line B or a recovery answer, finds the UDP payload in the packet's buffer (the
// slot says where; no copy unless the frame spans segments), and hands it to the FeedEngine
// (lib/feed/feed_engine.hpp): A/B arbitration, gap recovery, order books. Its outputs:
//
//   ring ─▶ filter ─▶ feed ─┬─ re-requests ─▶ UdpSender ─▶ TX queue ─▶ the recovery server
//                           ├─ top-of-book changes ─▶ TopOfBookRing ─▶ publisher stage
//                           └─ books ─▶ --book-out, at exit and on request (SIGUSR1)
//
// Timers. The arbitrator's tolerance, retry and give-up timers need a clock when no packet comes:
// the feed duty calls on_idle() whenever the ring is empty, and a busy stage ticks them at the end
// of a batch at most every 100 us. All times come from the TSC, through the run's TscClock.
//
// The log (log/log.hpp, type feed): each declared gap by its number, once when found missing and once when closed
// (how many of its messages were recovered, arrived late on the lines, were given up), up to
// kMaxGapReports gaps; refused packets (malformed, foreign session, implausible), a line a second
// at most for each kind, with the count of those not reported; each re-anchor.
//
// Wire to book: for each feed packet that delivered messages, the TSC after the books took them
// minus the RX burst's TSC goes into a histogram (feed_wire_to_book_p50_ns, _p99_ns).
//
// The books belong to the stage's lcore: a dump on request is written there, between batches; the
// feed waits meanwhile (about 100 ns a price level: milliseconds for thousands of levels, a tenth
// of a second for a million), its ring fills and RX applies the full policy. The final dump is
// written after the lcores have stopped.
//
// Thread safety: on_events and on_idle on the lcore that polls the stage; request_book_dump and
// the counters from any thread; write_books on the stage's lcore or once it has stopped.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "disruptor/counter_block.hpp"
#include "feed/feed_engine.hpp"
#include "latency_histogram.hpp"
#include "packet_slot.hpp"
#include "top_of_book_ring.hpp"
#include "tsc_clock.hpp"
#include "udp_sender.hpp"

namespace sentinel::net {

enum class FeedStageCounter : std::size_t {
    frames,            // slots the filter marked for the feed
    not_udp,           // of those, not an IPv4 UDP datagram: skipped
    fragments,         // IPv4 fragments: skipped (a MoldUDP64 packet is one datagram)
    truncated_frames,  // headers promising more than the frame holds: skipped
    rerequests_unsent, // re-requests with nowhere to go (no --rerequest-server) or refused by TX
    tob_dropped_events,  // top-of-book changes the publisher's ring had no room for
    book_dumps,        // --book-out files written
    count,             // add all new counters before this one
};

inline constexpr std::size_t kFeedStageCounterCount = static_cast<std::size_t>(FeedStageCounter::count);
inline constexpr std::array<std::string_view, kFeedStageCounterCount> kFeedStageCounterLabels{
    "feed_frames", "feed_not_udp", "feed_fragments", "feed_truncated_frames",
    "feed_rerequests_unsent", "tob_dropped_events", "feed_book_dumps"};
static_assert(disruptor::every_label_given(kFeedStageCounterLabels), "a counter without a label: add it to kFeedStageCounterLabels, in the enum's order");

struct FeedStageConfig {
    feed::ArbitrationConfig arbitration;
    feed::BookConfig books;
    std::string book_out;  // empty: no dumps
};

class FeedStage {
    // The engine's re-request path: one datagram per request, or a count when there is no server.
    struct Requester {
        FeedStage& stage;
        void send(const feed::mold::Request& request) noexcept;
    };
    // The engine's outputs: the publisher's ring, and the log.
    struct Output {
        FeedStage& stage;
        void on_top(const feed::TopOfBook& top) noexcept;
        void on_gap(std::uint64_t first, std::uint64_t count) noexcept;
        void on_unrecoverable(std::uint64_t first, std::uint64_t count) noexcept;
        void on_gap_closed(const feed::GapRecord& record) noexcept;
        void on_refused(const feed::RefusedPacket& packet) noexcept;
        void on_reanchor(std::uint64_t from, std::uint64_t to) noexcept;
    };
    using Engine = feed::FeedEngine<Requester, Output>;

public:
    // `rerequests`, `tops`: null when not configured. Everything the books need is allocated from
    // `memory` here (throws std::bad_alloc when it cannot).
    FeedStage(const FeedStageConfig& config, UdpSender* rerequests, TopOfBookRing* tops, const TscClock& clock,
              std::pmr::memory_resource& memory);

    void on_events(std::span<PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch);
    // The ring is empty: run the timers, write a requested dump.
    void on_idle(std::uint64_t tsc) noexcept;
    // The ring has drained for good: gaps still missing are given up, held messages applied.
    void finish(std::uint64_t tsc) noexcept {
        finishing_ = true;
        engine_.finish(clock_.nanoseconds(tsc));
    }

    // Any thread: the stage writes --book-out at its next batch boundary or idle turn.
    void request_book_dump() noexcept {
        dump_requested_.store(true, std::memory_order_relaxed);  // a flag; the books are the stage's own
    }
    // Writes --book-out now (atomically: a temporary file renamed over it). "" or the error.
    std::string write_books();

    const Engine& engine() const noexcept { return engine_; }
    std::uint64_t get(FeedStageCounter c) const noexcept { return counters_.get(c); }
    const LatencyHistogram& wire_to_book() const noexcept { return wire_to_book_; }

private:
    // Frames of up to 9,018 bytes arrive as chains on ports that scatter; the feed reads them flat.
    static constexpr std::size_t kMaxFrame = 9216;
    // A busy stage runs the timers at most this often (they are milliseconds long).
    static constexpr std::uint64_t kTimerEveryNs = 100'000;
    // Gaps logged (each when declared, and again when closed) before further ones are
    // only counted.
    static constexpr std::uint64_t kMaxGapReports = 100;
    // Refused packets of one kind are reported at most once this often, the first at once.
    static constexpr std::uint64_t kRefusalQuietNs = 1'000'000'000;

    void add(FeedStageCounter c, std::uint64_t n = 1) noexcept { counters_.add(c, n); }
    void on_frame(const PacketSlot& slot) noexcept;
    void between_batches(std::uint64_t tsc) noexcept;
    // Whether gap `number`'s lines are logged; says so once when they stop.
    bool report_gap(std::uint64_t number) noexcept;

    const TscClock& clock_;
    UdpSender* const rerequests_;
    TopOfBookRing* const tops_;
    const std::string book_out_;
    Requester requester_{*this};
    Output output_{*this};
    Engine engine_;
    std::uint64_t last_timer_ns_ = 0;
    bool gap_reports_stopped_ = false;
    struct RefusalBurst {
        std::uint64_t reported_ns = 0;  // the last report of this kind
        std::uint64_t unreported = 0;   // refusals since
        bool seen = false;
    };
    std::array<RefusalBurst, 3> refusal_bursts_{};  // by feed::Refusal
    bool finishing_ = false;  // finish() runs: gaps found now are given up at once, not re-requested
    std::atomic<bool> dump_requested_{false};
    disruptor::CounterBlock<FeedStageCounter> counters_;
    LatencyHistogram wire_to_book_;
    std::array<std::byte, kMaxFrame> flat_{};  // a chained frame, copied flat
};

}  // namespace sentinel::net
