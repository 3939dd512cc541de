#pragma once
// ReceivePorts: the ports the appliance receives on, each with its mempool on the port's planned
// node, set up for the plan's RX queues; the --forward port with one TX queue per ring; and the
// --feed-tx port with a TX queue for re-requests and one for top of book, each when configured,
// after any forward ones, and a small
// mempool for the datagrams the feed makes (one port object per port id, whatever its roles). Teardown order is the point: ports stop and close
// (their descriptors give mbufs back, TX frees what it had sent) before the leak check, and the
// mempools outlive the ports.
//
// Thread safety: the main thread only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/mempool.hpp"
#include "net/port.hpp"
#include "config.hpp"
#include "platform/planner.hpp"
#include "region_memory.hpp"

namespace sentinel::appliance {

class ReceivePorts {
public:
    // Every port of the plan, with options.rx_queues queues each, and options.forward with
    // `tx_queues` TX queues; with `pdump` (rte_pdump_init succeeded) every receiving port has at
    // least one TX queue, which dpdk-dumpcap needs. Throws the first failing call.
    ReceivePorts(const platform::Plan& plan, const std::vector<int>& ports, const Config& options,
                 std::size_t tx_queues, bool pdump);

    // Each receiving port's mempool: its first chunk, which is where the plan's node shows.
    std::vector<RegionMemory> memory() const;
    void start();
    // Packets the NICs dropped for want of a free descriptor (rte_eth_stats imissed), summed.
    std::uint64_t nic_missed() const;
    std::map<int, std::uint64_t> nic_missed_by_port() const;
    // The --feed-tx port's first feed queue (re-requests, or top of book without them; top of
    // book on the next with them), and the pool
    // the feed's datagrams come from; null without --feed-tx.
    std::uint16_t feed_tx_queue() const noexcept { return feed_tx_queue_; }
    rte_mempool* feed_tx_pool() const noexcept { return feed_tx_pool_; }

    // "port0 (net_pcap0)": how captures and reports name a port.
    static std::string describe(int port);
    // After the lcores stopped. Waits 80 ms first where a PCI port transmits (its TX descriptors).
    void stop_and_close();
    // One "mbuf leak: ..." line per mempool that has mbufs out; call after stop_and_close().
    std::vector<std::string> leaks() const;

private:
    std::vector<std::unique_ptr<net::Mempool>> mempools_;  // declared first: outlive the ports
    std::vector<std::unique_ptr<net::Port>> ports_;
    std::size_t receiving_ = 0;  // the first ports_ and mempools_, in step
    std::uint16_t feed_tx_queue_ = 0;
    rte_mempool* feed_tx_pool_ = nullptr;
};

}  // namespace sentinel::appliance
