#pragma once
// The start-up memory lines: where the kernel put a region, in the plan's grammar
// (plan_format.hpp) with the address appended, so scripts can find the mapping in smaps:
//
//   memory=ring.port0.rx0 node=0 page=2M bytes=262144 address=0x1003fe000
//
// A region that landed off its planned node, or on normal pages while the plan wanted hugepages,
// adds a warning= line after it.

#include <cstddef>
#include <string>
#include <string_view>

#include "platform/memory_region.hpp"
#include "platform/planner.hpp"

namespace sentinel::app {

// Throws what platform::placement_of throws (the address is in no mapping, the kernel cannot say).
std::string placement_report(const platform::MemoryRegion& region, const void* address, std::size_t bytes, const platform::Plan& plan);

}  // namespace sentinel::app
