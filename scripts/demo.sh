#!/usr/bin/env bash
# Sets everything up and runs Sentinel's demo: the real appliance on virtual DPDK ports, no NIC.
#
#   1. the placement plan for this machine (which CPU runs RX, the stages and main; where rings live);
#   2. a pcap of mixed traffic (TCP, UDP, ICMP, IPv6, ARP, VLAN, jumbo, runts, malformed frames)
#      from scripts/gen_traffic.py;
#   3. sentinel replaying it through net_pcap for a few seconds (infinite_rx): a capture filter
#      into a pcapng journal, a forward filter out of a second net_pcap port into a pcap file, the
#      live status line, the final counters and their reconciliation;
#   4. tshark and capinfos reading the capture, sentinel-journal checking it;
#   5. the same input read once, captured with a filter, compared packet for packet with what
#      tcpdump selects from it: the filter and the journal against an independent oracle;
#   6. the market-data feed handler: an ITCH 5.0 session over MoldUDP64 on lines A and B (each
#      losing, duplicating and reordering packets) from scripts/gen_itch.py, through sentinel
#      --feed: arbitration, order books written with --book-out and compared with the generator's,
#      top-of-book changes as multicast datagrams (out of a net_pcap port) and to a file.
# Everything goes under build/demo/; hugepages come from hugepages/hugepages.sh (without them the
# demo runs with --no-huge and says what that costs).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\n[demo] %s\n' "$*" >&2; }

bash "$root/scripts/setup.sh"
say "building sentinel and sentinel-journal"
ninja -C "$root/build" app/sentinel app/sentinel-journal >/dev/null
sentinel="$root/build/app/sentinel"
journal="$root/build/app/sentinel-journal"
work="$root/build/demo"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

say "1. placement plan for this machine: sentinel --no-huge --vdev net_null0 -- --plan"
"$sentinel" --no-huge --no-pci --no-shconf --no-telemetry --log-level=lib.eal:error --vdev net_null0 -- --plan

say "reserving 256 2M hugepages: hugepages/hugepages.sh reserve --pages 256"
huge=(--huge-dir /dev/hugepages --huge-unlink --file-prefix sentinel_demo)
if ! bash "$root/hugepages/hugepages.sh" reserve --pages 256; then
  say "no hugepages: running with --no-huge (4K pages, a TLB miss every 4 KiB: fine for a demo, not for line rate)"
  huge=(--no-huge -m 1024)
fi
eal=(-l 0-1 --no-pci --log-level=lib.eal:error "${huge[@]}")

# net_pcap's infinite_rx keeps the file in single-segment mbufs, so the replayed file stops at
# 1514-byte frames; the file read once in step 5 has jumbo frames of up to 9018 bytes as well.
say "2. generating 2000 frames of mixed traffic: scripts/gen_traffic.py --count 2000 --seed 7 --max-size 1514 --out traffic.pcap"
python3 "$root/scripts/gen_traffic.py" --count 2000 --seed 7 --max-size 1514 --out traffic.pcap
python3 "$root/scripts/gen_traffic.py" --count 2000 --seed 8 --out jumbo.pcap
tshark -r traffic.pcap -q -z io,phs 2>/dev/null | sed -n '/Protocol Hierarchy/,/====/p' | head -20

capture_filter='icmp or arp'
forward_filter='udp and dst port 53'
say "3. sentinel replays it for 3 s: capture '$capture_filter' to capture.pcapng, forward '$forward_filter' to port 1 (forwarded.pcap)"
set -x
"$sentinel" "${eal[@]}" \
  --vdev net_pcap0,rx_pcap=traffic.pcap,infinite_rx=1 --vdev net_pcap1,tx_pcap=forwarded.pcap -- \
  --capture capture.pcapng --capture-filter "$capture_filter" \
  --forward 1 --forward-filter "$forward_filter" \
  --duration 3 --stats-interval 1 --stats-out stats.txt
{ set +x; } 2>/dev/null

say "4. what tshark reads back (first 8 packets of the capture, then capinfos, then the journal check)"
tshark -r capture.pcapng -c 8 2>/dev/null | cut -c1-110
capinfos -c -i -u -M capture.pcapng 2>/dev/null | sed 's/^/  /'
"$journal" check capture.pcapng
echo "forwarded.pcap: $(tshark -r forwarded.pcap 2>/dev/null | wc -l) packets, every one '$forward_filter':" \
     "$(tshark -r forwarded.pcap -Y 'not (udp.dstport == 53)' 2>/dev/null | wc -l) are not"

oracle_filter='tcp or ip6'
say "5. 2000 frames with jumbos read once, captured with '$oracle_filter', against tcpdump's selection of the same input"
"$sentinel" "${eal[@]}" --vdev net_pcap0,rx_pcap=jumbo.pcap -- \
  --capture once.pcapng --capture-filter "$oracle_filter" --stop-when-idle 300 | grep -E '^(rx|captured|filtered)_|^identity'
tcpdump -r jumbo.pcap -w oracle.pcap "$oracle_filter" 2>/dev/null
ours=$(tshark -r once.pcapng -x 2>/dev/null | md5sum)
theirs=$(tshark -r oracle.pcap -x 2>/dev/null | md5sum)
echo "sentinel captured $(tshark -r once.pcapng 2>/dev/null | wc -l) packets, tcpdump selects $(tshark -r oracle.pcap 2>/dev/null | wc -l);" \
     "byte for byte: $([[ $ours == "$theirs" ]] && echo identical || echo DIFFERENT)"

say "6. the feed handler: ITCH 5.0 over MoldUDP64, lines A and B each losing 5% of packets, duplicating and reordering some"
python3 "$root/scripts/gen_itch.py" --seed 4 --messages 200000 --instruments 40 --loss-a 0.05 --loss-b 0.05 \
  --dup-a 0.02 --reorder-b 0.02 --out itch.pcap --book-out expected.book
set -x
"$sentinel" "${eal[@]}" --vdev net_pcap0,rx_pcap=itch.pcap --vdev net_pcap1,tx_pcap=tob.pcap -- --ports 0 \
  --feed itch50 --feed-a 233.54.12.111:26477 --feed-b 233.54.12.112:26478 --feed-max-orders 1048576 \
  --book-out books.txt --feed-tx 1 --tob-multicast 239.77.1.1:31000 --tob-source 10.90.0.9 --tob-out tob.bin \
  --stop-when-idle 300 |
  grep -E '^feed_(messages|duplicates|gaps|missing|recovered|unrecoverable|stale|top)|^tob_(records|datagrams)|^identity'
{ set +x; } 2>/dev/null
echo "books.txt: $(wc -l <books.txt) price levels; first lines:"
head -4 books.txt | sed 's/^/  /'
echo "against the generator's book: $(cmp -s books.txt expected.book && echo identical || echo DIFFERENT)"
echo "tob.pcap: $(tshark -r tob.pcap 2>/dev/null | wc -l) top-of-book datagrams to 239.77.1.1:31000" \
     "(format: README 'Top-of-book format'); tob.bin holds the same $(stat -c %s tob.bin) bytes of payload"

say "done. Files are in $work; benchmarks: scripts/bench.sh disruptor|pipeline|capture|feed --quick"
