#pragma once
// One error per failed DPDK call, worded the same everywhere:
//   "rte_eth_rx_queue_setup: port 0 queue 1: Invalid argument"

#include <stdexcept>
#include <string_view>

namespace sentinel::net {

inline constexpr int kNoPort = -1;   // a call about no port (a pool of the appliance's own)
inline constexpr int kNoQueue = -1;

// `rc` is DPDK's negative errno (what ethdev calls return) or a positive rte_errno.
std::runtime_error dpdk_error(std::string_view call, int port, int queue, int rc);

}  // namespace sentinel::net
