#pragma once
// Pinning threads to CPUs: a stage that migrates loses its warm cache and its line ownership.

#include <span>

namespace sentinel::disruptor {

// Binds the calling thread to one CPU; throws std::system_error naming the CPU when the kernel
// refuses (CPU offline, outside the cpuset).
void pin_current_thread(int cpu);

// Lets the calling thread run on any of `cpus` (the scheduler picks); throws as pin_current_thread.
void confine_current_thread(std::span<const int> cpus);

}  // namespace sentinel::disruptor
