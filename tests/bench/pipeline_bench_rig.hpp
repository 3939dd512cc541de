#pragma once
// Rig: what every run of pipeline_bench shares: port 0 (net_null0, an endless source of zeroed
// frames) with one RX queue, its mempool, and the two lcores: the RX lcore (EAL's first worker)
// and the main lcore, which runs every stage of a case in one duty cycle, as sentinel does on
// two CPUs.
//
//   net_null0 ─rx_burst─▶ RX lcore (1) ─handoff under test─▶ main lcore (0): stages ─▶ mempool
//
// run_cycles() is the one timed loop for every implementation: the same net::DutyCycle, launch and
// drain as app/pipeline.cpp, with only the duties differing. It counts what RX admitted during the
// measured window; with FullPolicy::wait semantics RX admits exactly what the stages keep up with.
//
// Thread safety: the main lcore only; the duties handed to run_cycles belong to their lcores
// until it returns.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/duty.hpp"
#include "net/mempool.hpp"
#include "net/port.hpp"

namespace sentinel::bench {

// A run that lost, leaked or miscounted packets, or whose lcores failed.
struct BenchFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Slots between RX and the stages, for every implementation (sentinel's default --ring-size), and
// the mbufs RX takes per rte_eth_rx_burst (its default --burst).
inline constexpr std::size_t kRingSlots = 4096;
inline constexpr std::uint16_t kBurst = 32;

struct Window {
    std::chrono::duration<double> warmup;
    std::chrono::duration<double> measure;
};

struct Throughput {
    double pps;
    // CPUs' worth of time that other processes (and the hypervisor's steal) took during the
    // measured window. Both lcores spin, so whatever else ran took its CPU from them: a run with
    // others_cpus well above 0 measured the neighbours as much as the pipeline.
    double others_cpus;
};

class Rig {
public:
    // After rte_eal_init. Throws when the EAL has no worker lcore or no port 0, or the port
    // cannot be set up.
    Rig();
    ~Rig();
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    std::uint16_t port() const noexcept { return 0; }
    unsigned rx_lcore() const noexcept { return rx_lcore_; }
    // The NUMA socket of the RX lcore: where rings go.
    int socket() const noexcept { return socket_; }

    // Runs `rx` on the RX lcore and `stages` on this one for window.warmup + window.measure, then
    // sets `stop` and drains both cycles; returns the packets per second RX admitted in the
    // measured part. `received` reads RX's running count (from this lcore, while RX runs).
    // Throws BenchFailure when an lcore failed or could not drain.
    Throughput run_cycles(std::atomic<bool>& stop, std::vector<net::Duty*> rx, std::vector<net::Duty*> stages,
                      const std::function<std::uint64_t()>& received, const Window& window) const;

    // Throws BenchFailure when mbufs are still out of the pool after a run (`what` names it).
    void check_returned(const std::string& what) const;

private:
    unsigned rx_lcore_;
    int socket_;
    net::Mempool mempool_;
    net::Port port_;
    std::size_t resting_in_use_ = 0;  // held by the started port (its RX descriptors), not by a run
};

}  // namespace sentinel::bench
