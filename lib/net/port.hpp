#pragma once
// Port: one ethdev port set up for receiving, transmitting or both: N RX queues (RSS spreads flows
// over them when the device can hash), M TX queues (one per ring that forwards to the port), every
// RX queue filling mbufs from one Mempool, promiscuous where the device has the notion. Stopped and
// closed by stop_and_close() or, failing that, the destructor.
//
//   Port port({.port = 0, .rx_queues = 2}, mempool);                   receive only
//   Port out({.port = 1, .rx_queues = 0, .tx_queues = 2}, nullptr);    forward only
//   port.start();  ...  port.stats();  port.stop_and_close();
//
// Jumbo frames: where the device can scatter a frame over several mbufs (RTE_ETH_RX_OFFLOAD_SCATTER)
// the port asks for an MTU of up to 9000, so frames of up to 9018 bytes arrive whole, as mbuf chains
// (pkt_len: the frame; data_len: each segment); elsewhere it keeps the device's default MTU. TX
// queues take chains where the device can send them (RTE_ETH_TX_OFFLOAD_MULTI_SEGS).
//
// Thread safety: the main thread only, but for stats(), which any thread may call (the telemetry
// thread does); RX lcores call rte_eth_rx_burst on their own queue, forward stages
// rte_eth_tx_burst on theirs.

#include <cstdint>

struct rte_mempool;

namespace sentinel::net {

struct PortConfig {
    std::uint16_t port;
    std::uint16_t rx_queues = 1;
    std::uint16_t rx_descriptors = 1024;  // per queue; the device may round it
    std::uint16_t tx_queues = 0;
    std::uint16_t tx_descriptors = 1024;  // per queue; the device may round it
};

struct PortStats {
    std::uint64_t imissed;  // packets the NIC dropped because no RX descriptor was free
};

class Port {
public:
    // `mempool` feeds the RX queues; null only for a port without any. Throws "port N does not
    // exist: ..." for an unknown port id, std::invalid_argument for a port with no queues or RX
    // queues and no mempool, otherwise the failing call's error (dpdk_error.hpp).
    Port(const PortConfig& config, rte_mempool* mempool);
    ~Port();
    Port(const Port&) = delete;
    Port& operator=(const Port&) = delete;

    void start();
    PortStats stats() const;
    // Stops the port and releases its queues, whose descriptors give their mbufs back.
    void stop_and_close();

    // The mbufs of the default data room (RTE_MBUF_DEFAULT_DATAROOM) that the largest frame the
    // port will deliver takes: 5 for 9,018 bytes where the device scatters, else 1. Mempools are
    // sized with it, so that a ring full of jumbo frames still leaves the NIC its descriptors.
    // Throws as the constructor does for a port that does not exist.
    static std::uint32_t segments_per_frame(std::uint16_t port);

    std::uint16_t id() const noexcept { return config_.port; }
    std::uint16_t rx_queues() const noexcept { return config_.rx_queues; }
    std::uint16_t rx_descriptors() const noexcept { return config_.rx_descriptors; }
    std::uint16_t tx_queues() const noexcept { return config_.tx_queues; }
    std::uint16_t tx_descriptors() const noexcept { return config_.tx_descriptors; }
    bool rss() const noexcept { return rss_; }
    // True when RX scatters a frame over an mbuf chain, so a frame of up to mtu() arrives whole.
    bool scatter() const noexcept { return scatter_; }
    // The MTU the device took (without the Ethernet header and CRC: 9000 for a 9018-byte frame).
    std::uint16_t mtu() const noexcept { return mtu_; }

private:
    PortConfig config_;
    bool rss_ = false;
    bool scatter_ = false;
    std::uint16_t mtu_ = 0;
    bool started_ = false;
    bool open_ = true;
};

}  // namespace sentinel::net
