#include "platform/topology.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sentinel::platform {
namespace {

// Two sockets of 8 two-way SMT cores, numbered as Linux numbers Intel servers: CPU n and n+16 are
// siblings, so node 0 holds 0-7 and 16-23. topologies/dual_socket_smt.xml is this description
// exported with `lstopo -i "..." --of xml`, plus a NIC under each package (0000:18:00.0 on node 0,
// 0000:81:00.0 on node 1).
constexpr const char* kDualSocket = "pack:2 [numa] l3:1 core:8 pu:2(indexes=2*16:1*2)";

std::string dual_socket_xml() { return std::string(SENTINEL_TOPOLOGY_DIR) + "/dual_socket_smt.xml"; }

std::vector<int> os_indexes(const std::vector<Cpu>& cpus) {
    std::vector<int> result;
    for (const Cpu& c : cpus)
        result.push_back(c.os_index);
    return result;
}

std::vector<int> range(int first, int last) {
    std::vector<int> result;
    for (int i = first; i <= last; ++i)
        result.push_back(i);
    return result;
}

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

TEST(Topology, SyntheticDualSocketHasPackagesNodesCoresAndSiblings) {
    const Topology t = Topology::from_synthetic(kDualSocket);
    ASSERT_EQ(t.cpus().size(), 32u);
    EXPECT_EQ(std::vector<int>(t.nodes().begin(), t.nodes().end()), (std::vector<int>{0, 1}));

    const Cpu& cpu8 = *t.find_cpu(8);
    EXPECT_EQ(cpu8.node, 1);
    EXPECT_EQ(cpu8.package, 1);
    EXPECT_EQ(t.find_cpu(24)->core, cpu8.core);
    EXPECT_NE(t.find_cpu(9)->core, cpu8.core);
    EXPECT_NE(t.find_cpu(0)->l3, cpu8.l3);
    EXPECT_EQ(t.find_cpu(7)->l3, t.find_cpu(0)->l3);

    std::vector<int> node0 = range(0, 7);
    for (int cpu : range(16, 23))
        node0.push_back(cpu);
    EXPECT_EQ(os_indexes(t.cpus_on_node(0)), node0);
    EXPECT_EQ(t.smt_siblings(0), std::vector<int>{16});
    EXPECT_EQ(t.smt_siblings(31), std::vector<int>{15});
}

TEST(Topology, CpusAscendAndCoresAreUniqueAcrossPackages) {
    const Topology t = Topology::from_synthetic(kDualSocket);
    std::vector<int> cores;
    for (const Cpu& c : t.cpus())
        if (t.smt_siblings(c.os_index).front() > c.os_index)
            cores.push_back(c.core);
    EXPECT_EQ(cores.size(), 16u);
    std::ranges::sort(cores);
    EXPECT_EQ(std::ranges::adjacent_find(cores), cores.end());
    EXPECT_TRUE(std::ranges::is_sorted(t.cpus(), {}, &Cpu::os_index));
}

TEST(Topology, UnknownCpuHasNoEntryAndNoSiblings) {
    const Topology t = Topology::from_synthetic("pack:1 [numa] core:2 pu:1");
    EXPECT_EQ(t.find_cpu(2), nullptr);
    EXPECT_TRUE(t.smt_siblings(2).empty());
    EXPECT_TRUE(t.smt_siblings(0).empty());
    EXPECT_TRUE(t.cpus_on_node(1).empty());
    EXPECT_FALSE(t.has_node(1));
}

TEST(Topology, CpusWithoutCoreObjectsAreTheirOwnCores) {
    const Topology t = Topology::from_synthetic("pack:1 [numa] pu:4");
    ASSERT_EQ(t.cpus().size(), 4u);
    EXPECT_NE(t.cpus()[0].core, t.cpus()[1].core);
    EXPECT_TRUE(t.smt_siblings(0).empty());
    EXPECT_EQ(t.cpus()[3].l3, -1);
}

TEST(Topology, InvalidSyntheticDescriptionIsNamed) {
    const std::string what = error_of([] { Topology::from_synthetic("pack:two core:8"); });
    EXPECT_NE(what.find("\"pack:two core:8\""), std::string::npos) << what;
    EXPECT_NE(what.find("e.g."), std::string::npos) << what;
}

TEST(Topology, XmlFileRoundTripsTheSyntheticTopology) {
    const Topology from_xml = Topology::from_xml_file(dual_socket_xml());
    const Topology synthetic = Topology::from_synthetic(kDualSocket);
    EXPECT_TRUE(std::ranges::equal(from_xml.cpus(), synthetic.cpus()));
    EXPECT_TRUE(std::ranges::equal(from_xml.nodes(), synthetic.nodes()));
    EXPECT_EQ(from_xml.source(), dual_socket_xml());
}

TEST(Topology, PciDeviceNodeComesFromTheXml) {
    const Topology t = Topology::from_xml_file(dual_socket_xml());
    EXPECT_EQ(t.pci_device_node("0000:81:00.0"), 1);
    EXPECT_EQ(t.pci_device_node("81:00.0"), 1);
    EXPECT_EQ(t.pci_device_node("0000:18:00.0"), 0);
    EXPECT_EQ(t.pci_device_node("0000:82:00.0"), -1);
    EXPECT_THROW(t.pci_device_node("eth0"), std::invalid_argument);
    EXPECT_THROW(t.pci_device_node("81:00.0 "), std::invalid_argument);
}

TEST(Topology, MissingXmlFileIsNamedWithTheFix) {
    const std::string what = error_of([] { Topology::from_xml_file("/nonexistent/server.xml"); });
    EXPECT_NE(what.find("/nonexistent/server.xml"), std::string::npos) << what;
    EXPECT_NE(what.find("No such file"), std::string::npos) << what;
    EXPECT_NE(what.find("lstopo --of xml"), std::string::npos) << what;
}

TEST(Topology, InvalidXmlFileIsNamed) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sentinel_topology_test_" + std::to_string(getpid()) + ".xml");
    std::ofstream(path) << "<topology>not really</topology>\n";
    const std::string what = error_of([&] { Topology::from_xml_file(path.string()); });
    std::filesystem::remove(path);
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("not an hwloc XML topology"), std::string::npos) << what;
}

TEST(Topology, ThisMachineHasTheCpusThisProcessMayUse) {
    const Topology t = Topology::this_machine();
    ASSERT_GE(t.cpus().size(), 1u);
    cpu_set_t affinity;
    ASSERT_EQ(sched_getaffinity(0, sizeof affinity, &affinity), 0);
    for (const Cpu& c : t.cpus()) {
        EXPECT_TRUE(CPU_ISSET(c.os_index, &affinity)) << "cpu " << c.os_index;
        EXPECT_TRUE(t.has_node(c.node)) << "cpu " << c.os_index;
    }
}

}  // namespace
}  // namespace sentinel::platform
