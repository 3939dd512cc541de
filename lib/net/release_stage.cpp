#include "release_stage.hpp"

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <array>

#include "verdict.hpp"

namespace sentinel::net {

void ReleaseStage::on_events(std::span<PacketSlot> slots, std::int64_t, bool) {
    // The slots hold one pointer per cache line; the bulk calls want them side by side. 64 on the
    // stack is one DPDK mempool cache flush's worth and keeps the copies in L1.
    constexpr unsigned kBulk = 64;
    std::array<void*, kBulk> plain;  // mbufs of plain_pool that go back unread
    rte_mempool* plain_pool = nullptr;
    unsigned n_plain = 0;
    std::array<rte_mbuf*, kBulk> freed;  // the rest, through rte_pktmbuf_free_bulk
    unsigned n_freed = 0;
    for (const PacketSlot& slot : slots) {
        if (slot.pool != nullptr && (slot.verdict & kReferencing) == 0) {
            if (n_plain == kBulk || (slot.pool != plain_pool && n_plain != 0)) {
                rte_mempool_put_bulk(plain_pool, plain.data(), n_plain);
                n_plain = 0;
            }
            plain_pool = slot.pool;
            plain[n_plain++] = slot.mbuf;
        } else {
            freed[n_freed++] = slot.mbuf;
            if (n_freed == kBulk) {
                rte_pktmbuf_free_bulk(freed.data(), n_freed);
                n_freed = 0;
            }
        }
    }
    if (n_plain != 0) rte_mempool_put_bulk(plain_pool, plain.data(), n_plain);
    if (n_freed != 0) rte_pktmbuf_free_bulk(freed.data(), n_freed);
    counters_.add(Counter::released_packets, slots.size());
}

}  // namespace sentinel::net
