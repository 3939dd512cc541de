#pragma once
// MemoryRegion: a memory region the plan places, named by what it holds and whom it serves, so
// that every place that sizes, places or reports one names it the same way.
//
//   ring     the RX queue's Disruptor ring           ring.port0.rx0
//   journal  the RX queue's capture journal buffers   journal.port0.rx0
//   mempool  the port's mbuf pool                     mempool.port0

#include <string>

namespace sentinel::platform {

struct MemoryRegion {
    enum class Kind { ring, journal, mempool };

    Kind kind;
    int port;
    int queue = -1;  // the RX queue a ring or journal serves; -1 for a region of the whole port

    static MemoryRegion ring(int port, int queue) noexcept { return {Kind::ring, port, queue}; }
    static MemoryRegion journal(int port, int queue) noexcept { return {Kind::journal, port, queue}; }
    static MemoryRegion mempool(int port) noexcept { return {Kind::mempool, port}; }

    // The region's name in the plan's text form and in reports.
    std::string name() const {
        const std::string of_port = "port" + std::to_string(port);
        switch (kind) {
        case Kind::ring: return "ring." + of_port + ".rx" + std::to_string(queue);
        case Kind::journal: return "journal." + of_port + ".rx" + std::to_string(queue);
        case Kind::mempool: return "mempool." + of_port;
        }
        return {};
    }

    friend bool operator==(const MemoryRegion&, const MemoryRegion&) = default;
};

}  // namespace sentinel::platform
