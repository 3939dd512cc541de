#!/usr/bin/env python3
"""Lists the blocks of a pcapng file, or damages one, for tests of sentinel-journal repair.

usage: pcapng_blocks.py list FILE
         "offset type length" per block (type in hex), in file order; exit 1 at the first block
         whose framing does not hold (a length below 12, not a multiple of 4, past the end, or a
         trailing length that differs), after printing the blocks before it
       pcapng_blocks.py overwrite FILE OFFSET HEX
         writes the bytes HEX (e.g. efbeadde) at OFFSET, in place
       pcapng_blocks.py garbage FILE OFFSET COUNT SEED
         writes COUNT pseudo-random bytes at OFFSET, in place; the same SEED gives the same bytes

Little-endian sections only, as x86 tools write them. Python standard library only.
"""

import random
import struct
import sys


def list_blocks(path):
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        if len(data) - offset < 12:
            sys.stderr.write("pcapng_blocks: %s: %d bytes at %d, too few for a block\n" % (path, len(data) - offset, offset))
            return 1
        block_type, length = struct.unpack_from("<II", data, offset)
        if length < 12 or length % 4 or offset + length > len(data) or \
                struct.unpack_from("<I", data, offset + length - 4)[0] != length:
            sys.stderr.write("pcapng_blocks: %s: bad block at %d\n" % (path, offset))
            return 1
        print("%d 0x%08x %d" % (offset, block_type, length))
        offset += length
    return 0


def overwrite(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "list":
        return list_blocks(argv[1])
    if len(argv) == 4 and argv[0] == "overwrite":
        return overwrite(argv[1], int(argv[2]), bytes.fromhex(argv[3]))
    if len(argv) == 5 and argv[0] == "garbage":
        rng = random.Random(int(argv[4]))
        return overwrite(argv[1], int(argv[2]), bytes(rng.randrange(256) for _ in range(int(argv[3]))))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
