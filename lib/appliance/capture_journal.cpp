#include "capture_journal.hpp"

#include <rte_eal.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "journal_buffers.hpp"
#include "platform/dpdk_memory.hpp"

namespace sentinel::appliance {

CaptureJournal::CaptureJournal(const Config& o, const std::vector<int>& ports, const platform::Plan& plan,
                               std::vector<int> writer_cpus)
    : ports_(ports) {
    if (std::filesystem::is_directory(*o.capture))
        throw std::invalid_argument("--capture " + *o.capture + " is a directory: give a file name inside it");
    std::vector<capture::JournalInterface> interfaces;
    interface_of_port_.assign(static_cast<std::size_t>(std::ranges::max(ports)) + 1, 0);
    for (const int port : ports) {
        interface_of_port_[static_cast<std::size_t>(port)] = static_cast<std::uint32_t>(interfaces.size());
        interfaces.push_back({.name = ReceivePorts::describe(port), .snaplen = o.snaplen});
    }
    // Hugepages when EAL has them: the capture stage's copies and the O_DIRECT DMA both walk
    // these buffers, 2 MiB per TLB entry instead of 4 KiB. Each ring's producer gets its buffers on
    // the node the plan chose for them, its capture lcore's, as the pipeline numbers the rings.
    std::vector<std::pmr::memory_resource*> producer_memory;
    for (const platform::LcoreAssignment& a : plan.lcores) {
        if (a.role != platform::Role::rx) continue;
        producers_.push_back({.port = a.port, .memory = platform::MemoryRegion::journal(a.port, a.queue)});
        const int node = plan.node_of(producers_.back().memory);
        std::unique_ptr<std::pmr::memory_resource>& memory = memory_[node];
        if (!memory && rte_eal_has_hugepages()) memory = std::make_unique<platform::DpdkMemory>(node);
        producer_memory.push_back(memory.get());
    }
    const capture::JournalSizing size = journal_sizing(o);
    journal_ = std::make_unique<capture::Journal>(
        capture::JournalConfig{.path = *o.capture,
                               .rotate_bytes = o.rotate_bytes,
                               .rotate_interval = o.rotate_interval,
                               .max_files = o.max_files,
                               .force = o.force,
                               .buffer_bytes = size.buffer_bytes,
                               .hand_off_bytes = size.hand_off_bytes,
                               .buffers_per_producer = kJournalBuffersPerRing,
                               .memory = nullptr,  // the header and trailer, a few pages: the heap's
                               .producer_memory = std::move(producer_memory),
                               .writer_cpus = std::move(writer_cpus)},
        std::move(interfaces), producers_.size());
}

std::vector<RegionMemory> CaptureJournal::memory() const {
    std::vector<RegionMemory> memory;
    for (std::size_t p = 0; p < producers_.size(); ++p)
        memory.push_back({producers_[p].memory, journal_->producer_memory(p).data(), journal_->producer_memory(p).size()});
    return memory;
}

void CaptureJournal::close(const Pipeline& pipeline, const std::map<int, std::uint64_t>& nic_missed, Totals& totals) {
    journal_->drain();
    std::vector<capture::InterfaceStats> stats;
    for (const int port : ports_) {
        const Totals t = pipeline.port_totals(port);
        stats.push_back({.received = t[net::Counter::rx_packets],
                         .dropped = t[net::Counter::dropped_ring_full] + t[net::Counter::dropped_journal] +
                                    nic_missed.at(port)});
    }
    // Packets lost in a failed write: each ring's producer serves one port.
    for (std::size_t p = 0; p < producers_.size(); ++p)
        stats[interface_of_port_[static_cast<std::size_t>(producers_[p].port)]].dropped += journal_->lost_packets(p);
    journal_->close(stats);
    auto& v = totals.values;
    v[static_cast<std::size_t>(net::Counter::captured_packets)] = journal_->written_packets();
    v[static_cast<std::size_t>(net::Counter::captured_bytes)] = journal_->written_bytes();
    v[static_cast<std::size_t>(net::Counter::dropped_journal)] += journal_->lost_packets();
}

}  // namespace sentinel::appliance
