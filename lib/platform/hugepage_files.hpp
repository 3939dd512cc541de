#pragma once
// HugepageFiles: the hugetlbfs files behind this process's DPDK memory, removed once EAL has let
// go of them.
//
// DPDK 22.11's rte_eal_cleanup() unmaps its memory and closes the page files but removes none: a
// page that still holds an allocation at exit stays allocated, in its file <file-prefix>map_N,
// until the next primary of that prefix starts or `hugepages.sh clean` runs. DPDK itself always
// keeps one or two: ethdev never frees its rte_eth_dev_data memzone, net_null never frees its
// queues' dummy packets, and EAL's heap does not give back pages it filled at start-up. So every
// clean exit without --huge-unlink left a page or two behind. Removing the run's own files
// after rte_eal_cleanup() is the last step of a clean exit; with --huge-unlink, --in-memory or
// --no-huge there is nothing to remove (the files have no name, or there are none).
//
// A file is removed only under an exclusive flock, as DPDK removes the pages it frees: a
// secondary process still attached (dpdk-dumpcap) holds a shared one on every page it maps, and
// keeps its file.
//
// Thread safety: the main thread; of_this_process() walks EAL's memory under its lock.

#include <string>
#include <vector>

namespace sentinel::platform {

class HugepageFiles {
public:
    // The named page files of every memory segment EAL holds now. Before rte_eal_cleanup().
    static HugepageFiles of_this_process();

    // After rte_eal_cleanup(): removes each file that no other process holds. Returns one line
    // for each file kept, naming it and why.
    std::vector<std::string> remove() const;

    const std::vector<std::string>& paths() const noexcept { return paths_; }

private:
    std::vector<std::string> paths_;
};

}  // namespace sentinel::platform
