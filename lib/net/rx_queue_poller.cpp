#include "rx_queue_poller.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace sentinel::net {

RxQueuePoller::RxQueuePoller(std::uint16_t port, std::uint16_t queue, std::uint16_t burst, FullPolicy policy,
                             PacketRing& ring, const std::atomic<bool>& stop)
    : port_(port),
      queue_(queue),
      burst_(burst),
      policy_(policy),
      ring_(ring.ring()),
      sequencer_(ring.sequencer()),
      stop_(stop) {
    if (burst_ == 0 || burst_ > kMaxBurst || burst_ > ring_.size())
        throw std::invalid_argument("burst " + std::to_string(burst_) + " must be from 1 to " +
                                    std::to_string(kMaxBurst) + " and at most the ring size " +
                                    std::to_string(ring_.size()));
}

std::size_t RxQueuePoller::poll() {
    if (stopped_.load(std::memory_order_relaxed)) return 0;  // our own flag: no order needed
    const std::uint16_t n = rte_eth_rx_burst(port_, queue_, mbufs_.data(), burst_);
    if (n == 0) return 0;
    const std::uint64_t tsc = rte_rdtsc();

    std::optional<std::int64_t> claimed = sequencer_.try_next(n);
    // Waiting for room outlives a stop request by a grace period only: the stages drain on stop,
    // so room comes within microseconds, but a stage that will never move again (failed, or stuck
    // on I/O) must not hold the RX lcore, and the shutdown with it, in this loop.
    std::uint64_t give_up_at = 0;
    while (!claimed && policy_ == FullPolicy::wait) {
        if (stop_.load(std::memory_order_relaxed)) {  // a flag
            const std::uint64_t now = rte_rdtsc();
            if (give_up_at == 0) give_up_at = now + rte_get_tsc_hz() / 1000 * kStopGrace.count();
            else if (now >= give_up_at) break;
        }
        rte_pause();
        claimed = sequencer_.try_next(n);
    }
    if (!claimed) {
        std::uint64_t bytes = 0;
        for (std::uint16_t i = 0; i < n; ++i) bytes += mbufs_[i]->pkt_len;
        rte_pktmbuf_free_bulk(mbufs_.data(), n);
        counters_.add(Counter::rx_packets, n);
        counters_.add(Counter::rx_bytes, bytes);
        counters_.add(Counter::dropped_ring_full, n);
        return n;
    }

    const std::int64_t hi = *claimed;
    const std::int64_t lo = hi - n + 1;
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = mbufs_[i];
        const bool hashed = (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH) != 0;
        ring_[lo + i] = PacketSlot{.mbuf = m,
                                   .port = port_,
                                   .queue = queue_,
                                   .len = m->pkt_len,
                                   .rx_tsc = tsc,
                                   .rss_hash = hashed ? m->hash.rss : 0,
                                   .verdict = 0};
        bytes += m->pkt_len;
    }
    sequencer_.publish(lo, hi);  // R1 inside: pairs with A1 in the stages' barriers
    counters_.add(Counter::rx_packets, n);
    counters_.add(Counter::rx_bytes, bytes);
    return n;
}

void RxQueuePoller::begin_drain() {
    stopped_.store(true, std::memory_order_release);  // R4: after the last publish; pairs with A4
}

}  // namespace sentinel::net
