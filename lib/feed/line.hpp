#pragma once
// Line: where a MoldUDP64 packet of the feed came from.
//
//   line A   (a multicast group:port) ──┐
//   line B   (another group:port)     ──┼──▶ LineArbitrator ──▶ each sequence number once, in order
//   recovery (the re-request server's ──┘
//             answers, to our address)
//
// The exchange publishes every packet twice, on A and B, over separate networks: a packet lost on
// one line is usually still on the other. What both lost comes back only by re-request, and those
// answers arrive as a third source.
//
// Thread safety: a value type.

#include <cstddef>
#include <cstdint>

namespace sentinel::feed {

enum class Line : std::uint8_t {
    a,
    b,
    recovery,
};

inline constexpr std::size_t kLineCount = 3;

}  // namespace sentinel::feed
