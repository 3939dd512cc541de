#pragma once
// replay_pcap: drives a FeedHandler from a capture file, as if the file were the feed's line.
//
//   FILE (pcap or pcapng) ─▶ libpcap ─▶ Ethernet frame ─▶ udp_datagram ─▶ to `feed`? ─▶ handler.on_packet
//                                                        not IPv4 UDP, fragment, cut short: counted
//
// libpcap's pcap_open_offline reads classic pcap (micro- or nanosecond) and pcapng alike; the link
// type must be Ethernet. The frames are replayed in file order, as one in-order stream.
//
// Thread safety: the calling thread drives the handler.

#include <cstdint>
#include <string>

#include "feed/feed_handler.hpp"
#include "feed/udp_frame.hpp"

namespace sentinel::feed {

struct ReplaySummary {
    std::uint64_t frames = 0;           // records read
    std::uint64_t feed_datagrams = 0;   // UDP to the feed's endpoint: passed to the handler
    std::uint64_t other_datagrams = 0;  // UDP to anywhere else
    std::uint64_t not_udp = 0;          // not IPv4 UDP
    std::uint64_t fragments = 0;        // IPv4 fragments (not reassembled)
    std::uint64_t truncated = 0;        // shorter than their headers say
    std::string error;                  // libpcap's reason the file ended early; "" when read to the end
};

// Throws std::runtime_error naming the file when libpcap cannot open it or its link type is not
// Ethernet; a read error later ends the replay and is reported in `error`.
ReplaySummary replay_pcap(const std::string& path, const UdpEndpoint& feed, FeedHandler& handler);

}  // namespace sentinel::feed
