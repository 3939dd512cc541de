#!/usr/bin/env bash
# Sets everything up and runs Sentinel's demo with no NIC.
#
# Today the demo shows what exists of the appliance and its core:
#   1. sentinel's placement plan for a net_null port on this machine, and for a saved dual-socket
#      server whose NIC sits on node 1 (which CPU runs RX, workers and main; where rings live);
#   2. sentinel running for 5 s on net_null: an RX lcore writing into a hugepage-backed Disruptor
#      ring, a worker freeing the mbufs in bulk, live stats, the final reconciliation (hugepages
#      come from hugepages/hugepages.sh; without them it runs with --no-huge and says what it costs);
#   3. the Disruptor on the LMAX topologies (unicast, pipeline, multicast, diamond, 3-producer
#      sequencer, ping-pong latency) against DPDK rte_ring, boost and moodycamel SPSC queues and a
#      mutex queue in the same run, every consumer checking the sum of what it saw.
# The appliance demo (net_pcap in, capture and forward out) replaces it when the pipeline lands.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[demo] %s\n' "$*" >&2; }

bash "$root/scripts/setup.sh"
say "building sentinel"
ninja -C "$root/build" app/sentinel >/dev/null

eal=(--no-huge --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --vdev net_null0)
say "placement plan for this machine (sentinel ${eal[*]} -- --plan)"
"$root/build/app/sentinel" "${eal[@]}" -- --plan
xml=tests/unit/platform/topologies/dual_socket_smt.xml
say "placement plan for a dual-socket SMT server, NIC on node 1, 2 RX queues (-- --plan --topology $xml --port-numa-node 1 --rx-queues 2)"
"$root/build/app/sentinel" "${eal[@]}" -- --plan --topology "$root/$xml" --port-numa-node 1 --rx-queues 2

say "reserving 256 2M hugepages (hugepages/hugepages.sh reserve --pages 256)"
huge=(--huge-dir /dev/hugepages --huge-unlink --file-prefix sentinel_demo)
if ! bash "$root/hugepages/hugepages.sh" reserve --pages 256; then
  say "no hugepages: running with --no-huge (4K pages, a TLB miss every 4 KiB: fine for a demo, not for line rate)"
  huge=(--no-huge)
fi
run=(-l 0-1 --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --vdev net_null0 "${huge[@]}")
say "sentinel ${run[*]} -- --duration 5 --stats-interval 1"
"$root/build/app/sentinel" "${run[@]}" -- --duration 5 --stats-interval 1

say "running the Disruptor against its peers (quick run, under 40 s)"
bash "$root/scripts/bench.sh" disruptor --quick "$@"
