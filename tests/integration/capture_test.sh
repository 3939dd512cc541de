#!/usr/bin/env bash
# The real sentinel capturing a generated pcap read once through net_pcap, against tcpdump as an
# independent oracle: for each filter the same packets, in the same order, byte for byte, and
# counters that account for every one; --snaplen; jumbo frames and runts; rotation and
# --max-files; refusing to overwrite without --force; a full disk mid-capture.
# usage: capture_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root, 2M hugepages (reserves 256, gives back what it added), tshark and tcpdump; exits 77
# without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" capture
sentinel_setup "$@"

readonly FRAMES=20000
readonly IDLE_MS=400  # net_pcap has read the whole file once no packet came for this long
python3 "$gen" --count "$FRAMES" --seed 11 --out "$tmp/in.pcap" || { echo "gen_traffic.py failed"; exit 1; }
check "generator: $FRAMES frames" equals frames "$FRAMES" "$(packets --count "$tmp/in.pcap")"

# capture_once DIR ARGS...: sentinel reads in.pcap once and captures into DIR/cap.pcapng.
capture_once() {
  local dir=$1
  shift
  mkdir -p "$dir"
  run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/in.pcap" -- --capture "$dir/cap.pcapng" \
    --stop-when-idle "$IDLE_MS" --stats-out "$dir/stats" "$@"
}

# times_ok FILE FROM TO: packet timestamps are receive times (not the pcap's own, from 2023): between
# FROM and TO (date +%s.%N), never going back (one RX queue).
times_ok() {
  packets --times "$1" | awk -v lo="$2" -v hi="$3" '
    $1 < lo || $1 > hi { print "      packet " NR ": " $1 " outside the run " lo " .. " hi; bad = 1; exit }
    $1 < prev { print "      packet " NR ": " $1 " before " prev; bad = 1; exit }
    { prev = $1 }
    END { exit bad }'
}

# ---- a) every filter against tcpdump's selection ----------------------------------------------------
# The last two reach into runts and malformed headers, where a load past the end rejects the packet.
filters=('' 'tcp' 'udp and dst port 26477' 'vlan' 'ip6' 'greater 1000' 'not arp' 'tcp[tcpflags] & tcp-syn != 0'
         'icmp or arp' 'len < 60' 'ip[0] & 0xf != 5 or ether proto 0x88a8 or tcp[13] = 0x12')
for i in "${!filters[@]}"; do
  expr=${filters[i]}
  name="filter '${expr:-(none)}'"
  dir=$tmp/filter$i
  if [[ -z $expr ]]; then
    cp "$tmp/in.pcap" "$tmp/oracle$i.pcap"
    before=$(date +%s.%N)
    capture_once "$dir"
    after=$(date +%s.%N)
  else
    oracle "$tmp/in.pcap" "$expr" "$tmp/oracle$i.pcap"
    capture_once "$dir" --capture-filter "$expr"
  fi
  expected=$(packets --count "$tmp/oracle$i.pcap")
  check "$name: exit 0" equals exit 0 "$rc"
  check "$name: same packets as tcpdump ($expected)" same_packets "$name" "$tmp/oracle$i.pcap" "$dir/cap.pcapng"
  check "$name: rx_packets" equals rx_packets "$FRAMES" "$(value rx_packets "$dir/stats")"
  check "$name: captured_packets" equals captured_packets "$expected" "$(value captured_packets "$dir/stats")"
  check "$name: filtered_out_packets" equals filtered_out_packets $((FRAMES - expected)) \
    "$(value filtered_out_packets "$dir/stats")"
  check "$name: nothing dropped" equals drops "0 0 0" \
    "$(value dropped_ring_full "$dir/stats") $(value dropped_nic_missed "$dir/stats") $(value dropped_journal "$dir/stats")"
  check "$name: identities ok" identities_ok
  check "$name: capture_files=1" grep -qx 'capture_files=1' "$tmp/out"
  check "$name: tshark reads it" tshark_ok "$dir/cap.pcapng"
  check "$name: sentinel-journal check ok" journal_ok "$dir/cap.pcapng"
done
# The one ring's 8 buffers of 4 MiB, on its node, on 2M pages, and where the plan put them.
check "journal buffers on node 0, 2M pages" grep -q '^memory=journal\.port0\.rx0 node=0 page=2M bytes=33554432 address=0x' "$tmp/out"
check "journal buffers as planned: no warning" test -z "$(grep '^warning=journal' "$tmp/out")"
# Whatever the order of stages, the capture is one section: one IDB for the one receive port.
check "one SHB, one IDB, every packet on interface 0" equals interfaces "1 1 0" \
  "$(packets --blocks "$tmp/filter0/cap.pcapng" | grep -c '^0x0a0d0d0a$') \
$(packets --blocks "$tmp/filter0/cap.pcapng" | grep -c '^0x00000001$') \
$(packets --interfaces "$tmp/filter0/cap.pcapng" | sort -u | tr '\n' ' ' | sed 's/ $//')"
# The statistics block at close: what the port received (not what the filter kept), and lost.
check "ISB at close: isb_ifrecv = rx_packets, isb_ifdrop = 0" equals isb "0 $FRAMES 0" "$(packets --isb "$tmp/filter0/cap.pcapng")"
check "ISB at close with filter 'tcp': the same" equals isb "0 $FRAMES 0" "$(packets --isb "$tmp/filter1/cap.pcapng")"
check "timestamps: receive time, within the run, in order" times_ok "$tmp/filter0/cap.pcapng" "$before" "$after"
check "rx_bytes = the input's bytes" equals rx_bytes \
  "$(packets --lengths "$tmp/in.pcap" | awk '{s += $1} END {print s}')" "$(value rx_bytes "$tmp/filter0/stats")"
check "captured_bytes = the bytes captured" equals captured_bytes \
  "$(packets --lengths "$tmp/filter0/cap.pcapng" | awk '{s += $2} END {print s}')" "$(value captured_bytes "$tmp/filter0/stats")"

# ---- b) --snaplen 128: cut to 128 bytes, the original length kept -----------------------------------
capture_once "$tmp/snap" --snaplen 128
check "snaplen: exit 0" equals exit 0 "$rc"
packets "$tmp/in.pcap" | awk '{ cap = $2 < 128 ? $2 : 128; print $1, cap, substr($3, 1, 2 * cap) }' >"$tmp/snap.expected"
packets "$tmp/snap/cap.pcapng" >"$tmp/snap.actual"
check "snaplen: cap_len = min(len, 128), len the original, bytes the first 128" cmp -s "$tmp/snap.expected" "$tmp/snap.actual"
check "snaplen: every packet captured" equals captured_packets "$FRAMES" "$(value captured_packets "$tmp/snap/stats")"
check "snaplen: the IDB says 128 (tcpdump)" equals "snapshot length" 128 \
  "$(tcpdump -r "$tmp/snap/cap.pcapng" -c 1 2>&1 >/dev/null | sed -n 's/.*snapshot length \([0-9]*\)$/\1/p')"
check "snaplen: tshark reads it" tshark_ok "$tmp/snap/cap.pcapng"

# ---- c) jumbo frames (multi-segment mbufs in net_pcap) and runts, whole and equal -------------------
python3 "$gen" --count 3000 --seed 12 --mix 'jumbo=3,runt=3,full=1,malformed=1' --out "$tmp/sizes.pcap"
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/sizes.pcap" -- --capture "$tmp/sizes.pcapng" --stop-when-idle "$IDLE_MS"
check "jumbo/runts: exit 0" equals exit 0 "$rc"
check "jumbo/runts: every frame, byte for byte" same_packets "jumbo/runts" "$tmp/sizes.pcap" "$tmp/sizes.pcapng"
packets --lengths "$tmp/sizes.pcapng" >"$tmp/sizes.lengths"
check "jumbo/runts: 9018-byte frames captured whole" grep -qx '9018 9018' "$tmp/sizes.lengths"
check "jumbo/runts: 14-byte frames captured" grep -qx '14 14' "$tmp/sizes.lengths"
check "jumbo/runts: 10-byte frames captured" grep -qx '10 10' "$tmp/sizes.lengths"
check "jumbo/runts: the shortest frame is shorter than 10 bytes" test "$(sort -n "$tmp/sizes.lengths" | head -1 | cut -d' ' -f1)" -lt 10
check "jumbo/runts: tshark reads it" tshark_ok "$tmp/sizes.pcapng"
oracle "$tmp/sizes.pcap" 'greater 9000' "$tmp/big.pcap"
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/sizes.pcap" -- --capture "$tmp/big.pcapng" --capture-filter 'greater 9000' \
  --stop-when-idle "$IDLE_MS"
check "jumbo/runts: filter 'greater 9000' = tcpdump ($(packets --count "$tmp/big.pcap"))" same_packets big "$tmp/big.pcap" "$tmp/big.pcapng"

# ---- e) rotation by size; --max-files keeps the newest ----------------------------------------------
capture_once "$tmp/rot" --rotate-size 1M
check "rotate: exit 0" equals exit 0 "$rc"
mapfile -t files < <(cd "$tmp/rot" && ls cap*)
nfiles=$(printf '%s\n' "${files[@]}" | grep -c '^cap_[0-9]\{5\}\.pcapng$')
input_bytes=$(stat -c %s "$tmp/in.pcap")
check "rotate: several files (input $input_bytes bytes)" test "$nfiles" -ge 2
expected_names=$(for ((n = 1; n <= nfiles; n++)); do printf 'cap_%05d.pcapng\n' "$n"; done)
check "rotate: named cap_00001.pcapng ... in order, nothing else" equals names "$expected_names" "$(printf '%s\n' "${files[@]}")"
check "rotate: capture_files=$nfiles printed" grep -qx "capture_files=$nfiles" "$tmp/out"
all_ok=true
for f in "${files[@]}"; do
  tshark_ok "$tmp/rot/$f" && journal_ok "$tmp/rot/$f" || all_ok=false
done
check "rotate: every file reads in tshark and checks ok" $all_ok
# What --rotate-size promises: no file past it (--max-files N then bounds the disk to N times it).
sizes_ok=true
for f in "${files[@]}"; do
  size=$(stat -c %s "$tmp/rot/$f")
  ((size <= 1 << 20)) || { echo "      $f: $size bytes, over --rotate-size 1M"; sizes_ok=false; }
done
check "rotate: no file over 1 MiB" $sizes_ok
# ... and none but the last far short of it: a buffer goes to disk once it holds 1/16 of it.
near_ok=true
for f in "${files[@]:0:${#files[@]}-1}"; do
  size=$(stat -c %s "$tmp/rot/$f")
  ((size >= (1 << 20) * 9 / 10)) || { echo "      $f: $size bytes, more than 10% short of --rotate-size 1M"; near_ok=false; }
done
check "rotate: every file but the last within 10% of 1 MiB" $near_ok
for f in "${files[@]}"; do packets "$tmp/rot/$f"; done >"$tmp/rot.all"
packets "$tmp/in.pcap" >"$tmp/in.hex"
check "rotate: the files together hold every packet, in order" cmp -s "$tmp/in.hex" "$tmp/rot.all"
check "rotate: sum of packets = captured_packets" equals captured "$(value captured_packets "$tmp/rot/stats")" "$(wc -l <"$tmp/rot.all")"

capture_once "$tmp/keep" --rotate-size 1M --max-files 2
check "max-files 2: exit 0" equals exit 0 "$rc"
mapfile -t kept < <(cd "$tmp/keep" && ls cap_*.pcapng)
check "max-files 2: two files left" equals files 2 "${#kept[@]}"
if ((${#kept[@]} == 2)); then
  first=${kept[0]#cap_}
  second=${kept[1]#cap_}
  check "max-files 2: the newest two (numbers in a row, past 1)" \
    test $((10#${second%.pcapng})) -eq $((10#${first%.pcapng} + 1)) -a $((10#${first%.pcapng})) -gt 1
  cat <(packets "$tmp/keep/${kept[0]}") <(packets "$tmp/keep/${kept[1]}") >"$tmp/keep.all"
  check "max-files 2: they hold the input's last packets" cmp -s "$tmp/keep.all" \
    <(tail -n "$(wc -l <"$tmp/keep.all")" "$tmp/in.hex")
  check "max-files 2: ${kept[0]} reads in tshark" tshark_ok "$tmp/keep/${kept[0]}"
  check "max-files 2: ${kept[1]} reads in tshark" tshark_ok "$tmp/keep/${kept[1]}"
fi

# ---- f) an existing file is refused without --force, overwritten with it ----------------------------
mkdir -p "$tmp/exist"
echo "precious data, not a capture" >"$tmp/exist/cap.pcapng"
sum_before=$(md5sum <"$tmp/exist/cap.pcapng")
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/in.pcap" -- --capture "$tmp/exist/cap.pcapng" --stop-when-idle "$IDLE_MS" \
  >/dev/null  # an error expected: no dump of the run
sentinel_lines=$(grep -c '^sentinel: ' "$tmp/err")
check "existing file: exit non-zero" test "$rc" -ne 0 -a "$rc" -lt 128
check "existing file: one 'sentinel:' line naming --force" test "$sentinel_lines" -eq 1 -a "$(grep '^sentinel: ' "$tmp/err" | grep -c -- '--force')" -eq 1
check "existing file: left untouched" equals md5 "$sum_before" "$(md5sum <"$tmp/exist/cap.pcapng")"
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/in.pcap" -- --capture "$tmp/exist/cap.pcapng" --stop-when-idle "$IDLE_MS" --force
check "--force: exit 0" equals exit 0 "$rc"
check "--force: overwritten with the capture" equals packets "$FRAMES" "$(packets --count "$tmp/exist/cap.pcapng")"
check "--force: journal check ok" journal_ok "$tmp/exist/cap.pcapng"

# ---- g) a full disk: the capture stops cleanly, every packet accounted for -----------------------------
# 6 MiB: room for the header and one 4 MiB journal buffer, not for the 8 MB input, so the disk fills
# mid-capture with packets already written (with 3 MiB not even the first buffer fits).
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=6m sentinel_test_full "$tmp/full"; then
  at_exit "umount '$tmp/full' 2>/dev/null"
  capture_once "$tmp/full" >/dev/null  # exit 1 expected: no dump of the run
  cp "$tmp/err" "$tmp/full.err"
  ((rc == 1)) || show_run full disk
  check "full disk: exit 1" equals exit 1 "$rc"
  check "full disk: stderr says 'No space left'" grep -q 'No space left' "$tmp/full.err"
  check "full disk: no mbuf leak" no_leak
  rx=$(value rx_packets "$tmp/full/stats")
  captured=$(value captured_packets "$tmp/full/stats")
  journal_drops=$(value dropped_journal "$tmp/full/stats")
  check "full disk: rx_packets = the input" equals rx_packets "$FRAMES" "$rx"
  check "full disk: some packets captured, some dropped by the journal" test "${captured:-0}" -gt 0 -a "${journal_drops:-0}" -gt 0
  check "full disk: captured + dropped_journal + filtered_out + dropped_ring_full = rx" equals sum "$rx" \
    $((captured + journal_drops + $(value filtered_out_packets "$tmp/full/stats") + $(value dropped_ring_full "$tmp/full/stats")))
  check "full disk: the identity line says so" grep -q '^identity capture: .*: ok$' "$tmp/out"
  isb=$(packets --isb "$tmp/full/cap.pcapng")
  if [[ -n $isb ]]; then
    check "full disk: the ISB says rx_packets and the journal's drops" equals "ISB: interface ifrecv ifdrop" \
      "0 $rx $journal_drops" "$isb"
  fi
  check "full disk: the file holds exactly captured_packets" equals packets "$captured" "$(packets --count "$tmp/full/cap.pcapng")"
  check "full disk: tshark reads it" tshark_ok "$tmp/full/cap.pcapng"
  check "full disk: sentinel-journal check ok" journal_ok "$tmp/full/cap.pcapng"
  check "full disk: what it holds is the input's first packets" cmp -s <(packets "$tmp/full/cap.pcapng") \
    <(head -n "$captured" "$tmp/in.hex")
else
  check "mount a 6 MiB tmpfs" false
fi
# 3 MiB: not even the first buffer fits; the file keeps its header, a valid capture of nothing.
mkdir -p "$tmp/full3"
if mount -t tmpfs -o size=3m sentinel_test_full3 "$tmp/full3"; then
  at_exit "umount '$tmp/full3' 2>/dev/null"
  capture_once "$tmp/full3" >/dev/null
  check "full at the first write: exit 1" equals exit 1 "$rc"
  check "full at the first write: 'No space left'" grep -q 'No space left' "$tmp/err"
  check "full at the first write: every packet a journal drop" equals "captured dropped_journal" "0 $FRAMES" \
    "$(value captured_packets "$tmp/full3/stats") $(value dropped_journal "$tmp/full3/stats")"
  check "full at the first write: identities ok" identities_ok
  check "full at the first write: 0 packets in the file" equals packets 0 "$(packets --count "$tmp/full3/cap.pcapng")"
  check "full at the first write: sentinel-journal check ok" journal_ok "$tmp/full3/cap.pcapng"
  check "full at the first write: tshark reads it" tshark_ok "$tmp/full3/cap.pcapng"
else
  check "mount a 3 MiB tmpfs" false
fi

finish_test
