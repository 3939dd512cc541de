#pragma once
// RxQueuePoller: the RX duty of one port queue and the only producer of its ring.
//
//   rte_eth_rx_burst(port, queue) ─▶ claim n slots ─▶ fill {mbuf, port, queue, len, rx tsc, rss}
//                                    ─▶ publish(lo, hi): one cursor store per burst
//
// A full ring either waits (FullPolicy::wait) or frees the burst at once and counts
// dropped_ring_full (FullPolicy::drop). Waiting never spins inside poll(): the burst is held, and
// each later poll tries to claim room for it before receiving anything more. So the NIC queue
// absorbs the backlog (then counts imissed), and the lcore's other duties keep running meanwhile
// (on a small machine a stage that makes the room may share the RX lcore). After a stop request the wait lasts kStopGrace at most; then the burst in hand
// is dropped and counted. Nothing is received once the drain has begun; the duty drains when it
// holds nothing.
//
// Memory ordering
//   R1 (in the sequencer's publish): slot contents before the cursor; pairs with the stages' A1.
//   R4: `stopped` is stored with release after the last publish (begin_drain, or the poll that
//       publishes or drops the last held burst); pairs with A4 in stopped(), so a stage that sees
//       the flag also sees the final cursor.
//
// Thread safety
//   start, poll, begin_drain, drained   the RX lcore
//   stopped, counters                   any thread

#include <array>
#include <chrono>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "counters.hpp"
#include "duty.hpp"
#include "full_policy.hpp"
#include "packet_ring.hpp"
#include "rx_burst.hpp"

namespace sentinel::net {

class RxQueuePoller final : public Duty {
public:
    static constexpr std::size_t kMaxBurst = kMaxRxBurst;
    // How long a wait for room may outlast a stop request: draining stages free room within
    // microseconds; only a stage that stopped moving takes longer.
    static constexpr std::chrono::milliseconds kStopGrace{500};
    // Frames shorter than an Ethernet header are counted as rx_runt_packets and passed on like any
    // other: every stage already bounds its reads by the frame's length.
    static constexpr std::uint32_t kRuntBelow = 14;

    // Throws std::invalid_argument for a burst of 0, above kMaxBurst or above the ring's size.
    // `stop`: the pipeline's stop request, which ends a wait for room.
    RxQueuePoller(std::uint16_t port, std::uint16_t queue, std::uint16_t burst, FullPolicy policy, PacketRing& ring,
                  const std::atomic<bool>& stop);

    std::size_t poll() override;
    std::string_view role_name() const noexcept override { return role_name_; }
    void begin_drain() override;
    bool drained() const override { return stopped(); }

    bool stopped() const noexcept {
        return stopped_.load(std::memory_order_acquire);  // A4: pairs with R4; the final cursor follows
    }
    const Counters& counters() const noexcept { return counters_; }
    std::uint16_t port() const noexcept { return port_; }
    std::uint16_t queue() const noexcept { return queue_; }

private:
    // Publishes the held burst if the ring has room, or drops it (policy, or a stop past its
    // grace); returns the packets published or dropped, 0 while it waits.
    std::size_t admit();
    void count(std::uint16_t packets, std::uint64_t bytes, std::uint64_t runts) noexcept;
    void finish_drain() noexcept {
        stopped_.store(true, std::memory_order_release);  // R4: after the last publish; pairs with A4
    }

    const std::uint16_t port_;
    const std::uint16_t queue_;
    const std::string role_name_;
    const std::uint16_t burst_;
    const FullPolicy policy_;
    PacketRing::Ring& ring_;
    PacketRing::SequencerType& sequencer_;
    std::array<rte_mbuf*, kMaxBurst> mbufs_{};
    std::uint16_t held_ = 0;         // mbufs_[0, held_): received, not yet in the ring
    std::uint64_t held_tsc_ = 0;     // when they arrived
    std::uint64_t give_up_at_ = 0;   // TSC past which a stopping run drops the held burst; 0: not stopping
    bool draining_ = false;          // begin_drain() came: receive nothing more
    const std::atomic<bool>& stop_;
    Counters counters_;
    alignas(disruptor::kFalseSharingRange) std::atomic<bool> stopped_{false};
};

}  // namespace sentinel::net
