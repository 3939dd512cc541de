#include "stats.hpp"

#include <algorithm>
#include <cstdio>

namespace sentinel::app {

using net::Counter;

namespace {

std::string key_value(std::string_view key, std::uint64_t value) {
    return std::string(key) + '=' + std::to_string(value) + '\n';
}

std::string label(Counter c) { return std::string(net::kCounterLabels[static_cast<std::size_t>(c)]); }

// "name=N + name=N ...", and whether the sum equals `total`.
struct Sum {
    std::string text;
    std::uint64_t value = 0;
    void add(std::string_view name, std::uint64_t n) {
        text += (text.empty() ? "" : " + ") + std::string(name) + '=' + std::to_string(n);
        value += n;
    }
};

std::string identity(std::string_view rule, const appliance::Totals& t, const Sum& sum) {
    return "identity " + std::string(rule) + ": rx_packets=" + std::to_string(t[Counter::rx_packets]) + " = " + sum.text +
           ": " + (sum.value == t[Counter::rx_packets] ? "ok" : "FAILED") + '\n';
}

Sum ring_sum(const appliance::Totals& t) {
    Sum s;
    s.add("released", t[Counter::released_packets]);
    s.add("dropped_ring_full", t[Counter::dropped_ring_full]);
    return s;
}

Sum capture_sum(const appliance::Totals& t) {
    Sum s;
    s.add("captured", t[Counter::captured_packets]);
    s.add("filtered_out", t[Counter::filtered_out_packets]);
    s.add("dropped_ring_full", t[Counter::dropped_ring_full]);
    s.add("dropped_journal", t[Counter::dropped_journal]);
    return s;
}

Sum forward_sum(const appliance::Totals& t) {
    Sum s;
    s.add("forwarded", t[Counter::forwarded_packets]);
    s.add("forward_filtered_out", t[Counter::forward_filtered_out]);
    s.add("dropped_ring_full", t[Counter::dropped_ring_full]);
    s.add("dropped_tx", t[Counter::dropped_tx]);
    return s;
}

}  // namespace

std::string LiveStats::line(double seconds, const appliance::Totals& now, const std::vector<appliance::RingView>& rings,
                            std::uint64_t nic_missed) {
    const double span = seconds - last_seconds_;
    const double packets = static_cast<double>(now[Counter::rx_packets] - last_[Counter::rx_packets]);
    const double bits = 8.0 * static_cast<double>(now[Counter::rx_bytes] - last_[Counter::rx_bytes]);
    // Occupancy: published but not yet released. Lag: each stage's worst distance behind its ring's cursor.
    std::int64_t occupancy = 0;
    std::vector<std::pair<std::string_view, std::int64_t>> lag;
    for (const appliance::RingView& r : rings) {
        for (const appliance::StageView& s : r.stages) {
            auto it = std::ranges::find(lag, s.name, &std::pair<std::string_view, std::int64_t>::first);
            if (it == lag.end()) it = lag.insert(lag.end(), {s.name, 0});
            it->second = std::max(it->second, r.cursor - s.sequence);
        }
        if (!r.stages.empty()) occupancy += r.cursor - r.stages.back().sequence;
    }
    char head[160];
    std::snprintf(head, sizeof head, "stats t=%.1fs rx_pps=%.0f rx_gbps=%.2f ring_occupancy=%lld lag", seconds,
                  span > 0 ? packets / span : 0.0, span > 0 ? bits / span / 1e9 : 0.0, static_cast<long long>(occupancy));
    std::string text = head;
    for (const auto& [name, slots] : lag) text += ' ' + std::string(name) + '=' + std::to_string(slots);
    for (const Counter c : {Counter::captured_packets, Counter::forwarded_packets, Counter::dropped_ring_full,
                            Counter::dropped_journal, Counter::dropped_tx})
        text += ' ' + label(c) + '=' + std::to_string(now[c]);
    text += " dropped_nic_missed=" + std::to_string(nic_missed) + '\n';
    last_ = now;
    last_seconds_ = seconds;
    return text;
}

std::string final_counters(const appliance::Totals& t, std::uint64_t nic_missed, std::uint64_t rx_pcap_damaged_records) {
    std::string text;
    for (const Counter c : {Counter::rx_packets, Counter::rx_bytes, Counter::rx_runt_packets})
        text += key_value(label(c), t[c]);
    text += key_value("rx_pcap_damaged_records", rx_pcap_damaged_records);
    for (const Counter c : {Counter::captured_packets, Counter::captured_bytes, Counter::filtered_out_packets,
                            Counter::forwarded_packets, Counter::forward_filtered_out, Counter::dropped_ring_full})
        text += key_value(label(c), t[c]);
    text += key_value("dropped_nic_missed", nic_missed);
    for (const Counter c : {Counter::dropped_journal, Counter::dropped_tx, Counter::released_packets})
        text += key_value(label(c), t[c]);
    return text;
}

bool identities_hold(const appliance::Totals& t, const Rules& rules) {
    const std::uint64_t rx = t[Counter::rx_packets];
    return ring_sum(t).value == rx && (!rules.capture || capture_sum(t).value == rx) &&
           (!rules.forward || forward_sum(t).value == rx);
}

std::string identity_lines(const appliance::Totals& t, const Rules& rules) {
    std::string text = identity("ring", t, ring_sum(t));
    if (rules.capture) text += identity("capture", t, capture_sum(t));
    if (rules.forward) text += identity("forward", t, forward_sum(t));
    return text;
}

}  // namespace sentinel::app
