#pragma once
// Verdict: the bits a filter stage writes into PacketSlot::verdict, one per rule that selects
// packets; the stages downstream of the filter read their own bit.

#include <cstdint>

namespace sentinel::net {

enum Verdict : std::uint32_t {
    kCapture = 1u << 0,  // --capture-filter matched: the capture stage writes the packet
    kForward = 1u << 1,  // --forward-filter matched: the forward stage transmits it
};

}  // namespace sentinel::net
