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

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        for index, char in enumerate(LETTERS + DIGITS):
            key = QPushButton(char)
            key.setAccessibleName(f"按键 {char}")
            key.clicked.connect(lambda _=False, c=char: self.typed.emit(c))
            grid.addWidget(key, index // 10, index % 10)
            self.keys[char] = key
        for column, (text, signal) in enumerate((("删除", self.erased), ("清空", self.cleared))):
            key = QPushButton(text)
            key.setAccessibleName(text)
            key.clicked.connect(signal.emit)
            grid.addWidget(key, 3, 7 + column * 2, 1, 2 if column == 0 else 1)
            self.keys[text] = key
