#pragma once
// Counters: what the data path counts, one enum for every component, with the labels that the
// live stats, the final report and --stats-out all use.
//
// Memory ordering
//   Each Counters block has one writer: the lcore running the component that owns it. The writer
//   adds with a relaxed load and store (no read-modify-write: nobody else writes, so no lock
//   prefix on the hot path); the stats printer reads relaxed at any time and sees a recent value.
//   Exact final values come from the launch edge: rte_eal_wait_lcore() returns after the lcore's
//   last store and orders it before the reader.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "disruptor/cache_line.hpp"

namespace sentinel::net {

enum class Counter : std::size_t {
    rx_packets,         // received by rte_eth_rx_burst
    rx_bytes,           // their pkt_len, summed
    dropped_ring_full,  // received, then freed because the ring had no room (--full-policy drop)
    released_packets,   // freed by the release stage after every stage saw them
    captured_packets,   // written to the capture journal (on disk, or in a buffer the writer holds)
    captured_bytes,     // their original lengths, summed
    filtered_out_packets,  // not selected by --capture-filter
    dropped_journal,    // selected for capture but not written: the journal failed (full disk, I/O error)
    forwarded_packets,  // handed to the forward port's TX queue
    forward_filtered_out,  // not selected by --forward-filter
    dropped_tx,         // selected for forwarding, refused by the TX queue after retries
    count,              // add all new counters before this one
};

inline constexpr std::size_t kCounterCount = static_cast<std::size_t>(Counter::count);

inline constexpr std::array<std::string_view, kCounterCount> kCounterLabels{
    "rx_packets",         "rx_bytes",           "dropped_ring_full",    "released_packets",
    "captured_packets",   "captured_bytes",     "filtered_out_packets", "dropped_journal",
    "forwarded_packets",  "forward_filtered_out", "dropped_tx"};

// One component's counters, alone on their line pair: the owner's stores must not invalidate a
// line another lcore writes.
class alignas(disruptor::kFalseSharingRange) Counters {
public:
    // The owner's lcore only.
    void add(Counter c, std::uint64_t n) noexcept {
        std::atomic<std::uint64_t>& v = values_[static_cast<std::size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // a statistic, single writer
    }

    // Any thread.
    std::uint64_t get(Counter c) const noexcept {
        return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);  // a statistic
    }

private:
    std::array<std::atomic<std::uint64_t>, kCounterCount> values_{};
};

}  // namespace sentinel::net
