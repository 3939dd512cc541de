// sentinel: DPDK RX cores into Disruptor rings, then filter, capture, feed and TX stages.
// main() reads as the appliance's steps; each step reports its own failure in one line and only
// main decides the exit status.

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "platform/plan_format.hpp"
#include "platform/planner.hpp"
#include "platform/topology.hpp"

namespace {

using sentinel::platform::PlanRequest;
using sentinel::platform::Topology;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr std::size_t kSlotBytes = 64;  // one cache line per ring slot

// Whether the operator chose the lcores (EAL -l/-c/--lcores): then the plan places duties on
// those CPUs and only warns about them, instead of choosing its own.
bool operator_chose_lcores(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") break;
        if (a.starts_with("-l") || a.starts_with("-c") || a.starts_with("--lcores")) return true;
    }
    return false;
}

std::vector<int> eal_lcore_cpus() {
    std::vector<int> cpus;
    unsigned lcore;
    RTE_LCORE_FOREACH(lcore) cpus.push_back(rte_lcore_to_cpu_id(static_cast<int>(lcore)));
    return cpus;
}

// A PCI port's node is where its NIC sits. A virtual port has none: DPDK reports the socket of
// the lcore that probed it, so it is left unknown and --port-numa-node (or node 0) decides.
int port_numa_node(std::uint16_t port) {
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0)
        throw std::runtime_error("rte_eth_dev_info_get: port " + std::to_string(port) + ": " + rte_strerror(-rc));
    const std::string_view bus = rte_bus_name(rte_dev_bus(info.device));
    return bus == "pci" ? rte_eth_dev_socket_id(port) : -1;
}

PlanRequest plan_request(const sentinel::app::Options& o, std::vector<int> operator_cpus) {
    PlanRequest r;
    r.operator_cpus = std::move(operator_cpus);
    r.refuse_cross_node = o.refuse_cross_node;
    r.port_numa_node = o.port_numa_node;
    std::uint16_t port;
    RTE_ETH_FOREACH_DEV(port) {
        r.ports.push_back({.port = port, .numa_node = port_numa_node(port), .rx_queues = o.rx_queues});
        for (int q = 0; q < o.rx_queues; ++q)
            r.memory.push_back({.name = "ring.port" + std::to_string(port) + ".rx" + std::to_string(q),
                                .port = port,
                                .queue = q,
                                .bytes = o.ring_size * kSlotBytes});
    }
    if (r.ports.empty())
        throw std::runtime_error("no DPDK ports: add one with --vdev (e.g. --vdev net_null0) or bind a NIC to vfio-pci");
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const bool chose_lcores = operator_chose_lcores(argc, argv);

    // Read before EAL pins this thread to the main lcore and narrows what hwloc would see.
    std::optional<Topology> here;
    try {
        here = Topology::this_machine();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: cannot read this machine's topology: %s\n", e.what());
        return kExitFailure;
    }

    const int eal_args = rte_eal_init(argc, argv);
    if (eal_args < 0) {
        std::fprintf(stderr, "sentinel: cannot initialise DPDK's EAL: %s (check the EAL options before '--')\n",
                     rte_strerror(rte_errno));
        return kExitFailure;
    }
    argc -= eal_args;
    argv += eal_args;

    int status = 0;
    try {
        bool help = false;
        const sentinel::app::Options options = sentinel::app::parse_options(argc, argv, help);
        if (!help) {
            const Topology topology = options.topology ? Topology::from_xml_file(*options.topology) : *here;
            const auto plan = sentinel::platform::make_plan(
                topology, plan_request(options, chose_lcores ? eal_lcore_cpus() : std::vector<int>{}));
            std::fputs(sentinel::platform::format(plan).c_str(), stdout);
            if (!options.plan_only)
                throw std::runtime_error("only --plan runs in this version: the packet pipeline is not assembled yet");
        }
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = kExitFailure;
    }
    rte_eal_cleanup();
    return status;
}
