#include "plan_request.hpp"

#include "journal_buffers.hpp"
#include "net/packet_slot.hpp"

namespace sentinel::appliance {

platform::PlanRequest plan_request(const Config& c, std::vector<platform::OperatorLcore> operator_lcores,
                                   std::vector<platform::PortRequest> ports) {
    platform::PlanRequest r;
    r.operator_lcores = std::move(operator_lcores);
    r.share_cpus = c.share_cpus;
    r.refuse_cross_node = c.refuse_cross_node;
    r.port_numa_node = c.port_numa_node;
    r.port_numa_nodes = c.port_numa_nodes;
    for (platform::PortRequest& port : ports) {
        port.rx_queues = c.rx_queues;
        for (int q = 0; q < c.rx_queues; ++q)
            r.memory.push_back({.region = platform::MemoryRegion::ring(port.port, q),
                                .bytes = c.ring_size * sizeof(net::PacketSlot)});
    }
    r.ports = std::move(ports);
    return r;
}

void add_journal_buffers(platform::PlanRequest& r, const Config& c) {
    const std::size_t bytes = journal_bytes_per_ring(c);
    for (const platform::PortRequest& port : r.ports)
        for (int q = 0; q < port.rx_queues; ++q)
            r.memory.push_back({.region = platform::MemoryRegion::journal(port.port, q), .bytes = bytes});
}

}  // namespace sentinel::appliance
