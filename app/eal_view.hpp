#pragma once
// EAL's view of the machine, for the placement request: which ports and their nodes, which
// lcores, the mempools' sizes; and the check that EAL can run the plan it gets back.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "appliance/config.hpp"
#include "platform/planner.hpp"

namespace sentinel::app {

// Whether the operator chose the lcores (EAL -l/-c/--lcores, before "--"): then the plan places
// duties on those CPUs and only warns about them, instead of choosing its own.
bool operator_chose_lcores(int argc, char** argv);

// The arguments of the --vdev options before "--" ("net_pcap0,rx_pcap=x" from --vdev net_pcap0,rx_pcap=x
// or --vdev=net_pcap0,rx_pcap=x), in order.
std::vector<std::string_view> vdev_arguments(int argc, char** argv);
// Their ethdev names (net_pcap0).
std::vector<std::string> requested_vdevs(int argc, char** argv);
// Throws when a requested port did not come up: DPDK 22.11's EAL only logs a vdev that fails to
// probe (a missing rx_pcap file) and carries on with the others, renumbered.
void check_vdevs_probed(const std::vector<std::string>& names);

// EAL's enabled lcores and the CPU each runs on.
std::vector<platform::OperatorLcore> eal_lcores();

// The ports EAL found, by port id.
std::vector<int> eal_ports();

// The ports with their nodes (virtual ports: none).
std::vector<platform::PortRequest> port_requests(const std::vector<int>& ports);

// A run's mbuf pools as memory regions, one per port on its node; --plan's output stays the rings'.
void add_mempools(platform::PlanRequest& r, const appliance::Config& o);

// The plan numbers lcores as CPUs and puts main on the lowest; throws with the fix when EAL's
// lcores disagree.
void check_eal_runs(const platform::Plan& plan);

}  // namespace sentinel::app
