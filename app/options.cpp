#include "options.hpp"

#include <getopt.h>

#include <bit>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sentinel::app {

namespace {

constexpr const char* kUsage =
    "usage: sentinel [EAL options] -- [options]\n"
    "\n"
    "  --plan                 print the placement plan (one line per decision) and exit\n"
    "  --topology FILE.xml    plan for the machine that FILE describes (lstopo --of xml)\n"
    "                         instead of this one\n"
    "  --port-numa-node N     NUMA node of ports that report none (virtual ports)\n"
    "  --rx-queues N          RX queues per port, each with its own RX lcore and ring (default 1)\n"
    "  --ring-size N          slots per RX ring, a power of two (default 4096)\n"
    "  --refuse-cross-node    fail instead of warning when a duty would leave its port's node\n"
    "  --help                 this text\n"
    "\n"
    "EAL options come first, DPDK's way: e.g. -l 0-1 --vdev net_null0 (see dpdk-testpmd --help).\n";

long long parse_integer(std::string_view option, const char* text, long long min, long long max) {
    const std::string_view s(text);
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max)
        throw std::invalid_argument(std::string(option) + " needs an integer from " + std::to_string(min) +
                                    " to " + std::to_string(max) + ", got '" + text + "'");
    return value;
}

}  // namespace

Options parse_options(int argc, char** argv, bool& help) {
    enum : int { plan = 256, topology, port_numa_node, rx_queues, ring_size, refuse_cross_node, usage };
    static const option kLong[] = {
        {"plan", no_argument, nullptr, plan},
        {"topology", required_argument, nullptr, topology},
        {"port-numa-node", required_argument, nullptr, port_numa_node},
        {"rx-queues", required_argument, nullptr, rx_queues},
        {"ring-size", required_argument, nullptr, ring_size},
        {"refuse-cross-node", no_argument, nullptr, refuse_cross_node},
        {"help", no_argument, nullptr, usage},
        {nullptr, 0, nullptr, 0},
    };
    Options o;
    help = false;
    optind = 1;   // EAL ran getopt over the same process state
    opterr = 0;   // our own one-line errors instead of getopt's
    int c;
    while ((c = getopt_long(argc, argv, ":", kLong, nullptr)) != -1) {
        switch (c) {
        case plan: o.plan_only = true; break;
        case topology: o.topology = optarg; break;
        case port_numa_node: o.port_numa_node = static_cast<int>(parse_integer("--port-numa-node", optarg, 0, 1023)); break;
        case rx_queues: o.rx_queues = static_cast<int>(parse_integer("--rx-queues", optarg, 1, 1024)); break;
        case ring_size: {
            const auto n = parse_integer("--ring-size", optarg, 64, 1LL << 30);
            if (!std::has_single_bit(static_cast<unsigned long long>(n)))
                throw std::invalid_argument("--ring-size must be a power of two, got " + std::to_string(n) +
                                            " (try " + std::to_string(std::bit_ceil(static_cast<unsigned long long>(n))) + ")");
            o.ring_size = static_cast<std::size_t>(n);
            break;
        }
        case refuse_cross_node: o.refuse_cross_node = true; break;
        case usage:
            std::fputs(kUsage, stdout);
            help = true;
            return o;
        case ':':
            throw std::invalid_argument(std::string(argv[optind - 1]) + " needs a value (sentinel -- --help)");
        default:
            throw std::invalid_argument("unknown option '" + std::string(argv[optind - 1]) +
                                        "' (EAL options go before '--'; sentinel -- --help lists ours)");
        }
    }
    if (optind < argc)
        throw std::invalid_argument("unexpected argument '" + std::string(argv[optind]) + "' (sentinel -- --help)");
    return o;
}

}  // namespace sentinel::app
