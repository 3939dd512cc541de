#pragma once
// Big-endian (network order) integers in wire formats: every MoldUDP64 and ITCH 5.0 field.
//
//   load_be32(p)   p ─▶ ┌ 0x00 ┬ 0x01 ┬ 0xE2 ┬ 0x40 ┐ ─▶ 123456
//
// The fields sit at odd offsets, so a pointer cast would be undefined behaviour; a memcpy into a
// register-sized integer is the defined spelling of an unaligned load, and compilers emit one mov
// and a bswap (or one movbe) for it: no call, no temporary in memory.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sentinel::feed {

namespace detail {

template <class T>
constexpr T from_big_endian(T v) noexcept {
    if constexpr (std::endian::native == std::endian::big) {
        return v;
    } else if constexpr (sizeof(T) == 2) {
        return __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
        return __builtin_bswap32(v);
    } else {
        return __builtin_bswap64(v);
    }
}

template <class T>
T load_be(const std::byte* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return from_big_endian(v);
}

template <class T>
void store_be(std::byte* p, T v) noexcept {
    v = from_big_endian(v);  // a byte swap is its own inverse
    std::memcpy(p, &v, sizeof v);
}

}  // namespace detail

inline std::uint16_t load_be16(const std::byte* p) noexcept { return detail::load_be<std::uint16_t>(p); }
inline std::uint32_t load_be32(const std::byte* p) noexcept { return detail::load_be<std::uint32_t>(p); }
inline std::uint64_t load_be64(const std::byte* p) noexcept { return detail::load_be<std::uint64_t>(p); }

// ITCH timestamps: nanoseconds since midnight in 6 bytes.
inline std::uint64_t load_be48(const std::byte* p) noexcept {
    return std::uint64_t{load_be16(p)} << 32 | load_be32(p + 2);
}

inline void store_be16(std::byte* p, std::uint16_t v) noexcept { detail::store_be(p, v); }
inline void store_be64(std::byte* p, std::uint64_t v) noexcept { detail::store_be(p, v); }

}  // namespace sentinel::feed
