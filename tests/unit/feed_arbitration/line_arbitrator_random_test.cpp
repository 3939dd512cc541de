// LineArbitrator under random impairments, with capacities small enough that every path runs:
// loss, duplicates and reordering on each line, lines drifting apart, a server that answers late,
// partly, twice or never, timeouts, full buffers and full range tables. Whatever happens, the
// stream must stay consistent:
//   - messages come in strictly increasing order, each byte-identical to the one sent;
//   - the messages delivered and the ranges given up tile [1, next) exactly;
//   - every message received was delivered or counted a duplicate;
//   - missing = recovered + unrecoverable once nothing is waiting, and the gaps reported sum to it;
//   - the end of session on both lines brings the stream to its end.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "arbitration_test_support.hpp"
#include "feed/line_arbitrator.hpp"

namespace sentinel::feed {
namespace {

using namespace test;
using C = ArbitrationCounter;
using Kind = RecordingSink::Kind;

// One line's packets (first, count) as it sends them: some lost, some twice, some swapped.
std::vector<std::pair<std::uint64_t, std::uint64_t>> impair(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& packets,
                                                            std::mt19937_64& rng, double loss) {
    std::bernoulli_distribution lost(loss), twice(0.05), swapped(0.05);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& p : packets) {
        if (lost(rng)) continue;
        out.push_back(p);
        if (twice(rng)) out.push_back(p);
    }
    for (std::size_t i = 0; i + 2 < out.size(); ++i)
        if (swapped(rng)) std::swap(out[i], out[i + 1 + rng() % 2]);
    return out;
}

void run(std::uint64_t seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    ArbitrationConfig c;
    c.reorder_packets = 6;
    c.reorder_ns = 30'000;
    c.max_request = 5;
    c.max_in_flight = 2;
    c.retry_ns = 50'000;
    c.recovery_timeout_ns = 400'000;
    c.buffer_messages = 64;
    c.max_message_size = 16;
    c.max_ranges = 4;

    const std::uint64_t total = 2'000;
    Stream stream(total);
    RecordingSink sink;
    FakeServer server(stream, static_cast<std::uint16_t>(1 + rng() % 5));
    LineArbitrator<RecordingSink, FakeServer> arbitrator(sink, server, c);

    std::vector<std::pair<std::uint64_t, std::uint64_t>> packets;
    for (std::uint64_t s = 1; s <= total;) {
        const std::uint64_t n = std::min<std::uint64_t>(1 + rng() % 8, total + 1 - s);
        packets.emplace_back(s, n);
        s += n;
    }
    const auto a = impair(packets, rng, 0.1);
    const auto b = impair(packets, rng, 0.1);

    std::uint64_t now = 1'000;
    std::bernoulli_distribution answer(0.3), lose(0.1);
    auto tick = [&] {
        now += rng() % 20'000;
        if (answer(rng)) {
            server.lose_answers = lose(rng) ? 1 : 0;
            server.answer(arbitrator, now);
        }
        arbitrator.on_timer(now);
    };
    for (std::size_t i = 0, j = 0; i < a.size() || j < b.size();) {  // B drifts up to 8 packets around A
        const bool from_a = j >= b.size() || (i < a.size() && i + rng() % 17 >= j + 8);
        const auto [first, count] = from_a ? a[i++] : b[j++];
        arbitrator.on_packet(from_a ? Line::a : Line::b, stream.packet(first, count), now);
        tick();
    }
    arbitrator.on_packet(Line::a, end_of_session(total + 1), now);
    arbitrator.on_packet(Line::b, end_of_session(total + 1), now);
    for (int i = 0; i < 10'000 && arbitrator.waiting(); ++i) tick();
    ASSERT_FALSE(arbitrator.waiting());
    EXPECT_EQ(arbitrator.next_sequence(), total + 1);

    std::uint64_t covered = 1, delivered = 0, given_up = 0, reported = 0;
    for (std::size_t i = 0, m = 0; i < sink.events.size(); ++i) {
        const RecordingSink::Event& e = sink.events[i];
        if (e.kind == Kind::gap) {
            reported += e.count;
            continue;
        }
        ASSERT_EQ(e.sequence, covered) << "event " << i;
        covered += e.count;
        if (e.kind == Kind::unrecoverable) {
            given_up += e.count;
        } else {
            const auto bytes = stream.message(e.sequence);
            ASSERT_EQ(sink.bytes[m++], Bytes(bytes.begin(), bytes.end())) << "message " << e.sequence;
            ++delivered;
        }
    }
    EXPECT_EQ(covered, total + 1);
    const ArbitrationCounters& k = arbitrator.counters();
    EXPECT_EQ(k.get(C::messages), delivered);
    EXPECT_EQ(k.get(C::unrecoverable_messages), given_up);
    EXPECT_EQ(k.get(C::missing_messages), reported);
    EXPECT_EQ(arbitrator.open_messages(), 0u);
    EXPECT_EQ(k.get(C::missing_messages), k.get(C::recovered_messages) + k.get(C::filled_late_messages) +
                                              k.get(C::unrecoverable_messages));
    EXPECT_EQ(k.get(C::gaps), sink.of(Kind::gap).size());
    // Each gap closes once, after its declaration, and says how each of its numbers ended.
    ASSERT_EQ(sink.closed.size(), k.get(C::gaps));
    std::vector<bool> closed(k.get(C::gaps) + 1, false);
    std::uint64_t recovered = 0, late = 0, unrecoverable = 0;
    for (const GapRecord& r : sink.closed) {
        ASSERT_GE(r.number, 1u);
        ASSERT_LE(r.number, k.get(C::gaps));
        ASSERT_FALSE(closed[r.number]) << "gap " << r.number << " closed twice";
        closed[r.number] = true;
        const RecordingSink::Event declared = sink.of(Kind::gap)[r.number - 1];
        EXPECT_EQ(r.first, declared.sequence);
        EXPECT_EQ(r.count, declared.count);
        EXPECT_EQ(r.open(), 0u);
        recovered += r.recovered;
        late += r.filled_late;
        unrecoverable += r.unrecoverable;
    }
    EXPECT_EQ(recovered, k.get(C::recovered_messages));
    EXPECT_EQ(late, k.get(C::filled_late_messages));
    EXPECT_EQ(unrecoverable, k.get(C::unrecoverable_messages));
    EXPECT_EQ(k.get(C::messages_a) + k.get(C::messages_b) + k.get(C::messages_recovery),
              delivered + k.get(C::duplicates_a) + k.get(C::duplicates_b) + k.get(C::duplicates_recovery));
    EXPECT_EQ(k.get(C::rerequests), server.requests.size());
    EXPECT_LE(k.get(C::buffer_overflows), k.get(C::resyncs));
}

TEST(LineArbitratorRandom, EveryInvariantHoldsUnderRandomImpairments) {
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        run(seed);
        if (::testing::Test::HasFailure()) return;
    }
}

}  // namespace
}  // namespace sentinel::feed
