#pragma once
// Pipeline: builds a Graph (graph.hpp) from DPDK resources and runs it. Per ring: its slots on
// the plan's node, its RX duty and its stages, each on the lcore the graph names; one duty cycle
// per lcore, the main lcore's run by the caller.
//
// Thread safety: the main thread builds it, launches the worker cycles and runs the main lcore's
// cycle; counters, occupancy and request_stop from the main thread while lcores run.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/journal.hpp"
#include "graph.hpp"
#include "net/capture_stage.hpp"
#include "net/counters.hpp"
#include "net/duty.hpp"
#include "net/duty_cycle.hpp"
#include "net/feed_duty.hpp"
#include "net/feed_stage.hpp"
#include "net/filter_stage.hpp"
#include "net/forward_stage.hpp"
#include "net/lcore_launch.hpp"
#include "net/packet_ring.hpp"
#include "net/release_stage.hpp"
#include "net/rx_queue_poller.hpp"
#include "net/top_of_book_publisher.hpp"
#include "net/top_of_book_ring.hpp"
#include "net/tsc_clock.hpp"
#include "net/udp_sender.hpp"
#include "platform/dpdk_memory.hpp"
#include "region_memory.hpp"

namespace sentinel::appliance {

// The counters of every component, summed.
struct Totals {
    std::uint64_t values[net::kCounterCount] = {};
    std::uint64_t operator[](net::Counter c) const noexcept { return values[static_cast<std::size_t>(c)]; }
};

// What the graph's stages write to, made by the caller before the pipeline. The graph says which
// are needed; a needed one that is missing is a std::logic_error.
struct Sinks {
    const net::TscClock& clock;                    // RX timestamps to wall clock
    std::vector<capture::Journal*> journals;       // capture: by the graph's journal index (JournalSpec)
    std::vector<std::uint32_t> interface_of_port;  // capture: the journal interface of each port id
    net::UdpSender* rerequests = nullptr;          // feed: where re-requests go; null: nowhere (counted)
    net::UdpSender* tob_multicast = nullptr;       // publisher: top-of-book datagrams; null: none
};

// A stage's progress, for the live line and telemetry.
struct StageView {
    std::string_view name;
    std::int64_t sequence;
};
struct RingView {
    std::string name;
    std::int64_t cursor;
    std::vector<StageView> stages;
};

class Pipeline {
public:
    // Throws when memory runs out (naming the option that sizes it), or a filter does not
    // compile (std::invalid_argument naming the option).
    Pipeline(const Graph& graph, const Config& config, const Sinks& sinks);
    // Stops and joins whatever lcores still run: they poll the rings this destroys.
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Compiles every filter rule once, so that a bad one is refused before any output file is
    // created; throws as the constructor does.
    static void check_filters(const Graph& graph);

    // Each ring's slots.
    std::vector<RegionMemory> memory() const;

    // Runs every worker lcore's cycle; throws if EAL cannot launch one (the pipeline is then
    // stopped and the launched ones joined).
    void launch();
    // The main lcore's duties; runs on the caller's thread.
    net::DutyCycle& main_cycle() noexcept { return *main_cycle_; }
    // Joins the worker lcores; one line per lcore that failed or could not drain.
    std::vector<std::string> wait();

    void request_stop() noexcept {
        stop_.store(true, std::memory_order_relaxed);  // a flag: the final cursors travel by R4 (rx_queue_poller.hpp)
    }
    bool stop_requested() const noexcept {
        return stop_.load(std::memory_order_relaxed);  // a flag, see request_stop
    }

    Totals totals() const noexcept;
    // Totals of one ring, by the graph's index.
    Totals ring_totals(std::size_t ring) const noexcept;
    // Slots published but not yet released, summed over the rings: how far the stages lag RX.
    std::int64_t occupancy() const noexcept;
    std::vector<RingView> ring_views() const;
    // The feed stage and the publisher; null when the graph has none.
    net::FeedStage* feed() noexcept { return feed_ ? &*feed_ : nullptr; }
    const net::FeedStage* feed() const noexcept { return feed_ ? &*feed_ : nullptr; }
    const net::TopOfBookPublisher* publisher() const noexcept { return publisher_ ? &*publisher_ : nullptr; }

    // "ring.port0.rx0 stage capture failed: ..." for the first stage that failed, or "". A failed
    // stage never moves again: its ring fills and RX waits, so the run must stop.
    std::string failed_stage() const;

private:
    class Ring;

    // The feed engine's stage, on the memory of the first ring that feeds it; and the publisher's
    // ring before it.
    void build_feed(const FeedSpec& spec, const Sinks& sinks, std::pmr::memory_resource& memory);

    const Graph graph_;  // the rings keep references to their specs
    // Before the rings: their memory must outlive them.
    std::map<int, std::unique_ptr<platform::DpdkMemory>> memory_;  // by NUMA node
    std::optional<net::TopOfBookRing> tops_;  // before the feed stage that publishes into it
    std::optional<net::TopOfBookPublisher> publisher_;
    std::optional<net::FeedStage> feed_;      // before the rings whose feed stages share it
    std::vector<std::unique_ptr<Ring>> rings_;
    std::vector<std::unique_ptr<net::Duty>> duties_;
    std::vector<std::unique_ptr<net::DutyCycle>> cycles_;
    std::unique_ptr<net::DutyCycle> main_cycle_;
    std::vector<net::LcoreJob> jobs_;
    std::size_t launched_ = 0;
    std::atomic<bool> stop_{false};
};

}  // namespace sentinel::appliance
