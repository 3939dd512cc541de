// pipeline_bench: Sentinel's packet pipeline (lib/net over the Disruptor) against the same stages
// joined by rte_ring, on net_null0's endless 64-byte frames: RX on one lcore, every stage on the
// main lcore in one duty cycle (see pipeline_bench_cases.hpp for the cases). Prints
//
//   BENCH <case> <impl> <value> Mpps          the median of the repeats
//   # <case> <impl> run i: ...                each run's figure and what it verified
//
// scripts/bench.sh pipeline adds testpmd's io forwarding as a reference and prints the summary.
// Exits 0 when every run kept its books, 1 when one did not (or the rig failed), 2 on bad usage.

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline_bench_cases.hpp"
#include "pipeline_bench_options.hpp"
#include "pipeline_bench_rig.hpp"

namespace {

using namespace sentinel::bench;

std::vector<std::string_view> case_names() {
    std::vector<std::string_view> names;
    for (const Case& c : kCases) names.push_back(c.name);
    return names;
}

void check_impl_name(const PipelineOptions& options) {
    if (options.impl.empty()) return;
    for (const Case& c : kCases)
        for (const Impl& impl : c.impls)
            if (impl.name == options.impl) return;
    throw std::invalid_argument("--impl: no implementation named '" + options.impl + "'");
}

double median(std::vector<double> values) {
    std::ranges::sort(values);
    return values[values.size() / 2];
}

// Other processes taking more than this much CPU during a run make its figure theirs as much as ours.
constexpr double kContendedCpus = 0.1;

// Every implementation once per repeat, interleaved, then one BENCH line each.
void run_case(const Case& c, const Rig& rig, const PipelineOptions& options) {
    const Window window{.warmup = kWarmup, .measure = options.seconds};
    std::map<std::string_view, std::vector<double>> mpps;
    int runs = 0;
    int contended = 0;
    for (int r = 1; r <= options.repeats; ++r) {
        for (const Impl& impl : c.impls) {
            if (!wants_impl(options, impl.name)) continue;
            const Measurement m = impl.once(rig, window);
            mpps[impl.name].push_back(m.throughput.pps / 1e6);
            ++runs;
            contended += m.throughput.others_cpus > kContendedCpus;
            std::printf("# %s %s run %d: %.2f Mpps (other processes took %.2f CPUs); %s\n", c.name.data(),
                        impl.name.data(), r, m.throughput.pps / 1e6, m.throughput.others_cpus, m.checked.c_str());
            std::fflush(stdout);
        }
    }
    for (const Impl& impl : c.impls)
        if (wants_impl(options, impl.name))
            std::printf("BENCH %s %s %.2f Mpps\n", c.name.data(), impl.name.data(), median(mpps[impl.name]));
    if (contended != 0)
        std::printf("# warning: %s: in %d of %d runs other processes took more than %.1f CPU from the two lcores: "
                    "those figures are low, and the ratio holds only as far as the load fell on both sides alike\n",
                    c.name.data(), contended, runs, kContendedCpus);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int eal_args = rte_eal_init(argc, argv);
    if (eal_args < 0) {
        std::fprintf(stderr, "pipeline_bench: cannot initialise DPDK's EAL: %s (check the EAL options before '--')\n",
                     rte_strerror(rte_errno));
        return 1;
    }
    argc -= eal_args;
    argv += eal_args;

    int status = 0;
    try {
        const auto options = parse_pipeline_options(argc, argv, case_names());
        if (options) {
            check_impl_name(*options);
            const Rig rig;
            std::printf("# pipeline_bench%s: port 0 -> RX lcore %u -> stages on main lcore %u; %d x %.1f s per "
                        "implementation (after %.2f s warm-up), interleaved; %s\n",
                        options->quick ? " --quick" : "", rig.rx_lcore(), rte_get_main_lcore(), options->repeats,
                        options->seconds.count(), std::chrono::duration<double>(kWarmup).count(),
                        rte_eal_has_hugepages() ? "hugepages" : "no hugepages (--no-huge)");
            std::fflush(stdout);
            for (const Case& c : kCases)
                if (wants_case(*options, c.name)) run_case(c, rig, *options);
        }
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "pipeline_bench: %s\n", e.what());
        status = 2;
    } catch (const BenchFailure& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pipeline_bench: FAILED: %s\n", e.what());
        status = 1;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "pipeline_bench: %s\n", e.what());
        status = 1;
    }
    rte_eal_cleanup();
    return status;
}
