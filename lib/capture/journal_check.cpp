#include "journal_check.hpp"

#include <algorithm>
#include <cstring>

#include "mapped_file.hpp"
#include "pcapng_format.hpp"
#include "printf_string.hpp"

namespace sentinel::capture {
namespace {

using ull = unsigned long long;

// pcapng's block types; a block found by scanning damaged bytes must be one of them, so that the
// bytes of a packet rarely pass for a block.
bool defined_type(std::uint32_t type) noexcept {
    switch (type) {
    case pcapng::kSectionHeader:
    case pcapng::kInterfaceDescription:
    case 0x00000002:  // packet block (obsolete)
    case 0x00000003:  // simple packet block
    case pcapng::kNameResolution:
    case pcapng::kInterfaceStatistics:
    case pcapng::kEnhancedPacket:
    case 0x00000009:  // systemd journal export block
    case 0x0000000A:  // decryption secrets block
    case 0x00000BAD:  // custom block, copiable
    case 0x40000BAD:  // custom block, not to be copied
        return true;
    default:
        return false;
    }
}

// What is wrong with a block, kept as numbers: the walk tries millions of offsets when it looks
// for where blocks resume, and only the first problem of each damaged region becomes text.
struct Problem {
    enum class Kind {
        none, too_short, not_first_section_header, no_section, byte_order_magic, length_below_12, length_unaligned,
        past_end, trailing_length, section_header_size, section_header_version, interface_description_size,
        packet_size, packet_overruns_block, captured_above_original, packet_interface, captured_above_snaplen,
        statistics_size, statistics_interface,
    };
    Kind kind = Kind::none;
    std::uint32_t type = 0;
    std::uint64_t a = 0, b = 0, c = 0;
};

std::string text(const Problem& p) {
    using K = Problem::Kind;
    const auto a = static_cast<ull>(p.a), b = static_cast<ull>(p.b), c = static_cast<ull>(p.c);
    switch (p.kind) {
    case K::none: return {};
    case K::too_short: return printf_string("%llu bytes, too few for a block", a);
    case K::not_first_section_header:
        return printf_string("starts with block type 0x%08x, not a section header block", p.type);
    case K::no_section: return printf_string("block type 0x%08x with no section header block before it", p.type);
    case K::byte_order_magic: return printf_string("section header block with byte-order magic 0x%08llx", a);
    case K::length_below_12: return printf_string("block type 0x%08x, length %llu: below 12", p.type, a);
    case K::length_unaligned: return printf_string("block type 0x%08x, length %llu: not a multiple of 4", p.type, a);
    case K::past_end:
        return printf_string("block type 0x%08x, length %llu runs past end of file at %llu", p.type, a, b);
    case K::trailing_length: return printf_string("block type 0x%08x, length %llu, trailing length %llu", p.type, a, b);
    case K::section_header_size: return printf_string("section header block of %llu bytes", a);
    case K::section_header_version: return printf_string("section header version %llu.%llu", a, b);
    case K::interface_description_size: return printf_string("interface description block of %llu bytes", a);
    case K::packet_size: return printf_string("enhanced packet block of %llu bytes", a);
    case K::packet_overruns_block: return printf_string("packet of %llu captured bytes in a block of %llu", a, b);
    case K::captured_above_original: return printf_string("captured length %llu above original length %llu", a, b);
    case K::packet_interface: return printf_string("packet on interface %llu; the section has %llu", a, b);
    case K::captured_above_snaplen:
        return printf_string("captured length %llu above snaplen %llu of interface %llu", a, b, c);
    case K::statistics_size: return printf_string("interface statistics block of %llu bytes", a);
    case K::statistics_interface: return printf_string("statistics for interface %llu; the section has %llu", a, b);
    }
    return {};
}

struct Block {
    std::uint32_t type = 0;  // as read in the block's byte order
    std::uint32_t length = 0;
    bool swapped = false;    // the block's byte order: its section's, or for an SHB its own magic's
    bool framed = false;     // the framing holds: `length` can be skipped
    bool orphan = false;     // valid but for an interface its section lost with damage
    Problem problem;
};

// One pass over the blocks; the section state changes at each SHB, and damage opens a region
// that the next valid block closes.
class Walk {
public:
    explicit Walk(std::span<const std::byte> file) : file_(file) { r_.file_size = file.size(); }

    JournalCheck run() {
        std::uint64_t at = 0;
        while (at < file_.size()) {
            const Block b = read(at);
            if (b.problem.kind == Problem::Kind::none || b.orphan) {
                end_damage(at);
                if (b.orphan) count_orphan(at, b);
                else accept(at, b);
                at += b.length;
                continue;
            }
            begin_damage(at, b);
            // A block whose framing holds ends where it says; after broken framing anything may follow.
            at = b.framed && section_ ? at + b.length : resume(at + 4);
        }
        end_damage(file_.size());
        return finish();
    }

private:
    std::uint32_t u32(std::uint64_t at, bool swapped) const noexcept {
        std::uint32_t v;
        std::memcpy(&v, file_.data() + at, 4);
        return swapped ? __builtin_bswap32(v) : v;
    }
    std::uint16_t u16(std::uint64_t at, bool swapped) const noexcept {
        std::uint16_t v;
        std::memcpy(&v, file_.data() + at, 2);
        return swapped ? __builtin_bswap16(v) : v;
    }

    // Reads the block at `at` in the current section without changing any state.
    Block read(std::uint64_t at) const noexcept {
        using K = Problem::Kind;
        Block b;
        const std::uint64_t left = file_.size() - at;
        if (left < pcapng::kMinBlockSize) return b.problem = {K::too_short, 0, left}, b;
        b.swapped = swapped_;
        b.type = u32(at, false);  // the SHB's type reads the same in either byte order
        if (b.type == pcapng::kSectionHeader) {
            const std::uint32_t magic = u32(at + 8, false);
            if (magic == __builtin_bswap32(pcapng::kByteOrderMagic)) b.swapped = true;
            else if (magic == pcapng::kByteOrderMagic) b.swapped = false;
            else return b.problem = {K::byte_order_magic, b.type, magic}, b;
        } else if (!section_) {
            return b.problem = {at == 0 ? K::not_first_section_header : K::no_section, b.type}, b;
        } else {
            b.type = u32(at, b.swapped);
        }
        b.length = u32(at + 4, b.swapped);
        if (b.length < pcapng::kMinBlockSize) return b.problem = {K::length_below_12, b.type, b.length}, b;
        if (b.length % 4 != 0) return b.problem = {K::length_unaligned, b.type, b.length}, b;
        if (b.length > left) return b.problem = {K::past_end, b.type, b.length, file_.size()}, b;
        if (const std::uint32_t trailing = u32(at + b.length - 4, b.swapped); trailing != b.length)
            return b.problem = {K::trailing_length, b.type, b.length, trailing}, b;
        b.framed = true;
        b.problem = fields(at, b);
        return b;
    }

    // The fixed fields of the block types the journal writes; sets b.orphan for a packet or
    // statistics block on an interface that damage in this section may have taken.
    Problem fields(std::uint64_t at, Block& b) const noexcept {
        using K = Problem::Kind;
        const bool s = b.swapped;
        switch (b.type) {
        case pcapng::kSectionHeader:
            if (b.length < pcapng::kMinSectionHeaderSize) return {K::section_header_size, b.type, b.length};
            if (u16(at + 12, s) != 1) return {K::section_header_version, b.type, u16(at + 12, s), u16(at + 14, s)};
            return {};
        case pcapng::kInterfaceDescription:
            if (b.length < pcapng::kMinInterfaceDescriptionSize) return {K::interface_description_size, b.type, b.length};
            return {};
        case pcapng::kEnhancedPacket: {
            if (b.length < pcapng::kEnhancedPacketOverhead) return {K::packet_size, b.type, b.length};
            const std::uint32_t interface = u32(at + 8, s);
            const std::uint32_t captured = u32(at + 20, s);
            const std::uint32_t original = u32(at + 24, s);
            if (pcapng::enhanced_packet_size(captured) > b.length)
                return {K::packet_overruns_block, b.type, captured, b.length};
            if (captured > original) return {K::captured_above_original, b.type, captured, original};
            if (interface >= snaplens_.size()) return undeclared(b, K::packet_interface, interface);
            if (snaplens_[interface] != 0 && captured > snaplens_[interface])
                return {K::captured_above_snaplen, b.type, captured, snaplens_[interface], interface};
            return {};
        }
        case pcapng::kInterfaceStatistics:
            if (b.length < pcapng::kMinInterfaceStatisticsSize) return {K::statistics_size, b.type, b.length};
            if (const std::uint32_t interface = u32(at + 8, s); interface >= snaplens_.size())
                return undeclared(b, K::statistics_interface, interface);
            return {};
        default:
            return {};
        }
    }

    Problem undeclared(Block& b, Problem::Kind kind, std::uint32_t interface) const noexcept {
        b.orphan = section_damaged_;
        return {kind, b.type, interface, snaplens_.size()};
    }

    // The first offset from `from` on, 4-byte aligned, where a plausible block starts: a valid SHB
    // anywhere, other blocks only inside a section; the end of the file when there is none.
    std::uint64_t resume(std::uint64_t from) const noexcept {
        for (std::uint64_t p = from; p + pcapng::kMinBlockSize <= file_.size(); p += 4) {
            if (u32(p, false) != pcapng::kSectionHeader && (!section_ || !defined_type(u32(p, swapped_)))) continue;
            const Block b = read(p);
            if (b.problem.kind == Problem::Kind::none || b.orphan) return p;
        }
        return file_.size();
    }

    void accept(std::uint64_t at, const Block& b) {
        switch (b.type) {
        case pcapng::kSectionHeader: {
            section_ = true;
            swapped_ = b.swapped;
            snaplens_.clear();
            section_damaged_ = false;
            section_header_ = at;
            // All ones (-1, "not given") reads the same in either byte order.
            static constexpr std::byte kUnknown[8] = {std::byte{0xFF}, std::byte{0xFF}, std::byte{0xFF},
                                                      std::byte{0xFF}, std::byte{0xFF}, std::byte{0xFF},
                                                      std::byte{0xFF}, std::byte{0xFF}};
            section_length_given_ = std::memcmp(file_.data() + at + 16, kUnknown, 8) != 0;
            break;
        }
        case pcapng::kInterfaceDescription:
            snaplens_.push_back(u32(at + 12, b.swapped));
            ++r_.interfaces;
            break;
        case pcapng::kEnhancedPacket:
            ++r_.packets;
            if (r_.damage.empty()) ++r_.readable_packets;
            break;
        case pcapng::kInterfaceStatistics:
            ++r_.statistics;
            break;
        default:
            break;
        }
        if (!r_.kept.empty() && r_.kept.back().offset + r_.kept.back().bytes == at) r_.kept.back().bytes += b.length;
        else r_.kept.push_back({at, b.length});
        r_.kept_bytes += b.length;
        if (r_.damage.empty()) r_.valid_bytes = at + b.length;
    }

    void count_orphan(std::uint64_t at, const Block& b) {
        const auto interface = static_cast<std::uint32_t>(b.problem.a);
        auto o = std::find_if(r_.orphans.begin(), r_.orphans.end(), [&](const OrphanBlocks& x) {
            return x.section == section_header_ && x.interface == interface;
        });
        if (o == r_.orphans.end()) o = r_.orphans.insert(o, OrphanBlocks{section_header_, interface, at, 0, 0});
        ++(b.type == pcapng::kEnhancedPacket ? o->packets : o->statistics);
    }

    void begin_damage(std::uint64_t at, const Block& b) {
        const bool section_header = b.type == pcapng::kSectionHeader;
        if (!open_) {
            open_ = true;
            DamagedRegion d;
            d.offset = at;
            d.invalid_block = b.framed;
            d.problem = text(b.problem);
            r_.damage.push_back(std::move(d));
            // Damage at a section header leaves the section before it whole.
            if (section_ && !section_damaged_ && b.type != pcapng::kSectionHeader) {
                section_damaged_ = true;
                if (section_length_given_) r_.stale_section_lengths.push_back(section_header_);
            }
        }
        if (section_header) {
            r_.damage.back().section_header = true;
            section_ = false;  // its blocks have no byte order and no interfaces
        }
        if (!section_) r_.damage.back().section_lost = true;
    }

    void end_damage(std::uint64_t at) {
        if (!open_) return;
        open_ = false;
        DamagedRegion& d = r_.damage.back();
        d.bytes = at - d.offset;
        d.torn_tail = at == file_.size() && !d.invalid_block;
        const auto region = file_.subspan(d.offset, d.bytes);
        if (d.torn_tail && std::all_of(region.begin(), region.end(), [](std::byte x) { return x == std::byte{0}; }))
            d.problem = printf_string("%llu zero bytes: a write that never completed", static_cast<ull>(d.bytes));
    }

    JournalCheck finish() {
        using V = JournalCheck::Verdict;
        if (file_.empty()) r_.problem = "empty file";
        else if (!r_.damage.empty()) r_.problem = r_.damage.front().problem;
        if (r_.kept.empty()) r_.verdict = V::not_pcapng;
        else if (!r_.damage.empty() || !r_.orphans.empty()) r_.verdict = V::damaged;
        return std::move(r_);
    }

    const std::span<const std::byte> file_;
    bool section_ = false;              // an SHB was read and no damage has taken its section since
    bool swapped_ = false;
    std::vector<std::uint32_t> snaplens_;  // the current section's interfaces
    bool section_damaged_ = false;      // this section lost bytes: an undeclared interface is an orphan
    std::uint64_t section_header_ = 0;
    bool section_length_given_ = false;
    bool open_ = false;                 // r_.damage.back() has not found its end yet
    JournalCheck r_;
};

}  // namespace

JournalCheck check_journal(std::span<const std::byte> file) { return Walk(file).run(); }

JournalCheck check_journal(const std::string& path) {
    const MappedFile file(path);
    return check_journal(file.bytes());
}

}  // namespace sentinel::capture
