#include "feed_stats.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sentinel::app {

using feed::ArbitrationCounter;
using feed::FeedCounter;
using net::FeedStageCounter;

namespace {

std::string key_value(std::string_view key, std::uint64_t value) {
    return std::string(key) + '=' + std::to_string(value) + '\n';
}

std::uint64_t all_lines(const feed::ArbitrationCounters& c, ArbitrationCounter line_a) {
    return c.get(line_a) + c.get(feed::on_line(line_a, feed::Line::b)) + c.get(feed::on_line(line_a, feed::Line::recovery));
}

struct Identity {
    bool holds;
    std::string text;
};

Identity frames(const net::FeedStage& f) {
    const feed::ArbitrationCounters& a = f.engine().arbitration();
    const std::uint64_t packets = all_lines(a, ArbitrationCounter::packets_a);
    const std::uint64_t not_udp = f.get(FeedStageCounter::not_udp), fragments = f.get(FeedStageCounter::fragments),
                        truncated = f.get(FeedStageCounter::truncated_frames), total = f.get(FeedStageCounter::frames);
    return {total == not_udp + fragments + truncated + packets,
            "feed_frames=" + std::to_string(total) + " = not_udp=" + std::to_string(not_udp) + " + fragments=" +
                std::to_string(fragments) + " + truncated=" + std::to_string(truncated) + " + packets=" + std::to_string(packets)};
}

Identity messages(const net::FeedStage& f) {
    const feed::ArbitrationCounters& a = f.engine().arbitration();
    const std::uint64_t received = all_lines(a, ArbitrationCounter::messages_a);
    const std::uint64_t delivered = a.get(ArbitrationCounter::messages);
    const std::uint64_t duplicates = all_lines(a, ArbitrationCounter::duplicates_a);
    return {received == delivered + duplicates,
            "received=" + std::to_string(received) + " = delivered=" + std::to_string(delivered) + " + duplicates=" +
                std::to_string(duplicates)};
}

// Every message declared missing ended one way: nothing may be left open once the feed finished.
Identity missing(const net::FeedStage& f) {
    const feed::ArbitrationCounters& a = f.engine().arbitration();
    const std::uint64_t total = a.get(ArbitrationCounter::missing_messages);
    const std::uint64_t recovered = a.get(ArbitrationCounter::recovered_messages),
                        late = a.get(ArbitrationCounter::filled_late_messages),
                        given_up = a.get(ArbitrationCounter::unrecoverable_messages), open = f.engine().open_messages();
    return {open == 0 && total == recovered + late + given_up + open,
            "missing=" + std::to_string(total) + " = recovered=" + std::to_string(recovered) + " + filled_late=" +
                std::to_string(late) + " + unrecoverable=" + std::to_string(given_up) + " + open=" + std::to_string(open)};
}

}  // namespace

std::string feed_counters(const FeedReport& r) {
    const feed::ArbitrationCounters& a = r.feed.engine().arbitration();
    const feed::FeedCounters& h = r.feed.engine().counters();
    std::string text;
    // The summary operators look for first.
    text += key_value("feed_messages", a.get(ArbitrationCounter::messages));
    text += key_value("feed_duplicates", all_lines(a, ArbitrationCounter::duplicates_a));
    text += key_value("feed_malformed_packets", all_lines(a, ArbitrationCounter::malformed_packets_a));
    text += key_value("feed_stale_instruments", r.feed.engine().stale_instruments());
    text += key_value("feed_top_changes", r.feed.engine().top_changes());
    text += key_value("feed_wire_to_book_p50_ns", r.feed.wire_to_book().percentile(0.50));
    text += key_value("feed_wire_to_book_p99_ns", r.feed.wire_to_book().percentile(0.99));
    // Every arbitration counter (feed_gaps, feed_missing_messages, feed_recovered_messages, ...).
    for (std::size_t c = 0; c < feed::kArbitrationCounterCount; ++c)
        if (static_cast<ArbitrationCounter>(c) != ArbitrationCounter::messages)
            text += key_value(feed::kArbitrationCounterLabels[c], a.get(static_cast<ArbitrationCounter>(c)));
    for (std::size_t c = 0; c < net::kFeedStageCounterCount; ++c)
        text += key_value(net::kFeedStageCounterLabels[c], r.feed.get(static_cast<FeedStageCounter>(c)));
    // The handler's decode and book counters.
    for (std::size_t c = 0; c < feed::kFeedCounterCount; ++c)
        text += key_value(feed::kFeedCounterLabels[c], h.get(static_cast<FeedCounter>(c)));
    text += key_value("feed_rerequests_sent", r.senders.rerequests ? r.senders.rerequests->sent() : 0);
    text += key_value("tob_records", r.publisher ? r.publisher->records() : 0);
    text += key_value("tob_datagrams", r.publisher ? r.publisher->datagrams() : 0);
    text += key_value("tob_multicast_sent", r.senders.multicast ? r.senders.multicast->sent() : 0);
    text += key_value("tob_multicast_failed", r.senders.multicast ? r.senders.multicast->failed() : 0);
    text += key_value("tob_file_dropped", r.publisher ? r.publisher->file_dropped() : 0);
    return text;
}

std::string feed_live(const net::FeedStage& f) {
    const feed::ArbitrationCounters& a = f.engine().arbitration();
    return " feed_messages=" + std::to_string(a.get(ArbitrationCounter::messages)) +
           " feed_duplicates=" + std::to_string(all_lines(a, ArbitrationCounter::duplicates_a)) +
           " feed_gaps=" + std::to_string(a.get(ArbitrationCounter::gaps)) +
           " feed_unrecoverable_messages=" + std::to_string(a.get(ArbitrationCounter::unrecoverable_messages)) +
           " feed_stale_instruments=" + std::to_string(f.engine().stale_instruments());
}

bool feed_identities_hold(const net::FeedStage& feed) {
    return frames(feed).holds && messages(feed).holds && missing(feed).holds;
}

std::string feed_identity_lines(const net::FeedStage& feed) {
    std::string text;
    for (const auto& [name, i] : {std::pair{"frames", frames(feed)}, std::pair{"messages", messages(feed)},
                                  std::pair{"missing", missing(feed)}})
        text += "identity feed " + std::string(name) + ": " + i.text + ": " + (i.holds ? "ok" : "FAILED") + '\n';
    return text;
}

}  // namespace sentinel::app
