#pragma once
// DpdkMemory: rte_malloc memory on one NUMA socket, for everything the appliance allocates once
// the EAL is up (see hugepage_memory.hpp for the picture). The EAL already owns the hugepages, so
// its heap is the one allocator that may hand them out; rte_malloc memory is hugepage-backed
// unless the EAL ran with --no-huge, when it is plain anonymous memory on any socket.
//
// Thread safety
//   any thread   allocate(), deallocate()   the EAL heap takes its own lock
//   owner        constructor                after rte_eal_init(), before rte_eal_cleanup()

#include <cstddef>
#include <memory_resource>

namespace sentinel::platform {

class DpdkMemory final : public std::pmr::memory_resource {
public:
    // `socket`: the socket whose heap serves every allocation, or kAnyNode (SOCKET_ID_ANY: the
    // calling lcore's socket first, then any other). Throws std::invalid_argument when the EAL
    // knows no such socket, which includes an EAL that is not up.
    explicit DpdkMemory(int socket);

private:
    // Throws std::system_error(ENOMEM) naming rte_malloc_socket, the size and the socket.
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    // Same socket only: rte_free could free any block, but equal allocators let a container take
    // over another's memory, which would move a ring's storage to the wrong socket.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;

    const int socket_;
};

}  // namespace sentinel::platform
