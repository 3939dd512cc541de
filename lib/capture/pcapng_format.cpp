#include "pcapng_format.hpp"

#include <cstdint>

namespace sentinel::capture::pcapng {
namespace {

constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kIsbIfRecv = 4;
constexpr std::uint16_t kIsbIfDrop = 5;
constexpr std::uint8_t kNanoseconds = 9;  // if_tsresol: 10^-9 s per tick
constexpr std::size_t kNrbRecordEnd = 4;  // nrb_record_end: type 0, length 0

// Appends one block: its fields and options in order, then the end of options and the lengths.
class BlockBuilder {
public:
    BlockBuilder(std::vector<std::byte>& out, std::uint32_t type) : out_(out), start_(out.size()) {
        put(type);
        put(std::uint32_t{0});  // the total length, known at finish()
    }

    template <class T>
    BlockBuilder& put(T value) {
        return bytes(&value, sizeof value);
    }

    BlockBuilder& option(std::uint16_t code, const void* value, std::size_t length) {
        put(code);
        put(static_cast<std::uint16_t>(length));
        bytes(value, length);
        out_.resize(out_.size() + pad4(length) - length);  // zeroed: resize value-initialises
        return *this;
    }

    BlockBuilder& option(std::uint16_t code, std::string_view text) { return option(code, text.data(), text.size()); }

    template <class T>
    BlockBuilder& option_value(std::uint16_t code, T value) {
        return option(code, &value, sizeof value);
    }

    void finish() {
        option(kOptEndOfOpt, nullptr, 0);
        const auto length = static_cast<std::uint32_t>(out_.size() - start_ + 4);
        put(length);
        std::memcpy(out_.data() + start_ + 4, &length, 4);
    }

private:
    BlockBuilder& bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        out_.insert(out_.end(), b, b + n);
        return *this;
    }

    std::vector<std::byte>& out_;
    const std::size_t start_;
};

}  // namespace

void write_filler(std::byte* at, std::size_t length) noexcept {
    const auto total = static_cast<std::uint32_t>(length);
    const std::uint32_t header[2] = {kNameResolution, total};
    std::memcpy(at, header, sizeof header);
    std::memset(at + 8, 0, kNrbRecordEnd);
    std::byte* options = at + 8 + kNrbRecordEnd;
    if (length > kMinFillerSize) {
        // The comment fills the rest: length - 24 bytes, already a multiple of 4, so no padding.
        const std::size_t comment = length - kMinFillerSize - 4;
        const std::uint16_t opt[2] = {kOptComment, static_cast<std::uint16_t>(comment)};
        std::memcpy(options, opt, sizeof opt);
        std::memset(options + 4, ' ', comment);
        options += 4 + comment;
    }
    std::memset(options, 0, 4);  // opt_endofopt
    std::memcpy(at + length - 4, &total, 4);
}

void append_section_header(std::vector<std::byte>& out, std::string_view application) {
    BlockBuilder(out, kSectionHeader)
        .put(kByteOrderMagic)
        .put(std::uint16_t{1})   // major version
        .put(std::uint16_t{0})   // minor version
        .put(std::int64_t{-1})   // section length: not known while writing
        .option(kShbUserAppl, application)
        .finish();
}

void append_interface_description(std::vector<std::byte>& out, std::string_view name, std::uint32_t snaplen) {
    BlockBuilder(out, kInterfaceDescription)
        .put(kLinkTypeEthernet)
        .put(std::uint16_t{0})  // reserved
        .put(snaplen)
        .option(kIfName, name)
        .option_value(kIfTsresol, kNanoseconds)
        .finish();
}

void append_interface_statistics(std::vector<std::byte>& out, std::uint32_t interface_id, std::uint64_t timestamp_ns,
                                 std::uint64_t received, std::uint64_t dropped) {
    BlockBuilder(out, kInterfaceStatistics)
        .put(interface_id)
        .put(static_cast<std::uint32_t>(timestamp_ns >> 32))
        .put(static_cast<std::uint32_t>(timestamp_ns))
        .option_value(kIsbIfRecv, received)
        .option_value(kIsbIfDrop, dropped)
        .finish();
}

}  // namespace sentinel::capture::pcapng
