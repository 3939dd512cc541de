#include "harness.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "disruptor/thread_affinity.hpp"

namespace sentinel::bench {
namespace {

enum Gate : int { kClosed, kOpen, kAborted };

}  // namespace

// Written by its role's thread: the pin result before R1, a body's exception before R3, the
// release stamp before the join.
struct Run::Role {
    std::string error;
    Clock::time_point released_at;
};

Run::Run(const Options& options, std::string label, int producers, int consumers)
    : label_(std::move(label)),
      options_(options),
      producers_(producers),
      consumers_(consumers),
      oversubscribed_(sentinel::bench::oversubscribed(options, producers + consumers)),
      // Generous: the slowest peer, oversubscribed, moves about a million events a second.
      watchdog_(std::chrono::seconds(30) +
                std::chrono::microseconds(2 * std::max(options.events, options.round_trips + options.warmup_round_trips))),
      tallies_(std::make_unique<Tally[]>(static_cast<std::size_t>(consumers))) {}

Run::~Run() {
    // Only after a failure between add_role and time(): parked roles leave without running.
    open_gate(kAborted);
    join_all();
}

void Run::add_role(std::function<void()> body) {
    const int index = static_cast<int>(roles_.size());
    Role& role = *roles_.emplace_back(std::make_unique<Role>());
    const int cpu = cpu_for_role(options_, index);
    threads_.emplace_back([this, &role, index, cpu, body = std::move(body)] {
        try {
            disruptor::pin_current_thread(cpu);
        } catch (const std::exception& e) {
            role.error = e.what();
        }
        ready_.fetch_add(1, std::memory_order_release);  // R1: the pin result; pairs with A1
        Idle idle(oversubscribed_);
        int gate;
        while ((gate = gate_.load(std::memory_order_relaxed)) == kClosed) idle.pause();  // a start signal, no data
        if (gate == kAborted) return;
        role.released_at = Clock::now();
        try {
            body();
        } catch (const std::exception& e) {
            role.error = e.what();
            int none = -1;  // the first role to fail names the error; later ones keep theirs to themselves
            failed_role_.compare_exchange_strong(none, index, std::memory_order_release,  // R3: the error; pairs with A3
                                                 std::memory_order_relaxed);  // lost the race: publishes nothing
        }
    });
}

std::int64_t Run::time(const std::function<void()>& stop) {
    const int roles = static_cast<int>(threads_.size());
    if (roles != producers_ + consumers_)
        throw std::logic_error(label_ + ": " + std::to_string(roles) + " roles added, " +
                               std::to_string(producers_ + consumers_) + " expected");
    while (ready_.load(std::memory_order_acquire) < roles) std::this_thread::yield();  // A1: pairs with R1
    for (const auto& role : roles_) {
        if (role->error.empty()) continue;
        open_gate(kAborted);
        join_all();
        throw std::runtime_error(label_ + ": " + role->error);
    }

    open_gate(kOpen);
    const Clock::time_point deadline = Clock::now() + watchdog_;
    for (int i = 0; i < consumers_; ++i) {
        while (!tallies_[static_cast<std::size_t>(i)].done.load(std::memory_order_acquire)) {  // A2: pairs with R2
            if (const int failed = failed_role_.load(std::memory_order_acquire); failed >= 0)  // A3: pairs with R3
                die("role " + std::to_string(failed) + " threw: " + roles_[static_cast<std::size_t>(failed)]->error);
            if (Clock::now() > deadline)
                die("consumer " + std::to_string(i) + " did not see all its events within " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(watchdog_).count()) +
                    " s (events lost, or the run hung)");
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    if (stop) stop();
    join_all();

    Clock::time_point start = Clock::time_point::min();
    for (const auto& role : roles_) start = std::max(start, role->released_at);
    Clock::time_point end = Clock::time_point::min();
    for (int i = 0; i < consumers_; ++i) end = std::max(end, tallies_[static_cast<std::size_t>(i)].finished_at);
    return std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

void Run::check(std::initializer_list<Expected> expected) const {
    int i = 0;
    for (const Expected& e : expected) {
        const Tally& t = tallies_[static_cast<std::size_t>(i)];
        if (t.count != e.count || t.sum != e.sum || t.mismatched != 0)
            throw BenchFailure(label_ + ": consumer " + std::to_string(i) + " saw " + std::to_string(t.count) +
                               " events summing to " + std::to_string(t.sum) + " with " +
                               std::to_string(t.mismatched) + " mismatches; expected " +
                               std::to_string(e.count) + " summing to " + std::to_string(e.sum));
        ++i;
    }
}

void Run::open_gate(int state) noexcept {
    int closed = kClosed;
    gate_.compare_exchange_strong(closed, state, std::memory_order_relaxed);  // a start signal, no data
}

void Run::join_all() noexcept {
    for (std::thread& t : threads_)
        if (t.joinable()) t.join();
}

// A role stuck in a wait can be neither joined nor cancelled, so a hung or failed run ends the
// whole process here, loudly, instead of unwinding to main.
void Run::die(const std::string& why) const {
    std::fprintf(stderr, "disruptor_bench: FAILED: %s: %s\n", label_.c_str(), why.c_str());
    std::fflush(stdout);
    std::_Exit(1);
}

}  // namespace sentinel::bench
