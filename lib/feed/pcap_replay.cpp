#include "feed/pcap_replay.hpp"

#include <pcap/pcap.h>

#include <memory>
#include <stdexcept>

namespace sentinel::feed {

ReplaySummary FeedReplay::replay(const std::string& path, const UdpEndpoint& feed) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const std::unique_ptr<pcap_t, decltype(&pcap_close)> pcap(
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf), &pcap_close);
    if (!pcap) throw std::runtime_error("pcap_open_offline: " + path + ": " + errbuf);
    if (pcap_datalink(pcap.get()) != DLT_EN10MB)
        throw std::runtime_error(path + ": link type " + std::to_string(pcap_datalink(pcap.get())) +
                                 " is not Ethernet (" + std::to_string(DLT_EN10MB) + ")");
    ReplaySummary s;
    pcap_pkthdr* header;
    const u_char* data;
    int rc;
    while ((rc = pcap_next_ex(pcap.get(), &header, &data)) == 1) {
        ++s.frames;
        const UdpDatagram d =
            udp_datagram(std::span(reinterpret_cast<const std::byte*>(data), header->caplen));  // any object's bytes
        switch (d.kind) {
            case FrameKind::udp:
                if (d.destination == feed) {
                    ++s.feed_datagrams;
                    const auto ns = static_cast<std::uint64_t>(header->ts.tv_sec) * 1'000'000'000u +
                                    static_cast<std::uint64_t>(header->ts.tv_usec);  // nanoseconds, as opened
                    on_datagram(d.payload, ns);
                } else {
                    ++s.other_datagrams;
                }
                break;
            case FrameKind::other: ++s.not_udp; break;
            case FrameKind::fragment: ++s.fragments; break;
            case FrameKind::truncated: ++s.truncated; break;
        }
    }
    if (rc != PCAP_ERROR_BREAK) s.error = pcap_geterr(pcap.get());
    finish();
    return s;
}

}  // namespace sentinel::feed
