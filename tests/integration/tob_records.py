#!/usr/bin/env python3
"""Reads sentinel's top-of-book file (--tob-out: STB1 datagrams of 64-byte records), for feed_test.sh.
Python standard library only; the multicast copy is read with pcap_packets.py's classic pcap reader.

usage: tob_records.py check TOB PCAP BOOK CHANGES DATAGRAMS
         the records numbered from 1 without holes, CHANGES of them (feed_top_changes) in DATAGRAMS
         datagrams (tob_datagrams); PCAP (classic pcap, Ethernet/IPv4/UDP from 10.90.0.9 to
         239.77.1.1:31000) carries the same datagrams byte for byte; each symbol's last record
         holds BOOK's best levels (--book-out) and is not stale, and every symbol with levels has
         one. Prints "records in datagrams, symbols", indented; an AssertionError (exit 1) says
         what does not hold.
       tob_records.py count TOB
         the number of records, from each datagram's count alone
"""

import struct
import sys

import pcap_packets


def check(tob_path, pcap_path, book_path, changes, datagrams):
    changes, datagrams = int(changes), int(datagrams)
    data = open(tob_path, "rb").read()
    records, grams, at, expect = [], [], 0, 1
    while at < len(data):
        magic, size, count, first = struct.unpack_from("<4sHHQ", data, at)
        assert magic == b"STB1" and size == 64 and 1 <= count <= 21, (magic, size, count)
        assert first == expect, "record %d follows %d" % (first, expect - 1)
        grams.append(data[at:at + 16 + 64 * count])
        for i in range(count):
            records.append(struct.unpack_from("<QQQQIIIIHBx8s4x", data, at + 16 + 64 * i))
        expect, at = first + count, at + 16 + 64 * count
    assert len(records) == changes, "%d records, feed_top_changes %d" % (len(records), changes)
    assert len(grams) == datagrams, "%d datagrams, tob_datagrams %d" % (len(grams), datagrams)
    # The multicast copy: classic pcap, Ethernet/IPv4/UDP to 239.77.1.1:31000.
    sent = []
    for _, _, frame, _ in pcap_packets.pcap_packets(open(pcap_path, "rb").read()):
        assert frame[0:3] == b"\x01\x00\x5e" and frame[30:34] == bytes([239, 77, 1, 1]), frame[:40].hex()
        assert frame[26:30] == bytes([10, 90, 0, 9]), "source %s" % frame[26:30].hex()
        assert struct.unpack_from(">H", frame, 36)[0] == 31000
        sent.append(frame[42:42 + struct.unpack_from(">H", frame, 38)[0] - 8])
    assert sent == grams, "multicast: %d datagrams, file: %d (or their bytes differ)" % (len(sent), len(grams))
    # Each symbol's last record against the book's best levels.
    last = {}
    for r in records:
        last[r[10].decode().rstrip()] = r
    best = {}
    for line in open(book_path):
        sym, side, price, shares, orders = line.split()
        best.setdefault((sym, side), (int(price.replace(".", "")), int(shares), int(orders)))
    for sym, r in last.items():
        bid = best.get((sym, "B"), (0, 0, 0))
        ask = best.get((sym, "S"), (0, 0, 0))
        got_bid, got_ask = (r[4], r[2], r[6]), (r[5], r[3], r[7])
        assert got_bid == bid and got_ask == ask, "%s: records say bid %s ask %s, the book %s %s" % (sym, got_bid, got_ask, bid, ask)
        assert r[9] == 0, "%s flagged stale" % sym
    missing = sorted({sym for sym, _ in best} - set(last))
    assert not missing, "instruments with levels but no record: %s" % missing[:5]
    print("      %d records in %d datagrams, %d symbols" % (len(records), len(grams), len(last)))


def count(tob_path):
    d = open(tob_path, "rb").read(); at = n = 0
    while at < len(d):
        c = struct.unpack_from("<H", d, at + 6)[0]; n += c; at += 16 + 64 * c
    print(n)


if __name__ == "__main__":
    if len(sys.argv) < 2 or (sys.argv[1], len(sys.argv)) not in (("check", 7), ("count", 3)):
        sys.exit(__doc__)
    {"check": check, "count": count}[sys.argv[1]](*sys.argv[2:])
