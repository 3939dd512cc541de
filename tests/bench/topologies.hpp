#pragma once
// LMAX's standard performance topologies. Each runs Sentinel and, in the same process, the peers
// a user would pick instead, on the same events, counts and CPUs. Producers send the integers
// 0 .. events-1 (split into three ranges for three producers); every consumer checks the count and
// sum it saw.
//
//   unicast_1p1c     P ──▶ C
//   pipeline_1p3c    P ──▶ C1 ──▶ C2 ──▶ C3          each stage adds 1 before passing an event on
//   multicast_1p3c   P ──┬──▶ C1                       every consumer sees every event
//                        ├──▶ C2
//                        └──▶ C3
//   diamond_1p3c     P ──┬──▶ C1 ──┐                   C3 sees an event after C1 and C2 both did
//                        └──▶ C2 ──┴──▶ C3
//   sequencer_3p1c   P1 ─┐
//                    P2 ─┼──▶ C
//                    P3 ─┘
//   pingpong_rtt     P ◀──▶ C                          round trips, one event in flight
//
// Sentinel stages share one ring and read events in place; the queue peers copy each event from
// queue to queue: one queue per consumer for multicast, chained queues for the pipeline, two
// fan-out queues into C1 and C2 and two more into C3 (which joins them) for the diamond.

#include <span>
#include <string_view>

#include "options.hpp"
#include "report.hpp"

namespace sentinel::bench {

void bench_unicast_1p1c(const Options& options, Report& report);
void bench_pipeline_1p3c(const Options& options, Report& report);
void bench_multicast_1p3c(const Options& options, Report& report);
void bench_diamond_1p3c(const Options& options, Report& report);
void bench_sequencer_3p1c(const Options& options, Report& report);
void bench_pingpong_rtt(const Options& options, Report& report);

struct Topology {
    std::string_view name;
    void (*run)(const Options&, Report&);
};

inline constexpr Topology kTopologies[] = {
    {"unicast_1p1c", bench_unicast_1p1c},     {"pipeline_1p3c", bench_pipeline_1p3c},
    {"multicast_1p3c", bench_multicast_1p3c}, {"diamond_1p3c", bench_diamond_1p3c},
    {"sequencer_3p1c", bench_sequencer_3p1c}, {"pingpong_rtt", bench_pingpong_rtt},
};

}  // namespace sentinel::bench
