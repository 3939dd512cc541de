#pragma once
// udp_datagram(): the UDP payload of a captured Ethernet frame carrying IPv4, and its destination.
//
//   ┌ dst 6 ┬ src 6 ┬ 802.1Q/802.1ad tags, 4 each ┬ type 0x0800 ┐┌ IPv4, IHL*4 ┐┌ UDP 8 ┐┌ payload ┐
//
// Lengths come from the headers (IPv4 total length, UDP length) and are checked against the bytes
// captured; the Ethernet padding of short frames is not payload. Fragments are reported, not
// reassembled: a MoldUDP64 packet fits one datagram, and a fragment's piece is no packet.
//
// Thread safety: plain functions on caller-owned bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sentinel::feed {

struct UdpEndpoint {
    std::uint32_t address = 0;  // IPv4, host byte order
    std::uint16_t port = 0;
    bool operator==(const UdpEndpoint&) const = default;
};

// "233.54.12.111:26477"; nullopt for anything else.
std::optional<UdpEndpoint> parse_endpoint(std::string_view text) noexcept;

enum class FrameKind : std::uint8_t {
    udp,        // an IPv4 UDP datagram, whole
    other,      // not IPv4 UDP (ARP, IPv6, TCP, ...)
    fragment,   // an IPv4 fragment
    truncated,  // the headers promise more than the capture holds (a snaplen cut, a runt)
};

struct UdpDatagram {
    FrameKind kind = FrameKind::other;
    UdpEndpoint destination;              // when kind == udp
    std::span<const std::byte> payload;   // when kind == udp
};

UdpDatagram udp_datagram(std::span<const std::byte> frame) noexcept;

}  // namespace sentinel::feed
