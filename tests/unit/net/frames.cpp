#include "frames.hpp"

#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <numeric>
#include <stdexcept>

namespace sentinel::net::test {
namespace {

using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::array<std::uint8_t, 4>;

constexpr Mac kHostA{0x02, 0, 0, 0, 0, 0x01};
constexpr Mac kHostB{0x02, 0, 0, 0, 0, 0x02};
constexpr Mac kHostC{0x02, 0, 0, 0, 0, 0x09};
constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

constexpr std::uint16_t kIpv4 = 0x0800;
constexpr std::uint16_t kArp = 0x0806;
constexpr std::uint16_t kVlan = 0x8100;
constexpr std::uint16_t kIpv6 = 0x86dd;
constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kAck = 0x10;
constexpr std::size_t kMinFrame = 60;  // Ethernet's minimum without the CRC: shorter frames are padded

// Appends network-order fields.
class Writer {
public:
    Writer& u8(std::uint8_t v) {
        bytes_.push_back(v);
        return *this;
    }
    Writer& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v)); }
    Writer& u32(std::uint32_t v) { return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v)); }
    Writer& raw(std::span<const std::uint8_t> v) {
        bytes_.insert(bytes_.end(), v.begin(), v.end());
        return *this;
    }
    Writer& ethernet(const Mac& dst, const Mac& src, std::uint16_t type) { return raw(dst).raw(src).u16(type); }
    // A 20-byte header; `payload`: the bytes after it.
    Writer& ipv4(const Ip4& src, const Ip4& dst, std::uint8_t protocol, std::size_t payload) {
        return u8(0x45).u8(0).u16(static_cast<std::uint16_t>(20 + payload)).u16(0x1234).u16(0x4000 /* DF */)
            .u8(64).u8(protocol).u16(0).raw(src).raw(dst);
    }
    Writer& udp(std::uint16_t sport, std::uint16_t dport, std::size_t payload) {
        return u16(sport).u16(dport).u16(static_cast<std::uint16_t>(8 + payload)).u16(0);
    }
    Writer& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
        return u16(sport).u16(dport).u32(1000).u32(flags & kAck ? 2000 : 0).u8(0x50).u8(flags).u16(65535).u16(0).u16(0);
    }
    // Bytes whose value is their offset in the frame, mod 256.
    Writer& pattern(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) u8(static_cast<std::uint8_t>(bytes_.size()));
        return *this;
    }
    Bytes padded() {
        if (bytes_.size() < kMinFrame) bytes_.resize(kMinFrame, 0);
        return std::move(bytes_);
    }
    Bytes exact() { return std::move(bytes_); }

private:
    Bytes bytes_;
};

// 2001:db8::`last`
std::array<std::uint8_t, 16> ipv6_address(std::uint8_t last) {
    std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
    a[15] = last;
    return a;
}

}  // namespace

std::vector<Frame> sample_frames() {
    std::vector<Frame> frames;
    frames.push_back({"ipv4_tcp_syn", Writer()
                                          .ethernet(kHostB, kHostA, kIpv4)
                                          .ipv4({10, 1, 2, 3}, {192, 168, 1, 1}, kTcp, 20)
                                          .tcp(40000, 80, kSyn)
                                          .padded()});
    frames.push_back({"ipv4_tcp_ack", Writer()
                                          .ethernet(kHostA, kHostB, kIpv4)
                                          .ipv4({192, 168, 1, 1}, {172, 16, 9, 9}, kTcp, 20 + 12)
                                          .tcp(443, 50000, kAck)
                                          .pattern(12)
                                          .padded()});
    frames.push_back({"ipv4_udp_dns", Writer()
                                          .ethernet(kHostB, kHostA, kIpv4)
                                          .ipv4({10, 0, 0, 5}, {8, 8, 8, 8}, kUdp, 8 + 20)
                                          .udp(33333, 53, 20)
                                          .pattern(20)
                                          .padded()});
    frames.push_back({"ipv4_udp_feed", Writer()
                                           .ethernet({0x01, 0x00, 0x5e, 0x36, 0x0c, 0x01}, kHostC, kIpv4)
                                           .ipv4({192, 168, 5, 5}, {233, 54, 12, 1}, kUdp, 8 + 40)
                                           .udp(1234, 26477, 40)
                                           .pattern(40)
                                           .padded()});
    frames.push_back({"ipv4_icmp", Writer()
                                       .ethernet(kHostB, kHostC, kIpv4)
                                       .ipv4({172, 16, 0, 1}, {10, 0, 0, 1}, kIcmp, 8)
                                       .u8(8).u8(0).u16(0).u16(1).u16(1)  // echo request
                                       .padded()});
    {
        Writer w;
        w.ethernet(kHostB, kHostA, kIpv6).u32(0x60000000).u16(8 + 16).u8(kUdp).u8(64);
        w.raw(ipv6_address(1)).raw(ipv6_address(2)).udp(5353, 53, 16).pattern(16);
        frames.push_back({"ipv6_udp", w.padded()});
    }
    frames.push_back({"arp_request", Writer()
                                         .ethernet(kBroadcast, kHostC, kArp)
                                         .u16(1).u16(kIpv4).u8(6).u8(4).u16(1)  // Ethernet/IPv4, request
                                         .raw(kHostC).raw(Ip4{10, 0, 0, 9}).raw(Mac{}).raw(Ip4{10, 0, 0, 1})
                                         .padded()});
    frames.push_back({"vlan_udp", Writer()
                                      .ethernet(kHostB, kHostA, kVlan)
                                      .u16(100).u16(kIpv4)  // priority 0, VLAN 100
                                      .ipv4({10, 2, 3, 4}, {10, 5, 6, 7}, kUdp, 8 + 12)
                                      .udp(53, 1000, 12)
                                      .pattern(12)
                                      .padded()});
    frames.push_back({"runt_14", Writer().ethernet(kHostB, kHostA, kIpv4).exact()});
    // The IPv4 header stops before its protocol byte (frame offset 23).
    frames.push_back({"truncated_ipv4", Writer().ethernet(kHostB, kHostA, kIpv4).u8(0x45).u8(0).u16(60).u16(1).u16(0).exact()});
    {
        constexpr std::size_t kPayload = kJumboLength - 14 - 20 - 8;
        frames.push_back({"jumbo_udp", Writer()
                                           .ethernet(kHostB, kHostA, kIpv4)
                                           .ipv4({10, 7, 7, 7}, {10, 8, 8, 8}, kUdp, 8 + kPayload)
                                           .udp(5000, 6000, kPayload)
                                           .pattern(kPayload)
                                           .exact()});
    }
    return frames;
}

const Frame& frame_named(const std::vector<Frame>& frames, const std::string& name) {
    const auto it = std::find_if(frames.begin(), frames.end(), [&](const Frame& f) { return f.name == name; });
    if (it == frames.end()) throw std::invalid_argument("no frame named " + name);
    return *it;
}

std::vector<std::size_t> jumbo_segments() { return {1000, 2048, 2048, 2048, kJumboLength - 1000 - 3 * 2048}; }

rte_mbuf* to_mbuf(rte_mempool* pool, std::span<const std::uint8_t> bytes, std::span<const std::size_t> segments) {
    const std::size_t one[] = {bytes.size()};
    if (segments.empty()) segments = one;
    if (std::accumulate(segments.begin(), segments.end(), std::size_t{0}) != bytes.size())
        throw std::runtime_error("segment sizes do not add up to the frame");
    rte_mbuf* head = nullptr;
    std::size_t at = 0;
    for (const std::size_t size : segments) {
        rte_mbuf* m = rte_pktmbuf_alloc(pool);
        char* data = m == nullptr ? nullptr : rte_pktmbuf_append(m, static_cast<std::uint16_t>(size));
        if (data == nullptr) {
            rte_pktmbuf_free(m);
            rte_pktmbuf_free(head);
            throw std::runtime_error("mbuf pool empty, or a segment larger than an mbuf");
        }
        std::memcpy(data, bytes.data() + at, size);
        at += size;
        if (head == nullptr) {
            head = m;
        } else if (rte_pktmbuf_chain(head, m) != 0) {
            rte_pktmbuf_free(m);
            rte_pktmbuf_free(head);
            throw std::runtime_error("too many segments");
        }
    }
    return head;
}

Bytes bytes_of(const rte_mbuf* m) {
    Bytes out;
    out.reserve(m->pkt_len);
    for (const rte_mbuf* seg = m; seg != nullptr; seg = seg->next) {
        const auto* data = rte_pktmbuf_mtod(seg, const std::uint8_t*);
        out.insert(out.end(), data, data + seg->data_len);
    }
    return out;
}

PacketSlot slot_of(rte_mbuf* m, std::uint32_t verdict, std::uint64_t rx_tsc) {
    PacketSlot slot = make_slot(m, 0, 0, rx_tsc);
    slot.verdict = verdict;
    return slot;
}

}  // namespace sentinel::net::test
