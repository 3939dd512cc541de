#include "eal_view.hpp"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "net/mempool.hpp"
#include "net/port.hpp"

namespace sentinel::app {

bool operator_chose_lcores(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") break;
        if (a.starts_with("-l") || a.starts_with("-c") || a.starts_with("--lcores")) return true;
    }
    return false;
}

std::vector<std::string_view> vdev_arguments(int argc, char** argv) {
    std::vector<std::string_view> arguments;
    for (int i = 1; i < argc; ++i) {
        std::string_view a(argv[i]);
        if (a == "--") break;
        if (a == "--vdev" && i + 1 < argc) arguments.emplace_back(argv[++i]);
        else if (a.starts_with("--vdev=")) arguments.push_back(a.substr(7));
    }
    return arguments;
}

std::vector<std::string> requested_vdevs(int argc, char** argv) {
    std::vector<std::string> names;
    for (const std::string_view a : vdev_arguments(argc, argv)) {
        const std::string_view name = a.substr(0, a.find(','));
        if (name.starts_with("net_")) names.emplace_back(name);  // ethdevs; other classes are not ports
    }
    return names;
}

void check_vdevs_probed(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        std::uint16_t port;
        if (rte_eth_dev_get_port_by_name(name.c_str(), &port) != 0)
            throw std::runtime_error("--vdev " + name + " did not start (EAL says why above): check its arguments, "
                                     "e.g. that its rx_pcap file exists");
    }
}

namespace {

// The CPU an lcore's thread is pinned to: the first of its cpuset (rte_lcore_to_cpu_id is the
// lcore's index on its socket, which --lcores maps away from CPU numbers).
int lcore_cpu(unsigned lcore) {
    const rte_cpuset_t set = rte_lcore_cpuset(lcore);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) return cpu;
    return -1;
}

}  // namespace

std::vector<platform::OperatorLcore> eal_lcores() {
    std::vector<platform::OperatorLcore> lcores;
    unsigned lcore;
    RTE_LCORE_FOREACH(lcore) lcores.push_back({static_cast<int>(lcore), lcore_cpu(lcore)});
    return lcores;
}

namespace {

// A PCI port's node is where its NIC sits. A virtual port has none: DPDK reports the socket of
// the lcore that probed it, so it is left unknown and --port-numa-node (or node 0) decides.
int port_numa_node(std::uint16_t port) {
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0)
        throw std::runtime_error("rte_eth_dev_info_get: port " + std::to_string(port) + ": " + rte_strerror(-rc));
    const std::string_view bus = rte_bus_name(rte_dev_bus(info.device));
    return bus == "pci" ? rte_eth_dev_socket_id(port) : -1;
}

}  // namespace

std::vector<int> eal_ports() {
    std::vector<int> ports;
    std::uint16_t port;
    RTE_ETH_FOREACH_DEV(port) ports.push_back(port);
    return ports;
}

std::vector<platform::PortRequest> port_requests(const std::vector<int>& ports) {
    std::vector<platform::PortRequest> requests;
    for (const int port : ports)
        requests.push_back({.port = port, .numa_node = port_numa_node(static_cast<std::uint16_t>(port))});
    return requests;
}

void add_mempools(platform::PlanRequest& r, const appliance::Config& o) {
    for (const auto& port : r.ports) {
        const std::size_t mbufs =
            static_cast<std::size_t>(o.rx_queues) *
            net::Mempool::mbufs_for(o.ring_size, net::PortConfig{}.rx_descriptors, o.burst,
                                    o.forward ? net::PortConfig{}.tx_descriptors : 0,
                                    net::Port::segments_per_frame(static_cast<std::uint16_t>(port.port)));
        r.memory.push_back({.region = platform::MemoryRegion::mempool(port.port),
                            .bytes = mbufs * (sizeof(rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE)});
    }
}

void check_eal_runs(const platform::Plan& plan) {
    const unsigned main = rte_get_main_lcore();
    if (static_cast<unsigned>(plan.main_lcore()) != main)
        throw std::runtime_error("EAL's main lcore is " + std::to_string(main) + ", the plan's " +
                                 std::to_string(plan.main_lcore()) +
                                 " (the lowest of -l): drop --main-lcore or list it first");
    for (const auto& a : plan.lcores)
        if (!rte_lcore_is_enabled(static_cast<unsigned>(a.lcore)) || lcore_cpu(static_cast<unsigned>(a.lcore)) != a.cpu)
            throw std::runtime_error("the plan runs lcore " + std::to_string(a.lcore) + " on CPU " + std::to_string(a.cpu) +
                                     ", which EAL does not: start EAL with the plan's lcores (-l, or --lcores as its --share-cpus note gives)");
}

}  // namespace sentinel::app
