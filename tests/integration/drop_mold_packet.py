#!/usr/bin/env python3
"""Copies gen_itch.py's classic pcap (little-endian, nanosecond) without its 4th MoldUDP64 data packet
from the end (message count 1..65534): a true gap with data behind it, for feed_test.sh. Prints the
dropped packet's message count. Records are read with pcap_packets.py's reader and written back
as they were. Python standard library only.

usage: drop_mold_packet.py IN OUT
"""

import struct
import sys

import pcap_packets


def main(src, dst):
    data = open(src, "rb").read()
    assert struct.unpack_from("<I", data)[0] == 0xA1B23C4D, "expected gen_itch's pcap"
    frames = [struct.pack("<IIII", ns // 10**9, ns % 10**9, len(frame), orig_len) + frame
              for _, orig_len, frame, ns in pcap_packets.pcap_packets(data)]

    def count(frame):
        return struct.unpack_from(">H", frame, 16 + 42 + 18)[0]

    data_frames = [i for i, f in enumerate(frames) if 0 < count(f) < 0xFFFF]
    victim = data_frames[-4]
    print(count(frames[victim]))
    open(dst, "wb").write(data[:24] + b"".join(f for i, f in enumerate(frames) if i != victim))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
