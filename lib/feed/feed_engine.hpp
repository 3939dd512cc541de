#pragma once
// FeedEngine: the whole feed handler behind the feed stage: lines A and B and the recovery answers
// in, order books and top-of-book changes out.
//
//   on_packet(line, payload, now, receive_time)
//     ─▶ LineArbitrator: first copy wins, gaps found, re-requested (Req), given up in time
//          │ each sequence number once, in order
//          ▼
//        FeedHandler::on_message ─▶ OrderBooks ─▶ a changed best bid or ask
//          │                                        ▼
//          │                      out.on_top(TopOfBook): best levels, symbol, stale flag, times
//          └ a gap given up, or a re-anchor ─▶ every instrument listed so far is stale
//            (out.on_unrecoverable, out.on_reanchor)
//
// Stale instruments. The arbitrator cannot tell which instruments the messages it gave up touched,
// and ITCH has no per-instrument refresh: a lost delete leaves an order that nothing later removes.
// So a gap given up marks every instrument listed by then stale, for the rest of the session; their
// top-of-book records carry TopOfBook::kStale, and stale_instruments() counts them.
//
// Time. `now_ns` drives the arbitrator's tolerance and recovery timers; it must come from one
// monotonic clock. Packets carry the time their burst arrived, which can be a little earlier than
// the last on_timer() reading (the burst waited in the ring meanwhile): the engine never lets its
// clock run backwards.
//
// Thread safety: one thread drives it (on_packet, on_timer, the books); the counters may be read
// from any thread.

#include <algorithm>
#include <atomic>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>

#include "feed/arbitration_counters.hpp"
#include "disruptor/cache_line.hpp"
#include "feed/big_endian.hpp"
#include "feed/feed_handler.hpp"
#include "feed/line_arbitrator.hpp"
#include "feed/moldudp64.hpp"
#include "feed/top_of_book.hpp"

namespace sentinel::feed {

// Where the engine's results go (the appliance: the publisher's ring and the log).
//   on_top(top)                      a best bid or ask changed; `top` is valid during the call only
//   on_gap(first, count)             [first, first + count) is missing on both lines: re-requested
//   on_unrecoverable(first, count)   ... and given up; the instruments are stale from now on
//   on_gap_closed(record)            a gap on_gap() told of has ended, each number one way or another
//   on_refused(packet)               a packet dropped whole: malformed, foreign, implausible
//   on_reanchor(from, to)            the session moved, skipping what lay between: stale, as above
template <class O>
concept FeedOutput = requires(O& out, const TopOfBook& top, std::uint64_t first, std::uint64_t count,
                              const GapRecord& record, const RefusedPacket& refused) {
    out.on_top(top);
    out.on_gap(first, count);
    out.on_unrecoverable(first, count);
    out.on_gap_closed(record);
    out.on_refused(refused);
    out.on_reanchor(first, count);
};

template <Requester Req, FeedOutput Out>
class FeedEngine {
public:
    // Everything is allocated from `memory` here, nothing after.
    FeedEngine(Req& requester, Out& out, const ArbitrationConfig& arbitration = {}, const BookConfig& books = {},
               std::pmr::memory_resource* memory = std::pmr::get_default_resource())
        : handler_(books, memory), sink_{*this}, arbitrator_(sink_, requester, arbitration, memory), out_(out) {}

    // One UDP payload of `line`, received at `receive_time` (ns since the epoch, for the records).
    void on_packet(Line line, std::span<const std::byte> payload, std::uint64_t now_ns,
                   std::uint64_t receive_time) noexcept {
        // The whole packet at once: parsing walks its length prefixes one after the other, and
        // each load's address depends on the one before, so lines it had to wait for in turn
        // would serialise their misses.
        for (std::size_t at = 0; at < payload.size(); at += disruptor::kCacheLine) __builtin_prefetch(payload.data() + at);
        receive_time_ = receive_time;
        arbitrator_.on_packet(line, payload, advance(now_ns));
        far_ = near_ = mold::MessageCursor(mold::Packet{});  // the payload is the caller's again
    }

    // Between packets, at least every millisecond or so: the tolerance and recovery timers.
    void on_timer(std::uint64_t now_ns) noexcept { arbitrator_.on_timer(advance(now_ns)); }

    // The input has ended: what is still missing is given up, what is held is applied.
    void finish(std::uint64_t now_ns) noexcept { arbitrator_.finish(advance(now_ns)); }
    bool waiting() const noexcept { return arbitrator_.waiting(); }
    // Numbers declared missing whose end is not known yet: 0 once finished.
    std::uint64_t open_messages() const noexcept { return arbitrator_.open_messages(); }

    const ArbitrationCounters& arbitration() const noexcept { return arbitrator_.counters(); }
    const FeedCounters& counters() const noexcept { return handler_.counters(); }
    const OrderBooks& books() const noexcept { return handler_.books(); }
    const InstrumentDirectory& instruments() const noexcept { return handler_.instruments(); }
    // Any thread: a statistic.
    std::uint64_t stale_instruments() const noexcept { return stale_count_.load(std::memory_order_relaxed); }
    // Top-of-book changes so far: the last record's sequence number. Any thread: a statistic.
    std::uint64_t top_changes() const noexcept { return top_sequence_.load(std::memory_order_relaxed); }

private:
    // The arbitrator's view of the engine.
    struct Sink {
        FeedEngine& engine;
        void on_packet(const mold::Packet& packet) noexcept { engine.hint(packet); }
        void on_message(std::span<const std::byte> message, std::uint64_t) noexcept { engine.apply(message); }
        void on_gap(std::uint64_t first, std::uint64_t count) noexcept { engine.out_.on_gap(first, count); }
        void on_unrecoverable(std::uint64_t first, std::uint64_t count) noexcept {
            engine.mark_stale();
            engine.out_.on_unrecoverable(first, count);
        }
        void on_gap_closed(const GapRecord& record) noexcept { engine.out_.on_gap_closed(record); }
        void on_refused(const RefusedPacket& packet) noexcept { engine.out_.on_refused(packet); }
        void on_reanchor(std::uint64_t from, std::uint64_t to) noexcept {
            engine.mark_stale();
            engine.out_.on_reanchor(from, to);
        }
    };

    static constexpr std::size_t kTimestampAt = 5;  // every ITCH message's u48 (itch50_message.hpp)

    std::uint64_t advance(std::uint64_t now_ns) noexcept {
        now_ns_ = std::max(now_ns_, now_ns);
        return now_ns_;
    }

    // Two cursors walk ahead of the messages the packet delivers, hinting the lines each will need
    // (FeedHandler::prefetch_far, prefetch_near). Messages delivered from the arbitrator's buffer
    // may not be the packet's: the hints are then wasted, never wrong.
    void hint(const mold::Packet& packet) noexcept {
        far_ = near_ = mold::MessageCursor(packet);
        for (int i = 0; i < FeedHandler::kFarAhead && !far_.done(); ++i) handler_.prefetch_far(far_.next());
        for (int i = 0; i < FeedHandler::kNearAhead && !near_.done(); ++i) handler_.prefetch_near(near_.next());
    }

    void apply(std::span<const std::byte> message) noexcept {
        if (!far_.done()) handler_.prefetch_far(far_.next());
        if (!near_.done()) handler_.prefetch_near(near_.next());
        const BookUpdate update = handler_.on_message(message);
        if (!update.top_changed) return;  // only a decoded book message changes a top: it has a timestamp
        const OrderBooks& books = handler_.books();
        const Quote bid = books.best(update.locate, Side::bid);
        const Quote ask = books.best(update.locate, Side::ask);
        TopOfBook top;
        top.itch_timestamp = load_be48(message.data() + kTimestampAt);
        top.receive_time = receive_time_;
        top.bid_shares = bid.shares;
        top.ask_shares = ask.shares;
        top.bid_price = bid.orders != 0 ? bid.price : 0;
        top.ask_price = ask.orders != 0 ? ask.price : 0;
        top.bid_orders = bid.orders;
        top.ask_orders = ask.orders;
        top.stock_locate = update.locate;
        top.flags = stale_[update.locate] ? TopOfBook::kStale : 0;
        if (const Instrument& i = handler_.instruments()[update.locate]; i.listed) top.symbol = i.stock;
        top_sequence_.store(top_sequence_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // single writer
        out_.on_top(top);
    }

    // Cold: once per gap given up, and a walk over every locate only when something was listed
    // since the last one (a resync may give up hundreds of ranges at once).
    void mark_stale() noexcept {
        if (handler_.instruments().listings() == listings_when_marked_) return;
        listings_when_marked_ = handler_.instruments().listings();
        std::uint64_t n = 0;
        for (std::size_t locate = 0; locate < itch::kLocates; ++locate) {
            if (!handler_.instruments()[static_cast<std::uint16_t>(locate)].listed) continue;
            stale_[locate] = true;
            ++n;
        }
        stale_count_.store(n, std::memory_order_relaxed);  // a statistic, single writer
    }

    FeedHandler handler_;
    mold::MessageCursor far_{mold::Packet{}};  // the hints' cursors over the packet being delivered
    mold::MessageCursor near_{mold::Packet{}};
    Sink sink_;
    LineArbitrator<Sink, Req> arbitrator_;
    Out& out_;
    std::bitset<itch::kLocates> stale_;  // 8 KiB, by stock locate
    std::uint64_t listings_when_marked_ = 0;
    std::atomic<std::uint64_t> stale_count_{0};
    std::uint64_t now_ns_ = 0;
    std::uint64_t receive_time_ = 0;
    std::atomic<std::uint64_t> top_sequence_{0};  // read by the stats printer
};

}  // namespace sentinel::feed
