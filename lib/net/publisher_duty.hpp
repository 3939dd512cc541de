#pragma once
// PublisherDuty: the top-of-book publisher (the TopOfBookRing's consumer) as an lcore duty. It
// drains once the feed, its ring's only producer, has finished and it has sent everything up to
// the ring's final cursor; at stop, the file's buffer goes to disk.
//
// Memory ordering: the feed duty's drained() (an acquire) comes before the cursor is read, so the
// cursor read is the final one.
//
// Thread safety: every call on the lcore that polls the publisher.

#include <rte_cycles.h>

#include <cstddef>

#include "disruptor/event_processor.hpp"
#include "disruptor/sequence.hpp"
#include "duty.hpp"
#include "top_of_book_publisher.hpp"
#include "tsc_clock.hpp"

namespace sentinel::net {

class PublisherDuty final : public Duty {
public:
    PublisherDuty(disruptor::EventProcessor& processor, TopOfBookPublisher& publisher, const Duty& feed,
                  const disruptor::Sequence& cursor, const TscClock& clock, std::size_t max_batch)
        : processor_(processor), publisher_(publisher), feed_(feed), cursor_(cursor), clock_(clock), max_batch_(max_batch) {}

    void start() override { processor_.start_polling(); }
    std::size_t poll() override {
        const std::size_t n = processor_.poll(max_batch_);
        if (n == 0) publisher_.on_idle(clock_.nanoseconds(rte_rdtsc()));
        return n;
    }
    bool drained() const override {
        if (!feed_.drained()) return false;
        const disruptor::ProcessorState s = processor_.state();
        if (s == disruptor::ProcessorState::failed || s == disruptor::ProcessorState::halted) return true;
        return processor_.sequence().load_acquire() >= cursor_.load_acquire();
    }
    void stop() override {
        processor_.stop_polling();
        publisher_.flush();
    }
    std::string_view role_name() const noexcept override { return "top-of-book publisher"; }

private:
    disruptor::EventProcessor& processor_;
    TopOfBookPublisher& publisher_;
    const Duty& feed_;
    const disruptor::Sequence& cursor_;
    const TscClock& clock_;
    const std::size_t max_batch_;
};

}  // namespace sentinel::net
