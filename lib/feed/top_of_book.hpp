#pragma once
// TopOfBook: one change of an instrument's best bid or best ask, as the feed stage publishes it to
// the publisher stage, and as the publisher puts it on the wire and in its file. The record below
// IS the wire format (little-endian, fixed layout, checked by the static_asserts), so encoding is
// one copy and a consumer in any language reads it with a struct of fixed-width fields.
//
// Datagram (a UDP payload; the --tob-out file is the same datagrams back to back):
//
//   offset size  header (16 bytes)
//    0      4    magic "STB1" (Sentinel top of book, format 1)
//    4      2    u16 record size: 64 (a reader skips what a later format appends)
//    6      2    u16 record count that follows (1 to 21 in a datagram of at most 1,360 bytes)
//    8      8    u64 sequence number of the first record; the others follow it by one
//
//   offset size  record (64 bytes)
//    0      8    u64 itch_timestamp   nanoseconds since midnight, of the ITCH message that made the change
//    8      8    u64 receive_time     nanoseconds since the Unix epoch (UTC): when the RX burst holding the
//                                     packet arrived; for a message applied later (held behind a gap,
//                                     then released by the answer, a give-up or the end of the input):
//                                     the arrival of the last packet before its release
//   16      8    u64 bid_shares       the best bid level's total shares; 0 when there is no bid
//   24      8    u64 ask_shares
//   32      4    u32 bid_price        Price(4): 4 implied decimals (1234500 is $123.4500); 0: no bid
//   36      4    u32 ask_price        0: no ask
//   40      4    u32 bid_orders       orders resting at the best bid; 0: no bid
//   44      4    u32 ask_orders
//   48      2    u16 stock_locate     the feed's instrument number
//   50      1    u8  flags            bit 0 (kStale): a gap the handler gave up on may have touched
//                                     this instrument's book, which may be wrong until a new session
//   51      1    u8  reserved, 0
//   52      8    char[8] symbol       the Stock Directory's, space-padded; spaces when none was seen
//   60      4    reserved, 0
//
// Sequence numbers count every top-of-book change from 1 for the run. One the publisher could not
// take (its ring full) is counted (tob_dropped_events) and leaves a hole in the numbers, so a
// consumer always knows it missed one; it then reads the current top from the next record of that
// instrument. All integers are little-endian, the byte order of every machine DPDK runs on.
//
// Thread safety: value types and pure functions.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace sentinel::feed {

static_assert(std::endian::native == std::endian::little,
              "TopOfBook records are the wire format, which is little-endian");

struct TopOfBook {
    static constexpr std::uint8_t kStale = 1;

    std::uint64_t itch_timestamp = 0;
    std::uint64_t receive_time = 0;
    std::uint64_t bid_shares = 0;
    std::uint64_t ask_shares = 0;
    std::uint32_t bid_price = 0;
    std::uint32_t ask_price = 0;
    std::uint32_t bid_orders = 0;
    std::uint32_t ask_orders = 0;
    std::uint16_t stock_locate = 0;
    std::uint8_t flags = 0;
    std::uint8_t reserved = 0;
    std::array<char, 8> symbol{' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
    std::uint32_t reserved2 = 0;
};

static_assert(sizeof(TopOfBook) == 64 && alignof(TopOfBook) == 8, "a record is 64 bytes, one cache line");
static_assert(offsetof(TopOfBook, receive_time) == 8 && offsetof(TopOfBook, bid_shares) == 16 &&
                  offsetof(TopOfBook, bid_price) == 32 && offsetof(TopOfBook, bid_orders) == 40 &&
                  offsetof(TopOfBook, stock_locate) == 48 && offsetof(TopOfBook, flags) == 50 &&
                  offsetof(TopOfBook, symbol) == 52,
              "the record's layout is the documented wire format");

inline constexpr std::array<char, 4> kTopOfBookMagic{'S', 'T', 'B', '1'};
inline constexpr std::size_t kTopOfBookHeaderSize = 16;
inline constexpr std::size_t kTopOfBookRecordSize = sizeof(TopOfBook);
// Records in one datagram: 16 + 21 * 64 = 1,360 bytes, within a 1,500-byte MTU with IPv4 and UDP.
inline constexpr std::size_t kTopOfBookPerDatagram = 21;
inline constexpr std::size_t kTopOfBookMaxPayload = kTopOfBookHeaderSize + kTopOfBookPerDatagram * kTopOfBookRecordSize;

// Writes the header of a datagram holding `count` records from `first_sequence`; the records go at
// kTopOfBookHeaderSize + i * kTopOfBookRecordSize.
inline void write_top_of_book_header(std::span<std::byte, kTopOfBookHeaderSize> out, std::uint16_t count,
                                     std::uint64_t first_sequence) noexcept {
    const auto record_size = static_cast<std::uint16_t>(kTopOfBookRecordSize);
    std::memcpy(out.data(), kTopOfBookMagic.data(), kTopOfBookMagic.size());
    std::memcpy(out.data() + 4, &record_size, 2);  // little-endian host: static_assert above
    std::memcpy(out.data() + 6, &count, 2);
    std::memcpy(out.data() + 8, &first_sequence, 8);
}

}  // namespace sentinel::feed
