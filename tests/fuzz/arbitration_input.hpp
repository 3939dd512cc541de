#pragma once
// The byte-level pieces of arbitration_fuzz: a reader that never fails (past the end it reads
// zeros, so every prefix of an input is an input), MoldUDP64 packets and ITCH 5.0 messages written
// field by field from the spec's layouts, and a MoldUDP64 parser. None of it uses lib/feed's code
// (only its type names), so that a parser or decoder there that misreads a field cannot agree with
// these by construction.
//
// The steps (what each op byte means) are decoded in arbitration_script.hpp.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "feed/moldudp64.hpp"

namespace sentinel::feed::fuzz {

using Bytes = std::vector<std::byte>;

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> input) : input_(input) {}

    bool done() const { return at_ >= input_.size(); }

    std::uint8_t u8() { return at_ < input_.size() ? input_[at_++] : 0; }

    // Big-endian, `size` bytes.
    std::uint64_t be(int size) {
        std::uint64_t v = 0;
        for (int i = 0; i < size; ++i) v = v << 8 | u8();
        return v;
    }

    // Up to `n` bytes: fewer when the input ends first.
    Bytes bytes(std::size_t n) {
        if (n > input_.size() - at_) n = input_.size() - at_;
        Bytes out(n);
        for (std::size_t i = 0; i < n; ++i) out[i] = std::byte{input_[at_ + i]};
        at_ += n;
        return out;
    }

private:
    std::span<const std::uint8_t> input_;
    std::size_t at_ = 0;
};

inline void put_be(Bytes& out, std::uint64_t v, int size) {
    for (int i = size - 1; i >= 0; --i) out.push_back(std::byte(v >> (8 * i) & 0xFF));
}

inline void put_text(Bytes& out, std::string_view text, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out.push_back(std::byte(i < text.size() ? text[i] : ' '));
}

using SessionId = mold::Session;

inline SessionId session_named(std::string_view name) {
    SessionId s;
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = std::byte(i < name.size() ? name[i] : ' ');
    return s;
}

// A downstream packet: header, then each message behind its u16 length.
inline Bytes mold_packet(const SessionId& session, std::uint64_t sequence, std::uint16_t count,
                         const std::vector<Bytes>& messages) {
    Bytes b(session.begin(), session.end());
    put_be(b, sequence, 8);
    put_be(b, count, 2);
    for (const Bytes& m : messages) {
        put_be(b, m.size(), 2);
        b.insert(b.end(), m.begin(), m.end());
    }
    return b;
}

// A MoldUDP64 packet as the spec reads it.
struct Parsed {
    mold::PacketKind kind = mold::PacketKind::malformed;
    mold::Session session{};
    std::uint64_t sequence = 0;  // from the header, when there is one
    std::vector<Bytes> messages;

    std::uint64_t count() const { return messages.size(); }
    // None is 0, none runs past 2^64 - 1.
    bool numbers_exist() const { return sequence != 0 && count() <= std::numeric_limits<std::uint64_t>::max() - sequence; }
    std::uint64_t end() const { return sequence + count(); }
    std::size_t longest() const {
        std::size_t n = 0;
        for (const Bytes& m : messages) n = std::max(n, m.size());
        return n;
    }
};

inline Parsed parse(std::span<const std::byte> p) {
    Parsed out;
    if (p.size() < 20) return out;
    std::copy_n(p.begin(), out.session.size(), out.session.begin());
    for (int i = 10; i < 18; ++i) out.sequence = out.sequence << 8 | std::to_integer<std::uint64_t>(p[i]);
    const unsigned count = std::to_integer<unsigned>(p[18]) << 8 | std::to_integer<unsigned>(p[19]);
    if (count == 0 || count == 0xFFFF) {
        if (p.size() == 20) out.kind = count == 0 ? mold::PacketKind::heartbeat : mold::PacketKind::end_of_session;
        return out;
    }
    std::size_t at = 20;
    std::vector<Bytes> messages;
    for (unsigned i = 0; i < count; ++i) {
        if (p.size() - at < 2) return out;
        const std::size_t length = std::to_integer<std::size_t>(p[at]) << 8 | std::to_integer<std::size_t>(p[at + 1]);
        at += 2;
        if (p.size() - at < length) return out;
        messages.emplace_back(p.begin() + static_cast<std::ptrdiff_t>(at),
                              p.begin() + static_cast<std::ptrdiff_t>(at + length));
        at += length;
    }
    if (at != p.size()) return out;
    out.kind = mold::PacketKind::messages;
    out.messages = std::move(messages);
    return out;
}

// ITCH 5.0: type, stock locate, tracking number, u48 timestamp, then the type's fields.
namespace itch_message {

inline Bytes head(char type, std::uint16_t locate, std::uint64_t timestamp) {
    Bytes m{std::byte(type)};
    put_be(m, locate, 2);
    put_be(m, 0, 2);
    put_be(m, timestamp, 6);
    return m;
}

inline Bytes directory(std::uint16_t locate, std::string_view symbol, std::uint64_t timestamp) {
    Bytes m = head('R', locate, timestamp);
    put_text(m, symbol, 8);
    put_text(m, "QN", 2);                 // market category, financial status
    put_be(m, 100, 4);                    // round lot size
    put_text(m, "NCZ PNN1N", 9);          // round lots only ... ETP flag
    put_be(m, 0, 4);                      // ETP leverage factor
    put_text(m, "N", 1);                  // inverse indicator
    return m;
}

inline Bytes add(std::uint16_t locate, std::uint64_t ref, char side, std::uint32_t shares, std::uint32_t price,
                 std::uint64_t timestamp) {
    Bytes m = head('A', locate, timestamp);
    put_be(m, ref, 8);
    m.push_back(std::byte(side));
    put_be(m, shares, 4);
    put_text(m, "FUZZ", 8);
    put_be(m, price, 4);
    return m;
}

inline Bytes execute(std::uint16_t locate, std::uint64_t ref, std::uint32_t shares, std::uint64_t match,
                     std::uint64_t timestamp) {
    Bytes m = head('E', locate, timestamp);
    put_be(m, ref, 8);
    put_be(m, shares, 4);
    put_be(m, match, 8);
    return m;
}

inline Bytes cancel(std::uint16_t locate, std::uint64_t ref, std::uint32_t shares, std::uint64_t timestamp) {
    Bytes m = head('X', locate, timestamp);
    put_be(m, ref, 8);
    put_be(m, shares, 4);
    return m;
}

inline Bytes remove(std::uint16_t locate, std::uint64_t ref, std::uint64_t timestamp) {
    Bytes m = head('D', locate, timestamp);
    put_be(m, ref, 8);
    return m;
}

}  // namespace itch_message

// The message the exchange sends as number `s`: the same on every line and in every answer, as on
// a real feed, and a mix that lists instruments and moves their books (adds, then an execution, a
// delete and a cancel of them), so the engine's books and stale flags see work.
inline Bytes canonical_message(std::uint64_t s) {
    const auto locate = static_cast<std::uint16_t>(1 + (s / 6) % 4);
    const bool sell = (s / 6) % 2 == 1;
    const auto offset = static_cast<std::uint32_t>(s % 32);
    const std::uint64_t timestamp = s & 0xFFFF'FFFF'FFFF;
    switch (s % 6) {
        case 0: return itch_message::directory(locate, sell ? "SELLSIDE" : "BUYSIDE", timestamp);
        case 1:
        case 4:
            return itch_message::add(locate, s, sell ? 'S' : 'B', 100, sell ? 10'100 + offset : 10'000 - offset,
                                     timestamp);
        case 2: return itch_message::execute(locate, s - 1, 10, s, timestamp);
        case 3: return itch_message::remove(locate, s - 2, timestamp);
        default: return itch_message::cancel(locate, s - 1, 5, timestamp);
    }
}

}  // namespace sentinel::feed::fuzz
