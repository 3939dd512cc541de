#pragma once
// JournalWriter: the handler of the journal's writer thread. Each full buffer goes to the end of
// the current file; files rotate between buffers; each buffer then returns to its producer.
//
//   HandOff ring ─▶ on_event(buffer) ─▶ rotate? ─▶ file.append(buffer) ─▶ returned = ordinal (R5)
//                                                      │
//                         ENOSPC, EIO, EDQUOT, ... ─────┘ the file is cut back to its last whole
//                         buffer; the journal fails: this and every later buffer counts as lost,
//                         producers get nullptr from then on
//
// A new file (the first one, and each rotation) starts with the header buffer: SHB, IDBs, filler.
// With max_files, creating file n deletes file n - max_files of this run.
//
// Memory ordering
//   R5: returned.store_release(ordinal) after the buffer's pwrite; pairs with A5 in the producer.
//   R6: failed_ is stored with release after error_ is written; pairs with A6 in error(). Producers
//       read failed_ relaxed: they only stop, they read nothing the writer wrote.
//
// Thread safety
//   open                      the owner, before the writer thread starts
//   on_start, on_event        the writer thread
//   finish                    the owner, after the writer thread stopped
//   counters, failed, error   any thread

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "disruptor/cache_line.hpp"
#include "journal_buffer.hpp"
#include "journal_config.hpp"
#include "journal_counters.hpp"
#include "journal_file.hpp"

namespace sentinel::capture {

class JournalWriter {
public:
    // `producers`: how many feed it, for counters(producer).
    JournalWriter(const JournalConfig& config, std::size_t producers);

    // Creates the first file and writes `header` into it (kept: every rotation writes it again).
    // Throws std::runtime_error with one line naming the file.
    void open(std::span<const std::byte> header);

    void on_event(JournalBuffer*& buffer, std::int64_t sequence, bool end_of_batch) noexcept;
    // Names the thread "journal-writer" for top and perf, and confines it to config.writer_cpus.
    void on_start() noexcept;

    // Appends `trailer` (the ISBs; empty: none) to the current file unless it has failed or is
    // gone, and closes it. A failure here fails the journal too.
    void finish(std::span<const std::byte> trailer) noexcept;

    const JournalCounters& counters() const noexcept { return counters_; }
    // Those of one producer's buffers: written_packets, written_bytes and lost_packets (packets in
    // its buffers that reached the writer after the journal failed), each counted once the write
    // that decides it has returned. Contract: producer < producers.
    const JournalCounters& counters(std::size_t producer) const noexcept { return by_producer_[producer]; }
    const std::atomic<bool>& failed_flag() const noexcept { return failed_; }
    bool failed() const noexcept {
        return failed_.load(std::memory_order_relaxed);  // a flag; error() acquires before reading error_
    }
    // "" while nothing failed; else one line: what failed and how many packets did and did not reach the disk.
    std::string error() const;

    // The path of file number n (1, 2, ...): `path` itself without rotation (see journal_config.hpp).
    static std::string file_path(const JournalConfig& config, std::uint32_t n);
    // A rotating journal's file that an earlier run left beside `path` (any number), or "": without
    // `force`, open() refuses to start rather than stop half-way when rotation reaches it.
    static std::string earlier_rotation(const JournalConfig& config);

private:
    // Creates the next file and writes the header; "", or what failed, in one line.
    std::string open_next() noexcept;
    bool rotation_due(std::size_t next_bytes) const noexcept;
    void fail(std::string what) noexcept;

    const JournalConfig& config_;
    std::span<const std::byte> header_;
    JournalFile file_;
    std::uint32_t file_number_ = 0;
    std::chrono::steady_clock::time_point opened_at_{};
    bool warned_ = false;
    std::string error_;  // written once, before failed_ (R6)
    JournalCounters counters_;
    std::vector<JournalCounters> by_producer_;  // sized once: its counters never move
    alignas(disruptor::kFalseSharingRange) std::atomic<bool> failed_{false};  // every producer polls it
};

}  // namespace sentinel::capture
