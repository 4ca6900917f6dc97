"""Python's cycle collector, run on the UI thread only.

Left automatic, the collector runs on whichever thread allocates when a threshold is passed:
often a background task's worker. A QObject in a garbage cycle is then destroyed on that
worker; ~QObject releases the GIL and waits for it back while holding one of Qt's signal
locks, and the UI thread, holding the GIL, waits for that lock: the kiosk freezes for good
(seen once in CI). So the automatic collector stays off and a timer on the UI thread
collects whenever the allocation counts pass the same thresholds Python would use (the
approach calibre has long taken for PyQt). A full collection (the oldest generation) waits
for a quiet moment, when the kiosk shows its start screen, unless none came for
FULL_AT_LEAST_EVERY_S: it scans every object made since start-up.
"""

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 250
FULL_AT_LEAST_EVERY_S = 600


class UiThreadCollector(QObject):
    """Collects the generations whose counts passed their thresholds, on the UI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_EVERY_MS,
                 quiet: Callable[[], bool] = lambda: True):  # fmt: skip
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        self._quiet = quiet
        self._last_full = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def check(self) -> None:
        """One collection of the oldest generation that is due, as Python itself decides; a
        full one only at a quiet moment (or when one is long overdue)."""
        counts = gc.get_count()
        due = [g for g in range(3) if counts[g] > self.thresholds[g]]
        if not due:
            return
        generation = max(due)
        if generation == 2:
            now = time.monotonic()
            if self._quiet() or now - self._last_full > FULL_AT_LEAST_EVERY_S:
                self._last_full = now
            else:
                generation = 1
        gc.collect(generation)
        self.collections += 1
