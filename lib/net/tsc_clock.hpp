#pragma once
// TscClock: converts the RX lcore's rte_rdtsc() readings into wall-clock nanoseconds for capture
// timestamps. One (TSC, CLOCK_REALTIME) pair is taken at start; a reading becomes
//
//   ns = realtime_at_start + (tsc - tsc_at_start) * 2^32 / (hz / 1e9 * 2^32)
//
// with the ratio precomputed as a 32.32 fixed-point multiplier: one multiply and one shift per
// packet, exact to well under a nanosecond per second of run for any TSC from 100 MHz to 10 GHz.
// The invariant TSC runs at a constant rate across cores (DPDK requires it), so readings from
// several RX lcores convert alike. Wall-clock steps after start are not followed: a capture's
// timestamps stay monotonic, as an analyst comparing packets in one file expects.
//
// Thread safety: immutable after construction; any thread.

#include <cstdint>
#include <ctime>

namespace sentinel::net {

class TscClock {
    __extension__ using u128 = unsigned __int128;  // GCC's and Clang's 128-bit product, without -Wpedantic's note

public:
    TscClock(std::uint64_t tsc_now, std::uint64_t tsc_hz) noexcept : tsc_at_start_(tsc_now) {
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        ns_at_start_ = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(now.tv_nsec);
        ns_per_tick_q32_ = static_cast<std::uint64_t>((static_cast<u128>(1'000'000'000ULL) << 32) / tsc_hz);
    }

    std::uint64_t nanoseconds(std::uint64_t tsc) const noexcept {
        const auto ticks = static_cast<u128>(tsc - tsc_at_start_);
        return ns_at_start_ + static_cast<std::uint64_t>((ticks * ns_per_tick_q32_) >> 32);
    }

private:
    std::uint64_t tsc_at_start_;
    std::uint64_t ns_at_start_;
    std::uint64_t ns_per_tick_q32_;
};

}  // namespace sentinel::net
