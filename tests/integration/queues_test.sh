#!/usr/bin/env bash
# Several RX rings at once on a 2-CPU machine (--share-cpus): net_pcap with one rx_pcap file per
# queue, 2 and 4 queues on one port and 2 on each of two ports, capture on; 4 queues captured over
# two directories, each file with its rings' packets in their order. The capture holds every input packet exactly once, byte for
# byte (compared as a multiset: the rings interleave in the file), rx and captured counts equal the
# inputs', every identity holds, the journal checks, no mbuf leaks, and each queue has an RX lcore
# of its own. Without --share-cpus the plan refuses and names the option.
# usage: queues_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root, 2M hugepages (reserves 256, gives back what it added), tshark and tcpdump; exits 77
# without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" queues
sentinel_setup "$@"

readonly IDLE_MS=400
shared=("${eal[@]:2}")  # EAL's options without -l: the lcores come from --lcores below

# ---- refused without --share-cpus --------------------------------------------------------------------
python3 "$gen" --count 500 --seed 40 --out "$tmp/small.pcap" || { echo "gen_traffic.py failed"; exit 1; }
run "${shared[@]}" --lcores '0@0,1@1,2@0,3@1' --vdev "net_pcap0,rx_pcap=$tmp/small.pcap,rx_pcap=$tmp/small.pcap" -- \
  --rx-queues 2 --stop-when-idle "$IDLE_MS" 2>/dev/null
check "without --share-cpus: exit 1" equals exit 1 "$rc"
check "without --share-cpus: says to add it" grep -q 'CPU 0 twice.*--share-cpus' "$tmp/err"

# ---- 2 and 4 queues, capture on -----------------------------------------------------------------------
for queues in 2 4; do
  vdev="net_pcap0" inputs=() total=0 lcores="0@0,1@1"
  for ((q = 0; q < queues; q++)); do
    python3 "$gen" --count $((2000 + 700 * q)) --seed $((41 + q)) --out "$tmp/q$queues.$q.pcap" ||
      { echo "gen_traffic.py failed"; exit 1; }
    vdev+=",rx_pcap=$tmp/q$queues.$q.pcap"
    inputs+=("$tmp/q$queues.$q.pcap")
    total=$((total + 2000 + 700 * q))
  done
  for ((l = 2; l <= queues + 1; l++)); do lcores+=",$l@$((l % 2))"; done
  name="$queues queues"
  run "${shared[@]}" --lcores "$lcores" --vdev "$vdev" -- --rx-queues "$queues" --share-cpus \
    --capture "$tmp/q$queues.pcapng" --stop-when-idle "$IDLE_MS" --stats-out "$tmp/q$queues.stats"
  check "$name: exit 0" equals exit 0 "$rc"
  check "$name: an RX lcore per queue" equals rx_lcores "$queues" \
    "$(grep '^lcore=.* role=rx ' "$tmp/out" | sed 's/^lcore=\([0-9]*\) .*/\1/' | sort -u | wc -l)"
  check "$name: the shared CPUs are warned" grep -q '^warning=rx .*(--share-cpus)' "$tmp/out"
  check "$name: rx_packets = the inputs ($total)" equals rx_packets "$total" "$(value rx_packets "$tmp/q$queues.stats")"
  check "$name: captured_packets = the inputs" equals captured_packets "$total" \
    "$(value captured_packets "$tmp/q$queues.stats")"
  check "$name: every input packet captured once, byte for byte" same_multiset "$tmp/q$queues.pcapng" "${inputs[@]}"
  check "$name: identities ok" identities_ok
  check "$name: no mbuf leak" no_leak
  check "$name: sentinel-journal check" journal_ok "$tmp/q$queues.pcapng"
  check "$name: tshark reads it" tshark_ok "$tmp/q$queues.pcapng"
done

# ---- 4 queues, capture over two directories (a disk each): each takes two rings, with a writer of its own --
mkdir -p "$tmp/disk1" "$tmp/disk2"
run "${shared[@]}" --lcores '0@0,1@1,2@0,3@1,4@0,5@1' --vdev "$vdev" -- --rx-queues 4 --share-cpus \
  --capture "$tmp/disk1/cap.pcapng,$tmp/disk2/cap.pcapng" --stop-when-idle "$IDLE_MS" --stats-out "$tmp/disks.stats"
check "two disks: exit 0" equals exit 0 "$rc"
check "two disks: a file in each" equals capture_files 2 "$(value capture_files)"
check "two disks: captured_packets = the inputs ($total)" equals captured_packets "$total" \
  "$(value captured_packets "$tmp/disks.stats")"
# The graph deals rings to the paths in runs, in the plan's RX order: disk1 the first two, disk2 the rest.
mapfile -t ring_queues < <(grep '^lcore=.* role=rx ' "$tmp/out" | sed 's/.* queue=\([0-9]*\).*/\1/')
check "two disks: disk1 holds its two rings' packets, once each" same_multiset "$tmp/disk1/cap.pcapng" \
  "${inputs[${ring_queues[0]}]}" "${inputs[${ring_queues[1]}]}"
check "two disks: disk2 holds the other two's" same_multiset "$tmp/disk2/cap.pcapng" \
  "${inputs[${ring_queues[2]}]}" "${inputs[${ring_queues[3]}]}"
# A file's interface statistics count what its own rings received: here, what it holds.
isb_counts_the_file() {
  equals "$1 ifrecv" "0 $(packets --count "$1") 0" "$(packets --isb "$1")"
}
for disk in disk1 disk2; do
  check "two disks: $disk checks" journal_ok "$tmp/$disk/cap.pcapng"
  check "two disks: $disk's statistics count its rings' packets" isb_counts_the_file "$tmp/$disk/cap.pcapng"
  # Within a file each ring's packets keep their order and their timestamps never step back; rings
  # interleave a buffer at a time (capture_journal.hpp).
  check "two disks: $disk keeps each ring's order" python3 "$here/ring_order.py" "$tmp/$disk/cap.pcapng" "${inputs[@]}"
done
disks_checked() {
  local last
  last=$(timeout 60 "$journal" check "$tmp/disk1" "$tmp/disk2" | tail -1 | sed 's/, [0-9]* bytes$//')
  equals "sentinel-journal check DIR1 DIR2" "total: 2 files, 2 valid: $total packets" "$last"
}
check "two disks: sentinel-journal checks both directories as one capture" disks_checked
check "two disks: identities ok" identities_ok
check "two disks: no mbuf leak" no_leak

# ---- two ports at once, two queues each: each port's packets under its own interface -------------------
vdevs=() inputs0=() inputs1=() total=0
for port in 0 1; do
  vdev="net_pcap$port"
  for q in 0 1; do
    f="$tmp/p$port.$q.pcap"
    python3 "$gen" --count $((1500 + 500 * q + 300 * port)) --seed $((50 + 2 * port + q)) --out "$f" ||
      { echo "gen_traffic.py failed"; exit 1; }
    vdev+=",rx_pcap=$f"
    total=$((total + 1500 + 500 * q + 300 * port))
    if ((port == 0)); then inputs0+=("$f"); else inputs1+=("$f"); fi
  done
  vdevs+=(--vdev "$vdev")
done
run "${shared[@]}" --lcores '0@0,1@1,2@0,3@1,4@0,5@1' "${vdevs[@]}" -- --rx-queues 2 --share-cpus \
  --capture "$tmp/ports.pcapng" --stop-when-idle "$IDLE_MS" --stats-out "$tmp/ports.stats"
check "two ports: exit 0" equals exit 0 "$rc"
check "two ports: four rings" equals rings 4 "$(grep -c '^lcore=.* role=rx ' "$tmp/out")"
check "two ports: rx_packets = the inputs ($total)" equals rx_packets "$total" "$(value rx_packets "$tmp/ports.stats")"
for port in 0 1; do
  timeout 60 tshark -r "$tmp/ports.pcapng" -Y "frame.interface_id == $port" -w "$tmp/port$port.pcapng" 2>/dev/null
done
check "two ports: port 0's packets, once each, under interface 0" same_multiset "$tmp/port0.pcapng" "${inputs0[@]}"
check "two ports: port 1's packets, once each, under interface 1" same_multiset "$tmp/port1.pcapng" "${inputs1[@]}"
check "two ports: identities ok" identities_ok
check "two ports: no mbuf leak" no_leak

finish_test
