#include "stats.hpp"

#include <cstdio>

namespace sentinel::app {

using net::Counter;

std::string LiveStats::line(double seconds, const Totals& now, std::int64_t occupancy, std::uint64_t nic_missed) {
    const double span = seconds - last_seconds_;
    const double packets = static_cast<double>(now[Counter::rx_packets] - last_[Counter::rx_packets]);
    const double bits = 8.0 * static_cast<double>(now[Counter::rx_bytes] - last_[Counter::rx_bytes]);
    char text[256];
    std::snprintf(text, sizeof text,
                  "stats t=%.1fs rx_pps=%.0f rx_gbps=%.2f ring_occupancy=%lld dropped_ring_full=%llu "
                  "dropped_nic_missed=%llu\n",
                  seconds, span > 0 ? packets / span : 0.0, span > 0 ? bits / span / 1e9 : 0.0,
                  static_cast<long long>(occupancy),
                  static_cast<unsigned long long>(now[Counter::dropped_ring_full]),
                  static_cast<unsigned long long>(nic_missed));
    last_ = now;
    last_seconds_ = seconds;
    return text;
}

std::string final_counters(const Totals& totals, std::uint64_t nic_missed) {
    auto line = [&](Counter c) {
        return std::string(net::kCounterLabels[static_cast<std::size_t>(c)]) + '=' + std::to_string(totals[c]) + '\n';
    };
    return line(Counter::rx_packets) + line(Counter::rx_bytes) + line(Counter::dropped_ring_full) +
           "dropped_nic_missed=" + std::to_string(nic_missed) + '\n' + line(Counter::released_packets);
}

bool identity_holds(const Totals& totals) {
    return totals[Counter::rx_packets] == totals[Counter::released_packets] + totals[Counter::dropped_ring_full];
}

std::string identity_line(const Totals& totals) {
    return "identity: rx_packets=" + std::to_string(totals[Counter::rx_packets]) +
           " = released=" + std::to_string(totals[Counter::released_packets]) +
           " + dropped_ring_full=" + std::to_string(totals[Counter::dropped_ring_full]) + ": " +
           (identity_holds(totals) ? "ok" : "FAILED") + '\n';
}

}  // namespace sentinel::app
