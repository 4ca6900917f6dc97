"""The kiosk keeps itself current: when its data source is a URL it syncs on its own every
``sync_every_minutes`` (with jitter, so a county's terminals do not all arrive at once),
then sends the villagers' requests waiting in its outbox. All of it on a worker thread: a
villager at the screen never waits for it."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import log
from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.ui.tasks import run_task

if TYPE_CHECKING:
    from kiosk.services.sync import SyncResult

_log = log.get("kiosk.ui")
JITTER = 0.2  # each wait is the interval +/- 20 %
FIRST_WAIT_MAX_S = 600  # the first sync after start comes within 10 minutes, spread out


class AutoSync(QObject):
    """Emits ``data_changed`` after a sync that changed data and ``reported(text)`` after
    every attempt (a line for the staff page)."""

    data_changed = Signal()
    reported = Signal(str)

    def __init__(self, settings: Settings, db_path: Path | None, parent: QObject | None = None,
                 rng: random.Random | None = None):  # fmt: skip
        super().__init__(parent)
        self.settings, self.db_path = settings, db_path
        self.rng = rng or random.Random()
        self.last_report = ""
        self.running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)

    def enabled(self) -> bool:
        source = str(self.settings.get("feed_source"))
        return (self.db_path is not None and self.settings.get("sync_every_minutes") > 0
                and source.startswith(("http://", "https://"))
                and bool(self.settings.get("trusted_root")))  # fmt: skip

    def start(self) -> None:
        """Schedule the first sync somewhere in the next few minutes (not all at 8:00)."""
        minutes = self.settings.get("sync_every_minutes")
        first = min(FIRST_WAIT_MAX_S, minutes * 60) if minutes > 0 else FIRST_WAIT_MAX_S
        self.timer.start(int(self.rng.uniform(0.1, 1.0) * first * 1000))

    def _schedule_next(self) -> None:
        minutes = max(1, self.settings.get("sync_every_minutes"))
        wait_s = minutes * 60 * self.rng.uniform(1 - JITTER, 1 + JITTER)
        self.timer.start(int(wait_s * 1000))

    def stop(self) -> None:
        self.timer.stop()

    def run_now(self) -> None:
        """One round: sync, then push the outbox. Settings are read now: staff may have
        changed the source or the interval since the last round."""
        if self.running:
            return
        if not self.enabled():
            self._schedule_next()  # asked again later: the source may become a URL
            return
        self.running = True
        source, root = self.settings.get("feed_source"), Path(self.settings.get("trusted_root"))
        db, url, settings = self.db_path, self.settings.get("outbox_url"), self.settings
        run_task(lambda task: _round(source, db, root, url, settings, task.cancelled), name="auto-sync",
                 on_success=self._done, on_failure=self._failed, on_done=self._finished)  # fmt: skip

    def _done(self, outcome: tuple[SyncResult, str]) -> None:
        result, pushed = outcome
        what = "已是最新" if result.up_to_date else f"更新 {result.changed} 个分区"
        self._report(f"自动同步：{what}，版本 {result.version}，数据截至 {result.data_as_of}{pushed}")
        if not result.up_to_date:
            self.data_changed.emit()

    def _failed(self, error: KnownError) -> None:
        self._report(f"自动同步未完成：{error.zh}")

    def _finished(self) -> None:
        self.running = False
        self._schedule_next()

    def _report(self, text: str) -> None:
        self.last_report = text
        _log.info("%s", text)
        self.reported.emit(text)


def _round(source: str, db: Path, root: Path, outbox_url: str, settings: Settings,
           cancelled: Callable[[], bool]) -> tuple[SyncResult, str]:  # fmt: skip
    """Worker thread: sync, then send what waits for the county, then fetch a new program
    version if the feed offers one (their failures are reported, the sync's result stands)."""
    # Imported by the kiosk in steps after start-up (kiosk.services.preload): here they are
    # already loaded, and this module stays light for the first frame.
    from kiosk.services import push, sync, updates

    result = sync.sync(source, db, root, cancelled=cancelled)
    said = ""
    if outbox_url:
        try:
            report = push.push_to_url(outbox_url)
            said = f"；申请送出 {report.sent} 件，仍在排队 {report.waiting} 件"
        except KnownError as exc:
            said = f"；申请上传失败：{exc.zh}"
    try:
        line = updates.check(source, db, root, settings, cancelled)
    except KnownError as exc:
        line = f"程序更新未完成：{exc.zh}"
    return result, said + (f"；{line}" if line else "")
