// disruptor_bench: Sentinel's Disruptor against the queues a user would pick instead, on LMAX's
// standard topologies (see topologies.hpp), printing one BENCH line per figure and a summary.
// Exits 0 when every run delivered exactly the events sent, 1 when one did not, 2 on bad usage.

#include <cstdio>
#include <exception>
#include <set>
#include <stdexcept>
#include <string>

#include "harness.hpp"
#include "options.hpp"
#include "report.hpp"
#include "topologies.hpp"

namespace {

using namespace sentinel::bench;

void check_case_names(const Options& options) {
    for (const std::string& name : options.cases) {
        bool known = false;
        for (const Topology& t : kTopologies) known = known || t.name == name;
        if (!known) throw std::invalid_argument("--case: no case named '" + name + "'");
    }
}

void print_plan(const Options& options) {
    std::string cpus;
    for (int c : options.cpus) {
        if (!cpus.empty()) cpus += ',';
        cpus += std::to_string(c);
    }
    const std::set<int> distinct(options.cpus.begin(), options.cpus.end());
    std::printf("# disruptor_bench%s: cpus %s (%zu distinct); producers pinned first, then consumers, wrapping\n"
                "# %lld events per throughput run, median of %d runs; %lld round trips (+%lld warm-up) for "
                "latency\n# waiting: spin while threads <= CPUs, else spin %d times and yield (Sentinel: "
                "BusySpin / Yielding wait strategy)\n",
                options.quick ? " --quick" : "", cpus.c_str(), distinct.size(),
                static_cast<long long>(options.events), options.repeats,
                static_cast<long long>(options.round_trips), static_cast<long long>(options.warmup_round_trips),
                sentinel::disruptor::YieldingWaitStrategy::kSpinTries);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    try {
        const auto parsed = parse_options(argc, argv);
        if (!parsed) return 0;
        options = *parsed;
        check_case_names(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "disruptor_bench: %s\n", e.what());
        return 2;
    }
    print_plan(options);

    Report report;
    try {
        for (const Topology& t : kTopologies)
            if (wants_case(options, t.name)) t.run(options, report);
    } catch (const BenchFailure& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "disruptor_bench: FAILED: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "disruptor_bench: %s\n", e.what());
        return 1;
    }
    report.print_summary(options);
    return 0;
}
