#pragma once
// Config: the appliance's own options, everything after the "--" that ends DPDK's EAL options,
// parsed and checked against each other. Pure: no EAL, no DPDK, nothing printed; what the run
// finds later (ports, CPUs, files) is checked where it is found.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feed/udp_frame.hpp"
#include "net/full_policy.hpp"
#include "net/rx_burst.hpp"

namespace sentinel::appliance {

struct Config {
    bool plan_only = false;                  // --plan: print the placement plan and exit
    std::optional<std::string> topology;     // --topology FILE.xml: plan for another machine
    std::optional<int> port_numa_node;       // --port-numa-node N: node of ports that report none
    std::map<int, int> port_numa_nodes;      // --port-numa-node P:N,...: the same, port by port
    int rx_queues = 1;                       // --rx-queues N per port
    std::size_t ring_size = 4096;            // --ring-size N slots per RX ring (a power of two)
    bool refuse_cross_node = false;          // --refuse-cross-node: error instead of warning
    bool share_cpus = false;                 // --share-cpus: lcores may take turns on a CPU (tests, demos)
    std::vector<int> ports;                  // --ports LIST: the ports to receive on; empty: all
    std::uint16_t burst = 32;                // --burst N mbufs per rte_eth_rx_burst
    net::FullPolicy full_policy = net::FullPolicy::wait;  // --full-policy wait|drop
    std::optional<std::chrono::milliseconds> duration;     // --duration S: stop after S seconds
    std::optional<std::chrono::milliseconds> stop_when_idle;  // --stop-when-idle MS: no packet for MS ms
    std::chrono::milliseconds stats_interval{0};           // --stats-interval S: live line; 0: none
    std::optional<std::string> stats_out;                  // --stats-out FILE: final counters

    std::vector<std::string> capture;         // --capture PATH[,PATH...]: pcapng files, one writer each (a disk each)
    std::string capture_filter;               // --capture-filter EXPR (libpcap syntax); empty: every packet
    std::uint32_t snaplen = 262144;           // --snaplen N: bytes kept per packet
    std::uint64_t rotate_bytes = 0;           // --rotate-size N[K|M|G]: new file at this size; 0: never
    std::chrono::seconds rotate_interval{0};  // --rotate-seconds S: new file every S seconds; 0: never
    std::uint32_t max_files = 0;              // --max-files N: keep only the newest N rotated files; 0: all
    bool force = false;                       // --force: overwrite existing capture files
    std::optional<int> forward;               // --forward PORT: transmit selected packets out of PORT
    std::string forward_filter;               // --forward-filter EXPR; empty: every packet

    bool feed = false;                                   // --feed itch50: the feed handler stage
    std::optional<feed::UdpEndpoint> feed_a;             // --feed-a IP:PORT: line A's destination
    std::optional<feed::UdpEndpoint> feed_b;             // --feed-b IP:PORT: line B's
    std::optional<std::string> book_out;                 // --book-out FILE: books at exit and on SIGUSR1
    std::optional<std::size_t> feed_max_orders;          // --feed-max-orders N: resting orders the books hold
    static constexpr std::size_t kFeedMaxOrders = std::size_t{1} << 22;  // without --feed-max-orders
    std::optional<feed::UdpEndpoint> rerequest_server;   // --rerequest-server IP:PORT: where re-requests go
    std::optional<feed::UdpEndpoint> rerequest_source;   // --rerequest-source IP:PORT: ours; answers come here
    std::optional<std::array<std::uint8_t, 6>> rerequest_mac;  // --rerequest-mac MAC: next hop to the server
    std::optional<int> feed_tx;                          // --feed-tx PORT: re-requests and top of book go out here
    std::optional<feed::UdpEndpoint> tob_multicast;      // --tob-multicast GROUP:PORT: top-of-book datagrams
    std::optional<std::uint32_t> tob_source;             // --tob-source IP: their source address
    std::optional<std::string> tob_out;                  // --tob-out FILE: the same datagrams, to a file
};

struct CommandLine {
    Config config;
    bool help = false;  // --help: the caller prints usage() and runs nothing
};

// Parses argv[0..argc) (argv[0] is the program name). Throws std::invalid_argument with one line
// that names the option and the fix. `--config FILE` reads the same options from FILE, one
// `key = value` (or bare `key`) per line, '#' starts a comment; options on the command line
// override the file's.
CommandLine parse_command_line(int argc, char** argv);

// The text --help prints.
std::string_view usage() noexcept;

// The feed takes each line (A, B, the recovery answers) from one RX ring, so that the line's
// packets keep their order: throws std::invalid_argument with the fix when --feed would receive on
// more rings than it has lines.
void check_feed_rings(const Config& config, std::size_t rings);

}  // namespace sentinel::appliance
