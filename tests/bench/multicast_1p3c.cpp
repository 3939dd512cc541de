// multicast_1p3c: every consumer sees every event (LMAX's OneToThreeSequencedThroughputTest).
//
//   P ──┬──▶ C1
//       ├──▶ C2
//       └──▶ C3
//
// Sentinel publishes each event once and three stages read it in place; a queue can hand an event
// to one consumer only, so the peers get one queue per consumer and the producer enqueues every
// event (or burst) three times.

#include <cstdint>
#include <memory>
#include <string>

#include "disruptor/disruptor.hpp"
#include "queue_io.hpp"
#include "sentinel_stages.hpp"
#include "throughput_case.hpp"
#include "topologies.hpp"

namespace sentinel::bench {
namespace {

constexpr const char* kCase = "multicast_1p3c";

template <int Batch>
std::int64_t sentinel_once(const Options& o, const std::string& impl) {
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    return with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        disruptor::Disruptor<std::int64_t, disruptor::ProducerType::single, W> d(kRingSize);
        TallyHandler<> c1(run.tally(0), o.events);
        TallyHandler<> c2(run.tally(1), o.events);
        TallyHandler<> c3(run.tally(2), o.events);
        d.handle_events_with(c1, c2, c3);
        const auto stages = d.start_on_caller_threads();
        run.add_role([&] { publish_values<Batch>(d, 0, o.events); });
        for (auto* stage : stages) run.add_role([stage] { stage->run(); });
        const std::int64_t ns = run.time([&] { d.halt(); });
        run.check({arithmetic(o.events), arithmetic(o.events), arithmetic(o.events)});
        return ns;
    });
}

template <PeerQueue Q, int Burst>
std::int64_t peer_once(const Options& o, const std::string& impl) {
    const std::unique_ptr<Q> queues[] = {std::make_unique<Q>(kRingSize), std::make_unique<Q>(kRingSize),
                                         std::make_unique<Q>(kRingSize)};
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    run.add_role([&] {
        Idle idle = run.idle();
        produce<Burst>(0, o.events, [&](auto block) {
            for (const auto& q : queues) send<Burst>(*q, block, idle);
        });
    });
    for (int i = 0; i < 3; ++i) {
        run.add_role([&, i] {
            Idle idle = run.idle();
            relay<Burst>(*queues[i], o.events, run.tally(i), idle);
        });
    }
    const std::int64_t ns = run.time();
    run.check({arithmetic(o.events), arithmetic(o.events), arithmetic(o.events)});
    return ns;
}

}  // namespace

void bench_multicast_1p3c(const Options& o, Report& report) {
    report_spsc_case(
        kCase, o, report, [&]<int Batch>(const char* impl) { return sentinel_once<Batch>(o, impl); },
        [&]<PeerQueue Q, int Burst>(const char* impl) { return peer_once<Q, Burst>(o, impl); });
}

}  // namespace sentinel::bench
