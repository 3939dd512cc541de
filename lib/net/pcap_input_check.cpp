#include "pcap_input_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

#include "capture/printf_string.hpp"

namespace sentinel::net {
namespace {

constexpr std::uint32_t kMagicMicro = 0xA1B2C3D4;
constexpr std::uint32_t kMagicNano = 0xA1B23C4D;
// Alexey Kuznetzov's patched libpcap: 8 more bytes in each record header (ifindex, protocol, type).
constexpr std::uint32_t kMagicPatched = 0xA1B2CD34;
constexpr std::uint32_t kPcapngSectionHeader = 0x0A0D0D0A;
constexpr std::size_t kFileHeaderBytes = 24;
constexpr std::size_t kRecordHeaderBytes = 16;
constexpr std::size_t kPatchedRecordHeaderBytes = 24;
constexpr std::uint32_t kLinkTypeEthernet = 1;

using capture::printf_string;
using ull = unsigned long long;

// The file read a window at a time: records a few dozen bytes apart share one read, and a skip past
// the window costs one pread at the next header.
class FileWindow {
public:
    static constexpr std::size_t kWindowBytes = 1 << 20;

    explicit FileWindow(const std::string& path) : path_(path), buffer_(kWindowBytes) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw std::system_error(errno, std::system_category(), path);
        struct stat st{};
        if (::fstat(fd_, &st) != 0) {
            const int error = errno;
            ::close(fd_);
            throw std::system_error(error, std::system_category(), path);
        }
        size_ = static_cast<std::uint64_t>(st.st_size);
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);  // a hint: nothing depends on it
    }
    ~FileWindow() { ::close(fd_); }
    FileWindow(const FileWindow&) = delete;
    FileWindow& operator=(const FileWindow&) = delete;

    std::uint64_t size() const noexcept { return size_; }

    // The `n` bytes at `offset` (n at most kWindowBytes); fewer where the file ends first.
    const std::byte* at(std::uint64_t offset, std::size_t n, std::size_t& got) {
        if (offset < start_ || offset + n > start_ + held_) fill(offset);
        got = static_cast<std::size_t>(std::min<std::uint64_t>(n, start_ + held_ - offset));
        return buffer_.data() + (offset - start_);
    }

private:
    void fill(std::uint64_t offset) {
        start_ = offset;
        held_ = 0;
        while (held_ < buffer_.size()) {
            const ssize_t n = ::pread(fd_, buffer_.data() + held_, buffer_.size() - held_,
                                      static_cast<off_t>(offset + held_));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::system_error(errno, std::system_category(), path_);
            if (n == 0) break;
            held_ += static_cast<std::size_t>(n);
        }
    }

    std::string path_;
    std::vector<std::byte> buffer_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    std::uint64_t start_ = 0;  // the file offset of buffer_[0]
    std::size_t held_ = 0;     // bytes of the file in buffer_
};

std::uint32_t load32(const std::byte* p, bool swapped) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return swapped ? __builtin_bswap32(v) : v;
}

std::uint16_t load16(const std::byte* p, bool swapped) noexcept {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return swapped ? __builtin_bswap16(v) : v;
}

// How libpcap reads caplen and len: files before version 2.3 (and DG/UX's 543.0) wrote them the
// other way round, and some 2.3 files did and some did not.
enum class LengthOrder { as_written, swapped, swapped_if_caplen_larger };

LengthOrder length_order(std::uint16_t major, std::uint16_t minor) {
    if (major == 543 || (major == 2 && minor < 3)) return LengthOrder::swapped;
    if (major == 2 && minor == 3) return LengthOrder::swapped_if_caplen_larger;
    return LengthOrder::as_written;
}

// The walk over a classic pcap file's records, one libpcap step at a time.
class RecordWalk {
public:
    RecordWalk(FileWindow& file, PcapInputCheck& c) : file_(file), c_(c) {}

    void run() {
        std::size_t got = 0;
        const std::byte* h = file_.at(0, kFileHeaderBytes, got);
        const std::uint32_t raw = load32(h, false);
        c_.swapped = raw == __builtin_bswap32(kMagicMicro) || raw == __builtin_bswap32(kMagicNano) ||
                     raw == __builtin_bswap32(kMagicPatched);
        const std::uint32_t magic = c_.swapped ? __builtin_bswap32(raw) : raw;
        c_.nanoseconds = magic == kMagicNano;
        if (got < kFileHeaderBytes) return refuse_file(printf_string("file header cut short: %zu of 24 bytes", got));
        const std::uint16_t major = load16(h + 4, c_.swapped), minor = load16(h + 6, c_.swapped);
        if (!(major == 2 && minor <= 4) && !(major == 543 && minor == 0))
            return refuse_file(printf_string("pcap version %u.%u, which libpcap does not read", major, minor));
        const std::uint32_t snaplen = load32(h + 16, c_.swapped);
        const std::uint32_t link_type = load32(h + 20, c_.swapped) & 0x03FFFFFF;  // the low bits: the FCS ones aside
        c_.snaplen = snaplen == 0 || snaplen > kPcapMaxCaplen ? kPcapMaxCaplen : snaplen;
        // The patched format's Ethernet captures may carry a made-up 14-byte header past the snaplen.
        if (magic == kMagicPatched && link_type == kLinkTypeEthernet) c_.snaplen += kEthernetHeaderBytes;
        header_bytes_ = magic == kMagicPatched ? kPatchedRecordHeaderBytes : kRecordHeaderBytes;
        order_ = length_order(major, minor);
        units_ = c_.nanoseconds ? 1'000'000'000 : 1'000'000;
        records(kFileHeaderBytes);
    }

private:
    void refuse_file(std::string problem) {
        c_.opens = false;
        c_.problem = std::move(problem);
    }

    // From `at` to the end of the file, as libpcap's pcap_next_packet goes.
    void records(std::uint64_t at) {
        const std::uint64_t size = file_.size();
        while (at < size) {
            std::size_t got = 0;
            const std::byte* h = file_.at(at, header_bytes_, got);
            if (got < header_bytes_) {  // libpcap: "truncated dump file"; the next read finds the end
                damage(at, size - at, printf_string("record header cut short: %zu of %zu bytes", got, header_bytes_));
                return refuse();
            }
            const std::uint32_t fraction = load32(h + 4, c_.swapped);
            std::uint32_t caplen = load32(h + 8, c_.swapped), len = load32(h + 12, c_.swapped);
            if (order_ == LengthOrder::swapped || (order_ == LengthOrder::swapped_if_caplen_larger && caplen > len))
                std::swap(caplen, len);
            const std::uint64_t data = at + header_bytes_;
            if (caplen > kPcapMaxCaplen) {  // refused; libpcap's next read starts right after this header
                damage(at, header_bytes_, printf_string("caplen %u above libpcap's limit of %u", caplen, kPcapMaxCaplen));
                refuse();
                at = data;
                continue;
            }
            if (caplen > size - data) {  // libpcap reads to the end of the file and refuses the record
                damage(at, size - at, printf_string("record of %u bytes runs past the end of the file (%llu left)", caplen,
                                             static_cast<ull>(size - data)));
                return refuse();
            }
            const std::uint32_t delivered = std::min(caplen, c_.snaplen);
            ++c_.packets;
            if (delivered < kEthernetHeaderBytes) ++c_.runts;
            if (c_.refused_records == 0) ++c_.before_refusal;
            if (std::string problem = handed_out_problem(h, caplen, len, fraction); !problem.empty())
                damage(at, header_bytes_ + caplen, std::move(problem));
            else if (!c_.damaged())
                ++c_.good_records;
            else
                c_.nothing_good_after = false;
            at = data + caplen;
        }
    }

    // What is wrong with a record libpcap hands out; "" when nothing is.
    std::string handed_out_problem(const std::byte* h, std::uint32_t caplen, std::uint32_t len,
                                   std::uint32_t fraction) const {
        if (caplen > c_.snaplen) return printf_string("caplen %u above the file's snaplen of %u", caplen, c_.snaplen);
        if (caplen > len) return printf_string("caplen %u above the original length of %u", caplen, len);
        if (caplen == 0) {
            const bool zeros = std::all_of(h, h + header_bytes_, [](std::byte b) { return b == std::byte{0}; });
            return zeros ? "a record header of zeros (caplen 0)" : "caplen 0";
        }
        if (fraction >= units_)
            return printf_string("timestamp fraction %u of %u per second", fraction, static_cast<unsigned>(units_));
        return {};
    }

    void damage(std::uint64_t at, std::uint64_t bytes, std::string problem) {
        ++c_.damaged_records;
        c_.damaged_bytes += bytes;
        if (c_.damaged()) return;
        c_.nothing_good_after = true;
        c_.first_bad_offset = at;
        c_.problem = std::move(problem);
    }

    void refuse() noexcept { ++c_.refused_records; }

    FileWindow& file_;
    PcapInputCheck& c_;
    std::size_t header_bytes_ = kRecordHeaderBytes;
    LengthOrder order_ = LengthOrder::as_written;
    std::uint32_t units_ = 1'000'000;
};

// pcapng, for framing: each block's length (at least 12, a multiple of 4, inside the file, the same
// at its end), the section header's byte order, and a packet block's caplen inside its block. libpcap
// refuses a block whose framing breaks; what it reads after that is not predicted, so the pass ends there.
class BlockWalk {
public:
    BlockWalk(FileWindow& file, PcapInputCheck& c) : file_(file), c_(c) {}

    void run() {
        c_.format = PcapInputCheck::Format::pcapng;
        c_.snaplen = kPcapMaxCaplen;
        const std::uint64_t size = file_.size();
        std::uint64_t at = 0;
        while (at < size) {
            std::size_t got = 0;
            const std::byte* h = file_.at(at, kPacketBlockHead, got);
            if (got < kMinBlockBytes)
                return broken(at, printf_string("block header cut short: %zu of %zu bytes", got, kMinBlockBytes));
            const bool section = load32(h, false) == kPcapngSectionHeader;  // the same in either byte order
            if (section) {
                const std::uint32_t magic = load32(h + 8, false);
                c_.swapped = magic == __builtin_bswap32(kByteOrderMagic);
                if (!c_.swapped && magic != kByteOrderMagic)
                    return broken(at, printf_string("section header block with byte-order magic 0x%08x", magic));
            }
            const std::uint32_t type = load32(h, c_.swapped), length = load32(h + 4, c_.swapped);
            if (length < kMinBlockBytes || length % 4 != 0)
                return broken(at, printf_string("block type 0x%08x with length %u", type, length));
            if (length > size - at)
                return broken(at, printf_string("block type 0x%08x of %u bytes runs past the end of the file (%llu left)",
                                         type, length, static_cast<ull>(size - at)));
            std::uint32_t fields[kPacketBlockHead / 4] = {};  // the window may move to reach the trailer
            std::memcpy(fields, h, std::min(got, kPacketBlockHead));
            h = reinterpret_cast<const std::byte*>(fields);
            std::size_t got_trailer = 0;
            if (const std::uint32_t trailer = load32(file_.at(at + length - 4, 4, got_trailer), c_.swapped);
                trailer != length)
                return broken(at, printf_string("block type 0x%08x of %u bytes ends in length %u", type, length, trailer));
            if (section && load16(h + 12, c_.swapped) != 1)
                return broken(at, printf_string("section header version %u.%u", load16(h + 12, c_.swapped),
                                         load16(h + 14, c_.swapped)));
            if (type == kInterfaceDescription) interfaces_ = true;
            if (type == kEnhancedPacket || type == kObsoletePacket) {
                const std::uint32_t caplen = load32(h + 20, c_.swapped), len = load32(h + 24, c_.swapped);
                if (got < kPacketBlockHead || std::uint64_t{caplen} + kPacketBlockHead + 4 > length)
                    return broken(at, printf_string("packet block of %u bytes with caplen %u", length, caplen));
                packet(at, length, caplen, caplen > len ? printf_string("caplen %u above the original length of %u", caplen, len)
                                           : caplen == 0 ? "caplen 0" : "");
            } else if (type == kSimplePacket) {
                packet(at, length, std::min<std::uint32_t>(load32(h + 8, c_.swapped), length - 16), "");
            }
            at += length;
        }
        // libpcap's open reads on to the first interface description and fails without one.
        if (!interfaces_ && !c_.damaged()) {
            c_.opens = false;
            c_.problem = "no interface description block";
        }
    }

private:
    static constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
    static constexpr std::uint32_t kInterfaceDescription = 1, kObsoletePacket = 2, kSimplePacket = 3,
                                   kEnhancedPacket = 6;
    static constexpr std::size_t kMinBlockBytes = 12;
    static constexpr std::size_t kPacketBlockHead = 28;  // type, length, interface, timestamp, caplen, len

    void packet(std::uint64_t at, std::uint32_t length, std::uint32_t caplen, std::string problem) {
        ++c_.packets;
        ++c_.before_refusal;
        if (caplen < kEthernetHeaderBytes) ++c_.runts;
        if (!problem.empty()) {
            ++c_.damaged_records;
            c_.damaged_bytes += length;
            if (!c_.damaged()) {
                c_.first_bad_offset = at;
                c_.problem = std::move(problem);
            }
        } else if (!c_.damaged()) {
            ++c_.good_records;
        }
    }

    void broken(std::uint64_t at, std::string problem) {
        c_.opens = c_.opens && interfaces_;  // libpcap's open reads up to the first interface description
        ++c_.refused_records;
        ++c_.damaged_records;
        c_.damaged_bytes += file_.size() - at;
        if (c_.damaged()) return;
        c_.first_bad_offset = at;
        c_.problem = std::move(problem);
    }

    FileWindow& file_;
    PcapInputCheck& c_;
    bool interfaces_ = false;  // an interface description block was read
};

}  // namespace

PcapInputCheck check_pcap_input(const std::string& path) {
    PcapInputCheck c;
    FileWindow file(path);
    c.file_size = file.size();
    std::size_t got = 0;
    const std::byte* first = file.at(0, 4, got);
    const std::uint32_t magic = got == 4 ? load32(first, false) : 0;
    const bool pcap = magic == kMagicMicro || magic == kMagicNano || magic == kMagicPatched ||
                      __builtin_bswap32(magic) == kMagicMicro || __builtin_bswap32(magic) == kMagicNano ||
                      __builtin_bswap32(magic) == kMagicPatched;
    if (pcap) {
        RecordWalk(file, c).run();
    } else if (magic == kPcapngSectionHeader) {  // the same in either byte order
        BlockWalk(file, c).run();
    } else {
        c.format = PcapInputCheck::Format::unknown;
        c.opens = false;
        c.problem = got < 4 ? printf_string("%zu bytes, too few for a magic number", got)
                            : printf_string("first word 0x%08x is neither a pcap nor a pcapng magic", magic);
    }
    return c;
}

}  // namespace sentinel::net
