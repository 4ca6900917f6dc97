"""Whether a page fits the screen: the screens terminals really have, what a villager
would find cut or out of reach, and waiting until Qt has finished laying a page out."""

import sqlite3

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
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
            padding = 2 * (TILE_PADDING_X if control.objectName() == "tile" else BUTTON_PADDING_X)
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
