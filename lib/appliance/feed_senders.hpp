#pragma once
// FeedSenders: the UDP flows the feed stage and the publisher send on the --feed-tx port, each on
// its own TX queue: re-requests to --rerequest-server from --rerequest-source (to the next hop's
// --rerequest-mac, broadcast by default: the appliance speaks no ARP), and top-of-book datagrams
// to --tob-multicast from --tob-source (or the re-request source address; the options insist on
// one: receivers drop multicast from 0.0.0.0) and the group's port.
//
// Thread safety: built on the main thread; each sender then belongs to the lcore of its stage.

#include <optional>

#include "net/udp_sender.hpp"
#include "config.hpp"
#include "receive_ports.hpp"

namespace sentinel::appliance {

struct FeedSenders {
    FeedSenders(const Config& options, const ReceivePorts& ports);

    std::optional<net::UdpSender> rerequests;
    std::optional<net::UdpSender> multicast;
};

}  // namespace sentinel::appliance
