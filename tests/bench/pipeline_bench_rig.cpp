#include "pipeline_bench_rig.hpp"

#include <rte_cycles.h>
#include <rte_lcore.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "net/duty_cycle.hpp"
#include "net/lcore_launch.hpp"

namespace sentinel::bench {
namespace {

// As app/pipeline.cpp: seconds of draining mean a stage stopped.
constexpr std::chrono::milliseconds kDrainLimit{5000};

unsigned first_worker_lcore() {
    const unsigned lcore = rte_get_next_lcore(-1, 1 /* skip main */, 0);
    if (lcore >= RTE_MAX_LCORE)
        throw std::invalid_argument("pipeline_bench needs two lcores, the main one for the stages and one for RX: "
                                    "give EAL -l 0-1");
    return lcore;
}

// Every mbuf a run can hold at once: a ring's worth between RX and the stages (the fan-out peer
// splits kRingSlots over its two hops), the port's descriptors, and a burst in RX's hands and one
// more in a stage's.
std::size_t mbufs_needed() { return net::Mempool::mbufs_for(kRingSlots, net::PortConfig{}.rx_descriptors, 2 * kBurst); }

// Clock ticks (USER_HZ) that every CPU of the machine spent busy, steal included (/proc/stat).
std::uint64_t machine_busy_ticks() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return user + nice + system + irq + softirq + steal;
}

// Clock ticks this process has run, every thread (/proc/self/stat: utime and stime, the 12th and
// 13th fields after the parenthesised command name).
std::uint64_t own_ticks() {
    std::ifstream stat("/proc/self/stat");
    const std::string line(std::istreambuf_iterator<char>(stat), {});
    std::istringstream fields(line.substr(line.rfind(')') + 1));
    std::string field;
    for (int i = 0; i < 11; ++i) fields >> field;
    std::uint64_t utime = 0, stime = 0;
    fields >> utime >> stime;
    return utime + stime;
}

// What RX had admitted at a moment of the run, and what the machine and this process had run.
struct Sample {
    std::uint64_t tsc;
    std::uint64_t packets;
    std::uint64_t machine_busy = 0;
    std::uint64_t own = 0;

    static Sample now(std::uint64_t tsc, std::uint64_t packets) {
        return {tsc, packets, machine_busy_ticks(), own_ticks()};
    }
};

std::uint64_t ticks(std::chrono::duration<double> d) {
    return static_cast<std::uint64_t>(d.count() * static_cast<double>(rte_get_tsc_hz()));
}

}  // namespace

Rig::Rig()
    : rx_lcore_(first_worker_lcore()),
      socket_(static_cast<int>(rte_lcore_to_socket_id(rx_lcore_))),
      mempool_(0, mbufs_needed(), socket_),
      port_({.port = 0}, mempool_.get()) {
    port_.start();
    resting_in_use_ = mempool_.in_use();
}

Rig::~Rig() {
    try {
        port_.stop_and_close();
        if (const std::size_t n = mempool_.in_use(); n != 0)
            std::fprintf(stderr, "pipeline_bench: %zu mbufs of %s still out after the port closed\n", n,
                         mempool_.name().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pipeline_bench: %s\n", e.what());
    }
}

Throughput Rig::run_cycles(std::atomic<bool>& stop, std::vector<net::Duty*> rx, std::vector<net::Duty*> stages,
                       const std::function<std::uint64_t()>& received, const Window& window) const {
    net::DutyCycle rx_cycle(rx_lcore_, std::move(rx), kDrainLimit);
    net::DutyCycle stage_cycle(rte_lcore_id(), std::move(stages), kDrainLimit);
    net::LcoreJob job{.cycle = &rx_cycle, .stop = &stop, .error = {}};
    net::launch(job);

    const std::uint64_t start = rte_rdtsc();
    const std::uint64_t window_start = start + ticks(window.warmup);
    const std::uint64_t window_end = window_start + ticks(window.measure);
    enum class Phase { warmup, measuring, stopping } phase = Phase::warmup;
    Sample from{};
    Sample to{};
    try {
        // The loop of app/main_lcore.cpp: the clock is read between turns, never inside a duty.
        stage_cycle.start();
        while (stage_cycle.turn(stop.load(std::memory_order_relaxed))) {  // a flag; RX publishes its end (R4)
            if (phase == Phase::stopping) continue;
            const std::uint64_t now = rte_rdtsc();
            if (phase == Phase::warmup && now >= window_start) {
                from = Sample::now(now, received());
                phase = Phase::measuring;
            } else if (phase == Phase::measuring && now >= window_end) {
                to = Sample::now(now, received());
                phase = Phase::stopping;
                stop.store(true, std::memory_order_relaxed);  // a flag, as Pipeline::request_stop
            }
        }
        stage_cycle.finish();
    } catch (...) {
        // The RX lcore must be off the duties before the caller destroys them.
        stop.store(true, std::memory_order_relaxed);  // a flag
        net::wait(job);
        throw;
    }

    const std::string rx_error = net::wait(job);
    if (!rx_error.empty()) throw BenchFailure(rx_error);
    if (stage_cycle.timed_out())
        throw BenchFailure("lcore " + std::to_string(stage_cycle.lcore()) +
                           " gave up draining: a stage stopped making progress");
    if (phase != Phase::stopping) throw BenchFailure("the run stopped before its measured window ended");
    const double seconds = static_cast<double>(to.tsc - from.tsc) / static_cast<double>(rte_get_tsc_hz());
    const double others_ticks = static_cast<double>(to.machine_busy - from.machine_busy) -
                                static_cast<double>(to.own - from.own);
    return {.pps = static_cast<double>(to.packets - from.packets) / seconds,
            .others_cpus = std::max(0.0, others_ticks / static_cast<double>(sysconf(_SC_CLK_TCK)) / seconds)};
}

void Rig::check_returned(const std::string& what) const {
    const std::size_t in_use = mempool_.in_use();
    if (in_use != resting_in_use_)
        throw BenchFailure(what + ": mbuf leak: " + std::to_string(in_use) + " mbufs of " + mempool_.name() +
                           " out of the pool after the run, " + std::to_string(resting_in_use_) + " before it");
}

}  // namespace sentinel::bench
