#include "capture_journal.hpp"

#include <rte_eal.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "journal_buffers.hpp"
#include "platform/dpdk_memory.hpp"

namespace sentinel::appliance {
namespace {

// The writer CPUs on `node` (by the plan's lcores), or all of them when none is there.
std::vector<int> on_node(const std::vector<int>& cpus, int node, const platform::Plan& plan) {
    std::vector<int> local;
    for (const int cpu : cpus)
        if (std::ranges::any_of(plan.lcores, [&](const platform::LcoreAssignment& a) { return a.cpu == cpu && a.node == node; }))
            local.push_back(cpu);
    return local.empty() ? cpus : local;
}

}  // namespace

CaptureJournal::CaptureJournal(const Config& o, const std::vector<int>& ports, const Graph& graph,
                               const platform::Plan& plan, const std::vector<int>& writer_cpus)
    : ports_(ports) {
    std::vector<capture::JournalInterface> interfaces;
    interface_of_port_.assign(static_cast<std::size_t>(std::ranges::max(ports)) + 1, 0);
    for (const int port : ports) {
        interface_of_port_[static_cast<std::size_t>(port)] = static_cast<std::uint32_t>(interfaces.size());
        interfaces.push_back({.name = ReceivePorts::describe(port), .snaplen = o.snaplen});
    }
    const capture::JournalSizing size = journal_sizing(o);
    for (const JournalSpec& spec : graph.journals) {
        if (std::filesystem::is_directory(spec.path))
            throw std::invalid_argument("--capture " + spec.path + " is a directory: give a file name inside it");
        Disk& disk = disks_.emplace_back(Disk{.path = spec.path, .producers = {}, .journal = {}});
        // Hugepages when EAL has them: the capture stage's copies and the O_DIRECT DMA both walk
        // these buffers, 2 MiB per TLB entry instead of 4 KiB. Each ring's producer gets its
        // buffers on the node the plan chose for them, its capture lcore's.
        std::vector<std::pmr::memory_resource*> producer_memory;
        for (const std::size_t r : spec.rings) {
            const RingSpec& ring = graph.rings[r];
            disk.producers.push_back({.ring = r, .port = ring.port, .memory = platform::MemoryRegion::journal(ring.port, ring.queue)});
            const int node = plan.node_of(disk.producers.back().memory);
            std::unique_ptr<std::pmr::memory_resource>& memory = memory_[node];
            if (!memory && rte_eal_has_hugepages()) memory = std::make_unique<platform::DpdkMemory>(node);
            producer_memory.push_back(memory.get());
        }
        disk.journal = std::make_unique<capture::Journal>(
            capture::JournalConfig{.path = spec.path,
                                   .rotate_bytes = o.rotate_bytes,
                                   .rotate_interval = o.rotate_interval,
                                   .max_files = o.max_files,
                                   .force = o.force,
                                   .buffer_bytes = size.buffer_bytes,
                                   .hand_off_bytes = size.hand_off_bytes,
                                   .buffers_per_producer = kJournalBuffersPerRing,
                                   .memory = nullptr,  // the header and trailer, a few pages: the heap's
                                   .producer_memory = std::move(producer_memory),
                                   .writer_cpus = on_node(writer_cpus, spec.node, plan)},
            interfaces, disk.producers.size());
    }
}

std::vector<capture::Journal*> CaptureJournal::journals() {
    std::vector<capture::Journal*> journals;
    for (Disk& d : disks_) journals.push_back(d.journal.get());
    return journals;
}

std::vector<RegionMemory> CaptureJournal::memory() const {
    std::vector<RegionMemory> memory;
    for (const Disk& d : disks_)
        for (std::size_t p = 0; p < d.producers.size(); ++p)
            memory.push_back({d.producers[p].memory, d.journal->producer_memory(p).data(), d.journal->producer_memory(p).size()});
    return memory;
}

std::uint32_t CaptureJournal::files() const {
    std::uint32_t files = 0;
    for (const Disk& d : disks_) files += d.journal->files();
    return files;
}

bool CaptureJournal::failed() const {
    return std::ranges::any_of(disks_, [](const Disk& d) { return d.journal->failed(); });
}

std::string CaptureJournal::error() const {
    for (const Disk& d : disks_)
        if (d.journal->failed()) return disks_.size() == 1 ? d.journal->error() : d.path + ": " + d.journal->error();
    return {};
}

void CaptureJournal::close(const Pipeline& pipeline, const std::map<int, std::uint64_t>& nic_missed, Totals& totals) {
    std::map<int, bool> missed_told;  // by port
    auto& v = totals.values;
    v[static_cast<std::size_t>(net::Counter::captured_packets)] = 0;
    v[static_cast<std::size_t>(net::Counter::captured_bytes)] = 0;
    for (Disk& d : disks_) {
        d.journal->drain();
        std::vector<capture::InterfaceStats> stats(ports_.size(), capture::InterfaceStats{0, 0});
        for (std::size_t p = 0; p < d.producers.size(); ++p) {
            const Producer& producer = d.producers[p];
            const Totals t = pipeline.ring_totals(producer.ring);
            capture::InterfaceStats& s = stats[interface_of_port_[static_cast<std::size_t>(producer.port)]];
            s.received += t[net::Counter::rx_packets];
            s.dropped += t[net::Counter::dropped_ring_full] + t[net::Counter::dropped_journal] + d.journal->lost_packets(p);
            if (!std::exchange(missed_told[producer.port], true)) s.dropped += nic_missed.at(producer.port);
        }
        d.journal->close(stats);
        v[static_cast<std::size_t>(net::Counter::captured_packets)] += d.journal->written_packets();
        v[static_cast<std::size_t>(net::Counter::captured_bytes)] += d.journal->written_bytes();
        v[static_cast<std::size_t>(net::Counter::dropped_journal)] += d.journal->lost_packets();
    }
}

}  // namespace sentinel::appliance
