#pragma once
// printf_string: printf into a std::string, for cold-path messages (the journal's checker and
// repairer, the pcap input check). GCC 12's library has no std::format; the format attribute
// checks the arguments.

#include <cstdarg>
#include <cstdio>
#include <string>

namespace sentinel::capture {

[[gnu::format(printf, 1, 2)]] inline std::string printf_string(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list again;
    va_copy(again, args);
    std::string line(static_cast<std::size_t>(std::vsnprintf(nullptr, 0, fmt, args)), '\0');
    std::vsnprintf(line.data(), line.size() + 1, fmt, again);
    va_end(again);
    va_end(args);
    return line;
}

}  // namespace sentinel::capture
