#pragma once
// The Sentinel side of every topology: its stage handlers, its producer loop, and the choice of
// wait strategy, so the topology files only wire them.
//
//   with_wait_strategy(run.oversubscribed(), [&]<WaitStrategy W>() { Disruptor<std::int64_t, P, W> d(kRingSize); ... });
//   TallyHandler<> c(run.tally(0), events);  d.handle_events_with(c);
//   publish_values<kBatch>(d, first, count);   // on the producer's role thread
//
// Stages run on the harness's pinned role threads (start_on_caller_threads + run()), so Sentinel
// gets exactly the placement the peers get.

#include <cstdint>
#include <span>

#include "disruptor/busy_spin_wait_strategy.hpp"
#include "disruptor/yielding_wait_strategy.hpp"
#include "harness.hpp"

namespace sentinel::bench {

// The rule the peers' Idle follows: spin while every thread has a CPU, else spin briefly and yield.
template <class F>
decltype(auto) with_wait_strategy(bool oversubscribed, F&& f) {
    if (oversubscribed) return f.template operator()<disruptor::YieldingWaitStrategy>();
    return f.template operator()<disruptor::BusySpinWaitStrategy>();
}

// Counts and sums what its stage sees, reading each run of slots in place (the span form keeps
// the running sum in a register, as the peers' burst loops do). Step > 0 makes it a pipeline
// stage that adds Step to each event on the way through, so the next stage checks what it wrote;
// with Step == 0 it never writes the ring, whose lines the producer is still filling.
template <std::int64_t Step = 0>
class TallyHandler {
public:
    TallyHandler(Tally& tally, std::int64_t expected) noexcept : tally_(tally), expected_(expected) {}

    void on_events(std::span<std::int64_t> events, std::int64_t /*first*/, bool /*end_of_batch*/) noexcept {
        std::int64_t sum = 0;
        for (std::int64_t& event : events) {
            sum += event;
            if constexpr (Step != 0) event += Step;
        }
        tally_.sum += sum;
        tally_.count += static_cast<std::int64_t>(events.size());
        if (tally_.count == expected_) tally_.finish();
    }

private:
    Tally& tally_;
    const std::int64_t expected_;
};

// Publishes first .. first + count - 1: Batch == 1 claims and publishes one slot at a time;
// larger batches claim Batch slots, fill them and publish the range with one cursor update.
template <int Batch, class D>
void publish_values(D& disruptor, std::int64_t first, std::int64_t count) {
    std::int64_t value = first;
    if constexpr (Batch == 1) {
        for (; value < first + count; ++value)
            disruptor.publish_event([value](std::int64_t& e, std::int64_t) { e = value; });
    } else {
        while (value < first + count)
            disruptor.publish_events(Batch, [&value](std::int64_t& e, std::int64_t) { e = value++; });
    }
}

}  // namespace sentinel::bench
