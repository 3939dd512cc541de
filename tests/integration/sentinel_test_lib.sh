# Shared by every integration test (source it; not a test).
#
#   source sentinel_test_lib.sh NAME      then, in a test that runs the real sentinel on virtual ports,
#   sentinel_setup "$@"                   where "$@" is SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
#
# The first gives: $tmp (a private directory, removed at exit), $here (this directory), skip, needs,
# at_exit, pass, fail, check, equals, netns, veth_pair, start_server/stop_server (the MoldUDP64
# re-request server) and the final summary (finish_test).
# sentinel_setup adds: $sentinel $journal $hugepages $gen $pcap_packets, $mnt_2m (the 2M hugetlbfs
# mount), $eal (hugepage EAL options, or the test exits 77 where root or 2M hugepages are missing),
# run, start, wait_started, finish_run, value, packets, oracle, tshark_ok, journal_ok, identities_ok,
# same_packets and no_leak. Every run of sentinel is bounded by RUN_LIMIT seconds.

set -uo pipefail

test_name=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly POOL_2M=/sys/kernel/mm/hugepages/hugepages-2048kB
passed=0
failed=0
pid=  # a background run of the program under test: killed at exit
server_pid=  # a re-request server started by start_server: killed at exit

skip() {
  echo "${test_name}_test: SKIP: $1"
  exit 77
}

needs() {  # needs TOOL...: skips the test where one is missing
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || skip "needs $tool (scripts/setup.sh installs it)"
  done
}

tmp=$(mktemp -d "/tmp/${test_name}_test.XXXXXX")
exit_hooks=()
at_exit() { exit_hooks+=("$*"); }  # at_exit COMMAND: run at exit, last registered first
cleanup() {
  [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
  [[ -z $server_pid ]] || kill -KILL "$server_pid" 2>/dev/null || true
  local i
  for ((i = ${#exit_hooks[@]} - 1; i >= 0; i--)); do eval "${exit_hooks[i]}"; done
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A failed check shows, under its line, the variable named here when it is set (a test that keeps
# the output of the command under test in one names it).
shown_on_failure=

pass() {  # pass NAME
  passed=$((passed + 1))
  echo "ok    $1"
}

fail() {  # fail NAME [DETAIL]: DETAIL's lines indented under it
  failed=$((failed + 1))
  echo "FAIL  $1"
  [[ -z ${2-} ]] || sed 's/^/      | /' <<<"$2"
  return 0
}

check() {  # check NAME COMMAND...: passes when the command succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name" "${shown_on_failure:+${!shown_on_failure}}"; fi
}

# equals NAME EXPECTED ACTUAL: a comparison that says what it saw when it fails.
equals() {
  [[ $2 == "$3" ]] || { echo "      $1: expected '$2', got '$3'"; return 1; }
}

finish_test() {
  echo "${test_name}_test: $passed passed, $failed failed"
  ((failed == 0))
}

# netns NAME: a network namespace made here with its loopback up, removed at exit. Skips the test
# where the kernel cannot make one.
netns() {
  ip netns add "$1" 2>/dev/null || skip "cannot make a network namespace (ip netns add)"
  at_exit "ip netns del '$1' 2>/dev/null"
  ip -n "$1" link set lo up
}

# veth_pair NEAR_NS NEAR FAR_NS FAR: a veth pair whose ends NEAR and FAR (at most 15 characters) live
# in two network namespaces made here, both up, without IPv6 (no router solicitations or DAD
# probes); everything is removed at exit. Skips the test where the kernel cannot do it.
veth_pair() {
  local near_ns=$1 near=$2 far_ns=$3 far=$4
  netns "$far_ns"
  netns "$near_ns"
  ip link add "$near" type veth peer name "$far" 2>/dev/null || skip "cannot make a veth pair"
  at_exit "ip link del '$near' 2>/dev/null"  # in case a move below failed; a namespace takes its veth with it
  ip link set "$far" netns "$far_ns" && ip link set "$near" netns "$near_ns" ||
    skip "cannot move a veth end into a namespace"
  ip netns exec "$near_ns" sysctl -qw "net.ipv6.conf.$near.disable_ipv6=1" 2>/dev/null
  ip netns exec "$far_ns" sysctl -qw "net.ipv6.conf.$far.disable_ipv6=1" 2>/dev/null
  ip netns exec "$near_ns" ip link set "$near" up && ip netns exec "$far_ns" ip link set "$far" up ||
    { echo "cannot bring the veth pair up"; exit 1; }
}

# start_server NS NAME ARGS...: $server (scripts/mold_rerequest_server.py) with ARGS in network
# namespace NS, stdout in $tmp/NAME.out, stderr in $tmp/NAME.err; returns once it is ready (at most
# 10 s), its pid in $server_pid.
start_server() {
  local ns=$1 name=$2 i
  shift 2
  ip netns exec "$ns" python3 "$server" --ready-file "$tmp/$name.ready" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
  server_pid=$!  # ip netns exec execs: this is the server
  for ((i = 0; i < 100; i++)); do
    [[ -e $tmp/$name.ready ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "      exited: $(tail -1 "$tmp/$name.err")"; return 1; }
    sleep 0.1
  done
  echo "      not ready in 10 s"
  return 1
}

# stop_server NAME [SIGNAL]: sends SIGNAL (none: waits for the server to leave by itself), waits at
# most 10 s, then kills; the exit status goes to $tmp/NAME.rc.
stop_server() {
  local name=$1 i rc=0
  [[ -n $server_pid ]] || { echo none >"$tmp/$name.rc"; return 0; }
  if [[ -n ${2:-} ]]; then kill "-$2" "$server_pid" 2>/dev/null || true; fi
  for ((i = 0; i < 100; i++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || rc=$?
  server_pid=
  echo "$rc" >"$tmp/$name.rc"
}

# ---- running the real sentinel ----------------------------------------------------------------------

sentinel_setup() {
  (($# >= 4)) || { echo "usage: ${test_name}_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY" >&2; exit 2; }
  # Absolute, so that a test may cd.
  sentinel=$(realpath -m "$1")
  journal=$(realpath -m "$2")
  hugepages=$(realpath -m "$3")
  gen=$(realpath -m "$4")
  pcap_packets=$here/pcap_packets.py
  RUN_LIMIT=${RUN_LIMIT:-60}  # seconds any one run of sentinel may take

  needs tshark tcpdump python3
  ((EUID == 0)) || skip "needs root (reserves hugepages)"
  [[ -w $POOL_2M/nr_hugepages ]] || skip "no writable $POOL_2M (no 2M hugepages here)"
  prev_2m=$(<"$POOL_2M/nr_hugepages")
  timeout 60 bash "$hugepages" reserve --pages 256 >/dev/null
  case $? in
    0) ;;
    3 | 4 | 5) skip "hugepages.sh could not reserve 256 2M pages" ;;
    *) echo "${test_name}_test: hugepages.sh reserve failed"; echo "${test_name}_test: 0 passed, 1 failed"; exit 1 ;;
  esac
  ours_2m=$(<"$POOL_2M/nr_hugepages")
  at_exit give_back_hugepages

  # EAL takes only the 2M mount (a 1G page someone reserved would otherwise take the rings); page
  # files are unlinked once mapped, so a run killed with -9 leaves nothing behind.
  mnt_2m=$(findmnt -rn -t hugetlbfs -o TARGET,OPTIONS | while read -r dir options; do
    [[ $options == *pagesize=2M* ]] && { echo "$dir"; break; }
  done)
  [[ -n $mnt_2m ]] || skip "no hugetlbfs mount of 2M pages after hugepages.sh reserve"
  eal=(-l 0-1 --no-pci --no-shconf --no-telemetry --file-prefix "${test_name}_test_$$" --log-level=lib.eal:error
       --huge-dir "$mnt_2m" --huge-unlink)
}

# Gives back only what sentinel_setup added, and only if nobody changed the reservation meanwhile.
give_back_hugepages() {
  if (($(<"$POOL_2M/nr_hugepages") == ours_2m && ours_2m != prev_2m)); then
    echo "$prev_2m" >"$POOL_2M/nr_hugepages"
  fi
}

# run ARGS...: a bounded foreground run of sentinel; $rc its exit status, stdout in $tmp/out,
# stderr in $tmp/err. Says what happened when the status is not 0.
run() {
  timeout -s KILL "$RUN_LIMIT" "$sentinel" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  ((rc == 0)) || show_run "$@"
}

show_run() {
  echo "      exit $rc: sentinel $*"
  sed -n '1,15s/^/      err| /p' "$tmp/err"
  grep -v '^memory=\|^plan\|^placement' "$tmp/out" | sed -n '1,40s/^/      out| /p'
}

# start ARGS...: sentinel in the background (stdout $tmp/out, stderr $tmp/err), its pid in $pid.
launcher=()  # a command sentinel runs under, e.g. (ip netns exec NS); it must exec, keeping the pid
start() {
  "${launcher[@]}" "$sentinel" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null &
  pid=$!
}

# wait_started: until sentinel prints its rings' memory line (it then receives), at most RUN_LIMIT s.
wait_started() {
  local i
  for ((i = 0; i < RUN_LIMIT * 10; i++)); do
    grep -q '^memory=ring\.' "$tmp/out" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# finish_run: waits for the background run, at most RUN_LIMIT seconds; sets $rc (137 when killed).
finish_run() {
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < RUN_LIMIT * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null  # no "Killed" line from bash for a run killed on purpose
  rc=$?
  pid=
}

value() { sed -n "s/^$1=//p" "${2:-$tmp/out}" | head -1; }  # value KEY [FILE]: a key=value counter

# equals NAME EXPECTED ACTUAL: a comparison that says what it saw when it fails.
equals() {
  [[ $2 == "$3" ]] || { echo "      $1: expected '$2', got '$3'"; return 1; }
}

packets() { python3 "$pcap_packets" "$@"; }  # packets [--count|--lengths|...] FILE

# oracle IN EXPR OUT: what tcpdump selects from IN, as a pcap. Through stdout, so that OUT stays
# root's (tcpdump gives the files it opens to its own user when it drops root).
oracle() {
  timeout 60 tcpdump -r "$1" -w - "$2" 2>/dev/null >"$3" </dev/null
}

# tshark_ok FILE: tshark reads FILE to the end: exit 0 and nothing on stderr (but its warning about root).
tshark_ok() {
  local status
  timeout 60 tshark -r "$1" >/dev/null 2>"$tmp/tshark_err" </dev/null
  status=$?
  if ((status != 0)) || grep -qv '^Running as user' "$tmp/tshark_err"; then
    echo "      tshark -r $1: exit $status"
    sed -n '1,5s/^/      | /p' "$tmp/tshark_err"
    return 1
  fi
}

# journal_ok FILE: sentinel-journal check says ok.
journal_ok() {
  local line status
  line=$(timeout 60 "$journal" check "$1" 2>&1)
  status=$?
  ((status == 0)) && [[ $line == "$1: ok: "* ]] || { echo "      sentinel-journal check: exit $status: $line"; return 1; }
}

# identities_ok [FILE]: every identity line sentinel printed ends in ': ok', and the capture one is there.
identities_ok() {
  local file=${1:-$tmp/out}
  grep -q '^identity capture: ' "$file" && ! grep '^identity' "$file" | grep -qv ': ok$' ||
    { echo "      identity lines:"; grep '^identity' "$file" | sed 's/^/      | /'; return 1; }
}

# same_packets NAME EXPECTED_FILE ACTUAL_FILE: the same packets, in the same order, byte for byte
# (original and captured lengths too); the first difference is shown.
same_packets() {
  packets "$2" >"$tmp/expected.hex" && packets "$3" >"$tmp/actual.hex" || return 1
  cmp -s "$tmp/expected.hex" "$tmp/actual.hex" && return 0
  echo "      $1: packets differ ($(wc -l <"$tmp/expected.hex") expected, $(wc -l <"$tmp/actual.hex") captured); first difference:"
  diff "$tmp/expected.hex" "$tmp/actual.hex" | cut -c1-160 | head -6 | sed 's/^/      | /'
  return 1
}

# same_multiset CAPTURE INPUT...: CAPTURE holds exactly the packets of the INPUTs, byte for byte, in
# any order (rings that run at once interleave).
same_multiset() {
  local capture=$1
  shift
  packets "$capture" | sort >"$tmp/actual.sorted" || return 1
  local input
  for input in "$@"; do packets "$input" || return 1; done | sort >"$tmp/expected.sorted"
  cmp -s "$tmp/expected.sorted" "$tmp/actual.sorted" && return 0
  echo "      packets differ as a multiset ($(wc -l <"$tmp/expected.sorted") expected, $(wc -l <"$tmp/actual.sorted") captured):"
  diff "$tmp/expected.sorted" "$tmp/actual.sorted" | cut -c1-160 | head -6 | sed 's/^/      | /'
  return 1
}

no_leak() {  # no_leak: stderr says nothing of leaked mbufs
  ! grep -qi 'leak' "$tmp/err" || { grep -i 'leak' "$tmp/err" | head -3 | sed 's/^/      | /'; return 1; }
}
