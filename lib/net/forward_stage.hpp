#pragma once
// ForwardStage: transmits the packets whose verdict has kForward on one TX queue of the forward
// port. One stage per ring, one TX queue per stage: rte_eth_tx_burst is not thread-safe on a queue.
//
//   ring ─▶ filter ─▶ forward: refcnt+1 ─▶ burst of 32 ─▶ rte_eth_tx_burst(port, queue)
//                        │                                  └─ unsent after retries: refcnt-1, dropped_tx
//                        └──▶ release: rte_pktmbuf_free_bulk (drops the ring's reference: kForward
//                                      keeps the mbuf off its unread return to the pool)
//
// Two owners, two references. The release stage frees every slot's mbuf once this stage has moved
// past it, but the driver may still hold the packet in a TX descriptor (a NIC DMAs it later, then
// frees it on a later burst). So the stage takes a reference of its own on every segment before
// handing the packet over: whichever of the driver's free and the release stage's free comes
// second returns the mbuf to its pool. A packet the queue refuses gives its reference back at once.
//
// A partial burst goes out at end_of_batch, so a lone packet is never held back; nothing is held
// between batches, and the stage owes no flush at shutdown.
//
// Memory ordering
//   The reference is taken before on_events returns, hence before the processor's R2 (its sequence
//   store); the release stage's A1 on that sequence orders its decrement after our increment. Up to
//   then the ring's reference is the only one, which is why rte_mbuf_refcnt_update may store the
//   count of 2 without an atomic add. After tx_burst the two decrements race: refcnt's atomic
//   decrement (in rte_pktmbuf_free) lets only the last one free.
//
// Thread safety: on_events on the lcore that polls the stage (the queue's only user); counters
// from any thread.

#include <array>
#include <cstdint>
#include <span>

#include "counters.hpp"
#include "packet_slot.hpp"

namespace sentinel::net {

class ForwardStage {
public:
    static constexpr std::uint16_t kBurst = 32;
    // tx_burst calls for a burst the queue did not take whole, before the rest is dropped: a NIC
    // frees a full burst's descriptors within about a microsecond at 10G, the span of these retries.
    static constexpr unsigned kRetries = 8;

    // The queue must be set up (PortConfig::tx_queues) and the port started before the first batch.
    ForwardStage(std::uint16_t port, std::uint16_t queue) noexcept : port_(port), queue_(queue) {}

    void on_events(std::span<PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch);

    const Counters& counters() const noexcept { return counters_; }
    std::uint16_t port() const noexcept { return port_; }
    std::uint16_t queue() const noexcept { return queue_; }

private:
    void transmit() noexcept;

    const std::uint16_t port_;
    const std::uint16_t queue_;
    std::uint16_t pending_ = 0;  // mbufs in burst_, each holding this stage's reference
    std::array<rte_mbuf*, kBurst> burst_{};
    Counters counters_;
};

}  // namespace sentinel::net
