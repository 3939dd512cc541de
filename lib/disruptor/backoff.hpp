#pragma once
// Backoff: how a thread waits for a condition it cannot be woken for (a producer waiting for room,
// a stage waiting for a claimed slot to be published). Spins with the pause hint first, then, when
// `MayYield`, yields the core so that an oversubscribed machine still makes progress. Under a
// busy-spin strategy every thread owns its core, and a sched_yield would only add a syscall to
// each wait (it halved 1P-1C throughput when the ring ran full).

#include <cstdint>
#include <thread>

#include "cache_line.hpp"

namespace sentinel::disruptor {

template <bool MayYield = true>
class Backoff {
public:
    static constexpr std::uint32_t kSpins = 128;

    void pause() noexcept {
        if (!MayYield || spins_ < kSpins) {
            ++spins_;
            cpu_relax();
        } else {
            std::this_thread::yield();
        }
    }

private:
    std::uint32_t spins_ = 0;
};

}  // namespace sentinel::disruptor
