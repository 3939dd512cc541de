#!/usr/bin/env bash
# Builds tests/fuzz/feed_fuzz.cpp with clang++ (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer)
# straight from the lib/feed sources, and runs it.
#
#   tests/fuzz/run_fuzz.sh [SECONDS]     default 20; exit 0 when the fuzzer found nothing
#
# Work goes to $FUZZ_DIR (default build-fuzz/ in the repository): the binary, the corpus (kept
# between runs, seeded with well-formed packets on the first), and crash-* inputs when it finds one.
# Replay a finding: build-fuzz/feed_fuzz build-fuzz/crash-...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-20}"
dir="${FUZZ_DIR:-$root/build-fuzz}"
say() { printf '[fuzz] %s\n' "$*" >&2; }

command -v clang++ >/dev/null || { say "clang++ not found: scripts/setup.sh installs clang"; exit 2; }
mkdir -p "$dir/corpus"

# The parts of lib/feed that read untrusted bytes, or walk what they built; pcap_replay.cpp
# (libpcap's reader) is not one of them.
sources=(order_books.cpp feed_handler.cpp book_writer.cpp udp_frame.cpp)
say "building $dir/feed_fuzz"
clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/lib" "$root/tests/fuzz/feed_fuzz.cpp" "${sources[@]/#/$root/lib/feed/}" \
  -o "$dir/feed_fuzz"

if [[ -z "$(ls -A "$dir/corpus")" ]]; then
  say "seeding the corpus"
  python3 - "$dir/corpus" <<'PY'
import struct, sys
def msg(t, locate, body): return t.encode() + struct.pack('>HH', locate, 0) + (1).to_bytes(6, 'big') + body
def add(ref, side, shares, price, t='A'):
    m = msg(t, 7, struct.pack('>Q', ref) + side.encode() + struct.pack('>I', shares) + b'SEED    ' + struct.pack('>I', price))
    return m + (b'MPID' if t == 'F' else b'')
def packet(seq, messages):
    return b'SEED000001' + struct.pack('>QH', seq, len(messages)) + b''.join(struct.pack('>H', len(m)) + m for m in messages)
def chunks(*packets): return b''.join(struct.pack('>H', len(p)) + p for p in packets)
directory = msg('R', 7, b'SEED    QN' + struct.pack('>I', 100) + b'NCZ PNN1N' + struct.pack('>I', 0) + b'N')
seeds = [
    chunks(packet(1, [directory, add(1, 'B', 100, 10000), add(2, 'S', 50, 10100), add(3, 'B', 10, 9900, 'F')]),
           packet(5, [msg('E', 7, struct.pack('>QIQ', 1, 40, 9)), msg('X', 7, struct.pack('>QI', 2, 10)),
                      msg('U', 7, struct.pack('>QQII', 3, 4, 20, 9950)), msg('D', 7, struct.pack('>Q', 2)),
                      msg('C', 7, struct.pack('>QIQ', 4, 20, 10) + b'Y' + struct.pack('>I', 9990))])),
    chunks(packet(1, [msg('S', 0, b'O'), msg('H', 7, b'SEED    T ' + b'    ')]), b'SEED000001' + struct.pack('>QH', 3, 0)),
    chunks(packet(2, [add(i, 'BS'[i % 2], i, 10000 + i * (1 if i % 2 else -1)) for i in range(1, 40)])),
]
for i, s in enumerate(seeds):
    open(f'{sys.argv[1]}/seed{i}', 'wb').write(s)
PY
fi

say "running for ${seconds} s"
"$dir/feed_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus"
