#pragma once
// HugepageMemory: hugepage-backed memory on a named NUMA node, for code that runs without DPDK's EAL.
//
//   RingBuffer<T, std::pmr::polymorphic_allocator<T>>,      std::pmr::memory_resource
//   write buffers, pools  ────── allocate(bytes) ──────▶    ├─ HugepageMemory  no EAL: library users,
//                                                          │                  unit tests, benchmarks
//                                                          └─ DpdkMemory      EAL up: the appliance
//
//   allocate:  mmap(MAP_HUGETLB | MAP_HUGE_2MB/1GB)   the pool's pages are reserved here (ENOMEM if none)
//              mbind(MPOL_BIND, node)                 before any page exists, so every page obeys it
//              madvise(MADV_POPULATE_WRITE)           faults every page in now, on the node
//
// Each allocation is its own mapping, rounded up to whole pages. These are a few large blocks that
// live as long as the process (rings, write buffers, pools, all allocated at start-up), so a system
// call per allocation costs nothing and a small request costs a whole page; it is no general heap.
// Placement is proved, not trusted: placement_of() (placement.hpp) asks the kernel where a page is.
//
// Thread safety
//   any thread   allocate(), deallocate()   a mutex guards the record of mappings (start-up only)
//   owner        destructor                 after everything allocated from it is gone

#include <cstddef>
#include <memory_resource>
#include <mutex>
#include <unordered_map>

namespace sentinel::platform {

// Also DPDK's SOCKET_ID_ANY, so one value means "no preference" for both resources.
inline constexpr int kAnyNode = -1;

enum class PageSize { huge_2m, huge_1g, normal };

// What to do when the requested hugepages cannot be had.
enum class Fallback {
    normal_pages,  // map normal pages instead and log one warning line
    refuse,        // throw, naming the command that reserves hugepages
};

class HugepageMemory final : public std::pmr::memory_resource {
public:
    // `node`: the NUMA node every page must come from, or kAnyNode for the kernel's default policy
    // (the allocating thread's node, or what numactl imposed). Throws std::invalid_argument when
    // the node does not exist or this process may not allocate on it.
    HugepageMemory(int node, PageSize pages, Fallback fallback);

    // Unmaps whatever is still allocated: the resource owns its mappings, as the standard pools do.
    ~HugepageMemory() override;

    HugepageMemory(const HugepageMemory&) = delete;
    HugepageMemory& operator=(const HugepageMemory&) = delete;

private:
    // Throws std::system_error naming the failing call (mmap, mbind, madvise), and
    // std::invalid_argument for an alignment above the normal page size (mappings only promise that).
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    // Only this resource knows the length of its mappings, so only it may free them.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

    const int node_;
    const PageSize pages_;
    const Fallback fallback_;
    std::mutex mutex_;
    // Mapping start -> mapped length: munmap needs the length in the page size actually obtained,
    // which deallocate()'s byte count cannot tell after a fallback to normal pages.
    std::unordered_map<void*, std::size_t> mappings_;
};

}  // namespace sentinel::platform
