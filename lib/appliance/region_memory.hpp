#pragma once
// RegionMemory: where a planned memory region's bytes are, for the report that asks the kernel
// where it put them.

#include <cstddef>

#include "platform/memory_region.hpp"

namespace sentinel::appliance {

struct RegionMemory {
    platform::MemoryRegion region;
    const void* data;
    std::size_t bytes;
};

}  // namespace sentinel::appliance
