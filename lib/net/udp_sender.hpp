#pragma once
// UdpSender: sends datagrams the appliance makes itself (MoldUDP64 re-requests, top-of-book
// records) out of one TX queue: an mbuf from a pool of its own, Ethernet, IPv4 and UDP headers
// with both checksums, the payload, rte_eth_tx_burst.
//
//   ┌ Ethernet 14 ┬ IPv4 20 (no options, DF, TTL 32) ┬ UDP 8 ┬ payload ┐
//
// Multicast destinations get the group's 01:00:5e MAC (RFC 1112); unicast ones the MAC the
// operator gave for the next hop (the appliance speaks no ARP). queue() gathers datagrams into
// bursts of up to kBurst, one tx_burst (one doorbell) each at flush(); send() is queue() + flush().
//
// Thread safety: queue, flush and send on the one lcore that owns the queue; counters from any
// thread.

#include <rte_ether.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "disruptor/cache_line.hpp"

struct rte_mempool;

namespace sentinel::net {

struct UdpFlow {
    rte_ether_addr source_mac{};
    rte_ether_addr destination_mac{};  // ignored for a multicast destination
    std::uint32_t source_address = 0;  // IPv4, host byte order
    std::uint32_t destination_address = 0;
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
};

class UdpSender {
public:
    static constexpr std::size_t kHeaders = RTE_ETHER_HDR_LEN + 20 + 8;
    static constexpr std::uint16_t kBurst = 32;
    // tx_burst calls for one datagram before it counts as refused (see ForwardStage::kRetries).
    static constexpr unsigned kRetries = 8;

    UdpSender(std::uint16_t port, std::uint16_t queue, rte_mempool* pool, const UdpFlow& flow) noexcept;

    // Adds a datagram to the burst (flushed when full); false when the pool had no mbuf or the
    // payload does not fit one (counted as failed).
    bool queue(std::span<const std::byte> payload) noexcept;
    // Transmits the burst; what the TX queue refuses after kRetries is freed and counted as failed.
    void flush() noexcept;
    bool send(std::span<const std::byte> payload) noexcept {
        const std::uint64_t failed_before = failed();
        queue(payload);
        flush();
        return failed() == failed_before;
    }

    std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_relaxed); }      // a statistic
    std::uint64_t failed() const noexcept { return failed_.load(std::memory_order_relaxed); }  // a statistic

private:
    void count(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // a statistic, single writer
    }

    const std::uint16_t port_;
    const std::uint16_t queue_;
    rte_mempool* const pool_;
    UdpFlow flow_;
    std::uint16_t packet_id_ = 0;
    std::uint16_t pending_ = 0;  // built, in burst_, not yet handed to the queue
    std::array<rte_mbuf*, kBurst> burst_{};
    alignas(disruptor::kFalseSharingRange) std::atomic<std::uint64_t> sent_{0};  // read by the stats printer
    std::atomic<std::uint64_t> failed_{0};
};

}  // namespace sentinel::net
