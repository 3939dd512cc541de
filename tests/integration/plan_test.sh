#!/usr/bin/env bash
# The real sentinel binary on virtual ports, asked for its placement plan: the plan for this
# machine, for a saved dual-socket topology, and the one-line errors for bad input.
# usage: plan_test.sh SENTINEL TOPOLOGY_XML
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" plan
sentinel=$1
xml=$2
eal=(--no-huge --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error)

exits() {  # exits EXPECTED_EXIT ARGS...: runs sentinel; sets $out and $err
  local expect=$1
  shift
  out=$(timeout 30 "$sentinel" "$@" 2>"$tmp/err")
  local rc=$?
  err=$(grep -v '^TELEMETRY\|^EAL' "$tmp/err")
  [[ $rc -eq $expect ]] || { echo "exit $rc, expected $expect: $*" >&2; echo "$err" >&2; return 1; }
}

has_line() { grep -qxF -- "$1" <<<"$out" || { echo "missing line: $1" >&2; echo "$out" >&2; return 1; }; }

# This machine, the operator's -l 0-1: main and the worker share lcore 0, RX owns lcore 1.
if exits 0 "${eal[@]}" -l 0-1 --vdev net_null0 -- --plan --ring-size 1024; then
  check "main on cpu 0" has_line "lcore=0 cpu=0 node=0 core=0 role=main"
  check "worker shares main" has_line "lcore=0 cpu=0 node=0 core=0 role=worker port=0 queue=0 worker=0"
  check "rx on cpu 1" has_line "lcore=1 cpu=1 node=0 core=1 role=rx port=0 queue=0"
  check "ring on node 0" has_line "memory=ring.port0.rx0 node=0 page=2M bytes=65536"
else
  check "plan for this machine" false
fi

# A dual-socket server with SMT, the NIC on node 1: RX, workers and rings all on node 1, each duty
# on a whole core of its own, main on CPU 0.
if exits 0 "${eal[@]}" --vdev net_null0 -- --plan --topology "$xml" --port-numa-node 1 --rx-queues 2; then
  check "main on cpu 0" has_line "lcore=0 cpu=0 node=0 core=0 role=main"
  check "rx q0 on node 1" has_line "lcore=8 cpu=8 node=1 core=8 role=rx port=0 queue=0"
  check "rx q1 on node 1" has_line "lcore=9 cpu=9 node=1 core=9 role=rx port=0 queue=1"
  check "worker q0 on node 1" has_line "lcore=10 cpu=10 node=1 core=10 role=worker port=0 queue=0 worker=0"
  check "worker q1 on node 1" has_line "lcore=11 cpu=11 node=1 core=11 role=worker port=0 queue=1 worker=0"
  check "rings on node 1" has_line "memory=ring.port0.rx1 node=1 page=2M bytes=262144"
  check "no SMT sibling of a busy lcore used" bash -c '! grep -qE "cpu=2[4-9]|cpu=3[01]" <<<"$0"' "$out"
else
  check "plan for a dual-socket topology" false
fi

# Refusing to cross nodes: the operator's lcores are all on node 0, the NIC on node 1.
exits 1 "${eal[@]}" -l 0-1 --vdev net_null0 -- --plan --topology "$xml" --port-numa-node 1 --refuse-cross-node
check "cross-node refused" grep -q "node 1" <<<"$err"

# Bad input: one line, a non-zero exit, nothing else.
exits 2 "${eal[@]}" --vdev net_null0 -- --plan --ring-size 1000
check "ring size must be a power of two" grep -qx "sentinel: --ring-size must be a power of two, got 1000 (try 1024)" <<<"$err"
exits 2 "${eal[@]}" --vdev net_null0 -- --bogus
check "unknown option" grep -q "^sentinel: unknown option '--bogus'" <<<"$err"
exits 1 "${eal[@]}" -- --plan
check "no ports" grep -q "^sentinel: no DPDK ports" <<<"$err"
exits 1 "${eal[@]}" --vdev net_null0 -- --plan --topology /nonexistent/server.xml
check "missing topology file" grep -q "/nonexistent/server.xml" <<<"$err"
exits 1 "${eal[@]}" --vdev net_null0 -- --plan --rx-queues 4
check "too few cores" grep -qi "cpu" <<<"$err"

finish_test
