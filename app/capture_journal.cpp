#include "capture_journal.hpp"

#include <rte_eal.h>
#include <rte_lcore.h>

#include <algorithm>

#include "platform/dpdk_memory.hpp"

namespace sentinel::app {
namespace {

// Large enough that a write is one long O_DIRECT transfer; eight per ring ride out a disk stall of
// a few milliseconds at line rate before the capture stage has to wait.
constexpr std::size_t kBufferBytes = 4u << 20;
constexpr std::size_t kBuffersPerProducer = 8;

}  // namespace

CaptureJournal::CaptureJournal(const Options& o, const std::vector<int>& ports, std::size_t producers) : ports_(ports) {
    std::vector<capture::JournalInterface> interfaces;
    interface_of_port_.assign(static_cast<std::size_t>(std::ranges::max(ports)) + 1, 0);
    for (const int port : ports) {
        interface_of_port_[static_cast<std::size_t>(port)] = static_cast<std::uint32_t>(interfaces.size());
        interfaces.push_back({.name = ReceivePorts::describe(port), .snaplen = o.snaplen});
    }
    // Hugepages when EAL has them: the capture stage's copies and the O_DIRECT DMA both walk
    // these buffers, 2 MiB per TLB entry instead of 4 KiB.
    if (rte_eal_has_hugepages())
        memory_ = std::make_unique<platform::DpdkMemory>(static_cast<int>(rte_socket_id()));
    journal_ = std::make_unique<capture::Journal>(
        capture::JournalConfig{.path = *o.capture,
                               .rotate_bytes = o.rotate_bytes,
                               .rotate_interval = o.rotate_interval,
                               .max_files = o.max_files,
                               .force = o.force,
                               .buffer_bytes = kBufferBytes,
                               .buffers_per_producer = kBuffersPerProducer,
                               .memory = memory_.get()},
        std::move(interfaces), producers);
}

void CaptureJournal::close(const Pipeline& pipeline, const ReceivePorts& ports, Totals& totals) {
    std::vector<capture::InterfaceStats> stats;
    for (const int port : ports_) {
        const Totals t = pipeline.port_totals(port);
        stats.push_back({.received = t[net::Counter::rx_packets],
                         .dropped = t[net::Counter::dropped_ring_full] + t[net::Counter::dropped_journal] +
                                    ports.nic_missed(port)});
    }
    journal_->close(stats);
    auto& v = totals.values;
    v[static_cast<std::size_t>(net::Counter::captured_packets)] = journal_->written_packets();
    v[static_cast<std::size_t>(net::Counter::captured_bytes)] = journal_->written_bytes();
    v[static_cast<std::size_t>(net::Counter::dropped_journal)] += journal_->lost_packets();
}

}  // namespace sentinel::app
