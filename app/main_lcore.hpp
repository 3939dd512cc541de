#pragma once
// The main lcore's loop: its share of the duties, and between turns, once a millisecond, the stop
// conditions (a signal, --duration, --stop-when-idle) and the live stats line.

#include <atomic>

#include "appliance/capture_journal.hpp"
#include "appliance/config.hpp"
#include "appliance/pipeline.hpp"
#include "appliance/receive_ports.hpp"

namespace sentinel::app {

// Returns once the pipeline has stopped and drained. `quit`: set by SIGINT/SIGTERM. `dump_books`:
// set by SIGUSR1, cleared here once the feed stage has been asked for its books. `capture` (or
// null): a journal's failure is reported the moment it happens; its capture stops, the rest runs on.
void run_main_lcore(appliance::Pipeline& pipeline, const appliance::ReceivePorts& ports, const appliance::Config& o,
                    const appliance::CaptureJournal* capture,
                    const std::atomic<bool>& quit, std::atomic<bool>& dump_books);

}  // namespace sentinel::app
