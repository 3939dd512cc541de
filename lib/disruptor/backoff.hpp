#pragma once
// Backoff: how a thread waits for a condition it cannot be woken for (a producer waiting for room,
// a stage waiting for a claimed slot to be published, a drain waiting for stages). Spins with the
// pause hint first, then yields the core so that an oversubscribed machine still makes progress.

#include <cstdint>
#include <thread>

#include "cache_line.hpp"

namespace sentinel::disruptor {

class Backoff {
public:
    static constexpr std::uint32_t kSpins = 128;

    void pause() noexcept {
        if (spins_ < kSpins) {
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
