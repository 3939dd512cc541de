#!/usr/bin/env bash
# The real sentinel forwarding: a generated pcap read once through net_pcap port 0, the selected
# packets sent out of net_pcap port 1 into a pcap file, compared packet for packet, byte for byte,
# with tcpdump's selection of the same input; capture and forward at once with different filters;
# forward without a filter (everything, jumbo frames too).
# usage: forward_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root, 2M hugepages (reserves 256, gives back what it added), tshark and tcpdump; exits 77
# without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" forward
sentinel_setup "$@"

readonly FRAMES=10000
readonly IDLE_MS=400
python3 "$gen" --count "$FRAMES" --seed 21 --out "$tmp/in.pcap" || { echo "gen_traffic.py failed"; exit 1; }

# forward_once NAME ARGS...: port 0 reads in.pcap once, port 1 writes NAME.pcap.
forward_once() {
  local name=$1
  shift
  run "${eal[@]}" --vdev "net_pcap0,rx_pcap=$tmp/in.pcap" --vdev "net_pcap1,tx_pcap=$tmp/$name.pcap" -- \
    --forward 1 --stop-when-idle "$IDLE_MS" --stats-out "$tmp/$name.stats" "$@"
}

forward_identity_ok() {
  grep -q '^identity forward: .*: ok$' "$tmp/out" && ! grep '^identity' "$tmp/out" | grep -qv ': ok$' ||
    { grep '^identity' "$tmp/out" | sed 's/^/      | /'; return 1; }
}

# ---- d) forward 'udp' -----------------------------------------------------------------------------------
oracle "$tmp/in.pcap" udp "$tmp/udp.oracle.pcap"
udp=$(packets --count "$tmp/udp.oracle.pcap")
forward_once udp --forward-filter udp
check "forward udp: exit 0" equals exit 0 "$rc"
check "forward udp: the same packets as tcpdump ($udp)" same_packets "forward udp" "$tmp/udp.oracle.pcap" "$tmp/udp.pcap"
check "forward udp: rx_packets = the input (port 1 does not receive)" equals rx_packets "$FRAMES" "$(value rx_packets "$tmp/udp.stats")"
check "forward udp: forwarded_packets" equals forwarded_packets "$udp" "$(value forwarded_packets "$tmp/udp.stats")"
check "forward udp: forward_filtered_out" equals forward_filtered_out $((FRAMES - udp)) "$(value forward_filtered_out "$tmp/udp.stats")"
check "forward udp: nothing dropped" equals drops "0 0 0" \
  "$(value dropped_tx "$tmp/udp.stats") $(value dropped_ring_full "$tmp/udp.stats") $(value dropped_nic_missed "$tmp/udp.stats")"
check "forward udp: every packet released" equals released_packets "$FRAMES" "$(value released_packets "$tmp/udp.stats")"
check "forward udp: identities ok" forward_identity_ok
check "forward udp: no mbuf leak" no_leak
check "forward udp: tshark reads the output" tshark_ok "$tmp/udp.pcap"

# ---- capture and forward at once, different filters --------------------------------------------------
oracle "$tmp/in.pcap" 'tcp or icmp' "$tmp/both.capture.oracle.pcap"
oracle "$tmp/in.pcap" 'udp and dst port 26477' "$tmp/both.forward.oracle.pcap"
captured=$(packets --count "$tmp/both.capture.oracle.pcap")
forwarded=$(packets --count "$tmp/both.forward.oracle.pcap")
forward_once both --forward-filter 'udp and dst port 26477' --capture "$tmp/both.pcapng" --capture-filter 'tcp or icmp'
check "capture+forward: exit 0" equals exit 0 "$rc"
check "capture+forward: capture = tcpdump 'tcp or icmp' ($captured)" \
  same_packets capture "$tmp/both.capture.oracle.pcap" "$tmp/both.pcapng"
check "capture+forward: forward = tcpdump 'udp and dst port 26477' ($forwarded)" \
  same_packets forward "$tmp/both.forward.oracle.pcap" "$tmp/both.pcap"
check "capture+forward: captured_packets" equals captured_packets "$captured" "$(value captured_packets "$tmp/both.stats")"
check "capture+forward: filtered_out_packets" equals filtered_out_packets $((FRAMES - captured)) \
  "$(value filtered_out_packets "$tmp/both.stats")"
check "capture+forward: forwarded_packets" equals forwarded_packets "$forwarded" "$(value forwarded_packets "$tmp/both.stats")"
check "capture+forward: forward_filtered_out" equals forward_filtered_out $((FRAMES - forwarded)) \
  "$(value forward_filtered_out "$tmp/both.stats")"
check "capture+forward: identities ok (capture and forward)" identities_ok
check "capture+forward: the forward identity among them" forward_identity_ok
check "capture+forward: the capture checks ok" journal_ok "$tmp/both.pcapng"
check "capture+forward: no mbuf leak" no_leak

# ---- forward everything: jumbo frames (multi-segment) and runts leave whole ---------------------------
forward_once all
check "forward all: exit 0" equals exit 0 "$rc"
check "forward all: every packet, byte for byte" same_packets "forward all" "$tmp/in.pcap" "$tmp/all.pcap"
check "forward all: forwarded_packets" equals forwarded_packets "$FRAMES" "$(value forwarded_packets "$tmp/all.stats")"
check "forward all: no mbuf leak" no_leak

finish_test
