#!/usr/bin/env python3
"""Checks the order a capture file keeps for the rings it takes.

usage: ring_order.py CAPTURE INPUT...

Each INPUT is what one ring received, in order (the rx_pcap file of its queue). Within CAPTURE,
each INPUT's packets must appear in their input order, with non-decreasing timestamps; packets of
different INPUTs may interleave in any way. Only packets that occur exactly once over all the
inputs are placed (a frame two inputs share says nothing about order). Prints what it checked, or
the first packet out of order, and exits 0 or 1.
"""

import sys

from pcap_packets import packets


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    capture, inputs = argv[0], argv[1:]
    owner = {}  # frame bytes -> (input index, position), for frames that occur once over all inputs
    seen = {}
    for i, path in enumerate(inputs):
        with open(path, "rb") as f:
            for position, packet in enumerate(packets(f.read())):
                frame = bytes(packet[2])
                seen[frame] = seen.get(frame, 0) + 1
                owner[frame] = (i, position)
    next_position = [-1] * len(inputs)
    last_time = [-1] * len(inputs)
    placed = 0
    with open(capture, "rb") as f:
        for index, packet in enumerate(packets(f.read())):
            frame, time = bytes(packet[2]), packet[3]
            if seen.get(frame) != 1:
                continue
            i, position = owner[frame]
            if position <= next_position[i] or time < last_time[i]:
                print("packet %d of %s (input %s, #%d at %d ns) comes after #%d at %d ns"
                      % (index, capture, inputs[i], position, time, next_position[i], last_time[i]))
                return 1
            next_position[i], last_time[i] = position, time
            placed += 1
    print("%d packets of %d inputs in input order and time order" % (placed, len(inputs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
