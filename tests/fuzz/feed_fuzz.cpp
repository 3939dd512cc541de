// feed_fuzz: libFuzzer target for everything in lib/feed that reads untrusted bytes. The input is a
// sequence of chunks, each a 2-byte big-endian length and that many bytes (a last chunk may be cut
// short); every chunk goes through
//
//   mold::parse_packet       MoldUDP64 framing, then FeedHandler::on_message on each message:
//                            ITCH decode, book updates (sequencing: arbitration_fuzz.cpp)
//   FeedHandler::on_message  the same chunk as one bare ITCH message
//   udp_datagram, mold::parse_request
//
// into one handler with tiny capacities, so that the order table, level pool and ladder arena run
// out and refuse. Then the books are checked: each side strictly ordered best first, every level
// holding an order, no more orders or levels than the capacities, and the dump written. Any crash,
// sanitizer report or broken invariant (__builtin_trap) is a finding. Built and run by
// tests/fuzz/run_fuzz.sh.
//
// Each input gets a fresh handler, whose arrays (2.7 MB, one entry per stock locate) come from a
// resource that hands the same blocks out again (recycling_memory.hpp).

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "feed/book_writer.hpp"
#include "feed/feed_handler.hpp"
#include "feed/moldudp64.hpp"
#include "feed/udp_frame.hpp"
#include "recycling_memory.hpp"

namespace {

using namespace sentinel::feed;
using fuzz::RecyclingMemory;

constexpr BookConfig kTiny{.max_orders = 64, .max_levels = 24, .ladder_rungs = 96};

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void check_books(const FeedHandler& h) {
    const OrderBooks& books = h.books();
    check(books.orders() <= kTiny.max_orders);
    check(books.levels() <= kTiny.max_levels);
    std::size_t levels = 0;
    std::set<std::uint16_t> seen;
    for (const std::uint16_t locate : books.instruments()) {
        check(seen.insert(locate).second);
        for (const Side side : {Side::bid, Side::ask}) {
            if (books.depth(locate, side) == 0) continue;
            bool first = true;
            itch::Price4 previous = 0;
            books.for_each_level(locate, side, [&](const PriceLevel& l) {
                check(l.orders > 0 && l.locate == locate && l.side == side);
                if (!first) check(side == Side::bid ? l.price < previous : l.price > previous);
                first = false;
                previous = l.price;
                ++levels;
            });
            const Quote best = books.best(locate, side);
            check(best.orders > 0);
        }
    }
    check(levels == books.levels());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static RecyclingMemory memory;
    static FeedHandler* handler = nullptr;
    delete handler;
    handler = new FeedHandler(kTiny, &memory);
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    std::size_t at = 0;
    while (at < input.size()) {
        std::size_t length = at + 2 <= input.size() ? load_be16(input.data() + at) : 0;
        at += 2;
        if (at > input.size()) break;
        if (length > input.size() - at) length = input.size() - at;
        // A heap copy of exactly the chunk (no terminator, no spare capacity), so that
        // AddressSanitizer sees a read even one byte past its end.
        const std::vector<std::byte> chunk(input.begin() + static_cast<std::ptrdiff_t>(at),
                                           input.begin() + static_cast<std::ptrdiff_t>(at + length));
        const std::span<const std::byte> bytes(chunk);
        const mold::Packet packet = mold::parse_packet(bytes);
        if (packet.kind == mold::PacketKind::messages)
            mold::for_each_message(packet, [](std::span<const std::byte> m, std::uint64_t) { handler->on_message(m); });
        handler->on_message(bytes);
        (void)udp_datagram(bytes);
        (void)mold::parse_request(bytes);
        at += length;
    }
    check_books(*handler);
    std::string out;
    write_books(handler->books(), handler->instruments(), out);
    return 0;
}
