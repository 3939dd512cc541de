#include "platform/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/plan_format.hpp"
#include "platform/topology.hpp"

namespace sentinel::platform {
namespace {

// CPU n and n+16 are SMT siblings; node 0 holds 0-7 and 16-23, node 1 holds 8-15 and 24-31.
const Topology& dual_socket() {
    static const Topology t =
        Topology::from_synthetic("pack:2 [numa] l3:1 core:8 pu:2(indexes=2*16:1*2)");
    return t;
}

// This development machine: one node, two cores, no SMT.
const Topology& two_cpus() {
    static const Topology t = Topology::from_synthetic("pack:1 [numa] core:2 pu:1");
    return t;
}

std::vector<LcoreAssignment> with_role(const Plan& plan, Role role) {
    std::vector<LcoreAssignment> result;
    std::ranges::copy_if(plan.lcores, std::back_inserter(result),
                         [role](const LcoreAssignment& a) { return a.role == role; });
    return result;
}

const LcoreAssignment& rx_of(const Plan& plan, int port, int queue) {
    const auto it = std::ranges::find_if(plan.lcores, [&](const LcoreAssignment& a) {
        return a.role == Role::rx && a.port == port && a.queue == queue;
    });
    if (it == plan.lcores.end())
        throw std::logic_error("no rx lcore for the queue");
    return *it;
}

int mentioning(const std::vector<std::string>& lines, const std::string& needle) {
    return static_cast<int>(std::ranges::count_if(
        lines, [&](const std::string& line) { return line.find(needle) != std::string::npos; }));
}

// An lcore list as -l gives it: each lcore numbered as its CPU.
std::vector<OperatorLcore> on_cpus(std::initializer_list<int> cpus) {
    std::vector<OperatorLcore> lcores;
    for (const int cpu : cpus) lcores.push_back({cpu, cpu});
    return lcores;
}

std::string error_of(const Topology& topology, const PlanRequest& request) {
    try {
        make_plan(topology, request);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

TEST(Planner, NicOnNode1GetsRxLcoresAndTheirMemoryOnNode1) {
    PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 2}}};
    request.memory = {{.region = MemoryRegion::ring(0, 0), .bytes = 4 << 20},
                      {.region = MemoryRegion::ring(0, 1), .bytes = 4 << 20},
                      {.region = MemoryRegion::mempool(0), .bytes = 64 << 20}};
    const Plan plan = make_plan(dual_socket(), request);

    EXPECT_EQ(plan.main_lcore(), 0);
    EXPECT_EQ(rx_of(plan, 0, 0).cpu, 8);
    EXPECT_EQ(rx_of(plan, 0, 1).cpu, 9);
    for (const MemoryPlacement& m : plan.memory) {
        EXPECT_EQ(m.node, 1) << m.region.name();
        EXPECT_EQ(m.page_bytes, std::size_t{2} << 20) << m.region.name();
    }
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, SmtSiblingsStayIdleWhileWholeCoresAreFree) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 8}},
                              .workers_per_rx_queue = 0};
    const Plan plan = make_plan(dual_socket(), request);
    std::set<int> cores;
    for (const LcoreAssignment& a : with_role(plan, Role::rx)) {
        EXPECT_EQ(a.node, 1);
        cores.insert(a.core);
    }
    EXPECT_EQ(cores.size(), 8u);
    EXPECT_EQ(plan.cpus(Role::rx), (std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15}));
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, SmtSiblingsAreUsedWithAWarningOnceWholeCoresRunOut) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 12}},
                              .workers_per_rx_queue = 0};
    const Plan plan = make_plan(dual_socket(), request);
    for (const LcoreAssignment& a : with_role(plan, Role::rx))
        EXPECT_EQ(a.node, 1) << "rx queue " << a.queue;
    EXPECT_EQ(rx_of(plan, 0, 8).cpu, 24);
    EXPECT_EQ(rx_of(plan, 0, 11).cpu, 27);
    EXPECT_EQ(mentioning(plan.warnings, "SMT siblings"), 4) << format(plan);
}

TEST(Planner, MainLcoresSiblingComesBeforeABusySibling) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 9}},
                              .workers_per_rx_queue = 0};
    const Plan plan = make_plan(dual_socket(), request);
    EXPECT_EQ(plan.main_lcore(), 0);
    EXPECT_EQ(rx_of(plan, 0, 6).cpu, 7);
    EXPECT_EQ(rx_of(plan, 0, 7).cpu, 16);  // shares core 0 with main, which does not poll
    EXPECT_EQ(rx_of(plan, 0, 8).cpu, 17);  // shares core 1 with rx queue 0
    EXPECT_EQ(mentioning(plan.warnings, "SMT siblings"), 1) << format(plan);
}

// One node of 8 cores with SMT, 8 RX queues: the last RX queue takes main's sibling, and its worker
// (no CPU left) joins main: main's core then polls twice over, which the plan must say.
TEST(Planner, WorkerJoiningMainBesideAnRxSiblingWarns) {
    const Topology t = Topology::from_synthetic("pack:1 [numa] l3:1 core:8 pu:2(indexes=2*8:1*2)");
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 8}}};
    const Plan plan = make_plan(t, request);
    EXPECT_EQ(rx_of(plan, 0, 7).cpu, 8);  // main's sibling
    EXPECT_EQ(mentioning(plan.warnings, "worker port=0 queue=7 worker=0 on lcore 0 shares core 0 with busy lcore 8"), 1)
        << format(plan);
}

TEST(Planner, WorkersSitOnTheirRxLcoresNode) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 2}},
                              .workers_per_rx_queue = 2};
    const Plan plan = make_plan(dual_socket(), request);
    const auto workers = with_role(plan, Role::worker);
    ASSERT_EQ(workers.size(), 4u);
    std::set<int> cores;
    for (const LcoreAssignment& a : plan.lcores)
        if (a.role != Role::main)
            cores.insert(a.core);
    EXPECT_EQ(cores.size(), 6u) << "every busy duty on a core of its own";
    for (const LcoreAssignment& w : workers)
        EXPECT_EQ(w.node, rx_of(plan, w.port, w.queue).node);
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, WorkersPreferTheirRxLcoresL3) {
    // One node, two L3s numbered alternately, as some AMD parts are: L3 0 holds 0,2,4,6.
    const Topology t =
        Topology::from_synthetic("pack:1 [numa] l3:2 core:4 pu:1(indexes=0,2,4,6,1,3,5,7)");
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 1}},
                              .workers_per_rx_queue = 2};
    const Plan plan = make_plan(t, request);
    EXPECT_EQ(rx_of(plan, 0, 0).cpu, 1);
    EXPECT_EQ(plan.cpus(Role::worker), (std::vector<int>{3, 5}));
    EXPECT_EQ(plan.cpus_without_rx(), (std::vector<int>{0, 3, 5}));
    EXPECT_EQ(plan.stage_lcore(0, 0, 0), 3);
    EXPECT_EQ(plan.stage_lcore(0, 0, 1), 5);
    EXPECT_EQ(plan.stage_lcore(0, 0, 2), 3);
    EXPECT_THROW(plan.stage_lcore(0, 1, 0), std::logic_error);
}

TEST(Planner, TwoCpuMachineRunsMainWithTheWorkerAndRxAlone) {
    PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 1}}};
    request.memory = {{.region = MemoryRegion::ring(0, 0), .bytes = 4 << 20}};
    const Plan plan = make_plan(two_cpus(), request);
    EXPECT_EQ(format(plan),
              "lcore=0 cpu=0 node=0 core=0 role=main\n"
              "lcore=0 cpu=0 node=0 core=0 role=worker port=0 queue=0 worker=0\n"
              "lcore=1 cpu=1 node=0 core=1 role=rx port=0 queue=0\n"
              "memory=ring.port0.rx0 node=0 page=2M bytes=4194304\n"
              "note=worker port=0 queue=0 worker=0 shares the main lcore 0 in one duty cycle: "
              "2 CPUs for 2 busy duties and main\n");
    EXPECT_EQ(plan.cpus(Role::main), std::vector<int>{0});
    EXPECT_EQ(plan.cpus(Role::worker), std::vector<int>{0});
    EXPECT_EQ(plan.cpus(Role::rx), std::vector<int>{1});
    EXPECT_EQ(plan.all_cpus(), (std::vector<int>{0, 1}));
    EXPECT_EQ(plan.cpus_without_rx(), std::vector<int>{0});
    EXPECT_EQ(plan.node_of(MemoryRegion::ring(0, 0)), 0);
    EXPECT_THROW(plan.node_of(MemoryRegion::ring(0, 1)), std::logic_error);
}

TEST(Planner, MoreWorkersThanCpusShareAWorkerLcoreWithAWarning) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 1}},
                              .workers_per_rx_queue = 3};
    const Plan plan = make_plan(two_cpus(), request);
    EXPECT_EQ(plan.cpus(Role::worker), std::vector<int>{0});
    EXPECT_EQ(plan.cpus(Role::rx), std::vector<int>{1});
    EXPECT_EQ(mentioning(plan.warnings, "shares lcore 0 with"), 2) << format(plan);
}

TEST(Planner, TooFewCpusSaysHowManyAndWhatToDo) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 2}}};
    const std::string what = error_of(two_cpus(), request);
    EXPECT_NE(what.find("at least 3 CPUs"), std::string::npos) << what;
    EXPECT_NE(what.find("offers 2 (0-1)"), std::string::npos) << what;
    EXPECT_NE(what.find("use fewer RX queues"), std::string::npos) << what;

    const Topology one = Topology::from_synthetic("pack:1 [numa] core:1 pu:1");
    EXPECT_THROW(make_plan(one, {.ports = {{.port = 0, .numa_node = 0}}}), std::runtime_error);
}

TEST(Planner, OperatorListCrossingNodesWarns) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 1}},
                              .operator_lcores = on_cpus({0, 1, 2, 3})};
    const Plan plan = make_plan(dual_socket(), request);
    EXPECT_EQ(rx_of(plan, 0, 0).node, 0);
    ASSERT_EQ(plan.warnings.size(), 1u) << format(plan);
    EXPECT_NE(plan.warnings[0].find("port 0 is on node 1"), std::string::npos) << plan.warnings[0];
    EXPECT_NE(plan.warnings[0].find("(8-15,24-31)"), std::string::npos) << plan.warnings[0];
    // The workers follow their RX lcore, not the port: the ring is on the RX lcore's node.
    EXPECT_EQ(with_role(plan, Role::worker).front().node, 0);
}

TEST(Planner, OperatorListCrossingNodesIsRefusedOnRequest) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 1}},
                              .operator_lcores = on_cpus({0, 1, 2, 3}),
                              .refuse_cross_node = true};
    const std::string what = error_of(dual_socket(), request);
    EXPECT_EQ(what.rfind("refusing a cross-node plan: rx port=0 queue=0", 0), 0u) << what;
}

TEST(Planner, OperatorListIsUsedAsGivenWithItsFirstCpuAsMain) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 1, .rx_queues = 1}},
                              .operator_lcores = on_cpus({25, 10, 9})};
    const Plan plan = make_plan(dual_socket(), request);
    EXPECT_EQ(plan.main_lcore(), 9);
    EXPECT_EQ(rx_of(plan, 0, 0).cpu, 10);
    EXPECT_EQ(plan.cpus(Role::worker), std::vector<int>{25});  // main's sibling: main does not poll
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, OperatorListMustNameCpusOfTheTopologyOnce) {
    const std::string missing = error_of(
        dual_socket(), {.ports = {{.port = 0, .numa_node = 0}}, .operator_lcores = on_cpus({0, 40})});
    EXPECT_NE(missing.find("CPU 40"), std::string::npos) << missing;
    EXPECT_NE(missing.find("0-31"), std::string::npos) << missing;
    const std::string twice = error_of(
        dual_socket(), {.ports = {{.port = 0, .numa_node = 0}}, .operator_lcores = on_cpus({0, 1, 1})});
    EXPECT_NE(twice.find("lcore 1 twice"), std::string::npos) << twice;
}

TEST(Planner, LcoresSharingACpuNeedShareCpus) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 2}},
                              .operator_lcores = {{0, 0}, {1, 1}, {2, 0}, {3, 1}}};
    const std::string what = error_of(two_cpus(), request);
    EXPECT_NE(what.find("names CPU 0 twice"), std::string::npos) << what;
    EXPECT_NE(what.find("--share-cpus"), std::string::npos) << what;
    const std::string short_of_cpus = error_of(two_cpus(), {.ports = {{.port = 0, .numa_node = 0, .rx_queues = 2}}});
    EXPECT_NE(short_of_cpus.find("needs at least 3 CPUs"), std::string::npos) << short_of_cpus;
    EXPECT_NE(short_of_cpus.find("--share-cpus"), std::string::npos) << short_of_cpus;
}

TEST(Planner, SharedCpusGiveEachRxQueueALcoreOfItsOwnAndSaySo) {
    PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 2}},
                        .operator_lcores = {{0, 0}, {1, 1}, {2, 0}, {3, 1}},
                        .share_cpus = true};
    request.memory = {{.region = MemoryRegion::ring(0, 0), .bytes = 4096}, {.region = MemoryRegion::ring(0, 1), .bytes = 4096}};
    const Plan plan = make_plan(two_cpus(), request);
    EXPECT_EQ(plan.main_lcore(), 0);
    const std::vector<LcoreAssignment> rx = with_role(plan, Role::rx);
    ASSERT_EQ(rx.size(), 2u);
    EXPECT_EQ(rx[0].lcore, 1) << "the first RX queue takes a CPU no lcore uses yet";
    EXPECT_EQ(rx[0].cpu, 1);
    EXPECT_EQ(rx[1].lcore, 2) << "the second shares the light main lcore's CPU before a busy one's";
    EXPECT_EQ(rx[1].cpu, 0);
    for (const LcoreAssignment& w : with_role(plan, Role::worker)) {
        EXPECT_NE(w.lcore, 1);
        EXPECT_NE(w.lcore, 2) << "an RX lcore runs nothing else";
    }
    EXPECT_TRUE(plan.shares_cpu(1) && plan.shares_cpu(2) && plan.shares_cpu(0));
    EXPECT_EQ(mentioning(plan.warnings, "(--share-cpus): they take turns"), 2) << format(plan);
}

TEST(Planner, SharedCpusWithoutAnLcoreListNameTheLcoresEalNeeds) {
    const Plan plan = make_plan(two_cpus(), {.ports = {{.port = 0, .numa_node = 0, .rx_queues = 3}}, .share_cpus = true});
    EXPECT_EQ(with_role(plan, Role::rx).size(), 3u);
    EXPECT_EQ(mentioning(plan.notes, "start EAL with --lcores '0@0,1@1,2@1,3@0'"), 1) << format(plan);
    EXPECT_FALSE(plan.shares_cpu(-1));
}

TEST(Planner, PortWithoutNodeIsPlannedOnNode0WithANote) {
    const Plan plan = make_plan(dual_socket(), {.ports = {{.port = 3, .numa_node = -1}}});
    EXPECT_EQ(rx_of(plan, 3, 0).node, 0);
    ASSERT_EQ(plan.notes.size(), 1u);
    EXPECT_NE(plan.notes[0].find("port 3 reports no NUMA node"), std::string::npos);
    EXPECT_NE(plan.notes[0].find("--port-numa-node"), std::string::npos);
}

TEST(Planner, PortWithoutNodeTakesTheOperatorsNode) {
    const Plan plan = make_plan(dual_socket(),
                                {.ports = {{.port = 0, .numa_node = -1}}, .port_numa_node = 1});
    EXPECT_EQ(rx_of(plan, 0, 0).node, 1);
    EXPECT_EQ(mentioning(plan.notes, "as --port-numa-node says"), 1);
    const std::string what =
        error_of(dual_socket(), {.ports = {{.port = 0, .numa_node = -1}}, .port_numa_node = 5});
    EXPECT_NE(what.find("--port-numa-node 5"), std::string::npos) << what;
}

TEST(Planner, PortsWithoutNodesTakeTheNodeGivenForEach) {
    const Plan plan = make_plan(dual_socket(), {.ports = {{.port = 0, .numa_node = -1}, {.port = 1, .numa_node = -1},
                                                          {.port = 2, .numa_node = -1}},
                                                .port_numa_node = 1,
                                                .port_numa_nodes = {{0, 0}, {1, 1}}});
    EXPECT_EQ(rx_of(plan, 0, 0).node, 0);
    EXPECT_EQ(rx_of(plan, 1, 0).node, 1);
    EXPECT_EQ(rx_of(plan, 2, 0).node, 1) << "the bare node, for the ports not named";
    EXPECT_EQ(mentioning(plan.notes, "as --port-numa-node says"), 3);
    const std::string what = error_of(dual_socket(), {.ports = {{.port = 0, .numa_node = -1}}, .port_numa_nodes = {{0, 4}}});
    EXPECT_NE(what.find("--port-numa-node 0:4: 4 is not a NUMA node"), std::string::npos) << what;
}

TEST(Planner, PortOnANodeTheTopologyLacksIsAnError) {
    const std::string what = error_of(two_cpus(), {.ports = {{.port = 0, .numa_node = 1}}});
    EXPECT_NE(what.find("port 0 is on NUMA node 1"), std::string::npos) << what;
    EXPECT_NE(what.find("--topology"), std::string::npos) << what;
}

TEST(Planner, PlansFromASavedServerTopology) {
    const Topology server =
        Topology::from_xml_file(std::string(SENTINEL_TOPOLOGY_DIR) + "/dual_socket_smt.xml");
    const int nic_node = server.pci_device_node("0000:81:00.0");
    const Plan plan = make_plan(
        server, {.ports = {{.port = 0, .numa_node = nic_node, .rx_queues = 4}},
                 .memory = {{.region = MemoryRegion::mempool(0), .bytes = 256 << 20}}});
    EXPECT_EQ(plan.cpus(Role::rx), (std::vector<int>{8, 9, 10, 11}));
    EXPECT_EQ(plan.cpus(Role::worker), (std::vector<int>{12, 13, 14, 15}));
    EXPECT_EQ(plan.memory.at(0).node, 1);
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, TwoPortsOnTwoNodesKeepToTheirNodes) {
    const Plan plan = make_plan(dual_socket(), {.ports = {{.port = 0, .numa_node = 0, .rx_queues = 2},
                                                          {.port = 1, .numa_node = 1, .rx_queues = 2}}});
    for (const LcoreAssignment& a : plan.lcores) {
        if (a.role != Role::main) {
            EXPECT_EQ(a.node, a.port) << format(plan);
        }
    }
    EXPECT_TRUE(plan.warnings.empty()) << format(plan);
}

TEST(Planner, MemoryForAQueueThePlanLacksIsAnError) {
    const PlanRequest request{.ports = {{.port = 0, .numa_node = 0, .rx_queues = 1}},
                              .memory = {{.region = MemoryRegion::ring(0, 1), .bytes = 4096}}};
    const std::string what = error_of(dual_socket(), request);
    EXPECT_NE(what.find("ring.port0.rx1 names RX queue 1 of port 0"), std::string::npos) << what;
}

TEST(PlanFormat, SizesUseTheLargestExactUnit) {
    EXPECT_EQ(format_size(4096), "4K");
    EXPECT_EQ(format_size(std::size_t{2} << 20), "2M");
    EXPECT_EQ(format_size(std::size_t{1} << 30), "1G");
    EXPECT_EQ(format_size(1000), "1000");
}

TEST(PlanFormat, LcoreLinesComeSortedWithMemoryNotesAndWarningsAfter) {
    const Plan plan{
        .lcores = {{.lcore = 0, .cpu = 0, .node = 0, .core = 0, .role = Role::main},
                   {.lcore = 3, .cpu = 3, .node = 1, .core = 3, .role = Role::rx, .port = 0,
                    .queue = 0}},
        .memory = {{.region = MemoryRegion::ring(0, 0), .node = 1, .page_bytes = 1 << 30, .bytes = 1 << 30}},
        .notes = {"a note"},
        .warnings = {"a warning"}};
    EXPECT_EQ(format(plan),
              "lcore=0 cpu=0 node=0 core=0 role=main\n"
              "lcore=3 cpu=3 node=1 core=3 role=rx port=0 queue=0\n"
              "memory=ring.port0.rx0 node=1 page=1G bytes=1073741824\n"
              "note=a note\n"
              "warning=a warning\n");
}

}  // namespace
}  // namespace sentinel::platform
