#pragma once
// Placement: where the kernel actually put a page, so that start-up reports and tests check
// hugepage and NUMA placement instead of trusting what was requested.

#include <cstddef>

namespace sentinel::platform {

struct Placement {
    int node;               // NUMA node that holds the page
    std::size_t page_size;  // bytes, as the kernel maps it: 4 KiB, 2 MiB, 1 GiB
};

// The placement of the page holding `addr`, which must already be faulted in (touch it first).
// The page size is the KernelPageSize of the mapping in /proc/self/smaps: a transparent huge page
// still reads 4 KiB, rightly, since the kernel may split it at any time. The node comes from a
// move_pages() query. Reads all of smaps, so it is for start-up and tests, not the data path.
// Throws std::invalid_argument when no mapping holds `addr`, and std::system_error naming the
// call (reading /proc/self/smaps, move_pages) when the kernel cannot answer.
Placement placement_of(const void* addr);

}  // namespace sentinel::platform
