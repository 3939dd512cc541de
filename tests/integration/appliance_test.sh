#!/usr/bin/env bash
# The real sentinel binary receiving from net_null into hugepage-backed Disruptor rings: it runs,
# stops on time, on SIGINT and when idle, accounts for every packet, and its rings sit on the
# pages it says they do, as the kernel reports them in /proc/PID/smaps while it runs.
# usage: appliance_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY (the shared arguments of
# sentinel_test_lib.sh)
# Needs root and 2M hugepages (reserves 256, gives back what it added); exits 77 without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" appliance
sentinel_setup "$@"
RUN_LIMIT=30

# run_expect EXPECTED_EXIT ARGS...: a bounded foreground run; stdout in $out, stderr less EAL's in $err.
run_expect() {
  local expect=$1
  shift
  out=$(timeout -s KILL "$RUN_LIMIT" "$sentinel" "$@" 2>"$tmp/err" </dev/null)
  local status=$?
  err=$(grep -v '^EAL\|^TELEMETRY' "$tmp/err")
  ((status == expect)) || { echo "      exit $status, expected $expect: $*"; echo "$err" | sed 's/^/      | /'; return 1; }
}

identity_exact() {  # identity_exact FILE: rx_packets == released_packets + dropped_ring_full
  local rx released dropped
  rx=$(value rx_packets "$1")
  released=$(value released_packets "$1")
  dropped=$(value dropped_ring_full "$1")
  [[ -n $rx && -n $released && -n $dropped ]] && ((rx == released + dropped)) ||
    { echo "      rx=$rx released=$released dropped=$dropped"; return 1; }
}

# KernelPageSize of the mapping of process PID that holds ADDRESS (hex, with 0x).
kernel_page_size() {
  # One read of smaps, then parse the copy: bash's read seeks back after every line, and smaps
  # regenerated thousands of times (an ASan process has thousands of mappings) may fail midway.
  cat "/proc/$1/smaps" >"$tmp/smaps" || return
  # A mapping opens with "start-end perms ..."; its fields follow as "Key: value unit" lines.
  local want=$(($2)) first size unit inside=0
  while read -r first size unit _; do
    if [[ $first =~ ^([0-9a-f]+)-([0-9a-f]+)$ ]]; then
      inside=$((want >= 16#${BASH_REMATCH[1]} && want < 16#${BASH_REMATCH[2]}))
    elif ((inside)) && [[ $first == KernelPageSize: ]]; then
      echo "$size $unit"
      return
    fi
  done <"$tmp/smaps"
}

# ---- a timed run: counters, identity, placement -------------------------------------------------
start "${eal[@]}" --vdev net_null0 -- --duration 3 --stats-interval 1 --stats-out "$tmp/stats"
# The memory lines come before the 3 s of receiving start; a loaded machine may take a while to
# get there, so wait for them instead of guessing.
address=
for ((i = 0; i < RUN_LIMIT * 10; i++)); do
  [[ -n $address ]] && break
  sleep 0.1
  address=$(sed -n 's/^memory=ring\.port0\.rx0 .* address=\(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
done
sleep 0.5
page_while_running=
[[ -n $address ]] && page_while_running=$(kernel_page_size "$pid" "$address")
[[ $page_while_running == "2048 kB" ]] || echo "      ring address '$address', smaps KernelPageSize '$page_while_running'"
finish_run
check "--duration 3 exits 0" test "$rc" -eq 0
check "rx_packets > 0" test "$(value rx_packets "$tmp/stats")" -gt 0
check "identity exact in --stats-out" identity_exact "$tmp/stats"
check "identity ok printed" grep -q '^identity ring: rx_packets=[0-9]* = released=[0-9]* + dropped_ring_full=[0-9]*: ok$' "$tmp/out"
check "stats-out has every counter" test "$(grep -cE '^(rx_packets|rx_bytes|dropped_ring_full|dropped_nic_missed|released_packets)=[0-9]+$' "$tmp/stats")" -eq 5
check "live stats line" grep -q '^stats t=[0-9.]*s rx_pps=[0-9]* rx_gbps=[0-9.]* ring_occupancy=[0-9]* lag release=[0-9]* .*dropped_ring_full=[0-9]* .*dropped_nic_missed=[0-9]*$' "$tmp/out"
check "ring on node 0, 2M pages (as printed)" grep -q '^memory=ring\.port0\.rx0 node=0 page=2M bytes=262144 address=0x' "$tmp/out"
check "ring on 2M pages (as smaps reports it while running)" test "$page_while_running" = "2048 kB"
check "mempool on 2M pages" grep -q '^memory=mempool\.port0 node=0 page=2M ' "$tmp/out"
check "stopped by the duration" grep -qx 'stop=duration' "$tmp/out"
((failed == 0)) || sed 's/^/      | /' "$tmp/out" "$tmp/err"

# ---- SIGINT mid-run -------------------------------------------------------------------------------
start "${eal[@]}" --vdev net_null0 -- --stats-out "$tmp/stats_int"
sleep 1.5
kill -INT "$pid"
finish_run
check "SIGINT exits 0" test "$rc" -eq 0
check "SIGINT: identity exact" identity_exact "$tmp/stats_int"
check "SIGINT: stopped by the signal" grep -qx 'stop=signal' "$tmp/out"

# ---- a full ring under --full-policy drop: drops are counted, never lost ----------------------------
if run_expect 0 "${eal[@]}" --vdev net_null0 -- --full-policy drop --ring-size 64 --duration 1 --stats-out "$tmp/stats_drop"; then
  check "drop policy: identity exact" identity_exact "$tmp/stats_drop"
else
  check "drop policy run" false
fi

# ---- end of input: --stop-when-idle -----------------------------------------------------------------
if run_expect 0 "${eal[@]}" --vdev net_null0,no-rx=1 -- --stop-when-idle 200; then
  check "idle: stopped when no packet came" grep -qx 'stop=idle' <<<"$out"
else
  check "stop-when-idle run" false
fi

# ---- without hugepages: a loud warning, not a failure -------------------------------------------------
if run_expect 0 --no-huge --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error -l 0-1 --vdev net_null0 -- --duration 0.5; then
  check "--no-huge: one warning line" test "$(grep -c '^warning=EAL runs with --no-huge' <<<"$err")" -eq 1
  check "--no-huge: ring on 4K pages" grep -q '^memory=ring\.port0\.rx0 node=0 page=4K ' <<<"$out"
else
  check "--no-huge run" false
fi

# ---- one-line errors ----------------------------------------------------------------------------------
run_expect 2 "${eal[@]}" --vdev net_null0 -- --bogus
check "bad option: exit 2, one line" test "$(wc -l <<<"$err")" -eq 1
check "bad option: names it" grep -q "^sentinel: unknown option '--bogus'" <<<"$err"
run_expect 1 "${eal[@]}" -- --duration 1
check "no --vdev: no DPDK ports" grep -q '^sentinel: no DPDK ports' <<<"$err"
run_expect 1 "${eal[@]}" --vdev net_null0 -- --ports 3 --duration 1
check "unknown port" grep -qx 'sentinel: --ports: port 3 does not exist: EAL found 1 ports (check --vdev/-a)' <<<"$err"

finish_test
