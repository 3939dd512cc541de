#!/usr/bin/env bash
# Gap recovery end to end: sentinel receives lines A and B through net_af_packet on one end of a veth
# pair; on the other end, in a namespace of the test's own, tcpreplay plays the exchange (a session
# with true gaps, lost on both lines) and scripts/mold_rerequest_server.py answers re-requests from a
# capture journal that sentinel itself wrote of the clean session. Sentinel's re-requests leave
# through the same port (--feed-tx), the answers come back to --rerequest-source, and the books must
# come out exactly as the generator's, with every gap recovered and nothing given up. A second run
# whose server ignores the first requests shows the retry timer.
# usage: feed_recovery_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY (gen_itch.py and
# mold_rerequest_server.py are found beside it)
# Needs root, 2M hugepages, network namespaces, veth and tcpreplay; exits 77 without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" feed_recovery
sentinel_setup "$@"

needs tcpreplay
scripts=$(dirname "$gen")
server=$scripts/mold_rerequest_server.py
ns_x=sentinel_fx_$$  # the exchange: tcpreplay and the re-request server
ns_s=sentinel_fs_$$  # sentinel
near=sntF$$
far=sntX$$
veth_pair "$ns_s" "$near" "$ns_x" "$far"
ip netns exec "$ns_x" ip addr add 10.77.0.1/24 dev "$far" && ip netns exec "$ns_x" ip link set lo up ||
  { echo "cannot give the exchange its address"; exit 1; }
near_mac=$(ip netns exec "$ns_s" cat "/sys/class/net/$near/address")
far_mac=$(ip netns exec "$ns_x" cat "/sys/class/net/$far/address")
# Sentinel answers no ARP: the exchange learns its address here.
ip netns exec "$ns_x" ip neigh replace 10.77.0.2 lladdr "$near_mac" dev "$far" nud permanent ||
  { echo "cannot add a neighbour entry"; exit 1; }

# The session twice from one seed: clean (what the server's journal is made of) and impaired.
gen_args=(--seed 21 --messages 40000 --instruments 12)
python3 "$scripts/gen_itch.py" "${gen_args[@]}" --out "$tmp/clean.pcap" --book-out "$tmp/expected.book" 2>/dev/null &&
  python3 "$scripts/gen_itch.py" "${gen_args[@]}" --loss-a 0.03 --loss-b 0.03 --reorder-b 0.02 --gaps 6 \
    --out "$tmp/feed.pcap" --gaps-out "$tmp/gaps.txt" 2>/dev/null || { echo "gen_itch.py failed"; exit 1; }
gap_messages=$(awk '{ n += $2 } END { print n }' "$tmp/gaps.txt")

# The server's journal: sentinel's own capture of the clean session.
run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/clean.pcap" -- --capture "$tmp/journal.pcapng" --capture-filter udp \
  --stop-when-idle 500
check "journal: written (exit 0)" equals exit 0 "$rc"

lines=(--feed itch50 --feed-a 233.54.12.111:26477 --feed-b 233.54.12.112:26478 --feed-max-orders 262144
       --rerequest-server 10.77.0.1:26400 --rerequest-source 10.77.0.2:26401 --rerequest-mac "$far_mac" --feed-tx 0)

# recover NAME [SERVER_OPTIONS...]: the server, then sentinel, then tcpreplay; leaves $tmp/NAME.book,
# NAME.stats and the server's NAME.out (its counters) and NAME.err.
recover() {
  local name=$1
  shift
  start_server "$ns_x" "$name" --journal "$tmp/journal.pcapng" --feed 233.54.12.111:26477 \
    --feed 233.54.12.112:26478 --listen 10.77.0.1:26400 --idle-exit 30 "$@"
  launcher=(ip netns exec "$ns_s")
  start "${eal[@]}" --vdev "net_af_packet0,iface=$near" -- "${lines[@]}" --book-out "$tmp/$name.book" \
    --stop-when-idle 1500 --stats-out "$tmp/$name.stats"
  if wait_started; then
    sleep 0.5
    timeout 60 ip netns exec "$ns_x" tcpreplay -i "$far" --pps 20000 "$tmp/feed.pcap" >/dev/null 2>&1
  fi
  finish_run
  ((rc == 0)) || show_run "$name"
  stop_server "$name" TERM
}

recover recover
check "recover: exit 0" equals exit 0 "$rc"
check "recover: the books equal the generator's, byte for byte" cmp "$tmp/expected.book" "$tmp/recover.book"
# At least the generator's gaps: a frame the kernel dropped on the way in (both copies) is one more,
# and must be recovered too.
check "recover: 6 or more gaps, $gap_messages or more messages missing" test "$(value feed_gaps "$tmp/recover.stats")" -ge 6 \
  -a "$(value feed_missing_messages "$tmp/recover.stats")" -ge "$gap_messages"
# A loss on one line whose copy on the other comes past the tolerance (a busy CPU) is a gap the
# line then fills late; every other missing message is recovered.
check "recover: every missing message recovered or filled late, none given up, nothing stale" \
  equals "recovered+filled_late unrecoverable stale" "$(value feed_missing_messages "$tmp/recover.stats") 0 0" \
  "$(($(value feed_recovered_messages "$tmp/recover.stats") + $(value feed_filled_late_messages "$tmp/recover.stats"))) \
$(value feed_unrecoverable_messages "$tmp/recover.stats") $(value feed_stale_instruments "$tmp/recover.stats")"
check "recover: at least the true gaps' $gap_messages messages recovered" \
  test "$(value feed_recovered_messages "$tmp/recover.stats")" -ge "$gap_messages"
check "recover: the answers came in on the recovery line" test "$(value feed_messages_recovery "$tmp/recover.stats")" -ge "$gap_messages"
check "recover: every re-request went out" equals "sent unsent" "$(value feed_rerequests "$tmp/recover.stats") 0" \
  "$(value feed_rerequests_sent "$tmp/recover.stats") $(value feed_rerequests_unsent "$tmp/recover.stats")"
check "recover: the server answered them" test "$(value answers "$tmp/recover.out")" -ge 6
check "recover: no mbuf leak" no_leak

recover retry --drop-first 2
check "retry: exit 0" equals exit 0 "$rc"
check "retry: the books equal the generator's" cmp "$tmp/expected.book" "$tmp/retry.book"
check "retry: the first two requests went unanswered and were sent again" test "$(value feed_rerequest_retries "$tmp/retry.stats")" -ge 1
check "retry: everything recovered or filled late" equals "recovered+filled_late unrecoverable" \
  "$(value feed_missing_messages "$tmp/retry.stats") 0" \
  "$(($(value feed_recovered_messages "$tmp/retry.stats") + $(value feed_filled_late_messages "$tmp/retry.stats"))) \
$(value feed_unrecoverable_messages "$tmp/retry.stats")"
check "retry: the server dropped exactly 2" equals requests_dropped 2 "$(value requests_dropped "$tmp/retry.out")"

finish_test
