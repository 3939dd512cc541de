#include "port.hpp"

#include <rte_ethdev.h>

#include <cstdio>
#include <exception>
#include <string>

#include "dpdk_error.hpp"

namespace sentinel::net {
namespace {

void check_exists(std::uint16_t port) {
    if (rte_eth_dev_is_valid_port(port)) return;
    throw std::runtime_error("port " + std::to_string(port) + " does not exist: EAL found " +
                             std::to_string(rte_eth_dev_count_avail()) + " ports (check --vdev/-a)");
}

}  // namespace

Port::Port(const PortConfig& config, rte_mempool* mempool) : config_(config) {
    check_exists(config_.port);
    const std::uint16_t port = config_.port;
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0) throw dpdk_error("rte_eth_dev_info_get", port, kNoQueue, rc);
    if (config_.rx_queues > info.max_rx_queues)
        throw std::runtime_error("port " + std::to_string(port) + " has at most " + std::to_string(info.max_rx_queues) +
                                 " RX queues, not " + std::to_string(config_.rx_queues) + ": lower --rx-queues");

    rte_eth_conf conf{};
    // RSS only pays with several queues, and only the hash types this device computes can be asked.
    const std::uint64_t hash = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
    rss_ = config_.rx_queues > 1 && (info.flow_type_rss_offloads & hash) != 0;
    if (rss_) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & hash;
    } else if (config_.rx_queues > 1) {
        std::fprintf(stderr, "warning=port %u cannot hash flows (no RSS): its %u RX queues receive what the driver puts on each\n",
                     port, config_.rx_queues);
    }
    // No TX queues: nothing transmits yet, and ethdev accepts a port that only receives.
    if (const int rc = rte_eth_dev_configure(port, config_.rx_queues, 0, &conf); rc != 0)
        throw dpdk_error("rte_eth_dev_configure", port, kNoQueue, rc);
    std::uint16_t tx_descriptors = 0;
    if (const int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &config_.rx_descriptors, &tx_descriptors); rc != 0)
        throw dpdk_error("rte_eth_dev_adjust_nb_rx_tx_desc", port, kNoQueue, rc);
    const int socket = rte_eth_dev_socket_id(port);
    for (std::uint16_t q = 0; q < config_.rx_queues; ++q)
        if (const int rc = rte_eth_rx_queue_setup(port, q, config_.rx_descriptors, static_cast<unsigned>(socket),
                                                  nullptr, mempool);
            rc != 0)
            throw dpdk_error("rte_eth_rx_queue_setup", port, q, rc);
}

Port::~Port() {
    try {
        stop_and_close();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s (closing port %u)\n", e.what(), config_.port);
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
    rte_eth_stats s{};
    if (const int rc = rte_eth_stats_get(config_.port, &s); rc != 0) throw dpdk_error("rte_eth_stats_get", config_.port, kNoQueue, rc);
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
