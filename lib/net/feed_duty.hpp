#pragma once
// FeedDuty: the feed stage as an lcore duty. A StageDuty that runs the feed's timers whenever its
// ring is empty, and, once the ring has drained for good, finishes the feed: recovery answers can
// no longer arrive, so what is still missing is given up and what waits behind it is applied
// before the final books are written. That last step can publish top-of-book changes, so it is a
// poll that did work: the publisher's duty then gets its turns to send them.
//
// Thread safety: every call on the lcore that polls the stage; drained() also from the lcore of
// the publisher's duty, which follows this one (it reads atomics only).

#include <rte_cycles.h>

#include <atomic>

#include "feed_stage.hpp"
#include "stage_duty.hpp"

namespace sentinel::net {

class FeedDuty final : public Duty {
public:
    FeedDuty(StageDuty& stage, FeedStage& feed) : stage_(stage), feed_(feed) {}

    void start() override { stage_.start(); }
    std::size_t poll() override {
        if (const std::size_t n = stage_.poll(); n != 0) return n;
        if (!finished_.load(std::memory_order_relaxed) && stage_.drained()) {
            feed_.finish(rte_rdtsc());
            finished_.store(true, std::memory_order_release);  // R: the changes finish() published, before drained()
            return 1;
        }
        feed_.on_idle(rte_rdtsc());
        return 0;
    }
    bool drained() const override {
        return finished_.load(std::memory_order_acquire);  // A: pairs with R in poll()
    }
    void stop() override { stage_.stop(); }
    std::string_view role_name() const noexcept override { return stage_.role_name(); }

private:
    StageDuty& stage_;
    FeedStage& feed_;
    std::atomic<bool> finished_{false};  // read by the publisher's duty on another lcore
};

}  // namespace sentinel::net
