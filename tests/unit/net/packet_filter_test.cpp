// PacketFilter against libpcap's own interpreter (pcap_offline_filter): for every expression and
// frame, the JIT'd program and rte_bpf's interpreter, reading an mbuf (a chain for the jumbo), must
// say what libpcap says reading the flat bytes.
#include "net/packet_filter.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

using test::Bytes;
using test::Frame;

// tcpdump's expressions over every layer the frames have, every load kind and loads past the end of
// some frames: byte 998 starts a load across the jumbo chain's first segment boundary, 9014 is its
// last word, 9018 one past its end. tcp[...], udp[...] and ports load relative to the IP header's
// length in X (byte, word and halfword LD_IND); the arithmetic ones take A and X through the ALU
// and scratch memory, division included; `& k != 0` is a jset, whose short immediates the JIT got
// wrong (ebpf_repair.hpp), jumped across by other branches.
const char* const kExpressions[] = {
    "",
    "tcp",
    "udp port 53",
    "vlan and udp",
    "ip6",
    "icmp",
    "ether host 02:00:00:00:00:01",
    "greater 1000",
    "tcp[tcpflags] & tcp-syn != 0",
    "net 10.0.0.0/8",
    "not arp",
    "udp and dst port 26477",
    "ip6 and udp dst port 53",
    "ether[998:4] = 0xe6e7e8e9",
    "ether[9014:4] = 0x36373839",
    "ether[9018] = 0",
    "udp[8:4] = 0x2a2b2c2d",
    "ether[12:2] = 0x0800 and ip[9] = 6",
    "tcp[13] = 2",
    "icmp[icmptype] = icmp-echo",
    "tcp port 80 or udp port 26477",
    "ip[2:2] - ((ip[0] & 0xf) << 2) > 30",
    "ip[2:2] / 3 % 7 = 2",
    "len >= 60 and len <= 1500",
    "ether broadcast or ether multicast",
    "ip multicast",
    "vlan 100 and udp src port 53",
    "(tcp[tcpflags] & (tcp-syn | tcp-ack) != 0 and tcp port 80) or icmp or ether[0] & 1 != 0",
};

// libpcap's verdict on flat bytes: the reference.
bool libpcap_matches(const std::string& expression, const Bytes& bytes) {
    const std::unique_ptr<pcap_t, decltype(&pcap_close)> pcap(pcap_open_dead(DLT_EN10MB, 262144), &pcap_close);
    bpf_program program{};
    if (pcap_compile(pcap.get(), &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        throw std::runtime_error(pcap_geterr(pcap.get()));
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(bytes.size());
    const bool match = pcap_offline_filter(&program, &header, bytes.data()) != 0;
    pcap_freecode(&program);
    return match;
}

class PacketFilterTest : public test::EalTest {
protected:
    void SetUp() override {
        test::EalTest::SetUp();
        if (IsSkipped()) return;
        pool_ = std::make_unique<Mempool>(900, 63, static_cast<int>(rte_socket_id()));
        for (const Frame& f : frames_) {
            const bool jumbo = f.bytes.size() == test::kJumboLength;
            const std::vector<std::size_t> segments = jumbo ? test::jumbo_segments() : std::vector<std::size_t>{};
            mbufs_.push_back(test::to_mbuf(pool_->get(), f.bytes, segments));
        }
    }
    rte_mbuf* mbuf(const std::string& name) const {
        for (std::size_t i = 0; i < frames_.size(); ++i)
            if (frames_[i].name == name) return mbufs_[i];
        throw std::invalid_argument("no frame named " + name);
    }

    void TearDown() override {
        for (rte_mbuf* m : mbufs_) rte_pktmbuf_free(m);
        if (pool_) {
            EXPECT_EQ(pool_->in_use(), 0u);
        }
    }

    const std::vector<Frame> frames_ = test::sample_frames();
    std::unique_ptr<Mempool> pool_;
    std::vector<rte_mbuf*> mbufs_;
};

TEST_F(PacketFilterTest, TheJumboFrameIsAChainAcrossTheSegmentBoundary) {
    const rte_mbuf* jumbo = mbuf("jumbo_udp");
    ASSERT_EQ(jumbo->pkt_len, test::kJumboLength);
    EXPECT_EQ(jumbo->nb_segs, test::jumbo_segments().size());
    EXPECT_EQ(jumbo->data_len, 1000);
}

TEST_F(PacketFilterTest, AgreesWithLibpcapOnEveryFrame) {
    for (const char* expression : kExpressions) {
        const PacketFilter jit(expression);
        const PacketFilter interpreter(expression, PacketFilter::Engine::interpreter);
        for (std::size_t i = 0; i < frames_.size(); ++i) {
            const bool expected = libpcap_matches(expression, frames_[i].bytes);
            EXPECT_EQ(jit.matches(mbufs_[i]), expected) << "JIT: '" << expression << "' on " << frames_[i].name;
            EXPECT_EQ(interpreter.matches(mbufs_[i]), expected)
                << "interpreter: '" << expression << "' on " << frames_[i].name;
        }
    }
}

// The table above only proves agreement; these prove the frames and filters mean what they say.
TEST_F(PacketFilterTest, MatchesWhatTheExpressionSays) {
    auto matching = [&](const char* expression) {
        const PacketFilter filter(expression);
        std::vector<std::string> names;
        for (std::size_t i = 0; i < frames_.size(); ++i)
            if (filter.matches(mbufs_[i])) names.push_back(frames_[i].name);
        return names;
    };
    using Names = std::vector<std::string>;
    EXPECT_EQ(matching("tcp"), (Names{"ipv4_tcp_syn", "ipv4_tcp_ack"}));
    EXPECT_EQ(matching("tcp[tcpflags] & tcp-syn != 0"), (Names{"ipv4_tcp_syn"}));
    EXPECT_EQ(matching("udp[8:4] = 0x2a2b2c2d"), (Names{"ipv4_udp_dns", "ipv4_udp_feed", "jumbo_udp"}));
    EXPECT_EQ(matching("udp port 53"), (Names{"ipv4_udp_dns", "ipv6_udp"}));
    EXPECT_EQ(matching("vlan and udp"), (Names{"vlan_udp"}));
    EXPECT_EQ(matching("greater 1000"), (Names{"jumbo_udp"}));
    EXPECT_EQ(matching("ether[998:4] = 0xe6e7e8e9"), (Names{"jumbo_udp"}));
    EXPECT_EQ(matching("ether[9014:4] = 0x36373839"), (Names{"jumbo_udp"}));
    EXPECT_EQ(matching("ether[9018] = 0"), Names{});
    EXPECT_EQ(matching("udp and dst port 26477"), (Names{"ipv4_udp_feed"}));
    // The runt and the cut IPv4 header end before the addresses: "net" cannot match them.
    // "net" alone is IPv4, ARP or RARP: the ARP request's sender is 10.0.0.9.
    EXPECT_EQ(matching("net 10.0.0.0/8"), (Names{"ipv4_tcp_syn", "ipv4_udp_dns", "ipv4_icmp", "arp_request", "jumbo_udp"}));
    EXPECT_EQ(matching("").size(), frames_.size());
}

TEST_F(PacketFilterTest, RunsJitCompiledOnX86) {
#if defined(__x86_64__)
    EXPECT_TRUE(PacketFilter("udp").jitted());
#else
    GTEST_SKIP() << "rte_bpf JIT-compiles for x86-64 (and arm64); this CPU may interpret";
#endif
    EXPECT_FALSE(PacketFilter("udp", PacketFilter::Engine::interpreter).jitted());
}

TEST_F(PacketFilterTest, EmptyExpressionMatchesAllWithoutAProgram) {
    const PacketFilter all("");
    EXPECT_TRUE(all.matches_all());
    EXPECT_FALSE(all.jitted());
    EXPECT_FALSE(PacketFilter("ip").matches_all());
}

TEST_F(PacketFilterTest, BadExpressionThrowsOneLineNamingIt) {
    try {
        PacketFilter filter("tcp port");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "bad filter 'tcp port': can't parse filter expression: syntax error");
    }
    EXPECT_THROW(PacketFilter("ether host zz:zz"), std::invalid_argument);
    EXPECT_THROW(PacketFilter("port 99999"), std::invalid_argument);
    // libpcap's protochain jumps backwards, which rte_bpf_convert does not take.
    EXPECT_THROW(PacketFilter("ip6 protochain 17"), std::invalid_argument);
}

TEST_F(PacketFilterTest, MovesKeepTheProgram) {
    PacketFilter from("udp port 53");
    PacketFilter to(std::move(from));
    EXPECT_EQ(to.expression(), "udp port 53");
    EXPECT_TRUE(to.matches(mbuf("ipv4_udp_dns")));
    EXPECT_FALSE(to.matches(mbuf("ipv4_tcp_syn")));
    PacketFilter other("tcp");
    other = std::move(to);
    EXPECT_TRUE(other.matches(mbuf("ipv4_udp_dns")));
    EXPECT_FALSE(other.matches(mbuf("ipv4_tcp_syn")));
}

}  // namespace
}  // namespace sentinel::net
