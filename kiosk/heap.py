"""Freed memory handed back to the system while nobody is at the kiosk.

glibc keeps memory that Python and Qt have freed (worker threads each get an arena of their
own), and a kiosk's resident size then drifts with whatever the day fragmented: 13-29 MB
held free at the end of the same simulated day. ``malloc_trim`` returns those pages; the
kiosk calls it after each reset to the home page, when the next villager is not waiting.

Blocks of 128 KB and more (a receipt's QR image, a sync's buffers) glibc maps on their own
and unmaps when freed, but each such free raises that threshold, up to 32 MB, after which
big blocks come from the heap and their pages stay: ``keep_large_blocks_mapped`` fixes the
threshold at its default. A simulated day of villagers' comments (each with a receipt):
RSS 190 -> 200-205 MB with the moving threshold, 181 -> 191 MB fixed.
"""

import functools
import time

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept from moving


@functools.cache
def _libc():
    """glibc's functions as ctypes sees them, or None (another C library, or none found)."""
    import ctypes  # not at import: ctypes.util brings subprocess (~3 ms before the first frame)
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is None or not hasattr(libc, "malloc_trim") or not hasattr(libc, "mallopt"):
            return None
    except OSError:
        return None
    libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
    libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return libc


def release_free_memory() -> float:
    """Hand freed heap pages back to the system; how long it took, in ms (0: not possible)."""
    libc = _libc()
    if libc is None:
        return 0.0
    started = time.perf_counter()
    libc.malloc_trim(0)
    return (time.perf_counter() - started) * 1000


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold at its default (see the module docstring); whether it could."""
    libc = _libc()
    return libc is not None and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
