#include "capture_stage.hpp"

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <algorithm>
#include <cstring>
#include <sched.h>

#include "verdict.hpp"

namespace sentinel::net {
namespace {

// Copies the first `len` bytes of a chain, segment by segment: jumbo frames may arrive as several.
void copy_packet(const rte_mbuf* m, std::byte* to, std::uint32_t len) {
    for (; m != nullptr && len != 0; m = m->next) {
        const std::uint32_t n = std::min<std::uint32_t>(len, m->data_len);
        std::memcpy(to, rte_pktmbuf_mtod(m, const std::byte*), n);
        to += n;
        len -= n;
    }
}

}  // namespace

CaptureStage::CaptureStage(capture::Journal& journal, std::size_t producer, std::uint32_t snaplen,
                           std::vector<std::uint32_t> interface_of_port, const TscClock& clock,
                           std::chrono::milliseconds flush_after)
    : journal_(journal),
      producer_index_(producer),
      producer_(journal.producer(producer)),
      snaplen_(snaplen),
      interface_of_port_(std::move(interface_of_port)),
      clock_(clock),
      flush_after_tsc_(clock.ticks(flush_after)),
      stall_limit_tsc_(clock.ticks(kWriterStallLimit)) {}

std::byte* CaptureStage::reserve(const PacketSlot& slot, std::uint32_t captured) {
    const std::uint32_t interface = interface_of_port_[slot.port];
    const std::uint64_t ns = clock_.nanoseconds(slot.rx_tsc);
    std::uint64_t give_up_at = 0;
    for (unsigned spins = 0;; ++spins) {
        if (std::byte* epb = producer_.begin_packet(interface, ns, slot.len, captured)) {
            writer_stalled_ = false;
            return epb;
        }
        if (journal_.failed() || writer_stalled_) return nullptr;
        // The writer is behind. It is a thread of its own, possibly on this very CPU (a 2-core
        // machine runs it beside the worker lcore): spin briefly, then let it run.
        if (spins < 64) {
            rte_pause();
            continue;
        }
        sched_yield();
        const std::uint64_t now = rte_rdtsc();
        if (give_up_at == 0) give_up_at = now + stall_limit_tsc_;
        else if (now >= give_up_at) {
            writer_stalled_ = true;  // drop, counted, until the writer frees a buffer again
            return nullptr;
        }
    }
}

void CaptureStage::on_events(std::span<PacketSlot> slots, std::int64_t, bool) {
    std::uint64_t captured = 0;  // copied into a buffer: counted as captured once the journal wrote it
    std::uint64_t dropped = 0;
    for (const PacketSlot& slot : slots) {
        if ((slot.verdict & Verdict::kCapture) == 0) continue;
        const std::uint32_t len = std::min(slot.len, snaplen_);
        std::byte* epb = reserve(slot, len);
        if (epb == nullptr) {
            ++dropped;
            continue;
        }
        if (slot.contiguous())
            std::memcpy(epb, slot.data, len);
        else
            copy_packet(slot.mbuf, epb, len);
        producer_.end_packet();
        ++captured;
    }
    if (captured != 0 && pending_since_tsc_ == 0) pending_since_tsc_ = rte_rdtsc();
    counters_.add(Counter::dropped_journal, dropped);
    counters_.add(Counter::filtered_out_packets, slots.size() - captured - dropped);
}

void CaptureStage::on_idle(std::uint64_t now_tsc) {
    if (pending_since_tsc_ != 0 && now_tsc - pending_since_tsc_ >= flush_after_tsc_) flush();
}

void CaptureStage::flush() {
    producer_.flush();
    pending_since_tsc_ = 0;
}

}  // namespace sentinel::net
