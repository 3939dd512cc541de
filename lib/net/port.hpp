#pragma once
// Port: one ethdev port set up for receiving: N RX queues (RSS spreads flows over them when the
// device can hash), no TX queues, every queue filling mbufs from one Mempool, promiscuous where the
// device has the notion. Stopped and closed by stop_and_close() or, failing that, the destructor.
//
//   Port port({.port = 0, .rx_queues = 2}, mempool);   configure, queues
//   port.start();  ...  port.stats();  port.stop_and_close();
//
// Thread safety: the main thread only; RX lcores call rte_eth_rx_burst on their own queue.

#include <cstdint>

struct rte_mempool;

namespace sentinel::net {

struct PortConfig {
    std::uint16_t port;
    std::uint16_t rx_queues = 1;
    std::uint16_t rx_descriptors = 1024;  // per queue; the device may round it
};

struct PortStats {
    std::uint64_t imissed;  // packets the NIC dropped because no RX descriptor was free
};

class Port {
public:
    // Throws "port N does not exist: ..." for an unknown port id, otherwise the failing call's
    // error (dpdk_error.hpp).
    Port(const PortConfig& config, rte_mempool* mempool);
    ~Port();
    Port(const Port&) = delete;
    Port& operator=(const Port&) = delete;

    void start();
    PortStats stats() const;
    // Stops the port and releases its queues, whose descriptors give their mbufs back.
    void stop_and_close();

    std::uint16_t id() const noexcept { return config_.port; }
    std::uint16_t rx_queues() const noexcept { return config_.rx_queues; }
    std::uint16_t rx_descriptors() const noexcept { return config_.rx_descriptors; }
    bool rss() const noexcept { return rss_; }

private:
    PortConfig config_;
    bool rss_ = false;
    bool started_ = false;
    bool open_ = true;
};

}  // namespace sentinel::net
