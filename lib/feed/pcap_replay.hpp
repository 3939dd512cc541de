#pragma once
// FeedReplay: one line of a feed, from a capture file, through the engine the appliance runs
// (feed_engine.hpp), as line A with the capture's timestamps for its clock.
//
//   FILE (pcap or pcapng) ─▶ libpcap ─▶ Ethernet frame ─▶ udp_datagram ─▶ to `feed`? ─▶ FeedEngine
//                                                        not IPv4 UDP, fragment, cut short: counted
//   end of file ─▶ finish(): what is still missing is given up, what is held is applied
//
// There is no recovery server behind a file: a gap is re-requested from nowhere and given up when
// its recovery time has passed by the capture's clock, as the appliance without
// --rerequest-server does. Nothing is published. libpcap's pcap_open_offline reads classic pcap
// (micro- or nanosecond) and pcapng alike; the link type must be Ethernet.
//
// Thread safety: the calling thread drives the replay.

#include <cstdint>
#include <memory_resource>
#include <span>
#include <string>

#include "feed/arbitration_config.hpp"
#include "feed/feed_engine.hpp"
#include "feed/udp_frame.hpp"

namespace sentinel::feed {

struct ReplaySummary {
    std::uint64_t frames = 0;           // records read
    std::uint64_t feed_datagrams = 0;   // UDP to the feed's endpoint: passed to the engine
    std::uint64_t other_datagrams = 0;  // UDP to anywhere else
    std::uint64_t not_udp = 0;          // not IPv4 UDP
    std::uint64_t fragments = 0;        // IPv4 fragments (not reassembled)
    std::uint64_t truncated = 0;        // shorter than their headers say
    std::string error;                  // libpcap's reason the file ended early; "" when read to the end
};

class FeedReplay {
    struct NoRecovery {
        void send(const mold::Request&) noexcept {}
    };
    struct Unpublished {
        void on_top(const TopOfBook&) noexcept {}
        void on_gap(std::uint64_t, std::uint64_t) noexcept {}
        void on_unrecoverable(std::uint64_t, std::uint64_t) noexcept {}
        void on_gap_closed(const GapRecord&) noexcept {}
        void on_refused(const RefusedPacket&) noexcept {}
        void on_reanchor(std::uint64_t, std::uint64_t) noexcept {}
    };

public:
    using Engine = FeedEngine<NoRecovery, Unpublished>;

    explicit FeedReplay(const BookConfig& books = {}, std::pmr::memory_resource* memory = std::pmr::get_default_resource())
        : engine_(recovery_, output_, ArbitrationConfig{}, books, memory) {}

    // Replays the datagrams to `feed` in FILE's order, then finishes the stream. Throws
    // std::runtime_error naming the file when libpcap cannot open it or its link type is not
    // Ethernet; a read error later ends the replay and is reported in `error`.
    ReplaySummary replay(const std::string& path, const UdpEndpoint& feed);

    // A stream already in memory: one payload, captured at `time_ns`; then finish() once.
    void on_datagram(std::span<const std::byte> payload, std::uint64_t time_ns) noexcept {
        engine_.on_packet(Line::a, payload, time_ns, time_ns);
    }
    void finish() noexcept { engine_.finish(0); }  // the engine's clock never runs backwards

    const Engine& engine() const noexcept { return engine_; }

private:
    NoRecovery recovery_;
    Unpublished output_;
    Engine engine_;
};

}  // namespace sentinel::feed
