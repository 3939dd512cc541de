#!/usr/bin/env python3
"""Damages a copy of a classic pcap file the ways real files get damaged, for the tests of sentinel's
rx_pcap check. Prints "OFFSET GOOD" (where the damaged record's header starts, and the records
before it), found by walking the records itself (python3 standard library only).

  bad-caplen K    record K (from 0) becomes a header with caplen 0xffffffff and 48 zero bytes: libpcap
                  refuses it and reads the zeros as three 0-byte records, then the records after it
  truncate        the last record loses the second half of its data (a capture cut off mid-write)
  bad-magic       the first byte of the magic number becomes 0

usage: damage_pcap.py IN OUT bad-caplen K | truncate | bad-magic
"""

import struct
import sys

MAGICS = (0xA1B2C3D4, 0xA1B23C4D)
FILE_HEADER = 24
RECORD_HEADER = 16


def records(data):
    """(offset, caplen) per record of a sound file."""
    order = "<" if struct.unpack_from("<I", data)[0] in MAGICS else ">"
    offset = FILE_HEADER
    while offset < len(data):
        caplen = struct.unpack_from(order + "I", data, offset + 8)[0]
        yield offset, caplen, order
        offset += RECORD_HEADER + caplen


def main(argv):
    if len(argv) < 3 or argv[2] not in ("bad-caplen", "truncate", "bad-magic"):
        sys.stderr.write(__doc__.split("\n\n")[-1])
        return 2
    with open(argv[0], "rb") as f:
        data = bytearray(f.read())
    table = list(records(data))
    if argv[2] == "bad-caplen":
        k = int(argv[3])
        offset, caplen, order = table[k]
        sec, frac = struct.unpack_from(order + "II", data, offset)
        bad = struct.pack(order + "IIII", sec, frac, 0xFFFFFFFF, 64) + bytes(48)
        data[offset:offset + RECORD_HEADER + caplen] = bad
        good = k
    elif argv[2] == "truncate":
        offset, caplen, _ = table[-1]
        del data[len(data) - (caplen - caplen // 2):]
        good = len(table) - 1
    else:
        data[0] = 0
        offset, good = 0, 0
    with open(argv[1], "wb") as f:
        f.write(data)
    print(offset, good)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
