#!/usr/bin/env bash
# The real sentinel receiving from a kernel interface through net_af_packet: a veth pair whose two
# ends live in two network namespaces made here (nothing the test sends can reach the machine's own
# stack or network); tcpreplay sends a generated pcap into the far end; sentinel, run inside the near
# namespace, captures until idle. What it captured, filtered to the generator's source MACs (the kernel may add
# frames of its own), is exactly what was sent, byte for byte and in order, and so is a filtered
# capture, against tcpdump's selection; and so, as a multiset, is a capture over four queue pairs.
# usage: af_packet_test.sh SENTINEL JOURNAL HUGEPAGES_SH GEN_TRAFFIC_PY
# Needs root, 2M hugepages (reserves 256, gives back what it added), network namespaces, veth,
# tcpreplay, tshark and tcpdump; exits 77 without them.
source "$(dirname "${BASH_SOURCE[0]}")/sentinel_test_lib.sh" af_packet
sentinel_setup "$@"

needs tcpreplay
ns=sentinel_af_$$
ns_near=sentinel_afn_$$
near=sntA$$  # interface names: at most 15 characters
far=sntB$$
veth_pair "$ns_near" "$near" "$ns" "$far"
launcher=(ip netns exec "$ns_near")

# MTU 1500: net_af_packet copies each frame into one 2 KiB mbuf, so longer frames would arrive cut
# short. Without QinQ: the PMD puts back a VLAN tag the kernel stripped always as 0x8100, so an outer
# 0x88a8 tag would come back as 0x8100 (a DPDK af_packet limitation, not sentinel's).
mix='tcp4=30,udp4=14,dns=6,mcast=10,icmp=5,tcp6=5,udp6=5,arp=4,vlan=6,full=3,runt=4,malformed=4'
python3 "$gen" --count 3000 --seed 51 --max-size 1514 --mix "$mix" --out "$tmp/in.pcap" || { echo "gen_traffic.py failed"; exit 1; }
# The kernel refuses to send frames shorter than an Ethernet header.
oracle "$tmp/in.pcap" 'len >= 14' "$tmp/sent.pcap"
sent=$(packets --count "$tmp/sent.pcap")
ours='ether[6:4] = 0x02534e54'  # every generated source MAC starts 02:53:4e:54

# replay NAME FILTER [QUEUES]: sentinel captures from the near end with FILTER while tcpreplay sends
# in.pcap from the far end; sets $replayed (what tcpreplay says it sent). QUEUES > 1: that many
# af_packet queue pairs (the kernel's fanout spreads the flows over them), an RX ring each, on the
# 2 CPUs with --share-cpus.
replay() {
  local name=$1 filter=$2 queues=${3:-1} l
  local -a lcores=("${eal[@]}") options=()
  if ((queues > 1)); then
    local map=0@0
    for ((l = 1; l <= queues + 1; l++)); do map+=",$l@$((l % 2))"; done
    lcores=("${eal[@]:2}" --lcores "$map")
    options=(--rx-queues "$queues" --share-cpus)
  fi
  start "${lcores[@]}" --vdev "net_af_packet0,iface=$near,qpairs=$queues" -- "${options[@]}" \
    --capture "$tmp/$name.pcapng" --capture-filter "$filter" --stop-when-idle 2000 --stats-out "$tmp/$name.stats"
  if ! wait_started; then
    finish_run
    show_run af_packet "$name"
    replayed=
    return 1
  fi
  sleep 0.5
  replayed=$(timeout 60 ip netns exec "$ns" tcpreplay -i "$far" --pps 5000 "$tmp/in.pcap" 2>&1 |
    sed -n 's/^[[:space:]]*Successful packets:[[:space:]]*\([0-9]*\)$/\1/p')
  finish_run
  ((rc == 0)) || show_run af_packet "$name"
}

# ---- everything the generator sent -----------------------------------------------------------------------
replay all "$ours"
check "all: tcpreplay sent every frame of 14 bytes or more ($sent)" equals sent "$sent" "$replayed"
check "all: exit 0" equals exit 0 "$rc"
check "all: stopped when idle" grep -qx 'stop=idle' "$tmp/out"
check "all: captured exactly what was sent, byte for byte, in order" same_packets all "$tmp/sent.pcap" "$tmp/all.pcapng"
rx=$(value rx_packets "$tmp/all.stats")
check "all: captured_packets" equals captured_packets "$sent" "$(value captured_packets "$tmp/all.stats")"
check "all: rx_packets >= sent (the kernel may add its own)" test "${rx:-0}" -ge "$sent"
check "all: filtered_out = rx - captured" equals filtered_out_packets $((rx - sent)) "$(value filtered_out_packets "$tmp/all.stats")"
check "all: nothing dropped" equals drops "0 0 0" "$(value dropped_ring_full "$tmp/all.stats") \
$(value dropped_nic_missed "$tmp/all.stats") $(value dropped_journal "$tmp/all.stats")"
check "all: identities ok" identities_ok
check "all: no mbuf leak" no_leak
check "all: tshark reads it" tshark_ok "$tmp/all.pcapng"
check "all: sentinel-journal check ok" journal_ok "$tmp/all.pcapng"

# ---- a filter with VLAN offsets: the tags the kernel stripped are back in the packet ----------------------
expr="$ours and vlan and udp"
oracle "$tmp/sent.pcap" "$expr" "$tmp/vlan_udp.oracle.pcap"
expected=$(packets --count "$tmp/vlan_udp.oracle.pcap")
replay vlan_udp "$expr"
check "'vlan and udp': exit 0" equals exit 0 "$rc"
check "'vlan and udp': the same packets as tcpdump ($expected)" same_packets "vlan and udp" "$tmp/vlan_udp.oracle.pcap" \
  "$tmp/vlan_udp.pcapng"
check "'vlan and udp': captured_packets" equals captured_packets "$expected" "$(value captured_packets "$tmp/vlan_udp.stats")"
check "'vlan and udp': identities ok" identities_ok

# ---- four queue pairs, an RX ring each, on the 2 CPUs (--share-cpus) ------------------------------------
replay four "$ours" 4
check "four queues: exit 0" equals exit 0 "$rc"
check "four queues: four rings" equals rings 4 "$(grep -c '^lcore=.* role=rx ' "$tmp/out")"
check "four queues: tcpreplay sent every frame ($sent)" equals sent "$sent" "$replayed"
check "four queues: captured what was sent, once each, byte for byte" same_multiset "$tmp/four.pcapng" "$tmp/sent.pcap"
check "four queues: captured_packets" equals captured_packets "$sent" "$(value captured_packets "$tmp/four.stats")"
check "four queues: identities ok" identities_ok
check "four queues: no mbuf leak" no_leak

finish_test
