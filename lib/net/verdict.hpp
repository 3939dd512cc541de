#pragma once
// Verdict: the bits a filter stage writes into PacketSlot::verdict, one per rule that selects
// packets; the stages downstream of the filter read their own bit.

#include <cstdint>

namespace sentinel::net {

enum Verdict : std::uint32_t {
    kCapture = 1u << 0,       // --capture-filter matched: the capture stage writes the packet
    kForward = 1u << 1,       // --forward-filter matched: the forward stage transmits it
    kFeedA = 1u << 2,         // UDP to --feed-a: the feed stage reads it as line A
    kFeedB = 1u << 3,         // UDP to --feed-b: line B
    kFeedRecovery = 1u << 4,  // UDP from --rerequest-server to --rerequest-source: a recovery answer
};

inline constexpr std::uint32_t kFeedLines = kFeedA | kFeedB | kFeedRecovery;

// Verdicts whose stage takes an mbuf reference of its own (the forward stage, for the driver to
// drop after transmitting): the release stage then drops the ring's with rte_pktmbuf_free.
inline constexpr std::uint32_t kReferencing = kForward;

}  // namespace sentinel::net
