#pragma once
// StageDuty: a ring's stage (a Disruptor processor started with start_on_caller_threads) as a
// duty of some lcore's cycle. It drains once its ring's producer has stopped and it has handled
// everything up to the producer's final cursor, or once it can never get there (the stage failed
// or was halted: the duty cycle then reports it).
//
// Memory ordering: A4 (in producer.stopped()) before reading the cursor, so the cursor read is the
// final one; the stage's own sequence is read acquire as Sequence offers watchers (nothing rides
// on it here: this lcore wrote it).
//
// Thread safety: every call on the lcore that polls the stage.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "disruptor/event_processor.hpp"
#include "disruptor/sequence.hpp"
#include "duty.hpp"
#include "rx_queue_poller.hpp"

namespace sentinel::net {

class StageDuty final : public Duty {
public:
    // `max_batch`: the most slots one poll hands the stage, so that other duties of the lcore
    // get their turn within a bounded time.
    StageDuty(std::string role_name, disruptor::EventProcessor& processor, const RxQueuePoller& producer,
              const disruptor::Sequence& cursor, std::size_t max_batch)
        : role_name_(std::move(role_name)), processor_(processor), producer_(producer), cursor_(cursor), max_batch_(max_batch) {}

    void start() override { processor_.start_polling(); }
    std::size_t poll() override { return processor_.poll(max_batch_); }
    bool drained() const override {
        if (!producer_.stopped()) return false;
        const disruptor::ProcessorState s = processor_.state();
        if (s == disruptor::ProcessorState::failed || s == disruptor::ProcessorState::halted) return true;
        return processor_.sequence().load_acquire() >= cursor_.load_acquire();
    }
    void stop() override { processor_.stop_polling(); }
    std::string_view role_name() const noexcept override { return role_name_; }

    const disruptor::EventProcessor& processor() const noexcept { return processor_; }

private:
    const std::string role_name_;
    disruptor::EventProcessor& processor_;
    const RxQueuePoller& producer_;
    const disruptor::Sequence& cursor_;
    const std::size_t max_batch_;
};

}  // namespace sentinel::net
