#include "journal_producer.hpp"

#include <time.h>

#include <limits>

namespace sentinel::capture {
namespace {

std::uint64_t monotonic_ns() noexcept {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(t.tv_nsec);
}

}  // namespace

JournalProducer::JournalProducer(HandOff& hand_off, std::span<JournalBuffer> buffers, const std::atomic<bool>& failed,
                                 std::size_t hand_off_bytes) noexcept
    : hand_off_(hand_off),
      buffers_(buffers),
      failed_(failed),
      hand_off_at_(hand_off_bytes != 0 ? hand_off_bytes : std::numeric_limits<std::size_t>::max()) {
    for (JournalBuffer& b : buffers_) b.returned = &returned_;
}

void JournalProducer::flush() noexcept {
    if (current_ == nullptr || current_->packets == 0) return;
    hand_off();
}

std::uint64_t JournalProducer::buffer_age_ns() const noexcept {
    return current_ != nullptr && current_->packets != 0 ? monotonic_ns() - first_packet_ns_ : 0;
}

bool JournalProducer::next_buffer() noexcept {
    if (current_ != nullptr) {
        // Empty, it would fit any packet within the contract. Kept, not swapped for another: every
        // buffer taken must reach the writer, or `returned` stalls for good.
        if (current_->packets == 0) return true;
        hand_off();
    }
    // Buffer `next_ordinal_` reuses the one handed over k buffers ago: free once that is returned.
    const auto k = static_cast<std::int64_t>(buffers_.size());
    if (next_ordinal_ - k > returned_cache_) {
        returned_cache_ = returned_.load_acquire();  // A5: pairs with R5 in the writer; its pwrite read the old bytes
        if (next_ordinal_ - k > returned_cache_) return false;
    }
    current_ = &buffers_[static_cast<std::size_t>(next_ordinal_ % k)];
    current_->ordinal = next_ordinal_++;
    current_->packets = 0;
    current_->packet_bytes = 0;
    fill_ = 0;
    capacity_ = current_->capacity;
    first_packet_ns_ = monotonic_ns();  // the caller is about to begin the buffer's first packet
    return true;
}

void JournalProducer::hand_off() noexcept {
    current_->size = seal(current_->data, fill_);
    hand_off_.publish_event([b = current_](JournalBuffer*& slot, std::int64_t) { slot = b; });  // R1 inside
    current_ = nullptr;
    capacity_ = 0;
    fill_ = 0;
}

}  // namespace sentinel::capture
