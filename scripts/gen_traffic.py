#!/usr/bin/env python3
"""Writes a deterministic pcap of mixed Ethernet traffic for testing capture, filters and forwarding.

The same --seed, --count, --mix and --max-size always give the same bytes. Every frame that has a
payload carries 'SNTL' and its sequence number at the payload's start, and every frame of 12 bytes
or more carries the sequence number's low 16 bits in its source MAC (runts in their destination MAC
as well), so packet-for-packet comparisons mean something. Every generated source MAC starts
02:53:4e:54 (locally administered), so `ether[6:4] = 0x02534e54` tells generated frames from
whatever else a link carries.

Kinds (--mix KIND=WEIGHT,...; the defaults below):
  tcp4 udp4 dns mcast icmp tcp6 udp6 arp vlan qinq full jumbo runt malformed
'full' frames are 1500 or 1514 bytes; 'jumbo' frames 1515 to --max-size bytes, one in four
exactly --max-size; runts are 1 to 59 bytes (many exactly 10 or 14). 'malformed' frames are wrong on
purpose: IPv4 IHL < 5, IPv4 total length beyond the frame, a truncated TCP header, IP version 7,
garbage after an Ethernet header. Checksums (IPv4 header, TCP, UDP, ICMP) are valid elsewhere.

usage: gen_traffic.py --count N --seed S --out FILE [--mix ...] [--max-size N] [--nanosecond]
"""

import argparse
import random
import struct
import sys

LINKTYPE_ETHERNET = 1
MAGIC_USEC = 0xA1B2C3D4
MAGIC_NSEC = 0xA1B23C4D
PCAP_SNAPLEN = 65535
ETH_HEADER = 14
MIN_FRAME = 60  # without FCS; shorter frames are runts
MAX_STANDARD_FRAME = 1514
DEFAULT_MAX_SIZE = 9018

MCAST_GROUP = (233, 54, 12, 111)
MCAST_PORT = 26477
MARK = b"SNTL"

DEFAULT_MIX = {
    "tcp4": 30, "udp4": 14, "dns": 6, "mcast": 10, "icmp": 5, "tcp6": 5, "udp6": 5, "arp": 4,
    "vlan": 6, "qinq": 2, "full": 3, "jumbo": 2, "runt": 4, "malformed": 4,
}

SRC_MAC_PREFIX = bytes.fromhex("02534e54")
DST_MACS = [bytes.fromhex("02534e44000%d" % i) for i in range(1, 5)]
BROADCAST = b"\xff" * 6


def checksum(data):
    """The Internet checksum (RFC 1071) of DATA."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class Generator:
    def __init__(self, seed, max_size):
        self.rng = random.Random(seed)
        self.max_size = max_size
        self.seq = 0

    # ---- building blocks ------------------------------------------------------------------------
    def src_mac(self):
        return SRC_MAC_PREFIX + struct.pack("!H", self.seq & 0xFFFF)

    def ether(self, ethertype, dst=None):
        return (dst or self.rng.choice(DST_MACS)) + self.src_mac() + struct.pack("!H", ethertype)

    def payload(self, size):
        """SIZE bytes (at least the mark and sequence number when there is room), random after that."""
        head = MARK + struct.pack("!I", self.seq)
        if size <= len(head):
            return head[:size]
        return head + self.rng.randbytes(size - len(head))

    def ip4_addr(self):
        return bytes((10, self.rng.randrange(0, 4), self.rng.randrange(0, 256), self.rng.randrange(1, 255)))

    def ip6_addr(self):
        return bytes.fromhex("fd00534e5400000%d" % self.rng.randrange(0, 4)) + self.rng.randbytes(8)

    def ipv4(self, proto, src, dst, l4, ttl=64, ihl=5, version=4, total_length=None, options=b""):
        length = 20 + len(options) + len(l4) if total_length is None else total_length
        header = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, length & 0xFFFF,
                             self.seq & 0xFFFF, 0x4000, ttl, proto, 0, src, dst) + options
        csum = checksum(header)
        return header[:10] + struct.pack("!H", csum) + header[12:] + l4

    def ipv6(self, next_header, src, dst, l4):
        return struct.pack("!IHBB16s16s", 0x60000000 | (self.seq & 0xFFFFF), len(l4), next_header, 64,
                           src, dst) + l4

    @staticmethod
    def l4_checksum(l4, proto, src, dst, offset):
        if len(src) == 4:
            pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
        else:
            pseudo = src + dst + struct.pack("!IxxxB", len(l4), proto)
        csum = checksum(pseudo + l4)
        if proto == 17 and csum == 0:
            csum = 0xFFFF
        return l4[:offset] + struct.pack("!H", csum) + l4[offset + 2:]

    def udp(self, src, dst, sport, dport, data):
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
        return self.l4_checksum(l4, 17, src, dst, 6)

    def tcp(self, src, dst, sport, dport, flags, data):
        options = b""
        if flags & 0x02:  # SYN: MSS, as real stacks send it
            options = struct.pack("!BBH", 2, 4, 1460)
        offset = (20 + len(options)) // 4
        l4 = struct.pack("!HHIIBBHHH", sport, dport, self.rng.getrandbits(32),
                         self.rng.getrandbits(32) if flags & 0x10 else 0, offset << 4, flags,
                         self.rng.choice((512, 8192, 29200, 64240, 65535)), 0, 0) + options + data
        return self.l4_checksum(l4, 6, src, dst, 16)

    def tcp_flags(self):
        syn, ack, fin, rst, psh = 0x02, 0x10, 0x01, 0x04, 0x08
        return self.rng.choice((syn, syn | ack, ack, psh | ack, psh | ack, ack, fin | ack, rst, rst | ack))

    def port(self):
        return self.rng.choice((80, 443, 22, 25, 8080, 5201, self.rng.randrange(1024, 65536)))

    def small_size(self):
        return self.rng.choice((0, 6, 8, 32, 64, 100, 200, 400, 512, 1000, self.rng.randrange(8, 1400)))

    # ---- frame kinds ------------------------------------------------------------------------------
    def tcp4_packet(self, data_size=None):
        src, dst = self.ip4_addr(), self.ip4_addr()
        flags = self.tcp_flags()
        size = self.small_size() if data_size is None else data_size
        if flags & 0x07 and data_size is None:  # SYN, FIN, RST rarely carry data
            size = 0 if self.rng.random() < 0.8 else 8
        sport, dport = self.port(), self.port()
        if self.rng.random() < 0.5:
            sport = self.rng.randrange(32768, 61000)
        return self.ipv4(6, src, dst, self.tcp(src, dst, sport, dport, flags, self.payload(size)))

    def udp4_packet(self, data_size=None):
        src, dst = self.ip4_addr(), self.ip4_addr()
        size = self.small_size() if data_size is None else data_size
        return self.ipv4(17, src, dst, self.udp(src, dst, self.rng.randrange(1024, 65536),
                                                self.rng.choice((123, 514, 5000, 9999, 40000)),
                                                self.payload(size)))

    def pad(self, frame):
        return frame + bytes(max(0, MIN_FRAME - len(frame)))

    def tcp4(self):
        return self.pad(self.ether(0x0800) + self.tcp4_packet())

    def udp4(self):
        return self.pad(self.ether(0x0800) + self.udp4_packet())

    def dns(self):
        src, dst = self.ip4_addr(), self.ip4_addr()
        name = b"".join(bytes((len(label),)) + label for label in
                        (b"q%07d" % self.seq, self.rng.choice((b"example", b"sentinel", b"lmax")), b"com")) + b"\0"
        qtype = self.rng.choice((1, 28, 15, 16))
        query = self.rng.random() < 0.6
        header = struct.pack("!HHHHHH", self.seq & 0xFFFF, 0x0100 if query else 0x8180, 1, 0 if query else 1, 0, 0)
        message = header + name + struct.pack("!HH", qtype, 1)
        if not query:  # one answer pointing back at the question's name
            rdata = self.rng.randbytes(4) if qtype == 1 else self.rng.randbytes(16) if qtype == 28 else b"\x00"
            if qtype in (15, 16):
                rdata = b"\x00\x0a\xc0\x0c" if qtype == 15 else b"\x03abc"
            message += struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata
        sport, dport = self.rng.randrange(1024, 65536), 53
        if not query:
            sport, dport, src, dst = 53, sport, dst, src
        return self.pad(self.ether(0x0800) + self.ipv4(17, src, dst, self.udp(src, dst, sport, dport, message)))

    def mcast(self):
        src, dst = self.ip4_addr(), bytes(MCAST_GROUP)
        mac = bytes((0x01, 0x00, 0x5E, MCAST_GROUP[1] & 0x7F, MCAST_GROUP[2], MCAST_GROUP[3]))
        size = self.rng.choice((20, 40, 60, 100, 200, 400, 1000, 1400))
        l4 = self.udp(src, dst, self.rng.choice((26400, 26401, 30000)), MCAST_PORT, self.payload(size))
        return self.pad(self.ether(0x0800, mac) + self.ipv4(17, src, dst, l4, ttl=16))

    def icmp(self):
        src, dst = self.ip4_addr(), self.ip4_addr()
        kind = self.rng.choice((8, 0))
        body = struct.pack("!BBHHH", kind, 0, 0, self.rng.getrandbits(16), self.seq & 0xFFFF) + \
            self.payload(self.rng.choice((8, 48, 56, 120, 1000)))
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        return self.pad(self.ether(0x0800) + self.ipv4(1, src, dst, body))

    def tcp6(self):
        src, dst = self.ip6_addr(), self.ip6_addr()
        l4 = self.tcp(src, dst, self.rng.randrange(32768, 61000), self.port(), self.tcp_flags(),
                      self.payload(self.small_size()))
        return self.pad(self.ether(0x86DD) + self.ipv6(6, src, dst, l4))

    def udp6(self):
        src, dst = self.ip6_addr(), self.ip6_addr()
        dport = self.rng.choice((53, 123, 5000, 40000))
        data = self.payload(self.small_size())
        if dport == 53:  # keep DNS dissectable: a one-label query
            data = struct.pack("!HHHHHH", self.seq & 0xFFFF, 0x0100, 1, 0, 0, 0) + \
                b"\x08" + b"q%07d" % (self.seq % 10000000) + b"\0\x00\x1c\x00\x01"
        return self.pad(self.ether(0x86DD) + self.ipv6(17, src, dst,
                                                        self.udp(src, dst, self.rng.randrange(1024, 65536), dport, data)))

    def arp(self):
        sender, target = self.ip4_addr(), self.ip4_addr()
        request = self.rng.random() < 0.7
        body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1 if request else 2, self.src_mac(), sender,
                           bytes(6) if request else self.rng.choice(DST_MACS), target)
        frame = self.ether(0x0806, BROADCAST if request else None) + body
        # Hosts hand 42-byte ARP frames to the NIC, which pads them; captures show both.
        return frame if self.rng.random() < 0.3 else self.pad(frame)

    def vlan(self):
        inner = self.tcp4_packet() if self.rng.random() < 0.5 else self.udp4_packet()
        tci = (self.rng.randrange(0, 8) << 13) | self.rng.choice((10, 100, 200, self.rng.randrange(1, 4095)))
        return self.pad(self.ether(0x8100) + struct.pack("!HH", tci, 0x0800) + inner)

    def qinq(self):
        inner = self.tcp4_packet() if self.rng.random() < 0.5 else self.udp4_packet()
        outer_tci = self.rng.randrange(1, 4095)
        inner_tci = self.rng.randrange(1, 4095)
        return self.pad(self.ether(0x88A8) + struct.pack("!HHHH", outer_tci, 0x8100, inner_tci, 0x0800) + inner)

    def sized(self, frame_size):
        """An IPv4 UDP or TCP frame of exactly FRAME_SIZE bytes."""
        if self.rng.random() < 0.7:
            return self.ether(0x0800) + self.udp4_packet(frame_size - ETH_HEADER - 28)
        src, dst = self.ip4_addr(), self.ip4_addr()
        return self.ether(0x0800) + self.ipv4(6, src, dst, self.tcp(src, dst, self.rng.randrange(32768, 61000),
                                                                    self.port(), 0x18,
                                                                    self.payload(frame_size - ETH_HEADER - 40)))

    def full(self):
        return self.sized(min(self.max_size, self.rng.choice((1500, MAX_STANDARD_FRAME))))

    def jumbo(self):
        if self.max_size <= MAX_STANDARD_FRAME:
            return self.full()
        size = self.max_size if self.rng.random() < 0.25 else self.rng.randrange(MAX_STANDARD_FRAME + 1, self.max_size + 1)
        return self.sized(size)

    def runt(self):
        size = self.rng.choice((10, 14, 14, 20, 34, 42, 54, 59, self.rng.randrange(1, MIN_FRAME)))
        # The sequence number in the destination MAC too: frames too short for a source MAC stay distinct.
        dst = DST_MACS[0][:4] + struct.pack("!H", self.seq & 0xFFFF)
        choice = self.rng.random()
        if choice < 0.5:  # a frame cut short: the head of a real one
            whole = self.ether(0x0800, dst) + self.udp4_packet(32)
        elif choice < 0.75:
            whole = self.ether(0x0800, dst) + self.tcp4_packet(16)
        else:
            whole = self.ether(0x88B5, dst) + self.payload(64)  # IEEE local experimental ethertype
        return whole[:size]

    def malformed(self):
        kind = self.rng.randrange(5)
        src, dst = self.ip4_addr(), self.ip4_addr()
        if kind == 0:  # IHL < 5
            l4 = self.udp(src, dst, 1111, 2222, self.payload(40))
            return self.ether(0x0800) + self.ipv4(17, src, dst, l4, ihl=self.rng.randrange(0, 5))
        if kind == 1:  # total length beyond the frame
            l4 = self.tcp(src, dst, 3333, 80, 0x18, self.payload(60))
            return self.ether(0x0800) + self.ipv4(6, src, dst, l4, total_length=20 + len(l4) + self.rng.randrange(1, 3000))
        if kind == 2:  # the TCP header cut off after 4 to 19 bytes; the IP header says so
            l4 = self.tcp(src, dst, 4444, 443, 0x02, b"")[:self.rng.randrange(4, 20)]
            return self.pad(self.ether(0x0800) + self.ipv4(6, src, dst, l4))
        if kind == 3:  # IP version 7 behind ethertype IPv4
            l4 = self.udp(src, dst, 5555, 6666, self.payload(30))
            return self.ether(0x0800) + self.ipv4(17, src, dst, l4, version=7)
        # a valid Ethernet header, then garbage under an ethertype nobody registered
        return self.ether(self.rng.choice((0x0800, 0x86DD, 0x1234, 0x9999))) + \
            self.payload(self.rng.randrange(46, 300))


def parse_mix(text):
    mix = dict(DEFAULT_MIX)
    if not text:
        return mix
    mix = {kind: 0 for kind in DEFAULT_MIX}
    for item in text.split(","):
        kind, _, weight = item.partition("=")
        kind = kind.strip()
        if kind not in DEFAULT_MIX:
            raise ValueError("unknown kind '%s' (kinds: %s)" % (kind, " ".join(DEFAULT_MIX)))
        try:
            mix[kind] = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError("weight of '%s' is not a number: '%s'" % (kind, weight)) from None
        if mix[kind] < 0:
            raise ValueError("weight of '%s' is negative" % kind)
    if not any(mix.values()):
        raise ValueError("every weight is 0")
    return mix


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="frames to write")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same file (default 1)")
    parser.add_argument("--out", required=True, help="the pcap file to write ('-' for stdout)")
    parser.add_argument("--mix", default="", help="KIND=WEIGHT,... (kinds not named get 0); kinds: " +
                        " ".join("%s=%d" % kv for kv in DEFAULT_MIX.items()))
    parser.add_argument("--max-size", type=int, default=DEFAULT_MAX_SIZE,
                        help="largest frame in bytes (default %d)" % DEFAULT_MAX_SIZE)
    parser.add_argument("--nanosecond", action="store_true", help="nanosecond timestamps (default microsecond)")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be 0 or more")
    if not MIN_FRAME <= args.max_size <= PCAP_SNAPLEN:
        parser.error("--max-size must be from %d to %d" % (MIN_FRAME, PCAP_SNAPLEN))
    try:
        mix = parse_mix(args.mix)
    except ValueError as e:
        parser.error("--mix: %s" % e)

    gen = Generator(args.seed, args.max_size)
    kinds = [k for k, w in mix.items() if w > 0]
    weights = [mix[k] for k in kinds]
    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")
    with out:
        out.write(struct.pack("<IHHiIII", MAGIC_NSEC if args.nanosecond else MAGIC_USEC, 2, 4, 0, 0,
                              PCAP_SNAPLEN, LINKTYPE_ETHERNET))
        units = 1_000_000_000 if args.nanosecond else 1_000_000
        t_ns = 1_700_000_000 * 1_000_000_000
        for seq in range(args.count):
            gen.seq = seq
            kind = gen.rng.choices(kinds, weights)[0]
            frame = getattr(gen, kind)()
            if len(frame) > args.max_size:
                frame = frame[:args.max_size]
            t_ns += gen.rng.randrange(1_000, 1_000_000)
            sec, frac = divmod(t_ns, 1_000_000_000)
            frac = frac if args.nanosecond else frac // 1000
            assert frac < units
            out.write(struct.pack("<IIII", sec, frac, len(frame), len(frame)))
            out.write(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
