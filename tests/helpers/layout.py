"""Whether a page fits the screen: the screens terminals really have, what a villager
would find cut or out of reach, and waiting until Qt has finished laying a page out."""

import sqlite3

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from kiosk.ui.theme import BUTTON_PADDING_X, TILE_PADDING_X

SCREENS = [(1080, 1920), (1920, 1080), (1366, 768), (1280, 800)]
TOWN = "371522001"


def long_village(db) -> str:
    """The village with the most rows: the longest list a villager scrolls."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT village_id FROM payout GROUP BY village_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]


def window_rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _scrolls_inside(widget: QWidget, window: QWidget) -> bool:
    """Whether the widget lies in an inner scroll area (a village grid, the item strip), where
    being outside the window only means it is scrolled away. The page frame does not count:
    what needs that frame scrolled is off the screen."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            return area.objectName() != "page"
        parent = area if isinstance(area, QAbstractScrollArea) else parent.parentWidget()
    return False


def _text_need(widget: QWidget, text: str) -> int:
    metrics = widget.fontMetrics()
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))


def layout_problems(window, page: str) -> list[str]:
    """What a villager would find cut or out of reach on ``page``, in words and pixels."""
    problems = []
    bounds = window.rect()
    kinds = (QAbstractButton, QLabel, QLineEdit, QAbstractItemView)
    controls = [c for kind in kinds for c in window.findChildren(kind) if c.isVisible()]
    for control in controls:
        name = f"{page}: {type(control).__name__} “{control.property('text') or control.accessibleName()}”"
        rect = window_rect(control, window)
        if not _scrolls_inside(control, window) and not bounds.contains(rect):
            right, bottom = rect.right() - bounds.right(), rect.bottom() - bounds.bottom()
            problems.append(f"{name} outside the window by {max(right, 0)} px right, "
                            f"{max(bottom, 0)} px down")  # fmt: skip
        if isinstance(control, QLabel) and control.text():
            width = control.contentsRect().width()
            if control.wordWrap():
                need = control.heightForWidth(width)
                got = control.contentsRect().height()
                if need > got:
                    problems.append(f"{name} cut: needs {need} px of height, got {got}")
            elif _text_need(control, control.text()) > width:
                problems.append(f"{name} cut: needs {_text_need(control, control.text())} px, got {width}")
        elif isinstance(control, QAbstractButton) and control.text():
            icon = control.iconSize().width() + 4 if not control.icon().isNull() else 0
            padding = 2 * (TILE_PADDING_X if control.objectName() in ("tile", "key") else BUTTON_PADDING_X)
            need = _text_need(control, control.text()) + icon + padding
            if need > control.width():
                problems.append(f"{name} cut: needs {need} px, got {control.width()}")
    return problems


def settle(qtbot) -> None:
    """Until no layout is pending: a re-styled or re-iconed widget asks for a new layout,
    which may change a scroll range, which shows an arrow, which asks again. On a busy CI
    machine a fixed short wait measured a layout halfway."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    qtbot.wait(30)
    for _ in range(5):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def rows_in_view(table) -> int:
    """How many payout rows (headings not counted) a table shows whole, scrolled to the top."""
    model, height = table.model(), table.viewport().height()
    shown, used = 0, 0
    for line in range(model.rowCount()):
        used += table.rowHeight(line)
        if used > height:
            break
        shown += model.row(line) is not None
    return shown


def scrolls_sideways(table) -> bool:
    """Whether a villager would have to push the table sideways to read a row."""
    return table.horizontalScrollBar().maximum() > 0


def blank_band(window) -> tuple[int, int]:
    """The tallest band across the window (top px, height) with nothing a villager reads or
    taps in it. Filled: a button, a text, a field, a list's rows, a reading pane (a document's
    text, the print preview: a page of its own, however much of it the text covers) and the
    writing pad. A framed box or a list with nothing in it is blank."""
    from kiosk.ui.handwriting_panel import WritingPad

    kinds = (QAbstractButton, QLabel, QLineEdit, QAbstractScrollArea, WritingPad)
    spans = []
    for kind in kinds:
        for widget in window.findChildren(kind):
            if not widget.isVisible() or (isinstance(widget, QLabel) and not widget.text()):
                continue
            if isinstance(widget, QScrollArea):  # a container: what it holds counts
                continue
            rect = window_rect(widget, window)
            if isinstance(widget, QAbstractItemView):  # a list counts where it has rows
                rect.setHeight(min(rect.height(), _rows_height(widget)))
            top, bottom = max(0, rect.top()), min(window.height(), rect.bottom() + 1)
            if bottom > top:
                spans.append((top, bottom))
    band, edge = (0, 0), 0
    for top, bottom in [*sorted(spans), (window.height(), window.height())]:
        if top - edge > band[1]:
            band = (edge, top - edge)
        edge = max(edge, bottom)
    return band


def _rows_height(view) -> int:
    """The height a list or table's header and rows take (all of it when they fill it)."""
    model = view.model()
    if model is None:
        return 0
    used = view.frameWidth() * 2
    header = getattr(view, "horizontalHeader", None)
    if header is not None and header().isVisible():
        used += header().height()
    for row in range(model.rowCount()):
        used += view.rowHeight(row) if hasattr(view, "rowHeight") else view.sizeHintForRow(row)
        if used >= view.height():
            break
    return used


def largest_text(widget: QWidget) -> tuple[QLabel, str, float] | None:
    """The largest type shown in ``widget``: (label, its text in that type, points). A rich-text
    label counts by the sizes its HTML gives each run of text."""
    from PySide6.QtGui import QTextDocument

    found = None
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        runs = [(label.text(), label.font().pointSizeF())]
        if label.textFormat() == Qt.TextFormat.RichText:
            document = QTextDocument()
            document.setDefaultFont(label.font())
            document.setHtml(label.text())
            runs = []
            block = document.begin()
            while block.isValid():
                it = block.begin()
                while not it.atEnd():
                    fragment = it.fragment()
                    runs.append((fragment.text(), fragment.charFormat().font().pointSizeF()))
                    it += 1
                block = block.next()
        for text, points in runs:
            if found is None or points > found[2]:
                found = (label, text, points)
    return found
