#pragma once
// pcap_inputs: the files net_pcap replays (rx_pcap= in EAL's --vdev arguments), checked before the
// run (net/pcap_input_check.hpp), so that a damaged one is said, not replayed as phantoms in silence.
//
//   warning=rx_pcap in.pcap is damaged at offset 1064: caplen 4294967295 above libpcap's limit of 262144;
//     net_pcap will replay 10 good records, then 13 more packets (3 shorter than an Ethernet header)
//     and refuse 1 record (port ierrors); 4 damaged records, 64 bytes; repair or re-capture the file
//   (one line per damaged file)
//
// Damage warns and the run goes on: what net_pcap delivers is received and counted as usual (runts
// as rx_runt_packets), and the final counters carry rx_pcap_damaged_records. A file net_pcap cannot
// read at all (missing, unreadable, not pcap or pcapng) stops the run with one line naming it.
//
// Thread safety: the main thread, before the lcores start.

#include <cstdint>
#include <string>
#include <vector>

#include "net/pcap_input_check.hpp"

namespace sentinel::app {

// One rx_pcap= argument: one RX queue of its port.
struct PcapInput {
    std::string vdev;       // net_pcap0
    std::string file;       // as given
    bool infinite = false;  // infinite_rx=1 on its vdev
};

// The rx_pcap= files of the net_pcap vdevs before "--", in order. Call before rte_eal_init, which
// reorders argv.
std::vector<PcapInput> rx_pcap_inputs(int argc, char** argv);

// Checks every file once, writes a warning line to stderr for each damaged one, and returns the
// damaged records summed over the inputs (a file replayed by two queues counts twice). Throws
// std::runtime_error naming the file when net_pcap cannot read it.
std::uint64_t check_rx_pcap_inputs(const std::vector<PcapInput>& inputs);

// The warning line for one damaged file (without its newline).
std::string damage_warning(const PcapInput& input, const net::PcapInputCheck& check);

}  // namespace sentinel::app
