#include "forward_stage.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "verdict.hpp"

namespace sentinel::net {

void ForwardStage::on_events(std::span<PacketSlot> slots, std::int64_t, bool end_of_batch) {
    std::uint64_t skipped = 0;
    for (const PacketSlot& slot : slots) {
        if ((slot.verdict & kForward) == 0) {
            ++skipped;
            continue;
        }
        rte_pktmbuf_refcnt_update(slot.mbuf, 1);  // every segment: the driver frees the whole chain
        burst_[pending_++] = slot.mbuf;
        if (pending_ == kBurst) transmit();
    }
    if (end_of_batch && pending_ != 0) transmit();
    counters_.add(Counter::forward_filtered_out, skipped);
}

void ForwardStage::transmit() noexcept {
    std::uint16_t sent = rte_eth_tx_burst(port_, queue_, burst_.data(), pending_);
    for (unsigned retry = 0; sent < pending_ && retry < kRetries; ++retry) {
        rte_pause();
        sent += rte_eth_tx_burst(port_, queue_, burst_.data() + sent, static_cast<std::uint16_t>(pending_ - sent));
    }
    if (sent < pending_) {
        rte_pktmbuf_free_bulk(burst_.data() + sent, pending_ - sent);  // our reference only: the ring keeps its own
        counters_.add(Counter::dropped_tx, pending_ - sent);
    }
    counters_.add(Counter::forwarded_packets, sent);
    pending_ = 0;
}

}  // namespace sentinel::net
