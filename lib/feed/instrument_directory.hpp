#pragma once
// InstrumentDirectory: what the feed says about each instrument besides its book, by stock locate,
// and the state of the session.
//
//   'R' Stock Directory      locate ─▶ symbol (8 bytes, space-padded), listed
//   'H' Stock Trading Action locate ─▶ trading state: H halted, P paused, Q quotation only, T trading
//   'S' System Event         the session: O start of messages, S system hours, Q market hours,
//                            M end of market hours, E end of system hours, C end of messages
//
// Locates are the feed's own instrument numbers (u16, assigned each day), so the directory is one
// array indexed by them: 64 Ki entries of 10 bytes. Cold: an 'R' arrives once per instrument a day.
//
// Thread safety: one owner thread.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <string_view>

#include "feed/itch50_message.hpp"
#include "feed/preallocated_array.hpp"

namespace sentinel::feed {

struct Instrument {
    std::array<char, itch::kStockSize> stock{};  // as sent: space-padded
    bool listed = false;                         // a Stock Directory message named it
    char trading_state = '\0';                   // the last Stock Trading Action's; '\0' before any
};

class InstrumentDirectory {
public:
    explicit InstrumentDirectory(std::pmr::memory_resource* memory = std::pmr::get_default_resource())
        : instruments_(itch::kLocates, memory) {}

    void list(std::uint16_t locate, std::string_view stock) noexcept {
        Instrument& i = instruments_[locate];
        std::copy_n(stock.begin(), std::min(stock.size(), i.stock.size()), i.stock.begin());
        i.listed = true;
        ++listings_;
    }
    void set_trading_state(std::uint16_t locate, char state) noexcept { instruments_[locate].trading_state = state; }
    void set_system_event(char event_code) noexcept { system_event_ = event_code; }

    const Instrument& operator[](std::uint16_t locate) const noexcept { return instruments_[locate]; }
    // Stock Directory messages applied so far: unchanged means nothing was listed since.
    std::uint64_t listings() const noexcept { return listings_; }

    // The symbol without its trailing spaces; empty when no Stock Directory message named it.
    std::string_view symbol(std::uint16_t locate) const noexcept {
        const Instrument& i = instruments_[locate];
        if (!i.listed) return {};
        std::string_view s(i.stock.data(), i.stock.size());
        const std::size_t end = s.find_last_not_of(' ');
        return end == std::string_view::npos ? std::string_view{} : s.substr(0, end + 1);
    }

    char system_event() const noexcept { return system_event_; }  // '\0' before the first

private:
    PreallocatedArray<Instrument> instruments_;
    std::uint64_t listings_ = 0;
    char system_event_ = '\0';
};

}  // namespace sentinel::feed
