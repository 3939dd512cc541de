// sentinel: DPDK RX cores into Disruptor rings, then filter, capture, feed and TX stages.
// main() reads as the appliance's steps: the command line (appliance/config.hpp), EAL, the plan,
// the graph (appliance/graph.hpp), its resources and pipeline, the run, the reports. Each step
// reports its own failure in one line and only main decides the exit status.
//
// Lcores. The plan runs inside the lcores EAL was given: the operator's -l list, or EAL's default
// of every CPU this process may run on. Planning happens after rte_eal_init because the plan needs
// the ports, and EAL fixes its lcores at init; so rather than guess the ports and re-initialise,
// the plan takes EAL's lcores as they are, and a plan EAL cannot run (a --main-lcore other than the
// lowest lcore, --lcores remapping lcore ids away from CPU numbers) is refused with the fix. With
// --plan and no -l, the planner chooses freely from the whole machine.

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "appliance/config.hpp"
#include "appliance/graph.hpp"
#include "appliance/pipeline.hpp"
#include "appliance/plan_request.hpp"
#include "appliance/receiving_ports.hpp"
#include "appliance/capture_journal.hpp"
#include "appliance/feed_senders.hpp"
#include "feed_stats.hpp"
#include "main_lcore.hpp"
#include "appliance/output_paths.hpp"
#include "pcap_inputs.hpp"
#include "placement_report.hpp"
#include "eal_view.hpp"
#include "net/dpdk_log.hpp"
#include "platform/eal_init_failure.hpp"
#include "platform/hugepage_files.hpp"
#include "platform/plan_format.hpp"
#include "platform/planner.hpp"
#include "platform/topology.hpp"
#include "appliance/receive_ports.hpp"
#include "stats.hpp"
#include "telemetry.hpp"
#include "net/tsc_clock.hpp"

namespace {

using sentinel::appliance::Config;
using sentinel::platform::Plan;
using sentinel::platform::PlanRequest;
using sentinel::platform::Topology;

// The exit status: every failure was told on stderr as it was found; this says which kind won.
enum class Exit : int {
    ok = 0,
    failure = 1,  // the run could not start, or ended short of what it promises (see run_appliance)
    usage = 2,    // the operator's options: nothing ran
};

// The globals: SIGINT and SIGTERM ask the main lcore to stop the pipeline; SIGUSR1 asks for the
// books (--book-out) now.
std::atomic<bool> g_quit{false};
std::atomic<bool> g_dump_books{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

extern "C" void on_signal(int signal) {
    // Flags the main loop polls; no data rides on them.
    (signal == SIGUSR1 ? g_dump_books : g_quit).store(true, std::memory_order_relaxed);
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (const int signal : {SIGINT, SIGTERM, SIGUSR1})
        if (sigaction(signal, &action, nullptr) != 0)
            throw std::system_error(errno, std::generic_category(), "sigaction " + std::to_string(signal));
}

// memory= lines: where the kernel put each region, and a warning where the plan wanted otherwise.
std::string memory_report(const std::vector<sentinel::appliance::RegionMemory>& regions, const Plan& plan) {
    std::string text;
    for (const sentinel::appliance::RegionMemory& r : regions)
        text += sentinel::app::placement_report(r.region, r.data, r.bytes, plan);
    return text;
}

// Runs the graph until a signal, --duration or --stop-when-idle, then reports. The run fails
// (Exit::failure) when an lcore failed or could not drain, mbufs leaked, the capture is incomplete,
// the books or top-of-book file could not be written, or a counter identity does not hold.
Exit run_appliance(const Config& options, const Plan& plan, const std::vector<int>& port_ids, bool pdump,
                   std::uint64_t rx_pcap_damaged_records) {
    sentinel::app::check_eal_runs(plan);
    Plan shown = plan;  // the rings' placement is printed as the kernel made it, below
    shown.memory.clear();
    std::fputs(sentinel::platform::format(shown).c_str(), stdout);
    if (!rte_eal_has_hugepages())
        std::fputs("warning=EAL runs with --no-huge: rings and mbufs are on 4K pages, so the data path takes a TLB "
                   "miss every 4 KiB instead of every 2 MiB; reserve hugepages (hugepages/hugepages.sh reserve) "
                   "for line rate\n", stderr);

    const sentinel::appliance::Graph graph = sentinel::appliance::make_graph(options, plan);
    // Before any output file exists: a refused run leaves nothing behind to refuse the next one.
    sentinel::appliance::Pipeline::check_filters(graph);
    sentinel::appliance::check_output_paths(options);
    install_signal_handlers();  // before anything that takes a while: SIGUSR1's default would kill us
    sentinel::appliance::ReceivePorts ports(plan, port_ids, options, graph.rings.size(), pdump);
    std::optional<sentinel::appliance::CaptureJournal> capture;
    if (!options.capture.empty()) capture.emplace(options, port_ids, graph, plan, plan.cpus_without_rx());
    const sentinel::net::TscClock clock(rte_rdtsc(), rte_get_tsc_hz());
    sentinel::appliance::FeedSenders senders(options, ports);
    sentinel::appliance::Sinks sinks{.clock = clock};
    if (capture) {
        sinks.journals = capture->journals();
        sinks.interface_of_port = capture->interface_of_port();
    }
    if (senders.rerequests) sinks.rerequests = &*senders.rerequests;
    if (senders.multicast) sinks.tob_multicast = &*senders.multicast;
    sentinel::appliance::Pipeline pipeline(graph, options, sinks);
    std::vector<sentinel::appliance::RegionMemory> regions = pipeline.memory();
    std::ranges::copy(ports.memory(), std::back_inserter(regions));
    if (capture) std::ranges::copy(capture->memory(), std::back_inserter(regions));
    std::fputs(memory_report(regions, plan).c_str(), stdout);
    std::fflush(stdout);

    std::optional<sentinel::app::Telemetry> telemetry(std::in_place, pipeline, ports, senders);
    ports.start();
    pipeline.launch();
    sentinel::app::run_main_lcore(pipeline, ports, options, capture ? &*capture : nullptr, g_quit, g_dump_books);
    // What the run fell short of, one line each, told at the end: any makes the exit a failure.
    std::vector<std::string> shortfalls = pipeline.wait();  // lcores that failed or could not drain
    telemetry.reset();  // its commands read the ports, which close below
    const std::map<int, std::uint64_t> missed = ports.nic_missed_by_port();  // one reading for every report
    std::uint64_t nic_missed = 0;
    for (const auto& [port, n] : missed) nic_missed += n;
    sentinel::appliance::Totals totals = pipeline.totals();
    if (capture) capture->close(pipeline, missed, totals);
    ports.stop_and_close();
    std::ranges::move(ports.leaks(), std::back_inserter(shortfalls));

    const sentinel::app::Rules rules{.capture = capture.has_value(), .forward = options.forward.has_value()};
    std::string counters = sentinel::app::final_counters(totals, nic_missed, rx_pcap_damaged_records);
    std::string identities = sentinel::app::identity_lines(totals, rules);
    sentinel::net::FeedStage* feed = pipeline.feed();
    std::string book_error;
    if (feed) {
        book_error = feed->write_books();  // the lcores have stopped: the books are the main thread's now
        counters += sentinel::app::feed_counters({*feed, pipeline.publisher(), senders});
        identities += sentinel::app::feed_identity_lines(*feed);
    }
    std::fputs((counters + identities).c_str(), stdout);
    if (capture) std::printf("capture_files=%u\n", capture->files());
    std::fflush(stdout);
    if (options.stats_out) {
        std::ofstream out(*options.stats_out);
        out << counters;
        if (!out.flush()) throw std::runtime_error("cannot write --stats-out " + *options.stats_out);
    }
    if (capture && capture->failed())  // the moment it failed was told as it happened; these are the final figures
        shortfalls.push_back("capture incomplete: " + std::to_string(totals[sentinel::net::Counter::captured_packets]) +
                             " packets written, " + std::to_string(totals[sentinel::net::Counter::dropped_journal]) +
                             " counted as dropped_journal (" + capture->error() + ")");
    if (!book_error.empty()) shortfalls.push_back(book_error);
    if (const sentinel::net::TopOfBookPublisher* p = pipeline.publisher(); p && !p->error().empty())
        shortfalls.push_back("top of book incomplete: " + p->error());
    if (!sentinel::app::identities_hold(totals, rules) || (feed && !sentinel::app::feed_identities_hold(*feed)))
        shortfalls.push_back("a counter identity does not hold (the identity lines say which)");
    for (const std::string& line : shortfalls) std::fprintf(stderr, "sentinel: %s\n", line.c_str());
    return shortfalls.empty() ? Exit::ok : Exit::failure;
}

}  // namespace

int main(int argc, char** argv) {
    const bool chose_lcores = sentinel::app::operator_chose_lcores(argc, argv);
    const std::vector<std::string> vdevs = sentinel::app::requested_vdevs(argc, argv);
    const std::vector<sentinel::app::PcapInput> pcap_inputs = sentinel::app::rx_pcap_inputs(argc, argv);
    const sentinel::platform::EalPlaces eal_places = sentinel::platform::eal_places(argc, argv);

    // Read before EAL pins this thread to the main lcore and narrows what hwloc would see.
    std::optional<Topology> here;
    try {
        here = Topology::this_machine();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: cannot read this machine's topology: %s\n", e.what());
        return static_cast<int>(Exit::failure);
    }

    const int eal_args = rte_eal_init(argc, argv);
    if (eal_args < 0) {
        std::fprintf(stderr, "sentinel: %s\n",
                     sentinel::platform::explain_eal_init_failure(rte_errno, eal_places, rte_eal_get_runtime_dir()).c_str());
        return static_cast<int>(Exit::failure);
    }
    argc -= eal_args;
    argv += eal_args;
    sentinel::net::bind_log_to_rte_log();  // lib/'s lines go through rte_log from here on
    // dpdk-dumpcap and dpdk-pdump attach to any DPDK primary that offers this; it needs EAL's
    // multi-process channel, which --in-memory and --no-shconf take away.
    const bool pdump = rte_pdump_init() == 0;

    Exit status = Exit::ok;
    try {
        const sentinel::appliance::CommandLine line = sentinel::appliance::parse_command_line(argc, argv);
        const Config& options = line.config;
        if (line.help) {
            std::fputs(sentinel::appliance::usage().data(), stdout);
        } else {
            const Topology topology = options.topology ? Topology::from_xml_file(*options.topology) : *here;
            const std::uint64_t damaged_records = sentinel::app::check_rx_pcap_inputs(pcap_inputs);
            sentinel::app::check_vdevs_probed(vdevs);
            const std::vector<int> ports = sentinel::appliance::receiving_ports(options, sentinel::app::eal_ports());
            sentinel::appliance::check_feed_rings(options, ports.size() * static_cast<std::size_t>(options.rx_queues));
            const bool run = !options.plan_only;
            PlanRequest request =
                sentinel::appliance::plan_request(options, run || chose_lcores ? sentinel::app::eal_lcores()
                                                                                  : std::vector<sentinel::platform::OperatorLcore>{},
                                                  sentinel::app::port_requests(ports));
            if (run) sentinel::app::add_mempools(request, options);
            if (run && !options.capture.empty()) sentinel::appliance::add_journal_buffers(request, options);
            const Plan plan = sentinel::platform::make_plan(topology, request);
            if (run) status = run_appliance(options, plan, ports, pdump, damaged_records);
            else std::fputs(sentinel::platform::format(plan).c_str(), stdout);
        }
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = Exit::usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sentinel: %s\n", e.what());
        status = Exit::failure;
    }
    if (pdump) rte_pdump_uninit();
    const sentinel::platform::HugepageFiles page_files = sentinel::platform::HugepageFiles::of_this_process();
    rte_eal_cleanup();
    for (const std::string& kept : page_files.remove()) std::fprintf(stderr, "warning=page file %s\n", kept.c_str());
    return static_cast<int>(status);
}
