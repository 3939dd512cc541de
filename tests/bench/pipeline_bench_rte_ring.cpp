// The rte_ring peers of pipeline_bench: the pipeline a DPDK programmer builds without a Disruptor,
// with rte_ring handing mbuf pointers from RX to the stages, run as duties of the same cycles as
// Sentinel's (net::Duty), so placement, polling and shutdown are identical.
//
//   rte_ring:         RX ─▶ ring ─▶ filter + free
//   rte_ring_refcnt:  RX ─▶ ring0 ─▶ filter ─┬─▶ ring A ─▶ a (read, free) ─┐
//                       refcnt 1 → 3         ├─▶ ring B ─▶ b (read, free) ─┼─ the last free returns
//                                            └─▶ ring C ─▶ c (read, free) ─┘  the mbuf to its pool
//
// The fan-out cannot share one ring between a, b and c: an rte_ring element is taken by exactly one
// consumer, so each parallel stage needs its own copy of every pointer, and the mbuf a reference
// per copy (one atomic decrement per free but the last).
//
// Buffering: the same kRingSlots between RX and the last stage as Sentinel's ring: the single hop
// gets them all, the two hops of the fan-out half each (an mbuf waiting in ring A is not in ring0).
//
// Memory ordering: rte_ring's own: an enqueue's tail store releases the pointers (and the mbufs
// behind them) to the dequeuer's acquire. R4/A4 below order RX's last enqueue before its stop flag.
//
// Thread safety: every duty on the lcore of its cycle. A stage reads its upstream's drained(): RX's
// from another lcore (A4), the fan-out filter's from the same lcore (its own fields, no ordering).

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "net/counters.hpp"
#include "net/duty.hpp"
#include "net/packet_filter.hpp"
#include "net/rx_queue_poller.hpp"
#include "pipeline_bench_cases.hpp"
#include "pipeline_bench_reader.hpp"

namespace sentinel::bench {
namespace {

// Pointers a stage takes per dequeue: rte_ring's cost is per call. 256 was the peers' best on the
// development VM (32: the fan-out about 40% slower; 1024: no better), so the peers run with it.
constexpr unsigned kStageBurst = 256;

// FilterStage's prefetch distances (filter_stage.cpp): the mbuf header 8 packets ahead, its data 4.
constexpr unsigned kHeaderAhead = 8;
constexpr unsigned kDataAhead = 4;

struct RingFree {
    void operator()(rte_ring* r) const noexcept { rte_ring_free(r); }
};
using Ring = std::unique_ptr<rte_ring, RingFree>;

// Single producer, single consumer, exactly `slots` usable.
Ring make_ring(const std::string& name, std::size_t slots, int socket) {
    rte_ring* r = rte_ring_create(name.c_str(), static_cast<unsigned>(slots), socket,
                                  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (r == nullptr) throw std::runtime_error("rte_ring_create " + name + ": " + rte_strerror(rte_errno));
    return Ring(r);
}

void* const* objects(rte_mbuf* const* mbufs) noexcept { return reinterpret_cast<void* const*>(mbufs); }

// RX: rte_eth_rx_burst, then the whole burst into the ring, spinning while it is full as
// RxQueuePoller does under FullPolicy::wait: after a stop request for its kStopGrace at most (the
// draining stages make room within microseconds), then the rest of the burst is dropped.
class RingRx final : public net::Duty {
public:
    RingRx(std::uint16_t port, rte_ring& out, const std::atomic<bool>& stop) : port_(port), out_(out), stop_(stop) {}
    std::string_view role_name() const noexcept override { return "rte_ring rx"; }

    std::size_t poll() override {
        if (stopped_.load(std::memory_order_relaxed)) return 0;  // our own flag
        const std::uint16_t n = rte_eth_rx_burst(port_, 0, mbufs_.data(), kBurst);
        if (n == 0) return 0;
        unsigned sent = rte_ring_sp_enqueue_burst(&out_, objects(mbufs_.data()), n, nullptr);
        const std::uint64_t grace = rte_get_tsc_hz() / 1000 * net::RxQueuePoller::kStopGrace.count();
        std::uint64_t give_up_at = 0;
        while (sent < n) {
            if (stop_.load(std::memory_order_relaxed)) {  // a flag
                const std::uint64_t now = rte_rdtsc();
                if (give_up_at == 0) give_up_at = now + grace;
                else if (now >= give_up_at) break;
            }
            rte_pause();
            sent += rte_ring_sp_enqueue_burst(&out_, objects(mbufs_.data() + sent), n - sent, nullptr);
        }
        if (sent < n) {
            rte_pktmbuf_free_bulk(mbufs_.data() + sent, n - sent);
            counters_.add(net::Counter::dropped_ring_full, n - sent);
        }
        counters_.add(net::Counter::rx_packets, n);
        return n;
    }
    void begin_drain() override {
        stopped_.store(true, std::memory_order_release);  // R4: after the last enqueue; pairs with A4
    }
    bool drained() const override {
        return stopped_.load(std::memory_order_acquire);  // A4: pairs with R4; the ring's final tail follows
    }

    const net::Counters& counters() const noexcept { return counters_; }

private:
    const std::uint16_t port_;
    rte_ring& out_;
    const std::atomic<bool>& stop_;
    std::array<rte_mbuf*, kBurst> mbufs_{};
    net::Counters counters_;
    std::atomic<bool> stopped_{false};
};

// The filter of a burst, prefetching as FilterStage does; counts what it saw and what matched.
// Plain counts: the stages run on the main lcore, which reads them after the run.
class BurstFilter {
public:
    explicit BurstFilter(const net::PacketFilter& filter) : filter_(filter) {}

    void run(rte_mbuf* const* mbufs, unsigned n) noexcept {
        for (unsigned i = 0; i < std::min(kHeaderAhead, n); ++i) rte_prefetch0(mbufs[i]);
        for (unsigned i = 0; i < std::min(kDataAhead, n); ++i) rte_prefetch0(rte_pktmbuf_mtod(mbufs[i], void*));
        unsigned matched = 0;
        for (unsigned i = 0; i < n; ++i) {
            if (i + kHeaderAhead < n) rte_prefetch0(mbufs[i + kHeaderAhead]);
            if (i + kDataAhead < n) rte_prefetch0(rte_pktmbuf_mtod(mbufs[i + kDataAhead], void*));
            matched += filter_.matches(mbufs[i]);
        }
        seen_ += n;
        matched_ += matched;
    }

    std::string describe() const {
        return std::string("filter ") + (filter_.jitted() ? "JIT" : "interpreted") + ", filter matched " +
               std::to_string(matched_) + " of " + std::to_string(seen_);
    }

private:
    const net::PacketFilter& filter_;
    std::uint64_t seen_ = 0;
    std::uint64_t matched_ = 0;
};

// A stage fed by one ring: drained once its upstream is and the ring is empty.
class RingStage : public net::Duty {
public:
    bool drained() const override { return upstream_.drained() && rte_ring_empty(&in_) != 0; }
    std::string_view role_name() const noexcept override { return "rte_ring stage"; }
    const net::Counters& counters() const noexcept { return counters_; }

protected:
    RingStage(rte_ring& in, const net::Duty& upstream) : in_(in), upstream_(upstream) {}

    unsigned take() noexcept {
        return rte_ring_sc_dequeue_burst(&in_, reinterpret_cast<void**>(mbufs_.data()), kStageBurst, nullptr);
    }

    std::array<rte_mbuf*, kStageBurst> mbufs_{};
    net::Counters counters_;

private:
    rte_ring& in_;
    const net::Duty& upstream_;
};

// pipeline_filter_release's stage: filter, then free the burst.
class FilterFree final : public RingStage {
public:
    FilterFree(rte_ring& in, const net::Duty& upstream, const net::PacketFilter& filter)
        : RingStage(in, upstream), filter_(filter) {}

    std::size_t poll() override {
        const unsigned n = take();
        if (n == 0) return 0;
        filter_.run(mbufs_.data(), n);
        rte_pktmbuf_free_bulk(mbufs_.data(), n);
        counters_.add(net::Counter::released_packets, n);
        return n;
    }

    const BurstFilter& filter() const noexcept { return filter_; }

private:
    BurstFilter filter_;
};

// pipeline_fanout3's filter: a reference per output ring, then the pointers into every ring. An
// output ring that is full keeps the rest of the burst for the next poll: its consumer runs in
// this same cycle, so spinning here would never end.
class FilterFanout final : public RingStage {
public:
    static constexpr std::size_t kOutputs = 3;

    FilterFanout(rte_ring& in, const net::Duty& upstream, const net::PacketFilter& filter,
                 const std::array<rte_ring*, kOutputs>& outputs)
        : RingStage(in, upstream), filter_(filter), outputs_(outputs) {}

    std::size_t poll() override {
        std::size_t work = 0;
        if (held_ == 0) {
            held_ = take();
            if (held_ == 0) return 0;
            filter_.run(mbufs_.data(), held_);
            for (unsigned i = 0; i < held_; ++i) rte_mbuf_refcnt_update(mbufs_[i], kOutputs - 1);
            sent_.fill(0);
            work = held_;
        }
        bool all_sent = true;
        for (std::size_t o = 0; o < kOutputs; ++o) {
            const unsigned added =
                rte_ring_sp_enqueue_burst(outputs_[o], objects(mbufs_.data() + sent_[o]), held_ - sent_[o], nullptr);
            sent_[o] += added;
            work += added;
            all_sent = all_sent && sent_[o] == held_;
        }
        if (all_sent) held_ = 0;
        return work;
    }
    bool drained() const override { return held_ == 0 && RingStage::drained(); }

    const BurstFilter& filter() const noexcept { return filter_; }

private:
    BurstFilter filter_;
    const std::array<rte_ring*, kOutputs> outputs_;
    unsigned held_ = 0;                      // mbufs_[0, held_) taken and not yet in every output
    std::array<unsigned, kOutputs> sent_{};  // of those, how many each output has
};

// pipeline_fanout3's a, b and c: read each packet, drop this stage's reference.
class ReadFree final : public RingStage {
public:
    ReadFree(rte_ring& in, const net::Duty& upstream) : RingStage(in, upstream) {}

    std::size_t poll() override {
        const unsigned n = take();
        if (n == 0) return 0;
        for (unsigned i = 0; i < n; ++i) reader_.read(mbufs_[i]);
        rte_pktmbuf_free_bulk(mbufs_.data(), n);
        counters_.add(net::Counter::released_packets, n);
        return n;
    }

    const ReadSums& sums() const noexcept { return reader_.sums(); }

private:
    PacketReader reader_;
};

// After the drain: every stage that frees released exactly what RX admitted (RX dropped nothing)
// and every mbuf is back. Returns the packets released.
std::uint64_t check_released(const Rig& rig, const std::string& impl, const RingRx& rx,
                             std::initializer_list<const RingStage*> freeing, std::string& checked) {
    const std::uint64_t received = rx.counters().get(net::Counter::rx_packets);
    const std::uint64_t dropped = rx.counters().get(net::Counter::dropped_ring_full);
    for (const RingStage* stage : freeing) {
        const std::uint64_t released = stage->counters().get(net::Counter::released_packets);
        if (released != received || dropped != 0)
            throw BenchFailure(impl + ": rx " + std::to_string(received) + ", released " + std::to_string(released) +
                               ", dropped_ring_full " + std::to_string(dropped));
    }
    checked += ", rx " + std::to_string(received) + " = released, none dropped";
    rig.check_returned(impl);
    checked += ", mbufs all returned";
    return received;
}

}  // namespace

Measurement rte_ring_filter_release(const Rig& rig, const Window& window) {
    std::atomic<bool> stop{false};
    const net::PacketFilter filter(kFilterExpression);
    const Ring ring = make_ring("bench.rx", kRingSlots, rig.socket());
    RingRx rx(rig.port(), *ring, stop);
    FilterFree stage(*ring, rx, filter);
    Measurement m{};
    m.throughput = rig.run_cycles(stop, {&rx}, {&stage}, [&rx] { return rx.counters().get(net::Counter::rx_packets); },
                           window);
    m.checked = stage.filter().describe();
    check_released(rig, "rte_ring", rx, {&stage}, m.checked);
    return m;
}

Measurement rte_ring_refcnt_fanout3(const Rig& rig, const Window& window) {
    std::atomic<bool> stop{false};
    const net::PacketFilter filter(kFilterExpression);
    const Ring ring0 = make_ring("bench.rx", kRingSlots / 2, rig.socket());
    const Ring ring_a = make_ring("bench.a", kRingSlots / 2, rig.socket());
    const Ring ring_b = make_ring("bench.b", kRingSlots / 2, rig.socket());
    const Ring ring_c = make_ring("bench.c", kRingSlots / 2, rig.socket());
    RingRx rx(rig.port(), *ring0, stop);
    FilterFanout fanout(*ring0, rx, filter, {ring_a.get(), ring_b.get(), ring_c.get()});
    ReadFree a(*ring_a, fanout);
    ReadFree b(*ring_b, fanout);
    ReadFree c(*ring_c, fanout);
    Measurement m{};
    m.throughput = rig.run_cycles(stop, {&rx}, {&fanout, &a, &b, &c},
                           [&rx] { return rx.counters().get(net::Counter::rx_packets); }, window);
    m.checked = fanout.filter().describe();
    const std::uint64_t released = check_released(rig, "rte_ring_refcnt", rx, {&a, &b, &c}, m.checked);
    if (a.sums() != b.sums() || a.sums() != c.sums() || a.sums().packets != released)
        throw BenchFailure("rte_ring_refcnt: stages a, b, c saw " + std::to_string(a.sums().packets) + ", " +
                           std::to_string(b.sums().packets) + ", " + std::to_string(c.sums().packets) +
                           " packets (or different bytes) of " + std::to_string(released));
    m.checked += ", a = b = c (packets, bytes, data) = released";
    return m;
}

}  // namespace sentinel::bench
