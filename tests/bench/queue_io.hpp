#pragma once
// Moving events through a peer queue in units of Burst: one event per call (Burst == 1), or up
// to Burst per call as DPDK code drives rte_ring. Full and empty queues are waited out with Idle,
// the rule Sentinel's wait strategy follows too.
//
//   produce<B>(first, count, [&](block) { send<B>(q, block, idle); });   a producer
//   consume<B>(q, count, idle, [&](block) { ... });                        a consumer
//   relay<B>(in, count, tally, idle, &out, step);                          a tallying stage

#include <cstdint>
#include <span>

#include "harness.hpp"
#include "idle.hpp"
#include "peer_queues.hpp"

namespace sentinel::bench {

// Enqueues every value of `block`, waiting while the queue is full.
template <int Burst, PeerQueue Q>
void send(Q& q, std::span<const std::int64_t> block, Idle& idle) {
    if constexpr (Burst == 1) {
        for (std::int64_t v : block) {
            while (!q.try_push(v)) idle.pause();
            idle.reset();
        }
    } else {
        static_assert(BurstQueue<Q>, "bursts need a queue that moves several events per call");
        while (!block.empty()) {
            const std::size_t n = q.push_some(block);
            if (n == 0) {
                idle.pause();
                continue;
            }
            idle.reset();
            block = block.subspan(n);
        }
    }
}

// Dequeues up to Burst values into `out` without waiting; returns how many (0: empty).
template <int Burst, PeerQueue Q>
std::size_t receive(Q& q, std::span<std::int64_t, Burst> out) {
    if constexpr (Burst == 1) {
        return q.try_pop(out[0]) ? 1 : 0;
    } else {
        static_assert(BurstQueue<Q>, "bursts need a queue that moves several events per call");
        return q.pop_some(out);
    }
}

// Dequeues exactly out.size() values, waiting while the queue is empty.
template <int Burst, PeerQueue Q>
void receive_exactly(Q& q, std::span<std::int64_t> out, Idle& idle) {
    while (!out.empty()) {
        std::size_t n;
        if constexpr (Burst == 1) n = q.try_pop(out[0]) ? 1 : 0;
        else n = q.pop_some(out);
        if (n == 0) {
            idle.pause();
            continue;
        }
        idle.reset();
        out = out.subspan(n);
    }
}

// Hands the values first .. first + count - 1 to `emit` in blocks of Burst.
template <int Burst, class Emit>
void produce(std::int64_t first, std::int64_t count, Emit&& emit) {
    std::int64_t block[Burst];
    for (std::int64_t base = first; base < first + count; base += Burst) {
        for (int i = 0; i < Burst; ++i) block[i] = base + i;
        emit(std::span<const std::int64_t>(block, Burst));
    }
}

// Hands each block dequeued from `q` to `on_block` until `count` values have been seen.
template <int Burst, PeerQueue Q, class OnBlock>
void consume(Q& q, std::int64_t count, Idle& idle, OnBlock&& on_block) {
    std::int64_t block[Burst];
    for (std::int64_t seen = 0; seen < count;) {
        const std::size_t n = receive<Burst>(q, std::span<std::int64_t, Burst>(block));
        if (n == 0) {
            idle.pause();
            continue;
        }
        idle.reset();
        on_block(std::span<std::int64_t>(block, n));
        seen += static_cast<std::int64_t>(n);
    }
}

// A queue consumer: takes `count` events from `in`, tallies them, and forwards each one plus
// `step` to `out` when there is one (a pipeline or diamond stage). Finishes the tally at the end.
template <int Burst, PeerQueue In, PeerQueue Out = In>
void relay(In& in, std::int64_t count, Tally& tally, Idle& idle, Out* out = nullptr, std::int64_t step = 0) {
    std::int64_t seen = 0;
    std::int64_t sum = 0;
    consume<Burst>(in, count, idle, [&](std::span<std::int64_t> block) {
        seen += static_cast<std::int64_t>(block.size());
        for (std::int64_t& v : block) {
            sum += v;
            v += step;
        }
        if (out) send<Burst>(*out, block, idle);
    });
    tally.count = seen;
    tally.sum = sum;
    tally.finish();
}

}  // namespace sentinel::bench
