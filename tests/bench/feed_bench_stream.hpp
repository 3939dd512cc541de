#pragma once
// The synthetic ITCH 5.0 day that feed_bench replays: MoldUDP64 packets in memory, with the shape of
// a busy Nasdaq session (no capture file needed, the same stream for every run and machine).
//
//   instruments   Zipf-like activity (weight 1/rank): a few very busy symbols, a long tail
//   prices        each instrument around its own mid ($5 to $500, one-cent ticks); bids at and
//                 below it, asks above, at a geometric distance (most within a few ticks of the
//                 top); the mid drifts a tick now and then
//   messages      ~50% adds (A, some F), ~30% deletes, ~5% partial cancels, ~10% executions (E,
//                 some C; most fill the order), ~5% replaces, a few trades (P); reference numbers
//                 increase through the day, as Nasdaq's do; deletes and executions favour recent orders
//   framing       MoldUDP64 packets of up to ~1400 bytes, numbered from 1, one session
//
// Every E C X D U names a resting order, so a correct handler counts no unknown references and
// ends with exactly `resting_orders` orders: the benchmark checks both.

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>
#include <vector>

namespace sentinel::bench {

struct FeedStream {
    explicit FeedStream(std::pmr::memory_resource* memory) : bytes(memory) {}

    std::pmr::vector<std::byte> bytes;          // every packet, back to back
    std::vector<std::span<const std::byte>> packets;  // into `bytes`
    std::uint64_t messages = 0;                 // ITCH messages, directory included
    std::uint64_t resting_orders = 0;           // orders on the books once the stream is applied
};

// The packets' bytes come from `memory`: like an appliance's mbufs, hugepages in feed_bench.
FeedStream make_feed_stream(std::uint64_t messages, std::uint32_t instruments, std::uint64_t seed,
                            std::pmr::memory_resource* memory);

}  // namespace sentinel::bench
