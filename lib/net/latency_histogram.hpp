#pragma once
// LatencyHistogram: nanosecond latencies in log-linear buckets, for percentiles of a hot path
// that cannot afford to store samples. A value lands in the bucket of its highest set bit, split
// into 16 linear sub-buckets: every bucket is within 1/16 (6%) of the values it holds, from 1 ns
// to 2^64 ns, in 976 counters (8 KiB). Recording is a bit scan, a shift and one increment.
//
//   value 0b1'0110'1011...  ─▶ bucket (bit 12, sub-bucket 0b0110) ─▶ reported as its upper bound
//
// Memory ordering: one writer (the lcore whose path is measured) adds with a relaxed load and
// store; percentile() reads relaxed from any thread and sees a recent, possibly torn-across-
// buckets view: a statistic, exact once the writer has stopped (the launch edge orders it).

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sentinel::net {

class LatencyHistogram {
public:
    static constexpr unsigned kSubBits = 4;  // 16 sub-buckets per power of two
    // 16 single values, then 16 sub-buckets for each of the 60 powers of two from 2^4 to 2^63.
    static constexpr std::size_t kBuckets = (64 - kSubBits + 1) << kSubBits;

    void record(std::uint64_t ns) noexcept {
        std::atomic<std::uint64_t>& c = counts_[bucket(ns)];
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // a statistic, single writer
    }

    // The smallest bucket bound at or below which `fraction` (0..1] of the samples lie; 0 when
    // there are none.
    std::uint64_t percentile(double fraction) const noexcept {
        std::uint64_t total = 0;
        for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);  // a statistic
        if (total == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(total) + 0.5);
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) {
            seen += counts_[b].load(std::memory_order_relaxed);  // a statistic
            if (seen >= rank && seen != 0) return upper_bound(b);
        }
        return upper_bound(kBuckets - 1);
    }

    std::uint64_t samples() const noexcept {
        std::uint64_t total = 0;
        for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);  // a statistic
        return total;
    }

    static std::size_t bucket(std::uint64_t ns) noexcept {
        if (ns < (1u << kSubBits)) return ns;  // the first 16 values have a bucket each
        const unsigned top = 63 - static_cast<unsigned>(std::countl_zero(ns));
        const std::uint64_t sub = (ns >> (top - kSubBits)) & ((1u << kSubBits) - 1);
        return ((top - kSubBits + 1) << kSubBits) + sub;
    }

    // The largest value bucket `b` holds.
    static std::uint64_t upper_bound(std::size_t b) noexcept {
        if (b < (1u << kSubBits)) return b;
        const unsigned top = static_cast<unsigned>(b >> kSubBits) + kSubBits - 1;
        const std::uint64_t sub = b & ((1u << kSubBits) - 1);
        const std::uint64_t low = (std::uint64_t{1} << top) | (sub << (top - kSubBits));
        return low + (std::uint64_t{1} << (top - kSubBits)) - 1;
    }

private:
    std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
};

}  // namespace sentinel::net
