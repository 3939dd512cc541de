#pragma once
// Pinning threads to CPUs: a stage that migrates loses its warm cache and its line ownership.

namespace sentinel::disruptor {

// Binds the calling thread to one CPU; throws std::system_error naming the CPU when the kernel
// refuses (CPU offline, outside the cpuset).
void pin_current_thread(int cpu);

}  // namespace sentinel::disruptor
