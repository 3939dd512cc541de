#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite three times:
#   build/       release (-O3)          unit, stress and integration suites
#   build-asan/  AddressSanitizer+UBSan unit and stress suites
#   build-tsan/  ThreadSanitizer        unit and stress suites (the concurrency proof)
#   build-fuzz/  libFuzzer (clang)      the regression corpus, then 20 s: the MoldUDP64 + ITCH 5.0
#                                       decoder and books, and the line arbitrator and feed engine
# Ends with one line "tests: N passed, N failed" and a non-zero exit if anything failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[test] %s\n' "$*" >&2; }

bash "$root/scripts/setup.sh"

passed=0
failed=0
skipped=0
status=0

# Runs one build's suites and adds its GoogleTest case counts (from meson's JUnit log) to the totals.
run_suites() {
  local dir=$1 sanitize=$2
  shift 2
  if [[ ! -f "$root/$dir/build.ninja" ]]; then
    say "configuring $dir (b_sanitize=$sanitize)"
    meson setup "$root/$dir" "$root" --buildtype=debugoptimized -Db_sanitize="$sanitize" >/dev/null
  fi
  say "building $dir"
  ninja -C "$root/$dir" >/dev/null
  say "running $* in $dir"
  local suite_args=()
  for s in "$@"; do suite_args+=(--suite "$s"); done
  if ! meson test -C "$root/$dir" --print-errorlogs "${suite_args[@]}"; then status=1; fi
  local xml="$root/$dir/meson-logs/testlog.junit.xml"
  local cases failures skips
  cases=$(grep -c '<testcase ' "$xml" || true)
  failures=$(grep -cE '<(failure|error)[ >/]' "$xml" || true)
  skips=$(grep -cE '<skipped[ >/]' "$xml" || true)
  passed=$((passed + cases - failures - skips))
  failed=$((failed + failures))
  skipped=$((skipped + skips))
}

run_suites build none unit stress integration
run_suites build-asan address,undefined unit stress
run_suites build-tsan thread unit stress

say "fuzzing the feed (decoder, books, arbitrator) for 20 s after its regression corpus (tests/fuzz/run_fuzz.sh)"
if bash "$root/tests/fuzz/run_fuzz.sh" 20; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi

if ((status != 0 && failed == 0)); then failed=1; fi  # a crash may leave no JUnit record
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
