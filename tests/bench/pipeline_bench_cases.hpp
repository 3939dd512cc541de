#pragma once
// The cases of pipeline_bench and the implementations that run them. Every implementation takes
// net_null0's packets on the RX lcore and runs its stages on the main lcore, in one duty cycle
// (Rig::run_cycles); only how packets travel between the two differs.
//
// pipeline_filter_release: RX ─▶ filter ─▶ release
//   sentinel   RxQueuePoller ─▶ PacketRing ─▶ FilterStage ─▶ ReleaseStage       (app/pipeline.cpp)
//   rte_ring   rx_burst ─▶ rte_ring_sp_enqueue_burst ─▶ sc_dequeue_burst ─▶ PacketFilter::matches
//              ─▶ rte_pktmbuf_free_bulk
//
// pipeline_fanout3: RX ─▶ filter ─▶ {a, b, c} ─▶ release; a, b and c each read every packet
//   sentinel          one ring: a, b, c gate on the filter, release on all three; nothing is copied
//   rte_ring_refcnt   RX ─▶ ring0 ─▶ filter: refcnt += 2, pointer into rings A, B, C ─▶ a, b, c each
//                     read and free (the last reference frees the mbuf)
//
// Each implementation's run checks its own books (throwing BenchFailure): every packet RX admitted
// was released, the parallel stages saw the same packets, no mbuf stayed out of the pool.

#include <array>
#include <string>
#include <string_view>

#include "pipeline_bench_rig.hpp"

namespace sentinel::bench {

// A rule the appliance could be given: net_null's frames are all zeros (no IPv4, no UDP), so the
// program runs on every packet and matches none.
inline constexpr std::string_view kFilterExpression = "udp and dst port 26477";

struct Measurement {
    Throughput throughput;
    std::string checked;  // what the run verified, for a comment line
};

using RunOnce = Measurement (*)(const Rig&, const Window&);

struct Impl {
    std::string_view name;
    RunOnce once;
};

Measurement sentinel_filter_release(const Rig& rig, const Window& window);
Measurement rte_ring_filter_release(const Rig& rig, const Window& window);
Measurement sentinel_fanout3(const Rig& rig, const Window& window);
Measurement rte_ring_refcnt_fanout3(const Rig& rig, const Window& window);

struct Case {
    std::string_view name;
    std::array<Impl, 2> impls;  // ours first: the ratio is ours / the peer's
};

inline constexpr std::array<Case, 2> kCases{{
    {"pipeline_filter_release", {{{"sentinel", sentinel_filter_release}, {"rte_ring", rte_ring_filter_release}}}},
    {"pipeline_fanout3", {{{"sentinel", sentinel_fanout3}, {"rte_ring_refcnt", rte_ring_refcnt_fanout3}}}},
}};

}  // namespace sentinel::bench
