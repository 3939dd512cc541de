#pragma once
// Counters: what the data path counts, one enum for every component, with the labels that the
// live stats, the final report and --stats-out all use.
//
// Memory ordering (disruptor/counter_block.hpp): each component's block has one writer, the lcore
// running it; the stats printer reads relaxed at any time. Exact final values come from the launch
// edge: rte_eal_wait_lcore() returns after the lcore's last store and orders it before the reader.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "disruptor/counter_block.hpp"

namespace sentinel::net {

enum class Counter : std::size_t {
    rx_packets,         // received by rte_eth_rx_burst
    rx_bytes,           // their pkt_len, summed
    dropped_ring_full,  // received, then freed because the ring had no room (--full-policy drop)
    released_packets,   // freed by the release stage after every stage saw them
    captured_packets,   // written to disk by the capture journal (its count, not the capture stage's copies)
    captured_bytes,     // their original lengths, summed
    filtered_out_packets,  // not selected by --capture-filter
    dropped_journal,    // selected for capture but not written: the journal failed (full disk, I/O error)
    forwarded_packets,  // handed to the forward port's TX queue
    forward_filtered_out,  // not selected by --forward-filter
    dropped_tx,         // selected for forwarding, refused by the TX queue after retries
    rx_runt_packets,    // of rx_packets, shorter than an Ethernet header (14 bytes): no NIC delivers these;
                        // net_pcap does, for a damaged rx_pcap file (pcap_input_check.hpp)
    count,              // add all new counters before this one
};

inline constexpr std::size_t kCounterCount = static_cast<std::size_t>(Counter::count);

inline constexpr std::array<std::string_view, kCounterCount> kCounterLabels{
    "rx_packets",         "rx_bytes",           "dropped_ring_full",    "released_packets",
    "captured_packets",   "captured_bytes",     "filtered_out_packets", "dropped_journal",
    "forwarded_packets",  "forward_filtered_out", "dropped_tx",           "rx_runt_packets"};
static_assert(disruptor::every_label_given(kCounterLabels), "a counter without a label: add it to kCounterLabels, in the enum's order");

using Counters = disruptor::CounterBlock<Counter>;

}  // namespace sentinel::net
