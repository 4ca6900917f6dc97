"""批量打印: a whole town's notice sheets onto a USB stick, off the UI thread, with progress
and cancel. The work is kiosk.services.notices.print_township; this page only drives it.

The stick is chosen from big buttons (kiosk.ui.drives), never by browsing; the sheets go
into a NEW folder on it, ``公示单_<town>_<year>`` (``…(2)`` when that exists), so nothing
already on the stick is overwritten.
"""

from pathlib import Path

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.errors import KnownError
from kiosk.services import notices
from kiosk.ui.drives import DriveChooser
from kiosk.ui.tasks import Task, run_task
from kiosk.ui.widgets import touch_button


class BatchPrintPage(QWidget):
    """Args:
    verify_base_url: where the sheets' QR codes point (the terminal's setting).
    """

    def __init__(self, verify_base_url: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.verify_base_url = verify_base_url
        self.title = QLabel("")
        self.title.setStyleSheet("font-size: 24pt;")
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(48)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 20pt;")
        self.start_button = touch_button("选择U盘并开始")
        self.cancel_button = touch_button("取消")
        self.cancel_button.setEnabled(False)
        self.start_button.clicked.connect(self.choose_drive)
        self.cancel_button.clicked.connect(self.cancel)
        self.drives = DriveChooser("请选择保存公示单的U盘（将在U盘上新建文件夹）")
        self.drives.chosen.connect(self.start_on_drive)
        self.drives.cancelled.connect(self._drives_done)
        self.drives.hide()
        layout = QVBoxLayout(self)
        for widget in (self.title, self.progress, self.status, self.start_button,
                       self.cancel_button, self.drives):  # fmt: skip
            layout.addWidget(widget)
        layout.addStretch(1)
        self._town: tuple[str, str] | None = None
        self._year = 0
        self.worker: Task | None = None

    def prepare(self, town_code: str, town_name: str, year: int) -> None:
        self._town, self._year = (town_code, town_name), year
        self.title.setText(f"批量打印：{town_name} {year}年度公示单")
        self.status.setText("请插入U盘，然后点“选择U盘并开始”")
        self.progress.setValue(0)

    def clear(self) -> None:
        """Idle reset: forget the drive list (a running batch carries on)."""
        self._drives_done()

    def running(self) -> bool:
        return self.worker is not None and self.worker.is_running()

    def choose_drive(self) -> None:
        if self._town is None or self.running():
            return
        self.start_button.hide()  # the chooser has its own 取消; one at a time
        self.cancel_button.hide()
        self.drives.show()
        self.drives.refresh()

    def _drives_done(self) -> None:
        self.drives.clear()
        self.drives.hide()
        self.start_button.show()
        self.cancel_button.show()

    def start_on_drive(self, drive: Path) -> None:
        """Make a new folder for this town and year on the stick and print into it."""
        self._drives_done()
        if self._town is None:
            return
        try:
            folder = notices.new_folder(drive, f"公示单_{self._town[1]}_{self._year}")
        except KnownError as exc:
            self.status.setText(exc.zh)
            return
        self.start(folder)

    def start(self, folder: Path) -> None:
        if self._town is None or self.running():
            return
        town_code, year = self._town[0], self._year

        def work(task: Task) -> str:  # worker thread: no widgets
            result = notices.print_township(
                town_code, year, folder,
                notices.NoticeOptions(verify_base_url=self.verify_base_url, actor="kiosk-batch"),
                progress=task.progress, cancelled=task.cancelled,
            )  # fmt: skip
            stopped = "已取消，" if task.cancelled() else ""
            return (f"{stopped}已生成 {len(result.printed)} 个村的公示单，"
                    f"{len(result.skipped)} 个村无发放记录；保存在：{folder}")  # fmt: skip

        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("正在生成……")
        self.worker = run_task(work, name="batch-print", on_success=self.status.setText,
                               on_failure=lambda error: self.status.setText(error.zh),
                               on_progress=self._on_progress, on_done=self._on_done)  # fmt: skip

    def cancel(self) -> None:
        if self.worker:
            self.worker.cancel()

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.status.setText(f"已完成 {done}/{total}：{name}")

    def _on_done(self) -> None:
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
