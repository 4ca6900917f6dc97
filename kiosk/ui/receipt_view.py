"""The 受理回执 a villager takes away: on screen with its QR code, and printed (A5 by default,
``printing/receipt.py`` also lays it out for an 80 mm roll). Nothing personal on it beyond a
masked name and the phone's last 4 digits."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.services import requests
from kiosk.ui.printing import print_in_background
from kiosk.ui.tasks import Task
from kiosk.ui.widgets import AdaptiveRow, Notice

REQUEST_CHECK = ("查询办理进度：在本机“我要申请·咨询”点“查询办理进度”，或扫右边的二维码；"
                 "答复内容只能凭此二维码查看，请打印或拍照保存，不要给别人看")
COMMENT_CHECK = ("查询采纳情况：征求意见截止后，在本机“意见征集”点“凭回执查询我的意见”，"
                 "输入受理编号或扫右边的二维码")
RECEIPT_LAYOUT = "a5"  # half an A4 sheet: what the hall's office printer takes
QR_PX = 220


def qr_pixmap(text: str, side: int = QR_PX) -> QPixmap:
    """The receipt's QR code drawn square by square (the qrcode package gives the matrix)."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    count = len(matrix) + 4  # a quiet zone of 2 modules each side
    module = max(1, side // count)
    image = QImage(module * count, module * count, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, line in enumerate(matrix):
        for x, dark in enumerate(line):
            if dark:
                painter.fillRect((x + 2) * module, (y + 2) * module, module, module, QColor("black"))
    painter.end()
    return QPixmap.fromImage(image)


class ReceiptView(QWidget):
    """The receipt of the request just sealed, with 打印回执 and 返回首页 (``done_requested``)."""

    done_requested = Signal()

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings  # kiosk.config.Settings: the printer, read at use
        self.receipt: requests.Receipt | None = None
        self.task: Task | None = None
        self.title = QLabel("已受理，请记好受理编号")
        self.title.setObjectName("heading")
        self.number = QLabel("")
        self.number.setStyleSheet("font-size: 40pt; font-weight: bold;")
        self.number.setAccessibleName("受理编号")
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.qr = QLabel()
        self.qr.setFixedSize(QR_PX, QR_PX)
        self.print_button = QPushButton("打印回执")
        self.print_button.setAccessibleName("打印回执")
        self.print_button.clicked.connect(self.print_receipt)
        self.done_button = QPushButton("返回首页")
        self.done_button.setAccessibleName("办完了，返回首页")
        self.done_button.clicked.connect(self.done_requested)
        self.print_message = Notice("打印情况", warning=True)
        words = QVBoxLayout()
        words.addWidget(self.number)
        words.addWidget(self.text)
        words.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(words, stretch=1)
        row.addWidget(self.qr)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(AdaptiveRow(self.title, [self.print_button, self.done_button]))
        layout.addWidget(self.print_message)
        layout.addLayout(row)

    def show_receipt(self, receipt: requests.Receipt) -> None:
        self.receipt = receipt
        self.number.setText(f"受理编号 {receipt.number}")
        comment = receipt.kind == requests.COMMENT_KIND
        lines = [f"类型：{receipt.kind_zh}"]
        if receipt.topic:
            lines.append(f"事项：{receipt.topic}")
        if receipt.name_masked:
            lines.append(f"{'署名' if comment else '申请人'}：{receipt.name_masked}")
        if receipt.phone_last4:
            lines.append(f"手机尾号：{receipt.phone_last4}")
        due = "征求意见截止" if comment else "答复期限"
        lines += [f"收到日期：{receipt.received_on:%Y-%m-%d}",
                  f"{due}：{receipt.due_on:%Y-%m-%d}（{receipt.due_rule}）"]
        lines.append(COMMENT_CHECK if comment else REQUEST_CHECK)
        self.text.setText("\n".join(lines))
        self.qr.setPixmap(qr_pixmap(receipt.qr_text))
        self.print_message.setText("")

    def print_receipt(self) -> None:
        """打印回执: the PDF is made and sent to the printer off the UI thread."""
        if self.receipt is None or self.task is not None:
            return
        from printing.receipt import ReceiptSheet, render

        r = self.receipt
        comment = r.kind == requests.COMMENT_KIND
        labels = ({"due_label": "征求意见截止", "name_label": "署名", "how_to_check": COMMENT_CHECK}
                  if comment else {})  # fmt: skip
        sheet = ReceiptSheet(
            number=r.number, kind_zh=r.kind_zh, received_on=f"{r.received_on:%Y-%m-%d}",
            due_on=f"{r.due_on:%Y-%m-%d}", due_rule=r.due_rule, name_masked=r.name_masked,
            phone_last4=r.phone_last4, topic=r.topic, qr_text=r.qr_text, terminal=r.terminal, **labels,
        )  # fmt: skip
        configured = str(self.settings.get("printer")) if self.settings is not None else ""
        print_in_background(self, lambda pdf: render(sheet, pdf, RECEIPT_LAYOUT), configured,
                            f"受理回执 {sheet.number}", what="receipt", name="print-receipt",
                            button=self.print_button, message=self.print_message, sending="正在打印回执……",
                            sent=lambda name: f"回执已发送到打印机“{name}”，请到打印机处取回执",
                            failed=lambda error: f"{error.zh}。请记下受理编号 {r.number}")  # fmt: skip

    def spoken_text(self) -> str:
        """The number and the deadline aloud; never the name or phone the villager gave."""
        receipt = self.receipt
        if receipt is None:
            return self.title.text()
        if receipt.kind == requests.COMMENT_KIND:
            return (f"{self.title.text()}。{self.number.text()}。{receipt.kind_zh}。"
                    f"征求意见{receipt.due_on:%Y年%m月%d日}截止，截止后凭受理编号查询采纳情况")
        return (f"{self.title.text()}。{self.number.text()}。{receipt.kind_zh}。"
                f"答复期限{receipt.due_on:%Y年%m月%d日}。答复内容只能凭回执上的二维码查看")

    def clear(self) -> None:
        self.receipt, self.task = None, None
        self.number.clear()
        self.text.clear()
        self.qr.clear()
        self.print_message.clear()
        self.print_button.setEnabled(True)
