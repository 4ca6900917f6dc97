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
