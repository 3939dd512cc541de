#pragma once
// DutyCycle: the loop of one lcore. Each turn polls every duty once; a turn that did no work
// busy-spins once with rte_pause (the lcore owns its CPU, so spinning costs nobody else), or,
// where other lcores share its CPU (--share-cpus), yields the CPU to them.
//
//   start all ─▶ turn ─▶ turn ─▶ ... stop requested ─▶ begin_drain all ─▶ turn ... all drained ─▶ stop all
//
// Shutdown: the owner of `stop` sets it; every cycle then stops admitting packets (RX duties stop
// receiving) and keeps polling until each of its duties has drained, so the packets already in the
// rings pass every stage and are released. The drain has a limit: a stage that failed, or waits on
// one that did, would otherwise hold the lcore for ever; the cycle then leaves and says so.
//
// Memory ordering: `stop` is a flag read relaxed; what the drain needs to see (each ring's final
// cursor) is published by the RX duties' own release (R4 in rx_queue_poller.hpp).
//
// Thread safety: one lcore runs a cycle; timed_out() and lcore() after it has finished.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "duty.hpp"

namespace sentinel::net {

// What a turn without work does.
enum class Idle {
    spin,   // rte_pause: the lcore owns its CPU
    yield,  // sched_yield: other lcores take turns on the CPU, and would wait out our time slice
};

class DutyCycle {
public:
    DutyCycle(unsigned lcore, std::vector<Duty*> duties, std::chrono::milliseconds drain_limit, Idle idle = Idle::spin);

    // The whole life of the cycle, for lcores that do nothing else (launched with lcore_launch).
    void run(const std::atomic<bool>& stop);

    // Piecewise, for the main lcore that runs stats and timers between turns:
    // start(); while (turn(stop)) { ... } finish();
    void start();
    bool turn(bool stop);  // false once stopped and drained (or the drain limit passed)
    void finish();

    unsigned lcore() const noexcept { return lcore_; }
    bool empty() const noexcept { return duties_.empty(); }
    bool timed_out() const noexcept { return timed_out_; }
    // After a timed-out drain: the role names of the duties that had not drained, comma-separated.
    std::string undrained() const;

private:
    bool all_drained() const;

    const unsigned lcore_;
    const std::vector<Duty*> duties_;
    const std::uint64_t drain_limit_tsc_;
    const Idle idle_;
    bool draining_ = false;
    bool timed_out_ = false;
    std::uint64_t drain_deadline_tsc_ = 0;
};

}  // namespace sentinel::net
