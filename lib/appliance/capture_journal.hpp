#pragma once
// CaptureJournal: the --capture options turned into a capture::Journal: one pcapng interface per
// receiving port, one producer per ring, buffers in hugepage memory when EAL has it, and the
// reconciliation at close that makes the counters say what reached the disk.
//
// Thread safety: the main thread; the producers go to the capture stages' lcores.

#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include "config.hpp"
#include "pipeline.hpp"
#include "capture/journal.hpp"
#include "platform/memory_region.hpp"
#include "platform/planner.hpp"
#include "receive_ports.hpp"
#include "region_memory.hpp"

namespace sentinel::appliance {

class CaptureJournal {
public:
    // Opens the first file (throws one line: it exists and no --force, no such directory, ...).
    // `writer_cpus`: where the writer thread may run (JournalConfig::writer_cpus).
    // One producer per RX ring of `plan`, its buffers where the plan put MemoryRegion::journal(port, queue).
    CaptureJournal(const Config& options, const std::vector<int>& ports, const platform::Plan& plan,
                   std::vector<int> writer_cpus);

    capture::Journal& journal() noexcept { return *journal_; }
    // Journal interface of each port id, for the capture stages.
    const std::vector<std::uint32_t>& interface_of_port() const noexcept { return interface_of_port_; }
    // Each producer's buffers.
    std::vector<RegionMemory> memory() const;

    // After every lcore stopped: writes what is queued and the interface statistics, closes the
    // file, and makes `totals` count what reached the disk: captured_* become the journal's
    // written figures, and packets lost in a failed write join dropped_journal.
    // `nic_missed`: imissed by port, read once when the lcores stopped.
    void close(const Pipeline& pipeline, const std::map<int, std::uint64_t>& nic_missed, Totals& totals);

private:
    std::vector<int> ports_;
    std::vector<std::uint32_t> interface_of_port_;
    struct Producer {
        int port;            // of its ring
        platform::MemoryRegion memory;  // the plan's region for its buffers
    };
    std::vector<Producer> producers_;  // by producer index: the pipeline's ring index
    std::map<int, std::unique_ptr<std::pmr::memory_resource>> memory_;  // by node; before the journal: outlives its buffers
    std::unique_ptr<capture::Journal> journal_;
};

}  // namespace sentinel::appliance
