"""核验公示单: scan a sheet's QR (a USB scanner types its URL) or type its print number or
校验码 on the keypad; the page says whether the sheet matches the terminal's current data,
shows the rows, and offers 重新打印."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.services import verify
from kiosk.ui.keypad import Keypad
from kiosk.ui.models import PayoutTable, PayoutTableModel
from kiosk.ui.tasks import run_task
from kiosk.ui.widgets import AdaptiveRow

HINT = "请用扫码枪扫描公示单上的二维码，或在下面输入公示单上的打印编号（如 P20261129-0001）或 16 位校验码"
KEYS = "0123456789ABCDEFP-"  # 校验码 hex digits, and print numbers (P20261129-0001)


class VerifyPage(QWidget):
    """Emits ``reprint_requested(village, year, item or None)`` for 重新打印, and ``verified``
    when a check has answered with a verdict (counted, nothing about which sheet)."""

    reprint_requested = Signal(str, int, object)
    verified = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.town_code: str | None = None  # where a typed 校验码 is looked for first
        self.verdict: verify.Verdict | None = None
        self.checking = False
        self._asked = 0  # which check an answer belongs to: one for a page since cleared is dropped
        self.title = QLabel("核验公示单")
        self.title.setObjectName("heading")
        self.message = QLabel(HINT)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("核验结果")
        self.field = QLineEdit()
        self.field.setReadOnly(True)
        self.field.setAccessibleName("打印编号或校验码")
        self.field.setPlaceholderText("打印编号或校验码")
        self.keypad = Keypad(chars=KEYS)
        self.keypad.typed.connect(lambda c: self.field.setText((self.field.text() + c)[:20]))
        self.keypad.erased.connect(lambda: self.field.setText(self.field.text()[:-1]))
        self.keypad.cleared.connect(self.field.clear)
        self.check_button = QPushButton("核验")
        self.check_button.setAccessibleName("核验")
        self.check_button.clicked.connect(lambda: self.check(self.field.text()))
        self.again = QPushButton("重新核验")
        self.again.setAccessibleName("重新核验")
        self.again.clicked.connect(self.clear)
        self.reprint = QPushButton("重新打印")
        self.reprint.setAccessibleName("重新打印现行公示单")
        self.reprint.clicked.connect(self._reprint)
        self.entry = QWidget()
        entry = QVBoxLayout(self.entry)
        entry.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.field, stretch=1)
        row.addWidget(self.check_button)
        entry.addLayout(row)
        entry.addWidget(self.keypad)
        self.model = PayoutTableModel(self)
        self.table = PayoutTable(self.model)
        self.table.setColumnHidden(PayoutTableModel.YEAR, True)
        top = AdaptiveRow(self.message, [self.again, self.reprint])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(top)
        layout.addWidget(self.entry)
        layout.addWidget(self.table, stretch=1)
        self.clear()

    def check(self, text: str) -> None:
        """Check what was scanned or typed off the UI thread (a typed 校验码 is looked for
        among a town's current notices, up to a second), then show the verdict."""
        self._asked += 1
        asked, town = self._asked, self.town_code
        self.verdict, self.checking = None, True
        self.message.setText("正在核验，请稍候……")
        self.check_button.setEnabled(False)
        run_task(lambda _task: verify.check(verify.read(text, town)), name="verify",
                 on_success=lambda verdict: asked == self._asked and self._show(verdict),
                 on_failure=lambda exc: asked == self._asked and self._refused(exc))  # fmt: skip

    def _refused(self, exc: KnownError) -> None:
        self.checking = False
        self.check_button.setEnabled(True)
        self.message.setText(exc.zh)
        self.model.set_rows([])
        self.table.setVisible(False)
        self.again.setVisible(True)

    def _show(self, verdict: verify.Verdict) -> None:
        self.checking = False
        self.check_button.setEnabled(True)
        self.verdict = v = verdict
        self.title.setText(f"核验公示单 · {v.status}")
        shown = "本公示单的发放明细" if v.current else "现行数据"
        self.message.setText(f"{v.words}。\n{v.what}：校验码 {v.sheet.digest}；{shown} {len(v.rows)} 条，"
                             f"合计 {fmt.money(v.amount_fen)} 元")  # fmt: skip
        self.model.set_rows(v.rows)
        self.table.setVisible(bool(v.rows))
        self.entry.setVisible(False)  # the result gets the screen
        self.again.setVisible(True)
        self.reprint.setVisible(bool(v.rows))
        self.verified.emit()

    def _reprint(self) -> None:
        if self.verdict is not None:
            sheet = self.verdict.sheet
            self.reprint_requested.emit(sheet.village_code, sheet.year, sheet.item_code)

    def spoken_text(self) -> str:
        return f"{self.title.text()}。{self.message.text()}"

    def clear(self) -> None:
        self._asked += 1  # a check still running is no longer wanted
        self.verdict, self.checking = None, False
        self.check_button.setEnabled(True)
        self.title.setText("核验公示单")
        self.message.setText(HINT)
        self.field.clear()
        self.model.set_rows([])
        self.entry.setVisible(True)
        self.table.setVisible(False)
        self.again.setVisible(False)
        self.reprint.setVisible(False)
