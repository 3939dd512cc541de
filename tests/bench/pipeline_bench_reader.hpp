#pragma once
// PacketReader: the work of each of pipeline_fanout3's three parallel stages, the same code in
// every implementation: it reads a packet's length and first data byte, and sums them, so the
// compiler cannot drop the loads and the three stages' sums can be compared at the end (each must
// have seen every packet exactly once).
//
// Thread safety: one lcore reads packets; sums() after the run.

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>

namespace sentinel::bench {

struct ReadSums {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;  // pkt_len
    std::uint64_t data = 0;   // first data byte of each packet

    bool operator==(const ReadSums&) const = default;
};

class PacketReader {
public:
    // Where each implementation finds them: a Disruptor slot carries both, an rte_ring stage has
    // only the mbuf pointer and reads its header.
    void read(std::uint32_t len, const std::byte* data) noexcept {
        ++sums_.packets;
        sums_.bytes += len;
        sums_.data += std::to_integer<std::uint8_t>(*data);
    }
    void read(const rte_mbuf* m) noexcept { read(m->pkt_len, rte_pktmbuf_mtod(m, const std::byte*)); }

    const ReadSums& sums() const noexcept { return sums_; }

private:
    ReadSums sums_;
};

}  // namespace sentinel::bench
