#pragma once
// JournalConfig: what a capture journal writes, where, and how it rotates its files.
//
// File names. Without rotation the journal writes `path` itself. With rotation (rotate_bytes or
// rotate_interval set) it writes numbered files beside it, the number before the extension:
//   cap.pcapng -> cap_00001.pcapng, cap_00002.pcapng, ...     capture -> capture_00001, ...
// (five digits, more once a run passes 99999 files), as dumpcap's ring buffer does.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <string>
#include <vector>

namespace sentinel::capture {

// One per captured port; its index in the journal's list is the pcapng interface id.
struct JournalInterface {
    std::string name;       // if_name: what tshark shows as the interface
    // 1..262144; the capture stage clips to it. Every IDB declares the largest of them: libpcap
    // (tcpdump) refuses a section whose interfaces differ in snapshot length.
    std::uint32_t snaplen;
};

struct JournalConfig {
    std::string path;
    // 0: no size rotation; else a new file before a buffer that would take the current one past
    // this size (a file holds at least one buffer), so max_files * rotate_bytes bounds the disk use.
    std::uint64_t rotate_bytes = 0;
    // 0: none; else a new file for the first buffer after the current one has been open this long.
    std::chrono::seconds rotate_interval{0};
    // 0: keep all; else delete the oldest of this run's files beyond this many (dumpcap -b files:N).
    std::uint32_t max_files = 0;
    // Overwrite existing files; otherwise an existing file is an error naming it and --force.
    bool force = false;
    // Per buffer: a multiple of 4096 that holds at least one snaplen packet.
    std::size_t buffer_bytes = 4 << 20;
    // A producer hands a buffer to the writer once it holds this many bytes of blocks; 0: once the
    // next packet does not fit. A file rotates short of rotate_bytes by up to one buffer as handed
    // over, so this is what keeps files near rotate_bytes (journal_sizing.hpp chooses it).
    std::size_t hand_off_bytes = 0;
    std::size_t buffers_per_producer = 8;
    // Where the file's header and trailer blocks live (4096-byte aligned requests); null:
    // std::pmr::new_delete_resource().
    std::pmr::memory_resource* memory = nullptr;
    // Where each producer's buffers live, by producer: memory local to the CPU that fills them.
    // Empty, or a null entry: `memory`.
    std::vector<std::pmr::memory_resource*> producer_memory{};
    // The CPUs the writer thread may run on; empty: those of the thread that builds the journal.
    // Where producers wait for it (sched_yield on their CPU), it should be allowed there.
    std::vector<int> writer_cpus{};
};

// What the capture saw on one interface, for its Interface Statistics Block at close.
struct InterfaceStats {
    std::uint64_t received;  // isb_ifrecv
    std::uint64_t dropped;   // isb_ifdrop
};

}  // namespace sentinel::capture
