#pragma once
// TopOfBookRing: the output Disruptor between the feed stage (its only producer) and the
// top-of-book publisher (its only consumer). The feed stage never waits on it: a full ring drops
// the change and counts it (feed_stage.hpp), because the feed stage and the publisher may share an
// lcore, where a producer waiting for room would wait for ever.
//
//   feed stage ──try_next/publish──▶ ring of TopOfBookEvent ──▶ publisher ─▶ UDP multicast, file

#include <cstdint>
#include <memory_resource>

#include "disruptor/busy_spin_wait_strategy.hpp"
#include "disruptor/cache_line.hpp"
#include "disruptor/disruptor.hpp"
#include "feed/top_of_book.hpp"

namespace sentinel::net {

// Two cache lines a slot (the record's 64 bytes and its number): the feed and the publisher, on
// different lcores, then never share a line between neighbouring slots.
struct alignas(2 * disruptor::kCacheLine) TopOfBookEvent {
    feed::TopOfBook top;
    std::uint64_t sequence = 0;  // the change's number (top_of_book.hpp): holes mark dropped changes
};

using TopOfBookRing = disruptor::Disruptor<TopOfBookEvent, disruptor::ProducerType::single,
                                           disruptor::BusySpinWaitStrategy,
                                           std::pmr::polymorphic_allocator<TopOfBookEvent>>;

}  // namespace sentinel::net
