#include "config.hpp"

#include <getopt.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "capture/journal_sizing.hpp"


namespace sentinel::appliance {

namespace {

constexpr const char* kUsage =
    "usage: sentinel [EAL options] -- [options]\n"
    "\n"
    "  --plan                 print the placement plan (one line per decision) and exit\n"
    "  --topology FILE.xml    plan for the machine that FILE describes (lstopo --of xml)\n"
    "                         instead of this one\n"
    "  --port-numa-node N     NUMA node of ports that report none (virtual ports); or port by\n"
    "                         port, P:N,P:N (e.g. 0:0,1:1: a NIC on each node)\n"
    "  --rx-queues N          RX queues per port, each with its own RX lcore and ring (default 1)\n"
    "  --ring-size N          slots per RX ring, a power of two (default 4096)\n"
    "  --refuse-cross-node    fail instead of warning when a duty would leave its port's node\n"
    "  --share-cpus           let lcores, RX ones too, take turns on one CPU (EAL --lcores 2@0):\n"
    "                         any number of queues on a small machine, slowly; for tests and demos\n"
    "\n"
    "Without --plan, receive on every port (or --ports LIST) until SIGINT/SIGTERM:\n"
    "  --ports LIST           port ids to receive on, e.g. 0,2 (default: every port EAL found)\n"
    "  --burst N              mbufs per rte_eth_rx_burst (default 32)\n"
    "  --full-policy P        when a ring is full: wait (the NIC queue absorbs, then counts\n"
    "                         imissed; default) or drop (free the burst, count dropped_ring_full)\n"
    "  --duration S           stop after S seconds (decimals allowed)\n"
    "  --stop-when-idle MS    stop once no packet arrived for MS milliseconds (end of a pcap)\n"
    "  --stats-interval S     print a live stats line every S seconds (default: none)\n"
    "  --stats-out FILE       write the final counters to FILE as key=value lines\n"
    "  --config FILE          read these options from FILE: 'key = value' per line, # comments;\n"
    "                         the command line overrides it\n"
    "  --help                 this text\n"
    "\n"
    "Capture (pcapng, nanosecond timestamps, written with O_DIRECT):\n"
    "  --capture PATH         write the selected packets to PATH; an existing file is an error;\n"
    "                         PATH,PATH,... (each in its own directory: a disk each) spreads the\n"
    "                         rings over them, a writer thread and its own files each\n"
    "  --capture-filter EXPR  tcpdump/libpcap filter selecting what to capture (default: all)\n"
    "  --snaplen N            bytes kept of each packet (default 262144)\n"
    "  --rotate-size N        start a new file once one reaches N bytes (suffix K, M or G);\n"
    "                         files are then PATH's stem _00001, _00002, ... and its extension\n"
    "  --rotate-seconds S     start a new file every S seconds\n"
    "  --max-files N          with rotation, keep only the newest N files\n"
    "  --force                overwrite existing capture files\n"
    "\n"
    "Forwarding:\n"
    "  --forward PORT         transmit the selected packets out of DPDK port PORT\n"
    "  --forward-filter EXPR  tcpdump/libpcap filter selecting what to forward (default: all)\n"
    "\n"
    "Market data (one RX ring: --rx-queues 1 and one receiving port):\n"
    "  --feed itch50          run the feed handler: Nasdaq TotalView-ITCH 5.0 over MoldUDP64\n"
    "  --feed-a IP:PORT       line A: UDP datagrams to IP:PORT (a multicast group, usually)\n"
    "  --feed-b IP:PORT       line B; either line alone works too\n"
    "  --book-out FILE        write the order books to FILE at exit and on SIGUSR1\n"
    "                         ('SYMBOL SIDE PRICE SHARES ORDERS' per price level)\n"
    "  --feed-max-orders N    resting orders the books can hold (default 4194304; about\n"
    "                         50 bytes of hugepage memory each)\n"
    "  --rerequest-server IP:PORT  recover gaps by MoldUDP64 re-request to this server\n"
    "  --rerequest-source IP:PORT  our address: re-requests come from it, answers go to it\n"
    "  --rerequest-mac MAC    the next hop's MAC towards the server (default ff:ff:ff:ff:ff:ff)\n"
    "  --feed-tx PORT         DPDK port that sends re-requests and top-of-book datagrams\n"
    "  --tob-multicast GROUP:PORT  publish top-of-book changes to GROUP:PORT (format:\n"
    "                         lib/feed/top_of_book.hpp; README 'Top-of-book format')\n"
    "  --tob-source IP        their source address (default: --rerequest-source's); receivers\n"
    "                         drop multicast from 0.0.0.0, so one of the two is needed\n"
    "  --tob-out FILE         write the same datagrams to FILE (--force overwrites it)\n"
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

// Seconds with decimals, as milliseconds.
std::chrono::milliseconds parse_seconds(std::string_view option, const char* text) {
    const std::string_view s(text);
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !(value > 0) || value > 1e7)
        throw std::invalid_argument(std::string(option) + " needs seconds above 0, e.g. 2.5, got '" + text + "'");
    return std::chrono::milliseconds(static_cast<long long>(value * 1000 + 0.5));
}

// A byte count with an optional K, M or G (powers of 1024).
std::uint64_t parse_bytes(std::string_view option, const char* text) {
    std::string digits(text);
    std::uint64_t unit = 1;
    if (!digits.empty()) {
        switch (digits.back()) {
        case 'K': case 'k': unit = 1ULL << 10; break;
        case 'M': case 'm': unit = 1ULL << 20; break;
        case 'G': case 'g': unit = 1ULL << 30; break;
        default: break;
        }
        if (unit != 1) digits.pop_back();
    }
    const auto max = static_cast<long long>((1ULL << 50) / unit);
    return static_cast<std::uint64_t>(parse_integer(option, digits.c_str(), 1, max)) * unit;
}

std::vector<int> parse_ports(const char* text) {
    std::vector<int> ports;
    std::string_view rest(text);
    while (true) {
        const auto comma = rest.find(',');
        const std::string item(rest.substr(0, comma));
        ports.push_back(static_cast<int>(parse_integer("--ports", item.c_str(), 0, 65535)));
        if (comma == std::string_view::npos) return ports;
        rest.remove_prefix(comma + 1);
    }
}

// --capture: one path, or several separated by commas, each in a directory of its own (a disk
// each: every path gets its own writer thread).
std::vector<std::string> parse_capture_paths(const char* text) {
    std::vector<std::string> paths;
    std::set<std::string> directories;
    for (std::string_view rest(text);;) {
        const std::string path(rest.substr(0, rest.find(',')));
        if (path.empty() || path.back() == '/')
            throw std::invalid_argument("--capture needs a file name for each path (FILE or DIR/FILE, several separated "
                                        "by commas), got '" + std::string(text) + "'");
        const std::string directory = std::filesystem::path(path).parent_path().lexically_normal().string();
        if (!directories.insert(directory.empty() ? "." : directory).second)
            throw std::invalid_argument("--capture names directory " + (directory.empty() ? "." : directory) +
                                        " twice: give each path a directory (a disk) of its own");
        paths.push_back(path);
        if (path.size() == rest.size()) return paths;
        rest.remove_prefix(path.size() + 1);
    }
}

// --port-numa-node: N for every port that reports no node, or P:N pairs, port by port.
void parse_port_nodes(const char* text, Config& o) {
    o.port_numa_node.reset();  // a later --port-numa-node replaces an earlier one (the config file's)
    o.port_numa_nodes.clear();
    const std::string_view s(text);
    if (s.find(':') == std::string_view::npos) {
        o.port_numa_node = static_cast<int>(parse_integer("--port-numa-node", text, 0, 1023));
        return;
    }
    for (std::string_view rest = s;;) {
        const std::string_view item = rest.substr(0, rest.find(','));
        const auto colon = item.find(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("--port-numa-node takes N or port:node pairs like 0:0,1:1, not both: got '" +
                                        std::string(s) + "'");
        const int port = static_cast<int>(parse_integer("--port-numa-node", std::string(item.substr(0, colon)).c_str(), 0, 65535));
        const int node = static_cast<int>(parse_integer("--port-numa-node", std::string(item.substr(colon + 1)).c_str(), 0, 1023));
        if (!o.port_numa_nodes.emplace(port, node).second)
            throw std::invalid_argument("--port-numa-node names port " + std::to_string(port) + " twice");
        if (item.size() == rest.size()) return;
        rest.remove_prefix(item.size() + 1);
    }
}

feed::UdpEndpoint parse_endpoint(std::string_view option, const char* text) {
    const std::optional<feed::UdpEndpoint> e = feed::parse_endpoint(text);
    if (!e || e->port == 0)
        throw std::invalid_argument(std::string(option) + " needs IPv4:PORT, e.g. 233.54.12.111:26477, got '" + text + "'");
    return *e;
}

bool is_multicast(const feed::UdpEndpoint& e) { return (e.address >> 28) == 0xE; }  // 224.0.0.0/4

std::array<std::uint8_t, 6> parse_mac(std::string_view option, const char* text) {
    std::array<std::uint8_t, 6> mac{};
    unsigned b[6];
    char end = 0;
    if (std::sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
        throw std::invalid_argument(std::string(option) + " needs a MAC address like 02:00:00:00:00:01, got '" + text + "'");
    std::ranges::copy(b, mac.begin());
    return mac;
}

// Long options only; getopt_long returns the enum value.
enum : int {
    plan = 256, topology, port_numa_node, rx_queues, ring_size, refuse_cross_node, share_cpus, ports, burst, full_policy,
    duration, stop_when_idle, stats_interval, stats_out, help, config, capture, capture_filter, snaplen,
    rotate_size, rotate_seconds, max_files, force, forward, forward_filter, feed_kind, feed_a, feed_b, book_out,
    feed_max_orders, rerequest_server, rerequest_source, rerequest_mac, feed_tx, tob_multicast, tob_source, tob_out
};
constexpr option kLong[] = {
    {"plan", no_argument, nullptr, plan},
    {"topology", required_argument, nullptr, topology},
    {"port-numa-node", required_argument, nullptr, port_numa_node},
    {"rx-queues", required_argument, nullptr, rx_queues},
    {"ring-size", required_argument, nullptr, ring_size},
    {"refuse-cross-node", no_argument, nullptr, refuse_cross_node},
    {"share-cpus", no_argument, nullptr, share_cpus},
    {"ports", required_argument, nullptr, ports},
    {"burst", required_argument, nullptr, burst},
    {"full-policy", required_argument, nullptr, full_policy},
    {"duration", required_argument, nullptr, duration},
    {"stop-when-idle", required_argument, nullptr, stop_when_idle},
    {"stats-interval", required_argument, nullptr, stats_interval},
    {"stats-out", required_argument, nullptr, stats_out},
    {"help", no_argument, nullptr, help},
    {"config", required_argument, nullptr, config},
    {"capture", required_argument, nullptr, capture},
    {"capture-filter", required_argument, nullptr, capture_filter},
    {"snaplen", required_argument, nullptr, snaplen},
    {"rotate-size", required_argument, nullptr, rotate_size},
    {"rotate-seconds", required_argument, nullptr, rotate_seconds},
    {"max-files", required_argument, nullptr, max_files},
    {"force", no_argument, nullptr, force},
    {"forward", required_argument, nullptr, forward},
    {"forward-filter", required_argument, nullptr, forward_filter},
    {"feed", required_argument, nullptr, feed_kind},
    {"feed-a", required_argument, nullptr, feed_a},
    {"feed-b", required_argument, nullptr, feed_b},
    {"book-out", required_argument, nullptr, book_out},
    {"feed-max-orders", required_argument, nullptr, feed_max_orders},
    {"rerequest-server", required_argument, nullptr, rerequest_server},
    {"rerequest-source", required_argument, nullptr, rerequest_source},
    {"rerequest-mac", required_argument, nullptr, rerequest_mac},
    {"feed-tx", required_argument, nullptr, feed_tx},
    {"tob-multicast", required_argument, nullptr, tob_multicast},
    {"tob-source", required_argument, nullptr, tob_source},
    {"tob-out", required_argument, nullptr, tob_out},
    {nullptr, 0, nullptr, 0},
};

// `--config FILE` anywhere on the command line: FILE's lines as "--key value" arguments, to go
// before the command line's own so that those override them.
std::vector<std::string> config_arguments(int argc, char** argv) {
    std::optional<std::string> path;
    for (int i = 1; i < argc; ++i) {
        // getopt_long takes any unambiguous prefix ("--conf FILE"), so this must too.
        const std::string_view a(argv[i]);
        const auto eq = a.find('=');
        const std::string_view key = a.substr(0, eq);
        if (key.size() < 4 || !std::string_view("--config").starts_with(key)) continue;
        if (eq != std::string_view::npos) path = std::string(a.substr(eq + 1));
        else if (i + 1 < argc) path = argv[++i];
    }
    std::vector<std::string> args;
    if (!path) return args;
    std::ifstream in(*path);
    if (!in) throw std::invalid_argument("--config " + *path + ": cannot open: " + std::strerror(errno));
    const auto trim = [](std::string_view v) {
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
        return v;
    };
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
        std::string_view rest = text;
        rest = trim(rest.substr(0, rest.find('#')));
        if (rest.empty()) continue;
        const auto eq = rest.find('=');
        const std::string key(trim(rest.substr(0, eq)));
        const auto known = std::ranges::find_if(kLong, [&](const option& o) { return o.name && key == o.name; });
        if (known == std::end(kLong) || key == "config" || key == "help")
            throw std::invalid_argument("--config " + *path + " line " + std::to_string(line) + ": unknown key '" + key +
                                        "' (keys are the long options without '--')");
        args.push_back("--" + key);
        if (known->has_arg == required_argument) {
            if (eq == std::string_view::npos)
                throw std::invalid_argument("--config " + *path + " line " + std::to_string(line) + ": '" + key +
                                            "' needs a value: " + key + " = VALUE");
            args.emplace_back(trim(rest.substr(eq + 1)));
        } else if (eq != std::string_view::npos) {
            throw std::invalid_argument("--config " + *path + " line " + std::to_string(line) + ": '" + key +
                                        "' takes no value");
        }
    }
    return args;
}

void check_feed(const Config& o) {
    const bool feed_options = o.feed_a || o.feed_b || o.book_out || o.feed_max_orders || o.rerequest_server ||
                              o.rerequest_source || o.rerequest_mac || o.feed_tx || o.tob_multicast || o.tob_source ||
                              o.tob_out;
    if (!o.feed) {
        if (feed_options)
            throw std::invalid_argument("--feed-a, --feed-b, --book-out, --feed-max-orders, --rerequest-*, --feed-tx, "
                                        "--tob-* only go with --feed itch50");
        return;
    }
    if (!o.feed_a && !o.feed_b) throw std::invalid_argument("--feed itch50 needs a line: --feed-a IP:PORT and/or --feed-b IP:PORT");
    if (o.feed_a && o.feed_b && *o.feed_a == *o.feed_b)
        throw std::invalid_argument("--feed-a and --feed-b name the same destination: give each line its own");
    if ((o.rerequest_source || o.rerequest_mac) && !o.rerequest_server)
        throw std::invalid_argument("--rerequest-source and --rerequest-mac only go with --rerequest-server IP:PORT");
    if (o.rerequest_server && (!o.rerequest_source || !o.feed_tx))
        throw std::invalid_argument("--rerequest-server needs --rerequest-source IP:PORT (our address, where answers "
                                    "come) and --feed-tx PORT (the port that sends)");
    if (o.tob_multicast && !o.feed_tx)
        throw std::invalid_argument("--tob-multicast needs --feed-tx PORT (the port that sends)");
    if (o.tob_multicast && !o.tob_source && !o.rerequest_source)
        throw std::invalid_argument("--tob-multicast needs a source address, --tob-source IP (receivers drop "
                                    "multicast from 0.0.0.0)");
    if (o.tob_source && !o.tob_multicast) throw std::invalid_argument("--tob-source only goes with --tob-multicast");
    for (const auto& line : {o.feed_a, o.feed_b})
        if (o.tob_multicast && line && *line == *o.tob_multicast)
            throw std::invalid_argument("--tob-multicast is a feed line's destination: our output would come back "
                                        "as the feed; give it its own group or port");
    if (o.feed_tx && !o.rerequest_server && !o.tob_multicast)
        throw std::invalid_argument("--feed-tx sends re-requests or top of book: add --rerequest-server or --tob-multicast");
}

}  // namespace

std::string_view usage() noexcept { return kUsage; }

void check_feed_rings(const Config& o, std::size_t rings) {
    if (!o.feed) return;
    const std::size_t lines = (o.feed_a ? 1 : 0) + (o.feed_b ? 1 : 0) + (o.rerequest_server ? 1 : 0);
    if (rings > lines)
        throw std::invalid_argument("--feed reads each line from one RX ring, and this run would spread its " +
                                    std::to_string(lines) + (lines == 1 ? " line" : " lines") + " over " +
                                    std::to_string(rings) + " rings: receive with at most one ring per line (--ports "
                                    "and --rx-queues), e.g. line A on one port and line B on another");
}

CommandLine parse_command_line(int argc, char** argv) {
    std::vector<std::string> from_file = config_arguments(argc, argv);
    std::vector<char*> args{argv[0]};
    for (std::string& a : from_file) args.push_back(a.data());
    args.insert(args.end(), argv + 1, argv + argc);
    args.push_back(nullptr);  // argv's terminator, which getopt permutes with the rest
    argc = static_cast<int>(args.size() - 1);
    argv = args.data();

    CommandLine line;
    Config& o = line.config;
    optind = 1;   // EAL ran getopt over the same process state
    opterr = 0;   // our own one-line errors instead of getopt's
    int c;
    while ((c = getopt_long(argc, argv, ":", kLong, nullptr)) != -1) {
        switch (c) {
        case plan: o.plan_only = true; break;
        case topology: o.topology = optarg; break;
        case port_numa_node: parse_port_nodes(optarg, o); break;
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
        case share_cpus: o.share_cpus = true; break;
        case ports: o.ports = parse_ports(optarg); break;
        case burst:
            o.burst = static_cast<std::uint16_t>(
                parse_integer("--burst", optarg, 1, static_cast<long long>(net::kMaxRxBurst)));
            break;
        case full_policy:
            if (std::string_view(optarg) == "wait") o.full_policy = net::FullPolicy::wait;
            else if (std::string_view(optarg) == "drop") o.full_policy = net::FullPolicy::drop;
            else throw std::invalid_argument("--full-policy is wait or drop, not '" + std::string(optarg) + "'");
            break;
        case duration: o.duration = parse_seconds("--duration", optarg); break;
        case stop_when_idle:
            o.stop_when_idle = std::chrono::milliseconds(parse_integer("--stop-when-idle", optarg, 1, 86'400'000));
            break;
        case stats_interval: o.stats_interval = parse_seconds("--stats-interval", optarg); break;
        case stats_out: o.stats_out = optarg; break;
        case config: break;  // read before the loop
        case capture: o.capture = parse_capture_paths(optarg); break;
        case capture_filter: o.capture_filter = optarg; break;
        case snaplen: o.snaplen = static_cast<std::uint32_t>(parse_integer("--snaplen", optarg, 14, 262144)); break;
        case rotate_size: o.rotate_bytes = parse_bytes("--rotate-size", optarg); break;
        case rotate_seconds:
            o.rotate_interval = std::chrono::seconds(parse_integer("--rotate-seconds", optarg, 1, 31'536'000));
            break;
        case max_files: o.max_files = static_cast<std::uint32_t>(parse_integer("--max-files", optarg, 1, 1'000'000)); break;
        case force: o.force = true; break;
        case forward: o.forward = static_cast<int>(parse_integer("--forward", optarg, 0, 65535)); break;
        case forward_filter: o.forward_filter = optarg; break;
        case feed_kind:
            if (std::string_view(optarg) != "itch50")
                throw std::invalid_argument("--feed knows itch50 (ITCH 5.0 over MoldUDP64), not '" + std::string(optarg) + "'");
            o.feed = true;
            break;
        case feed_a: o.feed_a = parse_endpoint("--feed-a", optarg); break;
        case feed_b: o.feed_b = parse_endpoint("--feed-b", optarg); break;
        case book_out: o.book_out = optarg; break;
        case feed_max_orders:
            o.feed_max_orders = static_cast<std::size_t>(parse_integer("--feed-max-orders", optarg, 1024, 1LL << 30));
            break;
        case rerequest_server: o.rerequest_server = parse_endpoint("--rerequest-server", optarg); break;
        case rerequest_source: o.rerequest_source = parse_endpoint("--rerequest-source", optarg); break;
        case rerequest_mac: o.rerequest_mac = parse_mac("--rerequest-mac", optarg); break;
        case feed_tx: o.feed_tx = static_cast<int>(parse_integer("--feed-tx", optarg, 0, 65535)); break;
        case tob_multicast:
            o.tob_multicast = parse_endpoint("--tob-multicast", optarg);
            if (!is_multicast(*o.tob_multicast))
                throw std::invalid_argument("--tob-multicast needs a multicast group (224.0.0.0/4), got '" +
                                            std::string(optarg) + "'");
            break;
        case tob_source: {
            const std::optional<feed::UdpEndpoint> e = feed::parse_endpoint(std::string(optarg) + ":1");
            if (!e || e->address == 0)
                throw std::invalid_argument("--tob-source needs an IPv4 address other than 0.0.0.0, e.g. 10.0.0.2, got '" +
                                            std::string(optarg) + "'");
            o.tob_source = e->address;
            break;
        }
        case tob_out: o.tob_out = optarg; break;
        case help:
            line.help = true;
            return line;
        case ':':
            throw std::invalid_argument(std::string(argv[optind - 1]) + " needs a value (sentinel -- --help)");
        default:
            throw std::invalid_argument("unknown option '" + std::string(argv[optind - 1]) +
                                        "' (EAL options go before '--'; sentinel -- --help lists ours)");
        }
    }
    if (optind < argc)
        throw std::invalid_argument("unexpected argument '" + std::string(argv[optind]) + "' (sentinel -- --help)");
    if (o.burst > o.ring_size)
        throw std::invalid_argument("--burst " + std::to_string(o.burst) + " is larger than --ring-size " +
                                    std::to_string(o.ring_size));
    if (o.topology && !o.plan_only)
        throw std::invalid_argument("--topology plans for another machine and only goes with --plan");
    if (o.capture.empty() && (!o.capture_filter.empty() || o.rotate_bytes || o.rotate_interval.count() || o.max_files))
        throw std::invalid_argument("--capture-filter, --rotate-size, --rotate-seconds and --max-files "
                                    "only go with --capture PATH");
    if (o.force && o.capture.empty() && !o.tob_out)
        throw std::invalid_argument("--force only goes with --capture PATH or --tob-out FILE");
    check_feed(o);
    if (o.rotate_bytes != 0 && o.rotate_bytes < capture::smallest_rotate_bytes(o.snaplen))
        throw std::invalid_argument("--rotate-size " + std::to_string(o.rotate_bytes) + " is too small: with --snaplen " +
                                    std::to_string(o.snaplen) + " a file needs at least " +
                                    std::to_string(capture::smallest_rotate_bytes(o.snaplen)) + " bytes");
    if (o.max_files && !o.rotate_bytes && !o.rotate_interval.count())
        throw std::invalid_argument("--max-files needs rotation: add --rotate-size or --rotate-seconds");
    if (!o.forward && !o.forward_filter.empty())
        throw std::invalid_argument("--forward-filter only goes with --forward PORT");
    return line;
}

}  // namespace sentinel::appliance
