#!/usr/bin/env bash
# scripts/mold_rerequest_server.py in a network namespace of the test's own, against a client of the
# test's own (rerequest_client.py) that checks every answer byte for byte against gen_itch.py's
# --messages-out: ranges at the start, middle and end, answers capped by --max-payload and by
# --max-messages, nothing for sequences beyond the journal, malformed and foreign requests, a
# 1000-message range filled the way a real client does it, --drop-first, --idle-exit and the exit
# counters. Journals: gen_itch's pcap, editcap's pcapng, and variants rerequest_journals.py writes
# (big-endian pcap; a two-section pcapng, one section per byte order, with VLAN tags, empty name
# resolution, statistics and unknown blocks, simple packet blocks, a raw IPv4 interface, an IPv4
# fragment, a malformed packet and a later copy with other bytes). Refused journals and options.
# usage: rerequest_server_test.sh GEN_ITCH_PY MOLD_REREQUEST_SERVER_PY
# Needs root (ip netns), python3 and editcap; exits 77 without them.
(($# == 2)) || { echo "usage: rerequest_server_test.sh GEN_ITCH_PY MOLD_REREQUEST_SERVER_PY" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" rerequest_server
set -e
gen=$(realpath -m "$1")
server=$(realpath -m "$2")
((EUID == 0)) || skip "needs root (ip netns)"
needs ip python3 editcap timeout

readonly LINES=(--feed 233.54.12.111:26477 --feed 233.54.12.112:26478)
readonly LISTEN=127.0.0.1:26400
readonly SESSION=SNTL000007  # gen_itch's default session for --seed 7
readonly COUNTERS='requests|requests_dropped|requests_malformed|requests_foreign_session|requests_unknown|answers|messages_sent'
ns=rerequest_test_$$
netns "$ns"

# ---- running the server ---------------------------------------------------------------------------------

# client NAME MODE [MAX_MESSAGES MAX_PAYLOAD]: the client's MODE against the server now running.
client() {
  timeout 120 ip netns exec "$ns" python3 "$here/rerequest_client.py" "$2" "${LISTEN#*:}" "$SESSION" "$tmp/msgs.bin" \
    "$tmp/$1.expected" "${3:-100}" "${4:-1400}"
}

ready_is() {  # ready_is NAME: the ready line on stdout and in the ready file
  local want="ready messages=$messages first=1 last=$messages session=$SESSION"
  equals "stdout" "$want" "$(head -1 "$tmp/$1.out")" && equals "ready file" "$want" "$(cat "$tmp/$1.ready")"
}

exited_0() { equals "exit status" 0 "$(cat "$tmp/$1.rc")"; }

counters_are() {  # counters_are NAME: the server's counters are the ones its client expects
  diff <(grep -E "^($COUNTERS)=" "$tmp/$1.out") "$tmp/$1.expected" | sed 's/^/      /'
}

# serve NAME JOURNAL MODE [MAX_MESSAGES MAX_PAYLOAD]: start, ready line, client, SIGTERM, counters.
serve() {
  local name=$1 journal=$2 mode=$3 max_messages=${4:-100} max_payload=${5:-1400}
  check "$name: starts" start_server "$ns" "$name" --journal "$journal" "${LINES[@]}" --listen "$LISTEN" \
    --max-messages "$max_messages" --max-payload "$max_payload"
  check "$name: ready line" ready_is "$name"
  check "$name: answers ($mode)" client "$name" "$mode" "$max_messages" "$max_payload"
  stop_server "$name" TERM
  check "$name: exit 0 on SIGTERM" exited_0 "$name"
  check "$name: counters" counters_are "$name"
}

# ---- the journals ---------------------------------------------------------------------------------------

python3 "$gen" --seed 7 --messages 3000 --instruments 5 --out "$tmp/feed.pcap" --messages-out "$tmp/msgs.bin" \
  2>"$tmp/gen.summary"
messages=$(grep -oE '(^| )messages=[0-9]+' "$tmp/gen.summary" | cut -d= -f2)
editcap -F pcapng "$tmp/feed.pcap" "$tmp/feed.pcapng"
python3 "$here/rerequest_journals.py" "$tmp/feed.pcap" "$tmp"
head -c -7 "$tmp/feed.pcap" >"$tmp/truncated.pcap"  # inside the last record, an end of session

# ---- serving --------------------------------------------------------------------------------------------

serve pcap "$tmp/feed.pcap" full
serve pcapng "$tmp/feed.pcapng" short 7 9000
serve be_pcap "$tmp/be.pcap" short
serve mixed_pcapng "$tmp/mixed.pcapng" short
check "mixed_pcapng: the malformed packet counted" equals journal_malformed 1 \
  "$(sed -n 's/^journal_malformed=//p' "$tmp/mixed_pcapng.out")"
check "mixed_pcapng: and warned about" grep -q '^mold_rerequest_server: skipped 1 malformed' "$tmp/mixed_pcapng.err"
serve truncated "$tmp/truncated.pcap" short
check "truncated: warned about" grep -q '^mold_rerequest_server: journal truncated inside the record' "$tmp/truncated.err"

check "drop: starts" start_server "$ns" drop --journal "$tmp/feed.pcap" "${LINES[@]}" --listen "$LISTEN" \
  --drop-first 2 --idle-exit 1
check "drop: first two requests unanswered, the third answered" client drop drop
stop_server drop  # --idle-exit: leaves by itself
check "drop: exit 0 after 1 s idle" exited_0 drop
check "drop: counters" counters_are drop

# ---- refused: one line on stderr, exit 2 ------------------------------------------------------------------

# refused PATTERN ARGS...: the server exits 2 with one line, 'mold_rerequest_server: ' and PATTERN.
refused() {
  local pattern=$1 rc=0
  shift
  timeout 30 python3 "$server" "$@" >/dev/null 2>"$tmp/err" </dev/null || rc=$?
  if [[ $rc != 2 ]] || [[ $(wc -l <"$tmp/err") != 1 ]] || ! grep -q -- "^mold_rerequest_server: .*$pattern" "$tmp/err"; then
    echo "      exit $rc: $(head -3 "$tmp/err")"
    return 1
  fi
}
check "refused: no feed packets" refused "no feed message" --journal "$tmp/feed.pcap" --feed 233.1.1.1:1 --listen "$LISTEN"
check "refused: two sessions" refused "more than one session" --journal "$tmp/two_sessions.pcap" "${LINES[@]}" --listen "$LISTEN"
check "refused: not a journal" refused "neither pcap nor pcapng" --journal "$tmp/msgs.bin" "${LINES[@]}" --listen "$LISTEN"
check "refused: no journal" refused "cannot read journal" --journal "$tmp/none.pcap" "${LINES[@]}" --listen "$LISTEN"
check "refused: a bad endpoint" refused "expected IPV4:PORT" --journal "$tmp/feed.pcap" --feed 233.54.12:1 --listen "$LISTEN"
check "refused: --max-messages 0" refused "--max-messages" --journal "$tmp/feed.pcap" "${LINES[@]}" --listen "$LISTEN" --max-messages 0
check "refused: --max-payload below a message" refused "cannot carry" --journal "$tmp/feed.pcap" "${LINES[@]}" --listen "$LISTEN" --max-payload 40

finish_test
