#pragma once
// PacketRing: the Disruptor of one RX queue. The RX lcore is its only producer and every stage
// spins on a polled lcore, so: single producer, busy spin, slots from a NUMA-placed memory
// resource (platform::DpdkMemory on the RX lcore's node).
//
//   PacketRing ring(std::allocator_arg, std::pmr::polymorphic_allocator<PacketSlot>(&memory), slots);

#include <memory_resource>

#include "disruptor/busy_spin_wait_strategy.hpp"
#include "disruptor/disruptor.hpp"
#include "packet_slot.hpp"

namespace sentinel::net {

using PacketRing = disruptor::Disruptor<PacketSlot, disruptor::ProducerType::single, disruptor::BusySpinWaitStrategy,
                                        std::pmr::polymorphic_allocator<PacketSlot>>;

}  // namespace sentinel::net
