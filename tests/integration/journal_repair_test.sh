#!/usr/bin/env bash
# sentinel-journal repair against readers that share none of its code: pcapng files that editcap
# makes from scripts/gen_traffic.py are damaged in the middle (a corrupted block length and a run
# of garbage), at the end (a torn tail) and in a section header. Each repair must read cleanly in
# tshark and hold the original's packets but exactly those the damage covered, byte for byte
# (pcap_packets.py), and leave the damaged file as it was; --dry-run writes nothing, --in-place
# replaces the file, an existing output is never replaced, and a file that is not pcapng is refused.
# usage: journal_repair_test.sh JOURNAL GEN_TRAFFIC_PY
# Needs tshark, editcap and python3; exits 77 without them. No root, no hugepages.
(($# == 2)) || { echo "usage: journal_repair_test.sh JOURNAL GEN_TRAFFIC_PY" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" journal_repair
journal=$(realpath -m "$1")
gen=$(realpath -m "$2")
blocks=$here/pcapng_blocks.py
packets=$here/pcap_packets.py
needs tshark editcap python3

# tshark_reads FILE COUNT: tshark reads every frame of FILE, COUNT of them, with no error or warning.
tshark_reads() {
  tshark -r "$1" -T fields -e frame.number >"$tmp/frames" 2>"$tmp/tshark_err"
  local status=$? frames
  frames=$(wc -l <"$tmp/frames")
  grep -v 'Running as user "root"' "$tmp/tshark_err" >"$tmp/tshark_warnings"
  ((status == 0 && frames == $2)) && [[ ! -s $tmp/tshark_warnings ]] && return 0
  echo "      tshark -r $1: exit $status, $frames frames (want $2)"
  sed -n '1,3s/^/      | /p' "$tmp/tshark_warnings"
  return 1
}

# same_but FILE [N | N-M]...: FILE holds the original's packets without packets N (or N to M),
# counted from 0, in order and byte for byte.
same_but() {
  local file=$1 range script=
  shift
  for range in "$@"; do script+="$((${range%-*} + 1)),$((${range#*-} + 1))d;"; done
  sed "$script" "$tmp/orig.packets" >"$tmp/expected.packets"
  python3 "$packets" "$file" >"$tmp/actual.packets" || return 1
  cmp -s "$tmp/expected.packets" "$tmp/actual.packets" && return 0
  echo "      $(wc -l <"$tmp/actual.packets") packets, want $(wc -l <"$tmp/expected.packets"):" \
    "$(cmp "$tmp/expected.packets" "$tmp/actual.packets" 2>&1 | head -1)"
  return 1
}

# epb N: the offset of packet N's block in the original (counted from 0).
epb() { sed -n "$(($1 + 1))p" "$tmp/orig.epbs"; }

journal_line() {  # journal_line ARGS...: sentinel-journal's stdout in $out, its stderr in $err, exit in $rc
  out=$(timeout 60 "$journal" "$@" 2>"$tmp/err")
  rc=$?
  err=$(<"$tmp/err")
}

python3 "$gen" --count 3000 --seed 12 --max-size 1514 --out "$tmp/in.pcap" >/dev/null &&
  editcap -F pcapng "$tmp/in.pcap" "$tmp/orig.pcapng" &&
  python3 "$packets" "$tmp/orig.pcapng" >"$tmp/orig.packets" &&
  python3 "$blocks" list "$tmp/orig.pcapng" | awk '$2 == "0x00000006" {print $1}' >"$tmp/orig.epbs" ||
  { echo "journal_repair_test: could not make the original capture"; exit 1; }
check "the original: 3000 packets, sentinel-journal check ok" grep -q ': ok: 3000 packets, ' \
  <("$journal" check "$tmp/orig.pcapng")

# --- damage in the middle: packet 1000's length, and garbage from inside packet 2000 over packet 2003's header
mkdir "$tmp/mid"
cd "$tmp/mid" || exit 1
cp "$tmp/orig.pcapng" mid.pcapng
python3 "$blocks" overwrite mid.pcapng $(($(epb 1000) + 4)) efbeadde
python3 "$blocks" garbage mid.pcapng $(($(epb 2000) + 40)) $(($(epb 2003) + 8 - $(epb 2000) - 40)) 7
sum=$(sha256sum <mid.pcapng)
check "middle: tshark cannot read the damaged file" bash -c '! tshark -r mid.pcapng >/dev/null 2>&1'
journal_line check mid.pcapng
check "middle: check exits 1" equals exit 1 "$rc"
check "middle: check finds 2 damaged regions at packets 1000 and 2000" equals regions \
  "$(epb 1000) $(epb 2000)" "$(sed -n 's/^  offset \([0-9]*\),.*/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check "middle: check says where valid blocks resume (packets 1001 and 2004)" equals resume \
  "$(epb 1001) $(epb 2004)" "$(sed -n 's/.*valid blocks resume at offset \([0-9]*\)$/\1/p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"

journal_line repair --dry-run mid.pcapng
check "middle: --dry-run exits 0" equals exit 0 "$rc"
check "middle: --dry-run says what it would write" equals line \
  "mid.pcapng: dry run: would write mid.repaired.pcapng: would keep 2995 packets" "${out%% (*}"
check "middle: --dry-run writes nothing" equals files mid.pcapng "$(ls)"

journal_line repair mid.pcapng
echo "      $out" | head -1
check "middle: repair exits 0" equals exit 0 "$rc"
check "middle: repair keeps 2995 packets, readers took 1000" grep -q \
  '^mid.pcapng: wrote mid.repaired.pcapng: kept 2995 packets (.*); readers took 1000 from mid.pcapng; dropped' <<<"$out"
check "middle: the damaged file is left as it was" equals sha256 "$sum" "$(sha256sum <mid.pcapng)"
check "middle: sentinel-journal check ok" grep -q '^mid.repaired.pcapng: ok: 2995 packets' \
  <("$journal" check mid.repaired.pcapng)
check "middle: tshark reads 2995 frames" tshark_reads mid.repaired.pcapng 2995
check "middle: every packet but 1000 and 2000-2003, byte for byte" same_but mid.repaired.pcapng 1000 2000-2003

journal_line repair mid.pcapng
check "middle: an existing output is not replaced (exit 2, says so)" \
  bash -c '[[ $1 == 2 && $2 == *"mid.repaired.pcapng: File exists — remove it"* ]]' _ "$rc" "$err"

cp mid.pcapng inplace.pcapng
journal_line repair --in-place inplace.pcapng
check "middle: --in-place exits 0" equals exit 0 "$rc"
check "middle: --in-place leaves the same blocks as a new file" cmp -s inplace.pcapng mid.repaired.pcapng
check "middle: --in-place leaves no temporary file" equals files "inplace.pcapng mid.pcapng mid.repaired.pcapng" \
  "$(ls | tr '\n' ' ' | sed 's/ $//')"

# --- a torn tail: the file cut inside packet 2500's fixed fields
mkdir "$tmp/torn"
cd "$tmp/torn" || exit 1
cp "$tmp/orig.pcapng" torn.pcapng
truncate -s $(($(epb 2500) + 20)) torn.pcapng
journal_line check torn.pcapng
check "torn tail: check says so" bash -c '[[ $1 == 1 && $2 == "torn.pcapng: torn tail at offset $3 "* ]]' _ \
  "$rc" "$out" "$(epb 2500)"
journal_line repair torn.pcapng
check "torn tail: repair exits 0" equals exit 0 "$rc"
check "torn tail: tshark reads 2500 frames" tshark_reads torn.repaired.pcapng 2500
check "torn tail: packets 0-2499, byte for byte" same_but torn.repaired.pcapng 2500-2999

# --- two sections end to end, the first section header damaged: the second section is kept
mkdir "$tmp/sections"
cd "$tmp/sections" || exit 1
python3 "$gen" --count 500 --seed 13 --max-size 1514 --out second.pcap >/dev/null && editcap -F pcapng second.pcap second.pcapng
cat "$tmp/orig.pcapng" second.pcapng >two.pcapng
python3 "$blocks" overwrite two.pcapng 8 78563412  # the first byte-order magic
journal_line check two.pcapng
check "section header: check says the first section is lost" grep -q \
  "^  offset 0, $(stat -c %s "$tmp/orig.pcapng") bytes: damaged (.*the section header block is lost" <<<"$out"
journal_line repair two.pcapng
check "section header: repair exits 0" equals exit 0 "$rc"
check "section header: tshark reads the second section's 500 frames" tshark_reads two.repaired.pcapng 500
check "section header: the second section's packets, byte for byte" cmp -s <(python3 "$packets" second.pcapng) \
  <(python3 "$packets" two.repaired.pcapng)

# --- a pcap file is not pcapng: refused, nothing written
mkdir "$tmp/pcap"
cd "$tmp/pcap" || exit 1
cp "$tmp/in.pcap" in.pcap
journal_line repair in.pcap
check "not pcapng: repair exits 1 and says so" bash -c '[[ $1 == 1 && $2 == "in.pcap: not a pcapng file ("* ]]' _ "$rc" "$out"
check "not pcapng: nothing written" equals files in.pcap "$(ls)"

finish_test
