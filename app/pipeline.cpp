#include "pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "placement_report.hpp"

namespace sentinel::app {
namespace {

using platform::LcoreAssignment;
using platform::Role;

// The most slots one poll hands a stage: a few bursts' worth, so an lcore running several duties
// visits each within microseconds.
constexpr std::size_t kStageBatch = 1024;

// How long a cycle may drain after the stop request before it gives up on a stuck stage. A ring
// of a million slots drains in milliseconds; seconds mean a stage stopped.
constexpr std::chrono::milliseconds kDrainLimit{5000};

int planned_node(const platform::Plan& plan, const std::string& name) {
    const auto m = std::ranges::find(plan.memory, name, &platform::MemoryPlacement::name);
    if (m == plan.memory.end()) throw std::logic_error("the plan has no memory region " + name);
    return m->node;
}

}  // namespace

std::string ring_name(int port, int queue) { return "ring.port" + std::to_string(port) + ".rx" + std::to_string(queue); }
std::string mempool_name(int port) { return "mempool.port" + std::to_string(port); }

Pipeline::QueueRing::QueueRing(std::uint16_t port, std::uint16_t queue, const Options& options,
                               std::pmr::memory_resource& memory, const std::atomic<bool>& stop)
    : name(ring_name(port, queue)),
      ring(std::allocator_arg, std::pmr::polymorphic_allocator<net::PacketSlot>(&memory), options.ring_size),
      rx(port, queue, options.burst, options.full_policy, ring, stop) {
    // The graph: stages that read packets come first (ring.handle_events_with(...).then(...)), and
    // release follows every one of them (ring.after(all).then(release)). None exists yet, so
    // release is the ring's only stage and gates RX directly.
    ring.handle_events_with(release);
    processors = ring.start_on_caller_threads();
    release_processor = processors.back();
}

Pipeline::Pipeline(const platform::Plan& plan, const Options& options) {
    std::map<unsigned, std::vector<net::Duty*>> duties;  // by lcore
    for (const LcoreAssignment& a : plan.lcores) {
        if (a.role != Role::rx) continue;
        const int node = planned_node(plan, ring_name(a.port, a.queue));
        std::unique_ptr<platform::DpdkMemory>& memory = memory_[node];
        if (!memory) memory = std::make_unique<platform::DpdkMemory>(node);
        auto& q = *rings_.emplace_back(std::make_unique<QueueRing>(
            static_cast<std::uint16_t>(a.port), static_cast<std::uint16_t>(a.queue), options, *memory, stop_));
        duties[static_cast<unsigned>(a.lcore)].push_back(&q.rx);

        // The queue's stages, dealt over its worker lcores in the order the plan numbers them.
        std::vector<const LcoreAssignment*> workers;
        for (const LcoreAssignment& w : plan.lcores)
            if (w.role == Role::worker && w.port == a.port && w.queue == a.queue) workers.push_back(&w);
        std::ranges::sort(workers, {}, &LcoreAssignment::worker);
        if (workers.empty())
            throw std::logic_error("the plan gives " + q.name + " no worker lcore to run its stages");
        for (std::size_t i = 0; i < q.processors.size(); ++i) {
            auto& duty = *stage_duties_.emplace_back(std::make_unique<net::StageDuty>(
                *q.processors[i], q.rx, q.ring.sequencer().cursor(), kStageBatch));
            duties[static_cast<unsigned>(workers[i % workers.size()]->lcore)].push_back(&duty);
        }
    }

    const auto main = static_cast<unsigned>(plan.main_lcore());
    main_cycle_ = std::make_unique<net::DutyCycle>(main, duties[main], kDrainLimit);
    for (auto& [lcore, list] : duties) {
        if (lcore == main) continue;
        cycles_.push_back(std::make_unique<net::DutyCycle>(lcore, list, kDrainLimit));
        jobs_.push_back(net::LcoreJob{.cycle = cycles_.back().get(), .stop = &stop_, .error = {}});
    }
}

Pipeline::~Pipeline() {
    request_stop();
    wait();
}

std::string Pipeline::memory_report(const platform::Plan& plan) const {
    std::string text;
    for (const auto& q : rings_)
        text += placement_report(q->name, q->ring.ring().data(), q->ring.ring().size() * sizeof(net::PacketSlot), plan);
    return text;
}

void Pipeline::launch() {
    try {
        for (; launched_ < jobs_.size(); ++launched_) net::launch(jobs_[launched_]);
    } catch (...) {
        request_stop();
        wait();
        throw;
    }
}

std::vector<std::string> Pipeline::wait() {
    std::vector<std::string> errors;
    for (std::size_t i = 0; i < launched_; ++i)
        if (std::string e = net::wait(jobs_[i]); !e.empty()) errors.push_back(std::move(e));
    launched_ = 0;
    return errors;
}

Totals Pipeline::totals() const noexcept {
    Totals t;
    for (const auto& q : rings_)
        for (std::size_t c = 0; c < net::kCounterCount; ++c) {
            const auto counter = static_cast<net::Counter>(c);
            t.values[c] += q->rx.counters().get(counter) + q->release.counters().get(counter);
        }
    return t;
}

std::int64_t Pipeline::occupancy() const noexcept {
    std::int64_t slots = 0;
    // A statistic: acquire is simply what Sequence offers watchers; nothing is read behind it.
    for (const auto& q : rings_)
        slots += q->ring.sequencer().cursor().load_acquire() - q->release_processor->sequence().load_acquire();
    return slots;
}

}  // namespace sentinel::app
