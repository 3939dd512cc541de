#include "feed/book_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::feed {
namespace {

void append_number(std::string& out, std::uint64_t v) {
    char digits[20];  // 2^64 - 1 has 20 digits
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out.append(digits, end);
}

// 1234500 -> "123.4500": four implied decimals, always printed.
void append_price(std::string& out, itch::Price4 price) {
    append_number(out, price / 10000);
    const std::uint32_t fraction = price % 10000;
    const char decimals[] = {'.', static_cast<char>('0' + fraction / 1000), static_cast<char>('0' + fraction / 100 % 10),
                             static_cast<char>('0' + fraction / 10 % 10), static_cast<char>('0' + fraction % 10)};
    out.append(decimals, sizeof decimals);
}

void append_side(std::string& out, const OrderBooks& books, std::uint16_t locate, std::string_view symbol, Side side) {
    books.for_each_level(locate, side, [&](const PriceLevel& level) {
        out.append(symbol);
        out.append(side == Side::bid ? " B " : " S ");
        append_price(out, level.price);
        out += ' ';
        append_number(out, level.shares);
        out += ' ';
        append_number(out, level.orders);
        out += '\n';
    });
}

}  // namespace

BookWriteSummary write_books(const OrderBooks& books, const InstrumentDirectory& instruments, std::string& out) {
    BookWriteSummary summary;
    std::vector<std::pair<std::string_view, std::uint16_t>> named;  // symbol, locate
    for (const std::uint16_t locate : books.instruments()) {
        const std::size_t depth = books.depth(locate, Side::bid) + books.depth(locate, Side::ask);
        if (depth == 0) continue;
        const std::string_view symbol = instruments.symbol(locate);
        if (symbol.empty()) {
            ++summary.unnamed;
            continue;
        }
        named.emplace_back(symbol, locate);
        summary.levels += depth;
    }
    // string_view compares as char_traits<char> does: like memcmp, byte by byte as unsigned char.
    std::ranges::sort(named);
    for (const auto& [symbol, locate] : named) {
        append_side(out, books, locate, symbol, Side::bid);
        append_side(out, books, locate, symbol, Side::ask);
    }
    summary.instruments = named.size();
    return summary;
}

}  // namespace sentinel::feed
