// LatencyHistogram: every value lands in a bucket whose bounds hold it and are within 1/16 of it;
// percentiles of known distributions; empty reads 0.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "net/latency_histogram.hpp"

namespace sentinel::net {
namespace {

TEST(LatencyHistogram, EveryValueFallsInABucketThatHoldsItWithin6Percent) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200'000; ++i) {
        const std::uint64_t v = rng() >> (rng() % 64);
        const std::size_t b = LatencyHistogram::bucket(v);
        ASSERT_LT(b, LatencyHistogram::kBuckets);
        const std::uint64_t upper = LatencyHistogram::upper_bound(b);
        const std::uint64_t lower = b == 0 ? 0 : LatencyHistogram::upper_bound(b - 1) + 1;
        ASSERT_LE(lower, v) << "bucket " << b;
        ASSERT_GE(upper, v) << "bucket " << b;
        ASSERT_LE(upper - lower, std::max<std::uint64_t>(lower / 16, 0)) << "bucket " << b << " too wide for " << v;
    }
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
    for (std::size_t b = 1; b < LatencyHistogram::kBuckets; ++b)
        ASSERT_EQ(LatencyHistogram::bucket(LatencyHistogram::upper_bound(b - 1) + 1), b);
    EXPECT_EQ(LatencyHistogram::bucket(UINT64_MAX), LatencyHistogram::kBuckets - 1) << "the last bucket";
    EXPECT_EQ(LatencyHistogram::upper_bound(LatencyHistogram::kBuckets - 1), UINT64_MAX);
}

TEST(LatencyHistogram, PercentilesOfAKnownDistribution) {
    LatencyHistogram h;
    EXPECT_EQ(h.percentile(0.5), 0u);
    for (std::uint64_t v = 1; v <= 10'000; ++v) h.record(v * 100);  // 100 ns .. 1 ms, uniform
    EXPECT_EQ(h.samples(), 10'000u);
    const double p50 = static_cast<double>(h.percentile(0.50));
    const double p99 = static_cast<double>(h.percentile(0.99));
    EXPECT_NEAR(p50, 500'000, 500'000 / 16.0);
    EXPECT_NEAR(p99, 990'000, 990'000 / 16.0);
    EXPECT_GE(h.percentile(1.0), 1'000'000u);
}

}  // namespace
}  // namespace sentinel::net
