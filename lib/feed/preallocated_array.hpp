#pragma once
// PreallocatedArray: a fixed number of T, allocated once from a std::pmr::memory_resource at
// construction, value-initialised there (which also faults every page in, before the first
// message), and never resized. The feed's tables, pools and arenas live in these; the appliance
// passes its hugepage resource, so the order table's random lookups cost no TLB misses.
//
// Thread safety: as a plain array; construction and destruction are the owner's.

#include <cstddef>
#include <memory>
#include <memory_resource>

#include "disruptor/cache_line.hpp"

namespace sentinel::feed {

template <class T>
class PreallocatedArray {
public:
    PreallocatedArray(std::size_t size, std::pmr::memory_resource* memory)
        : memory_(memory),
          size_(size),
          // Cache-line aligned: a table's 16-byte entries and a ladder's 64-byte chunks then never
          // straddle two lines.
          data_(static_cast<T*>(memory->allocate(size * sizeof(T), kAlignment))) {
        std::uninitialized_value_construct_n(data_, size_);
    }

    ~PreallocatedArray() {
        std::destroy_n(data_, size_);
        memory_->deallocate(data_, size_ * sizeof(T), kAlignment);
    }

    PreallocatedArray(const PreallocatedArray&) = delete;
    PreallocatedArray& operator=(const PreallocatedArray&) = delete;

    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    static constexpr std::size_t kAlignment =
        alignof(T) > disruptor::kCacheLine ? alignof(T) : disruptor::kCacheLine;

    std::pmr::memory_resource* memory_;
    std::size_t size_;
    T* data_;
};

}  // namespace sentinel::feed
