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
#
# The build directory is build/ (set BUILD_DIR to use another); it is configured with the
# top-level meson.build if it does not exist yet. Progress goes to stderr, results to stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

say() { echo "bench.sh: $*" >&2; }
die() { echo "bench.sh: error: $1" >&2; exit "${2:-1}"; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

# Configures the build directory if needed and builds one target of tests/bench.
build() {
    local target="$1"
    if [[ ! -f "$build_dir/build.ninja" ]]; then
        say "configuring $build_dir (meson setup)"
        meson setup "$build_dir" "$root" >&2
    fi
    # grep reads the whole list: with -q it could exit early and fail the pipe under pipefail.
    if ! ninja -C "$build_dir" -t targets all 2>/dev/null | grep "^tests/bench/$target:" >/dev/null; then
        die "$build_dir has no target tests/bench/$target (a sanitized build skips benchmarks; the static one also needs librte_ring.a and friends, libnuma.a, libbsd.a, libmd.a); point BUILD_DIR at a new directory for a plain build"
    fi
    say "building tests/bench/$target in $build_dir"
    ninja -C "$build_dir" "tests/bench/$target" >&2
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
        build disruptor_bench_static
        mkdir -p "$static_dir"
        cp "$build_dir/tests/bench/disruptor_bench_static" "$static_dir/disruptor_bench"
        say "checking that $static_dir/disruptor_bench is static"
        if ldd "$static_dir/disruptor_bench" >/dev/null 2>&1; then
            die "$static_dir/disruptor_bench still has dynamic dependencies"
        fi
        say "done: run $static_dir/disruptor_bench [--quick] [--cpus LIST] on the target machine"
        return
    fi

    build disruptor_bench
    say "running disruptor_bench ${args[*]:-}"
    "$build_dir/tests/bench/disruptor_bench" ${args[@]+"${args[@]}"}
}

[[ $# -ge 1 ]] || { usage; exit 2; }
command="$1"
shift
case "$command" in
    disruptor) disruptor "$@" ;;
    -h | --help) usage ;;
    *) die "unknown benchmark '$command' (known: disruptor)" 2 ;;
esac
