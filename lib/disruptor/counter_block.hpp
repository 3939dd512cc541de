#pragma once
// CounterBlock: the statistics of one component, one counter per enumerator of E (an enum class
// whose last enumerator is `count`), alone on their line pair: the owner's stores must not
// invalidate a line another core writes. The appliance's packet counters, the feed handler's and
// the arbitrator's are all of this kind; each keeps its labels beside its enum.
//
// Memory ordering: one writer (the thread running the component) adds with a relaxed load and
// store, no read-modify-write (nobody else writes, so no lock prefix on the hot path); any thread
// reads relaxed and sees a recent value. Exact final values come from the edge that ends the
// writer (a join, rte_eal_wait_lcore).

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cache_line.hpp"

namespace sentinel::disruptor {

template <class E>
class alignas(kFalseSharingRange) CounterBlock {
public:
    static constexpr std::size_t kSize = static_cast<std::size_t>(E::count);

    // The owner's thread only.
    void add(E c, std::uint64_t n = 1) noexcept {
        std::atomic<std::uint64_t>& v = values_[static_cast<std::size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // a statistic, single writer
    }

    // Any thread.
    std::uint64_t get(E c) const noexcept {
        return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);  // a statistic
    }

private:
    std::array<std::atomic<std::uint64_t>, kSize> values_{};
};

// Whether every counter has its label. A label table shorter than its enum still compiles (the
// rest are empty), so each one is checked where it is declared:
//   static_assert(disruptor::every_label_given(kLabels), "...");
template <std::size_t N>
constexpr bool every_label_given(const std::array<std::string_view, N>& labels) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (labels[i].data() == nullptr || labels[i].empty()) return false;
    return true;
}

}  // namespace sentinel::disruptor
