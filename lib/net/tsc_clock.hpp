#pragma once
// The TSC as a clock. TscRate: durations to ticks and back at the TSC's rate, the one place a
// time limit becomes a TSC deadline. TscClock: converts the RX lcore's rte_rdtsc() readings into
// wall-clock nanoseconds for capture timestamps. One (TSC, CLOCK_REALTIME) pair is taken at start;
// a reading becomes
//
//   ns = realtime_at_start + (tsc - tsc_at_start) * 2^32 / (hz / 1e9 * 2^32)
//
// with the ratio precomputed as a 32.32 fixed-point multiplier: one multiply and one shift per
// packet, exact to well under a nanosecond per second of run for any TSC from 100 MHz to 10 GHz.
// The invariant TSC runs at a constant rate across cores (DPDK requires it), so readings from
// several RX lcores convert alike. Wall-clock steps after start are not followed: a capture's
// timestamps stay monotonic, as an analyst comparing packets in one file expects.
//
// Thread safety: both immutable after construction; any thread.

#include <chrono>
#include <cstdint>
#include <ctime>

namespace sentinel::net {

class TscRate {
    __extension__ using u128 = unsigned __int128;

public:
    // `hz`: the TSC's ticks per second, rte_get_tsc_hz().
    explicit TscRate(std::uint64_t hz) noexcept : hz_(hz) {}

    // The ticks `d` lasts, exactly (a 128-bit product); a negative duration lasts none.
    std::uint64_t ticks(std::chrono::nanoseconds d) const noexcept {
        if (d.count() <= 0) return 0;
        return static_cast<std::uint64_t>(static_cast<u128>(hz_) * static_cast<std::uint64_t>(d.count()) / 1'000'000'000U);
    }

    double seconds(std::uint64_t ticks) const noexcept { return static_cast<double>(ticks) / static_cast<double>(hz_); }

private:
    std::uint64_t hz_;
};

class TscClock {
    __extension__ using u128 = unsigned __int128;  // GCC's and Clang's 128-bit product, without -Wpedantic's note

public:
    TscClock(std::uint64_t tsc_now, std::uint64_t tsc_hz) noexcept : rate_(tsc_hz), tsc_at_start_(tsc_now) {
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        ns_at_start_ = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(now.tv_nsec);
        ns_per_tick_q32_ = static_cast<std::uint64_t>((static_cast<u128>(1'000'000'000ULL) << 32) / tsc_hz);
    }

    std::uint64_t nanoseconds(std::uint64_t tsc) const noexcept {
        const auto ticks = static_cast<u128>(tsc - tsc_at_start_);
        return ns_at_start_ + static_cast<std::uint64_t>((ticks * ns_per_tick_q32_) >> 32);
    }

    std::uint64_t ticks(std::chrono::nanoseconds d) const noexcept { return rate_.ticks(d); }

private:
    TscRate rate_;
    std::uint64_t tsc_at_start_;
    std::uint64_t ns_at_start_;
    std::uint64_t ns_per_tick_q32_;
};

}  // namespace sentinel::net
