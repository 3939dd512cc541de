#!/usr/bin/env python3
"""Writes journal variants for rerequest_server_test.sh from gen_itch.py's pcap (classic, nanosecond,
little-endian; read with pcap_packets.py's reader), in DIR:
  be.pcap            classic, microsecond, big-endian
  mixed.pcapng       two sections, one per byte order: VLAN-tagged line B frames, empty name
                     resolution, statistics and unknown blocks, simple packet blocks, a raw IPv4
                     interface, an IPv4 fragment of another session, a malformed packet and a later
                     copy of the first packet with other bytes
  two_sessions.pcap  the pcap with its 11th packet in another session
Python standard library only.

usage: rerequest_journals.py PCAP DIR
"""

import struct
import sys

import pcap_packets

UDP_PAYLOAD = 14 + 20 + 8  # gen_itch's frames: untagged Ethernet, IPv4 without options, UDP
LINE_B = bytes([233, 54, 12, 112])


def records(path):
    """(time in ns, frame) per record, by pcap_packets.py's reader."""
    data = open(path, "rb").read()
    assert struct.unpack_from("<I", data)[0] == 0xA1B23C4D, "expected gen_itch's pcap"
    for _, _, frame, ns in pcap_packets.pcap_packets(data):
        yield ns, frame


def with_payload(frame, payload, fragment=False):
    """The frame with another UDP payload, lengths fixed (the server reads no checksum)."""
    ip = bytearray(frame[14:34])
    struct.pack_into(">H", ip, 2, 20 + 8 + len(payload))
    if fragment:
        struct.pack_into(">H", ip, 6, 0x2000)  # more fragments: the first piece of a datagram
    udp = bytearray(frame[34:42])
    struct.pack_into(">H", udp, 4, 8 + len(payload))
    return frame[:14] + bytes(ip) + bytes(udp) + payload


def block(order, kind, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack(order + "II", kind, 12 + len(body)) + body + struct.pack(order + "I", 12 + len(body))


def section(order, packets, raw_ip_first):
    """A pcapng section in byte order ORDER. With RAW_IP_FIRST, interface 0 is raw IPv4 (unused) and
    the packets are enhanced packet blocks on interface 1, Ethernet; else interface 0 is Ethernet
    and the packets alternate enhanced and simple packet blocks."""
    ethernet = 1 if raw_ip_first else 0
    out = [block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(order, 4, struct.pack(order + "HH", 0, 0))]  # name resolution: nothing but its end
    if raw_ip_first:
        out.append(block(order, 1, struct.pack(order + "HHI", 228, 0, 0)))
    out += [block(order, 1, struct.pack(order + "HHI", 1, 0, 0)),  # Ethernet, no snaplen
            block(order, 0x40000BAD, b"not for us")]               # a custom block nobody reads
    for i, (ns, frame) in enumerate(packets):
        if i % 2 and not raw_ip_first:
            out.append(block(order, 3, struct.pack(order + "I", len(frame)) + frame))
        else:
            out.append(block(order, 6, struct.pack(order + "IIIII", ethernet, ns >> 32, ns & 0xFFFFFFFF,
                                                    len(frame), len(frame)) + frame))
    out.append(block(order, 5, struct.pack(order + "III", 0, 0, 0)))  # interface statistics, no options
    return b"".join(out)


def main(pcap, out):
    packets = list(records(pcap))
    header = open(pcap, "rb").read(24)

    with open(out + "/be.pcap", "wb") as f:
        f.write(struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ns, frame in packets:
            f.write(struct.pack(">IIII", ns // 10**9, ns % 10**9 // 1000, len(frame), len(frame)) + frame)

    # Line B's frames tagged 802.1ad then 802.1Q; the big-endian section has both lines, the
    # little-endian one line B alone, so the second half of the session comes only from tagged
    # frames in that byte order. After the first packet: a fragment of another session (skipped,
    # else the journal would be refused), a packet whose count promises a block more than it holds
    # (counted malformed); at the end of the first section a copy of the first packet with other
    # bytes (the first copy wins).
    tagged = [(ns, f[:12] + bytes.fromhex("88a80064810000c8") + f[12:] if f[30:34] == LINE_B else f)
              for ns, f in packets]
    first_ns, first = packets[0]
    elsewhere = struct.pack(">10sQH", b"ELSEWHERE ", 1, 1)
    fragment = with_payload(first, elsewhere + struct.pack(">H", 1) + b"S", fragment=True)
    torn = with_payload(first, first[UDP_PAYLOAD:UDP_PAYLOAD + 18] + struct.pack(">H", 2) + struct.pack(">H", 1) + b"S")
    assert struct.unpack_from(">H", first, UDP_PAYLOAD + 18)[0] > 0, "expected a data packet first"
    later = first[:-1] + bytes([first[-1] ^ 0xFF])
    tagged[1:1] = [(first_ns, fragment), (first_ns, torn)]
    half = len(tagged) // 2
    line_b = [(ns, f) for ns, f in tagged[half:] if f[12:14] == b"\x88\xa8"]
    with open(out + "/mixed.pcapng", "wb") as f:
        f.write(section(">", tagged[:half] + [(first_ns, later)], True) + section("<", line_b, False))

    with open(out + "/two_sessions.pcap", "wb") as f:
        f.write(header)
        for i, (ns, frame) in enumerate(packets):
            if i == 10:
                frame = frame[:UDP_PAYLOAD] + b"ELSEWHERE " + frame[UDP_PAYLOAD + 10:]
            f.write(struct.pack("<IIII", ns // 10**9, ns % 10**9, len(frame), len(frame)) + frame)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
