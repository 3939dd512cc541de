#pragma once
// Pipeline: the appliance's packet graph, built from the plan. One ring per RX queue, on the RX
// lcore's NUMA node; its RX duty on the plan's RX lcore; its stages on the queue's worker lcores;
// one duty cycle per lcore.
//
//   port 0 queue 0 ─▶ RX (lcore 1) ─▶ ring.port0.rx0 ─▶ [filter, capture, feed, tx] ─▶ release (lcore 0)
//
// Release follows every other stage, so an mbuf is freed only after every stage has read it; the
// stages in brackets are the ones later work adds (handle_events_with them, then release after).
//
// Thread safety: the main thread builds it, launches the worker cycles and runs the main lcore's
// cycle; counters, occupancy and request_stop from the main thread while lcores run.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/counters.hpp"
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

class Pipeline {
public:
    // One ring, RX duty and graph per RX queue the plan lists; duty cycles per planned lcore.
    // Throws when memory runs out or the plan lacks a ring's region.
    Pipeline(const platform::Plan& plan, const Options& options);
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
    // Slots published but not yet released, summed over the rings: how far the stages lag RX.
    std::int64_t occupancy() const noexcept;

private:
    struct QueueRing {
        QueueRing(std::uint16_t port, std::uint16_t queue, const Options& options, std::pmr::memory_resource& memory,
                  const std::atomic<bool>& stop);
        std::string name;
        net::PacketRing ring;
        net::RxQueuePoller rx;
        net::ReleaseStage release;
        std::vector<disruptor::EventProcessor*> processors;  // in the order stages were added
        const disruptor::EventProcessor* release_processor = nullptr;
    };

    // Declared first: the rings' memory must outlive the rings.
    std::map<int, std::unique_ptr<platform::DpdkMemory>> memory_;  // by NUMA node
    std::vector<std::unique_ptr<QueueRing>> rings_;
    std::vector<std::unique_ptr<net::StageDuty>> stage_duties_;
    std::vector<std::unique_ptr<net::DutyCycle>> cycles_;
    std::unique_ptr<net::DutyCycle> main_cycle_;
    std::vector<net::LcoreJob> jobs_;
    std::size_t launched_ = 0;
    std::atomic<bool> stop_{false};
};

}  // namespace sentinel::app
