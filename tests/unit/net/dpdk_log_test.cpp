#include "net/dpdk_log.hpp"

#include <gtest/gtest.h>
#include <rte_log.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "log/log.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

using DpdkLogTest = test::EalTest;

// What rte_log writes while `write` runs.
template <class Write>
std::string rte_log_output(Write write) {
    std::FILE* stream = std::tmpfile();
    if (stream == nullptr) throw std::runtime_error("tmpfile failed");
    rte_openlog_stream(stream);
    write();
    rte_openlog_stream(nullptr);
    std::string text(4096, '\0');
    std::rewind(stream);
    text.resize(std::fread(text.data(), 1, text.size(), stream));
    std::fclose(stream);
    return text;
}

// Each library has its type, at notice until --log-level says otherwise; a line keeps the one
// format, and a level below the type's is left out.
TEST_F(DpdkLogTest, LinesGoThroughRteLogUnderTheirTypes) {
    bind_log_to_rte_log();
    for (const char* name : {"sentinel.disruptor", "sentinel.capture", "sentinel.net", "sentinel.feed",
                             "sentinel.platform"}) {
        const int type = rte_log_register(name);  // an existing name gives its id back
        ASSERT_GE(type, 0) << name;
        EXPECT_EQ(rte_log_get_level(static_cast<std::uint32_t>(type)), static_cast<int>(RTE_LOG_NOTICE)) << name;
    }
    EXPECT_EQ(rte_log_output([] {
                  log::write(log::Type::feed, log::Level::warning, "feed gap %d: messages %d to %d", 1, 5, 9);
                  log::write(log::Type::feed, log::Level::info, "not shown at notice");
              }),
              "warning=feed gap 1: messages 5 to 9\n");

    ASSERT_EQ(rte_log_set_level_pattern("sentinel.feed", RTE_LOG_DEBUG), 0);
    EXPECT_EQ(rte_log_output([] { log::write(log::Type::feed, log::Level::debug, "shown at debug"); }),
              "debug=shown at debug\n");
    ASSERT_EQ(rte_log_set_level_pattern("sentinel.feed", RTE_LOG_NOTICE), 0);
}

}  // namespace
}  // namespace sentinel::net
