#!/usr/bin/env python3
"""Answers MoldUDP64 re-requests from a capture of the feed: the retransmission server a feed
handler's gap recovery talks to, for tests.

MoldUDP64, as far as this server needs it. A downstream packet is a 20-byte header (session: 10
ASCII bytes, space padded; sequence number of its first message: u64 big-endian; message count:
u16 big-endian) followed by `count` message blocks, each a u16 big-endian length and the message.
Count 0 is a heartbeat, count 0xFFFF the end of the session. A re-request is exactly 20 bytes,
the same header with the first sequence wanted and how many messages: session, sequence, count.

The server reads the journal (--journal), keeps the MoldUDP64 packets sent to the feed's lines
(--feed, once a line: lines A and B carry the same messages, so duplicates do no harm) and stores
every message by its sequence number, the first copy read winning. Then it listens on --listen
and answers each request with one downstream packet of the same session, to the address the
request came from: the messages held from the requested sequence on, stopping at the first one it
does not hold, at the requested count, at --max-messages and where one more would take the UDP
payload over --max-payload bytes. A client asks again from where the answer stopped.

Not answered, each counted: a request of another size or with a requested count of 0 (malformed),
one for another session (foreign session), one whose first sequence the journal lacks (unknown),
and the first --drop-first well-formed requests of our session (dropped: lets a test exercise a
client's retry timer). Every request lands in exactly one counter of requests_dropped,
requests_malformed, requests_foreign_session, requests_unknown and answers.

Journal: classic pcap (microsecond or nanosecond, either byte order) or pcapng (either byte order,
per section; enhanced and simple packet blocks are read, every other block is skipped by its
length), link type Ethernet; 802.1Q and 802.1ad tags, IPv4 (fragments skipped) and UDP. Feed
datagrams whose message blocks do not tile the payload are counted (journal_malformed) and
skipped. A journal with no feed packet, or with more than one session on the feed, is refused.
A journal cut short inside its last record is served as far as it was read, with a warning.

Output: once serving, one line `ready messages=N first=F last=L session=S` on stdout (and, with
--ready-file, that file, created whole when ready); at exit (SIGTERM, SIGINT or --idle-exit
seconds without a request, status 0) the counters as key=value lines on stdout. Errors are one
line on stderr, status 2.

Example:
  mold_rerequest_server.py --journal feed.pcap --feed 233.54.12.111:26477 \\
      --feed 233.54.12.112:26478 --listen 127.0.0.1:26400 --ready-file /tmp/ready
"""

import argparse
import ipaddress
import os
import signal
import socket
import struct
import sys

NAME = "mold_rerequest_server"
HEADER = struct.Struct(">10sQH")  # session, sequence, count: downstream packets and requests alike
BLOCK_LENGTH = struct.Struct(">H")
HEARTBEAT, END_OF_SESSION = 0, 0xFFFF
LARGEST_UDP_PAYLOAD = 65507  # IPv4: 65535 less the IPv4 and UDP headers
LINKTYPE_ETHERNET = 1
ETHERTYPE_IPV4, VLAN_TAGS = 0x0800, (0x8100, 0x88A8)
IPPROTO_UDP = 17
PCAP_MAGICS = (0xA1B2C3D4, 0xA1B23C4D)  # microsecond, nanosecond timestamps
PCAPNG_SHB, PCAPNG_IDB, PCAPNG_SPB, PCAPNG_EPB = 0x0A0D0D0A, 1, 3, 6
PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D
PCAPNG_SMALLEST_BODY = {PCAPNG_SHB: 4, PCAPNG_IDB: 8, PCAPNG_SPB: 4, PCAPNG_EPB: 20}
COUNTERS = ("requests", "requests_dropped", "requests_malformed", "requests_foreign_session",
            "requests_unknown", "answers", "messages_sent")


class Refused(Exception):
    """A reason to exit with status 2: one line, said once."""


class Stop(Exception):
    """Raised by the SIGTERM and SIGINT handler, wherever the server is."""


def warn(text):
    print("%s: %s" % (NAME, text), file=sys.stderr, flush=True)


# ---- journal: frames -----------------------------------------------------------------------------

def ethernet_frames(data):
    """Yields the Ethernet frames of a pcap or pcapng image, as far as it is whole."""
    if len(data) < 4:
        raise Refused("journal too short to be pcap or pcapng (%d bytes)" % len(data))
    if struct.unpack_from("<I", data)[0] == PCAPNG_SHB:
        return pcapng_frames(data)
    for order in "<>":
        if struct.unpack_from(order + "I", data)[0] in PCAP_MAGICS:
            return pcap_frames(data, order)
    raise Refused("journal is neither pcap nor pcapng (magic %s)" % data[:4].hex())


def pcap_frames(data, order):
    if len(data) < 24:
        raise Refused("journal truncated inside the pcap file header")
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0xFFFF  # upper bits: FCS flags
    if linktype != LINKTYPE_ETHERNET:
        raise Refused("journal link type %d, not Ethernet (1)" % linktype)
    record = struct.Struct(order + "IIII")  # seconds, fraction, captured length, original length
    offset = 24
    while offset < len(data):
        if offset + record.size > len(data):
            warn("journal truncated inside a record header at byte %d; serving what came before" % offset)
            return
        captured = record.unpack_from(data, offset)[2]
        start = offset + record.size
        if start + captured > len(data):
            warn("journal truncated inside the record at byte %d; serving what came before" % offset)
            return
        yield data[start:start + captured]
        offset = start + captured


def pcapng_frames(data):
    order = "<"
    linktypes = []  # per interface of the current section
    offset = 0
    while offset < len(data):
        if offset + 12 > len(data):
            warn("journal truncated inside a block header at byte %d; serving what came before" % offset)
            return
        if struct.unpack_from("<I", data, offset)[0] == PCAPNG_SHB:
            # A new section may change the byte order (its byte-order magic tells which) and
            # numbers its interfaces afresh.
            magic = bytes(data[offset + 8:offset + 12])
            for order in "<>":
                if magic == struct.pack(order + "I", PCAPNG_BYTE_ORDER_MAGIC):
                    break
            else:
                raise Refused("pcapng section header at byte %d has no byte-order magic" % offset)
            linktypes = []
        kind, length = struct.unpack_from(order + "II", data, offset)
        if length < 12 + PCAPNG_SMALLEST_BODY.get(kind, 0) or length % 4:
            raise Refused("pcapng block of type %d at byte %d has a bad length (%d)" % (kind, offset, length))
        if offset + length > len(data):
            warn("journal truncated inside the block at byte %d; serving what came before" % offset)
            return
        body = data[offset + 8:offset + length - 4]
        if kind == PCAPNG_IDB:
            linktype, _, snaplen = struct.unpack_from(order + "HHI", body)
            linktypes.append((linktype, snaplen))
        elif kind == PCAPNG_EPB:
            interface, _, _, captured = struct.unpack_from(order + "IIII", body)
            if interface >= len(linktypes):
                raise Refused("pcapng packet at byte %d names interface %d, not described" % (offset, interface))
            if linktypes[interface][0] == LINKTYPE_ETHERNET:
                if 20 + captured > len(body):
                    raise Refused("pcapng packet at byte %d is longer than its block" % offset)
                yield body[20:20 + captured]
        elif kind == PCAPNG_SPB:
            # No captured length: the packet is the original length, cut at the snaplen and the block.
            if not linktypes:
                raise Refused("pcapng simple packet at byte %d before any interface" % offset)
            linktype, snaplen = linktypes[0]
            original = struct.unpack_from(order + "I", body)[0]
            captured = min(original, snaplen or original, len(body) - 4)
            if linktype == LINKTYPE_ETHERNET:
                yield body[4:4 + captured]
        offset += length


# ---- journal: datagrams and MoldUDP64 ------------------------------------------------------------

def udp_datagram(frame):
    """(destination address, destination port, payload) of an unfragmented IPv4 UDP frame, else None."""
    if len(frame) < 14:
        return None
    ethertype, offset = struct.unpack_from(">H", frame, 12)[0], 14
    while ethertype in VLAN_TAGS and offset + 4 <= len(frame):
        ethertype, offset = struct.unpack_from(">H", frame, offset + 2)[0], offset + 4
    if ethertype != ETHERTYPE_IPV4 or offset + 20 > len(frame):
        return None
    version_ihl, total_length, fragment, protocol = struct.unpack_from(">BxHxxHxB", frame, offset)
    header_length = (version_ihl & 0x0F) * 4
    if version_ihl >> 4 != 4 or header_length < 20 or not header_length + 8 <= total_length <= len(frame) - offset:
        return None
    if protocol != IPPROTO_UDP or fragment & 0x3FFF:  # more fragments, or an offset: a piece of one
        return None
    destination = bytes(frame[offset + 16:offset + 20])
    udp = offset + header_length
    port, udp_length = struct.unpack_from(">2xHH", frame, udp)
    if not 8 <= udp_length <= total_length - header_length:
        return None
    return destination, port, frame[udp + 8:udp + udp_length]


def mold_packet(payload):
    """(session, first sequence, [messages]) of a well-formed MoldUDP64 packet, else None."""
    if len(payload) < HEADER.size:
        return None
    session, sequence, count = HEADER.unpack_from(payload)
    if count in (HEARTBEAT, END_OF_SESSION):
        return (session, sequence, []) if len(payload) == HEADER.size else None
    messages, offset = [], HEADER.size
    for _ in range(count):
        if offset + 2 > len(payload):
            return None
        length = BLOCK_LENGTH.unpack_from(payload, offset)[0]
        if offset + 2 + length > len(payload):
            return None
        messages.append(bytes(payload[offset + 2:offset + 2 + length]))
        offset += 2 + length
    return (session, sequence, messages) if offset == len(payload) else None


class Journal:
    """The feed's messages by sequence number, and its one session."""

    def __init__(self, path, feeds):
        try:
            with open(path, "rb") as f:
                data = memoryview(f.read())
        except OSError as e:
            raise Refused("cannot read journal %s: %s" % (path, e.strerror or e)) from None
        self.session = None
        self.messages = {}
        self.packets = 0    # well-formed feed packets read
        self.malformed = 0  # feed datagrams that are not MoldUDP64
        for frame in ethernet_frames(data):
            datagram = udp_datagram(frame)
            if datagram is None or datagram[:2] not in feeds:
                continue
            packet = mold_packet(datagram[2])
            if packet is None:
                self.malformed += 1
                continue
            self.packets += 1
            session, first, messages = packet
            if self.session is None:
                self.session = session
            elif session != self.session:
                raise Refused("journal %s holds more than one session on the feed: %r and %r"
                              % (path, self.session.decode("ascii", "replace"), session.decode("ascii", "replace")))
            for sequence, message in enumerate(messages, first):
                self.messages.setdefault(sequence, message)
        if not self.messages:
            raise Refused("journal %s holds no feed message (%d feed packets, %d malformed)"
                          % (path, self.packets, self.malformed))
        if self.malformed:
            warn("skipped %d malformed MoldUDP64 packets in the journal" % self.malformed)


# ---- serving ---------------------------------------------------------------------------------------

class Server:
    def __init__(self, journal, max_messages, max_payload, drop_first):
        self.journal = journal
        self.max_messages = max_messages
        self.max_payload = max_payload
        self.to_drop = drop_first
        self.counters = dict.fromkeys(COUNTERS, 0)

    def answer(self, request):
        """The packet answering one request datagram, or None, counting which it was."""
        self.counters["requests"] += 1
        if len(request) != HEADER.size:
            self.counters["requests_malformed"] += 1
            return None
        session, first, wanted = HEADER.unpack(request)
        if session != self.journal.session:
            self.counters["requests_foreign_session"] += 1
            return None
        if wanted == 0:
            self.counters["requests_malformed"] += 1
            return None
        if self.to_drop:
            self.to_drop -= 1
            self.counters["requests_dropped"] += 1
            return None
        blocks, room = [], self.max_payload - HEADER.size
        for sequence in range(first, first + min(wanted, self.max_messages)):
            message = self.journal.messages.get(sequence)
            if message is None or 2 + len(message) > room:
                break
            blocks += (BLOCK_LENGTH.pack(len(message)), message)
            room -= 2 + len(message)
        if not blocks:
            # --max-payload fits the longest message, so only an unknown first sequence gets here.
            self.counters["requests_unknown"] += 1
            return None
        count = len(blocks) // 2
        self.counters["answers"] += 1
        self.counters["messages_sent"] += count
        return HEADER.pack(session, first, count) + b"".join(blocks)

    def serve(self, sock):
        while True:
            try:
                request, peer = sock.recvfrom(65535)
            except TimeoutError:
                return
            packet = self.answer(request)
            if packet is not None:
                try:
                    sock.sendto(packet, peer)
                except OSError as e:
                    warn("sendto %s:%d: %s" % (peer[0], peer[1], e.strerror or e))


# ---- options and main ----------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and status 2, not argparse's usage block
        raise Refused(message)


def endpoint(text):
    host, _, port = text.rpartition(":")
    try:
        address = ipaddress.IPv4Address(host)
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("expected IPV4:PORT, got '%s'" % text) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be from 1 to 65535, got '%s'" % text)
    return address.packed, port


def bounded(low, high, kind=int):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("expected a number, got '%s'" % text) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("must be from %s to %s, got '%s'" % (low, high, text))
        return value
    return parse


def parse_args(argv):
    parser = Parser(prog=os.path.basename(sys.argv[0]), description=__doc__.split("\n\n")[0],
                    epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--journal", required=True, metavar="FILE", help="pcap or pcapng capture of the feed")
    add("--feed", required=True, action="append", type=endpoint, metavar="IP:PORT",
        help="a line of the feed (destination group and port); once per line")
    add("--listen", required=True, type=endpoint, metavar="IP:PORT", help="where requests come in")
    add("--max-messages", type=bounded(1, END_OF_SESSION - 1), default=100, metavar="N",
        help="most messages in one answer (default 100)")
    add("--max-payload", type=bounded(HEADER.size + 2, LARGEST_UDP_PAYLOAD), default=1400, metavar="BYTES",
        help="largest answer, UDP payload bytes (default 1400)")
    add("--drop-first", type=bounded(0, 1_000_000_000), default=0, metavar="N",
        help="leave the first N well-formed requests of the session unanswered (default 0)")
    add("--idle-exit", type=bounded(0.001, 86400.0, float), metavar="SECONDS",
        help="exit after this long without a request (default: run until SIGTERM or SIGINT)")
    add("--ready-file", metavar="PATH", help="created when the server is ready")
    return parser.parse_args(argv)


def stop(signum, frame):
    raise Stop()


def write_ready_file(path, line):
    partial = path + ".partial"  # renamed whole, so a waiter never reads half a line
    try:
        with open(partial, "w") as f:
            f.write(line + "\n")
        os.replace(partial, path)
    except OSError as e:
        raise Refused("cannot write --ready-file %s: %s" % (path, e.strerror or e)) from None


def main(argv):
    args = parse_args(argv)
    journal = Journal(args.journal, set(args.feed))
    longest = max(len(m) for m in journal.messages.values())
    if args.max_payload < HEADER.size + 2 + longest:
        raise Refused("--max-payload %d cannot carry the journal's longest message (%d bytes): needs %d"
                      % (args.max_payload, longest, HEADER.size + 2 + longest))
    server = Server(journal, args.max_messages, args.max_payload, args.drop_first)

    listen = (str(ipaddress.IPv4Address(args.listen[0])), args.listen[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(listen)
    except OSError as e:
        raise Refused("cannot listen on %s:%d: %s" % (listen[0], listen[1], e.strerror or e)) from None
    sock.settimeout(args.idle_exit)

    held = journal.messages.keys()
    ready = "ready messages=%d first=%d last=%d session=%s" % (
        len(held), min(held), max(held), journal.session.decode("ascii", "replace").rstrip(" "))
    print(ready, flush=True)
    if args.ready_file:
        write_ready_file(args.ready_file, ready)
    try:
        server.serve(sock)
    except Stop:
        pass
    # No second signal may cut the counters short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for key in COUNTERS:
        print("%s=%d" % (key, server.counters[key]))
    print("journal_packets=%d\njournal_malformed=%d" % (journal.packets, journal.malformed), flush=True)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        sys.exit(main(sys.argv[1:]))
    except Refused as e:
        warn(str(e))
        sys.exit(2)
    except Stop:  # before serving: nothing to report
        sys.exit(0)
