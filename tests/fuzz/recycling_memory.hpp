#pragma once
// RecyclingMemory: a memory resource for fuzz targets that build a fresh feed handler (or engine,
// or arbitrator) for every input. Their arrays are megabytes (one entry per stock locate), and
// AddressSanitizer quarantines freed memory, so fresh allocations would fault in new pages on
// every input; this hands the same blocks out again instead.
//
// Blocks by size and alignment, handed out again once returned; never given back (a few MB in all).
//
// Thread safety: one thread (libFuzzer runs one input at a time).

#include <cstddef>
#include <map>
#include <memory_resource>
#include <utility>
#include <vector>

namespace sentinel::feed::fuzz {

class RecyclingMemory final : public std::pmr::memory_resource {
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        std::vector<void*>& free = free_[{bytes, alignment}];
        if (free.empty()) return std::pmr::new_delete_resource()->allocate(bytes, alignment);
        void* p = free.back();
        free.pop_back();
        return p;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        free_[{bytes, alignment}].push_back(p);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }

    std::map<std::pair<std::size_t, std::size_t>, std::vector<void*>> free_;
};

}  // namespace sentinel::feed::fuzz
