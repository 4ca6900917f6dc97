"""Villagers' requests carried to the county on a USB stick: the stick picked from big
buttons (or offered when it was inserted), the sealed requests still waiting copied onto it
(``<stick>/inbox/``) off the UI thread, and what came of it said in one line.
"""

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kiosk.services import push
from kiosk.ui.drives import DriveChooser
from kiosk.ui.tasks import Task, run_task


class RequestExport(QObject):
    """The export and its ``chooser`` (laid out by the staff page). Emits ``said`` with a line
    for staff and ``exported`` after a copy, complete or not (the outbox line follows)."""

    said = Signal(str)
    exported = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.task: Task | None = None
        self.chooser = DriveChooser("请选择要导出申请的U盘", writable=True)
        self.chooser.chosen.connect(self.export)
        self.chooser.cancelled.connect(lambda: self.chooser.setVisible(False))
        self.chooser.setVisible(False)

    def pick(self) -> None:
        """Show the sticks to export onto."""
        self.chooser.setVisible(True)
        self.chooser.refresh()

    def export(self, root: Path) -> None:
        """Copy the requests waiting for the county onto the stick (``<stick>/inbox/``)."""
        self.chooser.setVisible(False)
        if self.task is not None and self.task.is_running():
            return
        self.said.emit(f"正在导出申请到 {root}……")
        self.task = run_task(lambda _task: push.export_to_folder(root), name="outbox-usb",
                             on_success=lambda r: self._exported(root, r),
                             on_failure=lambda e: self.said.emit(e.zh))  # fmt: skip

    def _exported(self, root: Path, report) -> None:
        if report.failed:
            self.said.emit(f"导出未完成：已导出 {report.sent} 件，{report.waiting} 件仍在本机排队"
                           "（U盘被拔出或已满？），请重试")  # fmt: skip
        else:
            self.said.emit(f"已导出 {report.sent} 件申请到 {root / 'inbox'}，请交县里受理")
        self.exported.emit()
