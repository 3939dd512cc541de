// LineArbitrator against a hostile wire: packets of the session whose numbers cannot exist or lie
// beyond the horizon (sequence 0, 2^64 - 1, a count past 2^64, a heartbeat at 2^63, far behind),
// ends of session from strangers, other sessions, a forged heartbeat within the horizon, and the
// re-anchoring that an outage longer than the horizon needs. In each, the good stream is
// delivered whole and in order, and every counter stays within what the input could carry.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "arbitration_test_support.hpp"
#include "feed/line_arbitrator.hpp"

namespace sentinel::feed {
namespace {

using namespace test;
using C = ArbitrationCounter;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

ArbitrationConfig hostile_config() {
    ArbitrationConfig c;
    c.reorder_packets = 8;
    c.reorder_ns = 10'000;
    c.max_request = 8;
    c.max_in_flight = 2;
    c.retry_ns = 100'000;
    c.recovery_timeout_ns = 1'000'000;
    c.horizon = 1'000;
    c.reanchor_packets = 4;
    c.reanchor_ns = 5'000'000;
    c.buffer_messages = 1024;  // the horizon in force is at most the window less one
    c.max_message_size = 16;
    c.max_ranges = 16;
    return c;
}

struct Rig : ArbitrationRig {
    explicit Rig(std::uint64_t messages = 200, const ArbitrationConfig& config = hostile_config())
        : ArbitrationRig(config, messages, 1000) {}

    // A packet of the session claiming `count` messages from `sequence` (each a one-byte 'Z').
    Bytes forged(std::uint64_t sequence, std::uint16_t count) const {
        Bytes b = header(kSession, sequence, count);
        for (std::uint16_t i = 0; i < count; ++i) {
            put_be(b, 1, 2);
            b.push_back(std::byte{'Z'});
        }
        return b;
    }

    // Every counter within what `packets` packets could carry, and the missing identity.
    void expect_bounded(std::uint64_t packets, std::uint64_t horizon = 1'000) const {
        EXPECT_LE(get(C::missing_messages), packets * horizon);
        EXPECT_LE(get(C::unrecoverable_messages), get(C::missing_messages));
        EXPECT_EQ(get(C::missing_messages), get(C::recovered_messages) + get(C::filled_late_messages) +
                                                get(C::unrecoverable_messages) + arbitrator.open_messages());
    }
};

TEST(LineArbitratorHostile, MessageAtTheLastSequenceNumberIsRefusedAndTheStreamGoesOn) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::a, rig.forged(kMax, 1));  // the report's packet: would run past 2^64
    rig.raw(Line::a, rig.forged(kMax - 2, 5));
    rig.a(11, 10);
    EXPECT_EQ(rig.sink.delivered(), range(1, 20));
    EXPECT_EQ(rig.get(C::implausible_packets_a), 2u);
    EXPECT_EQ(rig.get(C::missing_messages), 0u);
    EXPECT_EQ(rig.get(C::messages_a), 20u) << "a refused packet's messages are not received";
    EXPECT_EQ(rig.arbitrator.next_sequence(), 21u);
    ASSERT_EQ(rig.sink.refused.size(), 2u);
    EXPECT_EQ(rig.sink.refused[0].reason, Refusal::implausible);
    EXPECT_EQ(rig.sink.refused[0].sequence, kMax);
    EXPECT_EQ(rig.sink.refused[0].next_sequence, 11u);
    EXPECT_FALSE(rig.arbitrator.waiting());
}

TEST(LineArbitratorHostile, HeartbeatFarAheadMovesNothing) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::b, heartbeat(std::uint64_t{1} << 63));
    rig.raw(Line::a, end_of_session(std::uint64_t{1} << 40));
    rig.a(11, 10);
    rig.wait(10'000'000);
    EXPECT_EQ(rig.sink.delivered(), range(1, 20));
    EXPECT_EQ(rig.get(C::implausible_packets_b), 1u);
    EXPECT_EQ(rig.get(C::implausible_packets_a), 1u);
    EXPECT_EQ(rig.get(C::session_ended), 0u) << "an implausible end of session ends nothing";
    EXPECT_EQ(rig.get(C::missing_messages), 0u);
    EXPECT_EQ(rig.get(C::gaps), 0u);
    rig.expect_bounded(4);
}

TEST(LineArbitratorHostile, SequenceZeroIsNeverANumber) {
    Rig rig;
    rig.a(1, 5);
    rig.raw(Line::a, rig.forged(0, 3));
    rig.raw(Line::b, heartbeat(0));
    rig.raw(Line::a, end_of_session(0));
    rig.a(6, 5);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
    EXPECT_EQ(rig.get(C::implausible_packets_a), 2u);
    EXPECT_EQ(rig.get(C::implausible_packets_b), 1u);
    EXPECT_EQ(rig.get(C::duplicates_a), 0u);
}

TEST(LineArbitratorHostile, FarBehindIsImplausibleToo) {
    Rig rig(3'000);
    rig.a(1'500, 10);  // joined late, beyond the horizon of 1: starts here
    EXPECT_EQ(rig.arbitrator.next_sequence(), 1'510u);
    EXPECT_EQ(rig.get(C::missing_messages), 0u) << "what came before the join was never ours";
    rig.a(400, 5);  // 1,110 behind: more than the horizon
    rig.a(600, 5);  // 910 behind: a duplicate
    rig.a(1'510, 5);
    EXPECT_EQ(rig.sink.delivered(), range(1'500, 1'514));
    EXPECT_EQ(rig.get(C::implausible_packets_a), 1u);
    EXPECT_EQ(rig.get(C::duplicates_a), 5u);
}

TEST(LineArbitratorHostile, EndOfSessionFromAStrangerAndAnotherSessionChangeNothing) {
    Rig rig;
    rig.a(1, 10);
    rig.raw(Line::a, end_of_session(11, "STRANGER01"));
    rig.raw(Line::b, heartbeat(500, "STRANGER01"));
    rig.raw(Line::b, rig.stream.packet(11, 5, "STRANGER01"));
    rig.a(11, 10);
    EXPECT_EQ(rig.sink.delivered(), range(1, 20));
    EXPECT_EQ(rig.get(C::foreign_session_packets_a), 1u);
    EXPECT_EQ(rig.get(C::foreign_session_packets_b), 2u);
    EXPECT_EQ(rig.get(C::session_ended), 0u);
    EXPECT_EQ(rig.get(C::duplicates_b), 0u) << "a foreign packet's messages are not received";
    ASSERT_EQ(rig.sink.refused.size(), 3u);
    EXPECT_EQ(rig.sink.refused[0].reason, Refusal::foreign_session);
}

TEST(LineArbitratorHostile, AnEndOfSessionCannotStartOne) {
    Rig rig;
    rig.raw(Line::a, end_of_session(6, "STRANGER01"));  // first of all: a session that is over
    rig.raw(Line::b, end_of_session(6));
    rig.a(1, 10);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
    EXPECT_EQ(rig.get(C::foreign_session_packets_a) + rig.get(C::foreign_session_packets_b), 2u);
    EXPECT_EQ(rig.get(C::session_ended), 0u);
}

TEST(LineArbitratorHostile, ReRequestsNearTheLastNumberNeverWrap) {
    Rig rig;
    rig.raw(Line::a, heartbeat(kMax - 8));  // joined late, near the top
    rig.raw(Line::a, heartbeat(kMax - 4));
    rig.wait(20'000);
    ASSERT_EQ(rig.server.requests.size(), 1u);
    EXPECT_EQ(rig.server.requests[0].sequence, kMax - 8);
    EXPECT_EQ(rig.server.requests[0].count, 4u);
}

TEST(LineArbitratorHostile, AnAnswerNobodyAskedForCannotStartASession) {
    Rig rig;
    rig.raw(Line::recovery, rig.stream.packet(50, 5));
    EXPECT_EQ(rig.get(C::implausible_packets_recovery), 1u);
    rig.a(1, 10);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10));
}

// A heartbeat within the horizon cannot be told from a true one; but the stream that keeps
// filling the range it opens is not a stalled gap, so nothing it claims is given up while the
// good stream flows, and the book stays exact.
TEST(LineArbitratorHostile, ForgedHeartbeatWithinTheHorizonNeverCostsTheLiveStreamAMessage) {
    Rig rig(300);
    rig.a(1, 10);
    rig.raw(Line::a, heartbeat(600));  // claims 11..599 were sent
    for (std::uint64_t s = 11; s <= 290; s += 10) {
        rig.a(s, 10);
        rig.b(s, 10);
        rig.wait(300'000);  // 30 ms of gap age in all: far past recovery_timeout_ns
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 290));
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 0u);
    // 11..20 came before the range was old enough to be a gap: 21..599 was declared.
    EXPECT_EQ(rig.get(C::missing_messages), 579u);
    EXPECT_EQ(rig.get(C::filled_late_messages), 270u) << "the lines filled what the heartbeat declared";
    rig.arbitrator.finish(rig.now);
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 309u) << "291..599 never came, and the input has ended";
    EXPECT_EQ(rig.arbitrator.open_messages(), 0u);
    rig.expect_bounded(60);
    ASSERT_EQ(rig.sink.closed.size(), 1u);
    EXPECT_EQ(rig.sink.closed[0].filled_late, 270u);
    EXPECT_EQ(rig.sink.closed[0].unrecoverable, 309u);
}

TEST(LineArbitratorHostile, AStreamBeyondTheHorizonWithTheSessionAliveNeverMovesIt) {
    Rig rig(200);
    rig.a(1, 10);
    std::uint64_t good = 11;
    for (int i = 0; i < 20; ++i) {
        rig.raw(Line::a, rig.forged(5'000 + 10 * i, 10));
        rig.raw(Line::b, rig.forged(5'000 + 10 * i, 10));
        rig.wait(1'000'000);
        if (i % 4 == 3) {
            rig.a(good, 10);
            good += 10;
        }
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, good - 1));
    EXPECT_EQ(rig.get(C::reanchors), 0u);
    EXPECT_EQ(rig.get(C::implausible_packets_a) + rig.get(C::implausible_packets_b), 40u);
}

TEST(LineArbitratorHostile, AnOutageLongerThanTheHorizonReanchorsOnTheLiveStream) {
    Rig rig(10'000);
    rig.a(1, 10);
    rig.a(12, 5);  // 11 missing
    // Both lines come back 5,000 further on, consistently, and nothing plausible comes any more.
    std::uint64_t s = 5'000;
    for (; rig.get(C::reanchors) == 0 && s < 5'200; s += 5) {
        rig.a(s, 5);
        rig.b(s, 5);
        rig.wait(1'000'000);
    }
    ASSERT_EQ(rig.get(C::reanchors), 1u);
    ASSERT_EQ(rig.sink.reanchors.size(), 1u);
    EXPECT_EQ(rig.sink.reanchors[0].from, 17u);
    const std::uint64_t to = rig.sink.reanchors[0].to;
    EXPECT_GE(to, 5'000u);
    EXPECT_EQ(rig.arbitrator.next_sequence(), to + 5);
    rig.a(s, 20);
    EXPECT_EQ(rig.sink.delivered(), range(1, 10) + range(12, 16) + range(to, s + 19));
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 1u) << "11, given up before the move";
    EXPECT_EQ(rig.arbitrator.open_messages(), 0u);
}

TEST(LineArbitratorHostile, AStrangersFirstPacketCannotHoldTheSessionForever) {
    Rig rig(300);
    rig.raw(Line::a, heartbeat(kMax - 100));  // first: the session anchors far away
    std::uint64_t s = 1;
    for (; rig.get(C::reanchors) == 0 && s < 200; s += 5) {
        rig.a(s, 5);
        rig.wait(2'000'000);
    }
    ASSERT_EQ(rig.get(C::reanchors), 1u);
    rig.a(s, 10);
    const std::vector<std::uint64_t> delivered = rig.sink.delivered();
    ASSERT_FALSE(delivered.empty());
    EXPECT_EQ(delivered, range(delivered.front(), s + 9)) << "once moved, the live stream in order";
    EXPECT_EQ(rig.get(C::missing_messages), 0u);
}

TEST(LineArbitratorHostile, AStrangersSessionFirstCannotHoldTheFeedForever) {
    Rig rig(300);
    rig.raw(Line::a, heartbeat(5, "STRANGER01"));  // first: anchors the stranger's session
    std::uint64_t s = 1;
    for (; rig.get(C::reanchors) == 0 && s < 200; s += 5) {
        rig.a(s, 5);
        rig.wait(2'000'000);
    }
    ASSERT_EQ(rig.get(C::reanchors), 1u);
    rig.a(s, 10);
    const std::vector<std::uint64_t> delivered = rig.sink.delivered();
    ASSERT_FALSE(delivered.empty());
    EXPECT_EQ(delivered, range(delivered.front(), s + 9));
    rig.raw(Line::b, heartbeat(s + 30, "STRANGER01"));
    EXPECT_EQ(rig.sink.refused.back().reason, Refusal::foreign_session) << "the stranger is now the foreigner";
}

TEST(LineArbitratorHostile, AChainOfForgedHeartbeatsCannotWalkTheHorizon) {
    Rig rig(400);
    rig.a(1, 10);
    for (std::uint64_t k = 1; k <= 40; ++k) rig.raw(Line::a, heartbeat(11 + 900 * k));  // each 900 past the last
    for (std::uint64_t s = 11; s <= 391; s += 10) {
        rig.a(s, 10);
        rig.wait(300'000);
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 400));
    EXPECT_EQ(rig.get(C::implausible_packets_a), 39u) << "only the first is within 1,000 of the next number";
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 0u);
    EXPECT_EQ(rig.get(C::reanchors), 0u);
}

TEST(LineArbitratorHostile, AForgedMessageBeyondTheWindowCannotSkipTheLiveStream) {
    ArbitrationConfig c = hostile_config();
    c.buffer_messages = 64;  // the window: 63; the horizon: 1,000
    Rig rig(400, c);
    rig.a(1, 10);
    rig.raw(Line::a, rig.forged(500, 1));
    rig.raw(Line::b, rig.forged(500, 1));
    for (std::uint64_t s = 11; s <= 391; s += 10) {
        rig.a(s, 10);
        rig.wait(300'000);
    }
    EXPECT_EQ(rig.sink.delivered(), range(1, 400));
    EXPECT_EQ(rig.get(C::implausible_packets_a) + rig.get(C::implausible_packets_b), 2u);
    EXPECT_EQ(rig.get(C::buffer_overflows), 0u);
    EXPECT_EQ(rig.get(C::unrecoverable_messages), 0u);
}

TEST(LineArbitratorHostile, JoiningBeyondTheHorizonStartsThereWithNothingMissing) {
    Rig rig(5'000);
    rig.a(4'000, 10);
    rig.a(4'010, 10);
    EXPECT_EQ(rig.sink.delivered(), range(4'000, 4'019));
    EXPECT_EQ(rig.get(C::missing_messages), 0u);
    EXPECT_EQ(rig.get(C::gaps), 0u);
}

}  // namespace
}  // namespace sentinel::feed
