#include "pipeline.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <exception>
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

// How long a partly filled capture buffer may wait for more packets before it goes to disk.
constexpr std::chrono::milliseconds kCaptureFlushAfter{100};

int planned_node(const platform::Plan& plan, const std::string& name) {
    const auto m = std::ranges::find(plan.memory, name, &platform::MemoryPlacement::name);
    if (m == plan.memory.end()) throw std::logic_error("the plan has no memory region " + name);
    return m->node;
}

// A filter that does not compile is the operator's mistake: say which option holds it.
net::PacketFilter compile_filter(const char* option, const std::string& expression) {
    try {
        return net::PacketFilter(expression);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(option) + ": " + e.what());
    }
}

}  // namespace

std::string ring_name(int port, int queue) { return "ring.port" + std::to_string(port) + ".rx" + std::to_string(queue); }
std::string mempool_name(int port) { return "mempool.port" + std::to_string(port); }

Pipeline::QueueRing::QueueRing(std::uint16_t port_id, std::uint16_t queue, std::size_t index, const Options& options,
                               const Outputs& outputs, std::pmr::memory_resource& memory,
                               const std::atomic<bool>& stop)
    : name(ring_name(port_id, queue)),
      port(port_id),
      ring(std::allocator_arg, std::pmr::polymorphic_allocator<net::PacketSlot>(&memory), options.ring_size),
      rx(port_id, queue, options.burst, options.full_policy, ring, stop) {
    std::vector<net::FilterRule> rules;
    if (outputs.journal) rules.push_back({net::Verdict::kCapture, compile_filter("--capture-filter", options.capture_filter)});
    if (outputs.forward_port)
        rules.push_back({net::Verdict::kForward, compile_filter("--forward-filter", options.forward_filter)});
    if (outputs.journal)
        capture.emplace(*outputs.journal, outputs.journal->producer(index), options.snaplen, outputs.interface_of_port,
                        *outputs.clock, rte_get_tsc_hz(), kCaptureFlushAfter);
    if (outputs.forward_port) forward.emplace(*outputs.forward_port, static_cast<std::uint16_t>(index));

    // filter ─▶ {capture, forward} ─▶ release; without either, release alone gates RX.
    if (rules.empty()) {
        ring.handle_events_with(release);
        stage_names = {"release"};
    } else {
        filter.emplace(std::move(rules));
        auto filtered = ring.handle_events_with(*filter);
        stage_names = {"filter"};
        if (capture && forward) {
            filtered.then(*capture, *forward).then(release);
            stage_names.insert(stage_names.end(), {"capture", "forward"});
        } else if (capture) {
            filtered.then(*capture).then(release);
            stage_names.push_back("capture");
        } else {
            filtered.then(*forward).then(release);
            stage_names.push_back("forward");
        }
        stage_names.push_back("release");
    }
    processors = ring.start_on_caller_threads();
    if (capture) capture_processor = processors[1];
    release_processor = processors.back();
}

void Pipeline::QueueRing::add_counters(Totals& t) const noexcept {
    const auto add = [&t](const net::Counters& c) {
        for (std::size_t i = 0; i < net::kCounterCount; ++i) t.values[i] += c.get(static_cast<net::Counter>(i));
    };
    add(rx.counters());
    if (capture) add(capture->counters());
    if (forward) add(forward->counters());
    add(release.counters());
}

std::size_t Pipeline::ring_count(const platform::Plan& plan) {
    return static_cast<std::size_t>(std::ranges::count(plan.lcores, Role::rx, &LcoreAssignment::role));
}

Pipeline::Pipeline(const platform::Plan& plan, const Options& options, const Outputs& outputs) {
    std::map<unsigned, std::vector<net::Duty*>> duties;  // by lcore
    for (const LcoreAssignment& a : plan.lcores) {
        if (a.role != Role::rx) continue;
        const int node = planned_node(plan, ring_name(a.port, a.queue));
        std::unique_ptr<platform::DpdkMemory>& memory = memory_[node];
        if (!memory) memory = std::make_unique<platform::DpdkMemory>(node);
        auto& q = *rings_.emplace_back(std::make_unique<QueueRing>(static_cast<std::uint16_t>(a.port),
                                                                  static_cast<std::uint16_t>(a.queue), rings_.size(),
                                                                  options, outputs, *memory, stop_));
        duties[static_cast<unsigned>(a.lcore)].push_back(&q.rx);

        // The queue's stages, dealt over its worker lcores in the order the plan numbers them.
        std::vector<const LcoreAssignment*> workers;
        for (const LcoreAssignment& w : plan.lcores)
            if (w.role == Role::worker && w.port == a.port && w.queue == a.queue) workers.push_back(&w);
        std::ranges::sort(workers, {}, &LcoreAssignment::worker);
        if (workers.empty())
            throw std::logic_error("the plan gives " + q.name + " no worker lcore to run its stages");
        for (std::size_t i = 0; i < q.processors.size(); ++i) {
            auto& stage = *stage_duties_.emplace_back(std::make_unique<net::StageDuty>(
                *q.processors[i], q.rx, q.ring.sequencer().cursor(), kStageBatch));
            net::Duty* duty = &stage;
            if (q.processors[i] == q.capture_processor)
                duty = capture_duties_.emplace_back(std::make_unique<net::CaptureDuty>(stage, *q.capture)).get();
            duties[static_cast<unsigned>(workers[i % workers.size()]->lcore)].push_back(duty);
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
    if (main_cycle_->timed_out())
        errors.push_back("main lcore " + std::to_string(main_cycle_->lcore()) +
                         " gave up draining its rings: a stage stopped making progress");
    return errors;
}

Totals Pipeline::totals() const noexcept {
    Totals t;
    for (const auto& q : rings_) q->add_counters(t);
    return t;
}

Totals Pipeline::port_totals(int port) const noexcept {
    Totals t;
    for (const auto& q : rings_)
        if (q->port == port) q->add_counters(t);
    return t;
}

std::vector<RingView> Pipeline::ring_views() const {
    std::vector<RingView> views;
    // Statistics: acquire is what Sequence offers watchers; nothing is read behind it.
    for (const auto& q : rings_) {
        RingView& v = views.emplace_back(RingView{q->name, q->ring.sequencer().cursor().load_acquire(), {}});
        for (std::size_t i = 0; i < q->processors.size(); ++i)
            v.stages.push_back({q->stage_names[i], q->processors[i]->sequence().load_acquire()});
    }
    return views;
}

std::string Pipeline::failed_stage() const {
    for (const auto& q : rings_)
        for (std::size_t i = 0; i < q->processors.size(); ++i) {
            if (q->processors[i]->state() != disruptor::ProcessorState::failed) continue;
            std::string why = "unknown error";
            try {
                if (const std::exception_ptr e = q->processors[i]->failure()) std::rethrow_exception(e);
            } catch (const std::exception& e) {
                why = e.what();
            } catch (...) {
            }
            return q->name + " stage " + std::string(q->stage_names[i]) + " failed: " + why;
        }
    return {};
}

std::int64_t Pipeline::occupancy() const noexcept {
    std::int64_t slots = 0;
    // A statistic: acquire is simply what Sequence offers watchers; nothing is read behind it.
    for (const auto& q : rings_)
        slots += q->ring.sequencer().cursor().load_acquire() - q->release_processor->sequence().load_acquire();
    return slots;
}

}  // namespace sentinel::app
