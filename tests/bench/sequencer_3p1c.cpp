// sequencer_3p1c: three producers into one consumer (LMAX's ThreeToOneSequencedThroughputTest).
//
//   P1 ─┐
//   P2 ─┼──▶ C
//   P3 ─┘
//
// Producer p sends its own third of 0 .. events-1. Sentinel uses its multi-producer sequencer
// (claims by fetch-add, per-slot published flags); the peers are the queues that take several
// producers: rte_ring with multi-producer enqueue, and the mutex-guarded deque.

#include <cstdint>
#include <memory>
#include <string>

#include "disruptor/disruptor.hpp"
#include "queue_io.hpp"
#include "sentinel_stages.hpp"
#include "topologies.hpp"

namespace sentinel::bench {
namespace {

constexpr const char* kCase = "sequencer_3p1c";
constexpr int kProducers = 3;

template <int Batch>
std::int64_t sentinel_once(const Options& o, const std::string& impl) {
    Run run(o, std::string(kCase) + "/" + impl, kProducers, 1);
    const std::int64_t share = o.events / kProducers;
    return with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        disruptor::Disruptor<std::int64_t, disruptor::ProducerType::multi, W> d(kRingSize);
        TallyHandler<> c(run.tally(0), o.events);
        d.handle_events_with(c);
        const auto stages = d.start_on_caller_threads();
        for (int p = 0; p < kProducers; ++p) run.add_role([&, p] { publish_values<Batch>(d, p * share, share); });
        run.add_role([&] { stages[0]->run(); });
        const std::int64_t ns = run.time([&] { d.halt(); });
        run.check({arithmetic(o.events)});
        return ns;
    });
}

template <PeerQueue Q, int Burst>
std::int64_t peer_once(const Options& o, const std::string& impl) {
    const auto q = std::make_unique<Q>(kRingSize);
    Run run(o, std::string(kCase) + "/" + impl, kProducers, 1);
    const std::int64_t share = o.events / kProducers;
    for (int p = 0; p < kProducers; ++p) {
        run.add_role([&, p] {
            Idle idle = run.idle();
            produce<Burst>(p * share, share, [&](auto block) { send<Burst>(*q, block, idle); });
        });
    }
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*q, o.events, run.tally(0), idle);
    });
    const std::int64_t ns = run.time();
    run.check({arithmetic(o.events)});
    return ns;
}

}  // namespace

void bench_sequencer_3p1c(const Options& o, Report& report) {
    report.add(kCase, "sentinel", median_mops(o, o.events, [&] { return sentinel_once<kBatch>(o, "sentinel"); }), Unit::mops);
    report.add(kCase, "sentinel_single",
               median_mops(o, o.events, [&] { return sentinel_once<1>(o, "sentinel_single"); }), Unit::mops);
    for_each_mpsc_peer([&]<PeerQueue Q, int Burst>(const char* impl) {
        if (!kPreemptionSafe<Q> && oversubscribed(o, kProducers + 1)) {
            report.skip(kCase, impl, "not preemption-safe, and the producers share CPUs");
            return;
        }
        report.add(kCase, impl, median_mops(o, o.events, [&] { return peer_once<Q, Burst>(o, impl); }), Unit::mops);
    });
}

}  // namespace sentinel::bench
