#pragma once
// PacketSlot: one ring slot, one received packet. The RX lcore fills every field but `verdict`
// when it claims the slot; a filter stage writes `verdict` afterwards; every other stage only
// reads. Single writer per field, ordered by the ring's sequences: RX's publish (R1) hands the
// packet fields to the stages, the filter stage's progress (R2) hands the verdict downstream.

#include <cstddef>
#include <cstdint>

#include "disruptor/cache_line.hpp"

struct rte_mbuf;  // the slot carries the pointer only; stages that read the packet include rte_mbuf.h

namespace sentinel::net {

struct alignas(disruptor::kCacheLine) PacketSlot {
    rte_mbuf* mbuf;           // owned by the ring from RX's publish until the release stage frees it
    std::uint16_t port;
    std::uint16_t queue;
    std::uint32_t len;        // pkt_len: every segment
    std::uint64_t rx_tsc;     // rte_rdtsc() when the burst arrived: one reading per burst
    std::uint32_t rss_hash;   // the NIC's RSS hash, 0 when it gave none
    std::uint32_t verdict;    // bits a filter stage sets (capture, feed line, forward); 0 from RX
};

static_assert(sizeof(PacketSlot) == disruptor::kCacheLine && alignof(PacketSlot) == disruptor::kCacheLine,
              "a slot must be exactly one cache line: the RX lcore then writes whole lines, and two "
              "stages working on neighbouring slots never share one");

}  // namespace sentinel::net
