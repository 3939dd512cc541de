#!/usr/bin/env python3
"""Copies a classic pcap of a MoldUDP64 feed, inserting forged packets of the attacker's choosing.

Each forged frame reuses the Ethernet, IPv4 and UDP headers of a real frame of the line it is sent
on (so the filter marks it for that line), with its own MoldUDP64 payload; the IPv4 header checksum
is recomputed, the UDP checksum left 0 (none). The forged packet's session is the feed's own unless
one is named.

usage: inject_mold.py IN OUT PORT_A PORT_B SPEC...
  SPEC  AT:LINE:KIND:SEQUENCE[:SESSION]
        AT        insert before the AT-th frame of the input (0-based), after everything when past the end
        LINE      a or b (the UDP destination port PORT_A or PORT_B)
        KIND      msg (one 1-byte message), heartbeat, eos (end of session), or msgN (N messages)
        SEQUENCE  the packet's sequence number, decimal
        SESSION   10 characters, space-padded; default: the feed's own
Prints, one line per line, "a=N" and "b=N": how many frames it inserted on each.
"""

import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data)[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("inject_mold.py: %s is not a little-endian classic pcap" % path)
    frames, at = [], 24
    while at < len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, at)
        frames.append(((sec, frac), data[at + 16:at + 16 + incl]))
        at += 16 + incl
    return data[:24], frames


def udp_port(frame):
    """The UDP destination port of an untagged IPv4 frame, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 0x0F) * 4
    return struct.unpack_from(">H", frame, 14 + ihl + 2)[0]


def ip_checksum(header):
    total = sum(struct.unpack(">%dH" % (len(header) // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def forge(template, session, sequence, kind):
    if kind == "heartbeat":
        payload = session + struct.pack(">QH", sequence, 0)
    elif kind == "eos":
        payload = session + struct.pack(">QH", sequence, 0xFFFF)
    else:
        count = int(kind[3:] or "1")
        payload = session + struct.pack(">QH", sequence, count) + b"".join(struct.pack(">H", 1) + b"Z" for _ in range(count))
    ihl = (template[14] & 0x0F) * 4
    ip = bytearray(template[14:14 + ihl])
    struct.pack_into(">H", ip, 2, ihl + 8 + len(payload))
    struct.pack_into(">H", ip, 10, 0)
    struct.pack_into(">H", ip, 10, ip_checksum(bytes(ip)))
    udp = bytearray(template[14 + ihl:14 + ihl + 8])
    struct.pack_into(">HH", udp, 4, 8 + len(payload), 0)
    return template[:14] + bytes(ip) + bytes(udp) + payload


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    src, dst, port_a, port_b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    header, frames = read_pcap(src)
    templates = {}
    for _, frame in frames:
        port = udp_port(frame)
        for line, want in (("a", port_a), ("b", port_b)):
            if port == want and line not in templates:
                templates[line] = frame
    inserts = {}
    counts = {"a": 0, "b": 0}
    for spec in sys.argv[5:]:
        parts = spec.split(":")
        at, line, kind, sequence = int(parts[0]), parts[1], parts[2], int(parts[3])
        if line not in templates:
            sys.exit("inject_mold.py: no frame of line %s to copy headers from" % line)
        ihl = (templates[line][14] & 0x0F) * 4
        own = templates[line][14 + ihl + 8:14 + ihl + 18]
        session = parts[4].ljust(10).encode() if len(parts) > 4 else own
        inserts.setdefault(min(at, len(frames)), []).append(forge(templates[line], session, sequence, kind))
        counts[line] += 1
    out = [header]
    for i in range(len(frames) + 1):
        for forged in inserts.get(i, []):
            stamp = frames[min(i, len(frames) - 1)][0]
            out.append(struct.pack("<IIII", stamp[0], stamp[1], len(forged), len(forged)) + forged)
        if i < len(frames):
            stamp, frame = frames[i]
            out.append(struct.pack("<IIII", stamp[0], stamp[1], len(frame), len(frame)) + frame)
    open(dst, "wb").write(b"".join(out))
    for line in ("a", "b"):
        print("%s=%d" % (line, counts[line]))


if __name__ == "__main__":
    main()
