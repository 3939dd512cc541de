#!/usr/bin/env bash
# Builds and runs Sentinel's benchmarks.
#
#   scripts/bench.sh disruptor [--quick] [--cpus LIST] [--case NAME] [--events N] [--repeats N]
#       Builds tests/bench/disruptor_bench if needed and runs it: the Disruptor against rte_ring,
#       boost/moodycamel SPSC queues and a mutex queue on LMAX's topologies. Options go to the
#       program (disruptor_bench --help lists them).
#   scripts/bench.sh disruptor --static-build DIR
#       Builds a fully static disruptor_bench into DIR/disruptor_bench, for a machine without
#       DPDK or this toolchain, and checks that it has no dynamic dependencies.
#   scripts/bench.sh pipeline [--quick] [--case NAME] [--seconds S] [--repeats N]
#       Builds tests/bench/pipeline_bench and runs lib/net's pipeline (RX duty, Disruptor ring,
#       filter, parallel stages, release) against the same stages joined by rte_ring, on
#       net_null0's endless 64-byte frames, RX on lcore 1 and every stage on lcore 0; then
#       dpdk-testpmd's io forwarding between two net_null ports as a reference. Mpps, the median
#       of N runs of S seconds (default 3 x 3 s; --quick: 1 x 2 s).
#   scripts/bench.sh capture [--quick] [--seconds S] [--repeats N] [--dir DIR]
#       Builds app/sentinel and measures loss-free capture to pcapng on disk: sentinel --capture
#       against dpdk-dumpcap attached to a running sentinel (64- and 1500-byte frames), and
#       sentinel's 1500-byte capture against dd with O_DIRECT on the same disk. DIR (default
#       BUILD_DIR/capture-bench) must be on a real disk, not tmpfs; each run's files are deleted
#       after it. Default 3 x 4 s; --quick: 1 x 3 s.
#   scripts/bench.sh feed [--quick] [--repeats N]
#       Builds tests/bench/feed_bench and app/sentinel. itch_book: the appliance's feed engine
#       (arbitration, decode, full-depth books, top-of-book records) over an in-memory ITCH 5.0
#       stream on one core (published figures of other books printed for
#       reference). wire_to_book_p50/p99: sentinel --feed on net_af_packet at one end of a veth pair
#       in namespaces made here, tcpreplay sending scripts/gen_itch.py's two lines at a steady rate
#       into the other; nanoseconds from the RX burst's TSC to the book update (RX on lcore 1, the
#       feed stage on lcore 0). Needs root, network namespaces and tcpreplay for the second part.
#   scripts/bench.sh rx-scaling [--quick] [--queues 1,2,4] [--seconds S] [--repeats N]
#       Builds app/sentinel and runs it with N RX queues of net_null0 (an RX lcore each, RX into
#       the ring and release), for each N that fits the machine's CPUs (N + 1 at least; workers get
#       CPUs of their own where 2N + 1 fit), against dpdk-testpmd --forward-mode=rxonly on N
#       forwarding lcores; Mpps per N and each one's scaling over one queue. Default 3 x 5 s;
#       --quick: 1 x 3 s. A 2-CPU machine runs N = 1 only and says so.
#
# The build directory is build/ (set BUILD_DIR to use another); it is configured with the
# top-level meson.build if it does not exist yet. Progress goes to stderr, results to stdout:
# BENCH <case> <impl> <value> <unit> lines, "# " comment lines, then scripts/bench_report.py's
# summary table with Sentinel's ratio to each peer and the targets (reported, never enforced).
# pipeline and capture run DPDK as root on lcores 0 and 1, with hugepages from /dev/hugepages when
# enough are free (else --no-huge, with a warning).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

say() { echo "bench.sh: $*" >&2; }
die() { echo "bench.sh: error: $1" >&2; exit "${2:-1}"; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

# Configures the build directory if needed and builds one target (a path under it).
build() {
    local target="$1"
    if [[ ! -f "$build_dir/build.ninja" ]]; then
        say "configuring $build_dir (meson setup)"
        meson setup "$build_dir" "$root" >&2
    fi
    # grep reads the whole list: with -q it could exit early and fail the pipe under pipefail.
    if ! ninja -C "$build_dir" -t targets all 2>/dev/null | grep "^$target:" >/dev/null; then
        die "$build_dir has no target $target (a sanitized build skips benchmarks; the static one also needs librte_ring.a and friends, libnuma.a, libbsd.a, libmd.a); point BUILD_DIR at a new directory for a plain build"
    fi
    say "building $target in $build_dir"
    ninja -C "$build_dir" "$target" >&2
}

disruptor() {
    local static_dir=""
    local args=()
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --static-build)
                [[ $# -ge 2 ]] || die "--static-build needs a directory" 2
                static_dir="$2"
                shift 2
                ;;
            *)
                args+=("$1")
                shift
                ;;
        esac
    done

    if [[ -n "$static_dir" ]]; then
        build tests/bench/disruptor_bench_static
        mkdir -p "$static_dir"
        cp "$build_dir/tests/bench/disruptor_bench_static" "$static_dir/disruptor_bench"
        say "checking that $static_dir/disruptor_bench is static"
        if ldd "$static_dir/disruptor_bench" >/dev/null 2>&1; then
            die "$static_dir/disruptor_bench still has dynamic dependencies"
        fi
        say "done: run $static_dir/disruptor_bench [--quick] [--cpus LIST] on the target machine"
        return
    fi

    build tests/bench/disruptor_bench
    say "running disruptor_bench ${args[*]:-}"
    "$build_dir/tests/bench/disruptor_bench" ${args[@]+"${args[@]}"}
}

# ---- shared by pipeline and capture -------------------------------------------------------------

# A filter the appliance could be given that matches none of net_null's all-zero frames: the
# program runs on every packet.
readonly nothing_filter='udp and dst port 26477'
# 2 MiB pages one run needs at most (a 16K-mbuf pool and a ring); EAL maps only what it uses.
readonly min_free_hugepages=64

work=""     # this run's scratch directory: logs, stats, the results file
results=""  # every line printed to stdout so far, read back by the summary

# Every DPDK process this script starts uses an EAL --file-prefix of this form, so that what EAL
# leaves behind (a primary's config; hugepage files when they were not unlinked) can be removed.
prefix_of() { echo "bench-$1-$$"; }

cleanup() {
    rm -f /dev/hugepages/bench-*-"$$"map_*
    rm -rf /var/run/dpdk/bench-*-"$$"
    [[ -z "$work" ]] || rm -rf "$work"
}

start_work() {
    work="$(mktemp -d /tmp/sentinel-bench.XXXXXX)"
    results="$work/results"
    trap cleanup EXIT
}

# Prints lines to stdout and keeps them for the summary.
emit() { printf '%s\n' "$*" | tee -a "$results"; }

free_hugepages() {
    if [[ -d /dev/hugepages ]]; then awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo; else echo 0; fi
}

# EAL memory options: hugepages, unlinked once mapped so nothing stays behind in /dev/hugepages;
# --no-huge (4K pages: slower, said so) when too few are free.
hugepage_args=()
choose_memory() {
    if (($(free_hugepages) >= min_free_hugepages)); then
        hugepage_args=(--huge-dir /dev/hugepages --huge-unlink)
    else
        emit "# warning: fewer than $min_free_hugepages free 2M hugepages: running with --no-huge -m 1024" \
            "(4K pages, a TLB miss every 4 KiB: figures are low)"
        hugepage_args=(--no-huge -m 1024)
    fi
}

# The report (scripts/bench_report.py) owns the arithmetic on figures, the summary and the targets.
report="$root/scripts/bench_report.py"
divide() { python3 "$report" divide "$1" "$2"; }  # x / y, with 2 decimals
median() { python3 "$report" median; }            # of the numbers on stdin, one a line

# The value of KEY in a file of key=value lines, or "".
value_of() { awk -F= -v k="$1" '$1 == k { print $2 }' "$2"; }

load_note() {
    emit "# load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs: other processes share these cores;" \
        "compare ratios, not absolute figures"
}

# Reads --quick, --seconds S, --repeats N (and what `more` accepts: it is called with the option
# and its value, and returns 1 for an option it does not know) into quick, seconds, repeats.
quick=0
seconds=""
repeats=""
parse_run_options() {
    local more="$1" quick_seconds="$2" full_seconds="$3"
    shift 3
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --quick) quick=1; shift; continue ;;
            --seconds | --repeats | --case | --dir) [[ $# -ge 2 ]] || die "$1 needs a value" 2 ;;
        esac
        case "$1" in
            --seconds)
                [[ "$2" =~ ^[0-9]+$ && "$2" -ge 1 ]] || die "--seconds: '$2' is not a whole number of seconds" 2
                seconds="$2"
                ;;
            --repeats)
                [[ "$2" =~ ^[0-9]+$ && "$2" -ge 1 ]] || die "--repeats: '$2' is not a positive number" 2
                repeats="$2"
                ;;
            *) "$more" "$1" "${2:-}" || die "unknown option '$1' (scripts/bench.sh --help)" 2 ;;
        esac
        shift 2
    done
    if ((quick)); then
        seconds="${seconds:-$quick_seconds}"
        repeats="${repeats:-1}"
    else
        seconds="${seconds:-$full_seconds}"
        repeats="${repeats:-3}"
    fi
}

# ---- pipeline -----------------------------------------------------------------------------------

pipeline_case=""
pipeline_option() {
    [[ "$1" == --case ]] || return 1
    pipeline_case="$2"
}

# dpdk-testpmd's io forwarding between net_null0 and net_null1: one lcore (1) receives from each
# port and transmits the burst to the other, with no handoff between cores (lcore 0 only prints
# stats, every second). A run's figure: the median over its stats periods (less the first, which
# covers start-up) of port 0's plus port 1's Rx-pps, both directions together. Its mempool is
# 16K mbufs: each mbuf is freed (by net_null's TX) on the lcore that allocated it, from and to
# that lcore's cache, so the pool's size does not matter.
testpmd_io() {
    local r log mpps
    local -a runs=()
    for ((r = 1; r <= repeats; r++)); do
        log="$work/testpmd.$r.log"
        # testpmd ends its stats loop at SIGINT; a second of start-up, then seconds + 1 periods.
        timeout -s INT $((seconds + 3)) dpdk-testpmd -l 0-1 --no-pci \
            --vdev net_null0,size=64,copy=0 --vdev net_null1,size=64,copy=0 "${hugepage_args[@]}" \
            --file-prefix "$(prefix_of testpmd)" --log-level=lib.eal:warning -- \
            --forward-mode=io --auto-start --stats-period 1 --total-num-mbufs 16384 </dev/null >"$log" 2>&1 || true
        mpps=$(awk '/Rx-pps:/ { pps[n++] = $2 }
                    END { for (i = 2; i + 1 < n; i += 2) print (pps[i] + pps[i + 1]) / 1e6 }' "$log" | median)
        if [[ -z "$mpps" ]]; then
            emit "# skipped pipeline_filter_release testpmd_io: dpdk-testpmd printed no Rx-pps" \
                "(log: $(tail -3 "$log" | tr '\n' ' '))"
            return
        fi
        emit "# pipeline_filter_release testpmd_io run $r: $mpps Mpps" \
            "(port 0 + port 1 Rx-pps, median over the stats periods)"
        runs+=("$mpps")
    done
    emit "BENCH pipeline_filter_release testpmd_io $(printf '%s\n' "${runs[@]}" | median) Mpps"
}

pipeline() {
    parse_run_options pipeline_option 2 3 "$@"
    build tests/bench/pipeline_bench
    start_work
    local log="$work/pipeline_bench.log"
    load_note
    choose_memory

    local -a args=(--seconds "$seconds" --repeats "$repeats")
    [[ -z "$pipeline_case" ]] || args+=(--case "$pipeline_case")
    # Four runs of seconds + 0.25 per repeat, EAL and pool set-up: generous, but bounded.
    local limit=$((4 * repeats * (seconds + 2) + 60))
    say "running pipeline_bench ${args[*]} (lcore 0: stages, lcore 1: RX; at most ${limit} s)"
    if ! timeout "$limit" "$build_dir/tests/bench/pipeline_bench" -l 0-1 --no-pci --vdev net_null0,size=64,copy=0 \
        "${hugepage_args[@]}" --file-prefix "$(prefix_of pipeline)" --log-level=lib.eal:warning -- "${args[@]}" \
        2>"$log" | tee -a "$results"; then
        tail -20 "$log" >&2
        die "pipeline_bench failed (its log is above)"
    fi

    if [[ -z "$pipeline_case" || ",$pipeline_case," == *,pipeline_filter_release,* ]]; then
        say "running dpdk-testpmd --forward-mode=io on net_null0 <-> net_null1, $repeats x $seconds s"
        testpmd_io
    fi

    echo
    echo "Mpps, median of $repeats run(s) of $seconds s; 64-byte frames from net_null (all zeros: the filter"
    echo "'$nothing_filter' runs on every packet and matches none); RX on lcore 1, stages on lcore 0."
    python3 "$report" summary pipeline "$results"
}

# ---- capture ------------------------------------------------------------------------------------

capture_dir=""
capture_option() {
    [[ "$1" == --dir ]] || return 1
    capture_dir="$2"
}

sentinel_bin=""

# Refuses a directory on tmpfs (the point is the disk) and shortens the runs when the disk cannot
# hold one run's file: up to 1.5 GB a second, twice over for safety.
check_capture_dir() {
    mkdir -p "$capture_dir"
    local fstype avail need
    fstype=$(df --output=fstype "$capture_dir" | tail -1 | tr -d ' ')
    case "$fstype" in
        tmpfs | ramfs) die "--dir $capture_dir is on $fstype: capture must be measured on a real disk" 2 ;;
    esac
    avail=$(df --output=avail -B1 "$capture_dir" | tail -1 | tr -d ' ')
    need=$((seconds * 3000000000))
    if ((avail < need)); then
        seconds=$((avail / 3000000000))
        ((seconds >= 1)) || die "$capture_dir has $((avail / 1000000)) MB free: too little for a capture run" 1
        emit "# warning: $capture_dir has $((avail / 1000000)) MB free: runs shortened to $seconds s"
    fi
    emit "# capture to $capture_dir ($fstype on $(df --output=source "$capture_dir" | tail -1))"
}

# sentinel --capture of SIZE-byte frames for `seconds`: prints its run line and records
# "MPPS BYTES_PER_SECOND" in $work/sentinel.SIZE.
capture_sentinel() {
    local size="$1" r="$2"
    local out="$capture_dir/bench.pcapng" stats="$work/stats" log="$work/sentinel.log"
    rm -f "$stats"
    if ! "$sentinel_bin" -l 0-1 --no-pci --vdev "net_null0,size=$size,copy=0" "${hugepage_args[@]}" \
        --file-prefix "$(prefix_of capture)" --log-level=lib.eal:warning -- \
        --capture "$out" --force --duration "$seconds" --stats-out "$stats" >"$log" 2>&1; then
        rm -f "$out"
        tail -20 "$log" >&2
        die "sentinel --capture failed (its log is above)"
    fi
    local captured bytes rx dropped_journal dropped_ring_full file_bytes
    captured=$(value_of captured_packets "$stats")
    rx=$(value_of rx_packets "$stats")
    dropped_journal=$(value_of dropped_journal "$stats")
    dropped_ring_full=$(value_of dropped_ring_full "$stats")
    file_bytes=$(stat -c %s "$out")
    rm -f "$out"
    if [[ "$dropped_journal" != 0 || "$dropped_ring_full" != 0 || "$captured" == 0 ]]; then
        local counts="captured $captured, dropped_journal $dropped_journal, dropped_ring_full $dropped_ring_full"
        die "sentinel capture of ${size}-byte frames was not loss-free: $counts"
    fi
    local mpps mbps rx_mpps
    mpps=$(divide "$captured" "$((seconds * 1000000))")
    mbps=$(divide "$file_bytes" "$((seconds * 1000000))")
    rx_mpps=$(divide "$rx" "$((seconds * 1000000))")
    emit "# capture_${size}b sentinel run $r: $mpps Mpps captured ($captured packets, rx $rx_mpps Mpps," \
        "dropped_journal 0, dropped_ring_full 0), file $mbps MB/s"
    echo "$mpps $mbps" >>"$work/sentinel.$size"
}

# dpdk-dumpcap attached for `seconds` to a sentinel started without --capture (and with hugepage
# files it keeps, which a secondary process needs to map; sentinel gives its receiving ports the
# idle TX queue that rte_pdump insists on).
# Prints its run line and records dumpcap's written Mpps in $work/dumpcap.SIZE.
capture_dumpcap() {
    local size="$1" r="$2"
    if (($(free_hugepages) < min_free_hugepages)); then
        emit "# skipped capture_${size}b dpdk_dumpcap: it needs hugepages" \
            "(a secondary process cannot attach to --no-huge memory)"
        return
    fi
    local prefix out="$capture_dir/dumpcap.pcapng" stats="$work/stats" log="$work/primary.log" dlog="$work/dumpcap.log"
    prefix=$(prefix_of dumpcap)
    rm -f "$stats"
    local lead=2 tail=2
    "$sentinel_bin" -l 0-1 --no-pci --vdev "net_null0,size=$size,copy=0" --huge-dir /dev/hugepages \
        --file-prefix "$prefix" --log-level=lib.eal:warning -- --duration $((lead + seconds + tail)) --stats-out "$stats" >"$log" 2>&1 &
    local primary=$!
    local waited
    for ((waited = 0; waited < 100; waited++)); do
        grep -q '^memory=mempool' "$log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    local dumpcap_ok=1
    timeout $((seconds + 10)) dpdk-dumpcap --file-prefix "$prefix" -q -i net_null0 -w "$out" -a "duration:$seconds" \
        >"$dlog" 2>&1 || dumpcap_ok=0
    local primary_status=0
    wait "$primary" || primary_status=$?
    rm -f /dev/hugepages/"$prefix"map_*  # the pages go back to the machine now, not at our exit
    local written=""
    if ((dumpcap_ok)); then
        written=$(capinfos -M -c "$out" 2>/dev/null | awk '/Number of packets/ { print $NF }' || true)
    fi
    rm -f "$out"
    if ((!dumpcap_ok)) || [[ -z "$written" || "$written" == 0 ]] || grep -q 'no longer active' "$dlog"; then
        tail -20 "$dlog" >&2
        tail -20 "$log" >&2
        die "dpdk-dumpcap did not capture from sentinel for $seconds s (its log and sentinel's are above)"
    fi
    # DPDK 22.11's rte_pdump removes its RX callback without waiting for a burst in flight, and
    # dumpcap frees the mempool that callback copies into as it exits: now and then the primary's
    # RX lcore dies in rte_pktmbuf_copy as dumpcap detaches. dumpcap's own figures still stand.
    if ((primary_status != 0)); then
        local why=""
        ((primary_status != 139)) || why=" (SIGSEGV: the pdump RX callback racing dumpcap's detach)"
        emit "# warning: capture_${size}b dpdk_dumpcap run $r: sentinel, the primary, exited with status" \
            "$primary_status after dpdk-dumpcap's $seconds s$why"
    fi
    # "Packets received/dropped on interface 'net_null0': R/D (P)": every packet the primary's RX
    # callback saw while attached, taken into dumpcap's ring or dropped (ring full, no mbuf).
    local received dropped
    read -r received dropped < <(sed -n \
        "s|.*received/dropped on interface 'net_null0': \([0-9]*\)/\([0-9]*\).*|\1 \2|p" "$dlog")
    local attached mpps dropped_percent primary_rates
    attached=$(divide "$((received + dropped))" "$((seconds * 1000000))")
    mpps=$(divide "$written" "$((seconds * 1000000))")
    dropped_percent=$(divide "$((dropped * 100))" "$((received + dropped))")
    primary_rates="primary rx $attached Mpps while attached"
    if ((primary_status == 0)); then
        local rx
        rx=$(value_of rx_packets "$stats")
        primary_rates+=", about $(divide "$((rx - received - dropped))" "$(((lead + tail) * 1000000))") Mpps"
        primary_rates+=" before and after"
    fi
    emit "# capture_${size}b dpdk_dumpcap run $r: $mpps Mpps written ($written packets), dropped $dropped" \
        "($dropped_percent%); $primary_rates"
    echo "$mpps" >>"$work/dumpcap.$size"
}

# dd of zeros with O_DIRECT, 4 MiB blocks, to the capture directory: what the disk takes.
capture_dd() {
    local r="$1"
    local out="$capture_dir/dd.bin" line bytes secs
    line=$(dd if=/dev/zero of="$out" bs=4M count=$((seconds * 256)) oflag=direct 2>&1 | tail -1)
    rm -f "$out"
    # "4294967296 bytes (4.3 GB, 4.0 GiB) copied, 3.51 s, 1.2 GB/s"
    bytes=${line%% *}
    secs=$(awk -F', ' '{ sub(/ s$/, "", $(NF - 1)); print $(NF - 1) }' <<<"$line")
    [[ "$bytes" =~ ^[0-9]+$ && -n "$secs" ]] || die "cannot read dd's summary: $line"
    local mbps
    mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f\n", b / s / 1e6 }')
    emit "# capture_1500b_bytes dd run $r: $mbps MB/s ($bytes bytes in $secs s, bs=4M oflag=direct)"
    echo "$mbps" >>"$work/dd"
}

capture() {
    parse_run_options capture_option 3 4 "$@"
    build app/sentinel
    sentinel_bin="$build_dir/app/sentinel"
    command -v dpdk-dumpcap >/dev/null || die "dpdk-dumpcap not found (Debian package dpdk)"
    command -v capinfos >/dev/null || die "capinfos not found (Debian package tshark)"
    capture_dir="${capture_dir:-$build_dir/capture-bench}"
    start_work
    load_note
    choose_memory
    check_capture_dir

    local r size
    for ((r = 1; r <= repeats; r++)); do
        for size in 64 1500; do
            say "run $r/$repeats: sentinel --capture, ${size}-byte frames, $seconds s"
            capture_sentinel "$size" "$r"
            say "run $r/$repeats: dpdk-dumpcap attached to sentinel, ${size}-byte frames, $seconds s"
            capture_dumpcap "$size" "$r"
        done
        say "run $r/$repeats: dd oflag=direct, $seconds s worth at 1 GiB/s"
        capture_dd "$r"
    done

    for size in 64 1500; do
        emit "BENCH capture_${size}b sentinel $(awk '{ print $1 }' "$work/sentinel.$size" | median) Mpps"
        if [[ -f "$work/dumpcap.$size" ]]; then
            emit "BENCH capture_${size}b dpdk_dumpcap $(median <"$work/dumpcap.$size") Mpps"
        fi
    done
    emit "BENCH capture_1500b_bytes sentinel $(awk '{ print $2 }' "$work/sentinel.1500" | median) MB/s"
    emit "BENCH capture_1500b_bytes dd $(median <"$work/dd") MB/s"

    echo
    echo "Median of $repeats run(s) of $seconds s. Packet rates are loss-free: sentinel's captured packets / s"
    echo "(--full-policy wait: RX slows instead of dropping; dropped_journal and dropped_ring_full checked 0),"
    echo "dpdk-dumpcap's packets written / s (it drops what it cannot keep up with: see its drop counts)."
    python3 "$report" summary capture "$results"
}

# ---- feed ---------------------------------------------------------------------------------------

feed_option() { return 1; }

# sentinel --feed on a veth end (net_af_packet) while tcpreplay sends gen_itch.py's lines at PPS
# frames a second into the other end; records "P50 P99" (ns) in $work/wire.PPS.
wire_to_book() {
    local pps="$1" r="$2"
    local ns_x="bench_fx_$$" ns_s="bench_fs_$$" near="bnF$$" far="bnX$$" stats="$work/wire.stats"
    ip netns add "$ns_x" && ip netns add "$ns_s" && ip link add "$near" type veth peer name "$far" &&
        ip link set "$far" netns "$ns_x" && ip link set "$near" netns "$ns_s" &&
        ip netns exec "$ns_s" ip link set "$near" up && ip netns exec "$ns_x" ip link set "$far" up ||
        { ip netns del "$ns_x" 2>/dev/null; ip netns del "$ns_s" 2>/dev/null; die "cannot set up a veth pair in namespaces"; }
    rm -f "$stats"
    ip netns exec "$ns_s" "$sentinel_bin" -l 0-1 --no-pci --vdev "net_af_packet0,iface=$near" "${hugepage_args[@]}" \
        --file-prefix "$(prefix_of wire)" --log-level=lib.eal:warning -- --feed itch50 \
        --feed-a 233.54.12.111:26477 --feed-b 233.54.12.112:26478 --feed-max-orders 1048576 \
        --stop-when-idle 1000 --stats-out "$stats" >"$work/wire.log" 2>&1 &
    local pid=$! i
    for ((i = 0; i < 100; i++)); do grep -q '^memory=ring' "$work/wire.log" 2>/dev/null && break; sleep 0.1; done
    # tcpreplay (and the kernel's veth work, done in its send calls) on the RX lcore's CPU: on a
    # 2-CPU machine it must share one, and the feed's lcore 0 is the one the figure is about. It
    # sleeps between frames (--timer=nano): its default busy-waits, taking the RX lcore's CPU for
    # whole scheduler slices, and the frames then arrive in bursts that queue behind each other.
    timeout 120 ip netns exec "$ns_x" taskset -c 1 tcpreplay --timer=nano -i "$far" --pps "$pps" "$work/itch.pcap" \
        >"$work/tcpreplay.log" 2>&1 || true
    wait "$pid" || true
    ip netns del "$ns_x"
    ip netns del "$ns_s"
    [[ -f "$stats" ]] || { tail -20 "$work/wire.log" >&2; die "sentinel --feed failed (its log is above)"; }
    local p50 p99 msgs gaps
    p50=$(value_of feed_wire_to_book_p50_ns "$stats")
    p99=$(value_of feed_wire_to_book_p99_ns "$stats")
    msgs=$(value_of feed_messages "$stats")
    gaps=$(value_of feed_gaps "$stats")
    emit "# wire_to_book at $pps frames/s run $r: p50 $p50 ns, p99 $p99 ns ($msgs messages, $gaps gaps," \
        "bucket bounds within 6%)"
    echo "$p50 $p99" >>"$work/wire.$pps"
}

feed() {
    parse_run_options feed_option 1 1 "$@"
    build tests/bench/feed_bench
    build app/sentinel
    sentinel_bin="$build_dir/app/sentinel"
    start_work
    load_note
    local -a args=(--repeats "$repeats")
    ((quick)) && args+=(--quick)
    say "running feed_bench ${args[*]} on cpu 1"
    "$build_dir/tests/bench/feed_bench" --cpu 1 "${args[@]}" | tee -a "$results"

    if ((EUID != 0)) || ! command -v tcpreplay >/dev/null || ! ip netns list >/dev/null 2>&1; then
        emit "# skipped wire_to_book: needs root, ip netns and tcpreplay"
    else
        choose_memory
        local messages=400000
        ((quick)) && messages=100000
        python3 "$root/scripts/gen_itch.py" --seed 5 --messages "$messages" --instruments 500 --out "$work/itch.pcap" \
            2>"$work/gen.log" || die "gen_itch.py failed: $(cat "$work/gen.log")"
        local r pps
        for ((r = 1; r <= repeats; r++)); do
            for pps in 20000 100000; do
                say "run $r/$repeats: wire to book, tcpreplay at $pps frames/s"
                wire_to_book "$pps" "$r"
            done
        done
        for pps in 20000 100000; do
            emit "BENCH wire_to_book_p50 sentinel_${pps}pps $(awk '{ print $1 }' "$work/wire.$pps" | median) ns"
            emit "BENCH wire_to_book_p99 sentinel_${pps}pps $(awk '{ print $2 }' "$work/wire.$pps" | median) ns"
        done
    fi

    echo
    echo "itch_book: the median of $repeats run(s) over a synthetic day held in memory, one core (cpu 1)."
    echo "wire_to_book: RX burst TSC to book update, through the ring; no peer is measured (the published"
    echo "ITCH figures above are for itch_book only); tcpreplay's pace, not sentinel, sets the frame rate."
    python3 "$report" summary feed "$results"
}

# ---- rx-scaling ---------------------------------------------------------------------------------

scaling_queues="1,2,4"
scaling_option() {
    [[ "$1" == --queues ]] || return 1
    [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--queues: '$2' is not a list of queue counts like 1,2,4" 2
    scaling_queues="$2"
}

# sentinel with N RX queues on net_null0, RX into its ring and release, nothing else: each queue
# has its RX lcore; the plan gives workers their own CPUs where there are enough (2N + 1), else
# they share the main lcore. The figure: rx_pps from --stats-interval 1.
scaling_sentinel() {
    local n="$1" r="$2" cpus="$3"
    local log="$work/scaling.sentinel.$n.$r.log" last=$(( (2 * n + 1 <= cpus ? 2 * n + 1 : cpus) - 1 ))
    if ! "$sentinel_bin" -l "0-$last" --no-pci --vdev net_null0,size=64,copy=0 "${hugepage_args[@]}" \
        --file-prefix "$(prefix_of scaling)" --log-level=lib.eal:warning -- \
        --rx-queues "$n" --duration $((seconds + 1)) --stats-interval 1 >"$log" 2>&1; then
        tail -20 "$log" >&2
        die "sentinel --rx-queues $n failed (its log is above)"
    fi
    local mpps
    mpps=$(awk '/^stats t=/ { for (i = 1; i <= NF; i++) if ($i ~ /^rx_pps=/) print substr($i, 8) / 1e6 }' "$log" |
        tail -n +2 | median)
    [[ -n "$mpps" ]] || die "sentinel --rx-queues $n printed no stats lines (log: $log)"
    emit "# rx_scaling_q$n sentinel run $r: $mpps Mpps (lcores 0-$last, rx_pps median over 1 s periods)"
    echo "$mpps" >>"$work/scaling.sentinel.$n"
}

# dpdk-testpmd --forward-mode=rxonly with N queues of net_null0 on N forwarding lcores: each lcore
# receives and frees its own mbufs, no handoff. The figure: port 0's Rx-pps, median over periods.
scaling_testpmd() {
    local n="$1" r="$2"
    local log="$work/scaling.testpmd.$n.$r.log"
    timeout -s INT $((seconds + 3)) dpdk-testpmd -l "0-$n" --no-pci --vdev net_null0,size=64,copy=0 \
        "${hugepage_args[@]}" --file-prefix "$(prefix_of scaling-testpmd)" --log-level=lib.eal:warning -- \
        --forward-mode=rxonly --rxq="$n" --txq="$n" --nb-cores="$n" --auto-start --stats-period 1 \
        --total-num-mbufs 65536 </dev/null >"$log" 2>&1 || true
    local mpps
    mpps=$(awk '/Rx-pps:/ { print $2 / 1e6 }' "$log" | tail -n +2 | median)
    if [[ -z "$mpps" ]]; then
        emit "# skipped rx_scaling_q$n testpmd_rxonly: dpdk-testpmd printed no Rx-pps (log: $(tail -3 "$log" | tr '\n' ' '))"
        return
    fi
    emit "# rx_scaling_q$n testpmd_rxonly run $r: $mpps Mpps (lcores 0-$n, Rx-pps median over 1 s periods)"
    echo "$mpps" >>"$work/scaling.testpmd.$n"
}

rx_scaling() {
    parse_run_options scaling_option 3 5 "$@"
    build app/sentinel
    sentinel_bin="$build_dir/app/sentinel"
    command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd not found (Debian package dpdk)"
    start_work
    load_note
    choose_memory

    local cpus n r
    cpus=$(nproc)
    local -a counts=()
    IFS=, read -r -a counts <<<"$scaling_queues"
    for n in "${counts[@]}"; do
        if ((n + 1 > cpus)); then
            emit "# skipped rx_scaling_q$n: $n RX lcores and a main one need $((n + 1)) CPUs, this machine has $cpus"
            continue
        fi
        for ((r = 1; r <= repeats; r++)); do
            say "run $r/$repeats: sentinel --rx-queues $n, $seconds s"
            scaling_sentinel "$n" "$r" "$cpus"
            say "run $r/$repeats: dpdk-testpmd rxonly, $n queues, $seconds s"
            scaling_testpmd "$n" "$r"
        done
        emit "BENCH rx_scaling_q$n sentinel $(median <"$work/scaling.sentinel.$n") Mpps"
        [[ ! -f "$work/scaling.testpmd.$n" ]] ||
            emit "BENCH rx_scaling_q$n testpmd_rxonly $(median <"$work/scaling.testpmd.$n") Mpps"
    done

    local base impl
    for impl in sentinel testpmd; do
        [[ -f "$work/scaling.$impl.1" ]] || continue
        base=$(median <"$work/scaling.$impl.1")
        for n in "${counts[@]}"; do
            [[ "$n" != 1 && -f "$work/scaling.$impl.$n" ]] || continue
            emit "# rx_scaling $impl: $n queues give $(divide "$(median <"$work/scaling.$impl.$n")" "$base")x one queue's rate" \
                "(linear: ${n}x)"
        done
    done

    echo
    echo "Mpps, median of $repeats run(s) of $seconds s; 64-byte frames from net_null0's N RX queues."
    python3 "$report" summary rx-scaling "$results"
}

[[ $# -ge 1 ]] || { usage; exit 2; }
command="$1"
shift
case "$command" in
    disruptor) disruptor "$@" ;;
    pipeline) pipeline "$@" ;;
    capture) capture "$@" ;;
    feed) feed "$@" ;;
    rx-scaling) rx_scaling "$@" ;;
    -h | --help) usage ;;
    *) die "unknown benchmark '$command' (known: disruptor, pipeline, capture, feed, rx-scaling)" 2 ;;
esac
