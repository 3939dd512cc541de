#pragma once
// Launching duty cycles on EAL worker lcores and collecting how they ended. The entry function
// catches everything: an exception must not unwind through EAL's thread, and one lcore's failure
// stops every cycle (through the shared stop flag) instead of leaving them spinning.
//
// Thread safety: launch() and wait() on the main lcore; the job belongs to the worker lcore
// between them (rte_eal_wait_lcore orders the worker's writes before wait() reads them).

#include <atomic>
#include <string>

#include "duty_cycle.hpp"

namespace sentinel::net {

struct LcoreJob {
    DutyCycle* cycle;
    std::atomic<bool>* stop;
    std::string error;  // what the lcore failed with, empty if it ended well
};

// Throws the rte_eal_remote_launch error (the lcore is busy or not a worker).
void launch(LcoreJob& job);

// Waits for the lcore; returns its error, or a drain time-out, as one line (empty when none).
std::string wait(LcoreJob& job);

}  // namespace sentinel::net
