#pragma once
// log: how lib/ tells the operator something. A line has a type (the library it comes from) and a
// level; lib/ never prints itself: it formats the line and hands it to the sink the program bound at
// start-up. Unbound, a line goes to stderr as one write of
//
//   <level>=<text>
//
// (error=, warning=, notice=, info=, debug=), the same key=value shape as the appliance's reports;
// the default sink leaves out info and debug. The appliance binds DPDK's rte_log
// (net/dpdk_log.hpp), which writes the same line and lets EAL's --log-level choose what is shown.
//
// The text is the message only: no program name, no trailing newline. A line longer than
// kMaxLine is cut there.
//
// Thread safety: set_sink() once, before any other thread writes; write() from any thread, the hot path
// included (no allocation, never throws); a line from the hot path is rate-limited by its caller.

#include <cstddef>

namespace sentinel::log {

// One type per library, in the order of type_name().
enum class Type { disruptor, capture, net, feed, platform, count_ };

// syslog's order, most severe first.
enum class Level { error, warning, notice, info, debug };

inline constexpr std::size_t kMaxLine = 1024;

// Takes one line (no newline) of `type` at `level`; must not throw.
using Sink = void (*)(void* context, Type type, Level level, const char* line) noexcept;

// The library's name ("disruptor", "capture", "net", "feed", "platform").
const char* type_name(Type type) noexcept;
// The level's name ("error", "warning", "notice", "info", "debug"), the key of the line.
const char* level_name(Level level) noexcept;

// Every later line goes to `sink` with `context`. Once, at start-up.
void set_sink(Sink sink, void* context) noexcept;

// Formats and hands one line to the bound sink.
[[gnu::format(printf, 3, 4)]] void write(Type type, Level level, const char* format, ...) noexcept;

}  // namespace sentinel::log
