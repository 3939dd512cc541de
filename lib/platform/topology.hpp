#pragma once
// Topology: the machine's CPUs as the placement planner sees them: which core, cache, package and
// NUMA node each one sits in, read once from hwloc and kept as plain values.
//
//   Machine
//   ├── package 0 ── node 0 ── L3 0 ── core 0 ── cpu 0, cpu 16    (SMT siblings share a core)
//   │                                  core 1 ── cpu 1, cpu 17
//   └── package 1 ── node 1 ── L3 1 ── core 8 ── cpu 8, cpu 24
//                              └── PCI 0000:81:00.0 (a NIC local to node 1)
//
// The same questions are answered for this machine, for a server's topology saved as XML (plan on a
// laptop for the target: `lstopo --of xml server.xml` there), and for synthetic descriptions in
// tests. No hwloc type escapes this header, so users of the planner need no hwloc headers.
//
// Thread safety: a Topology is immutable once built; any thread may read it.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::platform {

struct Cpu {
    int os_index;  // the number the kernel, taskset, pthread affinity and EAL's -l use
    int core;      // unique across the machine: SMT siblings share it
    int l3;        // unique across the machine: CPUs sharing an L3 share it; -1 where hwloc has none
    int package;   // the socket, as hwloc's logical index
    int node;      // the NUMA node: what DPDK calls a socket id (rte_eth_dev_socket_id)

    friend bool operator==(const Cpu&, const Cpu&) = default;
};

class Topology {
public:
    // The CPUs this process may run on: hwloc's allowed set (cgroup cpuset) narrowed by the
    // process's affinity (taskset). Call it before EAL pins the main thread to one CPU.
    static Topology this_machine();

    // A topology exported with `lstopo --of xml FILE` or hwloc_topology_export_xml.
    static Topology from_xml_file(const std::string& path);

    // An hwloc synthetic description, e.g. "pack:2 [numa] l3:1 core:8 pu:2".
    static Topology from_synthetic(const std::string& description);

    // Where the topology came from, for messages: "this machine", the file, the description.
    const std::string& source() const noexcept { return source_; }

    // Ascending by os_index; never empty.
    std::span<const Cpu> cpus() const noexcept { return cpus_; }

    // The NUMA nodes' numbers, ascending; a node may have no CPU (memory-only nodes).
    std::span<const int> nodes() const noexcept { return nodes_; }
    bool has_node(int node) const noexcept;

    // nullptr when the CPU is not in the topology (or not allowed to this process).
    const Cpu* find_cpu(int os_index) const noexcept;

    std::vector<Cpu> cpus_on_node(int node) const;

    // The other CPUs of `cpu`'s core, ascending; empty without SMT or for an unknown CPU.
    std::vector<int> smt_siblings(int cpu) const;

    // The NUMA node a PCI device hangs off, found by its address ("0000:81:00.0" or "81:00.0");
    // -1 when the topology has no such device or hwloc cannot tell its locality; throws
    // std::invalid_argument for a malformed address. Lets an operator planning against a server's
    // XML name NICs by address, where rte_eth_dev_socket_id cannot run.
    int pci_device_node(std::string_view address) const;

private:
    struct PciDevice {
        unsigned domain, bus, device, function;
        int node;
    };

    class Loader;

    Topology() = default;  // only the factories make one: a topology always has CPUs

    std::string source_;
    std::vector<Cpu> cpus_;
    std::vector<int> nodes_;
    std::vector<PciDevice> pci_devices_;
};

}  // namespace sentinel::platform
