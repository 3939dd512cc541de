#include "telemetry.hpp"

#include <rte_telemetry.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "feed_stats.hpp"

namespace sentinel::app {
namespace {

struct Source {
    const appliance::Pipeline* pipeline = nullptr;
    const appliance::ReceivePorts* ports = nullptr;
    const appliance::FeedSenders* senders = nullptr;
};

std::mutex g_mutex;  // held by a callback while it reads, and by the owner while it swaps the source
Source g_source;     // guarded by g_mutex

// Dict keys: DPDK accepts letters, digits, '_', '-', '/' and '.' in later releases only.
std::string telemetry_key(std::string_view ring) {
    std::string name(ring);
    for (char& c : name)
        if (c == '.') c = '_';
    return name.starts_with("ring_") ? name.substr(5) : name;
}

int stats(const char*, const char*, rte_tel_data* d) noexcept try {
    std::lock_guard lock(g_mutex);
    if (g_source.pipeline == nullptr) return -1;
    const appliance::Totals t = g_source.pipeline->totals();
    rte_tel_data_start_dict(d);
    for (std::size_t c = 0; c < net::kCounterCount; ++c)
        rte_tel_data_add_dict_u64(d, std::string(net::kCounterLabels[c]).c_str(), t.values[c]);
    rte_tel_data_add_dict_u64(d, "dropped_nic_missed", g_source.ports->nic_missed());
    rte_tel_data_add_dict_u64(d, "ring_occupancy", static_cast<std::uint64_t>(g_source.pipeline->occupancy()));
    return 0;
} catch (...) {  // EAL's telemetry thread is C: nothing may unwind into it
    return -1;
}

int stages(const char*, const char*, rte_tel_data* d) noexcept try {
    std::lock_guard lock(g_mutex);
    if (g_source.pipeline == nullptr) return -1;
    rte_tel_data_start_dict(d);
    for (const appliance::RingView& ring : g_source.pipeline->ring_views()) {
        rte_tel_data* r = rte_tel_data_alloc();
        if (r == nullptr) return -1;
        rte_tel_data_start_dict(r);
        rte_tel_data_add_dict_u64(r, "cursor", static_cast<std::uint64_t>(ring.cursor + 1));
        for (const appliance::StageView& s : ring.stages)
            rte_tel_data_add_dict_u64(r, std::string(s.name).c_str(), static_cast<std::uint64_t>(ring.cursor - s.sequence));
        rte_tel_data_add_dict_container(d, telemetry_key(ring.name).c_str(), r, 0);  // d takes r: keep_ref 0
    }
    return 0;
} catch (...) {  // as in stats()
    return -1;
}

// The feed's final counters, live: the same key=value lines, as a dict.
int feed(const char*, const char*, rte_tel_data* d) noexcept try {
    std::lock_guard lock(g_mutex);
    if (g_source.pipeline == nullptr || g_source.pipeline->feed() == nullptr) return -1;
    const std::string text = feed_counters({*g_source.pipeline->feed(), g_source.pipeline->publisher(), *g_source.senders});
    rte_tel_data_start_dict(d);
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t eq = text.find('=', at), end = text.find('\n', at);
        rte_tel_data_add_dict_u64(d, text.substr(at, eq - at).c_str(), std::stoull(text.substr(eq + 1, end - eq - 1)));
        at = end + 1;
    }
    return 0;
} catch (...) {  // as in stats()
    return -1;
}

}  // namespace

Telemetry::Telemetry(const appliance::Pipeline& pipeline, const appliance::ReceivePorts& ports, const appliance::FeedSenders& senders) {
    static const bool registered = [] {
        const bool ok = rte_telemetry_register_cmd("/sentinel/stats", stats,
                                                   "Sentinel's counters, as --stats-out writes them. No parameters") == 0 &&
                        rte_telemetry_register_cmd("/sentinel/stages", stages,
                                                   "Each ring's cursor and each stage's lag behind it. No parameters") == 0 &&
                        rte_telemetry_register_cmd("/sentinel/feed", feed,
                                                   "The feed handler's counters (with --feed). No parameters") == 0;
        if (!ok) std::fputs("warning=cannot register the /sentinel telemetry commands\n", stderr);
        return ok;
    }();
    (void)registered;
    std::lock_guard lock(g_mutex);
    g_source = {&pipeline, &ports, &senders};
}

Telemetry::~Telemetry() {
    std::lock_guard lock(g_mutex);
    g_source = {};
}

}  // namespace sentinel::app
