#include "filter_stage.hpp"

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <utility>

#include "frame_header.hpp"

namespace sentinel::net {
namespace {

// How far ahead of the packet being filtered to prefetch its first bytes: a JIT'd filter takes a
// few dozen cycles a packet, a miss to another core's cache or DRAM a few hundred.
constexpr std::size_t kDataAhead = 4;

}  // namespace

FilterStage::FilterStage(std::vector<FilterRule> rules) {
    if (rules.size() > kMaxRules)
        throw std::invalid_argument("at most " + std::to_string(kMaxRules) + " filter rules, not " +
                                    std::to_string(rules.size()));
    std::uint32_t seen = 0;
    for (FilterRule& rule : rules) {
        const std::uint32_t bit = rule.bit;
        if (!std::has_single_bit(bit) || (seen & bit) != 0)
            throw std::invalid_argument("filter rule for '" + rule.filter.expression() + "': verdict bit " +
                                        std::to_string(bit) + " must be one bit that no other rule uses");
        seen |= bit;
        if (rule.filter.matches_all())
            always_ |= bit;
        else
            matched_.push_back(std::move(rule));
    }
}

void FilterStage::on_events(std::span<PacketSlot> slots, std::int64_t, bool) {
    const std::size_t n = slots.size();
    if (matched_.empty()) {
        for (PacketSlot& slot : slots) slot.verdict = always_;
        return;
    }

    for (std::size_t i = 0; i < std::min(kDataAhead, n); ++i) rte_prefetch0(slots[i].data);
    FrameHeader header;
    for (std::size_t i = 0; i < n; ++i) {
        if (i + kDataAhead < n) rte_prefetch0(slots[i + kDataAhead].data);
        // A frame in several segments is read through its chain: the program gets the mbuf itself.
        const rte_mbuf* m = slots[i].contiguous() ? header.describe(slots[i].data, slots[i].data_len) : slots[i].mbuf;
        std::uint32_t verdict = always_;
        for (const FilterRule& rule : matched_)
            if (rule.filter.matches(m)) verdict |= rule.bit;
        slots[i].verdict = verdict;
    }
}

}  // namespace sentinel::net
