// sentinel: DPDK RX cores into Disruptor rings, then filter, capture, feed and TX stages.
// main() reads as the appliance's steps; each step reports its own failure in one line and only
// main decides the exit status.
//
// Lcores. The plan runs inside the lcores EAL was given: the operator's -l list, or EAL's default
// of every CPU this process may run on. Planning happens after rte_eal_init because the plan needs
// the ports, and EAL fixes its lcores at init; so rather than guess the ports and re-initialise,
// the plan takes EAL's lcores as they are, and a plan EAL cannot run (a --main-lcore other than the
// lowest lcore, --lcores remapping lcore ids away from CPU numbers) is refused with the fix. With
// --plan and no -l, the planner still chooses freely from the whole machine, as before.

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "options.hpp"
#include "pipeline.hpp"
#include "platform/plan_format.hpp"
#include "platform/planner.hpp"
#include "platform/topology.hpp"
#include "receive_ports.hpp"
#include "stats.hpp"

namespace {

using sentinel::app::Options;
using sentinel::platform::Plan;
using sentinel::platform::PlanRequest;
using sentinel::platform::Role;
using sentinel::platform::Topology;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr std::size_t kSlotBytes = 64;  // one cache line per ring slot

// The one global: SIGINT and SIGTERM ask the main lcore to stop the pipeline.
std::atomic<bool> g_quit{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void on_signal(int) {
    g_quit.store(true, std::memory_order_relaxed);  // a flag the main loop polls; no data rides on it
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (const int signal : {SIGINT, SIGTERM})
        if (sigaction(signal, &action, nullptr) != 0)
            throw std::system_error(errno, std::generic_category(), "sigaction " + std::to_string(signal));
}

// Whether the operator chose the lcores (EAL -l/-c/--lcores): then the plan places duties on
// those CPUs and only warns about them, instead of choosing its own.
bool operator_chose_lcores(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--") break;
        if (a.starts_with("-l") || a.starts_with("-c") || a.starts_with("--lcores")) return true;
    }
    return false;
}

std::vector<int> eal_lcore_cpus() {
    std::vector<int> cpus;
    unsigned lcore;
    RTE_LCORE_FOREACH(lcore) cpus.push_back(rte_lcore_to_cpu_id(static_cast<int>(lcore)));
    return cpus;
}

// A PCI port's node is where its NIC sits. A virtual port has none: DPDK reports the socket of
// the lcore that probed it, so it is left unknown and --port-numa-node (or node 0) decides.
int port_numa_node(std::uint16_t port) {
    rte_eth_dev_info info{};
    if (const int rc = rte_eth_dev_info_get(port, &info); rc != 0)
        throw std::runtime_error("rte_eth_dev_info_get: port " + std::to_string(port) + ": " + rte_strerror(-rc));
    const std::string_view bus = rte_bus_name(rte_dev_bus(info.device));
    return bus == "pci" ? rte_eth_dev_socket_id(port) : -1;
}

// --ports, or every port EAL found.
std::vector<int> chosen_ports(const Options& o) {
    std::vector<int> ports;
    std::uint16_t port;
    RTE_ETH_FOREACH_DEV(port) ports.push_back(port);
    if (ports.empty())
        throw std::runtime_error("no DPDK ports: add one with --vdev (e.g. --vdev net_null0) or bind a NIC to vfio-pci");
    for (const int p : o.ports)
        if (!rte_eth_dev_is_valid_port(static_cast<std::uint16_t>(p)))  // --ports takes 0..65535
            throw std::runtime_error("port " + std::to_string(p) + " does not exist: EAL found " +
                                     std::to_string(ports.size()) + " ports (check --vdev/-a)");
    return o.ports.empty() ? ports : o.ports;
}

PlanRequest plan_request(const Options& o, std::vector<int> operator_cpus, const std::vector<int>& ports) {
    PlanRequest r;
    r.operator_cpus = std::move(operator_cpus);
    r.refuse_cross_node = o.refuse_cross_node;
    r.port_numa_node = o.port_numa_node;
    for (const int port : ports) {
        r.ports.push_back({.port = port, .numa_node = port_numa_node(static_cast<std::uint16_t>(port)),
                           .rx_queues = o.rx_queues});
        for (int q = 0; q < o.rx_queues; ++q)
            r.memory.push_back({.name = sentinel::app::ring_name(port, q), .port = port, .queue = q,
                                .bytes = o.ring_size * kSlotBytes});
    }
    return r;
}

// The mempools only matter to a run; --plan's output stays the rings'.
void add_mempools(PlanRequest& r, const Options& o) {
    for (const auto& port : r.ports) {
        const std::size_t mbufs = static_cast<std::size_t>(o.rx_queues) *
                                  sentinel::net::Mempool::mbufs_for(o.ring_size, sentinel::net::PortConfig{}.rx_descriptors, o.burst);
        r.memory.push_back({.name = sentinel::app::mempool_name(port.port), .port = port.port,
                            .bytes = mbufs * (sizeof(rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE)});
    }
}

// The plan numbers lcores as CPUs and puts main on the lowest; EAL must agree to run it.
void check_eal_runs(const Plan& plan) {
    const unsigned main = rte_get_main_lcore();
    if (static_cast<unsigned>(plan.main_lcore()) != main)
        throw std::runtime_error("EAL's main lcore is " + std::to_string(main) + ", the plan's " +
                                 std::to_string(plan.main_lcore()) +
                                 " (the lowest of -l): drop --main-lcore or list it first");
    for (const auto& a : plan.lcores)
        if (!rte_lcore_is_enabled(static_cast<unsigned>(a.lcore)) || rte_lcore_to_cpu_id(a.lcore) != a.cpu)
            throw std::runtime_error("the plan runs lcore " + std::to_string(a.lcore) + " on CPU " + std::to_string(a.cpu) +
                                     ", which EAL does not: give lcores as CPU numbers with -l (not --lcores with @)");
}

// Why the run should stop now, or nullptr: a signal, --duration, or --stop-when-idle.
template <class Ticks>
const char* stop_reason(const Options& o, std::uint64_t running, std::uint64_t idle, Ticks ticks) {
    if (g_quit.load(std::memory_order_relaxed)) return "signal";  // a flag; no data rides on it
    if (o.duration && running >= ticks(*o.duration)) return "duration";
    if (o.stop_when_idle && idle >= ticks(*o.stop_when_idle)) return "idle";
    return nullptr;
}

// The main lcore: its share of the duties, and between turns, once a millisecond, the stop
// conditions and the live stats line. With no duty of its own it sleeps instead of spinning.
void run_main_lcore(sentinel::app::Pipeline& pipeline, const sentinel::app::ReceivePorts& ports, const Options& o) {
    const std::uint64_t hz = rte_get_tsc_hz();
    const auto ticks = [hz](std::chrono::milliseconds ms) { return hz / 1000 * static_cast<std::uint64_t>(ms.count()); };
    const std::uint64_t start = rte_rdtsc();
    std::uint64_t next_check = start;
    std::uint64_t next_stats = start + ticks(o.stats_interval);
    std::uint64_t last_rx_packets = 0;
    std::uint64_t last_rx_at = start;
    sentinel::app::LiveStats live;
    sentinel::net::DutyCycle& cycle = pipeline.main_cycle();

    cycle.start();
    while (cycle.turn(pipeline.stop_requested())) {
        const std::uint64_t now = rte_rdtsc();
        if (now < next_check) continue;
        next_check = now + ticks(std::chrono::milliseconds(1));
        if (!pipeline.stop_requested()) {
            const std::uint64_t rx = pipeline.totals()[sentinel::net::Counter::rx_packets];
            if (rx != last_rx_packets) {
                last_rx_packets = rx;
                last_rx_at = now;
            }
            if (const char* reason = stop_reason(o, now - start, now - last_rx_at, ticks)) {
                std::printf("stop=%s\n", reason);
                pipeline.request_stop();
            }
        }
        if (o.stats_interval.count() > 0 && now >= next_stats) {
            next_stats += ticks(o.stats_interval);
            const double seconds = static_cast<double>(now - start) / static_cast<double>(hz);
            std::fputs(live.line(seconds, pipeline.totals(), pipeline.occupancy(), ports.nic_missed()).c_str(), stdout);
            std::fflush(stdout);
        }
        if (cycle.empty()) rte_delay_us_sleep(1000);
    }
    cycle.finish();
}

int run_appliance(const Options& options, const Plan& plan, const std::vector<int>& port_ids) {
    check_eal_runs(plan);
    Plan shown = plan;  // the rings' placement is printed as the kernel made it, below
    shown.memory.clear();
    std::fputs(sentinel::platform::format(shown).c_str(), stdout);
    if (!rte_eal_has_hugepages())
        std::fputs("warning=EAL runs with --no-huge: rings and mbufs are on 4K pages, so the data path takes a TLB "
                   "miss every 4 KiB instead of every 2 MiB; reserve hugepages (hugepages/hugepages.sh reserve) "
                   "for line rate\n", stderr);

    sentinel::app::ReceivePorts ports(plan, port_ids, options);
    sentinel::app::Pipeline pipeline(plan, options);
    std::fputs((pipeline.memory_report(plan) + ports.memory_report(plan)).c_str(), stdout);
    std::fflush(stdout);

    install_signal_handlers();
    ports.start();
    pipeline.launch();
    run_main_lcore(pipeline, ports, options);
    const std::vector<std::string> lcore_errors = pipeline.wait();
    const std::uint64_t nic_missed = ports.nic_missed();
    ports.stop_and_close();
    const std::vector<std::string> leaks = ports.leaks();

    const sentinel::app::Totals totals = pipeline.totals();
    const std::string counters = sentinel::app::final_counters(totals, nic_missed);
    std::fputs((counters + sentinel::app::identity_line(totals)).c_str(), stdout);
    std::fflush(stdout);
    if (options.stats_out) {
        std::ofstream out(*options.stats_out);
        out << counters;
        if (!out.flush()) throw std::runtime_error("cannot write --stats-out " + *options.stats_out);
    }
    for (const std::string& line : lcore_errors) std::fprintf(stderr, "sentinel: %s\n", line.c_str());
    for (const std::string& line : leaks) std::fprintf(stderr, "sentinel: %s\n", line.c_str());
    const bool ok = lcore_errors.empty() && leaks.empty() && sentinel::app::identity_holds(totals);
    return ok ? 0 : kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
    const bool chose_lcores = operator_chose_lcores(argc, argv);

    // Read before EAL pins this thread to the main lcore and narrows what hwloc would see.
    std::optional<Topology> here;
    try {
        here = Topology::this_machine();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: cannot read this machine's topology: %s\n", e.what());
        return kExitFailure;
    }

    const int eal_args = rte_eal_init(argc, argv);
    if (eal_args < 0) {
        std::fprintf(stderr, "sentinel: cannot initialise DPDK's EAL: %s (check the EAL options before '--')\n",
                     rte_strerror(rte_errno));
        return kExitFailure;
    }
    argc -= eal_args;
    argv += eal_args;

    int status = 0;
    try {
        bool help = false;
        const Options options = sentinel::app::parse_options(argc, argv, help);
        if (!help) {
            const Topology topology = options.topology ? Topology::from_xml_file(*options.topology) : *here;
            const std::vector<int> ports = chosen_ports(options);
            const bool run = !options.plan_only;
            PlanRequest request =
                plan_request(options, run || chose_lcores ? eal_lcore_cpus() : std::vector<int>{}, ports);
            if (run) add_mempools(request, options);
            const Plan plan = sentinel::platform::make_plan(topology, request);
            if (run) status = run_appliance(options, plan, ports);
            else std::fputs(sentinel::platform::format(plan).c_str(), stdout);
        }
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = kExitUsage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = kExitFailure;
    }
    rte_eal_cleanup();
    return status;
}
