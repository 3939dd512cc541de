#!/usr/bin/env bash
# Sets everything up and runs Sentinel's demo with no NIC.
#
# Today the demo is the Disruptor core on this machine: the LMAX topologies (unicast, pipeline,
# multicast, diamond, 3-producer sequencer, ping-pong latency) run through Sentinel's Disruptor and,
# in the same run, through DPDK rte_ring, boost and moodycamel SPSC queues and a mutex queue, with
# every consumer checking the sum of what it saw. The appliance demo (net_pcap in, capture out)
# replaces it when the appliance lands.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[demo] %s\n' "$*" >&2; }

bash "$root/scripts/setup.sh"
say "running the Disruptor against its peers (quick run, under 40 s)"
bash "$root/scripts/bench.sh" disruptor --quick "$@"
