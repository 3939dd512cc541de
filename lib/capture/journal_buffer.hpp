#pragma once
// JournalBuffer: one aligned write buffer of whole pcapng blocks, and the ring that hands full
// buffers from the producers to the writer.
//
//   producer 0 ─┐  claim · ring[s] = &buffer · publish        ┌──────────────────┐
//   producer 1 ─┼────────────────────────────────────────────▶│ HandOff ring     │──▶ writer thread
//   producer 2 ─┘                                              │ (multi-producer) │    pwrite, then
//        ▲                                                     └──────────────────┘    returned = ordinal
//        └──────────── buffer `ordinal` free again once *returned >= ordinal ◀──────────────┘
//
// A producer fills its buffers round robin (ordinal 0, 1, 2, ...: buffer ordinal % k) and the
// writer takes them from the ring in order, so each producer gets its buffers back in the order it
// handed them over: its free list is one sequence, `returned`, that only the writer advances.
// The ring holds at least every buffer of every producer, so a claim never waits.
//
// Memory ordering
//   R1/A2 (the ring's publish and the writer's barrier): the producer's writes to the buffer and to
//       its size/packets/bytes/ordinal fields happen-before the writer reads them.
//   R5: the writer's returned.store_release(ordinal) after pwrite returned; pairs with A5 in the
//       producer's load_acquire before it writes into that buffer again.
//
// Thread safety: a buffer belongs to its producer until published, to the writer until returned.

#include <cstddef>
#include <cstdint>

#include "disruptor/blocking_wait_strategy.hpp"
#include "disruptor/disruptor.hpp"
#include "pcapng_format.hpp"

namespace sentinel::capture {

// O_DIRECT transfers whole logical blocks from aligned memory: 4 KiB covers 512-byte and
// 4K-native disks alike, and the page size, so every buffer, length and file offset is a multiple.
inline constexpr std::size_t kBlockAlign = 4096;

constexpr std::size_t align_up(std::size_t n) noexcept { return (n + kBlockAlign - 1) & ~(kBlockAlign - 1); }

struct JournalBuffer {
    std::byte* data;                 // kBlockAlign-aligned, `capacity` bytes, from the journal's memory resource
    std::size_t capacity;
    disruptor::Sequence* returned;   // the owner's free list; the writer stores `ordinal` in it
    std::uint32_t producer;          // the owner's index, for the writer's per-producer losses
    // Set by the owner before the hand-off (R1), read by the writer after it (A2).
    std::size_t size = 0;            // bytes to write: whole blocks ending in a filler, a multiple of kBlockAlign
    std::uint64_t packets = 0;       // EPBs in it
    std::uint64_t packet_bytes = 0;  // their original lengths, summed
    std::int64_t ordinal = -1;       // the owner's count of buffers handed over before this one
};

// Ends `used` bytes of blocks on the next kBlockAlign boundary with a filler block; returns the
// padded size. The filler needs kMinFillerSize bytes: callers keep that much room free.
inline std::size_t seal(std::byte* data, std::size_t used) noexcept {
    if (used % kBlockAlign == 0) return used;
    const std::size_t end = align_up(used + pcapng::kMinFillerSize);
    pcapng::write_filler(data + used, end - used);
    return end;
}

// Full buffers travel by pointer; the writer sleeps on a futex while the ring is empty.
using HandOff = disruptor::Disruptor<JournalBuffer*, disruptor::ProducerType::multi, disruptor::BlockingWaitStrategy>;

}  // namespace sentinel::capture
