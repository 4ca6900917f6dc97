"""Self-repair of a damaged database while the kiosk runs: SQLite's quick_check after the
first frame, the damaged file set aside, a new one rebuilt from the feed cache off the UI
thread, and the villager and staff told how it went. kiosk.services.repair does the work;
this decides when, and what is said.

The window composes one ``RepairFlow`` and wires its signals: ``begun`` (the window goes
home before the file is set aside), ``said`` (a line for the villager), ``noted`` (a note
for staff) and ``finished`` (the data shown must follow the new database).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kiosk import log
from kiosk.errors import as_known
from kiosk.services import repair
from kiosk.ui.tasks import run_task

_log = log.get("kiosk.ui")


class RepairFlow(QObject):
    """Checks and repairs the terminal's database at ``db_path`` (None: nothing to repair)."""

    begun = Signal()
    said = Signal(str)
    noted = Signal(str)
    finished = Signal()

    def __init__(self, db_path: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.repairing = False

    def check(self) -> None:
        """SQLite's quick_check, off the UI thread; a damaged file is repaired."""
        if self.db_path is not None:
            db = self.db_path
            run_task(lambda _task: repair.check(db), name="quick-check",
                     on_success=lambda problem: problem and self.begin(problem))  # fmt: skip

    def begin(self, reason: str) -> None:
        """The database is damaged (``reason``): set it aside and rebuild, once at a time."""
        if self.repairing or self.db_path is None:
            return
        self.repairing = True
        _log.error("database damaged (%s): repairing from the feed cache", reason)
        self.begun.emit()
        try:
            aside = repair.set_aside(self.db_path)
        except Exception as exc:
            _log.exception("could not set the damaged database aside")
            self.repairing = False
            self.said.emit(f"数据库已损坏且无法自动修复：{as_known(exc).zh}")
            self.noted.emit("数据库已损坏且无法自动修复，请联系技术支持")
            return
        self.rebuild(aside)

    def rebuild(self, aside: Path) -> None:
        """Fill the new, empty database from the feed cache, off the UI thread."""
        self.repairing = True
        self.said.emit("数据库文件损坏，正在用县级数据自动修复，请稍候……")
        db = self.db_path
        run_task(lambda task: repair.rebuild(db, aside, task.progress), name="repair",
                 on_success=lambda done: self._repaired(aside, done.rows),
                 on_failure=lambda error: self._failed(aside, error.zh),
                 on_done=self._done)  # fmt: skip

    def _repaired(self, aside: Path, rows: int) -> None:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        self.noted.emit(f"{stamp} 数据库损坏，已从本机县级数据缓存自动重建（{rows} 行），"
                        f"损坏的文件另存为 {aside.name}")  # fmt: skip
        self.said.emit("数据已修复，可以继续查询")

    def _failed(self, aside: Path, why: str) -> None:
        self.noted.emit(f"数据库损坏，损坏的文件已另存为 {aside.name}，但未能自动重建：{why}")
        self.said.emit("数据库已损坏，请工作人员同步县级数据")

    def _done(self) -> None:
        self.repairing = False
        self.finished.emit()
