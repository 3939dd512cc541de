#pragma once
// The kernel's hugepage pool as the tests see it: how many pages a mapping could still get, and a
// reservation that tops the pool up for one test and hands the extra pages back afterwards, so the
// machine ends as it started. The pool is machine-wide; meson runs these tests alone (is_parallel).

#include <cstddef>
#include <fstream>
#include <string>

namespace sentinel::platform {

inline std::string pool_dir(std::size_t page_kib) {
    return "/sys/kernel/mm/hugepages/hugepages-" + std::to_string(page_kib) + "kB/";
}

// A pool counter, or -1 when this kernel has no pool of that page size.
inline long read_pool(std::size_t page_kib, const std::string& counter) {
    std::ifstream file(pool_dir(page_kib) + counter);
    long value = -1;
    file >> value;
    return file ? value : -1;
}

// Pages a new mapping could still get: free ones not promised to an existing mapping, plus the
// surplus pages that overcommit still allows the kernel to create.
inline long obtainable_hugepages(std::size_t page_kib) {
    const long unpromised = read_pool(page_kib, "free_hugepages") - read_pool(page_kib, "resv_hugepages");
    const long surplus_room =
        read_pool(page_kib, "nr_overcommit_hugepages") - read_pool(page_kib, "surplus_hugepages");
    return unpromised + (surplus_room > 0 ? surplus_room : 0);
}

class HugepageReservation {
public:
    // Makes sure `pages` pages of `page_kib` can be had, raising nr_hugepages by the shortfall.
    HugepageReservation(long pages, std::size_t page_kib) : page_kib_(page_kib) {
        if (read_pool(page_kib, "nr_hugepages") < 0) {
            why_not_ = "this kernel has no " + std::to_string(page_kib) + " kB hugepage pool";
            return;
        }
        const long shortfall = pages - obtainable_hugepages(page_kib);
        if (shortfall <= 0) return;
        const long before = read_pool(page_kib, "nr_hugepages");
        if (!write_pool(before + shortfall)) {
            why_not_ = "cannot raise " + pool_dir(page_kib) + "nr_hugepages (needs root) to reserve " +
                       std::to_string(shortfall) + " more pages";
            return;
        }
        // The kernel may find fewer free pages than asked for; give back what it really added.
        added_ = read_pool(page_kib, "nr_hugepages") - before;
        if (const long got = obtainable_hugepages(page_kib); got < pages)
            why_not_ = "the kernel found only " + std::to_string(got) + " of " + std::to_string(pages) +
                       " free " + std::to_string(page_kib) + " kB hugepages (memory too fragmented)";
    }

    // Takes back only what it added, so a change someone else made meanwhile survives.
    ~HugepageReservation() {
        if (added_ > 0) write_pool(read_pool(page_kib_, "nr_hugepages") - added_);
    }

    HugepageReservation(const HugepageReservation&) = delete;
    HugepageReservation& operator=(const HugepageReservation&) = delete;

    // Empty when the pages are there; otherwise the reason, for GTEST_SKIP.
    const std::string& why_not() const { return why_not_; }

private:
    bool write_pool(long nr_hugepages) const {
        std::ofstream file(pool_dir(page_kib_) + "nr_hugepages");
        file << nr_hugepages << std::flush;
        return static_cast<bool>(file);
    }

    std::size_t page_kib_;
    long added_ = 0;
    std::string why_not_;
};

}  // namespace sentinel::platform
