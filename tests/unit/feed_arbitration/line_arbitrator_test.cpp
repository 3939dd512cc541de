// LineArbitrator on hand-made packets: one line or two, duplicates, loss on one line, true gaps
// recovered by re-request (capped answers, the in-flight cap, a lost answer), given up after the
// timeout, reordering within the tolerance, heartbeats and end of session, malformed and foreign
// packets, and a full buffer.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "arbitration_test_support.hpp"
#include "feed/line_arbitrator.hpp"

namespace sentinel::feed {
namespace {

using namespace test;
using C = ArbitrationCounter;
using Kind = RecordingSink::Kind;

ArbitrationConfig small_config() {
    ArbitrationConfig c;
    c.reorder_packets = 8;
    c.reorder_ns = 10'000;
    c.max_request = 8;
    c.max_in_flight = 2;
    c.retry_ns = 100'000;
    c.recovery_timeout_ns = 1'000'000;
    c.buffer_messages = 64;
    c.max_message_size = 16;
    c.max_ranges = 16;
    return c;
}

struct Rig : ArbitrationRig {
    explicit Rig(const ArbitrationConfig& config = small_config(), std::uint64_t messages = 100,
                 std::uint16_t server_cap = 1000)
        : ArbitrationRig(config, messages, server_cap) {}
};

TEST(LineArbitrator, LineAAloneDeliversEveryMessageOnceInOrder) {
    Rig rig;
    for (std::uint64_t s = 1; s <= 100; s += 5) rig.a(s, 5);
    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    rig.expect_bytes_as_sent();
    EXPECT_EQ(rig.sink.events.size(), 100u);
    EXPECT_EQ(rig.get(C::packets_a), 20u);
    EXPECT_EQ(rig.get(C::messages_a), 100u);
    EXPECT_EQ(rig.get(C::messages), 100u);
    EXPECT_EQ(rig.duplicates(), 0u);
    EXPECT_EQ(rig.get(C::gaps), 0u);
    EXPECT_EQ(rig.get(C::packets_b), 0u);
    EXPECT_EQ(rig.arbitrator.next_sequence(), 101u);
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitrator, LineBAloneDeliversEveryMessageOnceInOrder) {
    Rig rig;
    for (std::uint64_t s = 1; s <= 100; s += 7) rig.b(s, 7);
    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    rig.expect_bytes_as_sent();
    EXPECT_EQ(rig.get(C::packets_b), 15u);
    EXPECT_EQ(rig.get(C::messages_b), 100u);
    EXPECT_EQ(rig.get(C::packets_a), 0u);
    EXPECT_EQ(rig.duplicates(), 0u);
}

TEST(LineArbitrator, IdenticalLinesDeliverTheFirstCopyAndCountEveryLaterOneAsADuplicate) {
    Rig rig;
    for (std::uint64_t s = 1; s <= 100; s += 10) {
        rig.a(s, 10);
        rig.b(s, 10);
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    EXPECT_EQ(rig.get(C::duplicates_a), 0u);
    EXPECT_EQ(rig.get(C::duplicates_b), 100u);
    EXPECT_EQ(rig.get(C::messages_b), 100u);

    // B ahead by three packets: now every copy on A is the later one.
    Rig skewed;
    for (std::uint64_t k = 0; k < 13; ++k) {
        if (k < 10) skewed.b(1 + 10 * k, 10);
        if (k >= 3) skewed.a(1 + 10 * (k - 3), 10);
    }
    EXPECT_EQ(skewed.sink.delivered(), range(1, 100));
    EXPECT_EQ(skewed.get(C::duplicates_a), 100u);
    EXPECT_EQ(skewed.get(C::duplicates_b), 0u);
    EXPECT_EQ(skewed.get(C::gaps), 0u);
}

TEST(LineArbitrator, PacketsLostOnAAreFilledByBWithoutAGap) {
    Rig rig;
    // B runs two packets behind A; A loses packets 3 and 7 (messages 21..30 and 61..70).
    for (std::uint64_t k = 0; k < 12; ++k) {
        if (k < 10 && k != 2 && k != 6) rig.a(1 + 10 * k, 10);
        if (k >= 2) rig.b(1 + 10 * (k - 2), 10);
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    rig.expect_bytes_as_sent();
    EXPECT_EQ(rig.get(C::gaps), 0u);
    EXPECT_EQ(rig.get(C::rerequests), 0u);
    EXPECT_TRUE(rig.server.requests.empty());
    EXPECT_EQ(rig.get(C::messages_a), 80u);
    EXPECT_EQ(rig.duplicates(), 80u);  // each message once, the rest of the 180 copies dropped
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitrator, TrueGapIsRecoveredByRequestsLoopingOverCappedAnswersWithinTheInFlightCap) {
    Rig rig(small_config(), 100, /*server_cap=*/3);
    // Messages 41..60 are lost on both lines.
    for (std::uint64_t s = 1; s <= 100; s += 10) {
        if (s == 41 || s == 51) continue;
        rig.a(s, 10);
        rig.b(s, 10);
        rig.now += 100;
    }
    rig.wait(10'000);
    // Declared once the tolerance passed, and asked for 8 messages at a time, two requests at most.
    ASSERT_EQ(rig.sink.of(Kind::gap), (std::vector<RecordingSink::Event>{{Kind::gap, 41, 20}}));
    EXPECT_EQ(rig.sink.delivered(), range(1, 40));
    ASSERT_EQ(rig.server.requests.size(), 2u);
    EXPECT_EQ(rig.server.requests[0].sequence, 41u);
    EXPECT_EQ(rig.server.requests[0].count, 8u);
    EXPECT_EQ(rig.server.requests[1].sequence, 49u);
    EXPECT_EQ(rig.server.requests[1].count, 8u);
    EXPECT_EQ(rig.server.requests[0].session, session_of(kSession));

    rig.answer_all();

    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    rig.expect_bytes_as_sent();
    EXPECT_LE(rig.server.most_pending, 2u);
    EXPECT_GE(rig.server.requests.size(), 7u);  // 20 messages, 3 an answer
    for (const mold::Request& r : rig.server.requests) {
        EXPECT_GE(r.sequence, 41u);
        EXPECT_LE(r.sequence + r.count, 61u);
        EXPECT_LE(r.count, 8u);
    }
    EXPECT_EQ(rig.get(C::rerequests), rig.server.requests.size());
    EXPECT_EQ(rig.get(C::rerequest_retries), 0u);
    EXPECT_EQ(rig.get(C::gaps), 1u);
    EXPECT_EQ(rig.get(C::missing_messages), 20u);
    EXPECT_EQ(rig.get(C::recovered_messages), 20u);
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 0u);
    EXPECT_EQ(rig.get(C::resyncs), 0u);
    EXPECT_EQ(rig.get(C::messages_recovery), 20u);
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitrator, UnansweredRequestIsSentAgainAfterTheRetryTime) {
    Rig rig;
    rig.a(1, 10);
    rig.a(16, 10);  // 11..15 lost
    rig.wait(10'000);
    ASSERT_EQ(rig.server.requests.size(), 1u);
    rig.server.lose_answers = 1;
    rig.answer_all();
    rig.wait(99'000);
    EXPECT_EQ(rig.server.requests.size(), 1u) << "re-sent before retry_ns";
    rig.wait(1'000);
    ASSERT_EQ(rig.server.requests.size(), 2u);
    EXPECT_EQ(rig.server.requests[1].sequence, 11u);
    EXPECT_EQ(rig.server.requests[1].count, 5u);
    EXPECT_EQ(rig.get(C::rerequest_retries), 1u);
    rig.answer_all();
    EXPECT_EQ(rig.sink.delivered(), range(1, 25));
    EXPECT_EQ(rig.get(C::recovered_messages), 5u);
    EXPECT_EQ(rig.get(C::rerequests), 2u);
}

TEST(LineArbitrator, GapUnfilledAtTheTimeoutIsGivenUpAndTheHeldMessagesFollowInOrder) {
    Rig rig;
    rig.a(1, 10);
    for (std::uint64_t s = 21; s <= 60; s += 10) rig.a(s, 10);  // 11..20 lost on every line
    rig.server.lose_answers = 1'000;
    for (int i = 0; i < 20; ++i) {
        rig.wait(50'000);
        rig.answer_all();
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 10)) << "given up before the timeout";
    rig.wait(1'000'000);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10)) << "the lines are silent: what they bring may still be on its way";
    rig.wait(9'000'000);  // ten times the timeout

    const std::vector<RecordingSink::Event> tail(rig.sink.events.begin() + 10, rig.sink.events.end());
    ASSERT_EQ(tail.size(), 2u + 40u);
    EXPECT_EQ(tail[0], (RecordingSink::Event{Kind::gap, 11, 10}));
    EXPECT_EQ(tail[1], (RecordingSink::Event{Kind::unrecoverable, 11, 10}));
    EXPECT_EQ(rig.sink.delivered(), range(1, 10) + range(21, 60));
    rig.expect_bytes_as_sent();
    EXPECT_GE(rig.get(C::rerequest_retries), 5u);
    EXPECT_EQ(rig.get(C::gaps), 1u);
    EXPECT_EQ(rig.get(C::missing_messages), 10u);
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 10u);
    EXPECT_EQ(rig.get(C::recovered_messages), 0u);
    EXPECT_EQ(rig.get(C::resyncs), 1u);
    EXPECT_EQ(rig.get(C::buffer_overflows), 0u);
    EXPECT_EQ(rig.arbitrator.next_sequence(), 61u);
    EXPECT_FALSE(rig.arbitrator.waiting());

    // A late answer changes nothing: its messages are behind the stream now.
    const std::size_t requests = rig.server.requests.size();
    rig.on(Line::recovery, 11, 10);
    EXPECT_EQ(rig.get(C::duplicates_recovery), 10u);
    EXPECT_EQ(rig.sink.delivered().size(), 50u);
    rig.wait(10'000'000);
    EXPECT_EQ(rig.server.requests.size(), requests);
}

TEST(LineArbitrator, GapIsGivenUpAtTheTimeoutOnceTheLinesFlowWithoutIt) {
    Rig rig(small_config(), 200);
    rig.a(1, 10);
    rig.a(21, 10);  // 11..20 lost on every line
    rig.server.lose_answers = 1'000;
    rig.wait(10'000);
    ASSERT_EQ(rig.get(C::gaps), 1u);
    std::uint64_t s = 31;
    for (; s < 100; s += 2) {  // a line packet every 100 us: past 8 (reorder_packets) when 1 ms is up
        rig.a(s, 2);
        rig.wait(100'000);
        if (rig.get(C::unrecoverable_messages) != 0) break;
    }
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 10u);
    EXPECT_EQ(s, 49u) << "given up at the timeout, 1 ms (10 packets) after the declaration, not ten times later";
}

TEST(LineArbitrator, ReorderingWithinTheToleranceIsNoGap) {
    Rig rig;
    // Line A alone, with neighbours swapped: 1 3 2 5 4 7 6 ... and one packet three places late.
    const std::vector<std::uint64_t> order{0, 2, 1, 4, 3, 6, 5, 8, 9, 10, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    for (std::uint64_t k : order) {
        rig.a(1 + 5 * k, 5);
        rig.now += 1'000;
    }
    rig.wait(1'000'000);
    EXPECT_EQ(rig.sink.delivered(), range(1, 100));
    EXPECT_EQ(rig.get(C::gaps), 0u);
    EXPECT_TRUE(rig.server.requests.empty());
    EXPECT_TRUE(rig.sink.of(Kind::gap).empty());
}

TEST(LineArbitrator, MissingRangeBecomesAGapAfterTheToleranceInPacketsOrInTime) {
    {
        Rig rig;  // time stands still: the packets decide
        rig.a(1, 5);
        rig.a(11, 5);  // 6..10 missing
        for (std::uint64_t s = 16; s <= 46; s += 5) rig.a(s, 5);
        EXPECT_EQ(rig.get(C::gaps), 0u) << "7 packets since it was found";
        rig.a(51, 5);
        EXPECT_EQ(rig.get(C::gaps), 1u);
        EXPECT_EQ(rig.sink.of(Kind::gap), (std::vector<RecordingSink::Event>{{Kind::gap, 6, 5}}));
    }
    {
        Rig rig;  // one packet, then quiet: the time decides
        rig.a(1, 5);
        rig.a(11, 5);
        rig.wait(9'999);
        EXPECT_EQ(rig.get(C::gaps), 0u);
        rig.wait(1);
        EXPECT_EQ(rig.get(C::gaps), 1u);
        ASSERT_EQ(rig.server.requests.size(), 1u);
        EXPECT_EQ(rig.server.requests[0].sequence, 6u);
        EXPECT_EQ(rig.server.requests[0].count, 5u);
    }
}

TEST(LineArbitrator, LineCopyArrivingAfterTheDeclarationFillsTheGap) {
    Rig rig;
    rig.a(1, 5);
    rig.a(11, 5);
    rig.wait(10'000);
    ASSERT_EQ(rig.get(C::gaps), 1u);
    rig.b(6, 5);  // very late, but first
    EXPECT_EQ(rig.sink.delivered(), range(1, 15));
    EXPECT_EQ(rig.get(C::filled_late_messages), 5u) << "a line's copy is no recovery";
    EXPECT_EQ(rig.get(C::recovered_messages), 0u);
    ASSERT_EQ(rig.sink.closed.size(), 1u);
    EXPECT_EQ(rig.sink.closed[0].filled_late, 5u);
    rig.answer_all();  // the answer to the request is a duplicate now
    EXPECT_EQ(rig.get(C::duplicates_recovery), 5u);
    EXPECT_EQ(rig.sink.delivered(), range(1, 15));
}

TEST(LineArbitrator, HeartbeatRevealsAGapAtTheEndOfABurst) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::a, heartbeat(15));  // 11..14 were sent, and lost on A
    rig.raw(Line::b, heartbeat(15));  // ... and on B
    EXPECT_TRUE(rig.arbitrator.waiting());
    rig.wait(10'000);
    ASSERT_EQ(rig.sink.of(Kind::gap), (std::vector<RecordingSink::Event>{{Kind::gap, 11, 4}}));
    ASSERT_EQ(rig.server.requests.size(), 1u);
    EXPECT_EQ(rig.server.requests[0].sequence, 11u);
    EXPECT_EQ(rig.server.requests[0].count, 4u);
    rig.answer_all();
    EXPECT_EQ(rig.sink.delivered(), range(1, 14));
    EXPECT_EQ(rig.arbitrator.next_sequence(), 15u);

    rig.raw(Line::a, heartbeat(3));  // an old heartbeat says nothing new
    rig.raw(Line::a, heartbeat(15));
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitrator, EndOfSessionDoesNotAdvanceTheNextSequence) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::a, end_of_session(11));
    rig.raw(Line::b, end_of_session(11));
    EXPECT_EQ(rig.arbitrator.next_sequence(), 11u);
    EXPECT_EQ(rig.get(C::session_ended), 1u);
    EXPECT_FALSE(rig.arbitrator.waiting());
    EXPECT_EQ(rig.get(C::messages), 10u);
    rig.wait(10'000'000);
    EXPECT_EQ(rig.get(C::gaps), 0u);
}

TEST(LineArbitrator, EndOfSessionRevealsMessagesLostBeforeIt) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::a, end_of_session(14));  // 11..13 were the session's last, lost
    EXPECT_EQ(rig.arbitrator.next_sequence(), 11u);
    rig.wait(10'000);
    ASSERT_EQ(rig.server.requests.size(), 1u);
    EXPECT_EQ(rig.server.requests[0].sequence, 11u);
    EXPECT_EQ(rig.server.requests[0].count, 3u);
    rig.answer_all();
    EXPECT_EQ(rig.sink.delivered(), range(1, 13));
    EXPECT_EQ(rig.arbitrator.next_sequence(), 14u);
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitrator, MalformedPacketsAreCountedAndNoneOfTheirMessagesUsed) {
    Rig rig;
    const Bytes good = rig.stream.packet(1, 5);
    Bytes cut(good.begin(), good.end() - 1);               // the last block runs past the end
    Bytes extra = good;                                     // a byte after the last block
    extra.push_back(std::byte{0});
    Bytes promises = good;                                  // count 6, five blocks
    promises[19] = std::byte{6};
    Bytes runt(good.begin(), good.begin() + 19);           // shorter than the header
    for (const Bytes* p : {&cut, &extra, &promises, &runt}) rig.raw(Line::a, *p);
    EXPECT_EQ(rig.get(C::malformed_packets_a), 4u);
    EXPECT_EQ(rig.get(C::packets_a), 4u);
    EXPECT_EQ(rig.get(C::messages_a), 0u);
    EXPECT_TRUE(rig.sink.events.empty());
    EXPECT_FALSE(rig.arbitrator.waiting());

    rig.raw(Line::b, good);
    rig.raw(Line::recovery, cut);
    EXPECT_EQ(rig.sink.delivered(), range(1, 5));
    EXPECT_EQ(rig.get(C::malformed_packets_recovery), 1u);
}

TEST(LineArbitrator, PacketsOfAnotherSessionAreCountedAndIgnored) {
    Rig rig;
    rig.a(1, 5);
    rig.arbitrator.on_packet(Line::b, rig.stream.packet(6, 5, "OTHER"), rig.now);
    rig.arbitrator.on_packet(Line::b, rig.stream.packet(50, 5, "OTHER"), rig.now);  // would be a gap
    rig.raw(Line::a, heartbeat(90, "OTHER"));
    EXPECT_EQ(rig.get(C::foreign_session_packets_b), 2u);
    EXPECT_EQ(rig.get(C::foreign_session_packets_a), 1u);
    EXPECT_EQ(rig.sink.delivered(), range(1, 5));
    EXPECT_FALSE(rig.arbitrator.waiting());
    rig.b(6, 5);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
}

TEST(LineArbitrator, WhatTheWindowCannotHoldIsRefusedUntilTheLinesShowTheyCarriedOnBeyondIt) {
    ArbitrationConfig c = small_config();
    c.buffer_messages = 16;  // the window: 15 past the next number
    Rig rig(c);
    rig.a(1, 10);
    for (std::uint64_t s = 12; s <= 40; ++s) rig.a(s, 1);  // 11 lost everywhere; a packet a message
    // 12..25 fit the window after 11; 26 on are refused, a far stream within the horizon.
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
    EXPECT_EQ(rig.get(C::implausible_packets_a), 15u);
    rig.server.lose_answers = 1'000;
    rig.wait(1'000'000);  // the refused packets were the lines flowing: stalled at the timeout
    EXPECT_EQ(rig.sink.delivered(), range(1, 10) + range(12, 25));
    rig.expect_bytes_as_sent();
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 1u);
    EXPECT_EQ(rig.get(C::missing_messages), 1u);
    EXPECT_EQ(rig.get(C::buffer_overflows), 0u);
    // The stream beyond the window lasted past the tolerance (8 packets, 10 us): followed, what the
    // window could not hold given up.
    for (std::uint64_t s = 41; s <= 45; ++s) rig.a(s, 1);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10) + range(12, 25) + range(41, 45));
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 1u + 15u);
    EXPECT_EQ(rig.get(C::buffer_overflows), 1u);
    EXPECT_EQ(rig.arbitrator.open_messages(), 0u);
}

TEST(LineArbitrator, TooManyMissingRangesResyncLikeAFullBuffer) {
    ArbitrationConfig c = small_config();
    c.max_ranges = 2;
    Rig rig(c);
    rig.a(1, 1);
    rig.a(3, 1);  // 2 missing
    rig.a(5, 1);  // 4 missing: two ranges
    rig.a(7, 1);  // 6 missing: no record left, so 2 and 4 are given up, and 6 with them
    EXPECT_EQ(rig.sink.delivered(), (std::vector<std::uint64_t>{1, 3, 5, 7}));
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 3u);
    EXPECT_EQ(rig.get(C::gaps), 3u);
    EXPECT_EQ(rig.get(C::buffer_overflows), 1u);
    EXPECT_EQ(rig.sink.of(Kind::unrecoverable),
              (std::vector<RecordingSink::Event>{{Kind::unrecoverable, 2, 1},
                                                 {Kind::unrecoverable, 4, 1},
                                                 {Kind::unrecoverable, 6, 1}}));
}

TEST(LineArbitrator, MessageLongerThanASlotMakesThePacketMalformed) {
    Rig rig;  // slots of 16 bytes; the stream's messages have 9 to 13
    rig.a(1, 5);
    Bytes packet = header(kSession, 6, 1);
    put_be(packet, 17, 2);
    packet.insert(packet.end(), 17, std::byte{'Z'});
    rig.raw(Line::a, packet);
    rig.a(6, 5);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
    EXPECT_EQ(rig.get(C::malformed_packets_a), 1u);
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 0u);
}

TEST(LineArbitrator, JoiningWithinTheHorizonRecoversTheStart) {
    Rig rig(small_config(), 200);
    rig.a(40, 5);  // 1..39 never seen: within the horizon (63), so a gap to recover
    rig.wait(10'000);
    ASSERT_EQ(rig.sink.of(Kind::gap).size(), 1u);
    EXPECT_EQ(rig.sink.of(Kind::gap)[0], (RecordingSink::Event{Kind::gap, 1, 39}));
    rig.answer_all();
    EXPECT_EQ(rig.sink.delivered(), range(1, 44));
    EXPECT_EQ(rig.get(C::recovered_messages), 39u);
}

}  // namespace
}  // namespace sentinel::feed
