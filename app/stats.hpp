#pragma once
// Stats: the live line, the final counters and the accounting identities.
//
//   stats t=2.0s rx_pps=14880952 rx_gbps=7.62 ring_occupancy=12 lag filter=0 capture=12 release=40 dropped ...
//   rx_packets=N  rx_bytes=N  captured_packets=N ...  (one key=value per line, the counters' labels)
//   identity ring: rx_packets=N = released=N + dropped_ring_full=N: ok
//   identity capture: rx_packets=N = captured=N + filtered_out=N + dropped_ring_full=N + dropped_journal=N: ok
//   identity forward: rx_packets=N = forwarded=N + forward_filtered_out=N + dropped_ring_full=N + dropped_tx=N: ok
//
// The final key=value lines are also what --stats-out writes. Every key is always written (0 when
// its stage is off), so scripts need not know the run's options. Gbps counts pkt_len bytes,
// without the wire's preamble, gap and FCS.
//
// Thread safety: the main thread; the counters it is given are read relaxed from lcores.

#include <cstdint>
#include <string>
#include <vector>

#include "appliance/pipeline.hpp"

namespace sentinel::app {

// Which rules the run has: each has its own identity.
struct Rules {
    bool capture = false;
    bool forward = false;
};

class LiveStats {
public:
    // `seconds`: since the run started; rates are taken over the time since the last line.
    std::string line(double seconds, const appliance::Totals& now, const std::vector<appliance::RingView>& rings, std::uint64_t nic_missed);

private:
    appliance::Totals last_;
    double last_seconds_ = 0;
};

// `rx_pcap_damaged_records`: what the check of the rx_pcap files found (pcap_inputs.hpp).
std::string final_counters(const appliance::Totals& totals, std::uint64_t nic_missed, std::uint64_t rx_pcap_damaged_records);

// Every packet received was released or dropped for a full ring; and, per rule, was handled by
// its stage, not selected by its filter, or dropped for a reason that is counted.
bool identities_hold(const appliance::Totals& totals, const Rules& rules);
std::string identity_lines(const appliance::Totals& totals, const Rules& rules);

}  // namespace sentinel::app
