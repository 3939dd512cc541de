#include "mempool.hpp"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <bit>
#include <utility>

#include "dpdk_error.hpp"

namespace sentinel::net {

Mempool::Mempool(int port, std::size_t mbufs, int socket) : Mempool("mbufs.port" + std::to_string(port), mbufs, socket) {}

Mempool::Mempool(std::string name, std::size_t mbufs, int socket) : name_(std::move(name)) {
    // Every lcore's cache may hold mbufs that count as in use for the NIC but are free for us: up
    // to its flush threshold, 1.5 times its size in DPDK 22.11 (CACHE_FLUSHTHRESH_MULTIPLIER).
    const std::size_t cached = std::size_t{kCacheSize} * 3 / 2 * rte_lcore_count();
    const std::size_t n = std::bit_ceil(mbufs + cached + 1) - 1;
    pool_ = rte_pktmbuf_pool_create(name_.c_str(), static_cast<unsigned>(n), kCacheSize, 0,
                                    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (pool_ == nullptr) throw dpdk_error("rte_pktmbuf_pool_create " + name_, kNoPort, kNoQueue, rte_errno);
}

Mempool::~Mempool() { rte_mempool_free(pool_); }

std::size_t Mempool::in_use() const noexcept { return rte_mempool_in_use_count(pool_); }

const void* Mempool::first_chunk() const noexcept {
    const rte_mempool_memhdr* chunk = STAILQ_FIRST(&pool_->mem_list);
    return chunk == nullptr ? nullptr : chunk->addr;
}

std::size_t Mempool::bytes() const noexcept {
    std::size_t total = 0;
    const rte_mempool_memhdr* chunk;
    STAILQ_FOREACH(chunk, &pool_->mem_list, next) total += chunk->len;
    return total;
}

}  // namespace sentinel::net
