#include "pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <system_error>

#include "net/capture_duty.hpp"
#include "net/packet_filter.hpp"
#include "net/publisher_duty.hpp"
#include "net/stage_duty.hpp"

namespace sentinel::appliance {
namespace {

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

// A filter that does not compile is the operator's mistake: say which option holds it.
net::PacketFilter compile(const FilterRule& rule) {
    try {
        return net::PacketFilter(rule.expression);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(rule.option + ": " + e.what());
    }
}

template <class T>
T& need(T* sink, const char* what) {
    if (sink == nullptr) throw std::logic_error(std::string("the graph needs ") + what + " and the caller gave none");
    return *sink;
}

}  // namespace

// One ring and the stages the graph gives it.
class Pipeline::Ring {
public:
    Ring(const RingSpec& spec, std::size_t index, const Config& config, const Sinks& sinks, net::FeedStage* feed,
         std::pmr::memory_resource& memory, const std::atomic<bool>& stop)
        : spec_(spec),
          name_(spec.memory.name()),
          ring_(std::allocator_arg, std::pmr::polymorphic_allocator<net::PacketSlot>(&memory), config.ring_size),
          rx_(static_cast<std::uint16_t>(spec.port), static_cast<std::uint16_t>(spec.queue), config.burst,
              config.full_policy, ring_, stop) {
        // Each stage joins the groups of the stages it follows; the processors come back in the
        // order the stages were added, which is the graph's.
        std::vector<std::optional<net::PacketRing::StageGroup>> groups(spec.stages.size());
        for (std::size_t i = 0; i < spec.stages.size(); ++i) {
            const StageSpec& s = spec.stages[i];
            const auto add = [&](auto& handler) {
                if (s.after.empty()) {
                    groups[i].emplace(ring_.handle_events_with(handler));
                    return;
                }
                net::PacketRing::StageGroup upstream = *groups[s.after.front()];
                for (std::size_t a = 1; a < s.after.size(); ++a) upstream = ring_.after(upstream, *groups[s.after[a]]);
                groups[i].emplace(upstream.then(handler));
            };
            switch (s.kind) {
            case StageKind::filter: {
                std::vector<net::FilterRule> rules;
                for (const FilterRule& r : spec.rules) rules.push_back({r.verdict, compile(r)});
                add(filter_.emplace(std::move(rules)));
                break;
            }
            case StageKind::capture: {
                capture::Journal* journal =
                    spec.capture && spec.capture->journal < sinks.journals.size() ? sinks.journals[spec.capture->journal] : nullptr;
                add(capture_.emplace(need(journal, "a capture journal"), spec.capture->producer, config.snaplen,
                                     sinks.interface_of_port, sinks.clock, kCaptureFlushAfter));
                break;
            }
            case StageKind::forward:
                add(forward_.emplace(static_cast<std::uint16_t>(*config.forward), static_cast<std::uint16_t>(index)));
                break;
            case StageKind::feed: add(feed_.emplace(need(feed, "the feed"))); break;
            case StageKind::release: add(release_); break;
            }
        }
        processors_ = ring_.start_on_caller_threads();
    }

    const RingSpec& spec() const noexcept { return spec_; }
    const std::string& name() const noexcept { return name_; }
    net::PacketRing& ring() noexcept { return ring_; }
    const net::PacketRing& ring() const noexcept { return ring_; }
    net::RxQueuePoller& rx() noexcept { return rx_; }
    disruptor::EventProcessor& processor(std::size_t stage) const noexcept { return *processors_[stage]; }
    std::size_t stages() const noexcept { return processors_.size(); }
    net::CaptureStage* capture() noexcept { return capture_ ? &*capture_ : nullptr; }
    const disruptor::EventProcessor& release() const noexcept {
        return *processors_[*spec_.stage(StageKind::release)];
    }

    void add_counters(Totals& t) const noexcept {
        const auto add = [&t](const net::Counters& c) {
            for (std::size_t i = 0; i < net::kCounterCount; ++i) t.values[i] += c.get(static_cast<net::Counter>(i));
        };
        add(rx_.counters());
        if (capture_) {
            add(capture_->counters());
            const net::CaptureStage::Captured written = capture_->captured();
            t.values[static_cast<std::size_t>(net::Counter::captured_packets)] += written.packets;
            t.values[static_cast<std::size_t>(net::Counter::captured_bytes)] += written.bytes;
        }
        if (forward_) add(forward_->counters());
        add(release_.counters());
    }

private:
    // The ring's feed stage: its slots go to the one FeedStage that every ring's feed stage shares
    // (they all run on its lcore, so it is driven from one thread).
    struct FeedInput {
        net::FeedStage& stage;
        void on_events(std::span<net::PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch) {
            stage.on_events(slots, first_sequence, end_of_batch);
        }
    };

    const RingSpec& spec_;
    std::string name_;
    net::PacketRing ring_;
    net::RxQueuePoller rx_;
    std::optional<net::FilterStage> filter_;
    std::optional<net::CaptureStage> capture_;
    std::optional<net::ForwardStage> forward_;
    std::optional<FeedInput> feed_;
    net::ReleaseStage release_;
    std::vector<disruptor::EventProcessor*> processors_;  // by stage index
};

void Pipeline::check_filters(const Graph& graph) {
    for (const RingSpec& r : graph.rings)
        for (const FilterRule& rule : r.rules) compile(rule);
}

void Pipeline::build_feed(const FeedSpec& spec, const Sinks& sinks, std::pmr::memory_resource& memory) {
    if (graph_.publisher)  // before the feed stage that publishes into it
        tops_.emplace(std::allocator_arg, std::pmr::polymorphic_allocator<net::TopOfBookEvent>(&memory), kTopOfBookSlots);
    try {
        feed_.emplace(net::FeedStageConfig{.arbitration = {}, .books = spec.books, .book_out = spec.book_out.value_or("")},
                      sinks.rerequests, tops_ ? &*tops_ : nullptr, sinks.clock, memory);
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string(e.what()) + ": the feed's books need hugepage memory for " +
                                 std::to_string(spec.books.max_orders) +
                                 " orders (about 50 bytes each): reserve more hugepages or lower --feed-max-orders");
    }
}

Pipeline::Pipeline(const Graph& graph, const Config& config, const Sinks& sinks) : graph_(graph) {
    std::map<int, std::vector<net::Duty*>> duties;  // by lcore
    std::vector<net::StageDuty*> feed_stages;        // every ring's, for the one feed duty
    for (std::size_t index = 0; index < graph_.rings.size(); ++index) {
        const RingSpec& spec = graph_.rings[index];
        std::unique_ptr<platform::DpdkMemory>& memory = memory_[spec.node];
        if (!memory) memory = std::make_unique<platform::DpdkMemory>(spec.node);
        if (graph_.feed && !feed_) build_feed(*graph_.feed, sinks, *memory);  // on the first feed ring's node
        Ring& ring = *rings_.emplace_back(
            std::make_unique<Ring>(spec, index, config, sinks, feed_ ? &*feed_ : nullptr, *memory, stop_));
        duties[spec.rx_lcore].push_back(&ring.rx());

        for (std::size_t i = 0; i < ring.stages(); ++i) {
            auto stage = std::make_unique<net::StageDuty>(ring.name() + " " + std::string(to_string(spec.stages[i].kind)),
                                                          ring.processor(i), ring.rx(),
                                                          ring.ring().sequencer().cursor(), kStageBatch);
            net::Duty* duty = stage.get();
            if (spec.stages[i].kind == StageKind::capture)
                duty = duties_.emplace_back(std::make_unique<net::CaptureDuty>(*stage, *ring.capture())).get();
            if (spec.stages[i].kind == StageKind::feed) feed_stages.push_back(stage.get());  // the feed duty polls them
            else duties[spec.stages[i].lcore].push_back(duty);
            duties_.push_back(std::move(stage));
        }
    }
    if (graph_.feed) {
        net::Duty* feed = duties_.emplace_back(std::make_unique<net::FeedDuty>(feed_stages, *feed_)).get();
        duties[graph_.feed->lcore].push_back(feed);
        // The --tob-out file once the books have their memory: a run refused for want of it leaves
        // no empty file behind to refuse the next one.
        if (graph_.publisher) {
            publisher_.emplace(sinks.tob_multicast, config.tob_out.value_or(""), config.force);
            tops_->handle_events_with(*publisher_);
            disruptor::EventProcessor& processor = *tops_->start_on_caller_threads().front();
            duties[graph_.publisher->lcore].push_back(duties_.emplace_back(std::make_unique<net::PublisherDuty>(
                processor, *publisher_, *feed, tops_->sequencer().cursor(), sinks.clock, kStageBatch)).get());
        }
    }

    const auto idle = [&](int lcore) {
        return std::ranges::count(graph_.shared_cpu_lcores, lcore) != 0 ? net::Idle::yield : net::Idle::spin;
    };
    const int main = graph_.main_lcore;
    main_cycle_ = std::make_unique<net::DutyCycle>(static_cast<unsigned>(main), duties[main], kDrainLimit, idle(main));
    for (auto& [lcore, list] : duties) {
        if (lcore == main) continue;
        cycles_.push_back(std::make_unique<net::DutyCycle>(static_cast<unsigned>(lcore), list, kDrainLimit, idle(lcore)));
        jobs_.push_back(net::LcoreJob{.cycle = cycles_.back().get(), .stop = &stop_, .error = {}});
    }
}

Pipeline::~Pipeline() {
    request_stop();
    wait();
}

std::vector<RegionMemory> Pipeline::memory() const {
    std::vector<RegionMemory> memory;
    for (const auto& r : rings_)
        memory.push_back({r->spec().memory, r->ring().ring().data(), r->ring().ring().size() * sizeof(net::PacketSlot)});
    return memory;
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
        errors.push_back("main lcore " + std::to_string(main_cycle_->lcore()) + " gave up draining its rings: " +
                         main_cycle_->undrained() + " stopped making progress");
    return errors;
}

Totals Pipeline::totals() const noexcept {
    Totals t;
    for (const auto& r : rings_) r->add_counters(t);
    return t;
}

Totals Pipeline::ring_totals(std::size_t ring) const noexcept {
    Totals t;
    rings_[ring]->add_counters(t);
    return t;
}

std::vector<RingView> Pipeline::ring_views() const {
    std::vector<RingView> views;
    // Statistics: acquire is what Sequence offers watchers; nothing is read behind it.
    for (const auto& r : rings_) {
        RingView& v = views.emplace_back(RingView{r->name(), r->ring().sequencer().cursor().load_acquire(), {}});
        for (std::size_t i = 0; i < r->stages(); ++i)
            v.stages.push_back({to_string(r->spec().stages[i].kind), r->processor(i).sequence().load_acquire()});
    }
    return views;
}

std::string Pipeline::failed_stage() const {
    for (const auto& r : rings_)
        for (std::size_t i = 0; i < r->stages(); ++i) {
            if (r->processor(i).state() != disruptor::ProcessorState::failed) continue;
            std::string why = "unknown error";
            try {
                if (const std::exception_ptr e = r->processor(i).failure()) std::rethrow_exception(e);
            } catch (const std::exception& e) {
                why = e.what();
            } catch (...) {
            }
            return r->name() + " stage " + std::string(to_string(r->spec().stages[i].kind)) + " failed: " + why;
        }
    return {};
}

std::int64_t Pipeline::occupancy() const noexcept {
    std::int64_t slots = 0;
    // A statistic: acquire is simply what Sequence offers watchers; nothing is read behind it.
    for (const auto& r : rings_)
        slots += r->ring().sequencer().cursor().load_acquire() - r->release().sequence().load_acquire();
    return slots;
}

}  // namespace sentinel::appliance
