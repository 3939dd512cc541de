#pragma once
// CaptureJournal: the --capture options turned into capture::Journals, one per --capture path
// (graph.hpp's JournalSpec: a disk each), each with its own writer thread and files. Every journal
// has one pcapng interface per receiving port, one producer per ring it takes, buffers in hugepage
// memory when EAL has it; and at close the reconciliation that makes the counters say what
// reached the disks.
//
// Order in a file: a ring's packets are in the order the ring received them, and so in timestamp
// order (RX stamps each burst as it arrives). A file that takes several rings interleaves them a
// buffer at a time: its timestamps may step back across rings, by up to the time a buffer takes
// to fill (kCaptureFlushAfter at most).
//
// Thread safety: the main thread; the producers go to the capture stages' lcores.

#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include "capture/journal.hpp"
#include "config.hpp"
#include "graph.hpp"
#include "pipeline.hpp"
#include "platform/memory_region.hpp"
#include "platform/planner.hpp"
#include "receive_ports.hpp"
#include "region_memory.hpp"

namespace sentinel::appliance {

class CaptureJournal {
public:
    // Opens each journal's first file (throws one line: it exists and no --force, no such
    // directory, ...). `writer_cpus`: where writer threads may run (JournalConfig::writer_cpus);
    // each writer keeps to those on its journal's node where there are any. A ring's buffers go
    // where the plan put MemoryRegion::journal(port, queue).
    CaptureJournal(const Config& options, const std::vector<int>& ports, const Graph& graph, const platform::Plan& plan,
                   const std::vector<int>& writer_cpus);

    // By the graph's journal index: what the capture stages write to.
    std::vector<capture::Journal*> journals();
    // Journal interface of each port id, for the capture stages.
    const std::vector<std::uint32_t>& interface_of_port() const noexcept { return interface_of_port_; }
    // Each producer's buffers.
    std::vector<RegionMemory> memory() const;
    // Files written, over every journal.
    std::uint32_t files() const;
    // Whether a journal has failed, and the first failure: "PATH: what failed".
    bool failed() const;
    std::string error() const;

    // After every lcore stopped: writes what is queued and each file's interface statistics (what
    // the rings it takes received and dropped), closes the files, and makes `totals` count what
    // reached the disks: captured_* become the journals' written figures, and packets lost in a
    // failed write join dropped_journal. `nic_missed`: imissed by port, read once when the lcores
    // stopped; a port's misses are told in the file that takes its first ring.
    void close(const Pipeline& pipeline, const std::map<int, std::uint64_t>& nic_missed, Totals& totals);

private:
    struct Producer {
        std::size_t ring;               // the graph's ring index
        int port;                       // of its ring
        platform::MemoryRegion memory;  // the plan's region for its buffers
    };
    struct Disk {
        std::string path;
        std::vector<Producer> producers;  // by producer index
        std::unique_ptr<capture::Journal> journal;
    };

    std::vector<int> ports_;
    std::vector<std::uint32_t> interface_of_port_;
    std::map<int, std::unique_ptr<std::pmr::memory_resource>> memory_;  // by node; before the journals: outlives their buffers
    std::vector<Disk> disks_;  // by the graph's journal index
};

}  // namespace sentinel::appliance
