#!/usr/bin/env python3
"""Prints the packets of a pcap or pcapng file, one line each, for packet-for-packet comparisons.

A reader of its own (python3 standard library only), so that the tests compare what sentinel
wrote against tcpdump's output through a third, independent parser. It is strict about pcapng
structure: a block whose trailing length differs from its leading one, a length that is not a
multiple of 4, a packet on an interface no IDB declared or a file cut short is an error (exit 1).

usage: pcap_packets.py [--count | --lengths | --interfaces | --times | --blocks | --isb] FILE
  (default)     "orig_len cap_len hex" per packet
  --count       the number of packets
  --lengths     "orig_len cap_len" per packet
  --interfaces  "interface_id" per packet
  --times       "seconds.nanoseconds" per packet (the timestamp, whatever the file's resolution)
  --blocks      the pcapng block types in order, one per line (hex)
  --isb         "interface isb_ifrecv isb_ifdrop" per interface statistics block (- where absent)
"""

import struct
import sys

PCAP_MAGICS = {0xA1B2C3D4: 1_000_000, 0xA1B23C4D: 1_000_000_000}
SHB, IDB, SPB, ISB, EPB = 0x0A0D0D0A, 0x00000001, 0x00000003, 0x00000005, 0x00000006
ISB_IFRECV, ISB_IFDROP = 4, 5
BYTE_ORDER_MAGIC = 0x1A2B3C4D


class Damaged(Exception):
    pass


def pcap_packets(data):
    """(interface, orig_len, bytes, timestamp in ns) per packet."""
    magic_le = struct.unpack_from("<I", data)[0]
    order = "<" if magic_le in PCAP_MAGICS else ">"
    units = PCAP_MAGICS[struct.unpack_from(order + "I", data)[0]]
    if len(data) < 24:
        raise Damaged("pcap header cut short")
    offset = 24
    while offset < len(data):
        if offset + 16 > len(data):
            raise Damaged("record header cut short at offset %d" % offset)
        sec, frac, cap_len, orig_len = struct.unpack_from(order + "IIII", data, offset)
        offset += 16
        if offset + cap_len > len(data):
            raise Damaged("record data cut short at offset %d" % offset)
        yield 0, orig_len, data[offset:offset + cap_len], sec * 1_000_000_000 + frac * (1_000_000_000 // units)
        offset += cap_len


def pcapng_blocks(data):
    """(order, type, body) per block; ORDER follows the section header before it."""
    offset = 0
    order = "<"
    while offset < len(data):
        if offset + 12 > len(data):
            raise Damaged("block header cut short at offset %d" % offset)
        block_type = struct.unpack_from("<I", data, offset)[0]
        if block_type == SHB:
            magic = struct.unpack_from("<I", data, offset + 8)[0]
            if magic == BYTE_ORDER_MAGIC:
                order = "<"
            elif magic == struct.unpack(">I", struct.pack("<I", BYTE_ORDER_MAGIC))[0]:
                order = ">"
            else:
                raise Damaged("section header with a bad byte-order magic at offset %d" % offset)
        block_type, length = struct.unpack_from(order + "II", data, offset)
        if length < 12 or length % 4:
            raise Damaged("block at offset %d has length %d" % (offset, length))
        if offset + length > len(data):
            raise Damaged("block at offset %d (type 0x%x, %d bytes) runs past the end of the file (%d bytes)"
                          % (offset, block_type, length, len(data)))
        trailer = struct.unpack_from(order + "I", data, offset + length - 4)[0]
        if trailer != length:
            raise Damaged("block at offset %d: leading length %d, trailing %d" % (offset, length, trailer))
        yield order, block_type, data[offset + 8:offset + length - 4]
        offset += length


def options_of(order, options):
    """{code: bytes} of a block's options."""
    found = {}
    offset = 0
    while offset + 4 <= len(options):
        code, length = struct.unpack_from(order + "HH", options, offset)
        if code == 0:
            break
        if offset + 4 + length > len(options):
            raise Damaged("option %d runs past its block" % code)
        found[code] = options[offset + 4:offset + 4 + length]
        offset += 4 + (length + 3) // 4 * 4
    return found


def interface_statistics(data):
    """(interface, isb_ifrecv, isb_ifdrop) per ISB; None where an option is absent."""
    for order, block_type, body in pcapng_blocks(data):
        if block_type == ISB:
            interface = struct.unpack_from(order + "I", body)[0]
            found = options_of(order, body[12:])
            value = lambda code: struct.unpack(order + "Q", found[code])[0] if len(found.get(code, b"")) == 8 else None
            yield interface, value(ISB_IFRECV), value(ISB_IFDROP)


def ticks_per_second(order, options):
    """if_tsresol from an IDB's options; 10^6 when absent."""
    offset = 0
    while offset + 4 <= len(options):
        code, length = struct.unpack_from(order + "HH", options, offset)
        if code == 0:
            break
        if code == 9 and length >= 1:
            resol = options[offset + 4]
            return 2 ** (resol & 0x7F) if resol & 0x80 else 10 ** resol
        offset += 4 + (length + 3) // 4 * 4
    return 1_000_000


def to_ns(ticks, per_second):
    return ticks // per_second * 1_000_000_000 + ticks % per_second * 1_000_000_000 // per_second


def pcapng_packets(data):
    interfaces = []  # (snaplen, ticks per second)
    for order, block_type, body in pcapng_blocks(data):
        if block_type == SHB:
            interfaces = []
        elif block_type == IDB:
            snaplen = struct.unpack_from(order + "HHI", body)[2]
            interfaces.append((snaplen, ticks_per_second(order, body[8:])))
        elif block_type == EPB:
            interface, high, low, cap_len, orig_len = struct.unpack_from(order + "IIIII", body)
            if interface >= len(interfaces):
                raise Damaged("packet on interface %d, but only %d IDBs" % (interface, len(interfaces)))
            if 20 + cap_len > len(body):
                raise Damaged("packet block shorter than its captured length %d" % cap_len)
            yield interface, orig_len, body[20:20 + cap_len], to_ns(high << 32 | low, interfaces[interface][1])
        elif block_type == SPB:
            if not interfaces:
                raise Damaged("simple packet block before any IDB")
            orig_len = struct.unpack_from(order + "I", body)[0]
            yield 0, orig_len, body[4:4 + min(orig_len, interfaces[0][0] or orig_len)], 0


def packets(data):
    if len(data) < 4:
        raise Damaged("file of %d bytes" % len(data))
    magic = struct.unpack_from("<I", data)[0]
    if magic in PCAP_MAGICS or struct.unpack_from(">I", data)[0] in PCAP_MAGICS:
        return pcap_packets(data)
    if magic == SHB:
        return pcapng_packets(data)
    raise Damaged("neither pcap nor pcapng (first word 0x%08x)" % magic)


def main(argv):
    mode = "hex"
    if argv and argv[0].startswith("--"):
        mode = argv.pop(0)[2:]
    if len(argv) != 1 or mode not in ("hex", "count", "lengths", "interfaces", "times", "blocks", "isb"):
        sys.stderr.write(__doc__.split("\n\n")[-1])
        return 2
    try:
        with open(argv[0], "rb") as f:
            data = f.read()
    except OSError as e:
        sys.stderr.write("pcap_packets: %s\n" % e)
        return 1
    out = sys.stdout
    try:
        if mode == "blocks":
            for _, block_type, _ in pcapng_blocks(data):
                out.write("0x%08x\n" % block_type)
            return 0
        if mode == "isb":
            for isb in interface_statistics(data):
                out.write(" ".join("-" if v is None else str(v) for v in isb) + "\n")
            return 0
        count = 0
        for interface, orig_len, payload, ns in packets(data):
            count += 1
            if mode == "hex":
                out.write("%d %d %s\n" % (orig_len, len(payload), payload.hex()))
            elif mode == "lengths":
                out.write("%d %d\n" % (orig_len, len(payload)))
            elif mode == "interfaces":
                out.write("%d\n" % interface)
            elif mode == "times":
                out.write("%d.%09d\n" % divmod(ns, 1_000_000_000))
        if mode == "count":
            out.write("%d\n" % count)
    except (Damaged, struct.error) as e:
        sys.stderr.write("pcap_packets: %s: %s\n" % (argv[0], e))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # a reader such as head or cmp that stopped early
        sys.stderr.close()
        sys.exit(1)
