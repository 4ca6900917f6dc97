"""打印公示: preview a village's notice sheet, flip pages by touch, print it or save it to a
USB stick. The PDF comes from kiosk.services.notices; this page only shows and hands it out.

Nothing here opens a stock dialog or browses files (DESIGN.md, Kiosk rules). 打印 shows our
own confirmation in the page (which printer, how many pages, 确认打印 / 取消); the notice
then goes to the configured printer (setting ``printer``, "" = the system default): with
CUPS ``lp`` as the PDF itself where there is CUPS, else (Windows) rendered page by page
through QPrinter (kiosk.ui.printing, as the receipt is). 保存到U盘 lists the mounted USB
sticks as buttons (kiosk.ui.drives) and writes a new file to the chosen one, never over an
existing file. Both run off the UI thread (kiosk.ui.tasks); a failure is shown in Chinese
and the buttons come back.

The preview takes no print number (its footer says 预览) and records nothing; a print or a
save renders the final sheet with the next number and records one audit row naming the
printer or the file and the page count.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.services import notices
from kiosk.ui.drives import DriveChooser
from kiosk.ui.notice_options import NoticeOptionsBar
from kiosk.ui.printing import find_printer_for, render_to_printer, send_pdf
from kiosk.ui.tasks import Task, run_task
from kiosk.ui.widgets import TOUCH, CurrentPageStack, FlowGrid, kinetic, touch_button

ACTOR = "kiosk"
ZOOMS = ("适合页面", "适合宽度", "100%")


def sweep_stale_scratch(older_than_s: float = 12 * 3600) -> int:
    """Remove ``kiosk-print-*`` folders untouched for ``older_than_s``; returns how many."""
    limit = time.time() - older_than_s
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob("kiosk-print-*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


class PrintPage(QWidget):
    """Preview and hand out one notice; ``load`` builds it, ``message`` says what happened.
    Emits ``back_requested`` for 返回列表.

    Args:
        settings: the terminal's settings (the printer); by default the window's.
    """

    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None, settings: Settings | None = None):
        super().__init__(parent)
        self._settings = settings
        # One scratch folder per page, removed when the page goes or the app quits; those
        # a crash or a power cut left behind go the next time a print page is built.
        sweep_stale_scratch()
        scratch = tempfile.TemporaryDirectory(prefix="kiosk-print-", ignore_cleanup_errors=True)
        self._scratch, self._scratch_dir = Path(scratch.name), scratch
        self.destroyed.connect(lambda *_: scratch.cleanup())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(scratch.cleanup)
        self._serial = 0  # names each scratch file afresh
        self._notice: tuple[str, int, str | None] | None = None
        self._title = ""
        self.pdf_path: Path | None = None
        self.printer_name = ""  # the printer the confirmation names
        self.task: Task | None = None

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 20pt;")
        self.message.setAccessibleName("提示")
        self.panels = CurrentPageStack(self)
        self.preview_panel = self._build_preview()
        self.confirm_panel = self._build_confirm()
        self.drives = DriveChooser("请选择要保存到的U盘（公示单将另存为新文件，不会覆盖U盘上的文件）")
        self.drives.chosen.connect(self.save_to)
        self.drives.cancelled.connect(self.back)
        self.busy_panel = QLabel("")
        self.busy_panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy_panel.setWordWrap(True)
        self.busy_panel.setStyleSheet("font-size: 32pt;")
        for panel in (self.preview_panel, self.confirm_panel, self.drives, self.busy_panel):
            self.panels.addWidget(panel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.panels, stretch=1)
        self._set_enabled(False)

    def _build_preview(self) -> QWidget:
        panel = QWidget()
        self.document = QPdfDocument(self)
        self.view = QPdfView(panel)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setAccessibleName("公示单预览")
        kinetic(self.view)  # a page fits the view now; a finger still drags it if it ever does not
        self.page_label = QLabel("")
        self.page_label.setStyleSheet("font-size: 22pt;")
        self.previous = touch_button("上一页")
        self.next = touch_button("下一页")
        self.print_button = touch_button("打印")
        self.save_button = touch_button("保存到U盘")
        self.previous.clicked.connect(lambda: self.go(-1))
        self.next.clicked.connect(lambda: self.go(1))
        self.print_button.clicked.connect(self.ask_to_print)
        self.save_button.clicked.connect(self.choose_drive)
        buttons = QHBoxLayout()
        for widget in (self.previous, self.page_label, self.next, self.print_button,
                       self.save_button):  # fmt: skip
            buttons.addWidget(widget)
        # The clerk's choices (公示期, tables, paper), folded until asked for; a change
        # renders the preview again.
        self.options = NoticeOptionsBar()
        self.options.setVisible(False)
        self.options.changed.connect(self.reload)
        self.options_button = touch_button("公示期与纸张")
        self.options_button.setCheckable(True)
        self.options_button.toggled.connect(self.options.setVisible)
        # A whole page fits the view, too small to read at 1366 x 768: zoom, and pinch.
        self.back_button = touch_button("返回列表")
        self.back_button.clicked.connect(self.back_requested.emit)
        self.zoom_buttons = {}
        tools = FlowGrid(max_columns=5)
        for widget in (self.back_button, self.options_button):
            tools.addWidget(widget)
        for label in ZOOMS:
            button = touch_button(label)
            button.clicked.connect(lambda _=False, z=label: self.zoom(z))
            tools.addWidget(button)
            self.zoom_buttons[label] = button
        self.view.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.view.viewport().installEventFilter(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.options)
        layout.addWidget(self.view, stretch=1)
        layout.addLayout(buttons)
        return panel

    def zoom(self, how: str) -> None:
        """适合页面, 适合宽度 or 100%."""
        modes = {"适合页面": QPdfView.ZoomMode.FitInView, "适合宽度": QPdfView.ZoomMode.FitToWidth}
        if how in modes:
            self.view.setZoomMode(modes[how])
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(1.0)

    def eventFilter(self, watched, event) -> bool:
        # Two fingers spread or pinched on the preview zoom it.
        if event.type() == QEvent.Type.Gesture and (pinch := event.gesture(Qt.GestureType.PinchGesture)):
            factor = self.view.zoomFactor() if self.view.zoomMode() == QPdfView.ZoomMode.Custom else 1.0
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(max(0.25, min(4.0, factor * pinch.scaleFactor())))
            event.accept()
            return True
        return super().eventFilter(watched, event)

    def reload(self) -> None:
        """The same notice again, with the choices as they are now (a preview still being
        made is made again)."""
        if self._notice is not None and (self.task is None or self.task.name == "preview"):
            self.load(*self._notice)

    def _build_confirm(self) -> QWidget:
        panel = QWidget()
        self.confirm_title = QLabel("")
        self.confirm_title.setWordWrap(True)
        self.confirm_title.setStyleSheet("font-size: 30pt; font-weight: bold;")
        self.confirm_text = QLabel("")
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setStyleSheet("font-size: 26pt;")
        self.confirm_button = touch_button("确认打印", TOUCH * 3)
        self.cancel_button = touch_button("取消", TOUCH * 3)
        for button in (self.confirm_button, self.cancel_button):
            button.setMinimumHeight(TOUCH + 40)
            button.setStyleSheet("font-size: 28pt;")
        self.confirm_button.clicked.connect(self.confirm_print)
        self.cancel_button.clicked.connect(self.back)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        row.addSpacing(TOUCH)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.confirm_title)
        layout.addSpacing(24)
        layout.addWidget(self.confirm_text)
        layout.addSpacing(48)
        layout.addLayout(row)
        layout.addStretch(2)
        return panel

    def spoken_text(self) -> str:
        """朗读 on this page: where printing stands, and what the villager can do next."""
        panel = self.panels.currentWidget()
        if panel is self.confirm_panel:
            return f"{self.confirm_title.text()}。{self.confirm_text.text()}"
        if panel is self.busy_panel:
            return self.busy_panel.text()
        if panel is self.drives:
            return "请选择要保存到的U盘"
        said = [self.message.text(), self._title, self.page_label.text()]
        if self.print_button.isEnabled():
            said.append("可以点“打印”，或点“保存到U盘”")
        return "。".join(part for part in said if part)

    # -- the preview ----------------------------------------------------------------------

    def load(self, village_code: str, year: int, item_code: str | None = None) -> None:
        """Build the notice off the UI thread (reportlab: ~50 ms for a 500-row village, the
        first ~300 ms with its fonts), then show its first page; one that cannot be made
        says why."""
        self._drop_notice()
        notice = self._notice = (village_code, year, item_code)
        out = self._scratch_file(f"preview_{village_code}_{year}_{item_code or 'all'}")
        options = self._options()
        self._busy("正在生成公示单预览……")

        def work(task: Task) -> notices.PreparedNotice | None:  # worker thread: no widgets
            try:
                preview = notices.preview_notice(village_code, year, out, item_code, options)
            except BaseException:
                out.unlink(missing_ok=True)
                raise
            if task.cancelled():  # the villager left meanwhile: its file goes too
                out.unlink(missing_ok=True)
                return None
            return preview

        self._start(work, "preview", on_success=lambda preview: self._show(notice, out, preview))

    def _show(self, notice: tuple, out: Path, preview: notices.PreparedNotice) -> None:
        self._title, self.pdf_path = preview.title, out
        self.document.load(str(out))
        self.message.setText(f"共 {preview.result.pages} 页　校验码 {preview.result.digest}")
        self.go_to(0)  # and when the job ends, back() brings the buttons

    def clear(self) -> None:
        """Back to the start (idle reset): no notice, the usual choices, the page fitted."""
        self._drop_notice()
        self.options.reset()
        self.options_button.setChecked(False)
        self.zoom("适合页面")

    def _drop_notice(self) -> None:
        """Forget the notice, any confirmation or drive list, and a half-done print.

        A print already handed to the printer still prints (and is recorded); its result
        is no longer shown.
        """
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.panels.setCurrentWidget(self.preview_panel)
        self.drives.clear()
        self.document.close()  # before deleting its file (Windows keeps it open)
        if self.pdf_path is not None:
            self.pdf_path.unlink(missing_ok=True)
        self.pdf_path, self._notice, self._title, self.printer_name = None, None, "", ""
        self.message.setText("")
        self.page_label.setText("")
        self._set_enabled(False)

    def _scratch_file(self, stem: str) -> Path:
        self._serial += 1
        return self._scratch / f"{stem}_{self._serial}.pdf"

    def _options(self) -> notices.NoticeOptions:
        return self.options.options(self.settings.get("verify_base_url"), ACTOR)

    @property
    def settings(self) -> Settings:
        return self._settings or getattr(self.window(), "settings", None) or Settings()

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.previous, self.next, self.print_button, self.save_button):
            button.setEnabled(enabled)

    @property
    def page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go(self, step: int) -> None:
        self.go_to(self.page + step)

    def go_to(self, page: int) -> None:
        count = self.document.pageCount()
        page = max(0, min(page, count - 1))
        self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self.page_label.setText(f"第 {page + 1} / {count} 页")
        self.previous.setEnabled(page > 0)
        self.next.setEnabled(page < count - 1)

    def back(self) -> None:
        """To the preview with its buttons (取消 on the confirmation or the drive list)."""
        self.drives.clear()
        self.panels.setCurrentWidget(self.preview_panel)
        if self.pdf_path is not None:
            self._set_enabled(True)
            self.go_to(self.page)

    def print_to(self, device: QPrinter) -> int:
        """Render every page of the preview to ``device`` (at its resolution)."""
        return render_to_printer(self.document, device)

    # -- printing -------------------------------------------------------------------------

    def ask_to_print(self) -> None:
        """Find the printer (off the UI thread), then show our own confirmation."""
        if self.pdf_path is None or self.task is not None:
            return
        configured, pages = str(self.settings.get("printer")), self.document.pageCount()
        self._set_enabled(False)
        self.message.setText("正在查找打印机……")
        # No printer to print on is a failed print for the status report.
        self._start(lambda _task: find_printer_for("notice", configured, pages), "find-printer",
                    on_success=self._confirm)  # fmt: skip

    def _confirm(self, name: str) -> None:
        self.printer_name = name
        self.confirm_title.setText(f"打印“{self._title}”？")
        self.confirm_text.setText(f"打印机：{name}\n共 {self.document.pageCount()} 页")
        self.message.setText("请确认打印，打印后请到打印机处取公示单")
        self.panels.setCurrentWidget(self.confirm_panel)

    def confirm_print(self) -> None:
        if self._notice is None or self.task is not None or not self.printer_name:
            return
        self._busy("正在打印……")
        code, year, item = self._notice
        name, out, options = self.printer_name, self._scratch_file("print"), self._options()

        def work(task: Task) -> tuple[str, int, str]:  # worker thread: no widgets
            try:
                notice = notices.prepare_notice(code, year, out, item, options)
                if task.cancelled():  # the villager left: nothing sent, nothing recorded
                    return name, 0, ""
                job = send_pdf(notice.path, name, notice.title, what="notice", pages=notice.result.pages)
                where = f"打印机 {job.printer}" + (f"（作业 {job.job_id}）" if job.job_id else "")
                notices.record_print(notice, where, ACTOR)
                return name, notice.result.pages, notice.print_no
            finally:
                out.unlink(missing_ok=True)

        self._start(work, "print", on_success=self._printed)

    def _printed(self, result: tuple[str, int, str]) -> None:
        name, pages, print_no = result
        self.message.setText(f"已发送到打印机“{name}”，共 {pages} 页（打印编号 {print_no}），"
                             "请到打印机处取公示单")  # fmt: skip

    # -- saving to a USB stick ------------------------------------------------------------

    def choose_drive(self) -> None:
        if self.pdf_path is None or self.task is not None:
            return
        self._set_enabled(False)
        self.panels.setCurrentWidget(self.drives)
        self.drives.refresh()  # it says itself how many sticks it found, or that there is none
        self.message.setText("")

    def save_to(self, folder: Path) -> Task | None:
        """Write the notice as a new file in ``folder`` (a drive's root), off the UI thread."""
        if self._notice is None or self.task is not None:
            return None
        self.drives.clear()
        self._busy("正在保存到U盘……")
        code, year, item = self._notice
        out, options = self._scratch_file("save"), self._options()

        def work(task: Task) -> tuple[Path, int, str]:  # worker thread: no widgets
            try:
                notice = notices.prepare_notice(code, year, out, item, options)
                if task.cancelled():
                    return folder, 0, ""
                return notices.save_notice(notice, folder, ACTOR), notice.result.pages, notice.print_no
            finally:
                out.unlink(missing_ok=True)

        return self._start(work, "save-usb", on_success=self._saved)

    def _saved(self, result: tuple[Path, int, str]) -> None:
        target, pages, print_no = result
        self.message.setText(f"已保存到U盘：{target.name}（共 {pages} 页，打印编号 {print_no}），"
                             "可以拔出U盘")  # fmt: skip

    # -- the one background job ------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self._set_enabled(False)
        self.busy_panel.setText(text)
        self.message.setText("")
        self.panels.setCurrentWidget(self.busy_panel)

    def _start(self, work, name: str, on_success) -> Task:
        """Run ``work`` off the UI thread; its result or failure shows only while it is still
        this page's job (clear() forgets it)."""
        task: Task | None = None

        def current() -> bool:
            return task is not None and task is self.task

        def succeeded(value) -> None:
            if current():
                on_success(value)

        def failed(error: KnownError) -> None:
            if current():
                self.message.setText(error.zh)

        def done() -> None:
            if current():
                self.task = None
                if self.panels.currentWidget() is not self.confirm_panel:
                    self.back()

        task = self.task = run_task(work, name=name, on_success=succeeded, on_failure=failed,
                                    on_done=done)  # fmt: skip
        return task

    def keyPressEvent(self, event) -> None:  # page keys on a staff keyboard, if any
        if event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_Right):
            self.go(1)
        elif event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_Left):
            self.go(-1)
        else:
            super().keyPressEvent(event)
