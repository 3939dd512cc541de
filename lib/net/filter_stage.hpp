#pragma once
// FilterStage: the ring's first stage and the only writer of PacketSlot::verdict. Each rule pairs
// a verdict bit with a PacketFilter; a slot's verdict is the OR of the bits whose filter matches
// its packet. A rule with the empty expression sets its bit on every slot without running a program.
//
//   RX ─▶ ring ─▶ filter ─┬─▶ capture  (reads kCapture)
//                         ├─▶ forward  (reads kForward)
//                         └─▶ ...      ─▶ release
//
// The filter is the first stage to touch packet bytes, which the NIC's DMA wrote to memory this
// core has not seen: it prefetches the first bytes of the packets ahead of the one it filters (their
// address is in the slot), so the loads the program makes hit L1. A frame in one segment is filtered
// through a stand-in header (frame_header.hpp), never its mbuf's: packet_slot.hpp says why.
//
// Memory ordering: none of its own. The stage reads slots after the ring's A1 and writes verdicts
// that its sequence's R2 (in the processor, after on_events returns) hands to the stages gated on it.
//
// Thread safety: constructor on the main thread (PacketFilter needs the EAL); on_events on the lcore
// that polls the stage.

#include <cstdint>
#include <span>
#include <vector>

#include "packet_filter.hpp"
#include "packet_slot.hpp"
#include "verdict.hpp"

namespace sentinel::net {

struct FilterRule {
    Verdict bit;
    PacketFilter filter;
};

class FilterStage {
public:
    // Enough for the rules the appliance has (capture, forward) and a feed line or two.
    static constexpr std::size_t kMaxRules = 8;

    // Throws std::invalid_argument for more than kMaxRules rules, or a bit that is not a single
    // bit or that two rules share.
    explicit FilterStage(std::vector<FilterRule> rules);

    void on_events(std::span<PacketSlot> slots, std::int64_t first_sequence, bool end_of_batch);

private:
    std::uint32_t always_ = 0;         // the bits of the rules that match everything
    std::vector<FilterRule> matched_;  // the rules that run a program, in the order given
};

}  // namespace sentinel::net
