"""Python's cycle collector, run on the UI thread only.

Left automatic, the collector runs on whichever thread allocates when a threshold is passed:
often a background task's worker. A QObject in a garbage cycle is then destroyed on that
worker; ~QObject releases the GIL and waits for it back while holding one of Qt's signal
locks, and the UI thread, holding the GIL, waits for that lock: the kiosk freezes for good
(seen once in CI). So the automatic collector stays off and a timer on the UI thread
collects whenever the allocation counts pass the same thresholds Python would use (the
approach calibre has long taken for PyQt).
"""

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 250


class UiThreadCollector(QObject):
    """Collects the generations whose counts passed their thresholds, on the UI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_EVERY_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def check(self) -> None:
        """One collection of the oldest generation that is due, as Python itself decides."""
        counts = gc.get_count()
        due = [g for g in range(3) if counts[g] > self.thresholds[g]]
        if due:
            gc.collect(max(due))
            self.collections += 1
