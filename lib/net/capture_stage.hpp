#pragma once
// CaptureStage: a ring's stage that copies the packets the filter selected (Verdict::kCapture)
// into the capture journal, one enhanced packet block each, straight from the packet's buffer (the
// slot says where; a chain segment by segment) into the journal's aligned buffer: one copy, no
// allocation.
//
//   filter ─▶ capture ─▶ release          slot.verdict & kCapture ? journal : filtered_out
//
// When the journal has no free buffer (its writer is behind the producers), the stage waits for
// one, which in turn stops the ring's consumers, fills the ring and makes RX apply its full policy:
// the loss, if any, is counted where the policy says (the NIC's imissed, or dropped_ring_full). A
// journal that failed (full disk, I/O error), or a writer that freed nothing for kWriterStallLimit
// (a hung disk: the lcore, and the shutdown, must not wait on it for ever), makes the stage drop,
// counting dropped_journal; after a stall it waits again once the writer frees a buffer.
// A partly filled buffer goes to the writer once traffic pauses for `flush_after`, so the file on
// disk trails the wire by at most that much when the link is quiet.
//
// Captured means written: captured_packets and captured_bytes are the journal's count of this
// stage's packets whose buffer reached the disk, not of those copied into a buffer, so no reading
// (the live line, telemetry) counts a packet that a failing disk may yet lose.
//
// Thread safety: on_events and on_idle on the lcore that polls the stage; counters and captured
// from any thread.

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/journal.hpp"
#include "counters.hpp"
#include "packet_slot.hpp"
#include "tsc_clock.hpp"

namespace sentinel::net {

class CaptureStage {
public:
    static constexpr std::chrono::milliseconds kWriterStallLimit{2000};

    // `producer`: this stage's index in the journal. `interface_of_port[p]`: the journal interface
    // of DPDK port p. `clock` stamps the packets and times the flush and the writer stall. Throws
    // std::out_of_range for a producer the journal lacks.
    CaptureStage(capture::Journal& journal, std::size_t producer, std::uint32_t snaplen,
                 std::vector<std::uint32_t> interface_of_port, const TscClock& clock,
                 std::chrono::milliseconds flush_after);

    void on_events(std::span<PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch);
    // Between polls that found nothing: hands a buffer that has waited `flush_after` to the writer.
    void on_idle(std::uint64_t now_tsc);
    // The last buffer to the writer: at the end of the drain.
    void flush();

    // filtered_out_packets and dropped_journal; captured_* are captured().
    const Counters& counters() const noexcept { return counters_; }
    struct Captured {
        std::uint64_t packets = 0;
        std::uint64_t bytes = 0;  // original lengths
    };
    // captured_packets and captured_bytes: what reached the disk so far.
    Captured captured() const noexcept {
        return {journal_.written_packets(producer_index_), journal_.written_bytes(producer_index_)};
    }

private:
    // The packet's EPB, or nullptr once the journal has failed.
    std::byte* reserve(const PacketSlot& slot, std::uint32_t captured);

    capture::Journal& journal_;
    const std::size_t producer_index_;
    capture::JournalProducer& producer_;
    const std::uint32_t snaplen_;
    const std::vector<std::uint32_t> interface_of_port_;
    const TscClock& clock_;
    const std::uint64_t flush_after_tsc_;
    const std::uint64_t stall_limit_tsc_;
    bool writer_stalled_ = false;  // the last wait hit kWriterStallLimit: drop without waiting
    std::uint64_t pending_since_tsc_ = 0;  // the first packet of the unflushed buffer; 0: none
    Counters counters_;
};

}  // namespace sentinel::net
