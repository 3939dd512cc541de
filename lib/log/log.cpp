#include "log/log.hpp"

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>

namespace sentinel::log {
namespace {

constexpr std::array<const char*, static_cast<std::size_t>(Type::count_)> kTypeNames{"disruptor", "capture", "net",
                                                                                    "feed", "platform"};
constexpr std::array<const char*, 5> kLevelNames{"error", "warning", "notice", "info", "debug"};

// One fwrite per line, so lines from several threads do not interleave.
void write_to_stderr(void*, Type, Level level, const char* line) noexcept {
    if (level > Level::notice) return;
    std::array<char, kMaxLine + 16> text;
    const int n = std::snprintf(text.data(), text.size(), "%s=%s\n", level_name(level), line);
    if (n > 0) std::fwrite(text.data(), 1, std::min(static_cast<std::size_t>(n), text.size() - 1), stderr);
}

// Set by set_sink() before any other thread starts, read-only after.
Sink bound_sink = write_to_stderr;
void* bound_context = nullptr;

}  // namespace

const char* type_name(Type type) noexcept { return kTypeNames[static_cast<std::size_t>(type)]; }

const char* level_name(Level level) noexcept { return kLevelNames[static_cast<std::size_t>(level)]; }

void set_sink(Sink sink, void* context) noexcept {
    bound_sink = sink;
    bound_context = context;
}

void write(Type type, Level level, const char* format, ...) noexcept {
    std::array<char, kMaxLine> line;
    va_list args;
    va_start(args, format);
    std::vsnprintf(line.data(), line.size(), format, args);
    va_end(args);
    bound_sink(bound_context, type, level, line.data());
}

}  // namespace sentinel::log
