#pragma once
// JournalProducer: one capture stage's way into the journal. It appends enhanced packet blocks to
// its current buffer and hands full buffers to the writer; no lock, no allocation, no system call
// per packet.
//
//   begin_packet ─▶ caller copies captured_len bytes ─▶ end_packet        (per packet)
//   buffer full (or holding hand_off_bytes), or flush() ─▶ seal with a filler ─▶ HandOff ring ─▶ writer
//
// begin_packet returns nullptr when all of this producer's buffers are with the writer (it is
// behind: retry, or count a drop) or once the journal has failed (full disk, I/O error: count a
// drop; failed() tells the two apart). Nothing here throws.
//
// Memory ordering: A5 acquires the writer's `returned` before reusing a buffer (journal_buffer.hpp);
// the failed flag is read relaxed, as a flag: no data rides on it.
//
// Thread safety
//   begin_packet, end_packet, flush, buffer_age_ns   one thread: the capture stage's lcore
//   failed                                           any thread

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "disruptor/cache_line.hpp"
#include "journal_buffer.hpp"

namespace sentinel::capture {

class alignas(disruptor::kFalseSharingRange) JournalProducer {
public:
    // `failed`: the journal's flag, set once by the writer. `hand_off_bytes`: a buffer holding this
    // many bytes goes to the writer at once (JournalConfig::hand_off_bytes); 0: when full.
    JournalProducer(HandOff& hand_off, std::span<JournalBuffer> buffers, const std::atomic<bool>& failed,
                    std::size_t hand_off_bytes = 0) noexcept;

    JournalProducer(const JournalProducer&) = delete;
    JournalProducer& operator=(const JournalProducer&) = delete;

    // Reserves an EPB for one packet and returns where its captured_len bytes go. Contract:
    // interface is a journal interface id, captured_len <= original_len and <= its snaplen.
    std::byte* begin_packet(std::uint32_t interface, std::uint64_t timestamp_ns, std::uint32_t original_len,
                            std::uint32_t captured_len) noexcept {
        if (failed_.load(std::memory_order_relaxed)) [[unlikely]]  // a flag: no data behind it
            return nullptr;
        const std::size_t size = pcapng::enhanced_packet_size(captured_len);
        if (fill_ + size + pcapng::kMinFillerSize > capacity_) [[unlikely]] {
            // A packet larger than a whole buffer breaks the contract: refused rather than overrun.
            if (!next_buffer() || fill_ + size + pcapng::kMinFillerSize > capacity_) return nullptr;
        }
        pending_at_ = current_->data + fill_;
        pending_size_ = size;
        pending_captured_ = captured_len;
        pending_original_ = original_len;
        return pcapng::begin_enhanced_packet(pending_at_, size, interface, timestamp_ns, original_len, captured_len);
    }

    // Completes the block begin_packet reserved; the packet now counts.
    void end_packet() noexcept {
        pcapng::finish_enhanced_packet(pending_at_, pending_size_, pending_captured_);
        fill_ += pending_size_;
        ++current_->packets;
        current_->packet_bytes += pending_original_;
        if (fill_ >= hand_off_at_) [[unlikely]]
            hand_off();
    }

    // Hands the current buffer to the writer now, if it holds a packet. A packet begun and not
    // ended is dropped.
    void flush() noexcept;

    // Nanoseconds since the current buffer took its first packet; 0 when it holds none.
    std::uint64_t buffer_age_ns() const noexcept;

    bool failed() const noexcept {
        return failed_.load(std::memory_order_relaxed);  // a flag: no data behind it
    }

private:
    // Hands over the current buffer (if it holds packets) and takes the next free one.
    bool next_buffer() noexcept;
    void hand_off() noexcept;

    HandOff& hand_off_;
    const std::span<JournalBuffer> buffers_;
    const std::atomic<bool>& failed_;
    const std::size_t hand_off_at_;   // fill that sends a buffer to the writer; SIZE_MAX: only when full
    JournalBuffer* current_ = nullptr;
    std::size_t fill_ = 0;
    std::size_t capacity_ = 0;        // of the current buffer, 0 with none: the next packet takes one
    std::byte* pending_at_ = nullptr;
    std::size_t pending_size_ = 0;
    std::uint32_t pending_captured_ = 0;
    std::uint32_t pending_original_ = 0;
    std::int64_t next_ordinal_ = 0;   // buffers taken so far
    std::int64_t returned_cache_ = disruptor::Sequence::kInitial;  // last seen `returned_`
    std::uint64_t first_packet_ns_ = 0;
    disruptor::Sequence returned_;    // on its own line pair: the writer stores, this lcore polls
};

}  // namespace sentinel::capture
