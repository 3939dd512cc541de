#pragma once
// ArbitrationCounters: what the line arbitrator received on each line, what it delivered, and
// what went missing and how that ended; one enum with the labels the stats use.
//
//   per line: packets ─┬ malformed, foreign session, implausible: dropped whole
//                      ├ heartbeats, ends of session
//                      └ packets of messages: messages ─┬ duplicates: delivered or held already
//                                                       └ the first copy of each sequence number ─▶ messages (delivered)
//
//   gaps, missing_messages ─┬ recovered_messages     a re-request's answer brought it
//                           ├ filled_late_messages   line A or B brought it after all, past the tolerance
//                           ├ unrecoverable_messages skipped by a resync (recovery stalled, the buffer
//                           │                        was full: buffer_overflows, or the input ended)
//                           └ the rest: still open (LineArbitrator::open_messages(); 0 once finished)
//
// Every message received is delivered once or counted a duplicate (or held, until finished); every
// sequence number below the next to deliver was delivered or counted unrecoverable, except across
// a re-anchor, which moves the session without counting the numbers it skips.
//
// Memory ordering (disruptor/counter_block.hpp): one writer, the thread running the arbitrator; any
// thread reads relaxed and sees a recent value (the stats printer).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "disruptor/counter_block.hpp"
#include "feed/line.hpp"

namespace sentinel::feed {

// The per-line counters come in threes, in Line's order: on_line() picks one.
enum class ArbitrationCounter : std::size_t {
    packets_a,                   // UDP payloads handed in, whatever they held
    packets_b,
    packets_recovery,
    messages_a,                  // messages in well-formed packets of the session
    messages_b,
    messages_recovery,
    duplicates_a,                // messages already delivered or held: dropped
    duplicates_b,
    duplicates_recovery,
    malformed_packets_a,         // dropped whole: blocks that do not tile the payload (moldudp64.hpp)
    malformed_packets_b,
    malformed_packets_recovery,
    foreign_session_packets_a,   // dropped whole: a session other than the first one seen
    foreign_session_packets_b,
    foreign_session_packets_recovery,
    implausible_packets_a,       // dropped whole: numbers that cannot exist or lie beyond the horizon
    implausible_packets_b,
    implausible_packets_recovery,
    messages,                    // delivered to the sink: in sequence order, each once
    gaps,                        // missing ranges declared gaps: gone from both lines past the tolerance
    missing_messages,            // their sizes, summed
    recovered_messages,          // of those, brought by a re-request's answer
    filled_late_messages,        // of those, brought late by line A or B
    unrecoverable_messages,      // of those, skipped by a resync
    resyncs,                     // skips to the live stream past unrecoverable messages
    buffer_overflows,            // of those, forced by a full buffer: no range record left, or the lines
                                 // carried on beyond the window
    rerequests,                  // re-request packets sent, retries included
    rerequest_retries,           // of those, sent again because unanswered after retry_ns
    session_ended,               // 1 once an end-of-session packet arrived on any line
    reanchors,                   // moves of the session to a stream that stayed beyond the horizon
    count,                       // add all new counters before this one
};

inline constexpr std::size_t kArbitrationCounterCount = static_cast<std::size_t>(ArbitrationCounter::count);

inline constexpr std::array<std::string_view, kArbitrationCounterCount> kArbitrationCounterLabels{
    "feed_packets_a",
    "feed_packets_b",
    "feed_packets_recovery",
    "feed_messages_a",
    "feed_messages_b",
    "feed_messages_recovery",
    "feed_duplicates_a",
    "feed_duplicates_b",
    "feed_duplicates_recovery",
    "feed_malformed_packets_a",
    "feed_malformed_packets_b",
    "feed_malformed_packets_recovery",
    "feed_foreign_session_packets_a",
    "feed_foreign_session_packets_b",
    "feed_foreign_session_packets_recovery",
    "feed_implausible_packets_a",
    "feed_implausible_packets_b",
    "feed_implausible_packets_recovery",
    "feed_messages",
    "feed_gaps",
    "feed_missing_messages",
    "feed_recovered_messages",
    "feed_filled_late_messages",
    "feed_unrecoverable_messages",
    "feed_resyncs",
    "feed_buffer_overflows",
    "feed_rerequests",
    "feed_rerequest_retries",
    "feed_session_ended",
    "feed_reanchors",
};
static_assert(disruptor::every_label_given(kArbitrationCounterLabels), "a counter without a label: add it to kArbitrationCounterLabels, in the enum's order");

// The counter of `line` in the group of three that `line_a` opens.
constexpr ArbitrationCounter on_line(ArbitrationCounter line_a, Line line) noexcept {
    return static_cast<ArbitrationCounter>(static_cast<std::size_t>(line_a) + static_cast<std::size_t>(line));
}

static_assert(static_cast<std::size_t>(ArbitrationCounter::messages) ==
                  static_cast<std::size_t>(ArbitrationCounter::packets_a) + 6 * kLineCount,
              "per-line counters come in groups of kLineCount in Line's order: on_line() adds the line's index");

using ArbitrationCounters = disruptor::CounterBlock<ArbitrationCounter>;

}  // namespace sentinel::feed
