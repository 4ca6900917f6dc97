"""The kiosk's idle timeout: every press, touch, key or wheel turn restarts it; when it runs
out, 还在看吗？ (kiosk.ui.idle.StillThere) counts down before the window's reset, unless the
reset would take nothing away (the home page as it starts), which then happens silently.

The window feeds every input event's type to ``input`` from its one application-wide event
filter (an event filter of our own would double the Python calls of every event), and learns
whether the event must be dropped: the touch that dismisses the countdown taps nothing under
it. Qt's enums are not touched before ``arm()``, after the first frame (they cost ~20 ms to
set up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from kiosk.ui.idle import StillThere

COUNTDOWN_S = 10  # how long 还在看吗？ waits for a touch before the reset


class IdleWatch(QObject):
    """The idle timer (``timer``) of ``window``, the kiosk window (kiosk.ui.shell.KioskWindow,
    not imported: it imports this); its 还在看吗？ countdown (``still_there``, built on the
    first timeout that needs it); and what counts as someone being there (``activity``, empty
    until ``arm()``). Emits ``touched`` on every such input."""

    touched = Signal()

    def __init__(self, window: QMainWindow, timeout_s: int):
        super().__init__(window)
        self._window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(timeout_s * 1000)
        self.timer.timeout.connect(self._timed_out)
        self.timer.start()
        self.countdown_s = COUNTDOWN_S
        self.activity: set[QEvent.Type] = set()
        self._still_there: StillThere | None = None

    def arm(self) -> None:
        """From now on presses, touches, keys and wheel turns count as someone being there."""
        self.activity = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                         QEvent.Type.KeyPress, QEvent.Type.Wheel}  # fmt: skip

    def input(self, kind: QEvent.Type) -> bool:
        """An input event of type ``kind`` reached the kiosk: restart the timer if it shows
        someone is there. Returns whether the window must drop the event: while 还在看吗？
        shows, the touch that dismisses it (press to release) reaches no widget."""
        if kind in self.activity:
            self.timer.start()
            self.touched.emit()
        return self._still_there is not None and self._still_there.swallows(kind)

    def restart(self) -> None:
        """After a reset: no countdown, the timer from the start."""
        if self._still_there is not None:
            self._still_there.stop()
        self.timer.start()

    def _timed_out(self) -> None:
        """Nobody touched the kiosk for idle_timeout_s: ask 还在看吗？ before the reset, unless
        the reset would take nothing away (the home page as it starts)."""
        if self.at_start():
            self._window.reset()  # silently: it still refreshes the freshness line, hour after hour
            self._window.quiet_moment()
            return
        self.still_there.start(self.countdown_s)

    def at_start(self) -> bool:
        """Whether the kiosk shows what a reset would show: the home page, no village, no
        town but the terminal's own, 长辈模式 and 朗读 off (typed input lives on the pages a
        village or a tile leads to, and leaving them for home is the villager's choice)."""
        window = self._window
        town = window.settings.get("town_code")
        start_town = town if town in window.home.town_buttons else None
        return (window.page_name() == "home" and window.village_code is None
                and window.home.town_code == start_town and not window.elderly.isChecked()
                and not window.read_aloud.isChecked())  # fmt: skip

    @property
    def still_there(self) -> StillThere:
        """The 还在看吗？ countdown over the window's content, built on first use."""
        if self._still_there is None:
            from kiosk.ui.idle import StillThere

            self._still_there = StillThere(self._window.centralWidget())
            self._still_there.cancelled.connect(self.timer.start)
            self._still_there.expired.connect(self._window.reset)
        return self._still_there
