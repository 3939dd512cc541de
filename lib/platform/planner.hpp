#pragma once
// Planner: decides which CPU runs each lcore duty and which NUMA node holds each memory region,
// from the topology and the ports' nodes. No DPDK here: the caller passes each port's node
// (rte_eth_dev_socket_id, or Topology::pci_device_node when planning from a server's XML).
//
//   node 0 (CPU 0's)     node 1 (port 0's NIC)
//   ┌───────────────┐    ┌────────────────────────────────────────────────────────┐
//   │ cpu 0: main   │    │ cpu 8: rx q0  ──▶ ring.rx0 (node 1) ──▶ cpu 9: worker  │
//   │ cpu 1-7: free │    │ cpu 10: rx q1 ──▶ ring.rx1 (node 1) ──▶ cpu 11: worker │
//   └───────────────┘    └────────────────────────────────────────────────────────┘
//
// Rules, in the order they are applied:
//   1. The main lcore takes the first CPU of the pool (CPU 0 on most machines, EAL's default main
//      lcore): it runs stats and control, not a poll loop, and CPU 0 is where the kernel's own
//      housekeeping lands, so busy lcores stay off its core while other cores are free.
//   2. Each RX queue gets a CPU of its own, on its port's node: a whole free core first, then the
//      main lcore's SMT sibling (main is light), then a busy core's sibling (warned). A remote
//      node comes only when the port's node has no free CPU: warned, or refused on request.
//      RX never shares a CPU: a poll loop that loses its CPU for a time slice loses packets.
//      Unless share_cpus: then several lcores may run on one CPU (RX ones too, each warned), so
//      that a small machine runs any number of queues, slowly, for tests and demos.
//   3. Each RX queue's worker lcores take free CPUs by the same order around the RX lcore's node,
//      preferring its L3, then its package.
//   4. With no free CPU left, a worker duty joins the duty cycle of the least-loaded lcore that
//      does not run RX, on the RX lcore's node first, the main lcore winning ties. Joining the main
//      lcore alone is noted (the designed mode of small machines); any further sharing is warned.
//      So a 2-CPU machine runs main and the worker on CPU 0 and RX on CPU 1; fewer CPUs than RX
//      queues + 1 is an error.
//   5. Memory for a queue goes on its RX lcore's node; memory for a whole port (its mempool) on
//      the port's node, where the NIC writes packets.
// Lcore ids equal CPU numbers, as EAL's -l option makes them, except where the operator's list
// maps them otherwise (--lcores '2@0') or share_cpus adds lcores beyond the CPUs (a note gives
// EAL's --lcores map). Duties that share an lcore run in one duty cycle on it. Threads outside EAL
// pin themselves with Plan::cpus(role).
//
// Thread safety: make_plan is a pure function; a Plan is a plain value.

#include <cstddef>
#include <map>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory_region.hpp"
#include "topology.hpp"

namespace sentinel::platform {

enum class Role { main, rx, worker };

std::string_view to_string(Role role) noexcept;

struct PortRequest {
    int port;            // DPDK port id
    int numa_node = -1;  // rte_eth_dev_socket_id(); -1 (SOCKET_ID_ANY) for virtual ports
    int rx_queues = 1;
};

struct MemoryRequest {
    MemoryRegion region;
    std::size_t bytes;
};

// An lcore of the operator's list (EAL -l, --lcores) and the CPU it runs on.
struct OperatorLcore {
    int lcore;
    int cpu;
};

// The empty {} let callers write designated initialisers naming only the fields they set, without
// -Wmissing-field-initializers.
struct PlanRequest {
    std::vector<PortRequest> ports{};
    int workers_per_rx_queue = 1;         // lcores running each queue's stages after RX
    std::vector<OperatorLcore> operator_lcores{};  // the operator's lcores (EAL -l, --lcores); empty: choose
    bool share_cpus = false;              // lcores may share a CPU, RX ones too (warned): tests, demos
    bool refuse_cross_node = false;       // throw instead of warning when a duty leaves its node
    std::optional<int> port_numa_node{};  // the node of ports that report none (--port-numa-node N)
    std::map<int, int> port_numa_nodes{}; // by port id, before port_numa_node (--port-numa-node P:N,...)
    std::vector<MemoryRequest> memory{};
    std::size_t page_bytes = std::size_t{2} << 20;  // the page size the regions are mapped with
};

// One duty of one lcore: an lcore running several duties appears once per duty.
struct LcoreAssignment {
    int lcore;
    int cpu;
    int node;
    int core;
    Role role;
    int port = -1;    // rx and worker duties
    int queue = -1;   // rx and worker duties
    int worker = -1;  // worker duties: which of the queue's workers_per_rx_queue lcores
};

struct MemoryPlacement {
    MemoryRegion region;
    int node;
    std::size_t page_bytes;
    std::size_t bytes;
};

struct Plan {
    std::vector<LcoreAssignment> lcores;  // by lcore, then main, rx, worker, then port, queue
    std::vector<MemoryPlacement> memory;  // in request order
    std::vector<std::string> notes;       // expected choices the operator should know about
    std::vector<std::string> warnings;    // choices that cost throughput or locality

    // The CPUs that run `role`, ascending and without repeats: for pthread affinity of threads
    // outside EAL (tests, benchmarks) and for building EAL's -l list.
    std::vector<int> cpus(Role role) const;
    std::vector<int> all_cpus() const;
    // The CPUs no RX lcore polls (main's and the workers'), ascending: where a thread outside EAL
    // may run without taking a CPU from RX (the capture journal's writer, whose capture stages
    // yield their CPU while they wait for it).
    std::vector<int> cpus_without_rx() const;
    int main_lcore() const;
    // The node the plan gives `region`; throws std::logic_error when the request did not ask for it.
    int node_of(const MemoryRegion& region) const;
    // The lcore that runs stage `stage` of the RX queue's stages (numbered from 0 in the order
    // they are built): its worker lcores take them in turn. Throws std::logic_error when the plan
    // gives the queue no worker.
    int stage_lcore(int port, int queue, std::size_t stage) const;
    // Whether another lcore of the plan runs on `lcore`'s CPU (share_cpus): its cycle then yields
    // the CPU when it has no work, instead of spinning through the other's time.
    bool shares_cpu(int lcore) const;
};

// Throws std::runtime_error naming what is short and what to change: too few CPUs, a port's or a
// listed CPU's node unknown to the topology, a cross-node duty under refuse_cross_node, a memory
// region naming a queue the plan has not got.
Plan make_plan(const Topology& topology, const PlanRequest& request);

}  // namespace sentinel::platform
