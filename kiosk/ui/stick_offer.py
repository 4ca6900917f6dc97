"""A USB stick inserted while the staff page is unlocked: noticed within two seconds and
offered at once for both things staff carry one for, 从U盘同步 (when the stick holds the
county feed) and 导出申请到U盘. A stick pulled out takes its offer away.
"""

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from kiosk.services import sync
from kiosk.ui.drives import removable_drives

POLL_MS = 2_000  # how often an unlocked page looks for a newly inserted stick


class StickOffer(QWidget):
    """The offer (a line, 从U盘同步 and 导出申请到U盘), hidden until a stick comes; ``start``
    watches (sticks already in are offered too, once), ``stop`` forgets.

    Emits ``sync_wanted`` with the feed folder on the stick, ``export_wanted`` with the
    stick's root, and ``said`` with a line for staff.
    """

    sync_wanted = Signal(Path)
    export_wanted = Signal(Path)
    said = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QGridLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.sync_button = QPushButton("从U盘同步")
        self.export_button = QPushButton("导出申请到U盘")
        for button in (self.sync_button, self.export_button):
            button.setAccessibleName(button.text())
        self.sync_button.clicked.connect(self._sync_from_offered)
        self.export_button.clicked.connect(lambda: self._offered and self.export_wanted.emit(self._offered))
        row.addWidget(self.label, 0, 0, 1, 2)
        row.addWidget(self.sync_button, 1, 0)
        row.addWidget(self.export_button, 1, 1)
        self.setVisible(False)
        self._watching = False
        self._offered: Path | None = None
        self._known_drives: set[Path] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._look_for_stick)

    def start(self) -> None:
        """Watch for sticks; those already in are offered too, once."""
        self._watching = True
        self._known_drives = set()
        self._look_for_stick()
        self.timer.start()

    def stop(self) -> None:
        """Stop watching, and take any offer away."""
        self._watching = False
        self.timer.stop()
        self.setVisible(False)
        self._offered = None

    def _look_for_stick(self) -> None:
        """Offer what a newly inserted stick is for; forget sticks that went away."""
        if not self._watching:
            return
        drives = {d.path for d in removable_drives(writable=False)}
        new = sorted(drives - self._known_drives)
        self._known_drives = drives
        if self._offered is not None and self._offered not in drives:
            self._offered = None
            self.setVisible(False)
        if not new:
            return
        self._offered = new[0]
        try:
            feed = sync.feed_on(self._offered)
        except OSError:  # unreadable (still mounting?): offer the export, not the sync
            feed = None
        self.sync_button.setVisible(feed is not None)
        self.label.setText(f"检测到U盘 {self._offered}" + ("，其中有县级数据源" if feed else ""))
        self.setVisible(True)

    def _sync_from_offered(self) -> None:
        try:
            feed = sync.feed_on(self._offered) if self._offered else None
        except OSError as exc:
            self.said.emit(f"无法读取U盘 {self._offered}（{exc.strerror}）")
            return
        if feed is None:
            return
        self.sync_wanted.emit(feed)
