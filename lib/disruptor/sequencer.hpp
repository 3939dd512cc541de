#pragma once
// Sequencer: hands out slots to producers and tells consumers which slots are published.
//
//   SingleProducerSequencer   one producing thread; no atomic read-modify-write on the hot path
//   MultiProducerSequencer    any number of producing threads; claim by fetch-add, per-slot flags
//
// Both gate producers on the slowest of the last stages (the gating sequences), so a slot is never
// overwritten before every stage has finished with it.

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "sequence.hpp"
#include "wait_strategy.hpp"

namespace sentinel::disruptor {

template <class S>
concept Sequencer = requires(S& s, const S& cs, std::int64_t n, const Sequence* gate) {
    typename S::WaitStrategyType;
    { s.next(n) } -> std::same_as<std::int64_t>;
    { s.try_next(n) } -> std::same_as<std::optional<std::int64_t>>;
    s.publish(n);
    s.publish(n, n);
    s.add_gating_sequence(gate);
    { cs.is_available(n) } -> std::same_as<bool>;
    { cs.highest_published(n, n) } -> std::same_as<std::int64_t>;
    { cs.cursor() } -> std::same_as<const Sequence&>;
    { cs.buffer_size() } -> std::same_as<std::int64_t>;
    { s.wait_strategy() } -> std::same_as<typename S::WaitStrategyType&>;
};

[[noreturn, gnu::cold, gnu::noinline]] inline void refuse_claim_size(std::int64_t n, std::int64_t buffer_size) {
    throw std::invalid_argument("cannot claim " + std::to_string(n) + " slots of a " + std::to_string(buffer_size) +
                                "-slot ring (need 1.." + std::to_string(buffer_size) + ")");
}

// A claim of n slots must fit in the ring: a larger claim could never be satisfied and would
// deadlock the producer, so it is refused up front. Two compares on every claim; the message is
// built out of line, so the check inlines into the producer's loop.
[[gnu::always_inline]] inline void check_claim_size(std::int64_t n, std::int64_t buffer_size) {
    if (n < 1 || n > buffer_size) [[unlikely]]
        refuse_claim_size(n, buffer_size);
}

}  // namespace sentinel::disruptor
