#pragma once
// CaptureDuty: the capture stage as an lcore duty. A StageDuty that, when a poll finds nothing,
// lets the stage hand a buffer that has waited long enough to the journal's writer, and at the end
// of the drain hands over the last one: a quiet link still reaches the disk.
//
// Thread safety: every call on the lcore that polls the stage.

#include <rte_cycles.h>

#include "capture_stage.hpp"
#include "stage_duty.hpp"

namespace sentinel::net {

class CaptureDuty final : public Duty {
public:
    CaptureDuty(StageDuty& stage, CaptureStage& capture) : stage_(stage), capture_(capture) {}

    void start() override { stage_.start(); }
    std::size_t poll() override {
        const std::size_t n = stage_.poll();
        if (n == 0) capture_.on_idle(rte_rdtsc());
        return n;
    }
    bool drained() const override { return stage_.drained(); }
    std::string_view role_name() const noexcept override { return stage_.role_name(); }
    void stop() override {
        stage_.stop();
        capture_.flush();
    }

private:
    StageDuty& stage_;
    CaptureStage& capture_;
};

}  // namespace sentinel::net
