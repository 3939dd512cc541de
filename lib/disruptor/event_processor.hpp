#pragma once
// EventProcessor: a stage of the graph, seen from whoever runs it. Cold-path interface: the
// per-event loop lives in the templated BatchEventProcessor behind it.
//
// Two ways to run one:
//   run()                          on a dedicated thread; waits with the wait strategy until halted
//   start_polling(), poll(max)..., stop_polling()
//                                  from a duty cycle that runs several stages on one thread or DPDK
//                                  lcore; poll() does one bounded batch and never waits
//
// States: idle ──run/start_polling──▶ running ──halt/stop_polling──▶ halted
//                                        └──handler threw, policy halt──▶ failed
// A processor runs once; halt() before it starts makes run() return at once (after on_start and
// on_shutdown, so handlers always see a matched pair).

#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>

#include "sequence.hpp"

namespace sentinel::disruptor {

enum class ProcessorState { idle, running, halted, failed };

enum class ExceptionPolicy {
    halt,              // record the exception, publish progress up to the event before it, stop
    log_and_continue,  // one error line logged, count it, skip the event; when it was the batch's
                       // last, no event of that batch carries end_of_batch
};

struct ProcessorOptions {
    // The most events handled before the stage publishes its progress (latency vs. throughput).
    std::int64_t max_batch = std::numeric_limits<std::int64_t>::max();
    ExceptionPolicy exception_policy = ExceptionPolicy::halt;
    // A sharded stage handles only sequences with seq % shard_count == shard_index.
    std::int64_t shard_index = 0;
    std::int64_t shard_count = 1;
};

class EventProcessor {
public:
    virtual ~EventProcessor() = default;

    virtual void run() = 0;
    virtual void start_polling() = 0;
    virtual std::size_t poll(std::size_t max) = 0;
    virtual void stop_polling() = 0;
    virtual void halt() noexcept = 0;

    virtual const Sequence& sequence() const noexcept = 0;
    virtual ProcessorState state() const noexcept = 0;
    // The exception that failed the stage (state() == failed), else null.
    virtual std::exception_ptr failure() const noexcept = 0;
    // Handler calls that threw and were skipped under ExceptionPolicy::log_and_continue.
    virtual std::uint64_t exceptions() const noexcept = 0;
};

}  // namespace sentinel::disruptor
