#include "udp_sender.hpp"

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_udp.h>

#include <cstring>

namespace sentinel::net {
namespace {

constexpr std::uint8_t kTtl = 32;

bool is_multicast(std::uint32_t address) noexcept { return (address >> 28) == 0xE; }  // 224.0.0.0/4

// RFC 1112: 01:00:5e and the group's low 23 bits.
rte_ether_addr multicast_mac(std::uint32_t group) noexcept {
    return rte_ether_addr{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>((group >> 16) & 0x7f),
                           static_cast<std::uint8_t>(group >> 8), static_cast<std::uint8_t>(group)}};
}

}  // namespace

UdpSender::UdpSender(std::uint16_t port, std::uint16_t queue, rte_mempool* pool, const UdpFlow& flow) noexcept
    : port_(port), queue_(queue), pool_(pool), flow_(flow) {
    if (is_multicast(flow_.destination_address)) flow_.destination_mac = multicast_mac(flow_.destination_address);
}

bool UdpSender::queue(std::span<const std::byte> payload) noexcept {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (m == nullptr || kHeaders + payload.size() > rte_pktmbuf_tailroom(m)) {
        rte_pktmbuf_free(m);  // null-safe
        count(failed_);
        return false;
    }
    auto* frame = rte_pktmbuf_mtod(m, std::byte*);
    auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
    eth->dst_addr = flow_.destination_mac;
    eth->src_addr = flow_.source_mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(frame + RTE_ETHER_HDR_LEN);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->type_of_service = 0;
    ip->total_length = rte_cpu_to_be_16(static_cast<std::uint16_t>(20 + 8 + payload.size()));
    ip->packet_id = rte_cpu_to_be_16(packet_id_++);
    ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live = kTtl;
    ip->next_proto_id = IPPROTO_UDP;
    ip->hdr_checksum = 0;
    ip->src_addr = rte_cpu_to_be_32(flow_.source_address);
    ip->dst_addr = rte_cpu_to_be_32(flow_.destination_address);

    auto* udp = reinterpret_cast<rte_udp_hdr*>(frame + RTE_ETHER_HDR_LEN + 20);
    udp->src_port = rte_cpu_to_be_16(flow_.source_port);
    udp->dst_port = rte_cpu_to_be_16(flow_.destination_port);
    udp->dgram_len = rte_cpu_to_be_16(static_cast<std::uint16_t>(8 + payload.size()));
    udp->dgram_cksum = 0;
    std::memcpy(frame + kHeaders, payload.data(), payload.size());
    m->data_len = static_cast<std::uint16_t>(kHeaders + payload.size());
    m->pkt_len = m->data_len;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);

    burst_[pending_++] = m;
    if (pending_ == kBurst) flush();
    return true;
}

void UdpSender::flush() noexcept {
    std::uint16_t sent = 0;
    for (unsigned attempt = 0; sent < pending_ && attempt <= kRetries; ++attempt) {
        if (attempt != 0) rte_pause();
        sent += rte_eth_tx_burst(port_, queue_, burst_.data() + sent, static_cast<std::uint16_t>(pending_ - sent));
    }
    if (sent < pending_) {
        rte_pktmbuf_free_bulk(burst_.data() + sent, pending_ - sent);
        count(failed_, pending_ - sent);
    }
    count(sent_, sent);
    pending_ = 0;
}

}  // namespace sentinel::net
