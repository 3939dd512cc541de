// pingpong_rtt: round-trip latency with one event in flight (LMAX's PingPongSequencedLatencyTest).
//
//   pinger ──ping──▶ ponger
//      ▲               │
//      └─────pong──────┘
//
// The pinger stamps the clock, sends its counter, waits for the echo and stamps again; the
// ponger sends back what it got. In Sentinel both are stages: the ponger handles the ping ring and
// publishes into the pong ring, whose stage (the pinger) publishes the next ping. The peers use one
// queue each way. Warm-up round trips are not sampled; every echo must equal what was sent.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "disruptor/disruptor.hpp"
#include "queue_io.hpp"
#include "sentinel_stages.hpp"
#include "topologies.hpp"

namespace sentinel::bench {
namespace {

constexpr const char* kCase = "pingpong_rtt";

// Round trips to run and, after the warm-up, to record; sampled nanoseconds.
class Samples {
public:
    explicit Samples(const Options& o) : warmup_(o.warmup_round_trips), total_(o.warmup_round_trips + o.round_trips) {
        ns_.reserve(static_cast<std::size_t>(o.round_trips));  // no allocation while timing
    }

    std::int64_t total() const noexcept { return total_; }
    void record(std::int64_t trip, Clock::time_point sent, Clock::time_point echoed) {
        if (trip >= warmup_) ns_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(echoed - sent).count());
    }

    // The sample below which a fraction q of them lie.
    double percentile(double q) {
        std::sort(ns_.begin(), ns_.end());
        const auto i = std::min(ns_.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns_.size())));
        return static_cast<double>(ns_[i]);
    }

private:
    const std::int64_t warmup_;
    const std::int64_t total_;
    std::vector<std::int64_t> ns_;
};

// Checks an echo and records its round trip; true when the last one has come back.
bool echo_received(Tally& tally, Samples& samples, std::int64_t trip, std::int64_t echo, Clock::time_point sent) {
    samples.record(trip, sent, Clock::now());
    tally.sum += echo;
    tally.mismatched += echo != trip;
    if (++tally.count < samples.total()) return false;
    tally.finish();
    return true;
}

// The pinger: a stage of the pong ring that publishes the next ping into the ping ring.
template <class D>
class Pinger {
public:
    Pinger(D& ping, Tally& tally, Samples& samples) noexcept : ping_(ping), tally_(tally), samples_(samples) {}

    void on_start() { send(); }
    void on_event(std::int64_t& echo, std::int64_t /*sequence*/, bool /*end_of_batch*/) {
        if (!echo_received(tally_, samples_, trip_, echo, sent_at_)) {
            ++trip_;
            send();
        }
    }

private:
    void send() {
        sent_at_ = Clock::now();
        ping_.publish_event([trip = trip_](std::int64_t& e, std::int64_t) { e = trip; });
    }

    D& ping_;
    Tally& tally_;
    Samples& samples_;
    std::int64_t trip_ = 0;
    Clock::time_point sent_at_;
};

// The ponger: a stage of the ping ring that echoes each event into the pong ring.
template <class D>
class Ponger {
public:
    explicit Ponger(D& pong) noexcept : pong_(pong) {}
    void on_event(std::int64_t& ping, std::int64_t /*sequence*/, bool /*end_of_batch*/) {
        pong_.publish_event([v = ping](std::int64_t& e, std::int64_t) { e = v; });
    }

private:
    D& pong_;
};

void sentinel_once(const Options& o, Samples& samples) {
    Run run(o, std::string(kCase) + "/sentinel", 1, 1);
    with_wait_strategy(run.oversubscribed(), [&]<disruptor::WaitStrategy W>() {
        using D = disruptor::Disruptor<std::int64_t, disruptor::ProducerType::single, W>;
        D ping(kRingSize);
        D pong(kRingSize);
        Ponger<D> ponger(pong);
        Pinger<D> pinger(ping, run.tally(0), samples);
        ping.handle_events_with(ponger);
        pong.handle_events_with(pinger);
        auto* pinging = pong.start_on_caller_threads()[0];
        auto* ponging = ping.start_on_caller_threads()[0];
        run.add_role([pinging] { pinging->run(); });
        run.add_role([ponging] { ponging->run(); });
        run.time([&] {
            ping.halt();
            pong.halt();
        });
        run.check({arithmetic(samples.total())});
    });
}

template <PeerQueue Q>
void peer_once(const Options& o, const std::string& impl, Samples& samples) {
    const auto ping = std::make_unique<Q>(kRingSize);
    const auto pong = std::make_unique<Q>(kRingSize);
    Run run(o, std::string(kCase) + "/" + impl, 1, 1);
    run.add_role([&] {
        Idle idle = run.idle();
        for (std::int64_t trip = 0;; ++trip) {
            const Clock::time_point sent = Clock::now();
            send<1>(*ping, std::span<const std::int64_t>(&trip, 1), idle);
            std::int64_t echo;
            receive_exactly<1>(*pong, std::span<std::int64_t>(&echo, 1), idle);
            if (echo_received(run.tally(0), samples, trip, echo, sent)) break;
        }
    });
    run.add_role([&] {
        Idle idle = run.idle();
        for (std::int64_t trip = 0; trip < samples.total(); ++trip) {
            std::int64_t v;
            receive_exactly<1>(*ping, std::span<std::int64_t>(&v, 1), idle);
            send<1>(*pong, std::span<const std::int64_t>(&v, 1), idle);
        }
    });
    run.time();
    run.check({arithmetic(samples.total())});
}

void report_percentiles(Report& report, std::string_view impl, Samples& samples) {
    report.add("pingpong_rtt_p50", impl, samples.percentile(0.50), Unit::ns);
    report.add("pingpong_rtt_p99", impl, samples.percentile(0.99), Unit::ns);
    report.add("pingpong_rtt_p999", impl, samples.percentile(0.999), Unit::ns);
}

}  // namespace

void bench_pingpong_rtt(const Options& o, Report& report) {
    {
        Samples samples(o);
        sentinel_once(o, samples);
        report_percentiles(report, "sentinel", samples);
    }
    const auto peer = [&]<PeerQueue Q>(const char* impl) {
        Samples samples(o);
        peer_once<Q>(o, impl, samples);
        report_percentiles(report, impl, samples);
    };
    peer.template operator()<RteRing<Producers::single>>("rte_ring_sp_sc");
    peer.template operator()<BoostSpsc>("boost_spsc");
    peer.template operator()<MoodycamelRwq>("moodycamel_rwq");
    peer.template operator()<MutexDeque>("mutex_deque");
}

}  // namespace sentinel::bench
