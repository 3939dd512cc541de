#pragma once
// Which ports receive: --ports, or by default every port EAL found but the ones that only
// transmit (--forward's; --feed-tx's unless it is the only port, the feed's lines then coming in
// where it sends). Pure: the caller lists the ports EAL found.

#include <vector>

#include "config.hpp"

namespace sentinel::appliance {

// Throws std::runtime_error with the fix when there is no port, a port an option names is not
// in `available`, or no port is left to receive on.
std::vector<int> receiving_ports(const Config& config, const std::vector<int>& available);

}  // namespace sentinel::appliance
