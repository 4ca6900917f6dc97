"""Freed memory handed back to the system while nobody is at the kiosk.

glibc keeps memory that Python and Qt have freed (worker threads each get an arena of their
own), and a kiosk's resident size then drifts with whatever the day fragmented: 13-29 MB
held free at the end of the same simulated day. ``malloc_trim`` returns those pages; the
kiosk calls it after each reset to the home page, when the next villager is not waiting.
"""

import functools
import time


@functools.cache
def _trim():
    """glibc's malloc_trim, or None (another C library, or none found)."""
    import ctypes  # not at import: ctypes.util brings subprocess (~3 ms before the first frame)
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def release_free_memory() -> float:
    """Hand freed heap pages back to the system; how long it took, in ms (0: not possible)."""
    trim = _trim()
    if trim is None:
        return 0.0
    started = time.perf_counter()
    trim(0)
    return (time.perf_counter() - started) * 1000
