#include "rx_queue_poller.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

#include "tsc_clock.hpp"

namespace sentinel::net {

RxQueuePoller::RxQueuePoller(std::uint16_t port, std::uint16_t queue, std::uint16_t burst, FullPolicy policy,
                             PacketRing& ring, const std::atomic<bool>& stop)
    : port_(port),
      queue_(queue),
      role_name_("rx port" + std::to_string(port) + " queue" + std::to_string(queue)),
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
    if (held_ == 0) {
        if (draining_) return 0;
        held_ = rte_eth_rx_burst(port_, queue_, mbufs_.data(), burst_);
        if (held_ == 0) return 0;
        held_tsc_ = rte_rdtsc();
    }
    const std::size_t n = admit();
    if (held_ == 0 && draining_) finish_drain();
    return n;
}

std::size_t RxQueuePoller::admit() {
    const std::uint16_t n = held_;
    std::optional<std::int64_t> claimed = sequencer_.try_next(n);
    if (!claimed && policy_ == FullPolicy::wait) {
        // Room comes from the stages, perhaps on this lcore: hold the burst and let them run. A
        // stage that will never move again (failed, or stuck on I/O) must not hold the shutdown:
        // after a stop request the wait is bounded.
        if (!stop_.load(std::memory_order_relaxed)) return 0;  // a flag
        const std::uint64_t now = rte_rdtsc();
        if (give_up_at_ == 0) give_up_at_ = now + TscRate(rte_get_tsc_hz()).ticks(kStopGrace);
        if (now < give_up_at_) return 0;
    }
    held_ = 0;
    std::uint64_t bytes = 0;
    std::uint64_t runts = 0;
    if (!claimed) {
        for (std::uint16_t i = 0; i < n; ++i) {
            bytes += mbufs_[i]->pkt_len;
            runts += mbufs_[i]->pkt_len < kRuntBelow;
        }
        rte_pktmbuf_free_bulk(mbufs_.data(), n);
        count(n, bytes, runts);
        counters_.add(Counter::dropped_ring_full, n);
        return n;
    }

    const std::int64_t hi = *claimed;
    const std::int64_t lo = hi - n + 1;
    for (std::uint16_t i = 0; i < n; ++i) {
        ring_[lo + i] = make_slot(mbufs_[i], port_, queue_, held_tsc_);
        bytes += mbufs_[i]->pkt_len;
        runts += mbufs_[i]->pkt_len < kRuntBelow;
    }
    sequencer_.publish(lo, hi);  // R1 inside: pairs with A1 in the stages' barriers
    // The next burst's slots were last read (and their verdicts written) by the stages a ring ago,
    // on another core: ask for them for writing now, so that those transfers overlap the next
    // rx_burst instead of stalling make_slot's stores. Only slots known to be free: taking a line
    // a stage still reads would send it back and forth.
    const std::int64_t ahead = std::min<std::int64_t>(burst_, sequencer_.known_free());
    // (__builtin_prefetch for writing: DPDK 22.11's rte_prefetch0_write is still experimental.)
    for (std::int64_t i = 1; i <= ahead; ++i) __builtin_prefetch(&ring_[hi + i], 1, 3);
    count(n, bytes, runts);
    return n;
}

void RxQueuePoller::count(std::uint16_t packets, std::uint64_t bytes, std::uint64_t runts) noexcept {
    counters_.add(Counter::rx_packets, packets);
    counters_.add(Counter::rx_bytes, bytes);
    if (runts != 0) counters_.add(Counter::rx_runt_packets, runts);  // a store only when there were any
}

void RxQueuePoller::begin_drain() {
    draining_ = true;
    if (held_ == 0) finish_drain();  // else the poll that admits or drops the held burst does
}

}  // namespace sentinel::net
