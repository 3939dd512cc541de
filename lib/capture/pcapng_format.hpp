#pragma once
// pcapng_format: the pcapng blocks the journal writes and checks (IETF draft-ietf-opsawg-pcapng),
// in host byte order; the section header's byte-order magic tells readers which order that is.
//
//   every block   ┌ type u32 ┬ total length u32 ┬ body, padded to 4 bytes ┬ total length u32 ┐
//
//   a journal file
//   ┌ SHB ┬ IDB 0 ┬ IDB 1 ┬ filler ┐┌ EPB ┬ EPB ┬ ... ┬ EPB ┬ filler ┐┌ EPB ┬ ... ┐ ... ┌ ISB 0 ┬ ISB 1 ┬ filler ┐
//   └── header buffer (4 KiB) ─────┘└───────── one producer buffer ───┘└─ ... ─┘     └─ written at close ────┘
//
// Each buffer is written with O_DIRECT, so it must end on a 4 KiB boundary: the producer closes it
// with a filler block that readers skip. The filler is a Name Resolution Block holding no records and
// one opt_comment of spaces. A Custom Block (0x40000BAD) would be the obvious choice, but tshark 4.0
// lists custom blocks as frames ("PCAPNG ... Custom Block: PEN = ..."), so the packet count it shows
// would be wrong; an empty NRB is read silently by tshark, capinfos and tcpdump (libpcap).
//
// Interfaces declare if_tsresol = 9, so EPB and ISB timestamps are nanoseconds since the epoch.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace sentinel::capture::pcapng {

inline constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
inline constexpr std::uint32_t kInterfaceDescription = 0x00000001;
inline constexpr std::uint32_t kNameResolution = 0x00000004;
inline constexpr std::uint32_t kInterfaceStatistics = 0x00000005;
inline constexpr std::uint32_t kEnhancedPacket = 0x00000006;

inline constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
inline constexpr std::uint16_t kLinkTypeEthernet = 1;
// The largest snapshot length readers accept (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD).
inline constexpr std::uint32_t kMaxSnaplen = 262144;

// Smallest well-formed blocks: header and trailer (12) plus each type's fixed fields.
inline constexpr std::size_t kMinBlockSize = 12;
inline constexpr std::size_t kMinSectionHeaderSize = 28;
inline constexpr std::size_t kMinInterfaceDescriptionSize = 20;
inline constexpr std::size_t kMinInterfaceStatisticsSize = 24;

// type, total length, interface id, timestamp high and low, captured and original length.
struct EnhancedPacketHeader {
    std::uint32_t type;
    std::uint32_t total_length;
    std::uint32_t interface_id;
    std::uint32_t timestamp_high;
    std::uint32_t timestamp_low;
    std::uint32_t captured_length;
    std::uint32_t original_length;
};
static_assert(sizeof(EnhancedPacketHeader) == 28, "the EPB's fixed fields are 28 bytes on disk, unpadded");

// An EPB adds its header and the trailing length to the data, padded to 4 bytes.
inline constexpr std::size_t kEnhancedPacketOverhead = sizeof(EnhancedPacketHeader) + 4;

constexpr std::size_t pad4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

constexpr std::size_t enhanced_packet_size(std::uint32_t captured) noexcept {
    return kEnhancedPacketOverhead + pad4(captured);
}

// The packet data goes at the returned pointer; the caller copies `captured` bytes there, then
// calls finish_enhanced_packet with the same `size`.
inline std::byte* begin_enhanced_packet(std::byte* at, std::size_t size, std::uint32_t interface_id,
                                        std::uint64_t timestamp_ns, std::uint32_t original,
                                        std::uint32_t captured) noexcept {
    const EnhancedPacketHeader h{kEnhancedPacket,
                                 static_cast<std::uint32_t>(size),
                                 interface_id,
                                 static_cast<std::uint32_t>(timestamp_ns >> 32),
                                 static_cast<std::uint32_t>(timestamp_ns),
                                 captured,
                                 original};
    std::memcpy(at, &h, sizeof h);
    return at + sizeof h;
}

// Zeroes the data's padding and writes the trailing length.
inline void finish_enhanced_packet(std::byte* at, std::size_t size, std::uint32_t captured) noexcept {
    std::byte* data_end = at + sizeof(EnhancedPacketHeader) + captured;
    std::memset(data_end, 0, pad4(captured) - captured);
    const auto length = static_cast<std::uint32_t>(size);
    std::memcpy(at + size - 4, &length, 4);
}

// Filler: an NRB with only the end-of-records record, an opt_comment of spaces and opt_endofopt.
// 20 bytes without the comment; a gap of 4, 8, 12 or 16 bytes has no filler and needs 4 KiB more.
inline constexpr std::size_t kMinFillerSize = 20;

// Writes a filler of exactly `length` bytes: any multiple of 4 from kMinFillerSize up.
void write_filler(std::byte* at, std::size_t length) noexcept;

// Cold-path builders: append one whole block to `out`.
void append_section_header(std::vector<std::byte>& out, std::string_view application);
void append_interface_description(std::vector<std::byte>& out, std::string_view name, std::uint32_t snaplen);
void append_interface_statistics(std::vector<std::byte>& out, std::uint32_t interface_id,
                                 std::uint64_t timestamp_ns, std::uint64_t received, std::uint64_t dropped);

}  // namespace sentinel::capture::pcapng
