#pragma once
// PacketSlot: one ring slot, one received packet. The RX lcore fills every field but `verdict`
// when it claims the slot (make_slot); a filter stage writes `verdict` afterwards; every other
// stage only reads. Single writer per field, ordered by the ring's sequences: RX's publish (R1)
// hands the packet fields to the stages, the filter stage's progress (R2) hands the verdict
// downstream.
//
// The slot carries everything a stage needs to read a packet (where its bytes are, how many, which
// pool it goes back to), so stages leave the mbuf's header alone. Those header lines belong to the
// RX lcore: its PMD writes them on every receive, and a stage on another lcore that read them would
// hold a copy RX must take back before its next write, a cache-line transfer per packet on the
// lcore every packet passes through (in pipeline_bench, RX's rate nearly doubled without them).

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>

#include "disruptor/cache_line.hpp"

namespace sentinel::net {

struct alignas(disruptor::kCacheLine) PacketSlot {
    rte_mbuf* mbuf;            // owned by the ring from RX's publish until the release stage frees it
    const std::byte* data;     // the frame's first byte, in its first segment
    rte_mempool* pool;         // where the release stage may put the mbuf back without reading it;
                               // nullptr: it needs rte_pktmbuf_free (chained, indirect or shared on arrival)
    std::uint64_t rx_tsc;      // rte_rdtsc() when the burst arrived: one reading per burst
    std::uint32_t len;         // pkt_len: every segment
    std::uint16_t data_len;    // bytes at `data`: all of `len` unless the frame came in several segments
    std::uint16_t port;
    std::uint16_t queue;
    std::uint32_t rss_hash;    // the NIC's RSS hash, 0 when it gave none
    std::uint32_t verdict;     // bits a filter stage sets (capture, feed line, forward); 0 from RX

    // The whole frame lies at `data`: a stage can read it without the mbuf.
    bool contiguous() const noexcept { return data_len == len; }
};

static_assert(sizeof(PacketSlot) == disruptor::kCacheLine && alignof(PacketSlot) == disruptor::kCacheLine,
              "a slot must be exactly one cache line: the RX lcore then writes whole lines, and two "
              "stages working on neighbouring slots never share one");

// The slot RX writes for `m`, read from the mbuf's first cache line while the PMD's writes to it
// are still in this lcore's cache.
inline PacketSlot make_slot(rte_mbuf* m, std::uint16_t port, std::uint16_t queue, std::uint64_t rx_tsc) noexcept {
    // What rte_pktmbuf_prefree_seg checks before it returns an mbuf to its pool: one segment (so
    // no next), direct, ours alone. Only the forward stage changes that later (a reference of its
    // own), and its slots carry kForward, which the release stage looks at.
    const bool plain = m->nb_segs == 1 && RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
    const bool hashed = (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0;
    return PacketSlot{.mbuf = m,
                      .data = rte_pktmbuf_mtod(m, const std::byte*),
                      .pool = plain ? m->pool : nullptr,
                      .rx_tsc = rx_tsc,
                      .len = m->pkt_len,
                      .data_len = m->data_len,
                      .port = port,
                      .queue = queue,
                      .rss_hash = hashed ? m->hash.rss : 0,
                      .verdict = 0};
}

}  // namespace sentinel::net
