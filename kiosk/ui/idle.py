"""还在看吗？ — the countdown shown before the idle reset, so a villager who is still reading
is not sent back to the home page with everything they typed forgotten.

It is a child widget laid over the window's content (a dialog or a second window would be
a stock window on a kiosk), built once and shown again on every idle timeout.
"""

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.ui import theme

SECONDS = 10
_T = QEvent.Type
# A gesture starts with one of these and ends with the matching end (a wheel turn has none).
_ENDS = {_T.MouseButtonPress: (_T.MouseButtonRelease,), _T.TouchBegin: (_T.TouchEnd, _T.TouchCancel),
         _T.KeyPress: (_T.KeyRelease,), _T.Wheel: ()}  # fmt: skip
# Everything a finger or a key sends between the two; hover and enter/leave are not input.
_GESTURE = {*_ENDS, _T.MouseButtonRelease, _T.MouseButtonDblClick, _T.MouseMove, _T.TouchUpdate,
            _T.TouchEnd, _T.TouchCancel, _T.KeyRelease}  # fmt: skip
# Fixed, not the theme's: the panel is read by someone who has not touched the screen for
# minutes, often an older villager, so it is as large as 长辈模式 or larger.
_STYLE = f"""
QFrame#stillThere {{ background: {theme.PAPER}; border: 4px solid {theme.ACTION}; border-radius: 16px; }}
QLabel {{ background: transparent; font-size: 28pt; }}
QLabel#stillThereTitle {{ font-size: 40pt; font-weight: bold; }}
QPushButton {{ font-size: 32pt; min-height: 120px; min-width: 320px; padding: 10px 40px; }}
"""


class StillThere(QWidget):
    """A dimmed cover over ``parent`` with 还在看吗？, a live countdown and 继续查看.

    ``start(seconds)`` shows it; ``cancelled`` is emitted when someone touches the kiosk
    (``swallows`` is fed every input event by the window), ``expired`` when the countdown
    reaches zero untouched. One timer ticks the seconds; nothing is built per showing.
    """

    cancelled = Signal()
    expired = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("stillThereCover")
        self.setStyleSheet(_STYLE)
        self.remaining = 0
        self._active = False
        self._until: tuple[QEvent.Type, ...] | None = None  # ends of a swallowed gesture
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._tick)

        panel = QFrame()
        panel.setObjectName("stillThere")
        panel.setMaximumWidth(960)
        self.title = QLabel("还在看吗？")
        self.title.setObjectName("stillThereTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = QLabel("")
        self.countdown.setWordWrap(True)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keep = QPushButton("继续查看")
        self.keep.setAccessibleName("继续查看")
        # Normally the window's filter has already cancelled on the press; this is for a
        # click that reaches the button anyway.
        self.keep.clicked.connect(self.cancel)
        inside = QVBoxLayout(panel)
        inside.setContentsMargins(48, 40, 48, 40)
        inside.setSpacing(28)
        inside.addWidget(self.title)
        inside.addWidget(self.countdown)
        inside.addWidget(self.keep, alignment=Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, stretch=8)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.panel = panel

        parent.installEventFilter(self)  # follow the parent's size
        self.hide()

    @property
    def active(self) -> bool:
        return self._active

    def start(self, seconds: int = SECONDS) -> None:
        """Cover the parent and count down from ``seconds``."""
        self.remaining = max(1, int(seconds))
        self._show_remaining()
        self.setGeometry(self.parentWidget().rect())
        self._active = True
        self.raise_()
        self.show()
        self.tick.start()

    def stop(self) -> None:
        """Hide without a signal (the window is resetting anyway)."""
        self._active = False
        self.tick.stop()
        self.hide()

    def cancel(self) -> None:
        """Someone is still here: hide and emit ``cancelled``."""
        if self._active:
            self.stop()
            self.cancelled.emit()

    def swallows(self, kind: QEvent.Type) -> bool:
        """Whether the window should drop an input event of type ``kind``.

        While the countdown shows, the first press, touch, key or wheel turn cancels it, and
        that whole gesture, up to its release, is kept from the widgets: the finger that
        says "still here" must not also tap the button under it.
        """
        if self._until is not None:
            if kind in _ENDS:  # a new gesture: the end of the swallowed one was lost
                self._until = None
            else:
                if kind in self._until:
                    self._until = None
                return kind in _GESTURE
        if not self._active:
            return False
        if kind in _ENDS:
            self._until = _ENDS[kind] or None
            self.cancel()
        return kind in _GESTURE

    def _tick(self) -> None:
        self.remaining -= 1
        if self.remaining > 0:
            self._show_remaining()
            return
        self.stop()
        self.expired.emit()

    def _show_remaining(self) -> None:
        self.countdown.setText(f"{self.remaining} 秒后返回首页，并清除您输入的内容")

    # -- the cover itself ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self._active:
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor(0, 0, 0, 150))  # the page stays faintly visible
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Only reached if the window's filter did not take the press (it normally does).
        event.accept()
        self.cancel()
