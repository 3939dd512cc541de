#!/usr/bin/env bash
# The feed stage of the real sentinel on net_pcap ports, against scripts/gen_itch.py's expected
# books: A/B arbitration (loss, duplicates, reordering on each line) rebuilds the exact book; true
# gaps with no server to ask are counted exactly and leave every instrument stale; the top-of-book
# records (file and multicast through a net_pcap TX port) agree with each other and with the book;
# a capture journal replayed through sentinel rebuilds a byte-identical book (event sourcing);
# hostile packets in the middle of the feed (sequence 2^64-1, a heartbeat at 2^63, sequence 0, ends
# of session from strangers, another session, a forged heartbeat within the horizon) are counted
# exactly and leave the book exact, and the run ends by itself and on SIGTERM; SIGUSR1 writes the
# books mid-run; bad feed options give one line and exit 2. Where timing decides whether a gap is
# declared (a busy machine), the tests assert the identities and the exact book, never "no gap".
# usage: feed_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY (gen_itch.py is found beside it)
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" feed
sentinel_setup "$@"

gen_itch=$(dirname "$gen")/gen_itch.py
feed_replay=$(dirname "$sentinel")/sentinel-feed-replay
lines=(--feed itch50 --feed-a 233.54.12.111:26477 --feed-b 233.54.12.112:26478 --feed-max-orders 262144)

# same_file NAME EXPECTED ACTUAL: byte-identical, or the first lines that differ.
same_file() {
  cmp -s "$2" "$3" && return 0
  echo "      $1: $2 and $3 differ:"
  diff "$2" "$3" | head -6 | sed 's/^/      | /'
  return 1
}

feed_identities_ok() {
  local n
  n=$(grep -c '^identity feed .*: ok$' "$tmp/out")
  ((n == 3)) && ! grep '^identity' "$tmp/out" | grep -qv ': ok$' ||
    { echo "      identity lines:"; grep '^identity' "$tmp/out" | sed 's/^/      | /'; return 1; }
}

# gaps_closed N: N gaps reported (up to 100), each "feed gap K: ..." line later closed by "feed gap K closed".
gaps_closed() {
  local k reported=$(($1 < 100 ? $1 : 100))
  for ((k = 1; k <= reported; k++)); do
    grep -q "feed gap $k: messages" "$tmp/err" && grep -q "feed gap $k closed: messages" "$tmp/err" ||
      { echo "      gap $k: opened and closed lines not both on stderr"; return 1; }
  done
}

# ---- lines A and B, each losing, duplicating or reordering packets: the book is exact (300,000 messages,
# 300 instruments) -------------------------------------------------------------------------------------------
python3 "$gen_itch" --seed 11 --messages 300000 --instruments 300 --loss-a 0.04 --loss-b 0.04 --dup-a 0.02 \
  --dup-b 0.02 --reorder-a 0.02 --reorder-b 0.02 --out "$tmp/ab.pcap" --book-out "$tmp/ab.book" \
  2>"$tmp/gen.txt" || { echo "gen_itch.py failed"; exit 1; }
messages=$(sed -n 's/^gen_itch: messages=\([0-9]*\) .*/\1/p' "$tmp/gen.txt")
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/ab.pcap" --vdev "net_pcap1,tx_pcap=$tmp/tob.pcap" -- --ports 0 \
  "${lines[@]}" --book-out "$tmp/ab.got" --feed-tx 1 --tob-multicast 239.77.1.1:31000 --tob-source 10.90.0.9 \
  --tob-out "$tmp/ab.tob" \
  --stop-when-idle 500 --stats-out "$tmp/ab.stats"
check "A/B: exit 0" equals exit 0 "$rc"
check "A/B: the book equals the generator's, byte for byte" same_file book "$tmp/ab.book" "$tmp/ab.got"
check "A/B: every message delivered once ($messages)" equals feed_messages "$messages" "$(value feed_messages "$tmp/ab.stats")"
# A line that falls behind past the tolerance (a busy CPU) makes a gap the other line then fills
# late: allowed, and accounted for; nothing may be given up or recovered (there is no server).
check "A/B: nothing given up, nothing stale, all missing filled late" equals \
  "unrecoverable recovered stale filled_late" "0 0 0 $(value feed_missing_messages "$tmp/ab.stats")" \
  "$(value feed_unrecoverable_messages "$tmp/ab.stats") $(value feed_recovered_messages "$tmp/ab.stats") \
$(value feed_stale_instruments "$tmp/ab.stats") $(value feed_filled_late_messages "$tmp/ab.stats")"
check "A/B: each gap on stderr followed by the line that closes it" gaps_closed "$(value feed_gaps "$tmp/ab.stats")"
check "A/B: duplicates counted" test "$(value feed_duplicates "$tmp/ab.stats")" -gt 0
check "A/B: the end of session seen" equals feed_session_ended 1 "$(value feed_session_ended "$tmp/ab.stats")"
check "A/B: feed identities ok" feed_identities_ok
for key in feed_messages feed_duplicates feed_gaps feed_missing_messages feed_recovered_messages feed_malformed_packets; do
  check "A/B: --stats-out has $key" grep -q "^$key=[0-9]*$" "$tmp/ab.stats"
done
check "A/B: no mbuf leak" no_leak

# The top-of-book records: one per change, numbered from 1 without holes; the file and the
# multicast datagrams carry the same bytes; each symbol's last record is the book's top.
tob_check() {
  python3 "$here/tob_records.py" check "$tmp/ab.tob" "$tmp/tob.pcap" "$tmp/ab.book" \
    "$(value feed_top_changes "$tmp/ab.stats")" "$(value tob_datagrams "$tmp/ab.stats")"
}
check "A/B: top-of-book file, multicast copy and book agree" tob_check
check "A/B: tshark reads the multicast datagrams" tshark_ok "$tmp/tob.pcap"

# ---- true gaps, lost on both lines, and no server to ask: counted exactly, instruments stale -------------
python3 "$gen_itch" --seed 12 --messages 30000 --instruments 16 --loss-a 0.02 --gaps 5 --out "$tmp/gaps.pcap" \
  --gaps-out "$tmp/gaps.txt" 2>/dev/null || { echo "gen_itch.py failed"; exit 1; }
gap_messages=$(awk '{ n += $2 } END { print n }' "$tmp/gaps.txt")
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/gaps.pcap" -- "${lines[@]}" --book-out "$tmp/gaps.got" \
  --stop-when-idle 500 --stats-out "$tmp/gaps.stats"
check "gaps: exit 0" equals exit 0 "$rc"
# Losses on line A alone may be declared too when B's copy comes past the tolerance (a busy CPU):
# those are filled late; the 5 true gaps are exactly what is given up.
check "gaps: the $gap_messages messages of 5 true gaps given up, none recovered, the rest filled late" equals \
  "recovered unrecoverable missing" "0 $gap_messages $(($(value feed_filled_late_messages "$tmp/gaps.stats") + gap_messages))" \
  "$(value feed_recovered_messages "$tmp/gaps.stats") $(value feed_unrecoverable_messages "$tmp/gaps.stats") \
$(value feed_missing_messages "$tmp/gaps.stats")"
check "gaps: at least the 5 true gaps declared" test "$(value feed_gaps "$tmp/gaps.stats")" -ge 5
check "gaps: every instrument stale (16)" equals feed_stale_instruments 16 "$(value feed_stale_instruments "$tmp/gaps.stats")"
check "gaps: re-requests had nowhere to go" test "$(value feed_rerequests_unsent "$tmp/gaps.stats")" -gt 0
check "gaps: each gap reported with its range" equals "reports" "$(value feed_gaps "$tmp/gaps.stats")" \
  "$(grep -c 'feed gap [0-9]*: messages [0-9]* to [0-9]*' "$tmp/err")"
check "gaps: and closed" gaps_closed "$(value feed_gaps "$tmp/gaps.stats")"
check "gaps: feed identities ok" feed_identities_ok

# ---- line A on port 0, line B on port 1: two rings, one engine; the book is the generator's and the
# one-port run's. No loss (a line may run ahead of the other by any amount on two rings; what one
# line lacks, a copy on the other can only fill in time when they keep pace): duplicates and reorders.
python3 "$gen_itch" --seed 17 --messages 60000 --instruments 60 --dup-a 0.02 --dup-b 0.02 --reorder-a 0.02 \
  --reorder-b 0.02 --out "$tmp/two.pcap" --book-out "$tmp/two.book" 2>/dev/null || { echo "gen_itch.py failed"; exit 1; }
oracle "$tmp/two.pcap" 'udp and dst port 26477' "$tmp/two_a.pcap"
oracle "$tmp/two.pcap" 'udp and dst port 26478' "$tmp/two_b.pcap"
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/two.pcap" -- "${lines[@]}" --book-out "$tmp/two.one" --stop-when-idle 300
check "two ports: the one-port run gives the generator's book" same_file one "$tmp/two.book" "$tmp/two.one"
run "${eal[@]:2}" --lcores '0@0,1@1,2@0,3@1' --vdev "net_pcap0,rx_pcap=$tmp/two_a.pcap" \
  --vdev "net_pcap1,rx_pcap=$tmp/two_b.pcap" -- --ports 0,1 --share-cpus "${lines[@]}" --book-out "$tmp/two.got" \
  --stop-when-idle 300 --stats-out "$tmp/two.stats"
check "two ports: exit 0" equals exit 0 "$rc"
check "two ports: two rings" equals rings 2 "$(grep -c '^lcore=.* role=rx ' "$tmp/out")"
check "two ports: the book is the one-port run's, byte for byte" same_file two "$tmp/two.one" "$tmp/two.got"
check "two ports: each line came in on its own port" equals "packets_a packets_b" \
  "$(packets --count "$tmp/two_a.pcap") $(packets --count "$tmp/two_b.pcap")" \
  "$(value feed_packets_a "$tmp/two.stats") $(value feed_packets_b "$tmp/two.stats")"
check "two ports: nothing given up" equals unrecoverable 0 "$(value feed_unrecoverable_messages "$tmp/two.stats")"
check "two ports: feed identities ok" feed_identities_ok
check "two ports: no mbuf leak" no_leak

# ---- a gap still open when the input ends: given up at the stop, what waited behind it applied and
# published before the publisher stops (the books then equal a plain replay's, which skips the gap) --------
python3 "$gen_itch" --seed 14 --messages 20000 --instruments 12 --only-a --out "$tmp/tail_full.pcap" 2>/dev/null ||
  { echo "gen_itch.py failed"; exit 1; }
# Drop the 4th data packet from the end (MoldUDP64 count 1..65534): a true gap with data behind it.
python3 "$here/drop_mold_packet.py" "$tmp/tail_full.pcap" "$tmp/tail.pcap" >"$tmp/tail.gap"
tail_gap=$(<"$tmp/tail.gap")
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/tail.pcap" -- "${lines[@]}" --book-out "$tmp/tail.book" \
  --tob-out "$tmp/tail.tob" --stop-when-idle 10 --stats-out "$tmp/tail.stats"
check "end-of-input gap: exit 0" equals exit 0 "$rc"
check "end-of-input gap: $tail_gap messages given up at the stop" equals "missing unrecoverable" "$tail_gap $tail_gap" \
  "$(value feed_missing_messages "$tmp/tail.stats") $(value feed_unrecoverable_messages "$tmp/tail.stats")"
check "end-of-input gap: every instrument stale (12)" equals feed_stale_instruments 12 "$(value feed_stale_instruments "$tmp/tail.stats")"
"$feed_replay" --feed-a 233.54.12.111:26477 "$tmp/tail.pcap" --book-out "$tmp/tail.replay" 2>/dev/null
check "end-of-input gap: books equal a replay that skips the gap" same_file tail "$tmp/tail.replay" "$tmp/tail.book"
tail_records() {
  local changes records
  changes=$(value feed_top_changes "$tmp/tail.stats")
  records=$(python3 "$here/tob_records.py" count "$tmp/tail.tob")
  equals "records = feed_top_changes" "$changes" "$records" && test "$(value tob_dropped_events "$tmp/tail.stats")" = 0
}
check "end-of-input gap: the publisher wrote every change, those of the stop too" tail_records

# ---- event sourcing: capture the feed, replay the journal, the same book -------------------------------
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/ab.pcap" -- "${lines[@]}" --book-out "$tmp/live.book" \
  --capture "$tmp/journal.pcapng" --capture-filter udp --stop-when-idle 500
check "journal: live run exit 0" equals exit 0 "$rc"
check "journal: tshark reads it" tshark_ok "$tmp/journal.pcapng"
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/journal.pcapng" -- "${lines[@]}" --book-out "$tmp/replay.book" \
  --stop-when-idle 500
check "journal: replay exit 0" equals exit 0 "$rc"
check "journal: the replayed book is byte-identical to the live one" same_file replay "$tmp/live.book" "$tmp/replay.book"
check "journal: and to the generator's" same_file expected "$tmp/ab.book" "$tmp/replay.book"

# ---- hostile packets in the middle of an A/B feed: counted, dropped, the book exact; the run ends by
# itself (--stop-when-idle) and on SIGTERM ----------------------------------------------------------------
python3 "$gen_itch" --seed 15 --messages 40000 --instruments 40 --loss-a 0.03 --dup-b 0.02 --reorder-a 0.02 \
  --out "$tmp/calm.pcap" --book-out "$tmp/hostile.expected" 2>/dev/null || { echo "gen_itch.py failed"; exit 1; }
python3 "$(dirname "${BASH_SOURCE[0]}")/inject_mold.py" "$tmp/calm.pcap" "$tmp/hostile.pcap" 26477 26478 \
  100:a:msg:18446744073709551615 110:a:heartbeat:9223372036854775808 120:b:msg:0 130:b:heartbeat:0 \
  140:a:eos:1099511627776 150:a:msg3:18446744073709551614 160:a:eos:1:STRANGER01 170:b:msg2:5000:OTHERSESS1 \
  200:a:heartbeat:30000 >/dev/null || { echo "inject_mold.py failed"; exit 1; }
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/hostile.pcap" -- "${lines[@]}" --book-out "$tmp/hostile.got" \
  --stop-when-idle 500 --stats-out "$tmp/hostile.stats"
check "hostile: exit 0, by itself" equals exit 0 "$rc"
check "hostile: the book equals the generator's, byte for byte" same_file hostile "$tmp/hostile.expected" "$tmp/hostile.got"
check "hostile: implausible packets counted per line" equals "a b" "4 2" \
  "$(value feed_implausible_packets_a "$tmp/hostile.stats") $(value feed_implausible_packets_b "$tmp/hostile.stats")"
check "hostile: other sessions counted per line" equals "a b" "1 1" \
  "$(value feed_foreign_session_packets_a "$tmp/hostile.stats") $(value feed_foreign_session_packets_b "$tmp/hostile.stats")"
check "hostile: nothing given up, nothing stale, no end of session from the forged ones" equals \
  "unrecoverable stale ended" "0 0 1" "$(value feed_unrecoverable_messages "$tmp/hostile.stats") \
$(value feed_stale_instruments "$tmp/hostile.stats") $(value feed_session_ended "$tmp/hostile.stats")"
check "hostile: feed identities ok" feed_identities_ok
check "hostile: the forged heartbeat's gap closed by the lines" gaps_closed "$(value feed_gaps "$tmp/hostile.stats")"
check "hostile: reported on stderr" grep -q "feed: implausible packet on line a (sequence 18446744073709551615" "$tmp/err"
python3 "$gen_itch" --seed 16 --messages 6000 --instruments 8 --out "$tmp/calm_small.pcap" 2>/dev/null ||
  { echo "gen_itch.py failed"; exit 1; }
python3 "$(dirname "${BASH_SOURCE[0]}")/inject_mold.py" "$tmp/calm_small.pcap" "$tmp/hostile_loop.pcap" 26477 26478 \
  20:a:msg:18446744073709551615 30:a:heartbeat:9223372036854775808 >/dev/null || { echo "inject_mold.py failed"; exit 1; }
start "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/hostile_loop.pcap,infinite_rx=1" -- "${lines[@]}" \
  --stats-out "$tmp/sigterm.stats"
if wait_started; then
  sleep 1
  kill -TERM "$pid"
  for ((i = 0; i < 100 && $(kill -0 "$pid" 2>/dev/null && echo 1 || echo 0); i++)); do sleep 0.1; done
  check "hostile, replayed for ever: SIGTERM ends the run within 10 s" bash -c "! kill -0 $pid 2>/dev/null"
fi
finish_run
check "hostile, replayed for ever: exit 0 after SIGTERM" equals exit 0 "$rc"
check "hostile, replayed for ever: the forged packets counted every pass" test \
  "$(value feed_implausible_packets_a "$tmp/sigterm.stats")" -ge 2

# ---- SIGUSR1: the books now, while the feed runs (the pcap replays for ever: all duplicates after the
# first pass; infinite_rx preloads the whole file, so the pool must hold it: a larger ring sizes it)
python3 "$gen_itch" --seed 13 --messages 60000 --instruments 24 --loss-a 0.04 --loss-b 0.04 --out "$tmp/usr1.pcap" \
  --book-out "$tmp/usr1.expected" 2>/dev/null || { echo "gen_itch.py failed"; exit 1; }
start "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/usr1.pcap,infinite_rx=1" -- "${lines[@]}" --book-out "$tmp/usr1.book" \
  --ring-size 16384 --stats-out "$tmp/usr1.stats"
if wait_started; then
  sleep 1.5
  kill -USR1 "$pid"
  for ((i = 0; i < 50; i++)); do [[ -s $tmp/usr1.book ]] && break; sleep 0.1; done
  check "SIGUSR1: the books, written while running" same_file usr1 "$tmp/usr1.expected" "$tmp/usr1.book"
  kill -INT "$pid"
fi
finish_run
check "SIGUSR1: exit 0 after SIGINT" equals exit 0 "$rc"
check "SIGUSR1: two dumps (signal, exit)" equals feed_book_dumps 2 "$(value feed_book_dumps "$tmp/usr1.stats")"

# ---- bad feed options: one line, exit 2 -----------------------------------------------------------------
bad() {  # bad NAME EXPECTED_TEXT ARGS...: exit 2 with one line on stderr that contains EXPECTED_TEXT
  local name=$1 text=$2
  shift 2
  timeout 30 "$sentinel" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/ab.pcap" --vdev net_null0 -- "$@" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  check "bad: $name: exit 2" equals exit 2 "$rc"
  check "bad: $name: one line naming the problem" test "$(grep -c . "$tmp/err")" -eq 1 -a -n "$(grep -F -- "$text" "$tmp/err")"
}
bad "unknown feed" "--feed knows itch50" --feed itch41 --feed-a 233.54.12.111:26477
bad "no line" "needs a line" --feed itch50
bad "bad endpoint" "--feed-a needs IPv4:PORT" --feed itch50 --feed-a 233.54.12.111
bad "line without --feed" "only go with --feed" --feed-a 233.54.12.111:26477
bad "one line over two rings" "--feed reads each line from one RX ring" --feed itch50 --feed-a 233.54.12.111:26477
bad "server without source" "--rerequest-source" --feed itch50 --feed-a 233.54.12.111:26477 \
  --rerequest-server 10.0.0.1:1000 --feed-tx 1
bad "unicast top of book" "multicast group" --feed itch50 --feed-a 233.54.12.111:26477 --feed-tx 1 \
  --tob-multicast 10.0.0.1:1000
bad "multicast from 0.0.0.0" "--tob-source" --feed itch50 --feed-a 233.54.12.111:26477 --feed-tx 1 \
  --tob-multicast 239.1.1.1:1000
bad "output onto a feed line" "our output would come back" --feed itch50 --feed-a 233.54.12.111:26477 --feed-tx 1 \
  --tob-multicast 233.54.12.111:26477 --tob-source 10.0.0.1
bad "feed option without --feed" "only go with --feed" --feed-max-orders 4096
bad "book-out a directory" "is a directory" --feed itch50 --feed-a 233.54.12.111:26477 --book-out "$tmp" --ports 0
bad "bad MAC" "--rerequest-mac needs a MAC" --feed itch50 --feed-a 233.54.12.111:26477 --rerequest-server 10.0.0.1:1 \
  --rerequest-source 10.0.0.2:2 --feed-tx 1 --rerequest-mac 02:00:00:00:00

# A --book-out that cannot be written stops the run before it starts.
timeout 30 "$sentinel" "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/usr1.pcap" -- "${lines[@]}" \
  --book-out "$tmp/no_such_dir/books.txt" >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
check "bad --book-out: exit 2 before running" equals "exit rx" "2 " "$rc $(value rx_packets)"
check "bad --book-out: says why" grep -q "^sentinel: cannot write --book-out .*No such file or directory" "$tmp/err"

finish_test
