#pragma once
// Cache-line geometry and the CPU's spin-wait hint, defined once for every component.

#include <cstddef>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace sentinel::disruptor {

// One cache line: the unit the coherence protocol moves between cores.
inline constexpr std::size_t kCacheLine = 64;

// Two lines: Intel's adjacent-line prefetcher pulls 128-byte pairs, so data written by different
// cores must sit 128 bytes apart to avoid destructive interference.
inline constexpr std::size_t kFalseSharingRange = 128;

// Tells the core it is in a spin loop: saves power, frees the sibling hyper-thread and avoids the
// memory-order mis-speculation penalty when the awaited line finally changes.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

}  // namespace sentinel::disruptor
