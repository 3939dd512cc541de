#!/usr/bin/env python3
"""Maps FILE (2 MiB, created if absent) shared, touches its page, closes the descriptor and sleeps
SECONDS: a holder /proc shows in maps only, as DPDK's --legacy-mem leaves hugepage files. For
hugepages_test.sh. Exits 1 when mmap fails. Python standard library only.

usage: hold_mapping.py FILE SECONDS
"""

import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 2 << 20)
addr = libc.mmap(None, 2 << 20, 3, 1, fd, 0)  # PROT_READ|PROT_WRITE, MAP_SHARED
if addr in (None, ctypes.c_void_p(-1).value):
    sys.exit(1)
ctypes.memset(addr, 1, 1)  # fault the page in
os.close(fd)
time.sleep(float(sys.argv[2]))
