#pragma once
// Journal: line-rate packet capture to pcapng files that tshark, Wireshark and tcpdump read.
//
//   capture stage ─▶ JournalProducer 0 ─┐  full buffers, by pointer  ┌───────────────┐ pwrite, O_DIRECT
//   capture stage ─▶ JournalProducer 1 ─┼──────── HandOff ring ─────▶│ writer thread │────────────────▶ cap.pcapng
//   capture stage ─▶ JournalProducer 2 ─┘◀──── buffers returned ─────└───────────────┘  (or cap_00001.pcapng, ...)
//
// Each producer copies packets, as enhanced packet blocks, into buffers of its own (aligned, from
// the memory resource the caller gives that producer: in the appliance, hugepages on its lcore's
// node) and seals a full one with a filler block up to a 4 KiB boundary. The writer then writes it
// as it is with O_DIRECT: one copy per packet, mbuf to buffer, and none in the kernel; buffers of
// several producers interleave in the file with no bytes carried from one to the next. The writer
// sleeps on a futex while idle, so it can share a CPU with a polling lcore. Files rotate between
// buffers (journal_config.hpp).
//
// Accounting, exact once close() has returned:
//   packets ended by every producer (end_packet) == written_packets() + lost_packets()
// Lost packets sat in buffers that reached the writer after the journal failed (ENOSPC, EIO,
// EDQUOT, ...: the file is cut back to its last whole buffer and stays valid). From the failure on,
// begin_packet returns nullptr and the stages count their own drops.
//
// Thread safety
//   constructor, producer(i), drain, close, dtor    the owner
//   producer i's begin_packet, end_packet, flush    one capture stage's thread
//   written_packets ... files, failed, error        any thread: statistics read relaxed
//   written_packets(i) ... lost_packets(i)          any thread, likewise
// drain(), close() and the destructor need every producer's thread stopped (its last call happens-before
// them): they flush what the producers left in their buffers. Without close() the destructor
// writes no interface statistics, having none.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal_buffer.hpp"
#include "journal_config.hpp"
#include "journal_counters.hpp"
#include "journal_producer.hpp"
#include "journal_writer.hpp"

namespace sentinel::capture {

class Journal {
public:
    // Creates the first file, writes its header (SHB, one IDB per interface) and starts the writer
    // thread. Throws std::invalid_argument for a bad configuration and std::runtime_error, in one
    // line naming the file, when it cannot be created (exists without force, no such directory,
    // permission, ...).
    Journal(JournalConfig config, std::vector<JournalInterface> interfaces, std::size_t producers);
    ~Journal();

    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Throws std::out_of_range for i >= producers.
    JournalProducer& producer(std::size_t i);

    // Flushes the producers and writes every buffer still queued; the counters are then final, so
    // the caller can put the journal's own losses into the statistics it passes to close().
    void drain() noexcept;
    // Drains (if not yet), appends one ISB per interface (these counts, timestamp now), closes the
    // file. Returns normally after an I/O failure (error() reports it); throws only for misuse: a
    // second close, or not one InterfaceStats per interface.
    void close(std::span<const InterfaceStats> stats);

    std::uint64_t written_packets() const noexcept { return count(JournalCounter::written_packets); }
    std::uint64_t written_bytes() const noexcept { return count(JournalCounter::written_bytes); }  // original lengths
    std::uint64_t file_bytes() const noexcept { return count(JournalCounter::file_bytes); }
    std::uint64_t lost_packets() const noexcept { return count(JournalCounter::lost_packets); }
    // Those of producer i's packets. Each counts once the write that decides it has returned, so
    // a reading never counts as written a packet still in a buffer, which a failing disk may yet
    // lose; exact once drain() has returned. Throws std::out_of_range for i >= producers.
    std::uint64_t written_packets(std::size_t i) const { return count(i, JournalCounter::written_packets); }
    std::uint64_t written_bytes(std::size_t i) const { return count(i, JournalCounter::written_bytes); }
    std::uint64_t lost_packets(std::size_t i) const { return count(i, JournalCounter::lost_packets); }
    std::uint32_t files() const noexcept { return static_cast<std::uint32_t>(count(JournalCounter::files)); }
    const JournalCounters& counters() const noexcept { return writer_.counters(); }
    bool failed() const noexcept { return writer_.failed(); }
    // "" if nothing failed, else one line, e.g. "capture stopped: /mnt/x/cap.pcapng: No space left
    // on device (wrote 1234 packets; 56 not written)".
    std::string error() const { return writer_.error(); }
    // Producer i's buffers, for placement reports. Throws std::out_of_range for i >= producers.
    std::span<const std::byte> producer_memory(std::size_t i) const {
        const Storage& s = producer_storage_.at(i);
        return {s.get(), s.get_deleter().bytes};
    }

private:
    struct Release {
        std::pmr::memory_resource* memory;
        std::size_t bytes;
        void operator()(std::byte* p) const noexcept { memory->deallocate(p, bytes, kBlockAlign); }
    };
    using Storage = std::unique_ptr<std::byte, Release>;

    std::uint64_t count(JournalCounter c) const noexcept { return writer_.counters().get(c); }
    std::uint64_t count(std::size_t producer, JournalCounter c) const {
        if (producer >= producers_.size()) throw std::out_of_range("capture journal: producer " + std::to_string(producer));
        return writer_.counters(producer).get(c);
    }
    // Flushes the producers, drains the ring, stops the writer, appends `trailer`, closes the file.
    void stop(std::span<const std::byte> trailer) noexcept;

    const JournalConfig config_;
    const std::vector<JournalInterface> interfaces_;
    Storage ends_;                  // header, then trailer
    std::span<std::byte> header_;   // SHB, IDBs, filler: the start of every file
    std::span<std::byte> trailer_;  // room for the ISBs and their filler
    std::vector<Storage> producer_storage_;  // each producer's buffers, from its memory resource
    std::vector<JournalBuffer> buffers_;
    JournalWriter writer_;
    HandOff hand_off_;  // after the buffers and the writer: its thread must stop before they go
    std::vector<std::unique_ptr<JournalProducer>> producers_;
    bool drained_ = false;
    bool closed_ = false;
};

}  // namespace sentinel::capture
