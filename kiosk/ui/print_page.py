"""打印公示: preview a village's notice sheet, flip pages by touch, print it or save it to a
USB stick. The PDF comes from kiosk.services.notices; this page only shows and prints it."""

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import KnownError
from kiosk.services import notices
from kiosk.ui.widgets import kinetic, touch_button


class PrintPage(QWidget):
    """Preview and print one notice; ``load`` builds it, ``message`` says what happened."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._scratch = Path(tempfile.mkdtemp(prefix="kiosk-print-"))
        self.pdf_path: Path | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setAccessibleName("公示单预览")
        kinetic(self.view)  # a page fits the view now; a finger still drags it if it ever does not
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 20pt;")
        self.page_label = QLabel("")
        self.page_label.setStyleSheet("font-size: 22pt;")
        self.previous = touch_button("上一页")
        self.next = touch_button("下一页")
        self.print_button = touch_button("打印")
        self.save_button = touch_button("保存到U盘")
        self.previous.clicked.connect(lambda: self.go(-1))
        self.next.clicked.connect(lambda: self.go(1))
        self.print_button.clicked.connect(self.print_with_dialog)
        self.save_button.clicked.connect(self.save_with_dialog)
        buttons = QHBoxLayout()
        for widget in (self.previous, self.page_label, self.next, self.print_button,
                       self.save_button):  # fmt: skip
            buttons.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.view, stretch=1)
        layout.addLayout(buttons)
        self._set_enabled(False)

    def load(self, village_code: str, year: int, item_code: str | None = None) -> bool:
        """Build the notice and show its first page; False (with a message) if it cannot."""
        out = self._scratch / f"{village_code}_{year}_{item_code or 'all'}.pdf"
        try:
            result = notices.print_notice(village_code, year, out, item_code,
                                          notices.NoticeOptions(actor="kiosk-preview"))  # fmt: skip
        except KnownError as exc:
            self.message.setText(exc.zh)
            self._set_enabled(False)
            return False
        self.pdf_path = out
        self.document.load(str(out))
        self.message.setText(f"共 {result.pages} 页　校验码 {result.digest}")
        self._set_enabled(True)
        self.go_to(0)  # after enabling: it disables 上一页/下一页 at the ends
        return True

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

    def print_to(self, printer: QPrinter) -> int:
        """Render every page at the printer's resolution; returns the pages sent."""
        painter = QPainter()
        if not painter.begin(printer):
            raise KnownError("打印机不可用，请检查打印机", "the printer could not be started")
        try:
            for index in range(self.document.pageCount()):
                if index:
                    printer.newPage()
                target = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
                image = self.document.render(index, QSize(target.width(), target.height()))
                painter.drawImage(target.topLeft(), image)
        finally:
            painter.end()
        return self.document.pageCount()

    def print_with_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            try:
                sent = self.print_to(printer)
                self.message.setText(f"已发送 {sent} 页到打印机")
            except KnownError as exc:
                self.message.setText(exc.zh)

    def save_to(self, folder: Path) -> Path:
        if self.pdf_path is None:
            raise KnownError("没有可保存的公示单", "no notice to save")
        target = folder / self.pdf_path.name
        try:
            shutil.copyfile(self.pdf_path, target)
        except OSError as exc:
            raise KnownError(f"无法保存到 {folder}，请检查U盘", f"cannot save to {folder}: {exc}") from exc
        self.message.setText(f"已保存到 {target}")
        return target

    def save_with_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹", "/media")
        if folder:
            try:
                self.save_to(Path(folder))
            except KnownError as exc:
                self.message.setText(exc.zh)

    def keyPressEvent(self, event) -> None:  # page keys on a staff keyboard, if any
        if event.key() in (Qt.Key.Key_PageDown, Qt.Key.Key_Right):
            self.go(1)
        elif event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_Left):
            self.go(-1)
        else:
            super().keyPressEvent(event)
