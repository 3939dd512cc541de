#pragma once
// write_books: the books' final state as text, one line per price level, for comparison with a
// generator's expected output (and for people).
//
//   SYMBOL SIDE PRICE SHARES ORDERS
//   AAPL B 123.4500 300 2         bids best (highest) first,
//   AAPL B 123.4400 100 1
//   AAPL S 123.4700 500 3         then asks best (lowest) first
//   MSFT B 0.0001 1 1
//
//   SYMBOL   the Stock Directory's symbol without its trailing spaces; instruments in byte order of
//            it (ties, two locates with one symbol, by locate)
//   SIDE     B for bids, S for asks (the buy/sell indicator's letters)
//   PRICE    Price(4) with exactly four decimals
//   SHARES, ORDERS  decimal integers
//
// An instrument with no levels writes nothing. One with levels but no Stock Directory message (a
// feed joined late) has no symbol to sort or print by: it is left out and counted, never guessed.
//
// Thread safety: reads the books and the directory; their owner must not change them meanwhile.

#include <cstddef>
#include <string>

#include "feed/instrument_directory.hpp"
#include "feed/order_books.hpp"

namespace sentinel::feed {

struct BookWriteSummary {
    std::size_t instruments = 0;  // written
    std::size_t levels = 0;       // lines written
    std::size_t unnamed = 0;      // instruments with levels left out: no symbol
};

// Appends the lines to `out`.
BookWriteSummary write_books(const OrderBooks& books, const InstrumentDirectory& instruments, std::string& out);

}  // namespace sentinel::feed
