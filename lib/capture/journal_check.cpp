#include "journal_check.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <span>
#include <system_error>
#include <vector>

#include "pcapng_format.hpp"

namespace sentinel::capture {
namespace {

[[gnu::format(printf, 1, 2)]] std::string format(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list again;
    va_copy(again, args);
    std::string line(static_cast<std::size_t>(std::vsnprintf(nullptr, 0, fmt, args)), '\0');
    std::vsnprintf(line.data(), line.size() + 1, fmt, again);
    va_end(again);
    va_end(args);
    return line;
}

using ull = unsigned long long;

// The whole file, read-only: a walk over millions of blocks makes no system call per block.
class MappedFile {
public:
    explicit MappedFile(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::system_category(), path);
        struct stat st{};
        if (::fstat(fd, &st) == 0) size_ = static_cast<std::size_t>(st.st_size);
        void* p = size_ == 0 ? nullptr : ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        const int error = errno;
        ::close(fd);
        if (p == MAP_FAILED) throw std::system_error(error, std::system_category(), path);
        data_ = static_cast<const std::byte*>(p);
    }
    ~MappedFile() {
        if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

private:
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

// One pass over the blocks; the section state changes at each SHB.
class Walk {
public:
    explicit Walk(std::span<const std::byte> file) : file_(file) { result_.file_size = file.size(); }

    JournalCheck run() {
        std::uint64_t at = 0;
        while (at < file_.size()) {
            std::uint32_t length = 0;
            bool torn = true;
            std::string problem = framing(at, length);
            if (problem.empty()) {
                torn = false;
                problem = fields(at, length);
            }
            if (!problem.empty()) return stop(at, torn, std::move(problem));
            at += length;
            result_.valid_bytes = at;
        }
        if (file_.empty()) return stop(0, true, "empty file");
        return result_;
    }

private:
    std::uint32_t u32(std::uint64_t at) const noexcept {
        std::uint32_t v;
        std::memcpy(&v, file_.data() + at, 4);
        return swapped_ ? __builtin_bswap32(v) : v;
    }
    std::uint16_t u16(std::uint64_t at) const noexcept {
        std::uint16_t v;
        std::memcpy(&v, file_.data() + at, 2);
        return swapped_ ? __builtin_bswap16(v) : v;
    }

    // The block's type, lengths and place in the file; sets `length` and a section's byte order.
    std::string framing(std::uint64_t at, std::uint32_t& length) {
        const std::uint64_t left = file_.size() - at;
        if (left < pcapng::kMinBlockSize) return format("%llu bytes, too few for a block", static_cast<ull>(left));
        const std::uint32_t type = u32(at);  // the SHB's type reads the same in either byte order
        if (type == pcapng::kSectionHeader) {
            swapped_ = false;
            const std::uint32_t magic = u32(at + 8);
            if (magic == __builtin_bswap32(pcapng::kByteOrderMagic)) swapped_ = true;
            else if (magic != pcapng::kByteOrderMagic)
                return format("section header block with byte-order magic 0x%08x", magic);
        } else if (at == 0) {
            return format("starts with block type 0x%08x, not a section header block", type);
        }
        length = u32(at + 4);
        if (length < pcapng::kMinBlockSize || length % 4 != 0)
            return format("block type 0x%08x, length %u: %s", type, length,
                          length < pcapng::kMinBlockSize ? "below 12" : "not a multiple of 4");
        if (length > left)
            return format("block type 0x%08x, length %u runs past end of file at %llu", type, length,
                          static_cast<ull>(file_.size()));
        if (const std::uint32_t trailing = u32(at + length - 4); trailing != length)
            return format("block type 0x%08x, length %u, trailing length %u", type, length, trailing);
        return {};
    }

    // The fixed fields of the block types the journal writes.
    std::string fields(std::uint64_t at, std::uint32_t length) {
        switch (u32(at)) {
        case pcapng::kSectionHeader:
            if (length < pcapng::kMinSectionHeaderSize) return format("section header block of %u bytes", length);
            if (u16(at + 12) != 1) return format("section header version %u.%u", u16(at + 12), u16(at + 14));
            snaplens_.clear();
            return {};
        case pcapng::kInterfaceDescription:
            if (length < pcapng::kMinInterfaceDescriptionSize)
                return format("interface description block of %u bytes", length);
            snaplens_.push_back(u32(at + 12));
            ++result_.interfaces;
            return {};
        case pcapng::kEnhancedPacket: {
            if (length < pcapng::kEnhancedPacketOverhead) return format("enhanced packet block of %u bytes", length);
            const std::uint32_t interface = u32(at + 8);
            const std::uint32_t captured = u32(at + 20);
            const std::uint32_t original = u32(at + 24);
            if (interface >= snaplens_.size())
                return format("packet on interface %u; the section has %zu", interface, snaplens_.size());
            if (pcapng::enhanced_packet_size(captured) > length)
                return format("packet of %u captured bytes in a block of %u", captured, length);
            if (captured > original) return format("captured length %u above original length %u", captured, original);
            if (snaplens_[interface] != 0 && captured > snaplens_[interface])
                return format("captured length %u above snaplen %u of interface %u", captured, snaplens_[interface],
                              interface);
            ++result_.packets;
            return {};
        }
        case pcapng::kInterfaceStatistics:
            if (length < pcapng::kMinInterfaceStatisticsSize)
                return format("interface statistics block of %u bytes", length);
            if (u32(at + 8) >= snaplens_.size())
                return format("statistics for interface %u; the section has %zu", u32(at + 8), snaplens_.size());
            ++result_.statistics;
            return {};
        default:
            return {};
        }
    }

    JournalCheck stop(std::uint64_t at, bool torn, std::string problem) {
        const auto tail = file_.subspan(at);
        if (torn && !tail.empty() && std::all_of(tail.begin(), tail.end(), [](std::byte b) { return b == std::byte{0}; }))
            problem = format("%zu zero bytes: a write that never completed", tail.size());
        result_.verdict = at == 0 ? JournalCheck::Verdict::not_pcapng : JournalCheck::Verdict::damaged;
        result_.torn = torn;
        result_.problem = std::move(problem);
        return result_;
    }

    const std::span<const std::byte> file_;
    bool swapped_ = false;
    std::vector<std::uint32_t> snaplens_;  // the current section's interfaces
    JournalCheck result_;
};

}  // namespace

JournalCheck check_journal(const std::string& path) {
    const MappedFile file(path);
    return Walk(file.bytes()).run();
}

std::string describe_check(const std::string& path, const JournalCheck& c) {
    switch (c.verdict) {
    case JournalCheck::Verdict::ok:
        return format("%s: ok: %llu packets, %llu interfaces, %llu bytes", path.c_str(), static_cast<ull>(c.packets),
                      static_cast<ull>(c.interfaces), static_cast<ull>(c.file_size));
    case JournalCheck::Verdict::damaged:
        return format("%s: %s at offset %llu (%s); valid up to %llu: %llu packets — run 'sentinel-journal repair %s'",
                      path.c_str(), c.torn ? "torn tail" : "invalid block", static_cast<ull>(c.valid_bytes),
                      c.problem.c_str(), static_cast<ull>(c.valid_bytes), static_cast<ull>(c.packets), path.c_str());
    case JournalCheck::Verdict::not_pcapng:
        break;
    }
    return format("%s: not a pcapng file (%s)", path.c_str(), c.problem.c_str());
}

JournalRepair repair_journal(const std::string& path) {
    JournalRepair r;
    r.check = check_journal(path);
    const JournalCheck& c = r.check;
    switch (c.verdict) {
    case JournalCheck::Verdict::ok:
        r.line = format("%s: ok: nothing to repair (%llu packets)", path.c_str(), static_cast<ull>(c.packets));
        break;
    case JournalCheck::Verdict::not_pcapng:
        r.line = format("%s: not a pcapng file (%s); not repairing", path.c_str(), c.problem.c_str());
        break;
    case JournalCheck::Verdict::damaged:
        if (::truncate(path.c_str(), static_cast<off_t>(c.valid_bytes)) != 0)
            throw std::system_error(errno, std::system_category(), path);
        r.truncated = true;
        r.line = format("%s: removed %llu bytes from offset %llu (%s: %s); kept %llu packets", path.c_str(),
                        static_cast<ull>(c.file_size - c.valid_bytes), static_cast<ull>(c.valid_bytes),
                        c.torn ? "torn tail" : "invalid block", c.problem.c_str(), static_cast<ull>(c.packets));
        break;
    }
    return r;
}

}  // namespace sentinel::capture
