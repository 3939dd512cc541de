#include "port.hpp"

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

#include "dpdk_error.hpp"
#include "log/log.hpp"

namespace sentinel::net {
namespace {

void check_exists(std::uint16_t port) {
    if (rte_eth_dev_is_valid_port(port)) return;
    throw std::runtime_error("port " + std::to_string(port) + " does not exist: EAL found " +
                             std::to_string(rte_eth_dev_count_avail()) + " ports (check --vdev/-a)");
}

// The common jumbo MTU: 9018-byte frames with the Ethernet header and CRC.
constexpr std::uint32_t kJumboMtu = 9000;

// The largest MTU up to kJumboMtu that the device takes, by ethdev's own rule for the bytes between
// MTU and frame: the device's (max_rx_pktlen - max_mtu) where it says, else Ethernet header + CRC.
std::uint32_t jumbo_mtu(const rte_eth_dev_info& info) {
    const std::uint32_t overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
                                       ? info.max_rx_pktlen - info.max_mtu
                                       : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
    const std::uint32_t by_frame = info.max_rx_pktlen > overhead ? info.max_rx_pktlen - overhead : 0;
    return std::min({kJumboMtu, std::uint32_t{info.max_mtu}, by_frame});
}

void check_queues(std::uint16_t port, const char* kind, std::uint16_t wanted, std::uint16_t most, const char* remedy) {
    if (wanted <= most) return;
    throw std::runtime_error("port " + std::to_string(port) + " has at most " + std::to_string(most) + " " + kind +
                             " queues, not " + std::to_string(wanted) + ": " + remedy);
}

}  // namespace

std::uint32_t Port::segments_per_frame(std::uint16_t port) {
    check_exists(port);
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0) throw dpdk_error("rte_eth_dev_info_get", port, kNoQueue, rc);
    const std::uint32_t mtu = jumbo_mtu(info);
    if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) == 0 || mtu <= RTE_ETHER_MTU) return 1;
    const std::uint32_t frame = mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;  // the constructor asks for this MTU
    return (frame + RTE_MBUF_DEFAULT_DATAROOM - 1) / RTE_MBUF_DEFAULT_DATAROOM;
}

Port::Port(const PortConfig& config, rte_mempool* mempool) : config_(config) {
    check_exists(config_.port);
    const std::uint16_t port = config_.port;
    if (config_.rx_queues == 0 && config_.tx_queues == 0)
        throw std::invalid_argument("port " + std::to_string(port) + ": no RX and no TX queues to set up");
    if (config_.rx_queues != 0 && mempool == nullptr)
        throw std::invalid_argument("port " + std::to_string(port) + ": RX queues need a mempool");
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0) throw dpdk_error("rte_eth_dev_info_get", port, kNoQueue, rc);
    check_queues(port, "RX", config_.rx_queues, info.max_rx_queues, "lower --rx-queues");
    check_queues(port, "TX", config_.tx_queues, info.max_tx_queues,
                 "it needs one per ring that forwards to it (--forward), and one each for --rerequest-server and "
                 "--tob-multicast (--feed-tx); net_af_packet takes qpairs=N");

    rte_eth_conf conf{};
    // RSS only pays with several queues, and only the hash types this device computes can be asked.
    const std::uint64_t hash = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
    rss_ = config_.rx_queues > 1 && (info.flow_type_rss_offloads & hash) != 0;
    if (rss_) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & hash;
        // Some drivers (mlx5) put the hash in the mbuf, for the slot, only when asked to.
        if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) != 0) conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
    } else if (config_.rx_queues > 1) {
        log::write(log::Type::net, log::Level::warning,
                   "port %u cannot hash flows (no RSS): its %u RX queues receive what the driver puts on each", port,
                   config_.rx_queues);
    }
    // A jumbo frame takes several mbufs of the default size: only a device that chains them can
    // receive it whole, so only such a device gets the jumbo MTU.
    if (const std::uint32_t mtu = jumbo_mtu(info);
        config_.rx_queues != 0 && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0 && mtu > RTE_ETHER_MTU) {
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
        conf.rxmode.mtu = mtu;
        scatter_ = true;
    }
    // Forwarded jumbo frames are chains: the TX queue must send every segment.
    if (config_.tx_queues != 0 && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0)
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    if (const int rc = rte_eth_dev_configure(port, config_.rx_queues, config_.tx_queues, &conf); rc != 0)
        throw dpdk_error("rte_eth_dev_configure", port, kNoQueue, rc);
    if (const int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &config_.rx_descriptors, &config_.tx_descriptors); rc != 0)
        throw dpdk_error("rte_eth_dev_adjust_nb_rx_tx_desc", port, kNoQueue, rc);
    const int socket = rte_eth_dev_socket_id(port);
    for (std::uint16_t q = 0; q < config_.rx_queues; ++q)
        if (const int rc = rte_eth_rx_queue_setup(port, q, config_.rx_descriptors, static_cast<unsigned>(socket),
                                                  nullptr, mempool);
            rc != 0)
            throw dpdk_error("rte_eth_rx_queue_setup", port, q, rc);
    for (std::uint16_t q = 0; q < config_.tx_queues; ++q)
        if (const int rc = rte_eth_tx_queue_setup(port, q, config_.tx_descriptors, static_cast<unsigned>(socket), nullptr);
            rc != 0)
            throw dpdk_error("rte_eth_tx_queue_setup", port, q, rc);
    if (const int rc = rte_eth_dev_get_mtu(port, &mtu_); rc != 0) throw dpdk_error("rte_eth_dev_get_mtu", port, kNoQueue, rc);
}

Port::~Port() {
    try {
        stop_and_close();
    } catch (const std::exception& e) {
        log::write(log::Type::net, log::Level::error, "%s (closing port %u)", e.what(), config_.port);
    }
}

void Port::start() {
    if (const int rc = rte_eth_dev_start(config_.port); rc != 0) throw dpdk_error("rte_eth_dev_start", config_.port, kNoQueue, rc);
    started_ = true;
    // Virtual ports and some NICs have no promiscuous mode: they already deliver everything.
    if (const int rc = rte_eth_promiscuous_enable(config_.port); rc != 0 && rc != -ENOTSUP)
        throw dpdk_error("rte_eth_promiscuous_enable", config_.port, kNoQueue, rc);
}

PortStats Port::stats() const {
    // The main lcore (live line, final counters) and the telemetry thread both ask; drivers that
    // add their hardware counters up in software (ixgbe, i40e) are not safe against two readers.
    static std::mutex reading;
    rte_eth_stats s{};
    int rc = 0;
    {
        const std::lock_guard lock(reading);
        rc = rte_eth_stats_get(config_.port, &s);
    }
    if (rc == -ENOTSUP) return {.imissed = 0};  // a driver that keeps no statistics misses nothing it could tell
    if (rc != 0) throw dpdk_error("rte_eth_stats_get", config_.port, kNoQueue, rc);
    return {.imissed = s.imissed};
}

void Port::stop_and_close() {
    if (started_) {
        started_ = false;
        if (const int rc = rte_eth_dev_stop(config_.port); rc != 0) throw dpdk_error("rte_eth_dev_stop", config_.port, kNoQueue, rc);
    }
    if (open_) {
        open_ = false;
        if (const int rc = rte_eth_dev_close(config_.port); rc != 0) throw dpdk_error("rte_eth_dev_close", config_.port, kNoQueue, rc);
    }
}

}  // namespace sentinel::net
