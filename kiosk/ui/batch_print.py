"""批量打印: a whole town's notice sheets into a folder, off the UI thread, with progress
and cancel. The work is kiosk.services.notices.print_township; this page only drives it."""

import threading
from pathlib import Path

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.errors import KnownError
from kiosk.services import notices
from kiosk.ui.widgets import touch_button


class _BatchWorker(QThread):
    progressed = Signal(int, int, str)
    finished_with = Signal(str)

    def __init__(self, town_code: str, year: int, folder: Path):
        super().__init__()
        self.town_code, self.year, self.folder = town_code, year, folder
        self.cancel = threading.Event()

    def run(self) -> None:  # runs in the worker thread: no widgets touched here
        try:
            result = notices.print_township(
                self.town_code, self.year, self.folder,
                notices.NoticeOptions(actor="kiosk-batch"),
                progress=lambda done, total, name: self.progressed.emit(done, total, name),
                cancelled=self.cancel.is_set,
            )  # fmt: skip
        except KnownError as exc:
            self.finished_with.emit(exc.zh)
            return
        stopped = "已取消，" if self.cancel.is_set() else ""
        self.finished_with.emit(
            f"{stopped}已生成 {len(result.printed)} 个村的公示单，"
            f"{len(result.skipped)} 个村无发放记录；清单：{result.index}"
        )


class BatchPrintPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("")
        self.title.setStyleSheet("font-size: 24pt;")
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(48)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 20pt;")
        self.start_button = touch_button("选择文件夹并开始")
        self.cancel_button = touch_button("取消")
        self.cancel_button.setEnabled(False)
        self.start_button.clicked.connect(self._choose_and_start)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.progress, self.status, self.start_button,
                       self.cancel_button):  # fmt: skip
            layout.addWidget(widget)
        layout.addStretch(1)
        self._town: tuple[str, str] | None = None
        self._year = 0
        self.worker: _BatchWorker | None = None

    def prepare(self, town_code: str, town_name: str, year: int) -> None:
        self._town, self._year = (town_code, town_name), year
        self.title.setText(f"批量打印：{town_name} {year}年度公示单")
        self.status.setText("请选择保存位置（U盘或文件夹）")
        self.progress.setValue(0)

    def _choose_and_start(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹", "/media")
        if folder:
            self.start(Path(folder))

    def start(self, folder: Path) -> None:
        if self._town is None or (self.worker and self.worker.isRunning()):
            return
        self.worker = _BatchWorker(self._town[0], self._year, folder)
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished_with.connect(self._on_finished)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("正在生成……")
        self.worker.start()

    def cancel(self) -> None:
        if self.worker:
            self.worker.cancel.set()

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.status.setText(f"已完成 {done}/{total}：{name}")

    def _on_finished(self, message: str) -> None:
        self.status.setText(message)
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
