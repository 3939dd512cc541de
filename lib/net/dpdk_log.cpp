#include "net/dpdk_log.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <rte_log.h>

#include "log/log.hpp"

namespace sentinel::net {
namespace {

constexpr std::size_t kTypes = static_cast<std::size_t>(log::Type::count_);

// rte_log's type ids, by log::Type; written once by bind_log_to_rte_log, read-only after.
std::array<int, kTypes> rte_types{};

constexpr std::array<std::uint32_t, 5> kRteLevels{RTE_LOG_ERR, RTE_LOG_WARNING, RTE_LOG_NOTICE, RTE_LOG_INFO,
                                                  RTE_LOG_DEBUG};

void write_to_rte_log(void*, log::Type type, log::Level level, const char* line) noexcept {
    rte_log(kRteLevels[static_cast<std::size_t>(level)], static_cast<std::uint32_t>(rte_types[static_cast<std::size_t>(type)]),
            "%s=%s\n", log::level_name(level), line);
}

}  // namespace

void bind_log_to_rte_log() noexcept {
    for (std::size_t i = 0; i < kTypes; ++i) {
        const auto type = static_cast<log::Type>(i);
        std::array<char, 32> name;
        std::snprintf(name.data(), name.size(), "sentinel.%s", log::type_name(type));
        const int id = rte_log_register_type_and_pick_level(name.data(), RTE_LOG_NOTICE);
        if (id < 0) {
            log::write(type, log::Level::warning, "rte_log cannot register %s (%s): lines stay on stderr, out of "
                       "--log-level's reach", name.data(), std::strerror(-id));
            return;
        }
        rte_types[i] = id;
    }
    log::set_sink(write_to_rte_log, nullptr);
}

}  // namespace sentinel::net
