#pragma once
// The placement request for a run: the receiving ports with their nodes and queues, one ring
// region per RX queue, and with --capture one journal region per RX queue. The caller adds what
// only DPDK can size (the ports' mempools).

#include <vector>

#include "config.hpp"
#include "platform/planner.hpp"

namespace sentinel::appliance {

// `ports`: each receiving port and its node (-1 where it reports none); their rx_queues come
// from the config. `operator_lcores`: EAL's lcores when the operator chose them, else empty.
platform::PlanRequest plan_request(const Config& config, std::vector<platform::OperatorLcore> operator_lcores,
                                   std::vector<platform::PortRequest> ports);

// One journal region per RX queue of the request, sized by journal_bytes_per_ring.
void add_journal_buffers(platform::PlanRequest& request, const Config& config);

}  // namespace sentinel::appliance
