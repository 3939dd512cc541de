#!/usr/bin/env python3
"""Writes a deterministic Nasdaq TotalView-ITCH 5.0 session over MoldUDP64 on two multicast lines (A
and B) to a pcap, with per-line loss, duplicates and reordering and true gaps, and the order book that a
handler which recovers every gap ends the session with.

The same --seed and options always give the same bytes. The message stream depends only on --seed,
--instruments and --messages; packet boundaries also on --per-packet and --mtu; a line's impairments
on its own options (and, where both lines draw a loss for one packet, the other line's). So turning
impairments on keeps every message and every packet as it was, and a clean capture is the reference
for an impaired one.

The session, in sequence order (MoldUDP64 sequence numbers start at 1, one per message):
  S 'O' (start of messages), R stock directory for each instrument (stock locate 1..N),
  S 'S' (start of system hours), H 'T' (trading) for each instrument, S 'Q' (start of market hours),
  --messages book-phase messages, S 'M', S 'E', S 'C' (end of market hours, system hours, messages).
Book-phase mix: A, F (add; new order reference numbers strictly increase with random steps of 1
to 4, never reused), E and C (executed, partial or whole; C's price is informational), X (partial
cancel, always leaves shares), D (delete), U (replace: the old reference dies, the new one keeps
instrument and side with a new price and shares), P (non-cross trade: order reference 0, no book
effect), and about 3% of Y L V W K J h Q B I N O (no book effect). Every E C X D U names a live
order and never takes more shares than it has. Tracking number = the message's sequence number
mod 65536 (a debugging aid; Nasdaq promises nothing of the kind). Timestamps (nanoseconds since
midnight) start at 09:29:59 and rise by 0.05 to 20 us a message: the session lasts seconds.

Packets: 1 to --per-packet messages, never a frame over --mtu bytes (Ethernet header included).
Heartbeats (count 0, sequence = the next message's): one before the first packet that starts in
the book phase, one after a data packet with probability --heartbeats, one before the end; then the
end-of-session packet (count 65535, sequence = last + 1), last on each line, never impaired.
Frames: to the group's 01:00:5e MAC, from 02:53:4e:54:00:0a (A) or :0b (B), 10.90.0.1 (A) or
10.90.0.2 (B), UDP port 49152; IPv4 TTL 32, DF, ID = the packet's index in the session's packet
list, so both lines' copies and duplicates of a packet are byte-identical but for addresses.

Impairments, per line: --loss-X (the packet is missing on that line only: one that draws loss on
both lines keeps a copy on one), --dup-X (a second copy 0 to 2 packets after the first),
--reorder-X (swapped with the packet 1 to 3 places later). --gaps G: G data packets, no two
adjacent, missing on both lines (true gaps, needing retransmission). In the pcap the lines
interleave with line B drifting up to --skew packets behind or ahead of A (reordering and
duplicates add to that); timestamps rise strictly from 2023-11-14 00:00 UTC + the ITCH time. With --only-a every packet lost on A is a true gap too: --gaps-out lists what no line
carries.

Outputs: --out (the pcap: classic, nanosecond, Ethernet; IPv4 and UDP checksums valid),
--book-out (the final book of the complete stream: 'SYMBOL SIDE PRICE SHARES ORDERS' per price
level, symbols in byte order, bids best first, then asks best first; price with 4 decimals),
--messages-out (every message in sequence order, each as u16 big-endian length + message, as in
a MoldUDP64 packet), --gaps-out ('FIRST_SEQUENCE COUNT' per true gap), and one summary line on
stderr: messages (= the last sequence), packets (data packets), heartbeats, line_X (frames on line
X, its end of session included), lost_X, dup_X, reordered_X, gaps and gap_messages (as in
--gaps-out), orders and levels (in the final book).
"""

import argparse
import bisect
import ipaddress
import random
import struct
import sys

LINKTYPE_ETHERNET = 1
MAGIC_NSEC = 0xA1B23C4D
PCAP_SNAPLEN = 65535
PCAP_BASE_NS = 1_699_920_000 * 1_000_000_000  # 2023-11-14 00:00:00 UTC; ITCH times add to it

DEFAULT_LINE_A = "233.54.12.111:26477"
DEFAULT_LINE_B = "233.54.12.112:26478"
SRC_IPS = (bytes((10, 90, 0, 1)), bytes((10, 90, 0, 2)))
SRC_MACS = (bytes.fromhex("02534e54000a"), bytes.fromhex("02534e54000b"))  # gen_traffic.py's prefix
SRC_PORT = 49152
IP_TTL = 32

MOLD_HEARTBEAT = 0
MOLD_END_OF_SESSION = 0xFFFF

# The TotalView-ITCH 5.0 messages: type -> (length, body after the 11-byte common header).
# The header is type (1), stock locate (2), tracking number (2), timestamp (6, big-endian ns).
ITCH_MESSAGES = {
    b"S": (12, "c"),                   # event code
    b"R": (39, "8sccIcc2scccccIc"),    # stock, category, status, lot, lots only, class, subtype,
                                       # authenticity, short sale, IPO, LULD tier, ETP, leverage, inverse
    b"H": (25, "8scc4s"),              # stock, trading state, reserved, reason
    b"Y": (20, "8sc"),                 # stock, Reg SHO action
    b"L": (26, "4s8sccc"),             # MPID, stock, primary market maker, mode, state
    b"V": (35, "QQQ"),                 # MWCB levels 1..3, Price(8)
    b"W": (12, "c"),                   # breached level
    b"K": (28, "8sIcI"),               # stock, release time, qualifier, IPO price
    b"J": (35, "8sIIII"),              # stock, reference, upper, lower price, extension
    b"h": (21, "8scc"),                # stock, market code, halt action
    b"A": (36, "QcI8sI"),              # order ref, side, shares, stock, price
    b"F": (40, "QcI8sI4s"),            # ... + attribution (MPID)
    b"E": (31, "QIQ"),                 # order ref, executed shares, match number
    b"C": (36, "QIQcI"),               # ... + printable, execution price
    b"X": (23, "QI"),                  # order ref, cancelled shares
    b"D": (19, "Q"),                   # order ref
    b"U": (35, "QQII"),                # original ref, new ref, shares, price
    b"P": (44, "QcI8sIQ"),             # order ref (0), side, shares, stock, price, match number
    b"Q": (40, "Q8sIQc"),              # shares, stock, cross price, match number, cross type
    b"B": (19, "Q"),                   # match number
    b"I": (50, "QQc8sIIIcc"),          # paired, imbalance, direction, stock, far, near, reference,
                                       # cross type, price variation
    b"N": (20, "8sc"),                 # stock, interest flag
    b"O": (48, "8scIIIQII"),           # stock, eligibility, min, max, near price, near time, collars
}
# Each message is written with its MoldUDP64 length in front: u16 length, then the message.
FORMATS = {}
for _kind, (_length, _body) in ITCH_MESSAGES.items():
    FORMATS[_kind] = struct.Struct(">HcHHHI" + _body)  # length, type, locate, tracking, time hi16, lo32
    assert FORMATS[_kind].size == 2 + _length, "ITCH %s must be %d bytes" % (_kind, _length)
MAX_BLOCK = max(fmt.size for fmt in FORMATS.values())

ETH_IP_UDP = 14 + 20 + 8
MOLD_HEADER = 20
FRAME_OVERHEAD = ETH_IP_UDP + MOLD_HEADER
FRAME_HEADER = struct.Struct("!6s6sH" "BBHHHBBH4s4s" "HHHH" "10sQH")
assert FRAME_HEADER.size == FRAME_OVERHEAD

OTHER_KINDS = (b"Y", b"L", b"V", b"W", b"K", b"J", b"h", b"Q", b"B", b"I", b"N", b"O")
# Book-phase mix (weights); adds rise or fall so that live orders hover near a target.
MIX = ((b"A", 38), (b"F", 4), (b"E", 9), (b"C", 2), (b"X", 9), (b"D", 26), (b"U", 7), (b"P", 2),
       (None, 3))  # None: one of OTHER_KINDS
MPIDS = (b"GSCO", b"MSCO", b"NITE", b"UBSS", b"CDRG", b"VIRT", b"JPMS", b"SUSQ", b"LEHM", b"SNTL")
MAX_PRICE = 5_000_000  # 500.0000
MIN_PRICE = 10_000     # 1.0000


class MessageStream:
    """The ITCH messages in sequence order, length-prefixed, in one buffer (--messages-out as is)."""

    def __init__(self, capacity, rng):
        self.buf = bytearray(capacity * MAX_BLOCK)
        self.pos = 0
        self.offsets = []  # where message i's length prefix starts; sequence = i + 1
        self.times = []
        self.rng = rng
        self.ts = (9 * 3600 + 29 * 60 + 59) * 1_000_000_000

    def put(self, kind, locate, *body):
        fmt = FORMATS[kind]
        self.ts += self.rng.randrange(50, 20_000)
        ts = self.ts
        self.offsets.append(self.pos)
        self.times.append(ts)
        fmt.pack_into(self.buf, self.pos, fmt.size - 2, kind, locate, len(self.offsets) & 0xFFFF,
                      ts >> 32, ts & 0xFFFFFFFF, *body)
        self.pos += fmt.size

    def __len__(self):
        return len(self.offsets)

    def messages(self):
        return memoryview(self.buf)[:self.pos]


class Instrument:
    __slots__ = ("locate", "stock", "mid", "tick")

    def __init__(self, locate, stock, mid, tick):
        self.locate, self.stock, self.mid, self.tick = locate, stock, mid, tick


class Market:
    """The true book: every live order by reference, and the session's messages as they happen."""

    def __init__(self, rng, stream, count):
        self.rng = rng
        self.out = stream
        self.instruments = [Instrument(i + 1, stock, *self.price_band()) for i, stock in
                            enumerate(self.symbols(count))]
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(count)]  # a few busy instruments
        rng.shuffle(weights)
        self.cum_weights = []
        total = 0.0
        for w in weights:
            total += w
            self.cum_weights.append(total)
        self.live = {}        # order ref -> [instrument, side, price, shares]
        self.live_refs = []   # the same refs, for a uniform random pick
        self.slot = {}        # ref -> index in live_refs
        self.next_ref = rng.randrange(1, 1000)
        self.match = rng.randrange(1, 1000)
        self.first_match = self.match
        self.target = min(25 * count + 100, 50_000)

    # ---- set-up -----------------------------------------------------------------------------------
    def symbols(self, count):
        """COUNT unique symbols of 1 to 8 capitals, space-padded; the first two 8 and 1 long."""
        seen = set()
        out = []
        lengths = (1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 7, 8)
        while len(out) < count:
            n = 8 if not out else 1 if len(out) == 1 else self.rng.choice(lengths)
            sym = "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))
            if sym not in seen:
                seen.add(sym)
                out.append(sym.encode().ljust(8))
        return out

    def price_band(self):
        """(mid, tick): mostly penny ticks from 5 to 480 dollars, one in five sub-penny near 2."""
        if self.rng.random() < 0.2:
            tick = 1
            return self.rng.randrange(15_000, 30_000), tick
        tick = 100
        return self.rng.randrange(50_000, 4_800_000) // tick * tick, tick

    def instrument(self):
        i = bisect.bisect_left(self.cum_weights, self.rng.random() * self.cum_weights[-1])
        return self.instruments[min(i, len(self.instruments) - 1)]

    def price(self, inst, side):
        """A price near the instrument's mid: bids below it, asks at or above it, so never crossed."""
        k = min(int(self.rng.expovariate(0.125)), 500)
        if side == b"B":
            p = inst.mid - inst.tick * (1 + k)
        else:
            p = inst.mid + inst.tick * k
        return max(MIN_PRICE, min(MAX_PRICE, p))

    def shares(self):
        if self.rng.random() < 0.7:
            return 100 * self.rng.randint(1, 50)
        return self.rng.randint(1, 10_000)

    def new_ref(self):
        ref = self.next_ref
        self.next_ref += self.rng.randint(1, 4)
        return ref

    def next_match(self):
        self.match += 1
        return self.match

    # ---- the book ---------------------------------------------------------------------------------
    def rest(self, ref, inst, side, price, shares):
        self.live[ref] = [inst, side, price, shares]
        self.slot[ref] = len(self.live_refs)
        self.live_refs.append(ref)

    def remove(self, ref):
        del self.live[ref]
        i = self.slot.pop(ref)
        last = self.live_refs.pop()
        if last != ref:
            self.live_refs[i] = last
            self.slot[last] = i

    def pick(self):
        return self.live_refs[self.rng.randrange(len(self.live_refs))]

    def final_book(self):
        """{stock: {side: {price: [shares, orders]}}} of the live orders."""
        book = {}
        for inst, side, price, shares in self.live.values():
            level = book.setdefault(inst.stock, {b"B": {}, b"S": {}})[side].setdefault(price, [0, 0])
            level[0] += shares
            level[1] += 1
        return book

    # ---- the session ------------------------------------------------------------------------------
    def preamble(self):
        put, rng = self.out.put, self.rng
        put(b"S", 0, b"O")
        for inst in self.instruments:
            put(b"R", inst.locate, inst.stock, rng.choice(b"QGSNAPZV").to_bytes(1, "big"), b"N", 100, b"N",
                b"C", b"Z ", b"P", b"N", b"N", rng.choice((b"1", b"2")), b"N", 0, b"N")
        put(b"S", 0, b"S")
        for inst in self.instruments:
            put(b"H", inst.locate, inst.stock, b"T", b" ", b"    ")
        put(b"S", 0, b"Q")

    def postamble(self):
        for code in (b"M", b"E", b"C"):
            self.out.put(b"S", 0, code)

    def book_phase(self, count):
        rng = self.rng
        kinds = [k for k, _ in MIX]
        growing, shrinking = [], []
        g = s = 0.0
        for kind, weight in MIX:
            add = kind in (b"A", b"F")
            g += weight * (1.4 if add else 1.0)
            s += weight * (0.6 if add else 1.0)
            growing.append(g)
            shrinking.append(s)
        actions = {b"A": self.add, b"F": self.add, b"E": self.execute, b"C": self.execute,
                   b"X": self.cancel, b"D": self.delete, b"U": self.replace, b"P": self.trade}
        for _ in range(count):
            cum = growing if len(self.live) < self.target else shrinking
            kind = kinds[bisect.bisect_left(cum, rng.random() * cum[-1])]
            if kind is None:
                self.other(rng.choice(OTHER_KINDS))
            elif kind not in (b"A", b"F", b"P") and not self.live:
                self.add(b"A")
            else:
                actions[kind](kind)

    def add(self, kind):
        inst = self.instrument()
        side = b"B" if self.rng.random() < 0.5 else b"S"
        price, shares, ref = self.price(inst, side), self.shares(), self.new_ref()
        if kind == b"A":
            self.out.put(b"A", inst.locate, ref, side, shares, inst.stock, price)
        else:
            self.out.put(b"F", inst.locate, ref, side, shares, inst.stock, price, self.rng.choice(MPIDS))
        self.rest(ref, inst, side, price, shares)

    def execute(self, kind):
        ref = self.pick()
        order = self.live[ref]
        inst, left = order[0], order[3]
        n = left if left == 1 or self.rng.random() < 0.35 else self.rng.randint(1, left - 1)
        if kind == b"E":
            self.out.put(b"E", inst.locate, ref, n, self.next_match())
        else:
            self.out.put(b"C", inst.locate, ref, n, self.next_match(), b"Y" if self.rng.random() < 0.8 else b"N",
                         max(MIN_PRICE, order[2] + inst.tick * self.rng.randint(-3, 3)))
        if n == left:
            self.remove(ref)
        else:
            order[3] = left - n

    def cancel(self, kind):
        ref = self.pick()
        order = self.live[ref]
        if order[3] == 1:  # a partial cancel must leave shares
            self.delete(b"D", ref)
            return
        n = self.rng.randint(1, order[3] - 1)
        self.out.put(b"X", order[0].locate, ref, n)
        order[3] -= n

    def delete(self, kind, ref=None):
        ref = self.pick() if ref is None else ref
        self.out.put(b"D", self.live[ref][0].locate, ref)
        self.remove(ref)

    def replace(self, kind):
        ref = self.pick()
        inst, side = self.live[ref][0], self.live[ref][1]
        price, shares, new = self.price(inst, side), self.shares(), self.new_ref()
        self.out.put(b"U", inst.locate, ref, new, shares, price)
        self.remove(ref)
        self.rest(new, inst, side, price, shares)

    def trade(self, kind):
        inst = self.instrument()
        side = b"B" if self.rng.random() < 0.5 else b"S"
        self.out.put(b"P", inst.locate, 0, side, self.shares(), inst.stock, self.price(inst, side),
                     self.next_match())

    def other(self, kind):
        rng, put = self.rng, self.out.put
        inst = self.instrument()
        loc, stock, mid = inst.locate, inst.stock, inst.mid
        pick = lambda chars: bytes((rng.choice(chars),))  # noqa: E731
        if kind == b"Y":
            put(kind, loc, stock, pick(b"012"))
        elif kind == b"L":
            put(kind, loc, rng.choice(MPIDS), stock, pick(b"YN"), pick(b"NPSRL"), pick(b"AEWSD"))
        elif kind == b"V":
            base = rng.randrange(3_000, 5_000) * 100_000_000
            put(kind, 0, base * 93 // 100, base * 87 // 100, base * 80 // 100)
        elif kind == b"W":
            put(kind, 0, pick(b"123"))
        elif kind == b"K":
            put(kind, loc, stock, rng.randrange(34_200, 57_600), pick(b"AC"), mid)
        elif kind == b"J":
            put(kind, loc, stock, mid, mid * 105 // 100, mid * 95 // 100, rng.randrange(0, 4))
        elif kind == b"h":
            put(kind, loc, stock, pick(b"QBX"), pick(b"HT"))
        elif kind == b"Q":
            put(kind, loc, rng.randrange(0, 1_000_000), stock, mid, self.next_match(), pick(b"OCHI"))
        elif kind == b"B":
            put(kind, loc, rng.randint(self.first_match, self.match) if self.match > self.first_match
                else self.next_match())
        elif kind == b"I":
            put(kind, loc, rng.randrange(0, 1_000_000), rng.randrange(0, 100_000), pick(b"BSNO"), stock,
                mid + inst.tick, mid - inst.tick, mid, pick(b"OCH"), pick(b"L123456789ABC "))
        elif kind == b"N":
            put(kind, loc, stock, pick(b"BSAN"))
        else:  # O
            put(kind, loc, stock, pick(b"NY"), mid * 8 // 10, mid * 18 // 10, mid,
                self.out.ts - rng.randrange(0, 1_000_000_000), mid * 9 // 10, mid * 11 // 10)


# ---- packets ---------------------------------------------------------------------------------------
class Packet:
    """One MoldUDP64 packet of the master stream: COUNT messages from SEQ, bytes [start, end)."""
    __slots__ = ("seq", "count", "start", "end", "time", "csum")

    def __init__(self, seq, count, start, end, time):
        self.seq, self.count, self.start, self.end, self.time = seq, count, start, end, time
        self.csum = 0

    @property
    def data(self):
        return 0 < self.count < MOLD_END_OF_SESSION


def packetize(stream, first_book, rng, per_packet, mtu, heartbeat_rate):
    """The master packet list: data packets, heartbeats, and the end of session last."""
    room = mtu - FRAME_OVERHEAD
    offsets = stream.offsets + [stream.pos]
    times = stream.times
    n = len(stream)
    packets = []
    pre_open_sent = False
    i = 0
    while i < n:
        if not pre_open_sent and i >= first_book:
            packets.append(Packet(i + 1, MOLD_HEARTBEAT, 0, 0, times[i - 1] + 1) if i else
                           Packet(1, MOLD_HEARTBEAT, 0, 0, times[0] - 1))
            pre_open_sent = True
        limit = min(n, i + rng.randint(1, per_packet))
        start = offsets[i]
        j = i + 1
        while j < limit and offsets[j + 1] - start <= room:
            j += 1
        packets.append(Packet(i + 1, j - i, start, offsets[j], times[j - 1] + 500))
        if rng.random() < heartbeat_rate and j < n:
            packets.append(Packet(j + 1, MOLD_HEARTBEAT, 0, 0, times[j - 1] + 1_000))
        i = j
    last = times[-1] if times else 0
    if not packets or packets[-1].count != MOLD_HEARTBEAT:
        packets.append(Packet(n + 1, MOLD_HEARTBEAT, 0, 0, last + 1_000))
    packets.append(Packet(n + 1, MOLD_END_OF_SESSION, 0, 0, last + 1_000_000))
    return packets


class LineStats:
    def __init__(self):
        self.frames = self.lost = self.dups = self.reordered = 0


def choose_gaps(packets, rng, count):
    """COUNT data packets, no two adjacent in sequence, to be missing on both lines."""
    data = [k for k, p in enumerate(packets) if p.data]
    order = list(range(len(data)))
    rng.shuffle(order)
    taken = set()
    for d in order:
        if len(taken) == count:
            break
        if d - 1 not in taken and d + 1 not in taken:
            taken.add(d)
    if len(taken) < count:
        raise ValueError("--gaps %d: only %d data packets, no two of them adjacent, can be gaps"
                         % (count, len(taken)))
    return {data[d] for d in taken}


def lose(packets, gaps, rng_a, rng_b, rng_both, loss_a, loss_b, only_a, stats):
    """Which packets each line carries (master indices), before duplicates and reordering."""
    line_a, line_b = [], []
    for k, p in enumerate(packets[:-1]):  # the end of session is never impaired
        lost_a = rng_a.random() < loss_a
        lost_b = rng_b.random() < loss_b
        if k in gaps:
            continue
        if lost_a and lost_b and not only_a:  # lost on one line only, by definition
            if rng_both.random() < 0.5:
                lost_a = False
            else:
                lost_b = False
        if lost_a:
            stats[0].lost += 1
        else:
            line_a.append(k)
        if only_a:
            continue
        if lost_b:
            stats[1].lost += 1
        else:
            line_b.append(k)
    return line_a, line_b


def duplicate(line, rng, p, stats):
    out = []
    pending = []  # [packets still to pass, master index]
    for k in line:
        out.append(k)
        if rng.random() < p:
            pending.append([rng.randint(0, 2), k])
            stats.dups += 1
        if pending:
            still = []
            for item in pending:
                if item[0] == 0:
                    out.append(item[1])
                else:
                    item[0] -= 1
                    still.append(item)
            pending = still
    out.extend(k for _, k in pending)
    return out


def reorder(line, rng, p, stats):
    i = 0
    while i < len(line):
        if rng.random() < p:
            d = rng.randint(1, 3)
            if i + d < len(line) and line[i] != line[i + d]:
                line[i], line[i + d] = line[i + d], line[i]
                stats.reordered += 1
                i += d
        i += 1
    return line


def interleave(line_a, line_b, rng, skew_max):
    """Both lines in one time order: line B's place drifts up to SKEW_MAX packets around A's."""
    merged = []
    ia = ib = 0
    skew = 0.0
    while ia < len(line_a) and ib < len(line_b):
        if line_a[ia] <= line_b[ib] + skew:
            merged.append((0, line_a[ia]))
            ia += 1
        else:
            merged.append((1, line_b[ib]))
            ib += 1
            skew = max(-skew_max, min(skew_max, skew + rng.uniform(-0.5, 0.5)))
    merged.extend((0, k) for k in line_a[ia:])
    merged.extend((1, k) for k in line_b[ib:])
    return merged


# ---- frames ----------------------------------------------------------------------------------------
def fold(total):
    """The one's-complement sum of 16-bit words whose plain value or sum is TOTAL (2^16 = 1 mod 0xFFFF)."""
    r = total % 0xFFFF
    return r or 0xFFFF


class Line:
    """One multicast line's addresses and the constant parts of its headers."""

    def __init__(self, index, group, port, session):
        self.dst_ip = group.packed
        self.dst_port = port
        self.src_ip = SRC_IPS[index]
        self.src_mac = SRC_MACS[index]
        g = group.packed
        self.dst_mac = bytes((0x01, 0x00, 0x5E, g[1] & 0x7F, g[2], g[3]))
        self.session = session
        words = lambda b: int.from_bytes(b, "big")  # noqa: E731 (value = sum mod 0xFFFF)
        self.ip_sum = 0x4500 + 0x4000 + (IP_TTL << 8 | 17) + words(self.src_ip) + words(self.dst_ip)
        self.udp_sum = words(self.src_ip) + words(self.dst_ip) + 17 + SRC_PORT + port + words(session)

    def header(self, packet, ip_id):
        payload = packet.end - packet.start
        udp_len = 8 + MOLD_HEADER + payload
        ip_len = 20 + udp_len
        ip_csum = 0xFFFF - fold(self.ip_sum + ip_len + ip_id)
        udp_csum = 0xFFFF - fold(self.udp_sum + 2 * udp_len + packet.seq + packet.count + packet.csum)
        return FRAME_HEADER.pack(self.dst_mac, self.src_mac, 0x0800,
                                 0x45, 0, ip_len, ip_id, 0x4000, IP_TTL, 17, ip_csum, self.src_ip, self.dst_ip,
                                 SRC_PORT, self.dst_port, udp_len, udp_csum or 0xFFFF,
                                 self.session, packet.seq, packet.count)


def write_pcap(path, merged, packets, lines, stream, rng):
    buf = stream.buf
    for p in packets:
        if p.end > p.start:
            body = bytes(buf[p.start:p.end])
            p.csum = int.from_bytes(body + b"\0" if len(body) % 2 else body, "big")
    eos = len(packets) - 1
    order = merged + [(0, eos)] + ([(1, eos)] if len(lines) > 1 else [])
    delays = (3_000, 4_000)
    prev = 0
    with open(path, "wb", buffering=1 << 20) as out:
        out.write(struct.pack("<IHHiIII", MAGIC_NSEC, 2, 4, 0, 0, PCAP_SNAPLEN, LINKTYPE_ETHERNET))
        record = struct.Struct("<IIII")
        view = memoryview(buf)
        for line, k in order:
            p = packets[k]
            header = lines[line].header(p, k & 0xFFFF)
            length = len(header) + p.end - p.start
            t = max(prev + 20 + rng.randrange(0, 200), PCAP_BASE_NS + p.time + delays[line])
            prev = t
            sec, ns = divmod(t, 1_000_000_000)
            out.write(record.pack(sec, ns, length, length))
            out.write(header)
            if p.end > p.start:
                out.write(view[p.start:p.end])


def true_gaps(packets, line_sets):
    """(first sequence, count) of each run of messages that no line carries."""
    carried = set().union(*line_sets)
    runs = []
    for k, p in enumerate(packets):
        if not p.data or k in carried:
            continue
        if runs and runs[-1][0] + runs[-1][1] == p.seq:
            runs[-1][1] += p.count
        else:
            runs.append([p.seq, p.count])
    return runs


def write_book(path, book):
    with open(path, "w") as out:
        for stock in sorted(book):
            name = stock.rstrip(b" ").decode()
            for side, prices in ((b"B", sorted(book[stock][b"B"], reverse=True)), (b"S", sorted(book[stock][b"S"]))):
                for price in prices:
                    shares, orders = book[stock][side][price]
                    out.write("%s %s %d.%04d %d %d\n" % (name, side.decode(), price // 10_000, price % 10_000,
                                                         shares, orders))


# ---- options ---------------------------------------------------------------------------------------
def probability(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be from 0 to 1, got '%s'" % text)
    return value


def endpoint(text):
    host, _, port = text.rpartition(":")
    try:
        group = ipaddress.IPv4Address(host)
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("expected IPV4:PORT, got '%s'" % text) from None
    if not group.is_multicast:
        raise argparse.ArgumentTypeError("%s is not a multicast group (224.0.0.0/4)" % group)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be from 1 to 65535, got %d" % port)
    return group, port


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--seed", type=int, default=1, metavar="N", help="the same seed gives the same files (default 1)")
    add("--instruments", type=int, default=8, metavar="N", help="stock directory entries, 1 to 65535 (default 8)")
    add("--messages", type=int, default=10_000, metavar="N", help="book-phase messages (default 10000)")
    add("--per-packet", type=int, default=20, metavar="K", help="most messages in a packet (default 20)")
    add("--mtu", type=int, default=1500, metavar="BYTES", help="largest frame in bytes, Ethernet header included (default 1500)")
    add("--heartbeats", type=probability, default=0.01, metavar="P",
        help="chance of a heartbeat after a data packet (default 0.01)")
    add("--session", default=None, metavar="NAME", help="MoldUDP64 session, up to 10 characters (default SNTL + the seed)")
    add("--line-a", type=endpoint, default=DEFAULT_LINE_A, metavar="IP:PORT", help="default " + DEFAULT_LINE_A)
    add("--line-b", type=endpoint, default=DEFAULT_LINE_B, metavar="IP:PORT", help="default " + DEFAULT_LINE_B)
    for line in ("a", "b"):
        add("--loss-" + line, type=probability, default=0.0, metavar="P", help="packet lost on line %s only" % line.upper())
        add("--dup-" + line, type=probability, default=0.0, metavar="P", help="packet twice on line %s" % line.upper())
        add("--reorder-" + line, type=probability, default=0.0, metavar="P",
            help="packet swapped with one 1 to 3 later on line %s" % line.upper())
    add("--gaps", type=int, default=0, metavar="G", help="data packets lost on both lines (default 0)")
    add("--skew", type=float, default=3.0, metavar="N", help="line B drifts up to N packets around A (default 3)")
    add("--only-a", action="store_true", help="write line A only")
    add("--out", metavar="FILE", help="the pcap to write")
    add("--book-out", metavar="FILE", help="the final book of the complete stream")
    add("--messages-out", metavar="FILE", help="the message stream, u16 length + message each")
    add("--gaps-out", metavar="FILE", help="true gaps, 'FIRST_SEQUENCE COUNT' a line")
    args = parser.parse_args(argv)
    if not 1 <= args.instruments <= 65535:
        parser.error("--instruments must be from 1 to 65535")
    if args.messages < 0:
        parser.error("--messages must be 0 or more")
    if not 1 <= args.per_packet < MOLD_END_OF_SESSION:
        parser.error("--per-packet must be from 1 to %d" % (MOLD_END_OF_SESSION - 1))
    if not FRAME_OVERHEAD + MAX_BLOCK <= args.mtu <= PCAP_SNAPLEN:
        parser.error("--mtu must be from %d (the largest message) to %d" % (FRAME_OVERHEAD + MAX_BLOCK, PCAP_SNAPLEN))
    if args.gaps < 0:
        parser.error("--gaps must be 0 or more")
    if args.skew < 0:
        parser.error("--skew must be 0 or more")
    if args.session is None:
        args.session = "SNTL%06d" % (args.seed % 1_000_000)
    if len(args.session) > 10 or not args.session.isascii():
        parser.error("--session must be up to 10 ASCII characters")
    if not (args.out or args.book_out or args.messages_out or args.gaps_out):
        parser.error("nothing to write: give --out, --book-out, --messages-out or --gaps-out")
    return args


def main(argv):
    args = parse_args(argv)
    seed = args.seed
    # Separate generators, so that each option changes only what it is about.
    rng_messages = random.Random("%d:messages" % seed)
    rng_packets = random.Random("%d:packets" % seed)
    rng_gaps = random.Random("%d:gaps" % seed)
    rng_a = random.Random("%d:line-a" % seed)
    rng_b = random.Random("%d:line-b" % seed)
    rng_wire = random.Random("%d:wire" % seed)

    stream = MessageStream(args.messages + 2 * args.instruments + 6, rng_messages)
    market = Market(rng_messages, stream, args.instruments)
    market.preamble()
    first_book = len(stream)
    market.book_phase(args.messages)
    market.postamble()

    packets = packetize(stream, first_book, rng_packets, args.per_packet, args.mtu, args.heartbeats)
    try:
        gaps = choose_gaps(packets, rng_gaps, args.gaps)
    except ValueError as e:
        print("gen_itch: %s" % e, file=sys.stderr)
        return 2
    stats = (LineStats(), LineStats())
    line_a, line_b = lose(packets, gaps, rng_a, rng_b, rng_gaps, args.loss_a, args.loss_b, args.only_a, stats)
    line_a = reorder(duplicate(line_a, rng_a, args.dup_a, stats[0]), rng_a, args.reorder_a, stats[0])
    if not args.only_a:
        line_b = reorder(duplicate(line_b, rng_b, args.dup_b, stats[1]), rng_b, args.reorder_b, stats[1])
    stats[0].frames = len(line_a) + 1
    stats[1].frames = 0 if args.only_a else len(line_b) + 1
    runs = true_gaps(packets, (set(line_a), set(line_b)))

    session = args.session.encode().ljust(10)
    if args.out:
        lines = [Line(0, *args.line_a, session)] + ([] if args.only_a else [Line(1, *args.line_b, session)])
        merged = interleave(line_a, line_b, rng_wire, args.skew) if not args.only_a else [(0, k) for k in line_a]
        write_pcap(args.out, merged, packets, lines, stream, rng_wire)
    book = market.final_book()
    if args.book_out:
        write_book(args.book_out, book)
    if args.messages_out:
        with open(args.messages_out, "wb") as out:
            out.write(stream.messages())
    if args.gaps_out:
        with open(args.gaps_out, "w") as out:
            out.writelines("%d %d\n" % (first, count) for first, count in runs)

    a, b = stats
    print("gen_itch: messages=%d packets=%d heartbeats=%d line_a=%d lost_a=%d dup_a=%d reordered_a=%d "
          "line_b=%d lost_b=%d dup_b=%d reordered_b=%d gaps=%d gap_messages=%d orders=%d levels=%d"
          % (len(stream), sum(p.data for p in packets), sum(p.count == MOLD_HEARTBEAT for p in packets),
             a.frames, a.lost, a.dups, a.reordered, b.frames, b.lost, b.dups, b.reordered,
             len(runs), sum(c for _, c in runs), len(market.live),
             sum(len(s[b"B"]) + len(s[b"S"]) for s in book.values())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
