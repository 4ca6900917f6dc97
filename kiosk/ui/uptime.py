"""How long this process has been running: what a terminal's start-up time is measured by."""

import os
import time
from functools import cache
from pathlib import Path

_IMPORTED_AT = time.time()


@cache  # read once: /proc/uptime has 10 ms steps, and the start does not move
def _process_start() -> float:
    """When this process was started (Linux: from /proc; elsewhere: when this module loaded)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):  # no /proc, or no sysconf
        return _IMPORTED_AT


def process_age_ms() -> float:
    return (time.time() - _process_start()) * 1000
