#pragma once
// Stats: the live line, the final counters and the accounting identity.
//
//   stats t=2.0s rx_pps=14880952 rx_gbps=7.62 ring_occupancy=12 dropped_ring_full=0 dropped_nic_missed=0
//   rx_packets=N  rx_bytes=N  dropped_ring_full=N  dropped_nic_missed=N  released_packets=N   (one per line)
//   identity: rx_packets=N = released=N + dropped_ring_full=N: ok
//
// The final lines are also what --stats-out writes: key=value, the counters' own labels.
// Gbps counts pkt_len bytes, without the wire's preamble, gap and FCS.
//
// Thread safety: the main thread; the counters it is given are read relaxed from lcores.

#include <cstdint>
#include <string>

#include "pipeline.hpp"

namespace sentinel::app {

class LiveStats {
public:
    // `seconds`: since the run started; rates are taken over the time since the last line.
    std::string line(double seconds, const Totals& now, std::int64_t occupancy, std::uint64_t nic_missed);

private:
    Totals last_;
    double last_seconds_ = 0;
};

std::string final_counters(const Totals& totals, std::uint64_t nic_missed);

// Every packet received was released or dropped for a full ring: nothing else may happen to one.
bool identity_holds(const Totals& totals);
std::string identity_line(const Totals& totals);

}  // namespace sentinel::app
