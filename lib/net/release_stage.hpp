#pragma once
// ReleaseStage: the ring's last stage. Gated on every other stage, it gives each slot's mbuf back
// to its mempool, in bulk. An mbuf RX found plain (slot.pool set: one segment, direct, one
// reference) and no stage took a reference to goes straight into its pool (rte_mempool_put_bulk)
// without this lcore reading its header, which stays in the RX lcore's cache for the mbuf's next
// receive; any other goes through rte_pktmbuf_free_bulk, which reads each one's reference count
// and chain.
//
//   RX ─▶ ring ─▶ [filter, capture, feed, tx] ─▶ release
//
// Thread safety: on_events on the lcore that polls the stage; counters from any thread.

#include <cstdint>
#include <span>

#include "counters.hpp"
#include "packet_slot.hpp"

namespace sentinel::net {

class ReleaseStage {
public:
    // A span is a run of slots contiguous in memory, up to the whole ring.
    void on_events(std::span<PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch);

    const Counters& counters() const noexcept { return counters_; }

private:
    Counters counters_;
};

}  // namespace sentinel::net
