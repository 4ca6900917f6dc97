"""Shared pieces of the reading pages: a touch list that opens a detail view, and a search
bar fed by the on-screen keypad (pinyin initials), common-word buttons or handwriting (full
text)."""

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
from kiosk.ui.widgets import FlowGrid, kinetic

COMMON_WORDS = ("低保", "补贴", "医保", "养老", "残疾", "救助", "就业", "上学")


def detail_html(title: str, fields: list[tuple[str, str]], body: str = "") -> str:
    """A readable detail view: title, the body text (an answer, a document's 解读 and
    摘要: what the villager came for, so it comes first), then a two-column field table."""
    rows = "".join(
        f"<tr><th align='left' style='padding:6px 16px 6px 0; white-space:nowrap'>{html.escape(k)}"
        f"</th><td style='padding:6px 0'>{html.escape(v) or '—'}</td></tr>"
        for k, v in fields
    )
    text = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
    return f"<h2>{html.escape(title)}</h2>{text}<table>{rows}</table>"


class ListDetail(QWidget):
    """A list of titles; tapping one shows its detail; 返回列表 goes back. Emits
    ``opened(True)`` when a detail opens and ``opened(False)`` back at the list, so the page
    can fold its search bar and give the detail the screen."""

    opened = Signal(bool)

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
        self.back.clicked.connect(self.close_detail)
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
        self.close_detail()

    def _open(self, item: QListWidgetItem) -> None:
        self.open(self.list.row(item))

    def open(self, row: int) -> None:
        self.detail.setHtml(self._details[row])
        self.stack.setCurrentIndex(1)
        self.opened.emit(True)

    def close_detail(self) -> None:
        was_open = self.stack.currentIndex() == 1
        self.stack.setCurrentIndex(0)
        if was_open:
            self.opened.emit(False)

    def is_open(self) -> bool:
        return self.stack.currentIndex() == 1

    def text(self) -> str:
        """What 朗读 reads: the open detail, or the list's titles."""
        if self.stack.currentIndex() == 1:
            return self.detail.toPlainText()
        titles = [self.list.item(i).text() for i in range(min(self.list.count(), 10))]
        if not titles:
            return self.empty.text()
        return f"共 {self.list.count()} 条。" + "。".join(titles)


class SearchBar(QWidget):
    """Emits ``searched(query)``: initials typed on the keypad, a common word tapped, or words
    written by hand (or spelled in pinyin) on the text-entry panel.

    While the panel is open it emits ``writing(True)`` so the page can give it the screen;
    确定 closes it (``writing(False)``) and searches for what was written.
    """

    searched = Signal(str)
    writing = Signal(bool)

    def __init__(self, hint: str, words: tuple[str, ...] = COMMON_WORDS,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setReadOnly(True)
        self.field.setPlaceholderText(hint)
        self.field.setAccessibleName("搜索内容")
        self.write = QPushButton("写字搜索")
        self.write.setCheckable(True)
        self.write.setAccessibleName("手写或拼音输入搜索内容")
        self.write.toggled.connect(self._show_writing)
        self.toggle = QPushButton("首字母键盘")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("首字母键盘")
        self.keypad = Keypad()
        self.keypad.setVisible(False)
        self.toggle.toggled.connect(self._show_keypad)
        self.keypad.typed.connect(lambda c: self._set(self.field.text() + c))
        self.keypad.erased.connect(lambda: self._set(self.field.text()[:-1]))
        self.keypad.cleared.connect(lambda: self._set(""))
        top = QHBoxLayout()
        top.addWidget(self.field, stretch=1)
        top.addWidget(self.write)
        top.addWidget(self.toggle)
        self.word_panel = QWidget()
        word_grid = FlowGrid(self.word_panel, max_columns=8)
        self.words: dict[str, QPushButton] = {}
        for word in words:
            button = QPushButton(word)
            button.setAccessibleName(f"搜索{word}")
            button.clicked.connect(lambda _=False, w=word: self._set(w))
            word_grid.addWidget(button)
            self.words[word] = button
        self.panel = None  # the text-entry panel, made on first use: most visits never write
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addLayout(top)
        self._layout.addWidget(self.word_panel)
        self._layout.addWidget(self.keypad)
        # Only once inside the bar: a parentless widget made visible is a window of its own.
        self.word_panel.setVisible(bool(words))

    def _set(self, query: str) -> None:
        self.field.setText(query)
        self.searched.emit(query)

    def _show_keypad(self, on: bool) -> None:
        if on:
            self.write.setChecked(False)
        self.keypad.setVisible(on)

    def _show_writing(self, on: bool) -> None:
        if on:
            self.toggle.setChecked(False)
            if self.panel is None:
                # Imported here: the panel module pulls in the Qt enums and ctypes, which
                # start-up does not need.
                from kiosk.ui.handwriting_panel import TextEntryPanel

                self.panel = TextEntryPanel()
                self.panel.accepted.connect(self._written)
                self._layout.addWidget(self.panel, stretch=1)
            self.panel.clear()
        if self.panel is not None:
            self.panel.setVisible(on)
        self.word_panel.setVisible(not on and bool(self.words))
        host = self.parentWidget().layout() if self.parentWidget() else None
        if host is not None:  # the panel takes the page's height, the pad grows with it
            host.setStretchFactor(self, 1 if on else 0)
        self.writing.emit(on)

    def _written(self, text: str) -> None:
        self.write.setChecked(False)
        self._set(text.strip())

    def is_writing(self) -> bool:
        return self.write.isChecked()

    def clear(self) -> None:
        """Forget the query and anything written (idle reset)."""
        self.field.clear()
        self.toggle.setChecked(False)
        self.write.setChecked(False)
        if self.panel is not None:
            self.panel.clear()


def fold(opened: bool, *widgets: QWidget) -> None:
    """Hide ``widgets`` while a detail is open (a search bar also folds its keypad)."""
    for widget in widgets:
        if isinstance(widget, SearchBar):
            widget.toggle.setChecked(False)
            widget.write.setChecked(False)
        widget.setVisible(not opened)


def give_room(bar: SearchBar, widgets: tuple[QWidget, ...],
              restore: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Hide ``widgets`` while the bar's writing panel is open (a 768 px screen has no height
    to spare); when it closes show them again, then let ``restore`` re-hide what the page's
    own state hides."""

    def writing(on: bool) -> None:
        for widget in widgets:
            widget.setVisible(not on)
        if not on and restore is not None:
            restore()

    bar.writing.connect(writing)


def run_search(bar: SearchBar, view: ListDetail, search: Callable[[str], list[tuple[str, str]]],
               fallback: Callable[[], list[tuple[str, str]]]) -> None:
    """Wire a search bar to a list: a query searches, an empty query shows ``fallback``."""
    bar.searched.connect(lambda q: view.show_items(search(q) if q.strip() else fallback()))
