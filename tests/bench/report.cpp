#include "report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sentinel::bench {
namespace {

const char* unit_name(Unit u) { return u == Unit::mops ? "Mops/s" : "ns"; }

// How many times better `ours` is than `peer`: > 1 means ours is ahead, whichever way the unit runs.
double advantage(double ours, double peer, Unit u) { return u == Unit::mops ? ours / peer : peer / ours; }

// What the issue asks Sentinel to reach; reported next to the measurement, never enforced.
struct Target {
    std::string_view case_name;
    std::string_view ours;
    std::array<std::string_view, 2> peers;  // held against the stronger of them; "" for none
    double factor;
    int threads;  // a target needs this many CPUs to mean anything
    std::string_view wording;
};

constexpr Target kTargets[] = {
    {"unicast_1p1c", "sentinel", {"rte_ring_burst32", ""}, 3.0, 2, "sentinel >= 3x rte_ring_burst32"},
    {"unicast_1p1c", "sentinel_single", {"moodycamel_rwq", ""}, 1.5, 2, "sentinel_single >= 1.5x moodycamel_rwq"},
    {"multicast_1p3c", "sentinel", {"rte_ring_sp_sc", "rte_ring_burst32"}, 2.0, 4,
     "sentinel >= 2x three rte_rings (best of sp_sc, burst32)"},
    {"pingpong_rtt_p50", "sentinel", {"rte_ring_sp_sc", ""}, 1.0, 2, "sentinel p50 <= rte_ring_sp_sc p50"},
};

}  // namespace

void Report::add(std::string_view case_name, std::string_view impl, double value, Unit unit) {
    figures_.push_back({std::string(case_name), std::string(impl), value, unit});
    std::printf("BENCH %s %s %.*f %s\n", figures_.back().case_name.c_str(), figures_.back().impl.c_str(),
                unit == Unit::mops ? 2 : 0, value, unit_name(unit));
    std::fflush(stdout);  // a line per figure as it comes, even into a pipe
}

void Report::skip(std::string_view case_name, std::string_view impl, std::string_view why) {
    std::printf("# skipped %.*s %.*s: %.*s\n", static_cast<int>(case_name.size()), case_name.data(),
                static_cast<int>(impl.size()), impl.data(), static_cast<int>(why.size()), why.data());
    std::fflush(stdout);
}

const Report::Figure* Report::find(std::string_view case_name, std::string_view impl) const {
    for (const Figure& f : figures_)
        if (f.case_name == case_name && f.impl == impl) return &f;
    return nullptr;
}

void Report::print_summary(const Options& options) const {
    std::printf("\nThroughput: median of %d runs of %lld events each; latency: %lld round trips after %lld "
                "warm-up ones.\nRatios > 1 mean Sentinel is ahead (sentinel/peer for Mops/s, peer/sentinel "
                "for ns).\n",
                options.repeats, static_cast<long long>(options.events),
                static_cast<long long>(options.round_trips), static_cast<long long>(options.warmup_round_trips));
    std::vector<std::string_view> cases;  // in the order first measured
    for (const Figure& f : figures_)
        if (std::find(cases.begin(), cases.end(), f.case_name) == cases.end()) cases.push_back(f.case_name);
    for (std::string_view c : cases) {
        bool header = false;
        for (const Figure& f : figures_) {
            if (f.case_name != c) continue;
            if (!header) {
                std::printf("\n%-18s %-24s %12s   %s%s\n", f.case_name.c_str(), "impl", unit_name(f.unit),
                            "vs sentinel", find(c, "sentinel_single") ? "   vs sentinel_single" : "");
                header = true;
            }
            std::printf("%-18s %-24s %12.*f", "", f.impl.c_str(), f.unit == Unit::mops ? 2 : 0, f.value);
            if (!f.impl.starts_with("sentinel"))
                for (std::string_view ours : {"sentinel", "sentinel_single"})
                    if (const Figure* s = find(f.case_name, ours))
                        std::printf("   %10.2fx", advantage(s->value, f.value, f.unit));
            std::printf("\n");
        }
    }
    print_targets(options);
}

void Report::print_targets(const Options& options) const {
    std::printf("\nTargets (reported, not enforced):\n");
    for (const Target& t : kTargets) {
        const Figure* ours = find(t.case_name, t.ours);
        const Figure* strongest = nullptr;
        for (std::string_view p : t.peers) {
            const Figure* f = p.empty() ? nullptr : find(t.case_name, p);
            if (f && (!strongest || advantage(f->value, strongest->value, f->unit) > 1)) strongest = f;
        }
        std::printf("  %-18s %-58s ", std::string(t.case_name).c_str(), std::string(t.wording).c_str());
        if (!ours || !strongest) {
            std::printf("not measured\n");
            continue;
        }
        const double a = advantage(ours->value, strongest->value, ours->unit);
        std::printf("%6.2fx vs %-18s %s", a, strongest->impl.c_str(), a >= t.factor ? "met" : "NOT met");
        if (oversubscribed(options, t.threads))
            std::printf("  (oversubscribed: %d threads on %zu CPUs, not meaningful)", t.threads, options.cpus.size());
        std::printf("\n");
    }
}

}  // namespace sentinel::bench
