#include "pipeline.hpp"

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <system_error>

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

// Top-of-book changes the publisher may lag behind by before the feed drops them (counted): at a
// million changes a second, 65 ms.
constexpr std::size_t kTopOfBookSlots = std::size_t{1} << 16;

// How long a partly filled capture buffer may wait for more packets before it goes to disk.
constexpr std::chrono::milliseconds kCaptureFlushAfter{100};

int planned_node(const platform::Plan& plan, const std::string& name) {
    const auto m = std::ranges::find(plan.memory, name, &platform::MemoryPlacement::name);
    if (m == plan.memory.end()) throw std::logic_error("the plan has no memory region " + name);
    return m->node;
}

std::string dotted(std::uint32_t address) {
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
           std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

// A filter that does not compile is the operator's mistake: say which option holds it.
net::PacketFilter compile_filter(const char* option, const std::string& expression) {
    try {
        return net::PacketFilter(expression);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(option) + ": " + e.what());
    }
}

// The libpcap expression for UDP datagrams to `e`, VLAN-tagged or not.
std::string udp_to(const feed::UdpEndpoint& e) {
    const std::string match = "udp and dst host " + dotted(e.address) + " and dst port " + std::to_string(e.port);
    return "(" + match + ") or (vlan and " + match + ")";
}

// ... and from `from` to `to`: the recovery server's answers.
std::string udp_between(const feed::UdpEndpoint& from, const feed::UdpEndpoint& to) {
    const std::string match = "udp and src host " + dotted(from.address) + " and src port " + std::to_string(from.port) +
                              " and dst host " + dotted(to.address) + " and dst port " + std::to_string(to.port);
    return "(" + match + ") or (vlan and " + match + ")";
}

}  // namespace

void Pipeline::check_filters(const Options& options) {
    if (options.capture) compile_filter("--capture-filter", options.capture_filter);
    if (options.forward) compile_filter("--forward-filter", options.forward_filter);
}

std::string ring_name(int port, int queue) { return "ring.port" + std::to_string(port) + ".rx" + std::to_string(queue); }
std::string mempool_name(int port) { return "mempool.port" + std::to_string(port); }

Pipeline::QueueRing::QueueRing(std::uint16_t port_id, std::uint16_t queue, std::size_t index, const Options& options,
                               const Outputs& outputs, net::TopOfBookRing* tops, std::pmr::memory_resource& memory,
                               const std::atomic<bool>& stop)
    : name(ring_name(port_id, queue)),
      port(port_id),
      ring(std::allocator_arg, std::pmr::polymorphic_allocator<net::PacketSlot>(&memory), options.ring_size),
      rx(port_id, queue, options.burst, options.full_policy, ring, stop) {
    std::vector<net::FilterRule> rules;
    if (outputs.journal) rules.push_back({net::Verdict::kCapture, compile_filter("--capture-filter", options.capture_filter)});
    if (outputs.forward_port)
        rules.push_back({net::Verdict::kForward, compile_filter("--forward-filter", options.forward_filter)});
    if (outputs.feed) {
        if (options.feed_a) rules.push_back({net::Verdict::kFeedA, compile_filter("--feed-a", udp_to(*options.feed_a))});
        if (options.feed_b) rules.push_back({net::Verdict::kFeedB, compile_filter("--feed-b", udp_to(*options.feed_b))});
        if (options.rerequest_server)
            rules.push_back({net::Verdict::kFeedRecovery,
                             compile_filter("--rerequest-server", udp_between(*options.rerequest_server, *options.rerequest_source))});
    }
    if (outputs.journal)
        capture.emplace(*outputs.journal, index, options.snaplen, outputs.interface_of_port,
                        *outputs.clock, rte_get_tsc_hz(), kCaptureFlushAfter);
    if (outputs.forward_port) forward.emplace(*outputs.forward_port, static_cast<std::uint16_t>(index));
    if (outputs.feed) {
        try {
            feed.emplace(*outputs.feed, outputs.rerequests, tops, *outputs.clock, memory);
        } catch (const std::system_error& e) {
            throw std::runtime_error(std::string(e.what()) + ": the feed's books need hugepage memory for --feed-max-orders " +
                                     std::to_string(options.feed_max_orders.value_or(Options::kFeedMaxOrders)) +
                                     " orders (about 50 bytes each): reserve more hugepages or lower --feed-max-orders");
        }
    }

    // filter ─▶ {capture, forward, feed} ─▶ release; without any, release alone gates RX.
    if (rules.empty()) {
        ring.handle_events_with(release);
        stage_names = {"release"};
    } else {
        filter.emplace(std::move(rules));
        auto filtered = ring.handle_events_with(*filter);
        stage_names = {"filter"};
        std::optional<net::PacketRing::StageGroup> middle;
        const auto add = [&](auto& stage, std::string_view name) {
            auto group = filtered.then(stage);
            middle = middle ? ring.after(*middle, group) : group;
            stage_names.push_back(name);
        };
        if (capture) add(*capture, "capture");
        if (forward) add(*forward, "forward");
        if (feed) add(*feed, "feed");
        middle->then(release);
        stage_names.push_back("release");
    }
    processors = ring.start_on_caller_threads();
    for (std::size_t i = 0; i < processors.size(); ++i) {
        if (stage_names[i] == "capture") capture_processor = processors[i];
        if (stage_names[i] == "feed") feed_processor = processors[i];
    }
    release_processor = processors.back();
}

void Pipeline::QueueRing::add_counters(Totals& t) const noexcept {
    const auto add = [&t](const net::Counters& c) {
        for (std::size_t i = 0; i < net::kCounterCount; ++i) t.values[i] += c.get(static_cast<net::Counter>(i));
    };
    add(rx.counters());
    if (capture) {
        add(capture->counters());
        const net::CaptureStage::Captured written = capture->captured();
        t.values[static_cast<std::size_t>(net::Counter::captured_packets)] += written.packets;
        t.values[static_cast<std::size_t>(net::Counter::captured_bytes)] += written.bytes;
    }
    if (forward) add(forward->counters());
    add(release.counters());
}

std::size_t Pipeline::ring_count(const platform::Plan& plan) {
    return static_cast<std::size_t>(std::ranges::count(plan.lcores, Role::rx, &LcoreAssignment::role));
}

Pipeline::Pipeline(const platform::Plan& plan, const Options& options, const Outputs& outputs) {
    if (outputs.feed && ring_count(plan) != 1)
        throw std::logic_error("the feed runs on a pipeline of one ring (main checks the options)");
    const bool publish = outputs.feed && (outputs.tob_multicast != nullptr || !outputs.tob_out.empty());
    std::map<unsigned, std::vector<net::Duty*>> duties;  // by lcore
    for (const LcoreAssignment& a : plan.lcores) {
        if (a.role != Role::rx) continue;
        const int node = planned_node(plan, ring_name(a.port, a.queue));
        std::unique_ptr<platform::DpdkMemory>& memory = memory_[node];
        if (!memory) memory = std::make_unique<platform::DpdkMemory>(node);
        if (publish)
            tops_.emplace(std::allocator_arg, std::pmr::polymorphic_allocator<net::TopOfBookEvent>(memory.get()), kTopOfBookSlots);
        auto& q = *rings_.emplace_back(std::make_unique<QueueRing>(static_cast<std::uint16_t>(a.port),
                                                                  static_cast<std::uint16_t>(a.queue), rings_.size(),
                                                                  options, outputs, tops_ ? &*tops_ : nullptr, *memory,
                                                                  stop_));
        // The --tob-out file once the books have their memory: a run refused for want of it leaves
        // no empty file behind to refuse the next one.
        if (publish) {
            publisher_.emplace(outputs.tob_multicast, outputs.tob_out, outputs.tob_force);
            tops_->handle_events_with(*publisher_);
        }
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
            if (q.processors[i] == q.feed_processor) {
                feed_duty_ = std::make_unique<net::FeedDuty>(stage, *q.feed);
                duty = feed_duty_.get();
            }
            duties[static_cast<unsigned>(workers[i % workers.size()]->lcore)].push_back(duty);
        }
        // The publisher follows the feed, on the next worker lcore (the same one when there is one).
        if (publish) {
            const std::size_t feed_index = static_cast<std::size_t>(
                std::ranges::find(q.processors, q.feed_processor) - q.processors.begin());
            disruptor::EventProcessor& processor = *tops_->start_on_caller_threads().front();
            publisher_duty_ = std::make_unique<net::PublisherDuty>(processor, *publisher_, *feed_duty_,
                                                                   tops_->sequencer().cursor(), *outputs.clock, kStageBatch);
            duties[static_cast<unsigned>(workers[(feed_index + 1) % workers.size()]->lcore)].push_back(publisher_duty_.get());
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
