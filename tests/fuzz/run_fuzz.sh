#!/usr/bin/env bash
# Builds the fuzz targets with clang++ (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer)
# straight from the lib/feed sources, replays the regression corpus through each, then fuzzes each
# for its share of the time.
#
#   tests/fuzz/run_fuzz.sh [SECONDS]     default 20, split between the targets; exit 0 when nothing was found
#
#   feed_fuzz          MoldUDP64 framing, ITCH 5.0 decoding and the books (FeedHandler::on_message)
#   arbitration_fuzz   the line arbitrator and the feed engine: lines A, B and recovery, gaps,
#                      re-requests, timers, hostile sequence numbers (its invariants: the .cpp)
#
# tests/fuzz/regression/<target>/ holds inputs that must keep passing: the hand-made ones
# (make_regression_corpus.py writes them) and what the fuzzer found, each named for what it does.
# They also seed the fuzzing.
#
# Work goes to $FUZZ_DIR (default build-fuzz/ in the repository): the binaries, each target's
# corpus (<target>_corpus/, kept between runs), and <target>-crash-* / -timeout-* inputs when one
# is found. Replay a finding, with every step and callback printed for arbitration_fuzz:
#   ARBITRATION_FUZZ_TRACE=1 build-fuzz/arbitration_fuzz build-fuzz/arbitration_fuzz-crash-...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-20}"
dir="${FUZZ_DIR:-$root/build-fuzz}"
regression="$root/tests/fuzz/regression"
say() { printf '[fuzz] %s\n' "$*" >&2; }

command -v clang++ >/dev/null || { say "clang++ not found: scripts/setup.sh installs clang"; exit 2; }
mkdir -p "$dir/obj"

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root/lib")

# The parts of lib/feed that read untrusted bytes, or walk what they built; pcap_replay.cpp
# (libpcap's reader) is not one of them. The arbitrator and the engine are headers.
say "building $dir/feed_fuzz and $dir/arbitration_fuzz"
for source in order_books feed_handler book_writer udp_frame; do
  clang++ "${flags[@]}" -c "$root/lib/feed/$source.cpp" -o "$dir/obj/$source.o"
done
clang++ "${flags[@]}" "$root/tests/fuzz/feed_fuzz.cpp" \
  "$dir"/obj/{order_books,feed_handler,book_writer,udp_frame}.o -o "$dir/feed_fuzz"
clang++ "${flags[@]}" "$root/tests/fuzz/arbitration_fuzz.cpp" \
  "$dir"/obj/{order_books,feed_handler}.o -o "$dir/arbitration_fuzz"

# Each regression input on its own, so that every one that fails is named.
failed=0
for target in feed_fuzz arbitration_fuzz; do
  inputs=("$regression/$target"/*)
  say "replaying ${#inputs[@]} regression inputs through $target"
  for input in "${inputs[@]}"; do
    log="$dir/$target-replay-$(basename "$input").log"
    if "$dir/$target" -timeout=5 "$input" >"$log" 2>&1; then
      rm -f "$log"
    else
      say "FAILED: $target $input (log: $log)"
      failed=1
    fi
  done
done
((failed == 0)) || exit 1

# The arbitrator gets the larger share: its inputs are scripts, and slower to explore.
feed_seconds=$((seconds * 2 / 5 > 0 ? seconds * 2 / 5 : 1))
arbitration_seconds=$((seconds - feed_seconds > 0 ? seconds - feed_seconds : 1))
for target in feed_fuzz arbitration_fuzz; do
  share=$feed_seconds
  [[ $target == arbitration_fuzz ]] && share=$arbitration_seconds
  say "fuzzing $target for ${share} s"
  mkdir -p "$dir/${target}_corpus"
  if ! "$dir/$target" -max_total_time="$share" -timeout=5 -print_final_stats=1 -artifact_prefix="$dir/$target-" \
    "$dir/${target}_corpus" "$regression/$target"; then
    say "FOUND: $target (the input: $dir/$target-crash-*, -timeout-* or -leak-*)"
    failed=1
  fi
done
exit "$failed"
