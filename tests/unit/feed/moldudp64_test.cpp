// MoldUDP64 framing: every well-formed packet kind, every way a packet can lie about its length
// (all rejected whole, never read past the end), and the re-request format.

#include "feed/moldudp64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using test::Message;
using test::Wire;

struct Seen {
    std::vector<std::vector<std::byte>> messages;
    std::vector<std::uint64_t> sequences;
};

Seen messages_of(const mold::Packet& p) {
    Seen s;
    mold::for_each_message(p, [&](std::span<const std::byte> m, std::uint64_t seq) {
        s.messages.emplace_back(m.begin(), m.end());
        s.sequences.push_back(seq);
    });
    return s;
}

std::string session_text(const mold::Session& s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

TEST(MoldUdp64, ParsesHeaderAndEveryMessageBlockWithItsSequenceNumber) {
    const Message a{std::byte{'A'}, std::byte{1}, std::byte{2}};
    const Message b{std::byte{'B'}};
    const Message c(300, std::byte{0x5A});
    const auto payload = test::mold_packet("SESSION001", 0x0102030405060708, {a, b, c});
    ASSERT_EQ(payload.size(), 20u + 2 + 3 + 2 + 1 + 2 + 300);

    const mold::Packet p = mold::parse_packet(payload);
    ASSERT_EQ(p.kind, mold::PacketKind::messages);
    EXPECT_EQ(session_text(p.session), "SESSION001");
    EXPECT_EQ(p.sequence, 0x0102030405060708u);
    EXPECT_EQ(p.count, 3u);
    const Seen seen = messages_of(p);
    ASSERT_EQ(seen.messages.size(), 3u);
    EXPECT_EQ(seen.messages[0], a);
    EXPECT_EQ(seen.messages[1], b);
    EXPECT_EQ(seen.messages[2], c);
    EXPECT_EQ(seen.sequences, (std::vector<std::uint64_t>{0x0102030405060708, 0x0102030405060709, 0x010203040506070A}));
}

TEST(MoldUdp64, HeartbeatHasNoMessagesAndNamesTheNextSequenceNumber) {
    const auto payload = Wire().alpha("S1", 10).u64(42).u16(0).bytes();
    const mold::Packet p = mold::parse_packet(payload);
    EXPECT_EQ(p.kind, mold::PacketKind::heartbeat);
    EXPECT_EQ(p.sequence, 42u);
    EXPECT_EQ(p.count, 0u);
    EXPECT_TRUE(messages_of(p).messages.empty());
}

TEST(MoldUdp64, EndOfSessionHasNoMessages) {
    const auto payload = Wire().alpha("S1", 10).u64(1000).u16(0xFFFF).bytes();
    const mold::Packet p = mold::parse_packet(payload);
    EXPECT_EQ(p.kind, mold::PacketKind::end_of_session);
    EXPECT_EQ(p.sequence, 1000u);
    EXPECT_EQ(p.count, 0u) << "no blocks to walk";
    EXPECT_TRUE(messages_of(p).messages.empty());
}

TEST(MoldUdp64, ZeroLengthBlockIsFramedAsAnEmptyMessage) {
    const auto payload = test::mold_packet("S1", 7, {Message{}, Message{std::byte{'S'}}});
    const mold::Packet p = mold::parse_packet(payload);
    ASSERT_EQ(p.kind, mold::PacketKind::messages) << "framing is fine; the ITCH decoder reports the empty message";
    const Seen seen = messages_of(p);
    ASSERT_EQ(seen.messages.size(), 2u);
    EXPECT_TRUE(seen.messages[0].empty());
    EXPECT_EQ(seen.sequences[1], 8u);
}

TEST(MoldUdp64, EveryTruncatedHeaderIsMalformed) {
    const auto full = Wire().alpha("S1", 10).u64(1).u16(0).bytes();
    for (std::size_t n = 0; n < mold::kHeaderSize; ++n) {
        const mold::Packet p = mold::parse_packet(std::span(full).first(n));
        EXPECT_EQ(p.kind, mold::PacketKind::malformed) << n << " bytes";
        EXPECT_EQ(p.count, 0u);
    }
}

// Each cut of a valid packet, at every byte, must be rejected whole: a packet is atomic.
TEST(MoldUdp64, EveryTruncationOfAValidPacketIsMalformed) {
    const auto payload = test::mold_packet("S1", 1, {Message(36, std::byte{'A'}), Message(19, std::byte{'D'})});
    for (std::size_t n = mold::kHeaderSize; n < payload.size(); ++n) {
        // A copy of exactly n bytes, so that AddressSanitizer sees any read past the end.
        const std::vector<std::byte> cut(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(n));
        const mold::Packet p = mold::parse_packet(cut);
        EXPECT_EQ(p.kind, mold::PacketKind::malformed) << n << " bytes";
        EXPECT_TRUE(messages_of(p).messages.empty());
    }
}

TEST(MoldUdp64, CountLargerThanTheBlocksIsMalformed) {
    auto payload = test::mold_packet("S1", 1, {Message(12, std::byte{'S'})});
    payload[19] = std::byte{2};  // count 1 -> 2
    EXPECT_EQ(mold::parse_packet(payload).kind, mold::PacketKind::malformed);
}

TEST(MoldUdp64, LengthPrefixRunningPastTheEndIsMalformed) {
    auto payload = test::mold_packet("S1", 1, {Message(12, std::byte{'S'})});
    payload[21] = std::byte{13};  // length 12 -> 13: one byte beyond the payload
    EXPECT_EQ(mold::parse_packet(payload).kind, mold::PacketKind::malformed);
    payload[20] = std::byte{0xFF};  // 65293
    EXPECT_EQ(mold::parse_packet(payload).kind, mold::PacketKind::malformed);
}

TEST(MoldUdp64, BytesLeftAfterTheLastBlockAreMalformed) {
    auto payload = test::mold_packet("S1", 1, {Message(12, std::byte{'S'})});
    payload.push_back(std::byte{0});
    EXPECT_EQ(mold::parse_packet(payload).kind, mold::PacketKind::malformed);
    auto heartbeat = Wire().alpha("S1", 10).u64(1).u16(0).u8(0).bytes();
    EXPECT_EQ(mold::parse_packet(heartbeat).kind, mold::PacketKind::malformed) << "a heartbeat carries nothing";
    auto end = Wire().alpha("S1", 10).u64(1).u16(0xFFFF).u16(0).bytes();
    EXPECT_EQ(mold::parse_packet(end).kind, mold::PacketKind::malformed);
}

TEST(MoldUdp64, MalformedPacketStillReportsItsHeader) {
    auto payload = test::mold_packet("S1", 99, {Message(12, std::byte{'S'})});
    payload.pop_back();
    const mold::Packet p = mold::parse_packet(payload);
    EXPECT_EQ(p.kind, mold::PacketKind::malformed);
    EXPECT_EQ(p.sequence, 99u);
    EXPECT_EQ(session_text(p.session), "S1        ");
}

TEST(MoldUdp64, LargestPacketOfEmptyBlocksParses) {
    Wire w;
    w.alpha("S1", 10).u64(1).u16(0xFFFE);
    for (int i = 0; i < 0xFFFE; ++i) w.u16(0);
    const mold::Packet p = mold::parse_packet(w.span());
    ASSERT_EQ(p.kind, mold::PacketKind::messages);
    EXPECT_EQ(messages_of(p).messages.size(), 0xFFFEu);
}

TEST(MoldUdp64, RequestIsSessionSequenceAndCountInTwentyBytes) {
    mold::Request r;
    for (std::size_t i = 0; i < mold::kSessionSize; ++i) r.session[i] = std::byte("ABCDEFGHIJ"[i]);
    r.sequence = 0x1122334455667788;
    r.count = 0xBEEF;
    std::array<std::byte, mold::kRequestSize> out{};
    mold::write_request(out, r);
    const auto expected = Wire().alpha("ABCDEFGHIJ", 10).u64(0x1122334455667788).u16(0xBEEF).bytes();
    EXPECT_TRUE(std::ranges::equal(out, expected));

    const std::optional<mold::Request> back = mold::parse_request(expected);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->session, r.session);
    EXPECT_EQ(back->sequence, r.sequence);
    EXPECT_EQ(back->count, r.count);
}

TEST(MoldUdp64, RequestOfAnyOtherSizeIsRejected) {
    const auto bytes = Wire().alpha("S1", 10).u64(1).u16(1).u8(0).bytes();
    EXPECT_FALSE(mold::parse_request(std::span(bytes).first(19)));
    EXPECT_FALSE(mold::parse_request(bytes));
    EXPECT_TRUE(mold::parse_request(std::span(bytes).first(20)));
}

}  // namespace
}  // namespace sentinel::feed
