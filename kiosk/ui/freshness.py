"""The line under the kiosk's header saying how fresh its data is: when it was last updated,
and a warning when it is older than ``freshness_days``, when the terminal has no data yet,
or when the terminal's clock is plainly wrong (what is wrong goes to staff as a note).
"""

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from kiosk.config import Settings
from kiosk.services import clock, status


class FreshnessLine(QLabel):
    """Emits ``clock_wrong`` with what is wrong with the clock, for staff."""

    clock_wrong = Signal(str)

    def __init__(self, settings: Settings):
        super().__init__("")
        self.settings = settings
        self.setWordWrap(True)

    def refresh(self, now: dt.datetime | None = None, polish: bool = True) -> None:
        """Say it again as of ``now``. ``polish``: restyle at once when the warning comes or
        goes (not while the window is being built: style() costs ~5 ms at start)."""
        now = now or dt.datetime.now()
        wrong_clock = clock.clock_problem(now)
        if wrong_clock:
            self.clock_wrong.emit(wrong_clock)
            # The villager's word is short; staff find the dates among their notes.
            self.setText("本机日期时间不正确，请工作人员校准终端日期时间")
            self._warn(True, polish)
            return
        state = status.feed_status()
        if state.data_as_of is None:
            self.setText("终端尚无数据，请工作人员同步县级数据")
            self._warn(True, polish)
            return
        as_of = dt.datetime.fromisoformat(state.data_as_of)
        days = (now - as_of).days
        stale = days > int(self.settings.get("freshness_days"))
        text = f"数据更新于 {as_of:%Y-%m-%d %H:%M}"
        self.setText(text + (f"（已 {days} 天未更新，请联系工作人员）" if stale else ""))
        self._warn(stale, polish)

    def _warn(self, on: bool, polish: bool) -> None:
        self.setObjectName("warning" if on else "")
        # The style sheet keys on the object name; a polished widget keeps its old look until
        # it is polished again.
        if polish:
            self.style().unpolish(self)
            self.style().polish(self)
