#pragma once
// FeedDuty: the feed as an lcore duty. It polls the feed stage of every ring the feed reads (one
// per line at most: line A on one port, line B on another), all into the one FeedStage, in turn
// on this lcore; runs the feed's timers whenever they are all empty; and, once every one of them
// has drained for good, finishes the feed: recovery answers can no longer arrive, so what is still
// missing is given up and what waits behind it is applied before the final books are written.
// That last step can publish top-of-book changes, so it is a poll that did work: the publisher's
// duty then gets its turns to send them.
//
// Thread safety: every call on the lcore that polls the stage; drained() also from the lcore of
// the publisher's duty, which follows this one (it reads atomics only).

#include <rte_cycles.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "feed_stage.hpp"
#include "stage_duty.hpp"

namespace sentinel::net {

class FeedDuty final : public Duty {
public:
    // `stages`: the feed stage of each ring, in ring order; at least one.
    FeedDuty(std::vector<StageDuty*> stages, FeedStage& feed) : stages_(std::move(stages)), feed_(feed) {}

    void start() override {
        for (StageDuty* s : stages_) s->start();
    }
    std::size_t poll() override {
        std::size_t n = 0;
        for (StageDuty* s : stages_) n += s->poll();
        if (n != 0) return n;
        if (!finished_.load(std::memory_order_relaxed) &&
            std::ranges::all_of(stages_, [](const StageDuty* s) { return s->drained(); })) {
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
    void stop() override {
        for (StageDuty* s : stages_) s->stop();
    }
    std::string_view role_name() const noexcept override { return "feed"; }

private:
    const std::vector<StageDuty*> stages_;
    FeedStage& feed_;
    std::atomic<bool> finished_{false};  // read by the publisher's duty on another lcore
};

}  // namespace sentinel::net
