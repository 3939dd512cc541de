#pragma once
// ITCH 5.0 messages as typed views: each wraps a pointer to one message whose type and length the
// decoder has checked, and reads a field straight from the bytes when asked (big-endian loads, no
// copies, nothing parsed that nobody reads).
//
//   every message  ┌ type ┬ stock locate u16 ┬ tracking number u16 ┬ timestamp u48 ┬ body ... ┐
//   offset           0      1                  3                     5               11
//
// Field vocabulary, from the spec (Nasdaq TotalView-ITCH 5.0):
//   Integer     unsigned, big-endian, 2, 4, 6 or 8 bytes
//   Price(4)    u32 with 4 implied decimals: 1234500 is $123.4500
//   Price(8)    u64 with 8 implied decimals (only the MWCB decline levels, 'V')
//   Alpha       ASCII, left-justified, space-padded: stock symbols are 8 bytes
//   timestamp   nanoseconds since midnight
// Accessors carry the spec's field names in snake_case; one-byte Alpha fields are chars.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feed/big_endian.hpp"

namespace sentinel::feed::itch {

using Price4 = std::uint32_t;
using Price8 = std::uint64_t;

inline constexpr std::size_t kStockSize = 8;
// Stock locates are u16: every instrument of the day has one of these numbers.
inline constexpr std::size_t kLocates = 65536;

class MessageView {
public:
    explicit MessageView(const std::byte* message) noexcept : p_(message) {}

    char message_type() const noexcept { return alpha(0); }
    std::uint16_t stock_locate() const noexcept { return u16(1); }
    std::uint16_t tracking_number() const noexcept { return u16(3); }
    std::uint64_t timestamp() const noexcept { return load_be48(p_ + 5); }

    const std::byte* data() const noexcept { return p_; }

protected:
    char alpha(std::size_t at) const noexcept { return static_cast<char>(p_[at]); }
    std::string_view alpha(std::size_t at, std::size_t n) const noexcept {
        return {reinterpret_cast<const char*>(p_ + at), n};  // char may alias any object's bytes
    }
    std::uint16_t u16(std::size_t at) const noexcept { return load_be16(p_ + at); }
    std::uint32_t u32(std::size_t at) const noexcept { return load_be32(p_ + at); }
    std::uint64_t u64(std::size_t at) const noexcept { return load_be64(p_ + at); }

private:
    const std::byte* p_;
};

}  // namespace sentinel::feed::itch
