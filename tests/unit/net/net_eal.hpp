#pragma once
// The EAL of net_unit, brought up once for every test (rte_eal_init runs once per process) with
// one virtual port per test that needs a port: a closed vdev port is gone for good.
//
//   net_pcap0  rx_pcap=rx.pcap (a jumbo, a 60-byte frame, a runt)    Port: jumbo frames arrive whole
//   net_pcap1  tx_pcap=tx.pcap                                        ForwardStage: what reaches the wire
//   net_ring0  RX and TX queue 0 share one ring                       ForwardStage: a full TX queue
//   net_ring1  offers scatter                                         Port: the jumbo MTU
//   net_null0, net_null1                                             Port: forward-only, bad configs
//   net_ring2  RX and TX queue 0 share one ring                       RxQueuePoller: held bursts
//   net_ring3  RX and TX queue 0 share one ring                       RxQueuePoller: runts
//
// On 4K pages (--no-huge, 512 MB), no PCI scan, no shared files: nothing outlives the process.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "frames.hpp"

namespace sentinel::net::test {

class NetEal {
public:
    // Empty when the EAL is up; otherwise why not (the tests then skip, saying so).
    static const std::string& why_down();
    // The frames written to net_pcap0's rx_pcap, in order.
    static const std::vector<Frame>& rx_frames();
    // net_pcap1's tx_pcap: complete once that port is closed.
    static std::filesystem::path tx_pcap();
    // The port id of a vdev by name ("net_null0"); throws when EAL did not create it.
    static std::uint16_t port(const std::string& name);
};

// A test that needs the EAL: skipped, with the reason, where it is down.
class EalTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!NetEal::why_down().empty()) GTEST_SKIP() << NetEal::why_down();
    }
};

// Reads every frame of a pcap file; throws with libpcap's reason.
std::vector<Bytes> read_pcap(const std::filesystem::path& path);

}  // namespace sentinel::net::test
