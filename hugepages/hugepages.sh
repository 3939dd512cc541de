#!/usr/bin/env bash
#
# hugepages.sh: reserve, mount, show and clean up hugepages for Sentinel (or any DPDK program).
#
# The kernel's interface is a handful of files:
#   /sys/kernel/mm/hugepages/hugepages-<kB>kB/nr_hugepages                       the whole machine
#   /sys/devices/system/node/node<N>/hugepages/hugepages-<kB>kB/nr_hugepages      one NUMA node
# Writing a count asks the kernel for that many pages; it may grant fewer (fragmented memory), so
# every write is read back and reported as granted. DPDK then needs a hugetlbfs mount of the same
# page size, where it creates one file per page or segment (<file-prefix>map_<n>, rtemap_0 ...).
# A killed DPDK process leaves those files behind and their pages stay allocated until they are
# removed: `clean` removes the ones no process holds, the way DPDK's own start-up does (a file
# nobody holds a lock on is stale), after first looking for holders in /proc.
#
# Exit codes are listed in usage() and hugepages/README.md; callers rely on them.

set -o nounset -o pipefail
shopt -s nullglob

PROG=${0##*/}
readonly PROG
readonly EX_FAIL=1 EX_USAGE=2 EX_SHORT=3 EX_PERM=4 EX_UNAVAILABLE=5

# Only tests set this: a fake tree plays a container without hugepages or a kernel that refuses.
readonly SYSFS=${SENTINEL_HUGEPAGES_SYSFS:-/sys}
readonly MM_DIR=$SYSFS/kernel/mm/hugepages
readonly NODE_DIR=$SYSFS/devices/system/node

usage() {
    cat <<EOF
Usage: $PROG COMMAND [OPTIONS]

Reserve and mount hugepages for Sentinel / DPDK, show them, clean up after killed processes.

Commands:
  reserve   make sure at least N pages of one size are reserved, and mounted as hugetlbfs
              --size 2M|1G          page size (default 2M)
              --pages N             pages wanted
              --memory SIZE         or memory wanted, e.g. 512M, 4G (rounded up to whole pages)
              --node all|each|LIST  all: N in total, the kernel spreads them over nodes (default)
                                    each: N on every NUMA node; LIST: N on each of 0 / 0,1 / 0-3
              --exact               set exactly N, even below the current reservation
                                    (default: never lower what is already reserved)
              --mount DIR           hugetlbfs mount point (default: an existing mount of that
                                    size, else /dev/hugepages for 2M, /dev/hugepages1G for 1G)
              --no-mount            reserve only
              --compact             if the kernel grants fewer: drop caches, compact memory,
                                    try once more
  status    per size and node: total, free, surplus, in use; hugetlbfs mounts; DPDK page files
            and which process holds each            [--size 2M|1G|all] [--verbose]
  clean     remove DPDK page files that no process holds, giving their pages back
              --dir DIR             hugetlbfs mount to clean (repeatable; default: every one)
              --prefix P            DPDK --file-prefix: removes Pmap_* (default rte: rtemap_*;
                                    '*' for any prefix)
              --dry-run             say what would go, remove nothing
  release   set the reservation to 0 (pages still in use are freed when their owner lets go)
              --size 2M|1G|all      (default all)   --node all|each|LIST (default all)
  check     succeed if N pages are free and a hugetlbfs of that size is mounted; needs no root
              --size 2M|1G  --pages N | --memory SIZE (default 1 page)  --node all|each|LIST

Exit codes:
  0  done
  1  failed: a mount point taken by something else, a file that would not go
  2  bad arguments
  3  fewer pages than asked: the kernel granted fewer (reserve) or too few are free (check)
  4  not permitted: changing the reservation or mounting needs root
  5  no hugepages here: kernel without that page size, read-only /sys (a container), mount refused
  Scripts that want hugepages treat 3, 4 and 5 as "run DPDK with --no-huge instead", and say so.

Examples:
  sudo $PROG reserve --pages 1024
        2 GiB of 2M pages, mounted at /dev/hugepages
  sudo $PROG reserve --size 1G --pages 4 --node each
        4 GiB on every NUMA node, mounted at /dev/hugepages1G
  $PROG status
  sudo $PROG clean
        after a DPDK process was killed: gives its pages back
EOF
}

# ---- messages ---------------------------------------------------------------------------------

note() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
fail() { printf '%s: %s\n' "$PROG" "$2" >&2; exit "$1"; }
usage_error() { printf '%s: %s (see %s --help)\n' "$PROG" "$*" "$PROG" >&2; exit "$EX_USAGE"; }

# What a caller gives up when it falls back; printed with every "no hugepages" exit of
# reserve and check, because that is the moment someone decides to run without them.
no_huge_cost() {
    cat >&2 <<EOF
$PROG: without hugepages, DPDK must run with --no-huge (memory size from -m, default 64 MiB),
$PROG:   and that costs: no physically contiguous memory for DMA (only virtual ports and NICs
$PROG:   behind an IOMMU with IOVA as VA work); 4 KiB pages, 512 times the TLB entries of 2 MiB
$PROG:   pages for the same memory, so TLB misses on every burst; lower, noisier throughput.
$PROG:   Fine for tests on virtual ports, not for line rate.
EOF
}

# One line on what is wrong and what to do, the cost of going without, then the exit code.
refuse() {
    printf '%s: %s\n' "$PROG" "$2" >&2
    no_huge_cost
    exit "$1"
}

# ---- numbers and sizes ------------------------------------------------------------------------

# FILE -> the integer it holds; 0 when it is missing or empty.
read_int() {
    local v=
    [[ -r $1 ]] && read -r v 2>/dev/null <"$1"
    [[ $v =~ ^[0-9]+$ ]] || v=0
    printf '%s\n' "$v"
}

# "2M", "1GiB", "2048kB", "512m" -> kB. A unit is required: a bare number is too easy to misread.
parse_kb() {
    [[ $1 =~ ^([0-9]{1,12})([KkMmGgTt])([iI]?[bB])?$ ]] || return 1
    local n=$((10#${BASH_REMATCH[1]}))
    case ${BASH_REMATCH[2]} in
        [Mm]) n=$((n * 1024)) ;;
        [Gg]) n=$((n * 1024 * 1024)) ;;
        [Tt]) n=$((n * 1024 * 1024 * 1024)) ;;
    esac
    printf '%s\n' "$n"
}

# kB -> "2M", "1G", "64K": exact, for page sizes and page multiples.
kb_human() {
    local kb=$1
    if ((kb >= 1048576 && kb % 1048576 == 0)); then
        printf '%sG\n' $((kb / 1048576))
    elif ((kb >= 1024 && kb % 1024 == 0)); then
        printf '%sM\n' $((kb / 1024))
    else
        printf '%sK\n' "$kb"
    fi
}

# kB -> "23.5G", "700M": rounded, for amounts of memory.
kb_approx() {
    local kb=$1
    if ((kb == 0)); then
        printf '0\n'
    elif ((kb >= 1048576)); then
        printf '%s.%sG\n' $((kb / 1048576)) $((kb % 1048576 * 10 / 1048576))
    elif ((kb >= 1024)); then
        printf '%sM\n' $((kb / 1024))
    else
        printf '%sK\n' "$kb"
    fi
}

meminfo_kb() { # FIELD -> its value in /proc/meminfo (kB)
    local key val _
    while read -r key val _; do
        [[ $key == "$1:" ]] && { printf '%s\n' "$val"; return 0; }
    done </proc/meminfo
    printf '0\n'
}

default_size_kb() { meminfo_kb Hugepagesize; }

# Page sizes this kernel offers, in kB, smallest first.
kernel_sizes_kb() {
    local d
    for d in "$MM_DIR"/hugepages-*kB; do
        d=${d##*/hugepages-}
        printf '%s\n' "${d%kB}"
    done | sort -n
}

# NUMA nodes with a hugepage pool, in order; nothing on a kernel built without NUMA.
numa_nodes() {
    local d
    for d in "$NODE_DIR"/node[0-9]*; do
        [[ -d $d/hugepages ]] && printf '%s\n' "${d##*/node}"
    done | sort -n
}

pool_dir() { # KB NODE|all
    if [[ $2 == all ]]; then
        printf '%s\n' "$MM_DIR/hugepages-$1kB"
    else
        printf '%s\n' "$NODE_DIR/node$2/hugepages/hugepages-$1kB"
    fi
}

# ---- arguments shared by several commands -----------------------------------------------------

# --size value -> kB, or a usage error. Whether the kernel offers it is require_size's question.
size_arg_kb() {
    local kb
    kb=$(parse_kb "$1") || usage_error "--size $1: not a page size (2M or 1G)"
    ((kb >= 4 && (kb & (kb - 1)) == 0)) || usage_error "--size $1: not a page size (2M or 1G)"
    printf '%s\n' "$kb"
}

pages_arg() {
    [[ $1 =~ ^[0-9]{1,9}$ ]] || usage_error "--pages $1: not a number of pages"
    printf '%s\n' $((10#$1))
}

# --memory value and page size -> pages, rounded up.
memory_arg_pages() {
    local kb
    kb=$(parse_kb "$1") || usage_error "--memory $1: not an amount of memory (512M, 4G)"
    printf '%s\n' $(((kb + $2 - 1) / $2))
}

# "0,2-3" -> one node a line.
expand_nodes() {
    local part a b i
    local -a parts
    IFS=, read -r -a parts <<<"$1"
    ((${#parts[@]})) || return 1
    for part in "${parts[@]}"; do
        if [[ $part =~ ^[0-9]{1,4}$ ]]; then
            printf '%s\n' $((10#$part))
        elif [[ $part =~ ^([0-9]{1,4})-([0-9]{1,4})$ ]]; then
            a=$((10#${BASH_REMATCH[1]})) b=$((10#${BASH_REMATCH[2]}))
            ((a <= b)) || return 1
            for ((i = a; i <= b; i++)); do printf '%s\n' "$i"; done
        else
            return 1
        fi
    done
}

# KB NODESPEC -> TARGET_LABELS / TARGET_DIRS: the pools a command reads or writes.
resolve_targets() {
    local kb=$1 spec=$2 n
    local -a nodes have
    TARGET_LABELS=() TARGET_DIRS=()
    mapfile -t have < <(numa_nodes)
    case $spec in
        all)
            TARGET_LABELS=("all nodes") TARGET_DIRS=("$(pool_dir "$kb" all)")
            return 0
            ;;
        each) nodes=("${have[@]}") ;;
        *)
            local list
            list=$(expand_nodes "$spec") || usage_error "--node $spec: not all, each or a node list (0 / 0,1 / 0-3)"
            mapfile -t nodes <<<"$list"
            ;;
    esac
    # A kernel without NUMA has no node directories: the machine is node 0.
    if ((${#have[@]} == 0)); then
        [[ $spec == each || " ${nodes[*]} " == " 0 " ]] ||
            usage_error "--node $spec: this kernel has no NUMA nodes; use --node all"
        TARGET_LABELS=("all nodes") TARGET_DIRS=("$(pool_dir "$kb" all)")
        return 0
    fi
    for n in "${nodes[@]}"; do
        [[ -d $NODE_DIR/node$n/hugepages ]] || usage_error "--node $spec: no NUMA node $n here (nodes: ${have[*]})"
        TARGET_LABELS+=("node $n")
        TARGET_DIRS+=("$(pool_dir "$kb" "$n")")
    done
}

require_hugetlb() {
    [[ -d $MM_DIR ]] ||
        refuse "$EX_UNAVAILABLE" "no hugepages here: $MM_DIR is missing (a container without /sys, or a kernel without CONFIG_HUGETLBFS)"
}

require_size() { # KB
    local kb=$1 human offered
    human=$(kb_human "$kb")
    [[ -d $MM_DIR/hugepages-${kb}kB ]] && return 0
    offered=$(kernel_sizes_kb | while read -r k; do kb_human "$k"; done | tr '\n' ' ')
    if ((kb == 1048576)); then
        local why="the kernel offers no 1G pages (it has: ${offered% })"
        grep -qw pdpe1gb /proc/cpuinfo 2>/dev/null || why+="; this CPU lacks pdpe1gb"
        refuse "$EX_UNAVAILABLE" "$why. 1G pages come from the kernel command line: default_hugepagesz=1G hugepagesz=1G hugepages=N (see hugepages/README.md)"
    fi
    refuse "$EX_UNAVAILABLE" "the kernel offers no $human pages (it has: ${offered% })"
}

# Changing a reservation is read-modify-write; two callers at once must not undo each other.
take_lock() {
    [[ -n ${LOCK_FD-} ]] && return 0
    local dir
    for dir in /run/lock /run /tmp; do
        [[ -d $dir && -w $dir ]] && break
    done
    command -v flock >/dev/null || return 0
    { exec {LOCK_FD}>"$dir/sentinel-hugepages.lock"; } 2>/dev/null || return 0
    flock -w 30 "$LOCK_FD" || warn "another $PROG held the lock for 30 s; going on without it"
}

# FILE COUNT -> writes; on failure prints the kernel's reason.
write_pool() {
    local err
    if ! err=$({ printf '%s\n' "$2" >"$1"; } 2>&1); then
        printf '%s\n' "${err##*: }"
        return 1
    fi
}

# A write refused because /sys is read-only or we lack the capability means "not here".
write_refused() { # REASON
    [[ $1 == *"Read-only file system"* || $1 == *"Permission denied"* || $1 == *"Operation not permitted"* ]]
}

# ---- mounts -----------------------------------------------------------------------------------

# hugetlbfs mounts -> MNT_DIRS / MNT_KB / MNT_OPTS; every mount point's type -> MNT_TYPE.
load_mounts() {
    local dir type opts kb
    MNT_DIRS=() MNT_KB=() MNT_OPTS=()
    declare -gA MNT_TYPE=()
    while read -r _ dir type opts _; do
        dir=$(printf '%b' "$dir") # /proc/mounts writes space, tab, newline, backslash as \ooo
        MNT_TYPE[$dir]=$type
        [[ $type == hugetlbfs ]] || continue
        kb=
        [[ ,$opts, =~ ,pagesize=([0-9]+[KMG]), ]] && kb=$(parse_kb "${BASH_REMATCH[1]}")
        MNT_DIRS+=("$dir")
        MNT_KB+=("${kb:-$(default_size_kb)}")
        MNT_OPTS+=("$opts")
    done </proc/self/mounts
}

mount_index_of_dir() { # DIR -> index in MNT_DIRS of the topmost hugetlbfs mount there
    local i found=
    for i in "${!MNT_DIRS[@]}"; do
        [[ ${MNT_DIRS[i]} == "$1" ]] && found=$i
    done
    [[ -n $found ]] && printf '%s\n' "$found"
}

mount_index_of_size() { # KB -> index in MNT_DIRS of the first mount with that page size
    local i
    for i in "${!MNT_DIRS[@]}"; do
        [[ ${MNT_KB[i]} == "$1" ]] && { printf '%s\n' "$i"; return 0; }
    done
    return 1
}

# KB [DIR]: make sure a hugetlbfs of that page size is mounted (at DIR when given).
ensure_mount() {
    local kb=$1 dir=${2-} human i err
    human=$(kb_human "$kb")
    load_mounts
    if [[ -z $dir ]]; then
        if i=$(mount_index_of_size "$kb"); then
            note "hugetlbfs for $human pages is mounted at ${MNT_DIRS[i]}"
            return 0
        fi
        dir=/dev/hugepages
        ((kb == 1048576)) && dir=/dev/hugepages1G
        ((kb != 2048 && kb != 1048576)) && dir=/dev/hugepages$human
        # With default_hugepagesz=1G on the command line, systemd's /dev/hugepages holds 1G pages.
        [[ ${MNT_TYPE[$dir]-} == hugetlbfs ]] && dir=/dev/hugepages$human
    fi
    dir=$(realpath -m -- "$dir")
    if [[ ${MNT_TYPE[$dir]-} == hugetlbfs ]]; then
        i=$(mount_index_of_dir "$dir")
        if [[ ${MNT_KB[i]} == "$kb" ]]; then
            note "hugetlbfs for $human pages is mounted at $dir"
            return 0
        fi
        fail "$EX_FAIL" "$dir is already a hugetlbfs mount for $(kb_human "${MNT_KB[i]}") pages; give another --mount DIR"
    fi
    [[ -n ${MNT_TYPE[$dir]-} ]] &&
        fail "$EX_FAIL" "$dir is already a mount point (${MNT_TYPE[$dir]}); give another --mount DIR"
    ((EUID == 0)) ||
        refuse "$EX_PERM" "mounting hugetlbfs at $dir needs root: rerun with sudo (or mount it once: see hugepages/README.md)"
    mkdir -p -- "$dir" || fail "$EX_FAIL" "cannot create mount point $dir"
    if ! err=$(mount -t hugetlbfs -o "nosuid,nodev,pagesize=$human" hugetlbfs "$dir" 2>&1); then
        refuse "$EX_UNAVAILABLE" "cannot mount hugetlbfs at $dir: ${err:-mount failed} (a container without CAP_SYS_ADMIN?)"
    fi
    note "mounted hugetlbfs (pagesize=$human) at $dir"
}

# ---- who holds a page file --------------------------------------------------------------------

# Files under the given directories -> HOLDERS[path] = "pid 123 (comm), ...", from every open
# descriptor and every mapping in /proc. Mappings count too: a mapping outlives its descriptor.
# As non-root, other users' processes are invisible; the flock test in file_state covers them.
scan_holders() {
    declare -gA HOLDERS=()
    local d line pid path comm
    local -a pats=()
    for d; do pats+=(-e "$d/"); done
    ((${#pats[@]})) || return 0
    local -A seen=()
    while IFS= read -r line; do
        if [[ $line =~ ^/proc/([0-9]+)/fd$'\t'(/.*)$ ]]; then
            pid=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]}
        elif [[ $line =~ ^/proc/([0-9]+)/maps:[^/]*[[:space:]](/.*)$ ]]; then
            pid=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]%' (deleted)'}
        else
            continue
        fi
        [[ -n ${seen[$pid $path]-} ]] && continue
        seen[$pid $path]=1
        comm='?'
        read -r comm 2>/dev/null <"/proc/$pid/comm"
        HOLDERS[$path]+="${HOLDERS[$path]:+, }pid $pid ($comm)"
    done < <(
        find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -type l -printf '%h\t%l\n' 2>/dev/null | grep -F "${pats[@]}"
        grep -s -F "${pats[@]}" /proc/[0-9]*/maps
    )
}

# FILE -> STATE: "held by pid ...", "locked: ...", "unknown: ...", or "stale".
# A DPDK process holds a shared flock on each page file it uses (in every PID namespace), so a
# file nobody holds and nobody has locked is stale: DPDK's own start-up removes such files.
file_state() {
    local f=$1 fd
    if [[ -n ${HOLDERS[$f]-} ]]; then
        printf 'held by %s\n' "${HOLDERS[$f]}"
        return
    fi
    command -v flock >/dev/null || { printf 'stale\n'; return; }
    if ! { exec {fd}<"$f"; } 2>/dev/null; then
        printf 'unknown: cannot open it to test its lock (not root?)\n'
        return
    fi
    if flock -n -x "$fd"; then
        printf 'stale\n'
    else
        printf 'locked by a process not visible here (another PID namespace?)\n'
    fi
    exec {fd}<&-
}

# DIR PATTERN -> the matching regular files, one a line.
page_files() {
    local f
    # shellcheck disable=SC2206 # the pattern is meant to glob
    local -a files=("$1"/$2)
    for f in "${files[@]}"; do
        [[ -f $f ]] && printf '%s\n' "$f"
    done
}

# FILE... -> "allocated-kB path" a line; hugetlbfs counts a file's blocks as pages are faulted in.
allocated_kb() {
    (($#)) || return 0
    stat -c '%b %B %n' -- "$@" 2>/dev/null | while read -r blocks unit path; do
        printf '%s %s\n' $((blocks * unit / 1024)) "$path"
    done
}

# ---- commands ---------------------------------------------------------------------------------

need_value() { (($# >= 2)) || usage_error "$1 needs a value"; }

# parse_options COMMAND "VALUED" "FLAGS" ARGS...: a command's options into OPT[NAME]. VALUED names
# the options that take a value (--NAME VALUE or --NAME=VALUE; the last one given counts, but a
# NAME* option keeps every value, each after a newline), FLAGS those that take none (OPT[NAME]=1;
# -v is --verbose). Anything else is a usage error.
parse_options() {
    local cmd=$1 valued=" $2 " flags=" $3 " name
    shift 3
    declare -gA OPT=()
    while (($#)); do
        [[ $1 == --*=* ]] && set -- "${1%%=*}" "${1#*=}" "${@:2}"
        [[ $1 == -v && $flags == *" verbose "* ]] && set -- --verbose "${@:2}"
        name=${1#--}
        if [[ $1 == --?* && $valued == *" $name "* ]]; then
            need_value "$@"
            OPT[$name]=$2
            shift 2
        elif [[ $1 == --?* && $valued == *" $name* "* ]]; then
            need_value "$@"
            OPT[$name]+=$'\n'$2
            shift 2
        elif [[ $1 == --?* && $flags == *" $name "* ]]; then
            OPT[$name]=1
            shift
        else
            usage_error "$cmd: unknown option $1"
        fi
    done
}

cmd_reserve() {
    parse_options reserve "size pages memory node mount" "no-mount exact compact" "$@"
    local size=${OPT[size]-2M} pages=${OPT[pages]-} memory=${OPT[memory]-} node=${OPT[node]-all}
    local exact=${OPT[exact]-0} mount_dir=${OPT[mount]-} do_mount=$((!${OPT[no-mount]-0})) compact=${OPT[compact]-0}
    local kb human
    kb=$(size_arg_kb "$size") || exit
    human=$(kb_human "$kb")
    [[ -n $pages && -n $memory ]] && usage_error "reserve: give --pages or --memory, not both"
    [[ -z $pages && -z $memory ]] && usage_error "reserve: how many? give --pages N or --memory SIZE"
    if [[ -n $pages ]]; then
        pages=$(pages_arg "$pages") || exit
    else
        pages=$(memory_arg_pages "$memory" "$kb") || exit
    fi
    [[ -n $mount_dir && $do_mount == 0 ]] && usage_error "reserve: --mount and --no-mount contradict"

    require_hugetlb
    require_size "$kb"
    resolve_targets "$kb" "$node"

    local total_kb=$((pages * kb * ${#TARGET_DIRS[@]})) mem_kb
    mem_kb=$(meminfo_kb MemTotal)
    ((total_kb <= mem_kb)) ||
        usage_error "reserve: $(kb_approx "$total_kb") of $human pages is more than this machine's memory ($(kb_approx "$mem_kb"))"

    # Work out whether anything must change before asking for root: a caller without root
    # whose pages are already reserved gets a plain success.
    local i cur want change=0
    for i in "${!TARGET_DIRS[@]}"; do
        cur=$(read_int "${TARGET_DIRS[i]}/nr_hugepages")
        want=$pages
        ((exact || cur < pages)) || want=$cur
        ((want != cur)) && change=1
    done
    if ((change)); then
        ((EUID == 0)) ||
            refuse "$EX_PERM" "changing the hugepage reservation needs root: rerun with sudo (asked for $pages $human pages, ${TARGET_LABELS[0]})"
        for i in "${!TARGET_DIRS[@]}"; do
            [[ -w ${TARGET_DIRS[i]}/nr_hugepages ]] ||
                refuse "$EX_UNAVAILABLE" "${TARGET_DIRS[i]}/nr_hugepages is not writable even as root: /sys is read-only here (a container?); reserve on the host"
        done
        take_lock
    fi

    local attempt granted free had reason short=0
    for attempt in 1 2; do
        short=0
        for i in "${!TARGET_DIRS[@]}"; do
            local f=${TARGET_DIRS[i]}/nr_hugepages
            had=$(read_int "$f")
            want=$pages
            ((exact || had < pages)) || want=$had
            reason=
            if ((want != had)) && ! reason=$(write_pool "$f" "$want"); then
                write_refused "$reason" &&
                    refuse "$EX_UNAVAILABLE" "the kernel refused the write to $f: $reason (a container?); reserve on the host"
            fi
            granted=$(read_int "$f")
            free=$(read_int "${TARGET_DIRS[i]}/free_hugepages")
            note "$human pages, ${TARGET_LABELS[i]}: $granted reserved (asked for $pages, had $had), $free free${reason:+; the kernel said: $reason}"
            ((granted < pages)) && short=1
        done
        ((short && compact && attempt == 1)) || break
        note "compacting memory (drop caches, compact) and asking again"
        sync
        printf '3\n' >/proc/sys/vm/drop_caches 2>/dev/null
        printf '1\n' >/proc/sys/vm/compact_memory 2>/dev/null
    done

    ((do_mount)) && ensure_mount "$kb" "$mount_dir"

    if ((short)); then
        if ((kb >= 1048576)); then
            refuse "$EX_SHORT" "the kernel granted fewer $human pages than asked: pages this large are reserved reliably only at boot, on the kernel command line (default_hugepagesz=1G hugepagesz=1G hugepages=N; see hugepages/README.md)"
        fi
        refuse "$EX_SHORT" "the kernel granted fewer $human pages than asked (memory short or fragmented): retry with --compact (echo 1 > /proc/sys/vm/compact_memory), or reserve at boot (sysctl vm.nr_hugepages or the kernel command line; see hugepages/README.md)"
    fi
    for i in "${!TARGET_DIRS[@]}"; do
        free=$(read_int "${TARGET_DIRS[i]}/free_hugepages")
        ((free >= pages)) ||
            warn "$human pages, ${TARGET_LABELS[i]}: only $free of them are free; '$PROG status' shows who holds the rest"
    done
    return 0
}

cmd_release() {
    parse_options release "size node" "" "$@"
    local size=${OPT[size]-all} node=${OPT[node]-all}
    local -a sizes
    require_hugetlb
    if [[ $size == all ]]; then
        mapfile -t sizes < <(kernel_sizes_kb)
    else
        sizes=("$(size_arg_kb "$size")") || exit
        require_size "${sizes[0]}"
    fi
    local kb human i f had left free reason released=0
    for kb in "${sizes[@]}"; do
        human=$(kb_human "$kb")
        resolve_targets "$kb" "$node"
        for i in "${!TARGET_DIRS[@]}"; do
            f=${TARGET_DIRS[i]}/nr_hugepages
            had=$(read_int "$f")
            ((had)) || continue
            ((EUID == 0)) || fail "$EX_PERM" "releasing hugepages needs root: rerun with sudo"
            take_lock
            if ! reason=$(write_pool "$f" 0); then
                write_refused "$reason" && fail "$EX_UNAVAILABLE" "cannot write $f: $reason (a container?)"
                fail "$EX_FAIL" "cannot release $human pages, ${TARGET_LABELS[i]}: $reason"
            fi
            left=$(read_int "$f")
            free=$(read_int "${TARGET_DIRS[i]}/free_hugepages")
            note "$human pages, ${TARGET_LABELS[i]}: released $((had - left)) of $had$( ((left)) && printf '; %s still in use (surplus until their owner lets go: see status)' "$((left - free))")"
            released=1
        done
    done
    ((released)) || note "no hugepages reserved there: nothing to release"
    return 0
}

cmd_check() {
    parse_options check "size pages memory node" "" "$@"
    local size=${OPT[size]-2M} pages=${OPT[pages]-} memory=${OPT[memory]-} node=${OPT[node]-all}
    local kb human
    kb=$(size_arg_kb "$size") || exit
    human=$(kb_human "$kb")
    [[ -n $pages && -n $memory ]] && usage_error "check: give --pages or --memory, not both"
    if [[ -n $memory ]]; then
        pages=$(memory_arg_pages "$memory" "$kb") || exit
    else
        pages=$(pages_arg "${pages:-1}") || exit
    fi
    require_hugetlb
    require_size "$kb"
    resolve_targets "$kb" "$node"
    load_mounts
    local i free mnt
    i=$(mount_index_of_size "$kb") ||
        refuse "$EX_UNAVAILABLE" "no hugetlbfs is mounted for $human pages: '$PROG reserve --size $human ...' mounts one"
    mnt=${MNT_DIRS[i]}
    for i in "${!TARGET_DIRS[@]}"; do
        free=$(read_int "${TARGET_DIRS[i]}/free_hugepages")
        ((free >= pages)) ||
            refuse "$EX_SHORT" "$human pages, ${TARGET_LABELS[i]}: $free free, $pages wanted: '$PROG reserve' more, or '$PROG clean' stale files"
    done
    note "ok: $pages $human pages wanted and free (${TARGET_LABELS[*]}); hugetlbfs at $mnt"
}

cmd_status() {
    parse_options status "size" "verbose" "$@"
    local size=${OPT[size]-all} verbose=${OPT[verbose]-0}
    local -a sizes nodes
    if [[ ! -d $MM_DIR ]]; then
        printf 'No hugepages here: %s is missing (a container without /sys, or a kernel without CONFIG_HUGETLBFS).\n' "$MM_DIR"
        no_huge_cost
        return "$EX_UNAVAILABLE"
    fi
    if [[ $size == all ]]; then
        mapfile -t sizes < <(kernel_sizes_kb)
    else
        sizes=("$(size_arg_kb "$size")") || exit
    fi
    mapfile -t nodes < <(numa_nodes)

    local kb human n d total free surplus reserved=0
    printf 'Hugepages (kernel default size %s)\n' "$(kb_human "$(default_size_kb)")"
    printf '  %-5s %-8s %8s %8s %8s %8s\n' SIZE NODE TOTAL FREE SURPLUS 'IN USE'
    for kb in "${sizes[@]}"; do
        human=$(kb_human "$kb")
        [[ -d $MM_DIR/hugepages-${kb}kB ]] || { printf '  %-5s (the kernel offers no %s pages)\n' "$human" "$human"; continue; }
        for n in "${nodes[@]}" all; do
            d=$(pool_dir "$kb" "$n")
            total=$(read_int "$d/nr_hugepages")
            free=$(read_int "$d/free_hugepages")
            surplus=$(read_int "$d/surplus_hugepages")
            ((reserved += total))
            printf '  %-5s %-8s %8s %8s %8s %8s' "$human" "$n" "$total" "$free" "$surplus" $((total - free))
            [[ $n == all ]] && printf '   (reserved for mappings %s, overcommit %s)' \
                "$(read_int "$d/resv_hugepages")" "$(read_int "$d/nr_overcommit_hugepages")"
            printf '\n'
        done
    done

    load_mounts
    local i path alloc state base key
    local -a hints=() files entries=()
    printf '\nhugetlbfs mounts\n'
    ((${#MNT_DIRS[@]})) || printf '  none: DPDK cannot use hugepages until one is mounted (%s reserve mounts one)\n' "$PROG"
    for i in "${!MNT_DIRS[@]}"; do
        mapfile -t files < <(page_files "${MNT_DIRS[i]}" '*')
        alloc=0
        while read -r kb _; do ((alloc += kb)); done < <(allocated_kb "${files[@]}")
        printf '  %-28s pagesize=%-4s %s files, %s allocated   (%s)\n' "${MNT_DIRS[i]}" \
            "$(kb_human "${MNT_KB[i]}")" "${#files[@]}" "$(kb_approx "$alloc")" "${MNT_OPTS[i]}"
    done
    for kb in "${sizes[@]}"; do
        human=$(kb_human "$kb")
        total=$(read_int "$(pool_dir "$kb" all)/nr_hugepages")
        ((total)) && ! mount_index_of_size "$kb" >/dev/null &&
            hints+=("$human pages are reserved but no hugetlbfs is mounted for them: DPDK cannot use them ('$PROG reserve --size $human ...' mounts one)")
    done

    # List first, then look for holders: a file that exists before the scan already has its
    # creator's descriptor open, so the lock test below never races a DPDK start-up.
    for i in "${!MNT_DIRS[@]}"; do
        mapfile -t files < <(page_files "${MNT_DIRS[i]}" '*map_*')
        entries+=("${files[@]}")
    done
    scan_holders "${MNT_DIRS[@]}"
    printf '\nDPDK page files (<prefix>map_*)\n'
    ((${#entries[@]})) || printf '  none\n'
    local stale=0 stale_kb=0
    local -A group_n=() group_kb=()
    local -a group_order=()
    while read -r alloc path; do
        state=$(file_state "$path")
        if [[ $state == stale ]]; then
            ((stale += 1, stale_kb += alloc))
            state="stale: no process holds it"
        fi
        if ((verbose || ${#entries[@]} <= 16)); then
            printf '  %-40s %6s  %s\n' "$path" "$(kb_approx "$alloc")" "$state"
        else
            base=${path##*/}
            key="${path%/*}/${base%%map_*}map_*  $state"
            [[ -n ${group_n[$key]-} ]] || group_order+=("$key")
            ((group_n[$key] += 1, group_kb[$key] += alloc))
        fi
    done < <(allocated_kb "${entries[@]}")
    for key in "${group_order[@]}"; do
        printf '  %-40s %6s  %s files: %s\n' "${key%%  *}" "$(kb_approx "${group_kb[$key]}")" "${group_n[$key]}" "${key#*  }"
    done
    ((stale)) && hints+=("$stale stale page files hold $(kb_approx "$stale_kb") of hugepages: '$PROG clean' removes them")
    ((EUID == 0)) || hints+=("not root: other users' processes are invisible, so some files may show as unknown")
    ((reserved)) || hints+=("no hugepages reserved: '$PROG reserve --pages N' (or DPDK's --no-huge: see '$PROG --help')")
    if ((${#hints[@]})); then
        printf '\n'
        printf 'note: %s\n' "${hints[@]}"
    fi
    return 0
}

cmd_clean() {
    parse_options clean "dir* prefix" "dry-run" "$@"
    local prefix=${OPT[prefix]-rte} dry=${OPT[dry-run]-0}
    local -a dirs=()
    [[ -z ${OPT[dir]+set} ]] || mapfile -t dirs <<<"${OPT[dir]#$'\n'}"
    [[ $prefix =~ ^[A-Za-z0-9_.*-]+$ ]] || usage_error "--prefix $prefix: not a DPDK file prefix"
    load_mounts
    local d i
    if ((${#dirs[@]})); then
        for i in "${!dirs[@]}"; do
            d=$(realpath -m -- "${dirs[i]}")
            [[ -d $d ]] || usage_error "--dir ${dirs[i]}: no such directory"
            [[ ${MNT_TYPE[$d]-} == hugetlbfs ]] || usage_error "--dir ${dirs[i]}: not a hugetlbfs mount point"
            dirs[i]=$d
        done
    else
        dirs=("${MNT_DIRS[@]}")
    fi
    ((${#dirs[@]})) || { note "no hugetlbfs mounted: nothing to clean"; return 0; }
    command -v flock >/dev/null || warn "flock (util-linux) is missing: only /proc tells who holds a file"

    local -a files all=()
    for d in "${dirs[@]}"; do
        mapfile -t files < <(page_files "$d" "${prefix}map_*")
        all+=("${files[@]}")
    done
    scan_holders "${dirs[@]}"

    local dfd fd f alloc state removed=0 kept=0 freed=0 rc=0
    for d in "${dirs[@]}"; do
        # A DPDK primary holds this directory's lock exclusively while it starts: leave it be.
        dfd=
        if command -v flock >/dev/null && { exec {dfd}<"$d"; } 2>/dev/null; then
            if ! flock -n -x "$dfd"; then
                note "$d: kept everything: a DPDK process is starting up here (the directory is locked)"
                exec {dfd}<&-
                continue
            fi
        fi
        while read -r alloc f; do
            [[ ${f%/*} == "$d" ]] || continue
            state=$(file_state "$f")
            if [[ $state != stale ]]; then
                note "kept $f: $state"
                ((kept += 1))
                continue
            fi
            if ((dry)); then
                note "would remove $f ($(kb_approx "$alloc")): no process holds it"
                ((removed += 1, freed += alloc))
                continue
            fi
            # Remove under an exclusive lock, as DPDK does, so no one can take the file meanwhile.
            fd=
            if command -v flock >/dev/null && { exec {fd}<"$f"; } 2>/dev/null && ! flock -n -x "$fd"; then
                note "kept $f: it was locked just now"
                exec {fd}<&-
                ((kept += 1))
                continue
            fi
            if rm -f -- "$f"; then
                note "removed $f ($(kb_approx "$alloc") freed): no process held it"
                ((removed += 1, freed += alloc))
            else
                warn "could not remove $f"
                rc=$EX_FAIL
            fi
            [[ -n $fd ]] && exec {fd}<&-
        done < <(allocated_kb "${all[@]}")
        [[ -n $dfd ]] && exec {dfd}<&-
    done
    if ((removed + kept == 0)); then
        note "no ${prefix}map_* files in ${dirs[*]}: nothing to clean"
    else
        if ((dry)); then
            note "would remove $removed, keep $kept; $(kb_approx "$freed") of hugepages would be given back"
        else
            note "removed $removed, kept $kept; $(kb_approx "$freed") of hugepages given back"
        fi
    fi
    return "$rc"
}

main() {
    local arg
    for arg; do
        [[ $arg == -h || $arg == --help ]] && { usage; exit 0; }
    done
    (($#)) || { usage >&2; exit "$EX_USAGE"; }
    local cmd=$1
    shift
    case $cmd in
        reserve) cmd_reserve "$@" ;;
        release) cmd_release "$@" ;;
        status) cmd_status "$@" ;;
        clean) cmd_clean "$@" ;;
        check) cmd_check "$@" ;;
        help) usage ;;
        *) usage_error "unknown command '$cmd'" ;;
    esac
}

main "$@"
