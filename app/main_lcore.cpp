#include "main_lcore.hpp"

#include <rte_cycles.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

#include "feed_stats.hpp"
#include "net/tsc_clock.hpp"
#include "stats.hpp"

namespace sentinel::app {

namespace {

// Why the run should stop now, or nullptr: a signal, --duration, or --stop-when-idle.
const char* stop_reason(const appliance::Config& o, const std::atomic<bool>& quit, std::uint64_t running, std::uint64_t idle,
                        const net::TscRate& tsc) {
    if (quit.load(std::memory_order_relaxed)) return "signal";  // a flag; no data rides on it
    if (o.duration && running >= tsc.ticks(*o.duration)) return "duration";
    if (o.stop_when_idle && idle >= tsc.ticks(*o.stop_when_idle)) return "idle";
    return nullptr;
}

}  // namespace

// With no duty of its own the main lcore sleeps between checks instead of spinning.
void run_main_lcore(appliance::Pipeline& pipeline, const appliance::ReceivePorts& ports, const appliance::Config& o,
                    const appliance::CaptureJournal* capture,
                    const std::atomic<bool>& quit, std::atomic<bool>& dump_books) {
    const net::TscRate tsc(rte_get_tsc_hz());
    const std::uint64_t start = rte_rdtsc();
    std::uint64_t next_check = start;
    std::uint64_t next_stats = start + tsc.ticks(o.stats_interval);
    std::uint64_t last_rx_packets = 0;
    std::uint64_t last_rx_at = start;
    LiveStats live;
    bool journal_failure_told = false;
    net::DutyCycle& cycle = pipeline.main_cycle();

    cycle.start();
    while (cycle.turn(pipeline.stop_requested())) {
        const std::uint64_t now = rte_rdtsc();
        if (now < next_check) continue;
        next_check = now + tsc.ticks(std::chrono::milliseconds(1));
        if (!pipeline.stop_requested()) {
            const std::uint64_t rx = pipeline.totals()[net::Counter::rx_packets];
            if (rx != last_rx_packets) {
                last_rx_packets = rx;
                last_rx_at = now;
            }
            if (const char* reason = stop_reason(o, quit, now - start, now - last_rx_at, tsc)) {
                std::printf("stop=%s\n", reason);
                pipeline.request_stop();
            } else if (const std::string failure = pipeline.failed_stage(); !failure.empty()) {
                std::printf("stop=stage-failed\n");
                std::fprintf(stderr, "sentinel: %s; stopping\n", failure.c_str());
                pipeline.request_stop();
            }
        }
        // A flag a signal handler sets; the books are the feed lcore's to write.
        if (dump_books.exchange(false, std::memory_order_relaxed)) {
            if (net::FeedStage* feed = pipeline.feed()) feed->request_book_dump();
            else std::fputs("sentinel: SIGUSR1 asks for the books, and this run has no --feed\n", stderr);
        }
        if (capture && !journal_failure_told && capture->failed()) {
            journal_failure_told = true;
            std::fprintf(stderr, "sentinel: %s; capture stopped, every packet it would have written counts as "
                                 "dropped_journal\n", capture->error().c_str());
        }
        if (o.stats_interval.count() > 0 && now >= next_stats) {
            next_stats += tsc.ticks(o.stats_interval);
            const double seconds = tsc.seconds(now - start);
            std::string line = live.line(seconds, pipeline.totals(), pipeline.ring_views(), ports.nic_missed());
            if (const net::FeedStage* feed = pipeline.feed()) line.insert(line.size() - 1, feed_live(*feed));
            std::fputs(line.c_str(), stdout);
            std::fflush(stdout);
        }
        if (cycle.empty()) rte_delay_us_sleep(1000);
    }
    cycle.finish();
}

}  // namespace sentinel::app
