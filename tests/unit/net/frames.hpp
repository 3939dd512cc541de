#pragma once
// Frames for the net tests, built byte by byte (no checksums: nothing here checks them), and the
// mbufs that carry them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/packet_slot.hpp"

namespace sentinel::net::test {

using Bytes = std::vector<std::uint8_t>;

struct Frame {
    std::string name;
    Bytes bytes;
};

// IPv4 TCP SYN and ACK, UDP (DNS, a market-data port), ICMP, IPv6 UDP, ARP, VLAN-tagged UDP, a
// 14-byte runt, an IPv4 header cut short, and a 9018-byte jumbo UDP frame whose byte k past the
// headers is k & 0xff (so `ether[k] = ...` picks any offset).
std::vector<Frame> sample_frames();
const Frame& frame_named(const std::vector<Frame>& frames, const std::string& name);

// The jumbo frame's segment sizes when it is built as a chain: the first boundary at byte 1000 puts
// a filter's 4-byte load at 998 across two segments.
inline constexpr std::size_t kJumboLength = 9018;
std::vector<std::size_t> jumbo_segments();

// An mbuf (chain) from `pool` holding `bytes`, split into `segments` (their sizes; empty: one
// segment). Throws std::runtime_error when the pool is empty or the split does not add up.
rte_mbuf* to_mbuf(rte_mempool* pool, std::span<const std::uint8_t> bytes, std::span<const std::size_t> segments = {});
// Every byte of the packet, across its segments.
Bytes bytes_of(const rte_mbuf* m);

// The slot RX would write for `m` (port 0, queue 0), with the verdict a filter stage gave it.
PacketSlot slot_of(rte_mbuf* m, std::uint32_t verdict, std::uint64_t rx_tsc = 0);

}  // namespace sentinel::net::test
