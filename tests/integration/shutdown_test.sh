#!/usr/bin/env bash
# The real sentinel stopping mid-capture on an endless input (net_pcap infinite_rx): SIGINT and
# SIGTERM drain cleanly (exit 0, no mbuf leak, identities hold, valid capture files); kill -9
# leaves a file that sentinel-journal check accepts or calls a torn tail, and repair makes valid;
# a full ring under --full-policy drop loses packets only as counted.
# usage: shutdown_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root, 2M hugepages (reserves 256, gives back what it added), tshark and tcpdump; exits 77
# without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" shutdown
sentinel_setup "$@"

# net_pcap's infinite_rx replays from single-segment mbufs: frames up to 1514 bytes.
python3 "$gen" --count 2000 --seed 31 --max-size 1514 --out "$tmp/in.pcap" || { echo "gen_traffic.py failed"; exit 1; }
endless=(--vdev "net_pcap0,rx_pcap=$tmp/in.pcap,infinite_rx=1")
# About 10 Mpps come in; capture 1 frame in 100 (sequence numbers 0..19 in the source MAC) to keep
# the files to some MB per second.
filter='ether[6:4] = 0x02534e54 and ether[10:2] < 20'
check "the filter selects 20 of the input's frames" equals selected 20 \
  "$(oracle "$tmp/in.pcap" "$filter" "$tmp/selected.pcap" && packets --count "$tmp/selected.pcap")"

# only_selected FILE...: every packet in the FILEs is one of the frames the filter selects.
only_selected() {
  local f
  for f in "$@"; do packets "$f"; done | sort -u | comm -23 - <(packets "$tmp/selected.pcap" | sort -u) >"$tmp/strays"
  [[ ! -s $tmp/strays ]] || { echo "      $(wc -l <"$tmp/strays") packets the filter does not select"; return 1; }
}

# captured_ok NAME FILE...: each file checks ok and reads in tshark; their packets add up to
# captured_packets and are all among the selected frames.
captured_ok() {
  local name=$1 f count=0 ok=true
  shift
  for f in "$@"; do
    journal_ok "$f" && tshark_ok "$f" || ok=false
    count=$((count + $(packets --count "$f")))
  done
  check "$name: every capture file valid (sentinel-journal, tshark)" $ok
  check "$name: the files hold captured_packets packets" equals captured "$(value captured_packets)" "$count"
  check "$name: only the selected frames" only_selected "$@"
}

# stop_with SIGNAL NAME [EAL...] -- OPTIONS...: a run on the endless input, stopped by SIGNAL after
# 1.5 s of receiving.
stop_with() {
  local signal=$1 name=$2 sent
  shift 2
  start "${eal[@]}" "${endless[@]}" "$@"
  if ! wait_started; then
    finish_run
    check "$name: started" false
    show_run "$@"
    return 1
  fi
  sleep 1.5
  kill -"$signal" "$pid"
  sent=$(date +%s%N)
  finish_run
  check "$name: exit 0" equals exit 0 "$rc"
  ((rc == 0)) || show_run "$@"
  check "$name: stopped within 5 s of the signal" test $(($(date +%s%N) - sent)) -lt 5000000000
  check "$name: stopped by the signal" grep -qx 'stop=signal' "$tmp/out"
  check "$name: no mbuf leak" no_leak
  check "$name: received packets" test "$(value rx_packets)" -gt 0
  check "$name: identities ok" identities_ok
}

# ---- i) SIGINT: one capture file ----------------------------------------------------------------------
mkdir "$tmp/int"
stop_with INT SIGINT -- --capture "$tmp/int/cap.pcapng" --capture-filter "$filter"
check "SIGINT: captured packets" test "$(value captured_packets)" -gt 0
captured_ok SIGINT "$tmp/int/cap.pcapng"

# ---- i) SIGTERM: a ring of rotating files, and forwarding to a net_null port ---------------------------
mkdir "$tmp/term"
stop_with TERM SIGTERM --vdev net_null1 -- --capture "$tmp/term/cap.pcapng" --capture-filter "$filter" \
  --rotate-size 4M --max-files 3 --forward 1 --forward-filter 'icmp or arp'
mapfile -t files < <(ls "$tmp/term"/cap_*.pcapng 2>/dev/null)
check "SIGTERM: 1 to 3 files left" test "${#files[@]}" -ge 1 -a "${#files[@]}" -le 3
check "SIGTERM: forwarded packets" test "$(value forwarded_packets)" -gt 0
check "SIGTERM: identity forward ok" grep -q '^identity forward: .*: ok$' "$tmp/out"
for f in "${files[@]}"; do
  check "SIGTERM: $(basename "$f") valid" journal_ok "$f"
done

# ---- h) kill -9 mid-capture ----------------------------------------------------------------------------
# Killed once the journal has written a buffer or two (4 MiB each), so there is something to keep.
mkdir "$tmp/kill"
start "${eal[@]}" "${endless[@]}" -- --capture "$tmp/kill/cap.pcapng" --capture-filter "$filter"
for ((i = 0; i < RUN_LIMIT * 10; i++)); do
  (($(stat -c %s "$tmp/kill/cap.pcapng" 2>/dev/null || echo 0) > 6 << 20)) && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
{ kill -KILL "$pid"; finish_run; } 2>/dev/null  # without bash's "Killed" line
check "kill -9: killed" equals exit 137 "$rc"
check_line=$(timeout 60 "$journal" check "$tmp/kill/cap.pcapng" 2>&1)
check_status=$?
echo "      sentinel-journal check: $check_line"
check "kill -9: check says ok (exit 0) or torn tail (exit 1)" bash -c \
  '[[ $1 == 0 && $2 == *": ok: "* ]] || [[ $1 == 1 && $2 == *"torn tail"* ]]' _ "$check_status" "$check_line"
repair_line=$(timeout 60 "$journal" repair --in-place "$tmp/kill/cap.pcapng" 2>&1)
check "kill -9: repair exits 0" equals "repair exit" 0 "$?"
echo "      sentinel-journal repair: $repair_line"
check "kill -9: valid after repair" journal_ok "$tmp/kill/cap.pcapng"
check "kill -9: tshark reads it" tshark_ok "$tmp/kill/cap.pcapng"
kept=$(packets --count "$tmp/kill/cap.pcapng")
check "kill -9: packets kept ($kept)" test "${kept:-0}" -gt 0
check "kill -9: check's count = the packets in the file" grep -q ": ok: $kept packets," \
  <(timeout 60 "$journal" check "$tmp/kill/cap.pcapng")
check "kill -9: only the selected frames" only_selected "$tmp/kill/cap.pcapng"

# A tail torn for sure: the file cut 1000 bytes short of its end, inside its last block.
cp "$tmp/kill/cap.pcapng" "$tmp/torn.pcapng"
truncate -s -1000 "$tmp/torn.pcapng"
check_line=$(timeout 60 "$journal" check "$tmp/torn.pcapng" 2>&1)
check "torn tail: check exits 1 and says 'torn tail'" bash -c '[[ $1 == 1 && $2 == *"torn tail"* ]]' _ "$?" "$check_line"
timeout 60 "$journal" repair --in-place "$tmp/torn.pcapng" >/dev/null 2>&1
check "torn tail: repair exits 0" equals "repair exit" 0 "$?"
check "torn tail: valid after repair" journal_ok "$tmp/torn.pcapng"
check "torn tail: tshark reads it" tshark_ok "$tmp/torn.pcapng"
packets "$tmp/torn.pcapng" >"$tmp/torn.hex"
check "torn tail: what is kept is the start of the capture" cmp -s "$tmp/torn.hex" \
  <(packets "$tmp/kill/cap.pcapng" | head -n "$(wc -l <"$tmp/torn.hex")")
check "torn tail: it lost only the last packets" test "$(wc -l <"$tmp/torn.hex")" -gt $((kept - 100))
leftovers=$(find "$mnt_2m" -maxdepth 1 -name "shutdown_test_$$*" | wc -l)
check "kill -9: no hugepage files left behind" equals "page files" 0 "$leftovers"

# ---- a clean exit leaves no page file, with or without --huge-unlink -----------------------------------------
# Without --huge-unlink the page files keep their names while the run lasts, and rte_eal_cleanup (DPDK
# 22.11) leaves those of pages that still hold an allocation of DPDK's own: sentinel removes its own.
prefix=shutdown_named_$$
named=()
for ((i = 0; i < ${#eal[@]}; i++)); do
  case ${eal[i]} in
    --huge-unlink) ;;
    --file-prefix) named+=(--file-prefix "$prefix"); i=$((i + 1)) ;;
    *) named+=("${eal[i]}") ;;
  esac
done
page_files() { find "$mnt_2m" -maxdepth 1 -name "$1map_*" | wc -l; }
at_exit "rm -f '$mnt_2m/${prefix}map_'*"
mkdir "$tmp/named"
start "${named[@]}" "${endless[@]}" -- --capture "$tmp/named/cap.pcapng" --capture-filter "$filter"
if wait_started; then
  check "named page files: there while it runs" test "$(page_files "$prefix")" -gt 0
  kill -INT "$pid"
  finish_run
  check "named page files: exit 0" equals exit 0 "$rc"
  ((rc == 0)) || show_run
  check "named page files: none left after a clean exit" equals "page files" 0 "$(page_files "$prefix")"
else
  finish_run
  check "named page files: started" false
  show_run
fi
check "--huge-unlink: no page file left by this test's runs" equals "page files" 0 "$(page_files "shutdown_test_$$")"

# ---- under pressure: --full-policy drop with a small ring, every loss counted ----------------------------
mkdir "$tmp/drop"
run "${eal[@]}" "${endless[@]}" -- --full-policy drop --ring-size 64 --duration 1.5 \
  --capture "$tmp/drop/cap.pcapng" --capture-filter "$filter" --stats-out "$tmp/drop/stats"
check "drop policy: exit 0" equals exit 0 "$rc"
check "drop policy: identities ok" identities_ok
captured_ok "drop policy" "$tmp/drop/cap.pcapng"
check "drop policy: no mbuf leak" no_leak

finish_test
