"""A touch text-entry panel for villagers: write a character with a finger, or spell pinyin
on our own letter keypad, and pick from big candidate buttons.

Never a dialog and never the system input method: pages embed the panel as a plain widget.
Strokes stay in memory only while a character is being written; nothing is stored or logged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import KnownError
from kiosk.services import handwriting
from kiosk.services.words import words
from kiosk.ui import theme
from kiosk.ui.keypad import Keypad
from kiosk.ui.tasks import run_task
from kiosk.ui.widgets import FlowGrid

Strokes = list[list[tuple[float, float]]]
CANDIDATES = 10
AUTO_COMMIT_S = 1.2
INK_PX = 8


# -- the writing pad ----------------------------------------------------------------------------


class WritingPad(QWidget):
    """A square to write one character in with a finger; the ink shows as it is written.

    Emits ``pen_down`` when a stroke starts and ``written(strokes, width, height)`` when one
    ends, with every stroke of the character so far in pad coordinates.
    """

    written = Signal(object, int, int)
    pen_down = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.strokes: Strokes = []
        self._current: list[tuple[float, float]] | None = None
        self._message = ""
        self.setAccessibleName("手写区")
        self.setMinimumSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def clear(self) -> None:
        self.strokes, self._current = [], None
        self.update()

    def set_message(self, text: str) -> None:
        """Show ``text`` instead of the writing square (handwriting unavailable); "" to write."""
        self._message = text
        self.clear()

    def message(self) -> str:
        return self._message

    def replay(self, strokes: Strokes, width: int, height: int) -> None:
        """Ink a character written elsewhere (a recorded stroke file) as if written here: the
        screenshot tool uses it."""
        if self._message:
            return
        sx, sy = self.width() / width, self.height() / height
        self.strokes = [[(x * sx, y * sy) for x, y in stroke] for stroke in strokes]
        self.update()
        self.written.emit([list(s) for s in self.strokes], self.width(), self.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._message or event.button() != Qt.MouseButton.LeftButton:
            return
        self.pen_down.emit()
        position = event.position()
        self._current = [(position.x(), position.y())]
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is None:
            return
        position = event.position()
        self._current.append((position.x(), position.y()))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        position = event.position()
        if (position.x(), position.y()) != stroke[-1]:
            stroke.append((position.x(), position.y()))
        self.strokes.append(stroke)
        self.update()
        self.written.emit([list(s) for s in self.strokes], self.width(), self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.PAPER))
        frame = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(QColor(theme.ACTION), 4))
        painter.drawRect(frame)
        if self._message:
            painter.setPen(QColor(theme.INK))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(frame.adjusted(24, 24, -24, -24), flags, self._message)
            return
        # A faint 米字格, as in a school exercise book: it helps to place the character.
        painter.setPen(QPen(QColor("#c8c8c8"), 2, Qt.PenStyle.DashLine))
        c = frame.center()
        painter.drawLine(QPointF(frame.left(), c.y()), QPointF(frame.right(), c.y()))
        painter.drawLine(QPointF(c.x(), frame.top()), QPointF(c.x(), frame.bottom()))
        painter.drawLine(frame.topLeft(), frame.bottomRight())
        painter.drawLine(frame.topRight(), frame.bottomLeft())
        pen = QPen(QColor(theme.INK), INK_PX, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)  # fmt: skip
        painter.setPen(pen)
        for stroke in [*self.strokes, *([self._current] if self._current else [])]:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
                continue
            path = QPainterPath(QPointF(*stroke[0]))
            for point in stroke[1:]:
                path.lineTo(QPointF(*point))
            painter.drawPath(path)


class _PadArea(QWidget):
    """Keeps the pad centred and as large as the space allows: square, or up to TALLEST times
    as tall as wide where the space is tall (a portrait screen), which a square left blank
    above and below. A character is written as well in a box a little taller than wide."""

    TALLEST = 1.2

    def __init__(self, child: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self._child = child
        child.setParent(self)
        self.setMinimumSize(child.minimumSize())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def resizeEvent(self, event) -> None:
        side = min(self.width(), self.height())
        height = min(self.height(), int(side * self.TALLEST))
        self._child.setGeometry((self.width() - side) // 2, (self.height() - height) // 2, side, height)


# -- the panel ----------------------------------------------------------------------------------


@dataclass
class _Ink:
    """One character's strokes waiting for (or given) candidates."""

    ink_id: int
    strokes: Strokes
    width: int
    height: int


class TextEntryPanel(QWidget):
    """Write (手写) or spell pinyin (拼音), pick candidates, then 确定: emits ``accepted(text)``.

    After a character is chosen, words that start with it are offered (联想). When the
    villager starts a new character after a pause of ``auto_commit_s`` seconds, the best
    candidate for the one written before is taken without a tap (None turns that off).
    """

    accepted = Signal(str)
    HANDWRITING, PINYIN = 0, 1

    def __init__(self, parent: QWidget | None = None, auto_commit_s: float | None = AUTO_COMMIT_S):
        super().__init__(parent)
        self.auto_commit_s = auto_commit_s
        self._text = ""
        self._letters = ""
        self._choices: list[tuple[str, str]] = []  # (label, text appended when tapped)
        self._ink_id = 0
        self._last_stroke = 0.0
        self._recognized: tuple[int, list[str]] | None = None
        self._queue: list[_Ink] = []
        self._busy = False
        self._pending: int | None = None  # ink whose best candidate is taken once known
        self._holding = False  # a hold on the recognizer while shown

        self.composed = QLabel()
        self.composed.setObjectName("composed")
        self.composed.setWordWrap(True)
        self.composed.setAccessibleName("已输入的文字")
        # The frame, not the label, carries the border: a label's own padding would hide a
        # wrapped second line from the layout.
        composed_frame = QFrame()
        composed_frame.setObjectName("composedFrame")
        composed_frame.setStyleSheet(f"QFrame#composedFrame {{ border: 3px solid {theme.ACTION}; }}")
        # Until something is written, one line says what to do (the frame alone said nothing).
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.MUTED};")
        frame_layout = QVBoxLayout(composed_frame)
        frame_layout.addWidget(self.composed)
        frame_layout.addWidget(self.hint)

        # The two modes sit with the actions: a row of their own cost the candidates their
        # second row on a 768 px screen in 长辈模式. The six flow into two rows of three
        # when the letter keypad needs the width.
        self.tabs = {"手写": QPushButton("手写"), "拼音": QPushButton("拼音")}
        group = QButtonGroup(self)
        self._actions = actions = QWidget()
        action_row = FlowGrid(actions, max_columns=6)
        for index, button in enumerate(self.tabs.values()):
            button.setCheckable(True)
            group.addButton(button, index)
            action_row.addWidget(button)
        self.tabs["手写"].setChecked(True)
        group.idClicked.connect(self.show_mode)

        candidates = QWidget()
        grid = FlowGrid(candidates, max_columns=5)
        self.candidate_buttons: list[QPushButton] = []
        for index in range(CANDIDATES):
            button = QPushButton()
            button.setObjectName("candidate")
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # the grid keeps its rows: nothing jumps
            button.setSizePolicy(policy)
            button.clicked.connect(lambda _=False, i=index: self.choose(i))
            button.hide()
            grid.addWidget(button)
            self.candidate_buttons.append(button)

        self.buttons: dict[str, QPushButton] = {}
        for label, slot in (("重写", self.rewrite), ("退格", self.backspace), ("空格", self.space),
                            ("确定", self.accept)):  # fmt: skip
            button = QPushButton(label)
            button.clicked.connect(slot)
            action_row.addWidget(button)
            self.buttons[label] = button

        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(composed_frame)
        column.addWidget(candidates)
        column.addStretch(1)
        column.addWidget(actions)

        self.pad = WritingPad()
        self.pad.pen_down.connect(self._pen_down)
        self.pad.written.connect(self._written)
        self.letters = QLabel()
        self.letters.setAccessibleName("拼音")
        self.letters.setObjectName("spelled")
        self.keypad = Keypad()
        self.keypad.typed.connect(self._typed)
        self.keypad.erased.connect(self._erase_letter)
        self.keypad.cleared.connect(self._clear_letters)
        spelling = QWidget()
        spell_column = QVBoxLayout(spelling)
        spell_column.setContentsMargins(0, 0, 0, 0)
        spell_column.addWidget(self.letters)
        spell_column.addWidget(self.keypad, stretch=1)  # its keys grow into the height left
        spell_column.addStretch(0)
        self.body = QStackedWidget()
        self.body.addWidget(_PadArea(self.pad))
        self.body.addWidget(spelling)

        self._layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.addWidget(side, 2)
        self._layout.addWidget(self.body, 2)
        self._show_text()

    # -- what the host uses ----------------------------------------------------------------------

    def text(self) -> str:
        return self._text

    def clear(self) -> None:
        """Forget everything (idle reset): text, ink, letters, candidates, queued recognition."""
        self._text, self._letters = "", ""
        self._forget_ink()
        self._pending = None
        self._set_choices([])
        self.letters.clear()
        self.tabs["手写"].setChecked(True)
        self.show_mode(self.HANDWRITING)
        self._show_text()

    def mode(self) -> int:
        return self.body.currentIndex()

    def show_mode(self, mode: int) -> None:
        self.tabs["手写" if mode == self.HANDWRITING else "拼音"].setChecked(True)
        self.body.setCurrentIndex(mode)
        self._arrange()
        self._forget_ink()
        self._letters = ""
        self.letters.clear()
        self._show_text()
        self._offer_following()

    def choices(self) -> list[str]:
        """The candidate labels shown now."""
        return [label for label, _ in self._choices]

    # -- buttons ---------------------------------------------------------------------------------

    def choose(self, index: int) -> None:
        """A candidate tapped: append it, clear the ink or letters, offer 联想."""
        if index >= len(self._choices):
            return
        self._append(self._choices[index][1])

    def rewrite(self) -> None:
        self._forget_ink()
        self._offer_following()

    def backspace(self) -> None:
        self._text = self._text[:-1]
        self._show_text()
        self._offer_following()

    def space(self) -> None:
        self._append(" ")

    def accept(self) -> None:
        """确定: a character still on the pad counts as its best candidate."""
        if self.pad.strokes and self._recognized and self._recognized[0] == self._ink_id:
            best = self._recognized[1]
            if best:
                self._append(best[0])
        self.accepted.emit(self._text)

    # -- composing -------------------------------------------------------------------------------

    def _append(self, text: str) -> None:
        self._text += text
        self._forget_ink()
        self._letters = ""
        self.letters.clear()
        self._show_text()
        self._offer_following()

    def _show_text(self) -> None:
        self.composed.setText(self._text)
        self.composed.setVisible(bool(self._text))
        hints = {self.HANDWRITING: "在方框里用手指写一个字，再点下面出现的字",
                 self.PINYIN: "点字母拼写（如 db 或 dibao），再点出现的字"}  # fmt: skip
        self.hint.setText(hints[self.mode()])
        self.hint.setVisible(not self._text)

    def _offer_following(self) -> None:
        """联想: words that start with the last character, tapping one adds the rest of it."""
        last = self._text[-1:].strip()
        if not last or self.pad.strokes or self._letters:
            self._set_choices([])
            return
        self._set_choices([(word, word[1:]) for word in words().following(last, limit=CANDIDATES)])

    def _set_choices(self, choices: list[tuple[str, str]]) -> None:
        self._choices = choices[:CANDIDATES]
        for index, button in enumerate(self.candidate_buttons):
            if index < len(self._choices):
                label = self._choices[index][0]
                button.setText(label)
                button.setAccessibleName(f"候选 {label}")
                button.show()
            else:
                button.setText("")
                button.hide()

    # -- pinyin ----------------------------------------------------------------------------------

    def _typed(self, letter: str) -> None:
        self._letters += letter.lower()
        self._spell()

    def _erase_letter(self) -> None:
        if self._letters:
            self._letters = self._letters[:-1]
            self._spell()
        else:
            self.backspace()

    def _clear_letters(self) -> None:
        self._letters = ""
        self._spell()

    def _spell(self) -> None:
        self.letters.setText(self._letters)
        if not self._letters:
            self._offer_following()
            return
        self._set_choices([(word, word) for word in words().spelled(self._letters, limit=CANDIDATES)])

    # -- handwriting -----------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not event.spontaneous() and not self._holding:
            # The model (and the word list, the first time) load now, off the UI thread; the
            # model stays mapped only while a pad is shown (kiosk.services.handwriting).
            self._holding = True
            handwriting.recognizer().hold()
            run_task(_prepare, name="handwriting-load", on_failure=self._unavailable)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if not event.spontaneous() and self._holding:
            self._holding = False
            run_task(lambda _task: handwriting.recognizer().let_go(), name="handwriting-unload")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Landscape: the pad (or keypad) left, the rest right; portrait: the rest above, the
        pad taking all the height left over."""
        wide = self.width() > self.height() * 1.15
        direction = QBoxLayout.Direction.RightToLeft if wide else QBoxLayout.Direction.TopToBottom
        if self._layout.direction() != direction:
            self._layout.setDirection(direction)
        # The letter keypad wants width more than the candidates do (28 keys, 长辈模式 on
        # 1280 x 800). The pad is a square: in landscape it gets no wider than the panel is
        # high, and no wider than leaves the six buttons one row; the candidates take the
        # width it leaves (five to a row, not four).
        pinyin = self.mode() == self.PINYIN
        margins = 2 * self._layout.contentsMargins().left() + self._layout.spacing()
        one_row = self._actions.layout().sizeHint().width()
        square = min(self.height() - margins, self.width() - one_row - margins)
        self.body.setMaximumWidth(max(square, 200) if wide and not pinyin else 16_777_215)
        self._layout.setStretch(0, 4 if wide else 0)
        self._layout.setStretch(1, (7 if pinyin else 4) if wide else 1)

    def _forget_ink(self) -> None:
        self._ink_id += 1
        self._queue = [ink for ink in self._queue if ink.ink_id == self._pending]
        self.pad.clear()

    def _pen_down(self) -> None:
        """A new stroke after a pause starts a new character: take the best for the last one."""
        pause = self.auto_commit_s
        if not self.pad.strokes or pause is None or time.monotonic() - self._last_stroke < pause:
            return
        pending = self._ink_id
        if self._recognized and self._recognized[0] == pending:
            best = self._recognized[1][:1]
            text = self._text + "".join(best)
        else:
            self._pending, text = pending, self._text  # taken when its candidates arrive
        self._text = text
        self._forget_ink()
        self._show_text()
        self._set_choices([])

    def _written(self, strokes: Strokes, width: int, height: int) -> None:
        self._last_stroke = time.monotonic()
        self._ink_id += 1
        self._queue = [ink for ink in self._queue if ink.ink_id == self._pending]
        self._queue.append(_Ink(self._ink_id, strokes, width, height))
        self._next()

    def _next(self) -> None:
        """One recognition at a time; only the newest ink (and one waiting to be taken) queue."""
        if self._busy or not self._queue:
            return
        ink = self._queue.pop(0)
        self._busy = True
        run_task(lambda _task: (ink.ink_id, _recognize(ink)), name="handwriting",
                 on_success=self._candidates, on_failure=self._unavailable,
                 on_done=self._recognition_done)  # fmt: skip

    def _recognition_done(self) -> None:
        self._busy = False
        self._next()

    def _candidates(self, result: tuple[int, list[str]]) -> None:
        ink_id, found = result
        if ink_id == self._pending:
            self._pending = None
            self._text += "".join(found[:1])
            self._show_text()
            if not self.pad.strokes:
                self._offer_following()
        elif ink_id == self._ink_id and self.mode() == self.HANDWRITING:
            self._recognized = result
            self._set_choices([(char, char) for char in found])

    def _unavailable(self, error: KnownError) -> None:
        """No recognizer: say so on the pad in plain words; pinyin still works."""
        self._pending = None
        self._queue.clear()
        self.pad.set_message(f"{error.zh}\n\n请点上面的“拼音”输入")


def _prepare(_task) -> None:
    """Worker thread: open the handwriting model and read the word list, once."""
    words()
    handwriting.recognizer().load()


def _recognize(ink: _Ink) -> list[str]:
    """Worker thread: candidates for one character's strokes (never logged)."""
    return handwriting.recognizer().recognize(ink.strokes, ink.width, ink.height, limit=CANDIDATES)
