// unicast_1p1c: one producer, one consumer (LMAX's OneToOneSequencedThroughputTest).
//
//   P ──▶ C

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

constexpr const char* kCase = "unicast_1p1c";

template <int Batch>
std::int64_t sentinel_once(const Options& o, const std::string& impl) {
    Run run(o, std::string(kCase) + "/" + impl, 1, 1);
    return with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        disruptor::Disruptor<std::int64_t, disruptor::ProducerType::single, W> d(kRingSize);
        TallyHandler<> c(run.tally(0), o.events);
        d.handle_events_with(c);
        const auto stages = d.start_on_caller_threads();
        run.add_role([&] { publish_values<Batch>(d, 0, o.events); });
        run.add_role([&] { stages[0]->run(); });
        const std::int64_t ns = run.time([&] { d.halt(); });
        run.check({arithmetic(o.events)});
        return ns;
    });
}

template <PeerQueue Q, int Burst>
std::int64_t peer_once(const Options& o, const std::string& impl) {
    const auto q = std::make_unique<Q>(kRingSize);
    Run run(o, std::string(kCase) + "/" + impl, 1, 1);
    run.add_role([&] {
        Idle idle = run.idle();
        produce<Burst>(0, o.events, [&](auto block) { send<Burst>(*q, block, idle); });
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*q, o.events, run.tally(0), idle);
    });
    const std::int64_t ns = run.time();
    run.check({arithmetic(o.events)});
    return ns;
}

}  // namespace

void bench_unicast_1p1c(const Options& o, Report& report) {
    report_spsc_case(
        kCase, o, report, [&]<int Batch>(const char* impl) { return sentinel_once<Batch>(o, impl); },
        [&]<PeerQueue Q, int Burst>(const char* impl) { return peer_once<Q, Burst>(o, impl); });
}

}  // namespace sentinel::bench
