#include "dpdk_error.hpp"

#include <rte_errno.h>

#include <cstdlib>
#include <string>

namespace sentinel::net {

std::runtime_error dpdk_error(std::string_view call, int port, int queue, int rc) {
    std::string text(call);
    if (port != kNoPort) text += ": port " + std::to_string(port);
    if (queue != kNoQueue) text += " queue " + std::to_string(queue);
    text += ": ";
    text += rte_strerror(std::abs(rc));
    return std::runtime_error(text);
}

}  // namespace sentinel::net
