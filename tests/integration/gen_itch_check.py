#!/usr/bin/env python3
"""Checks for gen_itch_test.sh: the fields tshark reads from scripts/gen_itch.py's pcap, and an ITCH 5.0
reader of its own for what tshark cannot read (python3 standard library only). Each check prints
what it found wrong, indented, and exits 1; silent and exit 0 when all holds.

usage: gen_itch_check.py WHAT ARGS...
  mold FIELDS SESSION                     every frame MoldUDP64 of SESSION, checksums good
  continuous FIELDS PORT N                a line's sequences continuous up to N
  same-lines FIELDS                       both lines carry the same packets
  heartbeats FIELDS REFERENCE PORT...     heartbeats on each line
  end FIELDS N PORT...                    the end of session last on each line
  counts FIELDS SUMMARY                   counts as the summary line says
  impaired FIELDS CLEAN SUMMARY GAPS N GAPS_WANTED
                                          the union of the lines misses exactly the declared gaps
  skew FIELDS LIMIT                       the lines' skew within LIMIT
  only-a FIELDS SUMMARY GAPS              --only-a: line A alone
  pcap PCAP MSGS GROUPS                   the pcap itself: headers, times, payloads equal --messages-out
  itch MSGS BOOK INSTRUMENTS              ITCH 5.0 messages; the book rebuilt from them equals BOOK
FIELDS is tshark's output (gen_itch_test.sh's fields()), 7 columns per frame.
"""

import struct
import sys

EOS, HB = 65535, 0
LENGTHS = {"S": 12, "R": 39, "H": 25, "Y": 20, "L": 26, "V": 35, "W": 12, "K": 28, "J": 35, "h": 21, "A": 36,
           "F": 40, "E": 31, "C": 36, "X": 23, "D": 19, "U": 35, "P": 44, "Q": 40, "B": 19, "I": 50, "N": 20,
           "O": 48}


def fail(why):
    print("      " + why)
    sys.exit(1)


def frames(path):
    """[(frame, port, session, seq, count, ip_ok, udp_ok)] from fields()."""
    out = []
    for line in open(path):
        f = line.split()
        if len(f) != 7:
            fail("frame without every MoldUDP64 field: %r" % line)
        out.append((int(f[0]), int(f[1]), f[2], int(f[3]), int(f[4]), f[5] == "1", f[6] == "1"))
    return out


def line(rows, port):
    return [(r[3], r[4]) for r in rows if r[1] == port]


def summary(path):
    words = open(path).read().split()
    return {k: int(v) for k, _, v in (w.partition("=") for w in words if "=" in w)}


def stream(path):
    """The messages of --messages-out, in sequence order."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        n = struct.unpack_from(">H", data, pos)[0]
        out.append(data[pos + 2:pos + 2 + n])
        pos += 2 + n
    return out


def data_ranges(pairs):
    return {(s, c) for s, c in pairs if 0 < c < EOS}


def read_gaps(path):
    return [tuple(map(int, l.split())) for l in open(path)]


def cmd_mold(fields_path, session):
    rows = frames(fields_path)
    if not rows:
        fail("no frames")
    for r in rows:
        if r[2] != session:
            fail("frame %d: session %r, expected %r" % (r[0], r[2], session))
        if not (r[5] and r[6]):
            fail("frame %d: IPv4 or UDP checksum not good" % r[0])


def cmd_continuous(fields_path, port, n):
    """With no impairments, each packet starts where the last ended; heartbeats and the end of
    session name the next sequence; the end of session comes last."""
    pairs = line(frames(fields_path), int(port))
    expect = 1
    for i, (seq, count) in enumerate(pairs):
        if seq != expect:
            fail("packet %d: sequence %d, expected %d" % (i, seq, expect))
        if count == EOS:
            if i != len(pairs) - 1:
                fail("end of session at packet %d of %d" % (i, len(pairs)))
        else:
            expect += count
    if pairs[-1] != (int(n) + 1, EOS):
        fail("last packet %r, expected the end of session (%d, 65535)" % (pairs[-1], int(n) + 1))


def cmd_same_lines(fields_path):
    rows = frames(fields_path)
    a, b = line(rows, 26477), line(rows, 26478)
    if a != b:
        fail("lines differ: %d and %d packets" % (len(a), len(b)))


def cmd_heartbeats(fields_path, reference_path, *ports):
    """Heartbeats on each line, each naming a packet boundary of the reference (clean) capture."""
    rows = frames(fields_path)
    ends = {s + c for s, c in data_ranges(line(frames(reference_path), 26477))} | {1}
    for port in map(int, ports):
        pairs = line(rows, port)
        beats = [s for s, c in pairs if c == HB]
        if not beats:
            fail("no heartbeat on port %d" % port)
        stray = [s for s in beats if s not in ends]
        if stray:
            fail("heartbeats on port %d not at a packet boundary: %s" % (port, stray[:5]))


def cmd_end(fields_path, n, *ports):
    """Each line's last packet is its end of session, and the capture ends with them."""
    rows = frames(fields_path)
    for port in map(int, ports):
        pairs = line(rows, port)
        if pairs[-1] != (int(n) + 1, EOS) or [c for _, c in pairs].count(EOS) != 1:
            fail("port %d: last packet %r, %d ends of session" % (port, pairs[-1], [c for _, c in pairs].count(EOS)))
    if any(r[4] != EOS for r in rows[-len(ports):]):
        fail("the capture does not end with the ends of session")


def cmd_counts(fields_path, summary_path):
    rows, s = frames(fields_path), summary(summary_path)
    got = (len(line(rows, 26477)), len(line(rows, 26478)))
    if got != (s["line_a"], s["line_b"]):
        fail("frames per line %r, summary says %r" % (got, (s["line_a"], s["line_b"])))
    beats = len({p for p in line(rows, 26477) + line(rows, 26478) if p[1] == HB})
    if not 0 < beats <= s["heartbeats"]:
        fail("%d distinct heartbeats, summary says %d" % (beats, s["heartbeats"]))


def cmd_impaired(fields_path, clean_path, summary_path, gaps_path, n, gaps_wanted):
    rows, clean, s = frames(fields_path), frames(clean_path), summary(summary_path)
    master = set(line(clean, 26477))
    gaps = read_gaps(gaps_path)
    if len(gaps) != int(gaps_wanted) or s["gaps"] != len(gaps) or s["gap_messages"] != sum(c for _, c in gaps):
        fail("%d gaps in --gaps-out (%s), wanted %s; summary gaps=%d gap_messages=%d"
             % (len(gaps), gaps, gaps_wanted, s["gaps"], s["gap_messages"]))
    # Packet boundaries are those of the clean capture: impairments move and drop packets only.
    for port in (26477, 26478):
        stray = [p for p in line(rows, port) if p not in master]
        if stray:
            fail("port %d: packets the clean capture lacks: %s" % (port, stray[:5]))
    # The union of the lines covers every sequence but the gaps' exactly.
    covered = set()
    for seq, count in data_ranges(line(rows, 26477) + line(rows, 26478)):
        covered.update(range(seq, seq + count))
    missing = sorted(set(range(1, int(n) + 1)) - covered)
    declared = sorted(q for first, count in gaps for q in range(first, first + count))
    if missing != declared:
        fail("sequences on no line %s..., declared gaps %s" % (missing[:10], gaps))
    gap_packets = {p for p in master if p[1] and p[1] != EOS and p[0] in set(declared)}
    for port, key in ((26477, "a"), (26478, "b")):
        pairs = line(rows, port)
        distinct = set(pairs)
        lost = len(master) - len(gap_packets) - len(distinct)
        dups = len(pairs) - len(distinct)
        if (lost, dups) != (s["lost_" + key], s["dup_" + key]):
            fail("line %s: lost %d, dup %d; summary says %d, %d" % (key, lost, dups, s["lost_" + key], s["dup_" + key]))
        if lost == 0 or dups == 0:
            fail("line %s: no loss or no duplicates to test with" % key)
        # Reordering: out of order somewhere, but never by more than a few packets.
        arrival = list(dict.fromkeys(pairs))  # first copies, in the order they came
        rank = {p: i for i, p in enumerate(sorted(distinct))}
        displaced = max(abs(rank[p] - i) for i, p in enumerate(arrival))
        inversions = sum(1 for x, y in zip(pairs, pairs[1:]) if y < x)
        if s["reordered_" + key] == 0 or inversions == 0 or displaced > 8:
            fail("line %s: reordered=%d, %d inversions, displaced up to %d packets"
                 % (key, s["reordered_" + key], inversions, displaced))


def cmd_skew(fields_path, limit):
    """Line B's copy of a packet is near line A's, sometimes before it and sometimes after."""
    rows = frames(fields_path)
    where = ({}, {})
    for i, r in enumerate(rows):
        if 0 < r[4] < EOS:
            where[r[1] == 26478].setdefault((r[3], r[4]), i)
    lags = [where[1][p] - where[0][p] for p in where[0] if p in where[1]]
    if max(map(abs, lags)) > int(limit) or min(lags) >= 0 or max(lags) <= 0:
        fail("B minus A, in frames: from %d to %d (limit %s, both signs wanted)" % (min(lags), max(lags), limit))


def cmd_only_a(fields_path, summary_path, gaps_path):
    rows, s = frames(fields_path), summary(summary_path)
    if any(r[1] != 26477 for r in rows) or s["line_b"] != 0:
        fail("frames off line A, or summary line_b=%d" % s["line_b"])
    covered = set()
    for seq, count in data_ranges(line(rows, 26477)):
        covered.update(range(seq, seq + count))
    declared = {q for first, count in read_gaps(gaps_path) for q in range(first, first + count)}
    if not declared or covered | declared != set(range(1, s["messages"] + 1)) or covered & declared:
        fail("line A and --gaps-out do not partition the sequences")


def cmd_pcap(pcap_path, msgs_path, groups):
    """Classic nanosecond pcap, rising times; Ethernet to the group's MAC; IPv4 and UDP well formed
    with good checksums; MoldUDP64 blocks equal to --messages-out at their sequences."""
    groups = {int(g.split(":")[1]): bytes(map(int, g.split(":")[0].split("."))) for g in groups.split(",")}
    messages = stream(msgs_path)
    data = open(pcap_path, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data)
    if magic != 0xA1B23C4D or linktype != 1:
        fail("magic %#x linktype %d" % (magic, linktype))

    def csum(b):
        b += b"\0" * (len(b) % 2)
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while t >> 16:
            t = (t & 0xFFFF) + (t >> 16)
        return t

    pos, prev, i = 24, -1, 0
    while pos < len(data):
        i += 1
        sec, ns, caplen, length = struct.unpack_from("<IIII", data, pos)
        frame = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        t = sec * 10**9 + ns
        if ns >= 10**9 or t <= prev or caplen != length or length > 1500:
            fail("frame %d: time %d.%09d after %d, caplen %d, length %d" % (i, sec, ns, prev, caplen, length))
        prev = t
        ip, udp, mold = frame[14:34], frame[34:42], frame[42:]
        port = struct.unpack_from("!H", udp, 2)[0]
        group = groups.get(port)
        if group is None or frame[12:14] != b"\x08\x00" or ip[16:20] != group:
            fail("frame %d: not IPv4 to a line's group and port" % i)
        if frame[:6] != bytes((1, 0, 0x5E, group[1] & 0x7F, group[2], group[3])):
            fail("frame %d: destination MAC %s is not the group's" % (i, frame[:6].hex(":")))
        if ip[0] != 0x45 or ip[9] != 17 or struct.unpack_from("!H", ip, 2)[0] != len(frame) - 14 or csum(ip) != 0xFFFF:
            fail("frame %d: bad IPv4 header" % i)
        if struct.unpack_from("!H", udp, 4)[0] != len(frame) - 34:
            fail("frame %d: bad UDP length" % i)
        if udp[6:8] != b"\0\0" and csum(ip[12:20] + struct.pack("!BBH", 0, 17, len(frame) - 34) + frame[34:]) != 0xFFFF:
            fail("frame %d: bad UDP checksum" % i)
        seq, count = struct.unpack_from("!QH", mold, 10)
        at = 20
        for k in range(count if count != 0xFFFF else 0):
            n = struct.unpack_from("!H", mold, at)[0]
            if mold[at + 2:at + 2 + n] != messages[seq - 1 + k]:
                fail("frame %d: message %d differs from --messages-out" % (i, seq + k))
            at += 2 + n
        if at != len(mold):
            fail("frame %d: %d bytes after %d message blocks" % (i, len(mold) - at, count))


def cmd_itch(msgs_path, book_path, instruments):
    """Each message a known type of its fixed length; the session's shape; orders that exist and are
    never overdrawn; the book rebuilt from a dict equal to --book-out."""
    messages = stream(msgs_path)
    kinds = set()
    stocks = {}  # locate -> symbol
    orders = {}  # ref -> [symbol, side, price, shares]
    for seq, m in enumerate(messages, 1):
        kind = chr(m[0])
        kinds.add(kind)
        if LENGTHS.get(kind) != len(m):
            fail("message %d: type %r, %d bytes" % (seq, kind, len(m)))
        locate, tracking = struct.unpack_from(">HH", m, 1)
        if kind == "R":
            stocks[locate] = m[11:19]
        elif kind in "AF":
            ref, side, shares, stock, price = struct.unpack_from(">Qc I8sI".replace(" ", ""), m, 11)
            if ref in orders or stocks.get(locate) != stock or side not in (b"B", b"S") or not 1 <= shares <= 10000:
                fail("message %d: add of order %d (%r %r %d) is wrong" % (seq, ref, stock, side, shares))
            orders[ref] = [stock, side, price, shares]
        elif kind in "ECXDU":
            ref = struct.unpack_from(">Q", m, 11)[0]
            if ref not in orders or stocks[locate] != orders[ref][0]:
                fail("message %d: %s of order %d, not live on locate %d" % (seq, kind, ref, locate))
            o = orders[ref]
            if kind in "ECX":
                n = struct.unpack_from(">I", m, 19)[0]
                if not 0 < n <= o[3] or (kind == "X" and n == o[3]):
                    fail("message %d: %s of %d shares from %d" % (seq, kind, n, o[3]))
                o[3] -= n
                if o[3] == 0:
                    del orders[ref]
            elif kind == "D":
                del orders[ref]
            else:
                new, shares, price = struct.unpack_from(">QII", m, 19)
                if new in orders:
                    fail("message %d: replace to live order %d" % (seq, new))
                del orders[ref]
                orders[new] = [o[0], o[1], price, shares]
    if sorted(stocks) != list(range(1, int(instruments) + 1)) or len(set(stocks.values())) != len(stocks):
        fail("stock directory: locates %s" % sorted(stocks)[:10])
    if messages[0][11:12] != b"O" or [m[11:12] for m in messages[-3:]] != [b"M", b"E", b"C"]:
        fail("session does not open with S 'O' and close with S 'M' 'E' 'C'")
    if set(LENGTHS) - kinds:
        fail("types never generated: %s" % sorted(set(LENGTHS) - kinds))
    levels = {}
    for stock, side, price, shares in orders.values():
        level = levels.setdefault((stock.rstrip(b" ").decode(), side.decode(), price), [0, 0])
        level[0] += shares
        level[1] += 1
    rebuilt = []
    for (stock, side, price), (shares, count) in sorted(levels.items(),
                                                        key=lambda kv: (kv[0][0].encode(), kv[0][1],
                                                                        -kv[0][2] if kv[0][1] == "B" else kv[0][2])):
        rebuilt.append("%s %s %d.%04d %d %d\n" % (stock, side, price // 10000, price % 10000, shares, count))
    book = open(book_path).readlines()
    if rebuilt != book or not book:
        diff = [(a, b) for a, b in zip(rebuilt, book) if a != b][:3]
        fail("book: rebuilt %d levels, --book-out %d; first differences %s" % (len(rebuilt), len(book), diff))


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
