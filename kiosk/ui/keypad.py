"""Our own on-screen keypad (Qt Virtual Keyboard is GPL): pinyin initials and digits."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "1234567890X"


class Keypad(QWidget):
    """Emits ``typed`` with one character, ``erased`` for 删除 and ``cleared`` for 清空."""

    typed = Signal(str)
    erased = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None, letters_only: bool = False,
                 digits_only: bool = False):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        if digits_only:
            self._phone_layout(grid)
            return
        chars = LETTERS if letters_only else ("1234567890" if digits_only else LETTERS + DIGITS)
        for index, char in enumerate(chars):
            key = QPushButton(char)
            key.setAccessibleName(f"按键 {char}")
            key.clicked.connect(lambda _=False, c=char: self.typed.emit(c))
            grid.addWidget(key, index // 10, index % 10)
            self.keys[char] = key
        for column, (text, signal) in enumerate((("删除", self.erased), ("清空", self.cleared))):
            key = QPushButton(text)
            key.setAccessibleName(text)
            key.clicked.connect(signal.emit)
            last_row = (len(chars) - 1) // 10
            if len(chars) % 10 in (0, 9, 8):  # no room left on the last row
                last_row += 1
            grid.addWidget(key, last_row, 7 + column * 2, 1, 2 if column == 0 else 1)
            self.keys[text] = key

    def _phone_layout(self, grid: QGridLayout) -> None:
        """Digits as on a telephone, three to a row: fits a portrait screen, and is what
        people expect for a PIN."""
        rows = ("123", "456", "789", ("清空", "0", "删除"))
        actions = {"清空": self.cleared, "删除": self.erased}
        for row, keys in enumerate(rows):
            for column, text in enumerate(keys):
                key = QPushButton(text)
                if text in actions:
                    key.setAccessibleName(text)
                    key.clicked.connect(actions[text].emit)
                else:
                    key.setAccessibleName(f"按键 {text}")
                    key.clicked.connect(lambda _=False, c=text: self.typed.emit(c))
                grid.addWidget(key, row, column)
                self.keys[text] = key
