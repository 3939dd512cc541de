#include "feed_stage.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "feed/book_writer.hpp"
#include "feed/udp_frame.hpp"
#include "log/log.hpp"
#include "verdict.hpp"

namespace sentinel::net {

FeedStage::FeedStage(const FeedStageConfig& config, UdpSender* rerequests, TopOfBookRing* tops, const TscClock& clock,
                     std::pmr::memory_resource& memory)
    : clock_(clock),
      rerequests_(rerequests),
      tops_(tops),
      book_out_(config.book_out),
      engine_(requester_, output_, config.arbitration, config.books, &memory) {}

void FeedStage::on_events(std::span<PacketSlot> slots, std::int64_t, bool end_of_batch) {
    for (const PacketSlot& slot : slots)
        if ((slot.verdict & kFeedLines) != 0) on_frame(slot);
    if (end_of_batch) between_batches(rte_rdtsc());
}

void FeedStage::on_frame(const PacketSlot& slot) noexcept {
    add(FeedStageCounter::frames);
    std::span<const std::byte> frame;
    if (slot.contiguous()) {
        frame = {slot.data, slot.data_len};
    } else {
        const std::uint32_t len = std::min<std::uint32_t>(slot.len, kMaxFrame);
        frame = {static_cast<const std::byte*>(rte_pktmbuf_read(slot.mbuf, 0, len, flat_.data())), len};
    }
    const feed::UdpDatagram datagram = feed::udp_datagram(frame);
    switch (datagram.kind) {
        case feed::FrameKind::udp: break;
        case feed::FrameKind::other: add(FeedStageCounter::not_udp); return;
        case feed::FrameKind::fragment: add(FeedStageCounter::fragments); return;
        case feed::FrameKind::truncated: add(FeedStageCounter::truncated_frames); return;
    }
    const feed::Line line = (slot.verdict & kFeedA) != 0   ? feed::Line::a
                            : (slot.verdict & kFeedB) != 0 ? feed::Line::b
                                                           : feed::Line::recovery;
    const std::uint64_t arrived_ns = clock_.nanoseconds(slot.rx_tsc);
    const std::uint64_t delivered = engine_.arbitration().get(feed::ArbitrationCounter::messages);
    engine_.on_packet(line, datagram.payload, arrived_ns, arrived_ns);
    if (engine_.arbitration().get(feed::ArbitrationCounter::messages) != delivered)
        wire_to_book_.record(clock_.nanoseconds(rte_rdtsc()) - arrived_ns);
}

void FeedStage::on_idle(std::uint64_t tsc) noexcept { between_batches(tsc); }

void FeedStage::between_batches(std::uint64_t tsc) noexcept {
    const std::uint64_t now_ns = clock_.nanoseconds(tsc);
    if (now_ns - last_timer_ns_ >= kTimerEveryNs) {
        last_timer_ns_ = now_ns;
        engine_.on_timer(now_ns);
    }
    // A flag: the books it asks for are this lcore's own.
    if (dump_requested_.load(std::memory_order_relaxed)) {
        dump_requested_.store(false, std::memory_order_relaxed);
        try {
            if (const std::string error = write_books(); !error.empty())
                log::write(log::Type::feed, log::Level::error, "%s", error.c_str());
        } catch (const std::exception& e) {  // the text of the books did not fit in memory: the feed goes on
            log::write(log::Type::feed, log::Level::error, "--book-out not written: %s", e.what());
        }
    }
}

std::string FeedStage::write_books() {
    if (book_out_.empty()) return {};
    std::string text;
    const feed::BookWriteSummary summary = feed::write_books(engine_.books(), engine_.instruments(), text);
    const std::string temporary = book_out_ + ".tmp";
    std::FILE* f = std::fopen(temporary.c_str(), "w");
    if (f == nullptr) return "cannot write --book-out " + temporary + ": " + std::strerror(errno);
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int saved = errno;
    if (std::fclose(f) != 0 || !written) {
        std::remove(temporary.c_str());
        return "cannot write --book-out " + temporary + ": " + std::strerror(written ? errno : saved);
    }
    if (std::rename(temporary.c_str(), book_out_.c_str()) != 0)
        return "cannot rename " + temporary + " to " + book_out_ + ": " + std::strerror(errno);
    add(FeedStageCounter::book_dumps);
    if (summary.unnamed != 0)
        log::write(log::Type::feed, log::Level::warning,
                   "--book-out leaves out %zu instruments with orders but no Stock Directory message (a feed "
                   "joined late?)",
                   summary.unnamed);
    return {};
}

void FeedStage::Requester::send(const feed::mold::Request& request) noexcept {
    std::array<std::byte, feed::mold::kRequestSize> bytes;
    feed::mold::write_request(bytes, request);
    if (stage.rerequests_ == nullptr || !stage.rerequests_->send(bytes)) stage.add(FeedStageCounter::rerequests_unsent);
}

void FeedStage::Output::on_top(const feed::TopOfBook& top) noexcept {
    if (stage.tops_ == nullptr) return;
    auto& sequencer = stage.tops_->sequencer();
    const std::optional<std::int64_t> slot = sequencer.try_next();
    if (!slot) {
        stage.add(FeedStageCounter::tob_dropped_events);
        return;
    }
    TopOfBookEvent& event = stage.tops_->ring()[*slot];
    event.top = top;
    event.sequence = stage.engine_.top_changes();
    sequencer.publish(*slot);
}

bool FeedStage::report_gap(std::uint64_t number) noexcept {
    if (number <= kMaxGapReports) return true;
    if (!gap_reports_stopped_) {
        gap_reports_stopped_ = true;
        log::write(log::Type::feed, log::Level::notice,
                   "feed gaps: %llu reported; feed_gaps, feed_recovered_messages, feed_filled_late_messages and "
                   "feed_unrecoverable_messages count the rest",
                     static_cast<unsigned long long>(kMaxGapReports));
    }
    return false;
}

void FeedStage::Output::on_gap(std::uint64_t first, std::uint64_t count) noexcept {
    const std::uint64_t number = stage.engine_.arbitration().get(feed::ArbitrationCounter::gaps);
    if (stage.report_gap(number))
        log::write(log::Type::feed, log::Level::warning, "feed gap %llu: messages %llu to %llu (%llu) missing on both lines; %s",
                     static_cast<unsigned long long>(number), static_cast<unsigned long long>(first),
                     static_cast<unsigned long long>(first + count - 1), static_cast<unsigned long long>(count),
                     stage.finishing_                  ? "the input has ended"
                     : stage.rerequests_ != nullptr ? "re-requesting"
                                                    : "no --rerequest-server to ask");
}

// The gap's closing line says what was given up and what that made stale.
void FeedStage::Output::on_unrecoverable(std::uint64_t, std::uint64_t) noexcept {}

void FeedStage::Output::on_gap_closed(const feed::GapRecord& r) noexcept {
    if (!stage.report_gap(r.number)) return;
    char stale[64] = "";
    if (r.unrecoverable != 0)
        std::snprintf(stale, sizeof stale, " (%llu instruments stale)",
                      static_cast<unsigned long long>(stage.engine_.stale_instruments()));
    log::write(log::Type::feed, log::Level::notice,
               "feed gap %llu closed: messages %llu to %llu: %llu recovered by re-request, %llu arrived late on "
               "the lines, %llu given up%s",
                 static_cast<unsigned long long>(r.number), static_cast<unsigned long long>(r.first),
                 static_cast<unsigned long long>(r.first + r.count - 1), static_cast<unsigned long long>(r.recovered),
                 static_cast<unsigned long long>(r.filled_late), static_cast<unsigned long long>(r.unrecoverable), stale);
}

void FeedStage::Output::on_refused(const feed::RefusedPacket& p) noexcept {
    static constexpr std::array<const char*, 3> kWhat{"malformed packet", "packet of another session",
                                                      "implausible packet"};
    static constexpr std::array<const char*, 3> kCounter{"feed_malformed_packets", "feed_foreign_session_packets",
                                                         "feed_implausible_packets"};
    static constexpr std::array<const char*, feed::kLineCount> kLine{"a", "b", "recovery"};
    const auto reason = static_cast<std::size_t>(p.reason);
    RefusalBurst& burst = stage.refusal_bursts_[reason];
    const std::uint64_t now_ns = stage.clock_.nanoseconds(rte_rdtsc());
    if (burst.seen && now_ns - burst.reported_ns < kRefusalQuietNs) {  // a flood: a line a second at most
        ++burst.unreported;
        return;
    }
    burst.seen = true;
    burst.reported_ns = now_ns;
    const char* line = kLine[static_cast<std::size_t>(p.line)];
    log::write(log::Type::feed, log::Level::warning,
               "feed: %s on line %s (sequence %llu, %u messages; the session is at %llu): dropped whole, counted in "
               "%s_%s; more in the next second are only counted (%llu since the last report)",
                 kWhat[reason], line, static_cast<unsigned long long>(p.sequence), static_cast<unsigned>(p.count),
                 static_cast<unsigned long long>(p.next_sequence), kCounter[reason], line,
                 static_cast<unsigned long long>(burst.unreported));
    burst.unreported = 0;
}

void FeedStage::Output::on_reanchor(std::uint64_t from, std::uint64_t to) noexcept {
    log::write(log::Type::feed, log::Level::warning,
               "feed re-anchored: for seconds the lines carried only a stream beyond the horizon or of another "
               "session; the session moves from message %llu to %llu; every instrument is stale",
                 static_cast<unsigned long long>(from), static_cast<unsigned long long>(to));
}

}  // namespace sentinel::net
