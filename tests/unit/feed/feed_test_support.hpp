#pragma once
// Messages and packets for the feed tests, built byte by byte from the spec's field layouts with
// nothing from lib/feed: a decoder that misreads a field cannot agree with these by construction.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sentinel::feed::test {

// Appends big-endian integers and space-padded text, most significant byte first.
class Wire {
public:
    Wire& u8(std::uint8_t v) { return put(v, 1); }
    Wire& ch(char c) { return put(static_cast<unsigned char>(c), 1); }
    Wire& u16(std::uint16_t v) { return put(v, 2); }
    Wire& u32(std::uint32_t v) { return put(v, 4); }
    Wire& u48(std::uint64_t v) { return put(v, 6); }
    Wire& u64(std::uint64_t v) { return put(v, 8); }
    Wire& alpha(std::string_view s, std::size_t width) {
        for (std::size_t i = 0; i < width; ++i) bytes_.push_back(std::byte(i < s.size() ? s[i] : ' '));
        return *this;
    }
    Wire& raw(std::span<const std::byte> b) {
        bytes_.insert(bytes_.end(), b.begin(), b.end());
        return *this;
    }

    // Every ITCH message opens with these 11 bytes.
    static Wire header(char type, std::uint16_t locate, std::uint16_t tracking, std::uint64_t timestamp) {
        Wire w;
        w.ch(type).u16(locate).u16(tracking).u48(timestamp);
        return w;
    }

    const std::vector<std::byte>& bytes() const { return bytes_; }
    std::span<const std::byte> span() const { return bytes_; }
    std::size_t size() const { return bytes_.size(); }

private:
    Wire& put(std::uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) bytes_.push_back(std::byte(v >> (8 * i) & 0xFF));
        return *this;
    }

    std::vector<std::byte> bytes_;
};

using Message = std::vector<std::byte>;

// The book-building messages with plain headers (locate as given, tracking 0, timestamp 1).
inline Message stock_directory(std::uint16_t locate, std::string_view stock) {
    return Wire::header('R', locate, 0, 1)
        .alpha(stock, 8).ch('Q').ch('N').u32(100).ch('N').ch('C').alpha("Z", 2).ch('P').ch('N').ch('N').ch('1')
        .ch('N').u32(0).ch('N').bytes();
}
inline Message add_order(std::uint16_t locate, std::uint64_t ref, char side, std::uint32_t shares,
                         std::uint32_t price, std::string_view stock = "TEST") {
    return Wire::header('A', locate, 0, 1).u64(ref).ch(side).u32(shares).alpha(stock, 8).u32(price).bytes();
}
inline Message add_order_mpid(std::uint16_t locate, std::uint64_t ref, char side, std::uint32_t shares,
                              std::uint32_t price, std::string_view attribution) {
    return Wire::header('F', locate, 0, 1).u64(ref).ch(side).u32(shares).alpha("TEST", 8).u32(price)
        .alpha(attribution, 4).bytes();
}
inline Message order_executed(std::uint16_t locate, std::uint64_t ref, std::uint32_t shares) {
    return Wire::header('E', locate, 0, 1).u64(ref).u32(shares).u64(777).bytes();
}
inline Message order_executed_with_price(std::uint16_t locate, std::uint64_t ref, std::uint32_t shares,
                                         std::uint32_t price) {
    return Wire::header('C', locate, 0, 1).u64(ref).u32(shares).u64(778).ch('Y').u32(price).bytes();
}
inline Message order_cancel(std::uint16_t locate, std::uint64_t ref, std::uint32_t shares) {
    return Wire::header('X', locate, 0, 1).u64(ref).u32(shares).bytes();
}
inline Message order_delete(std::uint16_t locate, std::uint64_t ref) {
    return Wire::header('D', locate, 0, 1).u64(ref).bytes();
}
inline Message order_replace(std::uint16_t locate, std::uint64_t original, std::uint64_t ref, std::uint32_t shares,
                             std::uint32_t price) {
    return Wire::header('U', locate, 0, 1).u64(original).u64(ref).u32(shares).u32(price).bytes();
}

// A MoldUDP64 downstream packet: session, first sequence number, count, then each message with
// its 2-byte length.
inline std::vector<std::byte> mold_packet(std::string_view session, std::uint64_t sequence,
                                          const std::vector<Message>& messages) {
    Wire w;
    w.alpha(session, 10).u64(sequence).u16(static_cast<std::uint16_t>(messages.size()));
    for (const Message& m : messages) w.u16(static_cast<std::uint16_t>(m.size())).raw(m);
    return w.bytes();
}

}  // namespace sentinel::feed::test
