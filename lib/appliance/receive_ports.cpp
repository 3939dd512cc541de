#include "receive_ports.hpp"

#include <rte_bus.h>
#include <rte_ethdev.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "net/udp_sender.hpp"

namespace sentinel::appliance {
namespace {

// A NIC rather than a virtual device: its TX descriptors drain at the wire's pace.
bool on_pci(std::uint16_t port) {
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(port, &info) != 0 || info.device == nullptr) return false;
    return std::string_view(rte_bus_name(rte_dev_bus(info.device))) == "pci";
}

}  // namespace

ReceivePorts::ReceivePorts(const platform::Plan& plan, const std::vector<int>& ports, const Config& options,
                           std::size_t tx_queues, bool pdump) {
    const auto forward_queues = [&](int port) { return options.forward == port ? static_cast<std::uint16_t>(tx_queues) : 0; };
    // The feed's: re-requests, then top of book, each when asked for.
    const int feed_queues = (options.rerequest_server ? 1 : 0) + (options.tob_multicast ? 1 : 0);
    const auto transmit_queues = [&](int port) {
        return static_cast<std::uint16_t>(forward_queues(port) + (options.feed_tx == port ? feed_queues : 0));
    };
    receiving_ = ports.size();
    for (const int port : ports) {
        net::PortConfig config{.port = static_cast<std::uint16_t>(port),
                               .rx_queues = static_cast<std::uint16_t>(options.rx_queues)};
        config.tx_queues = transmit_queues(port);
        // dpdk-dumpcap (librte_pdump) hooks RX and TX of every queue and refuses a port without TX
        // queues: an idle one lets operators attach to a port that only receives.
        if (config.tx_queues == 0 && pdump) config.tx_queues = 1;
        // Forwarded mbufs also wait in the forward port's TX descriptors until its driver frees them.
        const std::size_t mbufs =
            config.rx_queues * net::Mempool::mbufs_for(options.ring_size, config.rx_descriptors, options.burst,
                                                       options.forward ? config.tx_descriptors : 0,
                                                       net::Port::segments_per_frame(config.port));
        mempools_.push_back(std::make_unique<net::Mempool>(port, mbufs, plan.node_of(platform::MemoryRegion::mempool(port))));
        ports_.push_back(std::make_unique<net::Port>(config, mempools_.back()->get()));
    }
    // A port that only transmits needs no mempool of its own: it sends the mbufs of the ports that
    // received them, or the feed's.
    for (const std::optional<int>& tx : {options.forward, options.feed_tx}) {
        if (!tx || std::ranges::find(ports, *tx) != ports.end() ||
            std::ranges::any_of(ports_, [&](const auto& p) { return p->id() == *tx; }))
            continue;
        net::PortConfig config{.port = static_cast<std::uint16_t>(*tx), .rx_queues = 0};
        config.tx_queues = transmit_queues(*tx);
        ports_.push_back(std::make_unique<net::Port>(config, nullptr));
    }
    if (options.feed_tx) {
        feed_tx_queue_ = forward_queues(*options.feed_tx);
        const int socket = rte_eth_dev_socket_id(static_cast<std::uint16_t>(*options.feed_tx));
        // Out at once: each feed queue's TX descriptors (as many as the device took) full, and the
        // burst its sender is building.
        const auto& port = *std::ranges::find(ports_, *options.feed_tx, [](const auto& p) { return int{p->id()}; });
        const std::size_t mbufs =
            static_cast<std::size_t>(feed_queues) * (std::size_t{port->tx_descriptors()} + net::UdpSender::kBurst);
        mempools_.push_back(std::make_unique<net::Mempool>("mbufs.feedtx", mbufs, socket < 0 ? SOCKET_ID_ANY : socket));
        feed_tx_pool_ = mempools_.back()->get();
    }
}

std::string ReceivePorts::describe(int port) {
    char name[RTE_ETH_NAME_MAX_LEN] = "?";
    rte_eth_dev_get_name_by_port(static_cast<std::uint16_t>(port), name);
    return "port" + std::to_string(port) + " (" + name + ")";
}

std::vector<RegionMemory> ReceivePorts::memory() const {
    std::vector<RegionMemory> memory;
    for (std::size_t i = 0; i < receiving_; ++i)  // the receiving ports come first, in mempool order
        memory.push_back({platform::MemoryRegion::mempool(ports_[i]->id()), mempools_[i]->first_chunk(),
                          mempools_[i]->bytes()});
    return memory;
}

void ReceivePorts::start() {
    for (auto& p : ports_) p->start();
}

std::uint64_t ReceivePorts::nic_missed() const {
    std::uint64_t missed = 0;
    for (const auto& p : ports_) missed += p->stats().imissed;
    return missed;
}

std::map<int, std::uint64_t> ReceivePorts::nic_missed_by_port() const {
    std::map<int, std::uint64_t> missed;
    for (const auto& p : ports_) missed[p->id()] = p->stats().imissed;
    return missed;
}

void ReceivePorts::stop_and_close() {
    // The lcores have stopped, but a NIC may still hold frames in its TX descriptors (forwarded, or
    // the feed's), which stopping the port discards on many devices: give them the time a full ring
    // of 1024 jumbo frames takes at 1 Gb/s. Virtual ports have sent theirs already.
    constexpr std::chrono::milliseconds kTxDrain{80};
    if (std::ranges::any_of(ports_, [](const auto& p) { return p->tx_queues() != 0 && on_pci(p->id()); }))
        std::this_thread::sleep_for(kTxDrain);
    for (auto& p : ports_) p->stop_and_close();
}

std::vector<std::string> ReceivePorts::leaks() const {
    std::vector<std::string> lines;
    for (const auto& pool : mempools_)
        if (const std::size_t n = pool->in_use(); n != 0)
            lines.push_back("mbuf leak: " + std::to_string(n) + " mbufs of pool " + pool->name() + " not returned");
    return lines;
}

}  // namespace sentinel::appliance
