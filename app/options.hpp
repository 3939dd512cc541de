#pragma once
// The appliance's own options: everything after the "--" that ends DPDK's EAL options.

#include <cstddef>
#include <optional>
#include <string>

namespace sentinel::app {

struct Options {
    bool plan_only = false;                  // --plan: print the placement plan and exit
    std::optional<std::string> topology;     // --topology FILE.xml: plan for another machine
    std::optional<int> port_numa_node;       // --port-numa-node N: node of ports that report none
    int rx_queues = 1;                       // --rx-queues N per port
    std::size_t ring_size = 4096;            // --ring-size N slots per RX ring (a power of two)
    bool refuse_cross_node = false;          // --refuse-cross-node: error instead of warning
};

// Parses argv[0..argc) (argv[0] is the program name). Throws std::invalid_argument with one line
// that names the option and the fix. --help prints usage to stdout and sets `help`.
Options parse_options(int argc, char** argv, bool& help);

}  // namespace sentinel::app
