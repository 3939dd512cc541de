// The appliance's placement on server shapes: two sockets with a NIC on each (--port-numa-node
// 0:0,1:1), 1 to 16 RX queues a port, 16 to 64 cores, and a saved dual-socket server. Every ring,
// journal buffer and mempool of a port is on its NIC's node, RX never shares a CPU, and a machine
// too small says so. The whole chain a run takes: Config, plan_request, the planner, make_graph.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "appliance/graph.hpp"
#include "appliance/plan_request.hpp"
#include "command_line.hpp"
#include "platform/topology.hpp"

namespace sentinel::appliance {
namespace {

using platform::LcoreAssignment;
using platform::MemoryRegion;
using platform::Role;
using test::config;

struct Planned {
    platform::Plan plan;
    Graph graph;
};

// Ports 0 and 1, virtual (no node of their own): --port-numa-node puts one on each node.
Planned run_on(const platform::Topology& machine, const std::string& queues) {
    const Config c = config({"--rx-queues", queues.c_str(), "--port-numa-node", "0:0,1:1", "--capture", "c.pcapng"});
    platform::PlanRequest r = plan_request(c, {}, {{.port = 0, .numa_node = -1}, {.port = 1, .numa_node = -1}});
    add_journal_buffers(r, c);
    for (const int port : {0, 1}) r.memory.push_back({.region = MemoryRegion::mempool(port), .bytes = 1 << 20});
    platform::Plan plan = platform::make_plan(machine, r);
    Graph graph = make_graph(c, plan);
    return {std::move(plan), std::move(graph)};
}

void expect_each_port_on_its_node(const Planned& run, int queues) {
    const platform::Plan& plan = run.plan;
    ASSERT_EQ(run.graph.rings.size(), static_cast<std::size_t>(2 * queues));
    std::set<int> rx_cpus;
    for (const LcoreAssignment& a : plan.lcores) {
        if (a.role != Role::rx) continue;
        EXPECT_TRUE(rx_cpus.insert(a.cpu).second) << "RX shares CPU " << a.cpu;
        EXPECT_EQ(a.node, a.port) << "rx port " << a.port << " queue " << a.queue;
    }
    EXPECT_EQ(rx_cpus.count(plan.cpus(Role::main).front()), 0u) << "RX on main's CPU";
    for (const RingSpec& ring : run.graph.rings) {
        EXPECT_EQ(ring.node, ring.port) << ring.memory.name();
        EXPECT_EQ(plan.node_of(MemoryRegion::journal(ring.port, ring.queue)), ring.port);
        for (const StageSpec& s : ring.stages) EXPECT_NE(std::ranges::count(rx_cpus, s.lcore), 1) << "a stage on an RX CPU";
    }
    for (const int port : {0, 1}) EXPECT_EQ(plan.node_of(MemoryRegion::mempool(port)), port);
    for (const std::string& w : plan.warnings) EXPECT_EQ(w.find("node"), std::string::npos) << w;
}

const platform::Topology& two_sockets(int cores_per_socket) {
    static std::map<int, platform::Topology> machines;
    auto it = machines.find(cores_per_socket);
    if (it == machines.end())
        it = machines
                 .emplace(cores_per_socket, platform::Topology::from_synthetic(
                                                "pack:2 [numa] l3:1 core:" + std::to_string(cores_per_socket) + " pu:1"))
                 .first;
    return it->second;
}

TEST(Placement, EachPortsQueuesOnItsNicsNodeFrom16To64Cores) {
    for (const int cores : {16, 32, 64})
        for (const int queues : {1, 2, 8, 16}) {
            SCOPED_TRACE(std::to_string(cores) + " cores, " + std::to_string(queues) + " queues a port");
            // A node holds its port's RX lcores; node 0 main's too.
            if (queues + 1 > cores / 2) {
                try {
                    run_on(two_sockets(cores), std::to_string(queues));
                    // Too few CPUs on the NIC's node: RX leaves it, and the plan must say so.
                } catch (const std::runtime_error& e) {
                    EXPECT_NE(std::string(e.what()).find("CPU"), std::string::npos) << e.what();
                    continue;
                }
                const Planned run = run_on(two_sockets(cores), std::to_string(queues));
                EXPECT_FALSE(run.plan.warnings.empty()) << "a plan that leaves a node must warn";
                continue;
            }
            expect_each_port_on_its_node(run_on(two_sockets(cores), std::to_string(queues)), queues);
        }
}

TEST(Placement, ASavedDualSocketServer) {
    const platform::Topology server =
        platform::Topology::from_xml_file(std::string(SENTINEL_TOPOLOGY_DIR) + "/dual_socket_smt.xml");
    for (const int queues : {1, 2, 4}) {
        SCOPED_TRACE(std::to_string(queues) + " queues a port");
        expect_each_port_on_its_node(run_on(server, std::to_string(queues)), queues);
    }
}

TEST(Placement, AMachineTooSmallForRxSaysHowManyCpusItNeeds) {
    try {
        run_on(two_sockets(8), "16");
        ADD_FAILURE() << "32 RX queues planned on 16 CPUs";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("CPU"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace sentinel::appliance
