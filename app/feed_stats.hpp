#pragma once
// FeedStats: the feed's final counters and its identities, printed after the packet counters and
// written to --stats-out with them (with --feed only).
//
//   feed_messages=N feed_duplicates=N feed_gaps=N feed_missing_messages=N feed_recovered_messages=N
//   feed_unrecoverable_messages=N feed_malformed_packets=N feed_stale_instruments=N ...   the summary
//   feed_packets_a=N ... itch_add_order=N ... book_unknown_order_refs=N ... tob_records=N  every counter
//   identity feed frames: feed_frames=N = not_udp=N + fragments=N + truncated=N + packets=N: ok
//   identity feed messages: received=N = delivered=N + duplicates=N: ok
//
// Thread safety: the main thread; feed_counters and the identities once the lcores have stopped
// (exact then), feed_live while they run.

#include <string>

#include "appliance/feed_senders.hpp"
#include "net/feed_stage.hpp"
#include "net/top_of_book_publisher.hpp"

namespace sentinel::app {

struct FeedReport {
    const net::FeedStage& feed;
    const net::TopOfBookPublisher* publisher;  // null without --tob-multicast and --tob-out
    const appliance::FeedSenders& senders;
};

std::string feed_counters(const FeedReport& report);
// " feed_messages=N feed_duplicates=N feed_gaps=N feed_unrecoverable_messages=N feed_stale_instruments=N":
// what the live stats line adds with --feed. Any thread (relaxed reads).
std::string feed_live(const net::FeedStage& feed);
bool feed_identities_hold(const net::FeedStage& feed);
std::string feed_identity_lines(const net::FeedStage& feed);

}  // namespace sentinel::app
