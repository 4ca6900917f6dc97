"""Our own on-screen keypads (Qt Virtual Keyboard is GPL): pinyin initials, and digits laid
out as on a telephone."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from kiosk.ui.widgets import FlowGrid, may_grow

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Keypad(QWidget):
    """Emits ``typed`` with one character, ``erased`` for 删除 and ``cleared`` for 清空.

    ``digits_only`` gives a 3 x 4 telephone pad (清空 0 删除 on the last row);
    ``id_digits`` the same with X in place of 清空, for the last characters of an ID number.
    Letters flow into as many columns as fit: ten on a landscape screen, fewer on a
    portrait one or in 长辈模式.
    """

    typed = Signal(str)
    erased = Signal()
    cleared = Signal()
    LANDSCAPE_COLUMNS, PORTRAIT_COLUMNS = 10, 5

    def __init__(self, parent: QWidget | None = None, digits_only: bool = False,
                 id_digits: bool = False, chars: str = LETTERS):  # fmt: skip
        super().__init__(parent)
        self.keys: dict[str, QPushButton] = {}
        self.letter_grid: FlowGrid | None = None
        if digits_only or id_digits:
            self._phone_layout("X" if id_digits else "清空")
            return
        # On a portrait screen five to a row; keys up to 2.6 times as tall: the keys take the height
        # the panel has to spare instead of leaving it blank under them.
        self.letter_grid = FlowGrid(self, max_columns=self.LANDSCAPE_COLUMNS, grow=2.6)
        for char in (*chars, "删除", "清空"):
            key = self._key(char)
            key.setObjectName("key")  # close padding: seven keys to a row in half a 1366 px screen
            may_grow(key)
            self.letter_grid.addWidget(key)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        grid = self.letter_grid
        window = self.window()
        columns = self.PORTRAIT_COLUMNS if window.height() > window.width() else self.LANDSCAPE_COLUMNS
        if grid is not None and grid.max_columns != columns:
            grid.max_columns = columns
            grid.invalidate()

    def _key(self, text: str) -> QPushButton:
        key = QPushButton(text)
        actions = {"清空": self.cleared, "删除": self.erased}
        if text in actions:
            key.setAccessibleName(text)
            key.clicked.connect(actions[text].emit)
        else:
            key.setAccessibleName(f"按键 {text}")
            key.clicked.connect(lambda _=False, c=text: self.typed.emit(c))
        self.keys[text] = key
        return key

    def _phone_layout(self, corner: str) -> None:
        """Digits as on a telephone, three to a row: fits a portrait screen, and is what
        people expect for a PIN or an ID number."""
        grid = QGridLayout(self)
        grid.setSpacing(8)
        for row, keys in enumerate(("123", "456", "789", (corner, "0", "删除"))):
            for column, text in enumerate(keys):
                grid.addWidget(self._key(text), row, column)
