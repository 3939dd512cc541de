#include "lcore_launch.hpp"

#include <rte_errno.h>
#include <rte_launch.h>

#include <stdexcept>

namespace sentinel::net {
namespace {

int run_job(void* arg) noexcept {
    auto& job = *static_cast<LcoreJob*>(arg);
    try {
        job.cycle->run(*job.stop);
        return 0;
    } catch (const std::exception& e) {
        job.error = e.what();
    } catch (...) {
        job.error = "an exception that is not a std::exception";
    }
    job.stop->store(true, std::memory_order_relaxed);  // a flag: the other cycles drain and leave
    return -1;
}

}  // namespace

void launch(LcoreJob& job) {
    const unsigned lcore = job.cycle->lcore();
    if (const int rc = rte_eal_remote_launch(run_job, &job, lcore); rc != 0)
        throw std::runtime_error("rte_eal_remote_launch: lcore " + std::to_string(lcore) + ": " + rte_strerror(-rc));
}

std::string wait(LcoreJob& job) {
    rte_eal_wait_lcore(job.cycle->lcore());
    const std::string lcore = "lcore " + std::to_string(job.cycle->lcore());
    if (!job.error.empty()) return lcore + " stopped: " + job.error;
    if (job.cycle->timed_out())
        return lcore + " gave up draining its rings: " + job.cycle->undrained() + " stopped making progress";
    return {};
}

}  // namespace sentinel::net
