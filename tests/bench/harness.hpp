#pragma once
// Run: one timed run of a topology, whichever implementation moves the events.
//
//   Run run(options, "unicast_1p1c/boost_spsc", 1, 1);   // 1 producer, 1 consumer
//   run.add_role(producer_body);                          // pinned now, parked until time()
//   run.add_role(consumer_body);
//   std::int64_t ns = run.time();                         // release together, wait, join
//   run.check({arithmetic(events)});                      // throws BenchFailure on a wrong tally
//
// Roles are pinned in the order added, producers first: role i runs on cpu_for_role(i), the same
// placement for every implementation. The clock starts once the last role is released and stops
// at the last consumer's finish() (each stamps its own), so thread start-up and tear-down stay
// outside the measurement. Starting from the last release keeps a role that a busy machine
// schedules a few ticks late (seen here: up to 20 ms) from being charged to the run; a producer
// released earlier can meanwhile run at most one ring (kRingSize events) ahead.
// Every consumer counts and sums what it saw, and check() compares them with what was sent: a
// lost, duplicated or corrupted event fails the run.
//
// Memory ordering
//   R1/A1: a role's ready count (release) pairs with time()'s acquire, which then reads the pin error.
//   R2/A2: Tally::finish (release) pairs with time()'s acquire, which then reads the finish stamp;
//          count and sum are read after the join, which synchronises with everything the role did.
//   R3/A3: the first role whose body throws stores its index (release) after writing its error;
//          time() acquires the index and reads that role's error only.
//   The gate carries no data: the roles' inputs were built before their threads were created.
//
// Thread safety: one owner thread builds, times and checks a Run; a Tally belongs to the one
// thread that sees its consumer's events until finish().

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "disruptor/cache_line.hpp"
#include "idle.hpp"
#include "options.hpp"

namespace sentinel::bench {

using Clock = std::chrono::steady_clock;

// A run whose counts or sums are wrong: the implementation under test lost or corrupted events.
struct BenchFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What one consumer saw. Alone on its line pair: consumers of one run write theirs concurrently.
struct alignas(disruptor::kFalseSharingRange) Tally {
    std::int64_t count = 0;
    std::int64_t sum = 0;
    std::int64_t mismatched = 0;  // joins or echoes that disagreed
    Clock::time_point finished_at;
    std::atomic<bool> done{false};

    void finish() noexcept {
        finished_at = Clock::now();
        done.store(true, std::memory_order_release);  // R2: the stamp; pairs with A2 in Run::time
    }
};

struct Expected {
    std::int64_t count;
    std::int64_t sum;
};

// The tally of the values first, first + 1, ..., first + count - 1.
constexpr Expected arithmetic(std::int64_t count, std::int64_t first = 0) noexcept {
    return {count, count * first + count * (count - 1) / 2};
}

class Run {
public:
    Run(const Options& options, std::string label, int producers, int consumers);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    const std::string& label() const noexcept { return label_; }
    bool oversubscribed() const noexcept { return oversubscribed_; }
    // The waiting rule for a peer queue's role in this run.
    Idle idle() const noexcept { return Idle(oversubscribed_); }
    Tally& tally(int consumer) noexcept { return tallies_[static_cast<std::size_t>(consumer)]; }

    // Starts the next role's thread, pinned and parked until time(); every role must be added
    // before time().
    void add_role(std::function<void()> body);

    // Releases the roles, waits for every tally to finish, runs `stop` (stages that run until
    // halted), joins. Returns nanoseconds from the last role's release to the last finish.
    // A run that does not finish within the watchdog limit ends the process (see harness.cpp).
    std::int64_t time(const std::function<void()>& stop = {});

    // Throws BenchFailure unless tally i matches expected[i] and saw no mismatch.
    void check(std::initializer_list<Expected> expected) const;

private:
    struct Role;
    void open_gate(int state) noexcept;
    void join_all() noexcept;
    [[noreturn]] void die(const std::string& why) const;

    std::string label_;
    const Options& options_;
    const int producers_;
    const int consumers_;
    const bool oversubscribed_;
    const Clock::duration watchdog_;
    std::unique_ptr<Tally[]> tallies_;
    std::vector<std::unique_ptr<Role>> roles_;
    std::vector<std::thread> threads_;
    alignas(disruptor::kFalseSharingRange) std::atomic<int> ready_{0};
    alignas(disruptor::kFalseSharingRange) std::atomic<int> gate_{0};
    std::atomic<int> failed_role_{-1};
};

// Runs `once` (returning a run's nanoseconds) options.repeats times; the median rate in Mops/s.
template <class F>
double median_mops(const Options& options, std::int64_t events, F&& once) {
    std::vector<double> rates;
    for (int r = 0; r < options.repeats; ++r)
        rates.push_back(static_cast<double>(events) * 1e3 / static_cast<double>(once()));
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

}  // namespace sentinel::bench
