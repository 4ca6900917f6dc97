"""办理进度: the 受理编号 from a receipt, typed on the telephone keypad or scanned from the
receipt's QR code, says where the request stands and shows the county's answer."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from kiosk.services import requests
from kiosk.ui.keypad import Keypad
from kiosk.ui.widgets import Beside, kinetic

HINT = "请输入回执上的14位受理编号，或用扫码枪扫描回执上的二维码"
DIGITS = 14


def grouped(digits: str) -> str:
    """12345-67890-1234, as the receipt prints it, while it is typed."""
    return "-".join(p for p in (digits[:5], digits[5:10], digits[10:]) if p)


class ProgressPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.digits = ""
        self.found: requests.RequestStatus | None = None
        self.title = QLabel("办理进度")
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)
        self.message = QLabel(HINT)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("查询结果")
        self.field = QLineEdit()
        self.field.setReadOnly(True)
        self.field.setAccessibleName("受理编号")
        self.field.setPlaceholderText("受理编号")
        self.field.setStyleSheet("font-size: 30pt;")
        self.keypad = Keypad(digits_only=True)
        self.keypad.typed.connect(lambda c: self._set((self.digits + c)[:DIGITS]))
        self.keypad.erased.connect(lambda: self._set(self.digits[:-1]))
        self.keypad.cleared.connect(lambda: self._set(""))
        self.look_up = QPushButton("查询")
        self.look_up.setAccessibleName("查询办理进度")
        self.look_up.clicked.connect(lambda: self.lookup(self.digits))
        self.again = QPushButton("查询其他编号")
        self.again.setAccessibleName("查询其他受理编号")
        self.again.clicked.connect(self.clear)
        # Beside the keypad on a landscape screen: above it, the keypad fell off a 768 px one.
        self.entry = Beside([self.message, self.field, self.look_up], self.keypad)
        self.status = QLabel("")
        self.status.setStyleSheet("font-size: 36pt; font-weight: bold;")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("办理状态")
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.answer = QTextBrowser()
        self.answer.setAccessibleName("答复内容")
        kinetic(self.answer)
        self.result = QWidget()
        result = QVBoxLayout(self.result)
        result.setContentsMargins(0, 0, 0, 0)
        result.addWidget(self.status)
        result.addWidget(self.details)
        result.addWidget(self.answer, stretch=1)
        top = QHBoxLayout()
        top.addWidget(self.title, stretch=1)
        top.addWidget(self.again)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.entry)
        layout.addWidget(self.result, stretch=1)
        layout.addStretch(0)  # spare height below the keypad while no result shows
        self.clear()

    def _set(self, digits: str) -> None:
        self.digits = digits
        self.field.setText(grouped(digits))

    def lookup(self, text: str) -> None:
        """Look up a number as typed, or as scanned from a receipt's QR code (which also
        holds the key that opens the county's answer)."""
        read = requests.read_receipt(text)
        number, reply_key = read if read else (None, None)
        if number is None:
            digits = "".join(c for c in text if c.isdigit())
            self.message.setText(f"受理编号应为14位数字，现在是{len(digits)}位，请核对回执" if digits
                                 else HINT)  # fmt: skip
            return
        self._set(number.replace("-", ""))
        self.found = requests.status(number, reply_key)
        self.again.setVisible(True)
        if self.found is None:
            self.message.setText(f"没有找到该受理编号 {number}。请核对回执上的编号；"
                                 "刚在其他终端提交的申请，要等县里收到后才能查到")  # fmt: skip
            return
        s = self.found
        self.entry.setVisible(False)  # the answer gets the screen
        self.title.setText(f"办理进度 · {number}")
        self.status.setText(s.status)
        answered = "公布日期" if s.kind_zh == requests.KIND_NAMES["comment"] else "答复日期"
        dates = [("类型", s.kind_zh), ("收到日期", s.received_on), ("答复期限", s.due_on),
                 (answered, s.answered_on)]  # fmt: skip
        lines = [f"{k}：{v:%Y-%m-%d}" if hasattr(v, "year") else f"{k}：{v}" for k, v in dates if v]
        self.details.setText("\n".join([*lines, s.note]))
        self.answer.setPlainText(s.answer)
        self.answer.setVisible(bool(s.answer))
        self.result.setVisible(True)

    def spoken_text(self) -> str:
        """The status aloud; never the answer's text, which may be meant for one person only."""
        parts = [self.title.text(), self.message.text()]
        if self.found is not None:
            parts += [self.status.text(), self.details.text()]
            if self.found.answer:
                parts.append("答复内容请看屏幕")
        return "。".join(p for p in parts if p)

    def clear(self) -> None:
        self.found = None
        self.title.setText("办理进度")
        self._set("")
        self.message.setText(HINT)
        self.status.clear()
        self.details.clear()
        self.answer.clear()
        self.entry.setVisible(True)
        self.result.setVisible(False)
        self.again.setVisible(False)
