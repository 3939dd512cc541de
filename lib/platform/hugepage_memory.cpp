#include "hugepage_memory.hpp"

#include <numa.h>
#include <numaif.h>
#include <linux/mman.h>  // MAP_HUGE_2MB, MAP_HUGE_1GB
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "log/log.hpp"

namespace sentinel::platform {
namespace {

std::size_t bytes_of(PageSize pages) {
    switch (pages) {
        case PageSize::huge_2m: return std::size_t{2} << 20;
        case PageSize::huge_1g: return std::size_t{1} << 30;
        case PageSize::normal: break;
    }
    return static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

int hugetlb_flags(PageSize pages) {
    switch (pages) {
        case PageSize::huge_2m: return MAP_HUGETLB | MAP_HUGE_2MB;
        case PageSize::huge_1g: return MAP_HUGETLB | MAP_HUGE_1GB;
        case PageSize::normal: break;
    }
    return 0;
}

std::size_t round_up(std::size_t bytes, std::size_t page) { return (bytes + page - 1) / page * page; }

std::string describe(std::size_t bytes) {
    if (bytes % (std::size_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
    if (bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes % (std::size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string describe_node(int node) {
    return node == kAnyNode ? "any NUMA node" : "NUMA node " + std::to_string(node);
}

void check_node(int node) {
    if (node == kAnyNode) return;
    // libnuma must be asked this before anything else; it fails when the kernel lacks NUMA support.
    if (numa_available() < 0)
        throw std::invalid_argument("NUMA node " + std::to_string(node) +
                                    " requested but this kernel has no NUMA support; use kAnyNode");
    std::string usable;
    for (int n = 0; n <= numa_max_node(); ++n) {
        if (!numa_bitmask_isbitset(numa_all_nodes_ptr, static_cast<unsigned>(n))) continue;
        if (!usable.empty()) usable += ',';
        usable += std::to_string(n);
    }
    if (node < 0 || node > numa_max_node() ||
        !numa_bitmask_isbitset(numa_all_nodes_ptr, static_cast<unsigned>(node)))
        throw std::invalid_argument("NUMA node " + std::to_string(node) +
                                    " does not exist or this process may not allocate on it (usable: " +
                                    usable + "); pick one that `numactl --hardware` lists");
}

// Every page faulted from now on must come from `node`. No MPOL_MF_* flags: the mapping has no
// pages yet, so there is nothing to move or to check.
long bind_to_node(void* p, std::size_t length, int node) {
    constexpr std::size_t kBits = sizeof(unsigned long) * CHAR_BIT;
    const auto n = static_cast<std::size_t>(node);
    std::vector<unsigned long> mask(n / kBits + 1);
    mask[n / kBits] = 1UL << (n % kBits);
    // The kernel reads maxnode - 1 bits (an off-by-one kept for compatibility), hence the + 1.
    return mbind(p, length, MPOL_BIND, mask.data(), mask.size() * kBits + 1, 0);
}

// The step of map_on_node() that failed and its errno.
struct Refusal {
    const char* call = "";
    int error = 0;
};

// Maps `length` bytes in pages of `pages`, each already faulted in on `node`; nullptr on failure.
//
// Order matters. A hugetlb mmap only reserves pages from the pool (and fails with ENOMEM when it
// is short); each page is taken when first touched, from the nodes the policy allows. So the
// policy goes on before any touch, which rules out MAP_POPULATE (it faults in inside mmap, before
// mbind could run). MADV_POPULATE_WRITE (Linux 5.14) then faults every page in at start-up and
// reports a page the node cannot supply as an error (EFAULT); a plain touch loop would get SIGBUS
// there, and so would the data path if the pages were left to fault in lazily.
void* map_on_node(std::size_t length, PageSize pages, int node, Refusal& refusal) {
    void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | hugetlb_flags(pages), -1, 0);
    if (p == MAP_FAILED) {
        refusal = {"mmap", errno};
        return nullptr;
    }
    if (node != kAnyNode && bind_to_node(p, length, node) != 0) {
        refusal = {"mbind", errno};
    } else if (madvise(p, length, MADV_POPULATE_WRITE) != 0) {
        refusal = {"madvise(MADV_POPULATE_WRITE)", errno};
    } else {
        return p;
    }
    munmap(p, length);
    return nullptr;
}

}  // namespace

HugepageMemory::HugepageMemory(int node, PageSize pages, Fallback fallback)
    : node_((check_node(node), node)), pages_(pages), fallback_(fallback) {}

HugepageMemory::~HugepageMemory() {
    // Cannot fail: each entry is a whole mapping that this resource made.
    for (const auto& [p, length] : mappings_) munmap(p, length);
}

void* HugepageMemory::do_allocate(std::size_t bytes, std::size_t alignment) {
    const std::size_t normal = bytes_of(PageSize::normal);
    if (alignment > normal)
        throw std::invalid_argument("alignment " + describe(alignment) + " is above the " +
                                    describe(normal) + " page boundary that every mapping starts on");
    // mmap rejects a zero length; an empty request still gets a distinct address.
    const std::size_t wanted = std::max<std::size_t>(bytes, 1);
    std::size_t page = bytes_of(pages_);
    std::size_t length = round_up(wanted, page);
    Refusal refusal;
    void* p = map_on_node(length, pages_, node_, refusal);

    if (p == nullptr && pages_ != PageSize::normal) {
        const std::string shortage = "no " + describe(page) + " hugepages for " + describe(wanted) +
                                     " on " + describe_node(node_);
        const std::string remedy =
            "reserve them: hugepages/hugepages.sh reserve --pages " + std::to_string(length / page);
        if (fallback_ == Fallback::refuse)
            throw std::system_error(refusal.error, std::generic_category(),
                                    shortage + " (" + remedy + "); " + refusal.call);
        log::write(log::Type::platform, log::Level::warning,
                   "%s (%s: %s); using %s pages instead: %zux the TLB entries, so a pass over it misses the TLB "
                   "every %s instead of every %s; %s",
                   shortage.c_str(), refusal.call, std::generic_category().message(refusal.error).c_str(),
                   describe(normal).c_str(), page / normal, describe(normal).c_str(),
                   describe(page).c_str(), remedy.c_str());
        page = normal;
        length = round_up(wanted, page);
        p = map_on_node(length, PageSize::normal, node_, refusal);
    }
    if (p == nullptr)
        throw std::system_error(refusal.error, std::generic_category(),
                                "cannot map " + describe(length) + " of " + describe(page) +
                                    " pages on " + describe_node(node_) + "; " + refusal.call);
    try {
        const std::lock_guard lock(mutex_);
        mappings_.emplace(p, length);
    } catch (...) {
        munmap(p, length);
        throw;
    }
    return p;
}

void HugepageMemory::do_deallocate(void* p, std::size_t, std::size_t) {
    std::size_t length = 0;
    {
        const std::lock_guard lock(mutex_);
        const auto it = mappings_.find(p);
        if (it == mappings_.end())
            throw std::invalid_argument("deallocate of an address this HugepageMemory did not allocate");
        length = it->second;
        mappings_.erase(it);
    }
    if (munmap(p, length) != 0)
        throw std::system_error(errno, std::generic_category(), "munmap of " + describe(length));
}

bool HugepageMemory::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

}  // namespace sentinel::platform
