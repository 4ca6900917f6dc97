"""Small shared widgets sized for touch and for older eyes (适老化)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QPushButton, QStackedWidget, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractScrollArea, QGridLayout

TOUCH = 80  # px: touch targets well above the 60 x 60 minimum


def touch_button(text: str, min_width: int = TOUCH * 2) -> QPushButton:
    """A large button whose accessible name is its text."""
    button = QPushButton(text)
    button.setMinimumSize(min_width, TOUCH)
    button.setAccessibleName(text)
    button.setStyleSheet("font-size: 22pt;")
    return button


def button_grid(grid: QGridLayout, labels: dict[Hashable, str], columns: int,
                on_tap: Callable[[Hashable], None]) -> dict[Hashable, QPushButton]:  # fmt: skip
    """One button per ``key: label``, ``columns`` to a row; a tap calls ``on_tap(key)``.

    Returns:
        the buttons by key.
    """
    buttons = {}
    for index, (key, label) in enumerate(labels.items()):
        button = QPushButton(label)
        button.setAccessibleName(label)
        button.clicked.connect(lambda _=False, k=key: on_tap(k))
        grid.addWidget(button, index // columns, index % columns)
        buttons[key] = button
    return buttons


def clear_layout(layout) -> None:
    """Remove and delete every widget of a layout (spacers go too)."""
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.deleteLater()


def kinetic(area: QAbstractScrollArea, holds_buttons: bool = False) -> None:
    """Kinetic scrolling: a finger drags the list and it glides on.

    Lists of plain rows also scroll by mouse drag. Areas full of buttons scroll by touch
    only: a mouse-drag scroller holds presses back and swallowed quick taps on the buttons
    (seen with the village grid), while touch scrolling leaves taps alone.
    """
    from PySide6.QtWidgets import QScroller  # its type set-up waits for the first scroller

    gesture = (QScroller.ScrollerGestureType.TouchGesture if holds_buttons
               else QScroller.ScrollerGestureType.LeftMouseButtonGesture)  # fmt: skip
    QScroller.grabGesture(area.viewport(), gesture)


class CurrentPageStack(QStackedWidget):
    """A stacked widget sized by its current page alone. (QStackedWidget asks for the room
    of its largest page, so a tall hidden page pushed the shown page's buttons below the
    bottom of a 1280 x 800 screen.)"""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()
