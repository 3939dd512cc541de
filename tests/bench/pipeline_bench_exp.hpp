#pragma once
// TEMPORARY experiment (not for commit)
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <algorithm>
#include <span>
#include <vector>
#include "net/filter_stage.hpp"
#include "net/packet_filter.hpp"
namespace sentinel::bench {
template <std::size_t HeaderAhead, std::size_t DataAhead, bool WriteZero>
class ExpFilter {
public:
    explicit ExpFilter(net::PacketFilter f) : f_(std::move(f)) {}
    void on_events(std::span<net::PacketSlot> slots, std::int64_t, bool) {
        const std::size_t n = slots.size();
        for (std::size_t i = 0; i < std::min(HeaderAhead, n); ++i) rte_prefetch0(slots[i].mbuf);
        for (std::size_t i = 0; i < std::min(DataAhead, n); ++i) rte_prefetch0(rte_pktmbuf_mtod(slots[i].mbuf, void*));
        for (std::size_t i = 0; i < n; ++i) {
            if (i + HeaderAhead < n) rte_prefetch0(slots[i + HeaderAhead].mbuf);
            if (i + DataAhead < n) rte_prefetch0(rte_pktmbuf_mtod(slots[i + DataAhead].mbuf, void*));
            std::uint32_t verdict = 0;
            if (f_.matches(slots[i].mbuf)) verdict |= 1;
            if (WriteZero || verdict != 0) slots[i].verdict = verdict;
        }
    }
private:
    net::PacketFilter f_;
};
}
