"""Shared pieces of the reading pages: a touch list that opens a detail view, and a search
bar fed by the on-screen keypad (pinyin initials) or by common-word buttons (full text)."""

import html
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.keypad import Keypad
from kiosk.ui.widgets import kinetic

COMMON_WORDS = ("低保", "补贴", "医保", "养老", "残疾", "救助", "就业", "上学")


def detail_html(title: str, fields: list[tuple[str, str]], body: str = "") -> str:
    """A readable detail view: title, a two-column field table, then the body text."""
    rows = "".join(
        f"<tr><th align='left' style='padding:6px 16px 6px 0; white-space:nowrap'>{html.escape(k)}"
        f"</th><td style='padding:6px 0'>{html.escape(v) or '—'}</td></tr>"
        for k, v in fields
    )
    text = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
    return f"<h2>{html.escape(title)}</h2><table>{rows}</table>{text}"


class ListDetail(QWidget):
    """A list of titles; tapping one shows its detail; 返回列表 goes back."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAccessibleName("列表")
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        kinetic(self.list)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("详细内容")
        kinetic(self.detail)
        self.back = QPushButton("返回列表")
        self.back.setAccessibleName("返回列表")
        self.back.clicked.connect(lambda: self.stack.setCurrentIndex(0))
        detail_page = QWidget()
        detail_layout = QVBoxLayout(detail_page)
        detail_layout.addWidget(self.back)
        detail_layout.addWidget(self.detail, stretch=1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(detail_page)
        self.empty = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.stack, stretch=1)
        self._details: list[str] = []
        self.list.itemClicked.connect(self._open)

    def show_items(self, items: list[tuple[str, str]], empty: str = "没有找到相关内容") -> None:
        """``items`` are (title shown in the list, detail HTML)."""
        self.list.clear()
        self._details = []
        for title, detail in items:
            self.list.addItem(QListWidgetItem(title))
            self._details.append(detail)
        self.empty.setText("" if items else empty)
        self.stack.setCurrentIndex(0)

    def _open(self, item: QListWidgetItem) -> None:
        self.open(self.list.row(item))

    def open(self, row: int) -> None:
        self.detail.setHtml(self._details[row])
        self.stack.setCurrentIndex(1)

    def text(self) -> str:
        """What 朗读 reads: the open detail, or the list's titles."""
        if self.stack.currentIndex() == 1:
            return self.detail.toPlainText()
        return "。".join(self.list.item(i).text() for i in range(min(self.list.count(), 10)))


class SearchBar(QWidget):
    """Emits ``searched(query)``: initials typed on the keypad, or a common word tapped."""

    searched = Signal(str)

    def __init__(self, hint: str, words: tuple[str, ...] = COMMON_WORDS,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setReadOnly(True)
        self.field.setPlaceholderText(hint)
        self.field.setAccessibleName("搜索内容")
        self.toggle = QPushButton("首字母键盘")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("首字母键盘")
        self.keypad = Keypad(letters_only=True)
        self.keypad.setVisible(False)
        self.toggle.toggled.connect(self.keypad.setVisible)
        self.keypad.typed.connect(lambda c: self._set(self.field.text() + c))
        self.keypad.erased.connect(lambda: self._set(self.field.text()[:-1]))
        self.keypad.cleared.connect(lambda: self._set(""))
        top = QHBoxLayout()
        top.addWidget(self.field, stretch=1)
        top.addWidget(self.toggle)
        # A few words share the field's row; more get a row of their own.
        word_row = top if len(words) <= 3 else QHBoxLayout()
        self.words: dict[str, QPushButton] = {}
        for word in words:
            button = QPushButton(word)
            button.setAccessibleName(f"搜索{word}")
            button.clicked.connect(lambda _=False, w=word: self._set(w))
            word_row.addWidget(button)
            self.words[word] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        if word_row is not top:
            layout.addLayout(word_row)
        layout.addWidget(self.keypad)

    def _set(self, query: str) -> None:
        self.field.setText(query)
        self.searched.emit(query)

    def clear(self) -> None:
        self.field.clear()
        self.toggle.setChecked(False)


def run_search(bar: SearchBar, view: ListDetail, search: Callable[[str], list[tuple[str, str]]],
               fallback: Callable[[], list[tuple[str, str]]]) -> None:
    """Wire a search bar to a list: a query searches, an empty query shows ``fallback``."""
    bar.searched.connect(lambda q: view.show_items(search(q) if q.strip() else fallback()))
