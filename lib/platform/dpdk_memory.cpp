#include "dpdk_memory.hpp"

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "hugepage_memory.hpp"

namespace sentinel::platform {

static_assert(kAnyNode == SOCKET_ID_ANY, "kAnyNode must mean the same to both memory resources");

namespace {

void check_socket(int socket) {
    if (socket == SOCKET_ID_ANY) return;
    std::string known;
    for (unsigned i = 0; i < rte_socket_count(); ++i) {
        if (rte_socket_id_by_idx(i) == socket) return;
        if (!known.empty()) known += ',';
        known += std::to_string(rte_socket_id_by_idx(i));
    }
    throw std::invalid_argument("socket " + std::to_string(socket) + " is unknown to the EAL (known: " +
                                (known.empty() ? "none; is the EAL up?" : known) +
                                "); pick one of those or kAnyNode");
}

}  // namespace

DpdkMemory::DpdkMemory(int socket) : socket_((check_socket(socket), socket)) {}

void* DpdkMemory::do_allocate(std::size_t bytes, std::size_t alignment) {
    // rte_malloc_socket returns NULL for a zero size; an empty request still gets an address.
    const std::size_t wanted = std::max<std::size_t>(bytes, 1);
    // The type string is for debugging only and DPDK 22.11 ignores it.
    void* p = rte_malloc_socket(nullptr, wanted, static_cast<unsigned>(alignment), socket_);
    // rte_malloc_socket sets no rte_errno; with the socket and alignment valid, NULL means the heap
    // could not grow by another hugepage.
    if (p == nullptr)
        throw std::system_error(ENOMEM, std::generic_category(),
                                "rte_malloc_socket of " + std::to_string(wanted) + " bytes on socket " +
                                    std::to_string(socket_) +
                                    " (the socket's hugepages are used up: reserve more with "
                                    "hugepages/hugepages.sh reserve, or raise the EAL's --socket-limit)");
    return p;
}

void DpdkMemory::do_deallocate(void* p, std::size_t, std::size_t) { rte_free(p); }

bool DpdkMemory::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    const auto* dpdk = dynamic_cast<const DpdkMemory*>(&other);
    return dpdk != nullptr && dpdk->socket_ == socket_;
}

}  // namespace sentinel::platform
