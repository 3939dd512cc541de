#pragma once
// Mempool: the mbufs one port receives into, created on the port's NUMA node (where the NIC
// writes), freed when the appliance closes. Its in-use count is the leak check at shutdown: once
// every ring is drained and the port closed, every mbuf must be back.
//
// Thread safety
//   constructor, destructor, in_use, memory   the main thread, outside the data path
//   get()                                     hands the pool to rte_eth_rx_queue_setup

#include <cstddef>
#include <cstdint>
#include <string>

struct rte_mempool;

namespace sentinel::net {

class Mempool {
public:
    // `mbufs`: how many may be in flight at once (see mbufs_for()); rounded up to 2^k - 1, the
    // size rte_mempool fills best. Throws the rte_pktmbuf_pool_create error, naming the port.
    Mempool(int port, std::size_t mbufs, int socket);
    // A pool of the appliance's own (the packets the feed stages send), named `name`.
    Mempool(std::string name, std::size_t mbufs, int socket);
    ~Mempool();
    Mempool(const Mempool&) = delete;
    Mempool& operator=(const Mempool&) = delete;

    rte_mempool* get() const noexcept { return pool_; }
    const std::string& name() const noexcept { return name_; }
    std::size_t in_use() const noexcept;
    // The first memory chunk and the bytes of every chunk, for the placement report.
    const void* first_chunk() const noexcept;
    std::size_t bytes() const noexcept;

    // Every mbuf that can be out of the pool at once for one RX queue: the ring full of them, the
    // NIC's descriptors filled, one burst in the RX lcore's hands, and, where the ring forwards,
    // its TX queue's descriptors, which keep what they sent until the driver cleans them up. A
    // packet in the ring or the burst is `segments` mbufs at most (Port::segments_per_frame: a
    // jumbo frame is a chain); a descriptor holds one.
    static std::size_t mbufs_for(std::size_t ring_slots, std::size_t rx_descriptors, std::size_t burst,
                                 std::size_t tx_descriptors = 0, std::size_t segments = 1) noexcept {
        return (ring_slots + burst) * segments + rx_descriptors + tx_descriptors;
    }
    // The per-lcore cache: up to this many mbufs more can sit in each lcore's cache, so the pool
    // must have room for them on top of mbufs_for().
    static constexpr unsigned kCacheSize = 256;

private:
    std::string name_;
    rte_mempool* pool_ = nullptr;
};

}  // namespace sentinel::net
