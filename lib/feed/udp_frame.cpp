#include "feed/udp_frame.hpp"

#include <charconv>

#include "feed/big_endian.hpp"

namespace sentinel::feed {
namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kVlanTag = 4;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;     // 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;     // 802.1ad
constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::uint8_t kProtocolUdp = 17;
constexpr std::uint16_t kMoreFragments = 0x2000;
constexpr std::uint16_t kFragmentOffset = 0x1FFF;
constexpr std::size_t kUdpHeader = 8;

bool parse_decimal(std::string_view text, std::uint32_t max, std::uint32_t& value) {
    if (text.empty() || text.size() > 5) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size() && value <= max;
}

}  // namespace

std::optional<UdpEndpoint> parse_endpoint(std::string_view text) noexcept {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    UdpEndpoint e;
    std::uint32_t port;
    if (!parse_decimal(text.substr(colon + 1), 65535, port)) return std::nullopt;
    e.port = static_cast<std::uint16_t>(port);
    std::string_view address = text.substr(0, colon);
    for (int octet = 0; octet < 4; ++octet) {
        const std::size_t dot = octet < 3 ? address.find('.') : address.size();
        std::uint32_t v;
        if (dot == std::string_view::npos || !parse_decimal(address.substr(0, dot), 255, v)) return std::nullopt;
        e.address = e.address << 8 | v;
        address.remove_prefix(octet < 3 ? dot + 1 : dot);
    }
    return e;
}

UdpDatagram udp_datagram(std::span<const std::byte> frame) noexcept {
    UdpDatagram d;
    if (frame.size() < kEthernetHeader) {
        d.kind = FrameKind::truncated;
        return d;
    }
    std::size_t at = kEthernetHeader - 2;
    std::uint16_t ether_type = load_be16(frame.data() + at);
    while (ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ) {
        at += kVlanTag;
        if (frame.size() < at + 2) {
            d.kind = FrameKind::truncated;
            return d;
        }
        ether_type = load_be16(frame.data() + at);
    }
    if (ether_type != kEtherTypeIpv4) return d;
    const std::span<const std::byte> ip = frame.subspan(at + 2);
    if (ip.size() < kIpv4MinHeader) {
        d.kind = FrameKind::truncated;
        return d;
    }
    const auto version_ihl = static_cast<std::uint8_t>(ip[0]);
    const std::size_t header = (version_ihl & 0x0F) * 4u;
    if (version_ihl >> 4 != 4 || header < kIpv4MinHeader) return d;
    const std::size_t total = load_be16(ip.data() + 2);
    if (total < header) return d;
    if (ip.size() < total) {
        d.kind = FrameKind::truncated;
        return d;
    }
    if (static_cast<std::uint8_t>(ip[9]) != kProtocolUdp) return d;
    if ((load_be16(ip.data() + 6) & (kMoreFragments | kFragmentOffset)) != 0) {
        d.kind = FrameKind::fragment;
        return d;
    }
    const std::span<const std::byte> udp = ip.subspan(header, total - header);
    if (udp.size() < kUdpHeader) {
        d.kind = FrameKind::truncated;
        return d;
    }
    const std::size_t udp_length = load_be16(udp.data() + 4);
    if (udp_length < kUdpHeader || udp_length > udp.size()) {
        d.kind = FrameKind::truncated;
        return d;
    }
    d.kind = FrameKind::udp;
    d.destination = {load_be32(ip.data() + 16), load_be16(udp.data() + 2)};
    d.payload = udp.subspan(kUdpHeader, udp_length - kUdpHeader);
    return d;
}

}  // namespace sentinel::feed
