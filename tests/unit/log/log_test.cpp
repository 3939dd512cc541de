#include "log/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentinel::log {
namespace {

// Unbound, a line is one `<level>=<text>` line on stderr; info and debug are left out.
TEST(Log, UnboundWritesOneLineToStderrInTheOneFormat) {
    testing::internal::CaptureStderr();
    write(Type::capture, Level::warning, "journal O_DIRECT refused on %s (%s)", "a.pcapng", "Invalid argument");
    write(Type::net, Level::error, "port %u: %s", 3U, "gone");
    write(Type::feed, Level::notice, "feed gap %d closed", 7);
    write(Type::feed, Level::info, "left out");
    write(Type::feed, Level::debug, "left out");
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "warning=journal O_DIRECT refused on a.pcapng (Invalid argument)\n"
              "error=port 3: gone\n"
              "notice=feed gap 7 closed\n");
}

TEST(Log, ALongLineIsCutAtTheLimit) {
    const std::string text(2 * kMaxLine, 'x');
    testing::internal::CaptureStderr();
    write(Type::platform, Level::warning, "%s", text.c_str());
    const std::string line = testing::internal::GetCapturedStderr();
    EXPECT_EQ(line, "warning=" + std::string(kMaxLine - 1, 'x') + "\n");
}

struct Line {
    Type type;
    Level level;
    std::string text;
};

void keep(void* context, Type type, Level level, const char* line) noexcept {
    static_cast<std::vector<Line>*>(context)->push_back({type, level, line});
}

// Bound, every line, at every level, goes to the sink with its type: the sink chooses what is shown.
// Last, as a program binds once for good.
TEST(Log, BoundLinesGoToTheSinkWithTypeAndLevel) {
    std::vector<Line> lines;
    set_sink(keep, &lines);
    testing::internal::CaptureStderr();
    write(Type::disruptor, Level::debug, "stage %s", "a");
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].type, Type::disruptor);
    EXPECT_EQ(lines[0].level, Level::debug);
    EXPECT_EQ(lines[0].text, "stage a");
    EXPECT_STREQ(type_name(Type::platform), "platform");
    EXPECT_STREQ(level_name(Level::notice), "notice");
}

}  // namespace
}  // namespace sentinel::log
