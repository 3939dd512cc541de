#include "feed_senders.hpp"

#include <rte_ethdev.h>

#include <algorithm>

namespace sentinel::appliance {

FeedSenders::FeedSenders(const Config& o, const ReceivePorts& ports) {
    if (!o.feed_tx) return;
    const auto port = static_cast<std::uint16_t>(*o.feed_tx);
    net::UdpFlow flow;
    rte_eth_macaddr_get(port, &flow.source_mac);
    if (o.rerequest_source) {
        flow.source_address = o.rerequest_source->address;
        flow.source_port = o.rerequest_source->port;
    }
    if (o.rerequest_server) {
        net::UdpFlow r = flow;
        if (o.rerequest_mac) std::ranges::copy(*o.rerequest_mac, r.destination_mac.addr_bytes);
        else r.destination_mac = rte_ether_addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
        r.destination_address = o.rerequest_server->address;
        r.destination_port = o.rerequest_server->port;
        rerequests.emplace(port, ports.feed_tx_queue(), ports.feed_tx_pool(), r);
    }
    if (o.tob_multicast) {
        net::UdpFlow m = flow;
        if (o.tob_source) m.source_address = *o.tob_source;
        if (!o.rerequest_source) m.source_port = o.tob_multicast->port;
        m.destination_address = o.tob_multicast->address;
        m.destination_port = o.tob_multicast->port;
        multicast.emplace(port, static_cast<std::uint16_t>(ports.feed_tx_queue() + (rerequests ? 1 : 0)),
                          ports.feed_tx_pool(), m);
    }
}

}  // namespace sentinel::appliance
