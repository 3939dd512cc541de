#pragma once
// JournalCounters: what reached the disk and what did not, with the labels the stats use.
//
//   every packet a producer ended (end_packet) = written_packets + lost_packets, exactly, once
//   Journal::close() has returned; before that the rest are in buffers on their way to the disk.
//
// Memory ordering: one writer at a time (the writer thread; after it is joined, the thread calling
// close), adding with a relaxed load and store; any thread reads relaxed and sees a recent value.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "disruptor/cache_line.hpp"
#include "disruptor/counter_block.hpp"

namespace sentinel::capture {

enum class JournalCounter : std::size_t {
    written_packets,  // EPBs in buffers written whole to a file
    written_bytes,    // their original lengths, summed
    file_bytes,       // bytes written to files: blocks, fillers, headers and statistics
    lost_packets,     // accepted into a buffer, never written: the journal failed first
    files,            // files created so far, the first included
    count,            // add all new counters before this one
};

inline constexpr std::size_t kJournalCounterCount = static_cast<std::size_t>(JournalCounter::count);

inline constexpr std::array<std::string_view, kJournalCounterCount> kJournalCounterLabels{
    "journal_written_packets", "journal_written_bytes", "journal_file_bytes", "journal_lost_packets",
    "journal_files"};
static_assert(disruptor::every_label_given(kJournalCounterLabels), "a counter without a label: add it to kJournalCounterLabels, in the enum's order");

// Alone on its line pair: the writer's stores must not invalidate a line a producer reads.
class alignas(disruptor::kFalseSharingRange) JournalCounters {
public:
    // The writer only.
    void add(JournalCounter c, std::uint64_t n) noexcept {
        std::atomic<std::uint64_t>& v = values_[static_cast<std::size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // a statistic, single writer
    }

    // Any thread.
    std::uint64_t get(JournalCounter c) const noexcept {
        return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);  // a statistic
    }

private:
    std::array<std::atomic<std::uint64_t>, kJournalCounterCount> values_{};
};

}  // namespace sentinel::capture
