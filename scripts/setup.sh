#!/usr/bin/env bash
# Installs what Sentinel needs to build, test and benchmark on Debian 12, then configures the
# release build in build/. Safe to run again: installs only what is missing, reconfigures nothing
# that is already configured.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[setup] %s\n' "$*" >&2; }

packages=(
  # toolchain and build
  g++ meson ninja-build pkg-config
  # libraries the code links against
  dpdk-dev libdpdk-dev libnuma-dev libhwloc-dev libpcap-dev
  # tests and benchmarks: GoogleTest, and the queues the Disruptor is measured against
  libgtest-dev libgmock-dev libboost-dev libreaderwriterqueue-dev
  # the feed fuzzer (tests/fuzz/run_fuzz.sh): clang, and its libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # operator tools: topology, packet inspection and replay, namespaces
  hwloc tshark tcpdump tcpreplay iproute2
  # the hugepages test holds a page-file mapping from a small python3 process
  python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages: ${missing[*]}; run this script as root (it calls apt-get install)"
    exit 1
  fi
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "all ${#packages[@]} Debian packages already installed"
fi

if [[ -f "$root/build/build.ninja" ]]; then
  say "release build already configured in build/"
else
  say "configuring the release build (-O3) in build/"
  meson setup "$root/build" "$root" --buildtype=release >/dev/null
fi
