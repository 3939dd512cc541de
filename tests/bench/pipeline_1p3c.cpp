// pipeline_1p3c: three stages in a row (LMAX's OneToThreePipelineSequencedThroughputTest).
//
//   P ──▶ C1 ──▶ C2 ──▶ C3
//
// C1 and C2 add 1 to each event before C3 sees it, so each stage checks what the one before wrote:
// in place in Sentinel's ring, on the way from queue to queue for the peers.

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

constexpr const char* kCase = "pipeline_1p3c";

template <int Batch>
std::int64_t sentinel_once(const Options& o, const std::string& impl) {
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    return with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        disruptor::Disruptor<std::int64_t, disruptor::ProducerType::single, W> d(kRingSize);
        TallyHandler<1> c1(run.tally(0), o.events);
        TallyHandler<1> c2(run.tally(1), o.events);
        TallyHandler<> c3(run.tally(2), o.events);
        d.handle_events_with(c1).then(c2).then(c3);
        const auto stages = d.start_on_caller_threads();
        run.add_role([&] { publish_values<Batch>(d, 0, o.events); });
        for (auto* stage : stages) run.add_role([stage] { stage->run(); });
        const std::int64_t ns = run.time([&] { d.halt(); });
        run.check({arithmetic(o.events), arithmetic(o.events, 1), arithmetic(o.events, 2)});
        return ns;
    });
}

template <PeerQueue Q, int Burst>
std::int64_t peer_once(const Options& o, const std::string& impl) {
    const auto q1 = std::make_unique<Q>(kRingSize);
    const auto q2 = std::make_unique<Q>(kRingSize);
    const auto q3 = std::make_unique<Q>(kRingSize);
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    run.add_role([&] {
        Idle idle = run.idle();
        produce<Burst>(0, o.events, [&](auto block) { send<Burst>(*q1, block, idle); });
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*q1, o.events, run.tally(0), idle, q2.get(), 1);
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*q2, o.events, run.tally(1), idle, q3.get(), 1);
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*q3, o.events, run.tally(2), idle);
    });
    const std::int64_t ns = run.time();
    run.check({arithmetic(o.events), arithmetic(o.events, 1), arithmetic(o.events, 2)});
    return ns;
}

}  // namespace

void bench_pipeline_1p3c(const Options& o, Report& report) {
    report_spsc_case(
        kCase, o, report, [&]<int Batch>(const char* impl) { return sentinel_once<Batch>(o, impl); },
        [&]<PeerQueue Q, int Burst>(const char* impl) { return peer_once<Q, Burst>(o, impl); });
}

}  // namespace sentinel::bench
