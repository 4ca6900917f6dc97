"""One person's payouts as a card (what the lookup shows once a villager has found their own
name): each year's total in the largest type on the screen, then each item with its amount,
how it was reckoned and when it was paid, and whom to ring. The same card prints
(printing.card_pdf), from the same data.

The years stack newest first, framed, with a button per year that scrolls to it: a year fits
a 768 px screen in 长辈模式, and a portrait screen shows three at once. Within a year the total
stands beside the items on a landscape screen and above them on a portrait one.

A year is two rich-text labels, their sizes written into their HTML: the type grows to fill a
tall screen by writing new HTML, where restyling thirty labels through style sheets cost
50-100 ms a step on a terminal's CPU.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.errors import KnownError
from kiosk.ui import theme
from kiosk.ui.widgets import FlowGrid, Notice, SideBySide, button_grid, clear_layout, kinetic
from printing.card import NOTE

if TYPE_CHECKING:
    from printing.card import CardYear, PayoutCard

# Where a card leaves the view's height unused (a portrait screen, a short record), its type
# grows until it fills the view, its body text up to this size (1.5 times 长辈模式's): a blank
# half screen under small print helps nobody, and beyond it an item's line no longer fits a
# 1080 px width.
MAX_BODY_PT = 36
SCALE_STEP = 0.05
FIT_TRIES = 4


def _step_down(scale: float) -> float:
    return round(int(scale / SCALE_STEP + 1e-9) * SCALE_STEP, 2)


def _label(text: str = "", name: str = "", rich: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


def summary_html(year: CardYear, mode: theme.Theme, scale: float) -> str:
    """The year's heading and its total, the largest type on the screen."""
    return (f'<div style="font-size:{_pt(mode.body_pt, scale)}pt">{escape(year.heading)}</div>'
            f'<div style="font-size:{_pt(mode.total_pt, scale)}pt; font-weight:bold">'
            f"{escape(year.total)}&nbsp;元</div>")  # fmt: skip


def items_html(year: CardYear, mode: theme.Theme, scale: float) -> str:
    """Each item, its amount right after its name (no eye travel across a wide screen), and its
    payments under it. Paragraphs, not a table: a table's layout cost ~8 ms a measure."""
    body, item = _pt(mode.body_pt, scale), _pt(mode.item_pt, scale)
    indent = round(mode.body_pt * scale)
    blocks = []
    for entry in year.items:
        blocks.append(f'<p style="margin:0; font-size:{item}pt; font-weight:bold">{escape(entry.name)}'
                      f"　{escape(entry.amount)}&nbsp;元</p>")  # fmt: skip
        # pre-wrap: the ideographic space between the basis and the date is kept, not folded.
        lines = "<br>".join(escape(line) for line in entry.lines())
        blocks.append(f'<p style="margin:0 0 4px {indent}px; font-size:{body}pt; white-space:pre-wrap">'
                      f"{lines}</p>")  # fmt: skip
    return "".join(blocks)


def _pt(size: int, scale: float) -> int:
    return round(size * scale)


class YearView(QFrame):
    """One year of the card, framed: the total beside the items on a landscape screen, above
    them on a portrait one."""

    def __init__(self):
        super().__init__()
        self.setObjectName("card")
        self.summary = _label(rich=True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.items = _label(rich=True)
        row = SideBySide(self.summary, self.items)
        row.box.setStretch(0, 2)  # the items' lines are the longer: they get the wider part
        row.box.setStretch(1, 3)
        QVBoxLayout(self).addWidget(row)

    def write(self, year: CardYear, mode: theme.Theme, scale: float) -> None:
        self.summary.setText(summary_html(year, mode, scale))
        self.items.setText(items_html(year, mode, scale))
        self.setAccessibleName(f"{year.heading}{year.total}元")

    def clear(self) -> None:
        self.summary.clear()
        self.items.clear()


class PayoutCardView(QWidget):
    """Shows a ``PayoutCard`` and prints it (打印明细).

    ``years`` (a button per year, when there are several) and ``print_button`` are for the
    page to place in its row of controls: the card keeps every pixel of height below it.
    """

    def __init__(self, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings  # kiosk.config.Settings: the printer, read at use
        self.card: PayoutCard | None = None
        self.task = None  # the print job under way (kiosk.ui.tasks)
        self._fit_pending = False
        self._scale = 1.0  # the card's type, times the mode's
        self._written: tuple = ()  # (mode, scale) of the card's text
        self.years = QWidget()
        # A grid, not a strip: many years wrap onto a second row instead of widening the page.
        self.year_grid = FlowGrid(self.years)
        self.year_buttons: dict[int, QPushButton] = {}
        self.print_button = QPushButton("打印明细")
        self.print_button.setAccessibleName("打印本人补贴明细")
        self.print_button.clicked.connect(self.print_card)
        self.print_message = Notice("打印状态")
        self.who = _label(rich=True)
        self.frames: dict[int, YearView] = {}  # of each year shown
        self._year_views: list[YearView] = []
        self.ask = _label(name="muted")
        holder = QWidget()
        self.body = QVBoxLayout(holder)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.who)
        self.body.addWidget(self.ask)
        self.body.addWidget(_label(NOTE, name="muted"))
        self.body.addStretch(1)
        self.area = QScrollArea()
        self.area.setObjectName("cards")
        self.area.setWidgetResizable(True)
        self.area.setWidget(holder)
        kinetic(self.area)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.print_message)
        layout.addWidget(self.area, stretch=1)

    def show_card(self, card: PayoutCard) -> None:
        self.clear()
        self.card = card
        if len(card.years) > 1:
            self.year_grid.max_columns = len(card.years)
            labels = {y.year: f"{y.year}年" for y in card.years}
            self.year_buttons = button_grid(self.year_grid, labels, self.scroll_to)
        # A year's view is kept for the next card: a new one is styled on first show.
        while len(self._year_views) < len(card.years):
            view = YearView()
            self.body.insertWidget(1 + len(self._year_views), view)
            self._year_views.append(view)
        for year, view in zip(card.years, self._year_views, strict=False):
            self.frames[year.year] = view
            view.setVisible(True)
        self.ask.setText(card.asked_line)
        self.ask.setVisible(bool(card.asked_line))
        self._written = ()
        self._write(_mode(self), self._scale)
        self.area.verticalScrollBar().setValue(0)
        self._fit_soon()

    def _fit_soon(self) -> None:
        """fit_type once the card is laid out (after this turn of the event loop)."""
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self.fit_type)

    def fit_type(self) -> None:
        """The largest type, its body up to MAX_BODY_PT, at which the card still fits the view;
        the mode's own where it does not fit even so (it scrolls).

        A card's height grows about as its type does (a little more where lines wrap), so each
        guess comes from the last measure, rounded down to a step: a few rewrites of the
        years' HTML, none where the card already fills the view at the mode's type."""
        self._fit_pending = False
        room, width = self.area.viewport().height(), self.area.viewport().width()
        if self.card is None or room <= 0:
            return
        mode = _mode(self)
        scale = self._scale
        used = self._write(mode, scale, width)
        for _ in range(FIT_TRIES):
            target = max(1.0, min(MAX_BODY_PT / mode.body_pt, _step_down(scale * room / max(used, 1))))
            if target == scale:
                break
            scale = target
            used = self._write(mode, scale, width)
        if used > room and scale > 1.0:  # the last guess wrapped a line too many
            self._write(mode, max(1.0, round(scale - SCALE_STEP, 2)), width)

    def _write(self, mode: theme.Theme, scale: float, width: int = 0) -> int:
        """The card's text at ``scale`` times the mode's type (written only if that changed);
        returns the card's height at ``width``."""
        if (mode, scale) != self._written and self.card is not None:
            self._written, self._scale = (mode, scale), scale
            card = self.card
            size = _pt(mode.item_pt, scale)
            self.who.setText(f'<span style="font-size:{size}pt"><b>{escape(card.name)}</b>'
                             f"　身份证号 {escape(card.id_masked)}</span>")  # fmt: skip
            for year in card.years:
                self.frames[year.year].write(year, mode, scale)
            self.body.invalidate()
        return self.body.totalHeightForWidth(width) if width else 0

    # Fitted when shown, resized or restyled (长辈模式: the mode's sizes are the new base), and
    # only while on screen: a card left behind a list is not fitted at every switch of mode.
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.card is not None:
            self._fit_soon()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size() != event.oldSize() and self.card is not None and self.isVisible():
            self._fit_soon()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange and self.card is not None and self.isVisible():
            self._fit_soon()

    def scroll_to(self, year: int) -> None:
        """A year's button: its frame to the top of the view (as far as the list scrolls)."""
        frame = self.frames.get(year)
        if frame is not None:
            self.area.verticalScrollBar().setValue(frame.y())

    def spoken_text(self) -> str:
        """The newest year in full, then the other years' totals; the ID number is not read out
        in the hall."""
        if self.card is None or not self.card.years:
            return ""
        newest, *older = self.card.years
        said = [f"{self.card.name}，{newest.heading}{newest.total}元"]
        said += [f"{item.name}{item.amount}元，{'；'.join(item.lines())}" for item in newest.items]
        said += [f"{year.heading}{year.total}元" for year in older]
        return "。".join(said)

    def print_card(self) -> None:
        """打印明细: the card, made and sent to the printer off the UI thread."""
        if self.card is None or self.task is not None:
            return
        # Imported at the first print: the lookup is built before the first tap, and neither
        # the print system's modules nor reportlab are needed until a card is printed.
        from kiosk.ui.printing import print_in_background
        from printing.card_pdf import render_card

        card = self.card
        configured = str(self.settings.get("printer")) if self.settings is not None else ""
        print_in_background(self, lambda pdf: render_card(card, pdf), configured, "补贴发放明细",
                            what="card", name="print-card", button=self.print_button,
                            message=self.print_message, sending="正在打印明细……",
                            sent=lambda name: f"明细已发送到打印机“{name}”，请到打印机处取",
                            failed=_failed)  # fmt: skip

    def clear(self) -> None:
        """Forget the card (a new lookup, the idle reset): nothing of it stays on screen."""
        self.card, self.task = None, None
        clear_layout(self.year_grid)
        self.year_buttons = {}
        for view in self._year_views:
            view.clear()
            view.setVisible(False)
        self.frames = {}
        self.who.clear()
        self.ask.clear()
        self.print_message.clear()
        self.print_button.setEnabled(True)


def _mode(widget: QWidget) -> theme.Theme:
    """The mode the page is in: the kiosk marks each page it restyles (property ``elderly``)."""
    while widget is not None:
        elderly = widget.property("elderly")
        if elderly is not None:
            return theme.ELDERLY if elderly else theme.NORMAL
        widget = widget.parentWidget()
    return theme.NORMAL


def _failed(error: KnownError) -> str:
    return f"{error.zh}。可到村委会查阅公示"
