#pragma once
// The most mbufs one rte_eth_rx_burst may ask for: the RX duty's burst array, and the bound
// --burst is checked against without DPDK.

#include <cstddef>

namespace sentinel::net {

inline constexpr std::size_t kMaxRxBurst = 512;

}  // namespace sentinel::net
