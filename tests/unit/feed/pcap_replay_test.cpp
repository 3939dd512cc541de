// Replay from capture files: the Ethernet/IPv4/UDP unwrapping (tags, options, padding, fragments,
// cuts), the endpoint syntax, and whole replays of a classic pcap written by libpcap and of a
// pcapng written by Sentinel's own capture journal, each against the same stream applied directly.

#include "feed/pcap_replay.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/journal.hpp"
#include "feed/book_writer.hpp"
#include "feed/feed_handler.hpp"
#include "feed/moldudp64.hpp"
#include "feed/udp_frame.hpp"
#include "feed_test_support.hpp"

namespace sentinel::feed {
namespace {

using namespace test;

constexpr UdpEndpoint kFeed{0xE9360C6F, 26477};  // 233.54.12.111:26477

struct FrameOptions {
    std::uint16_t vlan_tags = 0;
    std::uint8_t ip_option_words = 0;
    std::uint16_t flags_fragment = 0x4000;  // don't fragment
    std::uint8_t protocol = 17;
    std::size_t ethernet_padding = 0;
};

std::vector<std::byte> udp_frame(UdpEndpoint to, std::span<const std::byte> payload, FrameOptions o = {}) {
    Wire w;
    w.u32(0x01005E36).u16(0x0C6F).u32(0x02000000).u16(0x0001);  // multicast MAC, a local source
    for (int i = 0; i < o.vlan_tags; ++i) w.u16(i == 0 && o.vlan_tags > 1 ? 0x88A8 : 0x8100).u16(100 + i);
    const std::size_t ip_header = 20 + 4u * o.ip_option_words;
    w.u16(0x0800);
    w.u8(static_cast<std::uint8_t>(0x40 | ip_header / 4)).u8(0).u16(static_cast<std::uint16_t>(ip_header + 8 + payload.size()));
    w.u16(1).u16(o.flags_fragment).u8(64).u8(o.protocol).u16(0).u32(0x0A000001).u32(to.address);
    for (int i = 0; i < o.ip_option_words; ++i) w.u32(0x01010101);  // NOPs
    w.u16(40000).u16(to.port).u16(static_cast<std::uint16_t>(8 + payload.size())).u16(0).raw(payload);
    for (std::size_t i = 0; i < o.ethernet_padding; ++i) w.u8(0);
    return w.bytes();
}

TEST(UdpFrame, UnwrapsAPlainDatagram) {
    const std::vector<std::byte> payload(30, std::byte{7});
    const auto frame = udp_frame(kFeed, payload);
    const UdpDatagram d = udp_datagram(frame);
    ASSERT_EQ(d.kind, FrameKind::udp);
    EXPECT_EQ(d.destination, kFeed);
    EXPECT_TRUE(std::ranges::equal(d.payload, payload));
}

TEST(UdpFrame, SkipsVlanTagsAndIpOptionsAndIgnoresEthernetPadding) {
    const std::vector<std::byte> payload(3, std::byte{9});
    for (const FrameOptions o : {FrameOptions{.vlan_tags = 1}, FrameOptions{.vlan_tags = 2},
                                 FrameOptions{.ip_option_words = 10}, FrameOptions{.ethernet_padding = 17}}) {
        const auto frame = udp_frame(kFeed, payload, o);
        const UdpDatagram d = udp_datagram(frame);
        ASSERT_EQ(d.kind, FrameKind::udp);
        EXPECT_EQ(d.destination, kFeed);
        EXPECT_TRUE(std::ranges::equal(d.payload, payload));
    }
}

TEST(UdpFrame, ReportsFragmentsAndOtherTraffic) {
    const std::vector<std::byte> payload(3);
    EXPECT_EQ(udp_datagram(udp_frame(kFeed, payload, {.flags_fragment = 0x2000})).kind, FrameKind::fragment)
        << "first fragment: more fragments";
    EXPECT_EQ(udp_datagram(udp_frame(kFeed, payload, {.flags_fragment = 0x0010})).kind, FrameKind::fragment)
        << "a later fragment: an offset";
    EXPECT_EQ(udp_datagram(udp_frame(kFeed, payload, {.protocol = 6})).kind, FrameKind::other) << "TCP";
    auto arp = udp_frame(kFeed, payload);
    arp[12] = std::byte{0x08};
    arp[13] = std::byte{0x06};
    EXPECT_EQ(udp_datagram(arp).kind, FrameKind::other);
    auto ipv6 = udp_frame(kFeed, payload);
    ipv6[14] = std::byte{0x65};
    EXPECT_EQ(udp_datagram(ipv6).kind, FrameKind::other) << "IPv4 ethertype, version 6";
}

TEST(UdpFrame, EveryCutOfAFrameIsTruncatedNeverOverread) {
    const auto frame = udp_frame(kFeed, std::vector<std::byte>(10), {.vlan_tags = 2});
    for (std::size_t n = 0; n < frame.size(); ++n) {
        const std::vector<std::byte> cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(udp_datagram(cut).kind, FrameKind::truncated) << n;
    }
    auto lying = udp_frame(kFeed, std::vector<std::byte>(10));
    lying[14 + 20 + 5] = std::byte{19};  // UDP length 18 -> 19, past the IPv4 total length
    EXPECT_EQ(udp_datagram(lying).kind, FrameKind::truncated);
}

TEST(UdpFrame, ParsesEndpoints) {
    EXPECT_EQ(parse_endpoint("233.54.12.111:26477"), kFeed);
    EXPECT_EQ(parse_endpoint("0.0.0.0:0"), (UdpEndpoint{0, 0}));
    EXPECT_EQ(parse_endpoint("255.255.255.255:65535"), (UdpEndpoint{0xFFFFFFFF, 65535}));
    for (const char* bad : {"", "1.2.3.4", "1.2.3:5", "1.2.3.4.5:6", "1.2.3.256:1", "1.2.3.4:65536", "1.2.3.4:",
                            "a.b.c.d:1", "1.2.3.4:-1", "1..3.4:5", " 1.2.3.4:5", "1.2.3.4:5x"})
        EXPECT_FALSE(parse_endpoint(bad)) << bad;
}

class TempDir {
public:
    TempDir() {
        std::string pattern = std::filesystem::temp_directory_path() / "feed_unit_XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// A short session: a directory, adds on both sides, executions, a replace, a gap-free stream.
std::vector<std::vector<std::byte>> session_packets() {
    std::vector<std::vector<std::byte>> packets;
    packets.push_back(mold_packet("REPLAY0001", 1, {stock_directory(7, "SNTL"), stock_directory(8, "FEED")}));
    std::uint64_t sequence = 3;
    for (std::uint64_t ref = 1; ref <= 200; ref += 4) {
        std::vector<Message> m{add_order(7, ref, 'B', 100, static_cast<std::uint32_t>(500000 - ref * 10)),
                               add_order(7, ref + 1, 'S', 200, static_cast<std::uint32_t>(510000 + ref * 10)),
                               add_order(8, ref + 2, 'B', 300, 100), order_executed(7, ref, 40)};
        if (ref > 1) m.push_back(order_replace(8, ref - 2, ref + 3, 50, 99));
        packets.push_back(mold_packet("REPLAY0001", sequence, m));
        sequence += m.size();
    }
    return packets;
}

// The oracle: every message of the gap-free stream applied in order, no arbitrator.
std::string direct_books() {
    FeedHandler h;
    for (const auto& p : session_packets())
        mold::for_each_message(mold::parse_packet(p), [&](std::span<const std::byte> m, std::uint64_t) { h.on_message(m); });
    std::string out;
    write_books(h.books(), h.instruments(), out);
    return out;
}

TEST(PcapReplay, ClassicPcapGivesTheBooksOfTheStreamItCarries) {
    TempDir dir;
    const std::string path = dir / "feed.pcap";
    {
        pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
        pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
        ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
        const auto dump = [&](const std::vector<std::byte>& frame, std::size_t caplen = SIZE_MAX) {
            pcap_pkthdr h{};
            h.caplen = static_cast<bpf_u_int32>(std::min(caplen, frame.size()));
            h.len = static_cast<bpf_u_int32>(frame.size());
            pcap_dump(reinterpret_cast<u_char*>(dumper), &h, reinterpret_cast<const u_char*>(frame.data()));
        };
        const auto packets = session_packets();
        for (std::size_t i = 0; i < packets.size(); ++i) {
            dump(udp_frame(kFeed, packets[i], {.vlan_tags = static_cast<std::uint16_t>(i % 2)}));
            dump(udp_frame({kFeed.address, 26478}, packets[i]));  // line B of another feed
        }
        dump(udp_frame(kFeed, packets[0], {.protocol = 6}));
        dump(udp_frame(kFeed, packets[0], {.flags_fragment = 0x2000}));
        const auto cut = udp_frame(kFeed, packets[1]);
        dump(cut, 60);  // a snaplen of 60
        pcap_dump_close(dumper);
        pcap_close(dead);
    }
    FeedReplay replay;
    const ReplaySummary s = replay.replay(path, kFeed);
    const std::size_t n = session_packets().size();
    EXPECT_EQ(s.error, "");
    EXPECT_EQ(s.frames, 2 * n + 3);
    EXPECT_EQ(s.feed_datagrams, n);
    EXPECT_EQ(s.other_datagrams, n);
    EXPECT_EQ(s.not_udp, 1u);
    EXPECT_EQ(s.fragments, 1u);
    EXPECT_EQ(s.truncated, 1u);
    std::string books;
    write_books(replay.engine().books(), replay.engine().instruments(), books);
    EXPECT_EQ(books, direct_books());
    EXPECT_NE(books, "");
    const ArbitrationCounters& a = replay.engine().arbitration();
    EXPECT_EQ(a.get(ArbitrationCounter::packets_a), n);
    EXPECT_EQ(a.get(ArbitrationCounter::messages), 2 + 50 * 4 + 49);
    EXPECT_EQ(a.get(ArbitrationCounter::missing_messages), 0u);
}

// The replay runs the appliance's arbitrator: a retransmission is a duplicate, packets a little out
// of order are put back in order, and a packet lost for good is a gap given up at the end.
TEST(PcapReplay, ArbitratesTheStreamAsTheApplianceDoes) {
    const auto packets = session_packets();
    const auto replay_in = [&](const std::vector<std::size_t>& order) {
        auto replay = std::make_unique<FeedReplay>();
        std::uint64_t ns = 1'000'000'000;
        for (const std::size_t i : order) replay->on_datagram(packets[i], ns += 100'000);
        replay->finish();
        return replay;
    };
    std::vector<std::size_t> shuffled;
    for (std::size_t i = 0; i < packets.size(); ++i) shuffled.push_back(i);
    std::swap(shuffled[3], shuffled[5]);
    shuffled.insert(shuffled.begin() + 8, 2);  // packet 2 again
    const auto reordered = replay_in(shuffled);
    std::string books;
    write_books(reordered->engine().books(), reordered->engine().instruments(), books);
    EXPECT_EQ(books, direct_books());
    const ArbitrationCounters& a = reordered->engine().arbitration();
    EXPECT_EQ(a.get(ArbitrationCounter::duplicates_a), 5u) << "packet 2, again";
    EXPECT_EQ(a.get(ArbitrationCounter::missing_messages), 0u);

    std::vector<std::size_t> lossy;
    for (std::size_t i = 0; i < packets.size(); ++i)
        if (i != 10) lossy.push_back(i);
    const auto lost = replay_in(lossy);
    const ArbitrationCounters& l = lost->engine().arbitration();
    EXPECT_EQ(l.get(ArbitrationCounter::missing_messages), 5u);
    EXPECT_EQ(l.get(ArbitrationCounter::unrecoverable_messages), 5u);
    EXPECT_EQ(l.get(ArbitrationCounter::messages), 2 + 50 * 4 + 49 - 5);
    EXPECT_EQ(lost->engine().open_messages(), 0u);
}

TEST(PcapReplay, TheCaptureJournalsPcapngReplaysToTheSameBooks) {
    TempDir dir;
    const std::string path = dir / "journal.pcapng";
    {
        capture::Journal journal({.path = path, .buffer_bytes = 64 << 10, .buffers_per_producer = 2},
                                 {{"line_a", 9018}}, 1);
        capture::JournalProducer& p = journal.producer(0);
        std::uint64_t ts = 1'700'000'000'000'000'000;
        for (const auto& packet : session_packets()) {
            const auto frame = udp_frame(kFeed, packet);
            const auto size = static_cast<std::uint32_t>(frame.size());
            std::byte* at = p.begin_packet(0, ts++, size, size);
            ASSERT_NE(at, nullptr);
            std::ranges::copy(frame, at);
            p.end_packet();
        }
        journal.close(std::vector<capture::InterfaceStats>{{0, 0}});
        ASSERT_FALSE(journal.failed()) << journal.error();
    }
    FeedReplay replay;
    const ReplaySummary s = replay.replay(path, kFeed);
    EXPECT_EQ(s.error, "");
    EXPECT_EQ(s.feed_datagrams, session_packets().size());
    std::string books;
    write_books(replay.engine().books(), replay.engine().instruments(), books);
    EXPECT_EQ(books, direct_books());
}

TEST(PcapReplay, RefusesFilesItCannotRead) {
    TempDir dir;
    FeedReplay replay;
    EXPECT_THROW(replay.replay(dir / "missing.pcap", kFeed), std::runtime_error);
    const std::string raw_ip = dir / "raw.pcap";
    pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dump_close(pcap_dump_open(dead, raw_ip.c_str()));
    pcap_close(dead);
    EXPECT_THROW(replay.replay(raw_ip, kFeed), std::runtime_error) << "not Ethernet";
}

}  // namespace
}  // namespace sentinel::feed
