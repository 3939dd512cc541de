#pragma once
// Pipeline: the appliance's packet graph, built from the plan. One ring per RX queue, on the RX
// lcore's NUMA node; its RX duty on the plan's RX lcore; its stages on the queue's worker lcores;
// one duty cycle per lcore. (Release beside RX, for mbufs freed into the cache they are allocated
// from, measured slower: the RX lcore then also pulls back every slot line the filter wrote.)
//
//                                                          ┌─▶ capture ─┐
//   port 0 queue 0 ─▶ RX (lcore 1) ─▶ ring.port0.rx0 ─▶ filter ─▶ forward ─┼─▶ release (lcore 0)
//                                                          └─▶ feed ────┘
//                                                                └─▶ top-of-book ring ─▶ publisher
//
// The filter writes each slot's verdict; capture, forward and feed read it in parallel; release
// follows every other stage, so an mbuf is freed only after every stage has read it (forward holds
// its own reference for the TX queue). Without --capture, --forward and --feed, release is the only
// stage. The feed needs every line in one stream, so it runs on a pipeline of one ring only.
//
// Thread safety: the main thread builds it, launches the worker cycles and runs the main lcore's
// cycle; counters, occupancy and request_stop from the main thread while lcores run.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "capture/journal.hpp"
#include "net/capture_duty.hpp"
#include "net/capture_stage.hpp"
#include "net/counters.hpp"
#include "net/filter_stage.hpp"
#include "net/feed_duty.hpp"
#include "net/feed_stage.hpp"
#include "net/forward_stage.hpp"
#include "net/publisher_duty.hpp"
#include "net/top_of_book_publisher.hpp"
#include "net/top_of_book_ring.hpp"
#include "net/tsc_clock.hpp"
#include "net/duty_cycle.hpp"
#include "net/lcore_launch.hpp"
#include "net/packet_ring.hpp"
#include "net/release_stage.hpp"
#include "net/rx_queue_poller.hpp"
#include "net/stage_duty.hpp"
#include "options.hpp"
#include "platform/dpdk_memory.hpp"
#include "platform/planner.hpp"

namespace sentinel::app {

// The name of the plan's memory region for a queue's ring, and for a port's mempool.
std::string ring_name(int port, int queue);
std::string mempool_name(int port);

// The counters of every component, summed.
struct Totals {
    std::uint64_t values[net::kCounterCount] = {};
    std::uint64_t operator[](net::Counter c) const noexcept { return values[static_cast<std::size_t>(c)]; }
};

// Where the stages after the filter send packets. Null/empty: that stage is not built.
struct Outputs {
    capture::Journal* journal = nullptr;            // one producer per ring, in the plan's RX order
    const net::TscClock* clock = nullptr;           // with journal: RX timestamps to wall clock
    std::vector<std::uint32_t> interface_of_port;   // with journal: journal interface of each port id
    std::optional<std::uint16_t> forward_port;      // one TX queue per ring, in the plan's RX order
    // The feed stage (with clock): its settings, where re-requests go (null: nowhere), and where
    // top-of-book changes go (a publisher stage when either is set).
    std::optional<net::FeedStageConfig> feed;
    net::UdpSender* rerequests = nullptr;
    net::UdpSender* tob_multicast = nullptr;
    std::string tob_out;
    bool tob_force = false;
};

// A stage's progress, for the live line and telemetry.
struct StageView {
    std::string_view name;
    std::int64_t sequence;
};
struct RingView {
    std::string_view name;
    std::int64_t cursor;
    std::vector<StageView> stages;
};

class Pipeline {
public:
    // One ring, RX duty and graph per RX queue the plan lists; duty cycles per planned lcore.
    // Throws when memory runs out, the plan lacks a ring's region, or a filter does not compile
    // (std::invalid_argument naming the option).
    Pipeline(const platform::Plan& plan, const Options& options, const Outputs& outputs);

    // Compiles --capture-filter and --forward-filter once, so that a bad one is refused before any
    // output file is created; throws as the constructor does.
    static void check_filters(const Options& options);

    // How many rings the plan gives: the producers a journal needs, the TX queues forwarding needs.
    static std::size_t ring_count(const platform::Plan& plan);
    // Stops and joins whatever lcores still run: they poll the rings this destroys.
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // memory=ring.portP.rxQ lines: where the kernel put each ring (placement_report.hpp).
    std::string memory_report(const platform::Plan& plan) const;

    // Runs every worker lcore's cycle; throws if EAL cannot launch one (the pipeline is then
    // stopped and the launched ones joined).
    void launch();
    // The main lcore's duties (workers that share it); runs on the caller's thread.
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
    // Totals of the rings of one port.
    Totals port_totals(int port) const noexcept;
    // Slots published but not yet released, summed over the rings: how far the stages lag RX.
    std::int64_t occupancy() const noexcept;
    std::vector<RingView> ring_views() const;
    // The feed stage and the publisher; null without --feed (or without anything to publish to).
    net::FeedStage* feed() noexcept { return rings_.empty() || !rings_.front()->feed ? nullptr : &*rings_.front()->feed; }
    const net::FeedStage* feed() const noexcept { return const_cast<Pipeline*>(this)->feed(); }
    const net::TopOfBookPublisher* publisher() const noexcept { return publisher_ ? &*publisher_ : nullptr; }

    // "ring.port0.rx0 stage capture failed: ..." for the first stage that failed, or "". A failed
    // stage never moves again: its ring fills and RX waits, so the run must stop.
    std::string failed_stage() const;

private:
    struct QueueRing {
        QueueRing(std::uint16_t port, std::uint16_t queue, std::size_t index, const Options& options,
                  const Outputs& outputs, net::TopOfBookRing* tops, std::pmr::memory_resource& memory,
                  const std::atomic<bool>& stop);
        std::string name;
        std::uint16_t port;
        net::PacketRing ring;
        net::RxQueuePoller rx;
        std::optional<net::FilterStage> filter;
        std::optional<net::CaptureStage> capture;
        std::optional<net::ForwardStage> forward;
        std::optional<net::FeedStage> feed;
        net::ReleaseStage release;
        std::vector<disruptor::EventProcessor*> processors;  // in the order stages were added
        std::vector<std::string_view> stage_names;           // beside processors
        const disruptor::EventProcessor* capture_processor = nullptr;
        const disruptor::EventProcessor* feed_processor = nullptr;
        const disruptor::EventProcessor* release_processor = nullptr;
        void add_counters(Totals& t) const noexcept;
    };

    // Declared first: the rings' memory must outlive the rings.
    std::map<int, std::unique_ptr<platform::DpdkMemory>> memory_;  // by NUMA node
    std::optional<net::TopOfBookRing> tops_;  // before the feed stage that publishes into it
    std::optional<net::TopOfBookPublisher> publisher_;
    std::vector<std::unique_ptr<QueueRing>> rings_;
    std::vector<std::unique_ptr<net::StageDuty>> stage_duties_;
    std::vector<std::unique_ptr<net::CaptureDuty>> capture_duties_;
    std::unique_ptr<net::FeedDuty> feed_duty_;
    std::unique_ptr<net::PublisherDuty> publisher_duty_;
    std::vector<std::unique_ptr<net::DutyCycle>> cycles_;
    std::unique_ptr<net::DutyCycle> main_cycle_;
    std::vector<net::LcoreJob> jobs_;
    std::size_t launched_ = 0;
    std::atomic<bool> stop_{false};
};

}  // namespace sentinel::app
