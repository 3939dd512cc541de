#!/usr/bin/env bash
# The real sentinel refusing bad input: a bad option or value exits 2 with exactly one line on
# stderr, 'sentinel: ...'; a problem found at run time (no such port, a capture file it cannot
# create, an input port that fails to open) exits 1 with one 'sentinel:' line (EAL may add its own
# lines before it); nothing crashes, and a refused run leaves no capture file behind. A damaged
# rx_pcap file is said in one warning line naming it and its first bad offset, counted in
# rx_pcap_damaged_records, and replayed as net_pcap replays it (phantom 0-byte packets counted as
# rx_runt_packets); one net_pcap cannot read at all is refused in one line naming it.
# usage: bad_input_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root and 2M hugepages (reserves 256, gives back what it added); exits 77 without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" bad_input
sentinel_setup "$@"

RUN_LIMIT=30
cd "$tmp" || exit 1  # a core dump would land here
python3 "$gen" --count 100 --seed 41 --out "$tmp/in.pcap" || { echo "gen_traffic.py failed"; exit 1; }
printf 'capture = %s/from_config.pcapng\nthis line is not key = value\n' "$tmp" >"$tmp/bad_key.conf"
printf 'capture %s/from_config.pcapng\n' "$tmp" >"$tmp/no_equals.conf"
printf 'duration = soon\n' >"$tmp/bad_value.conf"
printf 'force = yes\n' >"$tmp/flag_value.conf"
mkdir "$tmp/a_directory"
null=(--vdev net_null0)
two=(--vdev net_null0 --vdev net_null1)

# refused EXIT NAME ARGS...: sentinel exits EXIT (never a signal), one 'sentinel:' line on stderr and,
# for a usage error (2), nothing else there.
refused() {
  local expect=$1 name=$2 lines others
  shift 2
  timeout -s KILL "$RUN_LIMIT" "$sentinel" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  lines=$(grep -c '^sentinel: ' "$tmp/err")
  others=$(grep -vc '^sentinel: ' "$tmp/err")
  if ((rc == expect && lines == 1 && (expect != 2 || others == 0))); then
    passed=$((passed + 1))
    echo "ok    $name: exit $rc: $(grep '^sentinel: ' "$tmp/err" | cut -c1-110)"
  else
    failed=$((failed + 1))
    echo "FAIL  $name: exit $rc (expected $expect), $lines 'sentinel:' lines, $others others: sentinel $*"
    sed -n '1,8s/^/      err| /p' "$tmp/err"
    grep -v '^memory=\|^lcore=\|^note=' "$tmp/out" | sed -n '1,8s/^/      out| /p'
  fi
}

# ---- usage errors: exit 2 ---------------------------------------------------------------------------------
refused 2 "unknown option" "${eal[@]}" "${null[@]}" -- --bogus
refused 2 "stray argument" "${eal[@]}" "${null[@]}" -- --duration 1 extra
refused 2 "option without its value" "${eal[@]}" "${null[@]}" -- --duration
refused 2 "capture filter 'tcp port'" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --capture-filter 'tcp port'
check "a refused filter leaves no capture file behind" test ! -e "$tmp/x.pcapng"
refused 2 "forward filter 'udp and'" "${eal[@]}" "${two[@]}" -- --forward 1 --forward-filter 'udp and'
refused 2 "--ring-size 1000" "${eal[@]}" "${null[@]}" -- --ring-size 1000
refused 2 "--snaplen 5" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --snaplen 5
refused 2 "--rotate-size 0" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --rotate-size 0
refused 2 "--rotate-size 1X" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --rotate-size 1X
refused 2 "--rotate-size smaller than a capture buffer" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --rotate-size 8K
refused 2 "--max-files without rotation" "${eal[@]}" "${null[@]}" -- --capture "$tmp/x.pcapng" --max-files 2
refused 2 "--capture-filter without --capture" "${eal[@]}" "${null[@]}" -- --capture-filter tcp
refused 2 "--forward-filter without --forward" "${eal[@]}" "${null[@]}" -- --forward-filter udp
refused 2 "--full-policy sometimes" "${eal[@]}" "${null[@]}" -- --full-policy sometimes
refused 2 "--duration -1" "${eal[@]}" "${null[@]}" -- --duration -1
refused 2 "--config: a line that is not key = value" "${eal[@]}" "${null[@]}" -- --config "$tmp/bad_key.conf"
refused 2 "--config: a key without '='" "${eal[@]}" "${null[@]}" -- --config "$tmp/no_equals.conf"
refused 2 "--config: a bad value" "${eal[@]}" "${null[@]}" -- --config "$tmp/bad_value.conf"
refused 2 "--config: a value for a flag" "${eal[@]}" "${null[@]}" -- --config "$tmp/flag_value.conf"
refused 2 "--config: no such file" "${eal[@]}" "${null[@]}" -- --config "$tmp/none.conf"
check "--config: refused before creating the capture it names" test ! -e "$tmp/from_config.pcapng"

# ---- run-time errors: exit 1 ------------------------------------------------------------------------------
refused 1 "--forward 9: no such port" "${eal[@]}" "${null[@]}" -- --forward 9
refused 1 "--forward 9 with --capture" "${eal[@]}" "${null[@]}" -- --forward 9 --capture "$tmp/early.pcapng"
check "--forward 9 with --capture: no capture file left behind" test ! -e "$tmp/early.pcapng"
refused 1 "--capture in a directory that does not exist" "${eal[@]}" "${null[@]}" -- --capture /nonexistent/dir/x.pcapng
refused 2 "--capture a directory" "${eal[@]}" "${null[@]}" -- --capture "$tmp/a_directory"
check "--capture a directory: the directory is still there" test -d "$tmp/a_directory"
refused 1 "rx_pcap file missing (the only port)" "${eal[@]}" --vdev net_pcap0,rx_pcap="$tmp/missing.pcap" -- --stop-when-idle 200
# A port that fails to open must not vanish silently: the ports after it would be renumbered and
# the run would go on without the input the operator named.
timeout -s KILL "$RUN_LIMIT" "$sentinel" "${eal[@]}" --vdev net_pcap0,rx_pcap="$tmp/missing.pcap" --vdev \
  "net_pcap1,rx_pcap=$tmp/in.pcap" -- --stop-when-idle 200 >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
check "rx_pcap file missing beside a good port: exit non-zero" test "$rc" -ne 0 -a "$rc" -lt 128
((rc != 0)) && check "rx_pcap file missing beside a good port: a 'sentinel:' line" grep -q '^sentinel: ' "$tmp/err"

# ---- damaged rx_pcap files: warned about, counted, replayed -------------------------------------------------
# damage_pcap.py damages a copy of a sound capture and says where: "OFFSET GOOD_RECORDS". Only UDP
# frames of 60 bytes or more, so that every runt is one of libpcap's phantoms.
python3 "$gen" --count 100 --seed 43 --mix udp4=1 --out "$tmp/udp.pcap" || { echo "gen_traffic.py failed"; exit 1; }
damage() { python3 "$here/damage_pcap.py" "$tmp/udp.pcap" "$@"; }
# replay FILE: one run on net_pcap0 to the end of FILE; counters in $tmp/stats.
replay() { run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$1" -- --stop-when-idle 200 --stats-out "$tmp/stats"; }
warnings() { grep -c '^warning=rx_pcap ' "$tmp/err"; }

replay "$tmp/udp.pcap"
check "sound rx_pcap: exit 0" equals exit 0 "$rc"
check "sound rx_pcap: no warning" equals "warning lines" 0 "$(warnings)"
check "sound rx_pcap: rx_pcap_damaged_records=0" equals damaged 0 "$(value rx_pcap_damaged_records "$tmp/stats")"
check "sound rx_pcap: every packet, no runt" equals "rx runts" "100 0" \
  "$(value rx_packets "$tmp/stats") $(value rx_runt_packets "$tmp/stats")"

# The issue's file: a record whose caplen is 0xffffffff. libpcap refuses it, then reads its 48 zero
# bytes as three 0-byte records before it is back in step: 99 good packets and 3 phantoms.
read -r offset good < <(damage "$tmp/bad_caplen.pcap" bad-caplen 40)
replay "$tmp/bad_caplen.pcap"
check "bad caplen: the run goes on (exit 0)" equals exit 0 "$rc"
check "bad caplen: one warning line" equals "warning lines" 1 "$(warnings)"
check "bad caplen: the warning names the file, offset $offset and what is wrong" \
  grep -q "^warning=rx_pcap $tmp/bad_caplen.pcap is damaged at offset $offset: caplen 4294967295 above" "$tmp/err"
check "bad caplen: the warning says what net_pcap will replay" \
  grep -q "net_pcap will replay $good good records, then 62 more packets (3 shorter than an Ethernet header)" "$tmp/err"
check "bad caplen: --stats-out rx_packets, rx_runt_packets, rx_pcap_damaged_records" equals counters "102 3 4" \
  "$(value rx_packets "$tmp/stats") $(value rx_runt_packets "$tmp/stats") $(value rx_pcap_damaged_records "$tmp/stats")"
check "bad caplen: stdout counters too" equals damaged 4 "$(value rx_pcap_damaged_records)"

# A capture cut off mid-record: net_pcap ends at the last whole one.
read -r offset good < <(damage "$tmp/torn.pcap" truncate)
replay "$tmp/torn.pcap"
check "truncated record: exit 0" equals exit 0 "$rc"
check "truncated record: one warning naming the file and offset $offset, with the repair" \
  grep -q "^warning=rx_pcap $tmp/torn.pcap is damaged at offset $offset: record of .* runs past the end of the file.*'truncate -s $offset $tmp/torn.pcap' keeps every good record$" "$tmp/err"
check "truncated record: the good records, counted damage" equals counters "99 0 1" \
  "$(value rx_packets "$tmp/stats") $(value rx_runt_packets "$tmp/stats") $(value rx_pcap_damaged_records "$tmp/stats")"

damage "$tmp/bad_magic.pcap" bad-magic >/dev/null
refused 1 "rx_pcap with a bad magic" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/bad_magic.pcap" -- --stop-when-idle 200
check "rx_pcap with a bad magic: the line names the file" grep -q "^sentinel: rx_pcap $tmp/bad_magic.pcap .*magic" "$tmp/err"

# ---- output paths: refused before the run starts -------------------------------------------------------------
# --stats-out is written at the end: a path that cannot take it must not fail after the session it was
# meant to keep. With --duration past RUN_LIMIT, a run that got going would be killed, not refused.
refused 2 "--stats-out a directory" "${eal[@]}" "${null[@]}" -- --duration 60 --stats-out "$tmp/a_directory" \
  --capture "$tmp/late.pcapng"
check "--stats-out a directory: says so" grep -q "^sentinel: --stats-out $tmp/a_directory is a directory: name a file" "$tmp/err"
check "--stats-out a directory: refused before the capture file exists" test ! -e "$tmp/late.pcapng"
refused 2 "--stats-out in a directory that does not exist" "${eal[@]}" "${null[@]}" -- --duration 60 \
  --stats-out /nonexistent/dir/stats
check "--stats-out in a directory that does not exist: says why" \
  grep -q "^sentinel: cannot write --stats-out /nonexistent/dir/stats: /nonexistent/dir: No such file or directory" "$tmp/err"
refused 2 "--tob-out a directory" "${eal[@]}" "${null[@]}" -- --duration 60 --feed itch50 \
  --feed-a 233.54.12.111:26477 --feed-max-orders 1024 --tob-out "$tmp/a_directory"

# ---- EAL refusals: what failed and what to do ------------------------------------------------------------------
# eal_with OPTION VALUE: the test's EAL options with OPTION taking VALUE, in $changed.
eal_with() {
  local i
  changed=("${eal[@]}")
  for ((i = 0; i + 1 < ${#changed[@]}; i++)); do [[ ${changed[i]} == "$1" ]] && changed[i + 1]=$2; done
}
# EAL calls both "Permission denied".
eal_with --huge-dir /nonexistent
refused 1 "--huge-dir that does not exist" "${changed[@]}" "${null[@]}" -- --duration 1
check "--huge-dir that does not exist: says so and what to do" \
  grep -q "^sentinel: --huge-dir /nonexistent does not exist: .*hugepages.sh reserve.*--no-huge" "$tmp/err"
eal_with --huge-dir "$tmp/a_directory"
refused 1 "--huge-dir that is no hugetlbfs" "${changed[@]}" "${null[@]}" -- --duration 1
check "--huge-dir that is no hugetlbfs: says so" grep -q "^sentinel: --huge-dir $tmp/a_directory is not a hugetlbfs mount: " "$tmp/err"

# A second primary on the --file-prefix of a running one: EAL fails on the lock the first holds on its
# runtime config, before it sets rte_errno ("Success"). Both with that config (no --no-shconf).
prefix=bad_input_clash_$$
eal_with --file-prefix "$prefix"
shared=()
for a in "${changed[@]}"; do [[ $a == --no-shconf ]] || shared+=("$a"); done
at_exit "rm -rf '/var/run/dpdk/$prefix'"
"$sentinel" "${shared[@]}" "${null[@]}" -- --duration "$RUN_LIMIT" >"$tmp/holder.out" 2>"$tmp/holder.err" </dev/null &
holder=$!
at_exit "kill -KILL $holder 2>/dev/null"
for ((i = 0; i < RUN_LIMIT * 10; i++)); do
  grep -q '^memory=ring\.' "$tmp/holder.out" 2>/dev/null && break
  kill -0 "$holder" 2>/dev/null || break
  sleep 0.1
done
check "--file-prefix clash: the first run is up" grep -q '^memory=ring\.' "$tmp/holder.out"
refused 1 "--file-prefix a running sentinel holds" "${shared[@]}" "${null[@]}" -- --duration 1
check "--file-prefix clash: names the other process and the prefix" \
  grep -q "^sentinel: another DPDK process (PID $holder) uses --file-prefix $prefix: " "$tmp/err"
kill -INT "$holder" 2>/dev/null
for ((i = 0; i < RUN_LIMIT * 10; i++)); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$holder" 2>/dev/null  # still there: it hung, and exits 137
wait "$holder" 2>/dev/null
check "--file-prefix clash: the first run ends cleanly" equals exit 0 "$?"

# ---- help ---------------------------------------------------------------------------------------------------
timeout -s KILL "$RUN_LIMIT" "$sentinel" "${eal[@]}" "${null[@]}" -- --help >"$tmp/out" 2>"$tmp/err" </dev/null
check "--help: exit 0" equals exit 0 "$?"
for o in --capture --capture-filter --snaplen --rotate-size --rotate-seconds --max-files --force --forward \
  --forward-filter --config --stop-when-idle --stats-out; do
  check "--help: lists $o" grep -q -- "^ *$o " "$tmp/out"
done

check "no core dump" equals "core files" 0 "$(find "$tmp" -maxdepth 1 -name 'core*' | wc -l)"
finish_test
