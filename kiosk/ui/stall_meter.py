"""How late the UI thread answers a timer: the stall a villager feels as a frozen screen.

A precise timer asks for the UI thread every ``interval_ms``; each answer's lateness (the
time since the last answer, less the interval) is a stall of that length. Lateness is kept
as a histogram in 1 ms buckets (a day of samples costs a few kilobytes), with the worst
stalls and what was running then (``label()``, e.g. the page and the background tasks).
The kiosk keeps one in its staff log (stalls over ``REPORT_MS`` are logged); the benchmarks
print its distribution beside a bare window's.
"""

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer

REPORT_MS = 50.0  # a stall longer than this shows as a frozen screen: logged and kept
_BUCKETS = 2000  # 1 ms each; longer stalls count in the last one (and are among the worst)


@dataclass(frozen=True, order=True)
class Stall:
    ms: float
    label: str
    at: float  # time.monotonic() when it ended


class StallMeter(QObject):
    def __init__(self, interval_ms: int = 10, label: Callable[[], str] = lambda: "", keep: int = 20,
                 parent: QObject | None = None, on_stall: Callable[[Stall], None] | None = None):
        super().__init__(parent)
        self._interval = interval_ms / 1000
        self._label = label
        self._keep = keep
        self._on_stall = on_stall
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self._paused_at: float | None = None
        self.counts = [0] * _BUCKETS
        self.samples = 0
        self.worst: list[Stall] = []  # longest first, at most ``keep``

    def start(self) -> None:
        self._last = None
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._last = None

    def pause(self) -> None:
        """Stop the clock until ``resume()``: a benchmark blocking the UI thread to wait for
        its own purposes is no stall of the kiosk's."""
        if self._paused_at is None:
            self._paused_at = time.perf_counter()

    def resume(self) -> None:
        """Go on counting as if the pause had not happened: the next answer's lateness is
        what the UI thread did since, the kiosk's own work included."""
        if self._paused_at is not None and self._last is not None:
            self._last += time.perf_counter() - self._paused_at
        self._paused_at = None

    def reset(self) -> None:
        self.counts = [0] * _BUCKETS
        self.samples = 0
        self.worst = []

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._paused_at is not None:  # the timer fired inside a paused stretch
            return
        if self._last is not None:
            self.record(max(0.0, (now - self._last - self._interval) * 1000))
        self._last = now

    def record(self, late_ms: float) -> None:
        """One answer, ``late_ms`` after it was due."""
        self.counts[min(int(late_ms), _BUCKETS - 1)] += 1
        self.samples += 1
        full = len(self.worst) >= self._keep
        if late_ms <= 0 or (full and late_ms <= self.worst[-1].ms and late_ms < REPORT_MS):
            return
        stall = Stall(late_ms, self._label(), time.monotonic())  # labelled only when kept
        if not full or late_ms > self.worst[-1].ms:
            bisect.insort(self.worst, stall, key=lambda s: -s.ms)
            del self.worst[self._keep :]
        if late_ms >= REPORT_MS and self._on_stall is not None:
            self._on_stall(stall)

    def percentile(self, share: float) -> float:
        """The lateness (ms, bucket floor) that ``share`` of the answers were within."""
        if not self.samples:
            return 0.0
        wanted = share * self.samples
        total = 0
        for ms, count in enumerate(self.counts):
            total += count
            if total >= wanted:
                return float(ms)
        return float(_BUCKETS - 1)

    @property
    def longest(self) -> float:
        return self.worst[0].ms if self.worst else 0.0

    def over(self, ms: float = REPORT_MS) -> int:
        """How many answers came more than ``ms`` late."""
        return sum(self.counts[int(ms) + 1 :])

    def summary(self) -> str:
        return (f"{self.samples} samples: p50 {self.percentile(0.5):.0f} ms, "
                f"p99 {self.percentile(0.99):.0f} ms, max {self.longest:.0f} ms, "
                f"over {REPORT_MS:.0f} ms: {self.over()}")
