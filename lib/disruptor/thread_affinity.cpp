#include "thread_affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <string>
#include <system_error>

namespace sentinel::disruptor {

void pin_current_thread(int cpu) { confine_current_thread(std::span<const int>(&cpu, 1)); }

void confine_current_thread(std::span<const int> cpus) {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::string names;
    for (const int cpu : cpus) {
        if (!names.empty()) names += ',';
        names += std::to_string(cpu);
        if (cpu < 0 || cpu >= CPU_SETSIZE)
            throw std::system_error(EINVAL, std::generic_category(), "cannot pin thread to cpu " + std::to_string(cpu));
        CPU_SET(cpu, &set);
    }
    if (const int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set); err != 0)
        throw std::system_error(err, std::generic_category(), "cannot pin thread to cpu " + names);
}

}  // namespace sentinel::disruptor
