// Sentinel's side of pipeline_bench: the RX duty, ring and stages that app/pipeline.cpp builds
// for one RX queue (its QueueRing), run as duties of the main lcore's cycle.

#include <rte_mbuf.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <memory_resource>
#include <span>
#include <vector>

#include "net/filter_stage.hpp"
#include "net/packet_ring.hpp"
#include "net/release_stage.hpp"
#include "net/rx_queue_poller.hpp"
#include "net/stage_duty.hpp"
#include "pipeline_bench_cases.hpp"
#include "pipeline_bench_reader.hpp"
#include "platform/dpdk_memory.hpp"

namespace sentinel::bench {
namespace {

// app/pipeline.cpp's kStageBatch: the most slots one poll hands a stage.
constexpr std::size_t kStageBatch = 1024;

// One of pipeline_fanout3's parallel stages: reads every slot's packet in place.
class ReaderStage {
public:
    void on_events(std::span<net::PacketSlot> slots, std::int64_t, bool) noexcept {
        for (const net::PacketSlot& slot : slots) reader_.read(slot.len, slot.data);
    }
    const ReadSums& sums() const noexcept { return reader_.sums(); }

private:
    PacketReader reader_;
};

// The ring of port 0's queue 0 and its RX duty, on the RX lcore's socket, as Pipeline::QueueRing.
struct QueueRing {
    QueueRing(const Rig& rig, const std::atomic<bool>& stop)
        : memory(rig.socket()),
          ring(std::allocator_arg, std::pmr::polymorphic_allocator<net::PacketSlot>(&memory), kRingSlots),
          rx(rig.port(), 0, kBurst, net::FullPolicy::wait, ring, stop) {}

    std::uint64_t received() const noexcept { return rx.counters().get(net::Counter::rx_packets); }

    platform::DpdkMemory memory;
    net::PacketRing ring;
    net::RxQueuePoller rx;
};

// The filter stage with one rule, as --capture-filter makes it; says in `checked` whether the
// program runs JIT'd.
net::FilterStage make_filter(std::string& checked) {
    net::PacketFilter filter(kFilterExpression);
    checked += std::string("filter ") + (filter.jitted() ? "JIT" : "interpreted");
    std::vector<net::FilterRule> rules;
    rules.push_back({net::Verdict::kCapture, std::move(filter)});
    return net::FilterStage(std::move(rules));
}

// Starts the ring's stages as duties of the main lcore, in the order they were added, and runs.
Throughput run(const Rig& rig, QueueRing& q, std::atomic<bool>& stop, const Window& window) {
    std::vector<std::unique_ptr<net::StageDuty>> duties;
    std::vector<net::Duty*> stages;
    for (disruptor::EventProcessor* p : q.ring.start_on_caller_threads()) {
        duties.push_back(std::make_unique<net::StageDuty>("stage", *p, q.rx, q.ring.sequencer().cursor(), kStageBatch));
        stages.push_back(duties.back().get());
    }
    return rig.run_cycles(stop, {&q.rx}, stages, [&q] { return q.received(); }, window);
}

// After the drain: the release stage freed exactly what RX admitted (RX dropped nothing) and
// every mbuf is back. Returns the packets released.
std::uint64_t check_released(const Rig& rig, const QueueRing& q, const net::ReleaseStage& release,
                             std::string& checked) {
    const std::uint64_t rx = q.received();
    const std::uint64_t released = release.counters().get(net::Counter::released_packets);
    const std::uint64_t dropped = q.rx.counters().get(net::Counter::dropped_ring_full);
    if (released != rx || dropped != 0)
        throw BenchFailure("sentinel: rx " + std::to_string(rx) + ", released " + std::to_string(released) +
                           ", dropped_ring_full " + std::to_string(dropped));
    checked += ", rx " + std::to_string(rx) + " = released, none dropped";
    rig.check_returned("sentinel");
    checked += ", mbufs all returned";
    return released;
}

// The verdicts the filter left in the ring: how many of the last ring's worth of packets matched.
std::string verdicts_left(QueueRing& q) {
    const auto& slots = q.ring.ring();
    const std::int64_t cursor = q.ring.sequencer().cursor().load_acquire();  // after the drain: nothing pairs
    const std::int64_t n = std::min<std::int64_t>(cursor + 1, static_cast<std::int64_t>(slots.size()));
    std::int64_t matched = 0;
    for (std::int64_t s = cursor - n + 1; s <= cursor; ++s) matched += (slots[s].verdict & net::Verdict::kCapture) != 0;
    return ", filter matched " + std::to_string(matched) + " of the last " + std::to_string(n);
}

}  // namespace

Measurement sentinel_filter_release(const Rig& rig, const Window& window) {
    std::atomic<bool> stop{false};
    QueueRing q(rig, stop);
    Measurement m{};
    net::FilterStage filter = make_filter(m.checked);
    net::ReleaseStage release;
    q.ring.handle_events_with(filter).then(release);
    m.throughput = run(rig, q, stop, window);
    m.checked += verdicts_left(q);
    check_released(rig, q, release, m.checked);
    return m;
}

Measurement sentinel_fanout3(const Rig& rig, const Window& window) {
    std::atomic<bool> stop{false};
    QueueRing q(rig, stop);
    Measurement m{};
    net::FilterStage filter = make_filter(m.checked);
    ReaderStage a;
    ReaderStage b;
    ReaderStage c;
    net::ReleaseStage release;
    q.ring.handle_events_with(filter).then(a, b, c).then(release);
    m.throughput = run(rig, q, stop, window);
    m.checked += verdicts_left(q);

    const std::uint64_t released = check_released(rig, q, release, m.checked);
    if (a.sums() != b.sums() || a.sums() != c.sums() || a.sums().packets != released)
        throw BenchFailure("sentinel: stages a, b, c saw " + std::to_string(a.sums().packets) + ", " +
                           std::to_string(b.sums().packets) + ", " + std::to_string(c.sums().packets) +
                           " packets (or different bytes) of " + std::to_string(released));
    m.checked += ", a = b = c (packets, bytes, data) = released";
    return m;
}

}  // namespace sentinel::bench
