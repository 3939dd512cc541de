#pragma once
// bind_log_to_rte_log: the appliance's log lines (log/log.hpp) go through DPDK's rte_log, under one
// registered type per library: sentinel.disruptor, sentinel.capture, sentinel.net, sentinel.feed and
// sentinel.platform. Each starts at notice (error, warning and notice shown), so EAL's
// --log-level=sentinel.feed:debug or --log-level='sentinel.*:warning' choose what is shown as for
// any DPDK type; rte_log writes each line as the unbound sink would, <level>=<text>, where EAL sends
// its own (stderr, and syslog).
//
// Call once, right after rte_eal_init and before any lcore or thread starts. Where rte_log refuses a
// type (no memory), lines stay on stderr, with a warning saying so: logging never stops a run.

namespace sentinel::net {

void bind_log_to_rte_log() noexcept;

}  // namespace sentinel::net
