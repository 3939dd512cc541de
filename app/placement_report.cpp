#include "placement_report.hpp"

#include <rte_eal.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "platform/placement.hpp"
#include "platform/plan_format.hpp"

namespace sentinel::app {

std::string placement_report(const platform::MemoryRegion& region, const void* address, std::size_t bytes,
                             const platform::Plan& plan) {
    const std::string name = region.name();
    const platform::Placement where = platform::placement_of(address);
    char hex[2 + 16 + 1];
    std::snprintf(hex, sizeof hex, "0x%jx", static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(address)));
    std::string text = "memory=" + name + " node=" + std::to_string(where.node) +
                       " page=" + platform::format_size(where.page_size) + " bytes=" + std::to_string(bytes) +
                       " address=" + hex + '\n';
    const auto planned = std::ranges::find(plan.memory, region, &platform::MemoryPlacement::region);
    if (planned == plan.memory.end()) return text;
    if (where.node != planned->node)
        text += "warning=" + name + " is on node " + std::to_string(where.node) + ", planned on node " +
                std::to_string(planned->node) + ": every access crosses the interconnect\n";
    // Under --no-huge one warning says it for every region (see main).
    if (where.page_size < planned->page_bytes && rte_eal_has_hugepages())
        text += "warning=" + name + " is on " + platform::format_size(where.page_size) +
                " pages, planned on " + platform::format_size(planned->page_bytes) + "\n";
    return text;
}

}  // namespace sentinel::app
