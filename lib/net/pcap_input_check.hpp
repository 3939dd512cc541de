#pragma once
// pcap_input_check: reads the record headers of a file that net_pcap will replay (rx_pcap=) as
// libpcap 1.10 reads them, and says where the file is damaged and what net_pcap will make of it.
//
//   0          24                                  first_bad_offset                 file_size
//   ├ header ──┼ hdr│data ┼ hdr│data ┼ ... ┼ hdr│data ┼ hdr (caplen 4294967295) ┼ data read as headers ... ┤
//              └────────── good_records ───────────┘└─ damaged: refused, cut, phantom or torn records ─┘
//
// libpcap finds each record by the caplen of the one before, and nothing else. A caplen above
// 262144, or a record running past the end of the file, it refuses: net_pcap with infinite_rx=1
// stops counting there and loops over what came before; without it net_pcap asks again, and libpcap
// reads on from just after the refused header, taking the record's own bytes for headers: the
// packets it then hands out are phantoms (a stretch of zeros reads as 0-byte packets, one per 16
// bytes). Other damage libpcap hands out as it stands: a caplen above the snaplen (cut to it), above
// the original length, or 0, and a timestamp fraction of a second or more. The check takes the same
// steps, so its counts are what net_pcap will deliver; after the first damage they describe what
// libpcap will read, which need not be the records that were written.
//
// pcapng is checked for framing only: block lengths, the section header's byte order, and each
// packet block's caplen inside its block. The pass ends at the first block whose framing breaks
// (libpcap refuses it; what it reads after that is not predicted).
//
// Headers only: a window of the file is read at a time and records are skipped by their caplen,
// so a large file costs what reading its headers' pages from the disk costs.
//
// Thread safety: a plain function; each call opens the file itself.

#include <cstdint>
#include <string>

namespace sentinel::net {

struct PcapInputCheck {
    enum class Format {
        pcap,     // classic pcap, either byte order, micro- or nanosecond timestamps
        pcapng,
        unknown,  // no magic libpcap knows: net_pcap will not open it
    };
    Format format = Format::pcap;
    bool opens = true;         // libpcap will open it: a known magic and version and a whole file header
    bool swapped = false;      // written in the other byte order than this machine's
    bool nanoseconds = false;  // timestamps in nanoseconds (magic 0xa1b23c4d)
    std::uint32_t snaplen = 0; // libpcap's: the header's, or 262144 where that is 0 or larger
    std::uint64_t file_size = 0;

    // What one pass of libpcap over the file hands out: what net_pcap delivers without infinite_rx.
    std::uint64_t packets = 0;
    std::uint64_t runts = 0;              // of them, shorter than an Ethernet header (14 bytes)
    std::uint64_t refused_records = 0;    // records libpcap refuses (net_pcap counts each in ierrors)
    std::uint64_t before_refusal = 0;     // packets before the first refusal: what infinite_rx=1 loops over
    std::uint64_t damaged_records = 0;    // records read with something wrong, refused or handed out
    std::uint64_t damaged_bytes = 0;      // their headers and data

    // The first damage.
    std::uint64_t good_records = 0;       // records before it: all of them when the file is sound
    std::uint64_t first_bad_offset = 0;   // where its record header (pcapng: block) starts
    bool nothing_good_after = false;      // pcap: no sound record follows it, so cutting the file there loses none
    std::string problem;                  // what is wrong there; "" when nothing is

    bool damaged() const noexcept { return !problem.empty(); }
};

inline constexpr std::uint32_t kPcapMaxCaplen = 262144;  // libpcap's limit for Ethernet (MAXIMUM_SNAPLEN)
inline constexpr std::uint32_t kEthernetHeaderBytes = 14;

// Throws std::system_error when the file cannot be opened or read.
PcapInputCheck check_pcap_input(const std::string& path);

}  // namespace sentinel::net
