#include "receiving_ports.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sentinel::appliance {

std::vector<int> receiving_ports(const Config& c, const std::vector<int>& available) {
    if (available.empty())
        throw std::runtime_error("no DPDK ports: add one with --vdev (e.g. --vdev net_null0) or bind a NIC to vfio-pci");
    const auto check = [&](const char* option, int port) {
        if (std::ranges::find(available, port) == available.end())
            throw std::runtime_error(std::string(option) + ": port " + std::to_string(port) + " does not exist: EAL found " +
                                     std::to_string(available.size()) + " ports (check --vdev/-a)");
    };
    for (const int p : c.ports) check("--ports", p);
    if (c.forward) check("--forward", *c.forward);
    if (c.feed_tx) check("--feed-tx", *c.feed_tx);
    if (!c.ports.empty()) return c.ports;
    std::vector<int> ports = available;
    if (c.forward) std::erase(ports, *c.forward);
    if (c.feed_tx && ports.size() > 1) std::erase(ports, *c.feed_tx);
    if (ports.empty())
        throw std::runtime_error("--forward " + std::to_string(*c.forward) +
                                 " is the only port: add a port to receive on (--vdev) or list it in --ports");
    return ports;
}

}  // namespace sentinel::appliance
