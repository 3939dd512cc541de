// diamond_1p3c: two stages in parallel, a third after both (LMAX's OneToThreeDiamondSequencedThroughputTest).
//
//   P ──┬──▶ C1 ──┐
//       └──▶ C2 ──┴──▶ C3
//
// Sentinel's C3 gates on the sequences of C1 and C2 and reads the event in place. The peers fan
// each event out into two queues, C1 and C2 forward what they took into one queue each, and C3
// joins the two: it takes the same event from both and counts a mismatch if they differ.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "disruptor/disruptor.hpp"
#include "queue_io.hpp"
#include "sentinel_stages.hpp"
#include "throughput_case.hpp"
#include "topologies.hpp"

namespace sentinel::bench {
namespace {

constexpr const char* kCase = "diamond_1p3c";

template <int Batch>
std::int64_t sentinel_once(const Options& o, const std::string& impl) {
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    return with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        disruptor::Disruptor<std::int64_t, disruptor::ProducerType::single, W> d(kRingSize);
        TallyHandler<> c1(run.tally(0), o.events);
        TallyHandler<> c2(run.tally(1), o.events);
        TallyHandler<> c3(run.tally(2), o.events);
        d.handle_events_with(c1, c2).then(c3);
        const auto stages = d.start_on_caller_threads();
        run.add_role([&] { publish_values<Batch>(d, 0, o.events); });
        for (auto* stage : stages) run.add_role([stage] { stage->run(); });
        const std::int64_t ns = run.time([&] { d.halt(); });
        run.check({arithmetic(o.events), arithmetic(o.events), arithmetic(o.events)});
        return ns;
    });
}

// C3 of the peers: takes a block from C1's queue and as many events from C2's, pairs them up.
template <int Burst, PeerQueue Q>
void join(Q& from_c1, Q& from_c2, std::int64_t count, Tally& tally, Idle& idle) {
    std::int64_t other[Burst];
    std::int64_t seen = 0;
    std::int64_t sum = 0;
    std::int64_t mismatched = 0;
    consume<Burst>(from_c1, count, idle, [&](std::span<std::int64_t> block) {
        receive_exactly<Burst>(from_c2, std::span<std::int64_t>(other, block.size()), idle);
        seen += static_cast<std::int64_t>(block.size());
        for (std::size_t i = 0; i < block.size(); ++i) {
            sum += block[i];
            mismatched += block[i] != other[i];
        }
    });
    tally.count = seen;
    tally.sum = sum;
    tally.mismatched = mismatched;
    tally.finish();
}

template <PeerQueue Q, int Burst>
std::int64_t peer_once(const Options& o, const std::string& impl) {
    const auto to_c1 = std::make_unique<Q>(kRingSize);
    const auto to_c2 = std::make_unique<Q>(kRingSize);
    const auto c1_to_c3 = std::make_unique<Q>(kRingSize);
    const auto c2_to_c3 = std::make_unique<Q>(kRingSize);
    Run run(o, std::string(kCase) + "/" + impl, 1, 3);
    run.add_role([&] {
        Idle idle = run.idle();
        produce<Burst>(0, o.events, [&](auto block) {
            send<Burst>(*to_c1, block, idle);
            send<Burst>(*to_c2, block, idle);
        });
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*to_c1, o.events, run.tally(0), idle, c1_to_c3.get());
    });
    run.add_role([&] {
        Idle idle = run.idle();
        relay<Burst>(*to_c2, o.events, run.tally(1), idle, c2_to_c3.get());
    });
    run.add_role([&] {
        Idle idle = run.idle();
        join<Burst>(*c1_to_c3, *c2_to_c3, o.events, run.tally(2), idle);
    });
    const std::int64_t ns = run.time();
    run.check({arithmetic(o.events), arithmetic(o.events), arithmetic(o.events)});
    return ns;
}

}  // namespace

void bench_diamond_1p3c(const Options& o, Report& report) {
    report_spsc_case(
        kCase, o, report, [&]<int Batch>(const char* impl) { return sentinel_once<Batch>(o, impl); },
        [&]<PeerQueue Q, int Burst>(const char* impl) { return peer_once<Q, Burst>(o, impl); });
}

}  // namespace sentinel::bench
