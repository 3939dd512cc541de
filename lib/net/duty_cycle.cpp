#include "duty_cycle.hpp"

#include <rte_cycles.h>
#include <rte_pause.h>
#include <sched.h>

#include "tsc_clock.hpp"

namespace sentinel::net {

DutyCycle::DutyCycle(unsigned lcore, std::vector<Duty*> duties, std::chrono::milliseconds drain_limit, Idle idle)
    : lcore_(lcore),
      duties_(std::move(duties)),
      drain_limit_tsc_(TscRate(rte_get_tsc_hz()).ticks(drain_limit)),
      idle_(idle) {}

void DutyCycle::run(const std::atomic<bool>& stop) {
    start();
    while (turn(stop.load(std::memory_order_relaxed))) {  // a flag: see the memory ordering note
    }
    finish();
}

void DutyCycle::start() {
    for (Duty* d : duties_) d->start();
}

bool DutyCycle::turn(bool stop) {
    if (stop && !draining_) {
        draining_ = true;
        drain_deadline_tsc_ = rte_rdtsc() + drain_limit_tsc_;
        for (Duty* d : duties_) d->begin_drain();
    }
    std::size_t work = 0;
    for (Duty* d : duties_) work += d->poll();
    if (work != 0) return true;
    if (draining_) {
        if (all_drained()) return false;
        if (rte_rdtsc() >= drain_deadline_tsc_) {
            timed_out_ = true;
            return false;
        }
    }
    if (idle_ == Idle::yield) sched_yield();
    else rte_pause();
    return true;
}

void DutyCycle::finish() {
    for (Duty* d : duties_) d->stop();
}

std::string DutyCycle::undrained() const {
    std::string names;
    for (const Duty* d : duties_)
        if (!d->drained()) names += (names.empty() ? "" : ", ") + std::string(d->role_name());
    return names;
}

bool DutyCycle::all_drained() const {
    for (const Duty* d : duties_)
        if (!d->drained()) return false;
    return true;
}

}  // namespace sentinel::net
