"""The service-hall rules: nothing a villager can tap, right-click or hold opens a stock Qt
dialog (file, print, message box, input), a context menu, or any window but the kiosk's; and
a close request (window manager, Alt+F4) leaves the kiosk on screen.

The exploration starts at home and taps every visible, enabled button breadth-first, state by
state (each distinct button text once per page), taps the first rows of every list and table,
and right-clicks, right-taps and holds every text, list and scroll-bar widget it meets. A
window that opens is recorded with what opened it, then closed from a timer, so a modal
dialog's exec() cannot hold the test.
"""

from collections import deque
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QContextMenuEvent, QGuiApplication
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QScrollBar,
    QTextEdit,
    QWidget,
)

from kiosk.ui import tasks
from kiosk.ui.shell import KioskWindow
from tests.helpers.kiosk import open_kiosk

# QDialog covers every stock dialog; the others are named so a failure says which one.
FORBIDDEN = (QFileDialog, QPrintDialog, QMessageBox, QInputDialog, QDialog, QMenu)
MAX_TAPS = 700  # exploration taps (the replays that restore a state come on top)
ROWS_PER_VIEW = 2  # rows tapped in each list or table, per page
HOLD_MS = 100  # press-and-hold interval for the test (Qt's default is 800 ms)
MUST_TAP = {
    ("payouts", "打印公示"),
    ("payouts", "查询本人"),
    ("payouts", "X"),  # the ID pad of 查询本人
    ("payouts", "按姓氏找"),
    ("admin", "1"),
    ("print", "打印"),
    ("print", "保存到U盘"),
    ("catalogue", "医保"),
    ("home", "更换乡镇(街道)"),
}
VILLAGER_PAGES = {"home", "payouts", "print", "catalogue", "consult", "policies", "admin", "requests",
                  "progress"}


@pytest.fixture
def window(qtbot, demo_db, tmp_path, no_real_devices):
    kiosk = open_kiosk(qtbot, tmp_path / "settings.json", demo_db)  # no staff PIN set
    qtbot.waitExposed(kiosk)
    hints = QGuiApplication.styleHints()
    hold = hints.mousePressAndHoldInterval()
    hints.setMousePressAndHoldInterval(HOLD_MS)
    yield kiosk
    hints.setMousePressAndHoldInterval(hold)
    kiosk.reset()


class HallWatch(QObject):
    """Records every stock dialog, menu or other top-level window that is shown, with the
    action that showed it, and closes it again from a timer."""

    def __init__(self, kiosk: QWidget):
        super().__init__()
        self.kiosk = kiosk
        self.cause = "start"
        self.shown: list[str] = []
        self._strays: list[QWidget] = []
        self._rescue = QTimer()
        self._rescue.setInterval(20)
        self._rescue.timeout.connect(self._close_strays)  # runs inside a dialog's exec() too
        self._rescue.start()
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and (isinstance(watched, FORBIDDEN) or (watched.isWindow() and watched is not self.kiosk))
        ):
            title = watched.windowTitle() or watched.objectName()
            self.shown.append(f"{type(watched).__name__} {title!r} after {self.cause}")
            self._strays.append(watched)
        return False

    def _close_strays(self) -> None:
        self._strays = [w for w in self._strays if shiboken6.isValid(w)]  # menus delete on close
        for widget in (QApplication.activePopupWidget(), QApplication.activeModalWidget(),
                       *self._strays):  # fmt: skip
            if widget is None or widget is self.kiosk or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self._rescue.stop()
        self._close_strays()


def _label(button: QAbstractButton) -> str:
    return (button.text() or button.accessibleName() or type(button).__name__).replace("\n", " ")


def _name(widget: QWidget) -> str:
    if isinstance(widget, QScrollBar):  # named after the list or page it scrolls
        area = widget.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        side = "vertical" if widget.orientation() == Qt.Orientation.Vertical else "horizontal"
        return f"{side} scroll bar of {_name(area) if area is not None else 'a widget'}"
    return widget.accessibleName() or widget.objectName() or type(widget).__name__


class Explorer:
    """Breadth-first over the kiosk's states. A state is reached by a path of actions from
    the idle reset; an action is ("tap", page, button label) or ("row", page, view, row)."""

    def __init__(self, qtbot, window: KioskWindow, watch: HallWatch):
        self.qtbot, self.window, self.watch = qtbot, window, watch
        self.done: set[tuple] = set()  # actions taken (each distinct one once)
        self.promised: set[tuple] = set()  # actions a queued state will take
        self.probed: set[tuple] = set()
        self.pages: set[str] = set()
        self.taps = 0
        self.device = QTest.createTouchDevice()

    # -- what the screen shows ------------------------------------------------------------

    def buttons(self) -> list[QAbstractButton]:
        return [b for b in self.window.findChildren(QAbstractButton) if b.isVisible() and b.isEnabled()]

    def views(self) -> list[QAbstractItemView]:
        return [v for v in self.window.findChildren(QAbstractItemView)
                if v.isVisible() and v.model() is not None and type(v).__name__ != "QHeaderView"]  # fmt: skip

    def actions(self) -> Iterator[tuple]:
        page = self.window.page_name()
        for button in self.buttons():
            yield ("tap", page, _label(button))
        for view in self.views():
            for row in range(min(ROWS_PER_VIEW, view.model().rowCount())):
                yield ("row", page, _name(view), row)

    def state(self) -> tuple:
        return self.window.page_name(), frozenset(self.actions())

    # -- doing things ---------------------------------------------------------------------

    def settle(self) -> None:
        """Let the tap's consequences land, including background work it started (finding
        the printer, saving to the stick): their results arrive queued on the UI thread."""
        QApplication.processEvents()
        for _ in range(20):
            if not tasks.running():
                break
            tasks.wait_for_all()
            QApplication.processEvents()
        QApplication.processEvents()

    def act(self, action: tuple) -> bool:
        """Take ``action`` if the screen offers it; False if it does not."""
        kind, page, what, *row = action
        if self.window.page_name() != page:
            return False
        self.watch.cause = f"{kind} {what}{row or ''} on {page}"
        if kind == "tap":
            button = next((b for b in self.buttons() if _label(b) == what), None)
            if button is None:
                return False
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            view = next((v for v in self.views() if _name(v) == what), None)
            if view is None or view.model().rowCount() <= row[0]:
                return False
            index = view.model().index(row[0], 0)
            view.scrollTo(index)
            self.settle()
            self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                                  pos=view.visualRect(index).center())  # fmt: skip
        self.settle()
        return True

    def replay(self, path: tuple) -> bool:
        self.watch.cause = "the idle reset"
        self.window.reset()
        self.settle()
        return all(self.act(action) for action in path)

    def probe(self) -> None:
        """Right-click, right-tap and hold every text, list and scroll-bar widget on screen."""
        page = self.window.page_name()
        kinds = (QLineEdit, QTextEdit, QAbstractItemView, QScrollBar, QAbstractScrollArea)
        for widget in self.window.findChildren(QWidget):
            if not shiboken6.isValid(widget) or not widget.isVisible():  # deleteLater ran
                continue
            selectable = isinstance(widget, QLabel) and (
                widget.textInteractionFlags() != Qt.TextInteractionFlag.NoTextInteraction
            )
            if not (isinstance(widget, kinds) or selectable):
                continue
            key = (page, type(widget).__name__, _name(widget))
            if key in self.probed:
                continue
            self.probed.add(key)
            # Input lands on a scroll area's viewport, as a finger's would.
            target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
            centre = target.rect().center()
            what = f"{type(widget).__name__} {_name(widget)!r} on {page}"
            self.watch.cause = f"a context-menu request on {what}"
            QApplication.sendEvent(target, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre,
                                                             target.mapToGlobal(centre)))  # fmt: skip
            self.settle()
            self.watch.cause = f"a right click on {what}"
            self.qtbot.mouseClick(target, Qt.MouseButton.RightButton, pos=centre)
            self.settle()
            self.watch.cause = f"a press-and-hold on {what}"
            self.qtbot.mousePress(target, Qt.MouseButton.LeftButton, pos=centre)
            self.qtbot.wait(HOLD_MS + 100)
            self.qtbot.mouseRelease(target, Qt.MouseButton.LeftButton, pos=centre)
            self.settle()
            self.watch.cause = f"a touch press-and-hold on {what}"
            at = target.mapTo(self.window, centre)
            QTest.touchEvent(self.window, self.device).press(0, at, self.window).commit()
            self.qtbot.wait(HOLD_MS + 100)
            QTest.touchEvent(self.window, self.device).release(0, at, self.window).commit()
            self.settle()

    def explore(self) -> None:
        queue: deque[tuple] = deque([()])
        self.replay(())
        while queue and self.taps < MAX_TAPS:
            path = queue.popleft()
            if not self.replay(path):
                continue
            self.pages.add(self.window.page_name())
            before = self.state()
            self.probe()
            if self.state() != before and not self.replay(path):  # a touch hold tapped something
                continue
            for action in list(self.actions()):
                if action in self.done or self.taps >= MAX_TAPS:
                    continue
                self.done.add(action)
                state = self.state()
                if not self.act(action):
                    continue
                self.taps += 1
                after = self.state()
                if after == state:
                    continue
                self.pages.add(after[0])
                new = after[1] - self.done - self.promised
                if new:  # a state with something not yet tapped nor queued elsewhere
                    self.promised |= new
                    queue.append((*path, action))
                if not self.replay(path):
                    break


# Offscreen Qt cannot raise a window or grab the keyboard for a popup (the popup itself is
# what is reported); without a speech daemon Qt reports its failing plug-ins (朗读 is tapped).
@pytest.mark.slow
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing", "pipewire",
                           "text-to-speech plug-in", "speechd")  # fmt: skip
def test_no_villager_action_opens_a_stock_dialog_a_menu_or_another_window(qtbot, window):
    watch = HallWatch(window)
    explorer = Explorer(qtbot, window, watch)
    try:
        explorer.explore()
    finally:
        watch.stop()
    # The exploration really went everywhere a villager can go ...
    taps = {(page, what) for kind, page, what, *_ in explorer.done if kind == "tap"}
    rows = {page for kind, page, *_ in explorer.done if kind == "row"}
    missed = [f"page {p}" for p in sorted(VILLAGER_PAGES - explorer.pages)]
    missed += [f"{w} on {p}" for p, w in sorted(MUST_TAP - taps)]
    missed += [f"a list row on {p}" for p in sorted({"catalogue", "consult", "policies"} - rows)]
    # ... and opened nothing but the kiosk's own pages.
    reached = list(dict.fromkeys(watch.shown))
    assert not reached and not missed and window.isVisible(), (
        f"{explorer.taps} taps, {len(explorer.probed)} widgets right-clicked and held; "
        + "a villager reached:\n"
        + "\n".join(reached)
        + "\nnot explored: "
        + ", ".join(missed)
    )


def test_a_close_request_leaves_the_kiosk_on_screen(qtbot, window):
    """Only 退出程序 behind the staff PIN (KioskWindow.quit_kiosk) ends the kiosk."""
    event = QCloseEvent()
    QApplication.sendEvent(window, event)
    assert not event.isAccepted(), "KioskWindow accepts a close request that did not come from quit_kiosk()"
    assert not window.close(), "window.close() closed the kiosk"
    assert window.isVisible()
    window.windowHandle().close()  # a window manager's close button
    QApplication.processEvents()
    assert window.isVisible(), "a window manager's close request closed the kiosk"
    QTest.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert window.isVisible(), "Alt+F4 closed the kiosk"
    at = QPoint(window.width() // 2, window.height() // 2)
    QApplication.sendEvent(window, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at,
                                                     window.mapToGlobal(at)))  # fmt: skip
    assert QApplication.activePopupWidget() is None  # the menu key opens nothing either
