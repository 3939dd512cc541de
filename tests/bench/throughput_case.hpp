#pragma once
// One throughput case, reported: Sentinel batched (kBatch events per claim) and one event at a
// time, then every SPSC peer, each the median of Options::repeats runs. The topology files supply
// how to run one pass of each:
//   sentinel_once.template operator()<Batch>(impl) and peer_once.template operator()<Q, Burst>(impl)
// both return the pass's nanoseconds.

#include "harness.hpp"
#include "peer_queues.hpp"
#include "report.hpp"

namespace sentinel::bench {

template <class SentinelOnce, class PeerOnce>
void report_spsc_case(const char* kase, const Options& o, Report& report, SentinelOnce&& sentinel_once,
                      PeerOnce&& peer_once) {
    report.add(kase, "sentinel",
               median_mops(o, o.events, [&] { return sentinel_once.template operator()<kBatch>("sentinel"); }),
               Unit::mops);
    report.add(kase, "sentinel_single",
               median_mops(o, o.events, [&] { return sentinel_once.template operator()<1>("sentinel_single"); }),
               Unit::mops);
    for_each_spsc_peer([&]<PeerQueue Q, int Burst>(const char* impl) {
        report.add(kase, impl,
                   median_mops(o, o.events, [&] { return peer_once.template operator()<Q, Burst>(impl); }),
                   Unit::mops);
    });
}

}  // namespace sentinel::bench
