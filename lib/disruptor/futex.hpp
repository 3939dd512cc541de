#pragma once
// Thin wrappers over the Linux futex syscall on a 32-bit atomic word. std::atomic::wait has no
// timeout, which the timed blocking strategy needs.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace sentinel::disruptor {

// Sleeps while `word` still holds `expected`; returns on wake, on timeout, on a signal or at once
// if the word already changed. Callers re-check their condition in a loop.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                std::optional<std::chrono::nanoseconds> timeout) noexcept;

void futex_wake_all(std::atomic<std::uint32_t>& word) noexcept;

}  // namespace sentinel::disruptor
