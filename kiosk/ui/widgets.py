"""Small shared widgets sized for touch and for older eyes (适老化)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractScrollArea

TOUCH = 80  # px: touch targets well above the 60 x 60 minimum
ICON_SIZE = QSize(44, 44)


def touch_button(text: str, min_width: int = TOUCH * 2) -> QPushButton:
    """A large button whose accessible name is its text."""
    button = QPushButton(text)
    button.setMinimumSize(min_width, TOUCH)
    button.setAccessibleName(text)
    button.setStyleSheet("font-size: 22pt;")
    return button


def button_grid(grid: FlowGrid, labels: dict[Hashable, str], on_tap: Callable[[Hashable], None],
                with_icons: bool = False, longest: int = 6) -> dict[Hashable, QPushButton]:  # fmt: skip
    """One button per ``key: label`` in a flowing grid; a tap calls ``on_tap(key)``.
    ``with_icons`` puts the label's picture beside it, for those who read with difficulty.
    Labels longer than ``longest`` characters take two lines.

    Returns:
        the buttons by key.
    """
    buttons = {}
    for key, label in labels.items():
        button = QPushButton(two_lines(label, longest))
        if with_icons:
            from kiosk.ui import icons

            button.setIcon(icons.icon(label))
            button.setIconSize(ICON_SIZE)
        button.setAccessibleName(label)
        button.clicked.connect(lambda _=False, k=key: on_tap(k))
        grid.addWidget(button)
        buttons[key] = button
    return buttons


def may_grow(button: QPushButton) -> None:
    """Taller than its words where its grid has height to spare (FlowGrid's ``grow``): a push
    button's own policy keeps it at its hint's height."""
    policy = button.sizePolicy()
    policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)
    button.setSizePolicy(policy)


def two_lines(label: str, longest: int = 6) -> str:
    """A long button label broken into two lines of about equal length: one long label
    (国有土地上房屋征收与补偿) would otherwise set the width of every cell of its grid."""
    if len(label) <= longest or "\n" in label:
        return label
    middle = (len(label) + 1) // 2
    return f"{label[:middle]}\n{label[middle:]}"


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


def _hint(item: QLayoutItem) -> QSize:
    """A widget's own size hint, not its layout item's cached one: a style sheet or an icon
    set after the first layout left the cached hint too small (cut tile labels)."""
    widget = item.widget()
    return widget.sizeHint() if widget is not None else item.sizeHint()


class FlowGrid(QLayout):
    """Equal cells, as many to a row as the width allows (at most ``max_columns``), rows as
    tall as they need. Town, village and domain grids and the letter keypad use it: a fixed
    column count that suits 1920 px pushed buttons off a 1080 px portrait screen.
    """

    def __init__(self, parent: QWidget | None = None, max_columns: int = 12, spacing: int = 8,
                 balanced: bool = False, grow: float = 1.0):
        super().__init__(parent)
        # Rows as even as they can be (seven tiles as 4 + 3, not 6 + 1): a lone last cell
        # reads as left over.
        self.balanced = balanced
        # Given more height than its rows need (a portrait screen), rows grow up to ``grow``
        # times their height: bigger buttons rather than a blank band under them.
        self.grow = grow
        self._items: list[QLayoutItem] = []
        # Until invalidate(): a layout pass asks ~20 times, for each row's height too.
        self._hints: list[tuple[QLayoutItem, QSize]] | None = None
        self.max_columns = max_columns
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    # QLayout's item protocol
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self._forget()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        self._forget()
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def invalidate(self) -> None:
        # Qt calls this when a child's size hint may have changed (text, style, shown/hidden).
        self._forget()
        super().invalidate()

    def _forget(self) -> None:
        self._hints = None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        cell = self._cell()
        columns = min(self.max_columns, max(1, len(self._visible_hints())))
        width = columns * cell.width() + (columns - 1) * self.spacing()
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:
        cell = self._cell()
        margins = self.contentsMargins()
        height = cell.height()
        if self.balanced and self.geometry().width() > 0:  # every row, never squeezed to one
            height = self.heightForWidth(self.geometry().width())
        return QSize(cell.width() + margins.left() + margins.right(), height)

    def maximumSize(self) -> QSize:
        """With ``grow``, no taller than its rows grown to the full (a box layout then gives the
        rest of its height to what can use it); else unbounded, as any layout."""
        width = self.geometry().width()
        parent = self.parentWidget()
        if width <= 0 and parent is not None:  # not placed yet: the width its widget offers
            width = parent.contentsRect().width()
        if self.grow <= 1.0 or width <= 0:
            return super().maximumSize()
        return QSize(super().maximumSize().width(), int(self.heightForWidth(width) * self.grow))

    def columns_for(self, width: int) -> int:
        cell = self._cell().width()
        fits = (width + self.spacing()) // max(1, cell + self.spacing())
        columns = max(1, min(self.max_columns, fits))
        count = len(self._visible_hints())
        if self.balanced and 0 < columns < count:
            rows = -(-count // columns)
            columns = -(-count // rows)
        return columns

    def _visible_hints(self) -> list[tuple[QLayoutItem, QSize]]:
        """The items shown, each with its size hint."""
        if self._hints is None:
            self._hints = [(item, _hint(item)) for item in self._items if not item.isEmpty()]
        return self._hints

    def _cell(self) -> QSize:
        hints = [hint for _, hint in self._visible_hints()]
        return QSize(max((h.width() for h in hints), default=0), max((h.height() for h in hints), default=0))

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        items = self._visible_hints()
        if not items:
            return 0
        columns = self.columns_for(area.width())
        gap = self.spacing()
        width = (area.width() - (columns - 1) * gap) // columns
        rows = [items[start : start + columns] for start in range(0, len(items), columns)]
        heights = [max(hint.height() for _, hint in row) for row in rows]
        if move and self.grow > 1.0:
            spare = area.height() - sum(heights) - gap * (len(rows) - 1)
            if spare > 0:
                heights = [min(h + spare // len(rows), int(h * self.grow)) for h in heights]
        y = area.y()
        for row, height in zip(rows, heights, strict=True):
            if move:
                for column, (item, _) in enumerate(row):
                    item.setGeometry(QRect(area.x() + column * (width + gap), y, width, height))
            y += height + gap
        return y - gap - rect.y() + margins.bottom()


class StackingRow(QWidget):
    """Its parts side by side in ``box`` while they fit, stacked when they do not; asked
    again when it is resized or its contents ask for a new layout (a text, a font, an
    option changed). Subclasses say when to stack (``needs_stacking``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # A QHBoxLayout is a QBoxLayout whose direction can change; no Qt enum is touched
        # unless it does (the first one costs ~17 ms of PySide set-up, before the first frame).
        self.box = QHBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self._stacked = False

    def needs_stacking(self) -> bool:
        raise NotImplementedError

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange()

    def event(self, event) -> bool:
        if event.type() == event.Type.LayoutRequest:
            self.arrange()
        return super().event(event)

    def arrange(self) -> None:
        """Side by side or stacked, for the current width and contents."""
        stacked = self.needs_stacking()
        if stacked != self._stacked:
            self._stacked = stacked
            self.box.setDirection(QBoxLayout.Direction.TopToBottom if stacked
                                  else QBoxLayout.Direction.LeftToRight)  # fmt: skip


class AdaptiveRow(StackingRow):
    """A label followed by buttons on one row when the label fits beside them, else the
    label on a row of its own above them. The header and the totals row use it: on a
    1080 px portrait screen, or in 长辈模式, the title and four buttons do not fit in a row
    and the buttons lost glyphs."""

    def __init__(self, label: QLabel, widgets: list[QWidget], parent: QWidget | None = None,
                 shown: QWidget | None = None):  # fmt: skip
        """``shown``: what stands where the label would (a block holding it and more); the
        label's text still decides whether the row stacks."""
        super().__init__(parent)
        self.label = label
        # Wrapping also keeps its text from setting the row's minimum width (the row
        # rearranges instead), and is the last resort should even a row of its own be narrow.
        label.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        self.buttons.addStretch(1)
        for widget in widgets:
            self.buttons.addWidget(widget)
        self.box.addWidget(shown or label, stretch=1)
        self.box.addLayout(self.buttons)

    def needs_stacking(self) -> bool:
        need = self.label.fontMetrics().horizontalAdvance(self.label.text()) + 16
        return need > self.width() - self.buttons.sizeHint().width() - self.box.spacing()

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.arrange()


class Beside(StackingRow):
    """A field beside its keypad on a landscape screen (a 768 px screen has no height for one
    above the other), above it on a portrait one."""

    def __init__(self, left: list[QWidget], keypad: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in left:
            layout.addWidget(widget)
        layout.addStretch(1)
        self.box.addWidget(column, stretch=1)
        self.box.addWidget(keypad, stretch=1)
        # Never taller than it needs: stacked on a tall screen, the keypad stays by its field.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def needs_stacking(self) -> bool:
        window = self.window()
        return window.height() > window.width()


class SideBySide(StackingRow):
    """Two parts that share the page: side by side on a landscape screen, one above the other
    on a portrait one, each taking half the room."""

    def __init__(self, first: QWidget, second: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.box.addWidget(first, stretch=1)
        self.box.addWidget(second, stretch=1)

    def needs_stacking(self) -> bool:
        window = self.window()
        return window.height() > window.width()


class SideScroller(QWidget):
    """A sideways strip of buttons that shows it scrolls: ◀ ▶ buttons appear when it
    overflows, and a drag moves it by finger (touch) or by mouse, as some touch panels
    report as a mouse. A drag never ends in a tap on the button it started on."""

    DRAG_START_PX = 24

    def __init__(self, content: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtCore import Qt  # here, not at import: Qt's enums cost ~20 ms to set up
        from PySide6.QtWidgets import QFrame, QScrollArea

        self.area = QScrollArea()
        self.area.setWidget(content)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        kinetic(self.area, holds_buttons=True)
        self.left, self.right = QPushButton("◀"), QPushButton("▶")
        self.left.setAccessibleName("向左滚动")
        self.right.setAccessibleName("向右滚动")
        self.left.clicked.connect(lambda: self.step(-1))
        self.right.clicked.connect(lambda: self.step(1))
        # Their room is kept while hidden: showing them must not narrow the strip, which
        # changed its overflow, which showed or hid them again, a layout behind the screen.
        for arrow in (self.left, self.right):
            policy = arrow.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            arrow.setSizePolicy(policy)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.left)
        row.addWidget(self.area, stretch=1)
        row.addWidget(self.right)
        bar = self.area.horizontalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._update_arrows())
        bar.valueChanged.connect(lambda *_: self._update_arrows())
        self._press: tuple[int, int] | None = None  # (global x, scroll value) at the press
        self._dragged = False
        self.area.viewport().installEventFilter(self)
        self.content = content
        content.installEventFilter(self)  # its layout changes: the strip keeps its height
        self._update_arrows()

    def watch(self, button: QWidget) -> None:
        """Let a drag that starts on ``button`` move the strip."""
        button.installEventFilter(self)

    def step(self, direction: int) -> None:
        bar = self.area.horizontalScrollBar()
        bar.setValue(bar.value() + direction * max(1, self.area.viewport().width() * 3 // 4))

    def _update_arrows(self) -> None:
        bar = self.area.horizontalScrollBar()
        overflow = bar.maximum() > 0
        self.left.setVisible(overflow)
        self.right.setVisible(overflow)
        self.left.setEnabled(bar.value() > 0)
        self.right.setEnabled(bar.value() < bar.maximum())

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent, Qt

        kind = event.type()
        if watched is self.content:
            if kind == QEvent.Type.LayoutRequest:
                # A scroll area asks for little height; the buttons must not be cut.
                self.area.setMinimumHeight(self.content.sizeHint().height())
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._press = (int(event.globalPosition().x()), self.area.horizontalScrollBar().value())
            self._dragged = False
        elif kind == QEvent.Type.MouseMove and self._press is not None:
            moved = int(event.globalPosition().x()) - self._press[0]
            if abs(moved) >= self.DRAG_START_PX:
                self._dragged = True
            if self._dragged:
                self.area.horizontalScrollBar().setValue(self._press[1] - moved)
                if isinstance(watched, QPushButton):
                    watched.setDown(False)
                return True
        elif kind == QEvent.Type.MouseButtonRelease and self._press is not None:
            self._press = None
            if self._dragged:
                if isinstance(watched, QPushButton):
                    watched.setDown(False)
                return True  # the end of a drag is not a tap
        return False


class PageFrame(QScrollArea):
    """A vertical scroll area holding one kiosk page, that scrolls only when the page's
    minimum does not fit. (QScrollArea's own resizing, given a page with wrapped labels,
    sized it to its preferred height for the width: a page that fitted still scrolled, its
    buttons below the fold of a 768 px screen.)"""

    def __init__(self, page: QWidget):
        super().__init__()
        self.setObjectName("page")
        self.setWidget(page)
        page.installEventFilter(self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget() and event.type() == event.Type.LayoutRequest:
            self.fit()
        return super().eventFilter(watched, event)

    def fit(self) -> None:
        page = self.widget()
        least = page.minimumSizeHint()
        # The viewport's size, worked out without asking for the viewport: wrapping that
        # plain QWidget makes PySide set up every QtWidgets class (~80 enums, ~8 ms before
        # the first frame).
        room = self.maximumViewportSize()
        width, height = room.width(), room.height()
        if least.height() > height:
            width -= self.verticalScrollBar().sizeHint().width()
        if least.width() > width:
            height -= self.horizontalScrollBar().sizeHint().height()
        page.resize(max(width, least.width()), max(height, least.height()))


class Notice(QLabel):
    """A word to the villager (a wrong answer, a missing key, a printer's state) that takes
    no room while it has nothing to say. ``warning`` gives it the warning colours."""

    def __init__(self, name: str = "", warning: bool = False, parent: QWidget | None = None):
        super().__init__("", parent)
        if warning:
            self.setObjectName("warning")
        self.setWordWrap(True)
        if name:
            self.setAccessibleName(name)
        self.setVisible(False)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")
