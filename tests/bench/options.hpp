#pragma once
// Options: what disruptor_bench was asked to run, from its command line.
//
//   disruptor_bench [--quick] [--cpus 0,1,2-5] [--case NAME[,NAME...]] [--events N] [--repeats N]
//
// --cpus lists the CPUs to pin to (default: every CPU this process may run on). Role i of a run
// (producers first, then consumers) is pinned to cpus[i % size], so every implementation gets the
// same placement; with fewer CPUs than roles the run is oversubscribed and every implementation
// switches from spinning to yielding while it waits.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::bench {

// Slots in every ring and queue of every implementation.
inline constexpr std::size_t kRingSize = std::size_t{1} << 16;

// The batch Sentinel claims and the burst rte_ring moves: kept equal so neither side gets a
// larger unit of work.
inline constexpr int kBatch = 32;

// Every throughput run moves a multiple of this many events, so that three producers and
// batches all divide the work evenly.
inline constexpr std::int64_t kEventQuantum = 3 * kBatch;

struct Options {
    std::vector<int> cpus;
    std::vector<std::string> cases;  // empty: all of them
    std::int64_t events = 0;         // per throughput run
    int repeats = 0;                 // throughput runs per measurement; the median is reported
    std::int64_t round_trips = 0;    // ping-pong samples
    std::int64_t warmup_round_trips = 0;
    bool quick = false;
};

// Throws std::invalid_argument naming the offending option; nullopt after printing --help.
std::optional<Options> parse_options(int argc, char** argv);

bool wants_case(const Options& options, std::string_view name);

// The CPU that role `role` of a run is pinned to.
int cpu_for_role(const Options& options, int role);

// More threads than distinct CPUs: a waiting thread must give its CPU away, or the thread it
// waits for may not run until the scheduler preempts it.
bool oversubscribed(const Options& options, int threads);

}  // namespace sentinel::bench
