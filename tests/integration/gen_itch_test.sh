#!/usr/bin/env bash
# scripts/gen_itch.py against readers that share none of its code: tshark's MoldUDP64 dissector for
# the framing (every frame MoldUDP64, nothing malformed, checksums good, sequences and counts
# continuous on a clean capture, the union of the lines missing exactly the declared gaps on an
# impaired one, heartbeats, end of session last, counts as the summary says), and a small Python
# reader for what tshark cannot read (ITCH 5.0: each type's length, orders that exist, and the book
# rebuilt from --messages-out with a dict equal to --book-out; the pcap's payloads equal to it).
# usage: gen_itch_test.sh GEN_ITCH_PY
# Needs tshark and python3; exits 77 without them.
(($# == 1)) || { echo "usage: gen_itch_test.sh GEN_ITCH_PY" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" gen_itch
gen=$(realpath -m "$1")
needs tshark python3

readonly PORT_A=26477 PORT_B=26478
readonly COMMON=(--seed 21 --instruments 12 --messages 6000 --per-packet 12 --heartbeats 0.02)
readonly IMPAIRED=(--loss-a 0.05 --loss-b 0.05 --dup-a 0.03 --dup-b 0.03 --reorder-a 0.03 --reorder-b 0.03 --gaps 4)

# gen NAME ARGS...: writes NAME.pcap .book .msgs .gaps and the summary line in NAME.summary.
gen() {
  local name=$1
  shift
  python3 "$gen" "$@" --out "$tmp/$name.pcap" --book-out "$tmp/$name.book" --messages-out "$tmp/$name.msgs" \
    --gaps-out "$tmp/$name.gaps" 2>"$tmp/$name.summary"
}

# fields NAME: one line a frame, 'FRAME PORT SESSION SEQUENCE COUNT IP_CHECKSUM UDP_CHECKSUM', from tshark.
tshark_args=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE
             -d "udp.port==$PORT_A,moldudp64" -d "udp.port==$PORT_B,moldudp64")
fields() {
  tshark -r "$tmp/$1.pcap" "${tshark_args[@]}" -T fields -E separator=' ' -E occurrence=f \
    -e frame.number -e udp.dstport -e moldudp64.session -e moldudp64.sequence -e moldudp64.count \
    -e ip.checksum.status -e udp.checksum.status 2>/dev/null >"$tmp/$1.fields"
}

# nothing_wrong NAME: no frame tshark calls malformed or flags with a warning or error (bad checksum,
# invalid MoldUDP64 count or message length, data after an end of session).
nothing_wrong() {
  local bad
  bad=$(tshark -r "$tmp/$1.pcap" "${tshark_args[@]}" -Y '_ws.malformed || _ws.expert.severity >= warning' \
    -T fields -e frame.number -e _ws.expert.message 2>/dev/null | head -5)
  [[ -z $bad ]] || { echo "      $bad"; return 1; }
}

# The checks tshark's fields feed, and the ITCH reader (gen_itch_check.py).
py() { python3 "$here/gen_itch_check.py" "$@"; }

# ---- a) a clean capture: exact continuity on both lines ------------------------------------------------
gen clean "${COMMON[@]}" || { cat "$tmp/clean.summary"; echo "gen_itch_test: gen_itch.py failed"; exit 1; }
echo "      $(<"$tmp/clean.summary")"
n=$(grep -oE '(^| )messages=[0-9]+' "$tmp/clean.summary" | cut -d= -f2)
fields clean
check "clean: every frame MoldUDP64, session SNTL000021, checksums good" py mold "$tmp/clean.fields" SNTL000021
check "clean: nothing malformed or flagged" nothing_wrong clean
check "clean: line A continuous to the end of session" py continuous "$tmp/clean.fields" $PORT_A "$n"
check "clean: line B continuous to the end of session" py continuous "$tmp/clean.fields" $PORT_B "$n"
check "clean: lines carry the same packets" py same_lines "$tmp/clean.fields"
check "clean: heartbeats on both lines, at packet boundaries" py heartbeats "$tmp/clean.fields" "$tmp/clean.fields" $PORT_A $PORT_B
check "clean: ends of session last" py end "$tmp/clean.fields" "$n" $PORT_A $PORT_B
check "clean: frames per line as the summary says" py counts "$tmp/clean.fields" "$tmp/clean.summary"
check "clean: no gaps declared" test ! -s "$tmp/clean.gaps"
check "clean: frames, checksums and payloads (python reader)" \
  py pcap "$tmp/clean.pcap" "$tmp/clean.msgs" 233.54.12.111:$PORT_A,233.54.12.112:$PORT_B
check "clean: ITCH lengths, live orders, book rebuilt = --book-out" py itch "$tmp/clean.msgs" "$tmp/clean.book" 12

# ---- b) the same session impaired: the lines together miss exactly the declared gaps -------------------
gen impaired "${COMMON[@]}" "${IMPAIRED[@]}" || { cat "$tmp/impaired.summary"; echo "gen_itch_test: gen_itch.py failed"; exit 1; }
echo "      $(<"$tmp/impaired.summary")"
fields impaired
check "impaired: every frame MoldUDP64, checksums good" py mold "$tmp/impaired.fields" SNTL000021
check "impaired: nothing malformed or flagged" nothing_wrong impaired
check "impaired: coverage = all but the 4 gaps; loss, dups, reorder as the summary says" \
  py impaired "$tmp/impaired.fields" "$tmp/clean.fields" "$tmp/impaired.summary" "$tmp/impaired.gaps" "$n" 4
check "impaired: frames per line as the summary says" py counts "$tmp/impaired.fields" "$tmp/impaired.summary"
check "impaired: heartbeats on both lines, at packet boundaries" py heartbeats "$tmp/impaired.fields" "$tmp/clean.fields" $PORT_A $PORT_B
check "impaired: ends of session last" py end "$tmp/impaired.fields" "$n" $PORT_A $PORT_B
check "impaired: line B within 16 frames of A, ahead and behind" py skew "$tmp/impaired.fields" 16
check "impaired: same messages as clean" cmp -s "$tmp/impaired.msgs" "$tmp/clean.msgs"
check "impaired: same book as clean" cmp -s "$tmp/impaired.book" "$tmp/clean.book"
check "impaired: frames, checksums and payloads (python reader)" \
  py pcap "$tmp/impaired.pcap" "$tmp/impaired.msgs" 233.54.12.111:$PORT_A,233.54.12.112:$PORT_B
gen again "${COMMON[@]}" "${IMPAIRED[@]}"
check "deterministic: the same options give the same bytes" cmp -s "$tmp/again.pcap" "$tmp/impaired.pcap"

# ---- c) line A alone, other groups: what A loses is a true gap ----------------------------------------
gen only_a "${COMMON[@]}" --only-a --loss-a 0.03 --line-a 239.1.2.3:$PORT_A
fields only_a
check "only A: every frame MoldUDP64" py mold "$tmp/only_a.fields" SNTL000021
check "only A: line A and --gaps-out partition the sequences" py only_a "$tmp/only_a.fields" "$tmp/only_a.summary" "$tmp/only_a.gaps"
check "only A: frames to 239.1.2.3 (python reader)" py pcap "$tmp/only_a.pcap" "$tmp/only_a.msgs" 239.1.2.3:$PORT_A

# ---- d) bad input: one line, exit 2 ---------------------------------------------------------------------
# refused PATTERN ARGS...: gen_itch.py exits 2 and says PATTERN.
refused() {
  local pattern=$1 rc
  shift
  python3 "$gen" "$@" 2>"$tmp/err"
  rc=$?
  if [[ $rc != 2 ]] || ! grep -q -- "$pattern" "$tmp/err"; then
    echo "      exit $rc: $(tail -1 "$tmp/err")"
    return 1
  fi
}
check "too many gaps refused" refused "^gen_itch: --gaps 1000" --messages 10 --gaps 1000 --out "$tmp/x.pcap"
check "a unicast line refused" refused "not a multicast group" --line-b 10.0.0.1:1 --out "$tmp/x.pcap"
check "an MTU too small for a message refused" refused "--mtu must be" --mtu 100 --out "$tmp/x.pcap"

finish_test
