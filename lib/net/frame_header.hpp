#pragma once
// FrameHeader: a stand-in mbuf header for a frame that lies in one piece, so that a PacketFilter
// runs on a slot's `data` without reading the packet's own mbuf (packet_slot.hpp says why).
//
//   slot.data, slot.data_len ─describe()─▶ rte_mbuf{buf_addr = data, data_off = 0,
//                                                   data_len = pkt_len = len, nb_segs = 1}
//
// A program from rte_bpf_convert reads buf_addr, data_off, data_len and pkt_len; a load past
// data_len goes to __rte_pktmbuf_read, which checks pkt_len first, and data_len = pkt_len here, so
// such a load ends the program as a load past a frame's end does. Every other field stays zero.
//
// Thread safety: one per thread; the header is the argument of the program being run.

#include <rte_mbuf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace sentinel::net {

class FrameHeader {
public:
    FrameHeader() noexcept : header_(new (storage_) rte_mbuf) {
        std::memset(header_, 0, sizeof *header_);
        header_->nb_segs = 1;
    }
    FrameHeader(const FrameHeader&) = delete;
    FrameHeader& operator=(const FrameHeader&) = delete;

    // The header of the `len` bytes at `data`, valid until the next call.
    const rte_mbuf* describe(const std::byte* data, std::uint16_t len) noexcept {
        header_->buf_addr = const_cast<std::byte*>(data);  // the program only reads through it
        header_->data_len = len;
        header_->pkt_len = len;
        return header_;
    }

private:
    // Storage rather than a member: rte_mbuf's zero-size markers make it an incomplete-looking
    // member to ISO C++ (-Wpedantic), not to placement new.
    alignas(rte_mbuf) std::byte storage_[sizeof(rte_mbuf)];
    rte_mbuf* header_;
};

}  // namespace sentinel::net
