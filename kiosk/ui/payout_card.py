"""One person's payouts as a card (what the lookup shows once a villager has found their own
name): each year's total in the largest type on the screen, then each item with its amount,
how it was reckoned and when it was paid, and whom to ring. The same card prints
(printing.card_pdf), from the same data.

The years stack newest first, a frame each, with a button per year that scrolls to it: a
year's frame fits a 768 px screen in 长辈模式, and a portrait screen shows three years at
once. Within a year's frame the total stands beside the items on a landscape screen and above
them on a portrait one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

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
SCALE_STEP = 0.025


def _label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class YearFrame(QFrame):
    """One year of the card: the total beside (or above) the items."""

    def __init__(self, year: CardYear):
        super().__init__()
        self.setObjectName("card")
        self.year = year.year
        self.heading = _label(year.heading)
        self.total = _label(f"{year.total} 元", "cardTotal", wrap=False)
        self.total.setAccessibleName(f"{year.year}年合计")
        summary = QWidget()
        summary_layout = QVBoxLayout(summary)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.addWidget(self.heading)
        summary_layout.addWidget(self.total)
        summary_layout.addStretch(1)
        details = QWidget()
        items = QGridLayout(details)  # item name | amount, its payments on the line under them
        items.setContentsMargins(0, 0, 0, 0)
        items.setColumnStretch(0, 1)
        items.setVerticalSpacing(2)
        for row, item in enumerate(year.items):
            amount = _label(f"{item.amount} 元", "cardItem", wrap=False)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            lines = _label("\n".join(item.lines()))
            lines.setIndent(24)
            items.addWidget(_label(item.name, "cardItem"), 2 * row, 0)
            items.addWidget(amount, 2 * row, 1)
            items.addWidget(lines, 2 * row + 1, 0, 1, 2)
        row = SideBySide(summary, details)
        row.box.setStretch(0, 2)  # the items' lines are the longer: they get the wider part
        row.box.setStretch(1, 3)
        QVBoxLayout(self).addWidget(row)


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
        self.years = QWidget()
        # A grid, not a strip: many years wrap onto a second row instead of widening the page.
        self.year_grid = FlowGrid(self.years)
        self.year_buttons: dict[int, QPushButton] = {}
        self.print_button = QPushButton("打印明细")
        self.print_button.setAccessibleName("打印本人补贴明细")
        self.print_button.clicked.connect(self.print_card)
        self.print_message = Notice("打印状态")
        self.who = _label(name="cardWho")
        self.frames: dict[int, YearFrame] = {}
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
        self.who.setText(f"{card.name}　<span style='font-weight:normal'>身份证号 {card.id_masked}</span>")
        for index, year in enumerate(card.years):
            frame = self.frames[year.year] = YearFrame(year)
            self.body.insertWidget(1 + index, frame)
        self.ask.setText(card.asked_line)
        self.ask.setVisible(bool(card.asked_line))
        self.area.verticalScrollBar().setValue(0)
        self._fit_soon()

    def _fit_soon(self) -> None:
        """fit_type once the card is laid out (after this turn of the event loop)."""
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self, self.fit_type)

    def fit_type(self) -> None:
        """The largest type, its body up to MAX_BODY_PT, at which the card still fits the view;
        the mode's own where it does not fit even so (it scrolls)."""
        self._fit_pending = False
        holder = self.area.widget()
        room, width = self.area.viewport().height(), self.area.viewport().width()
        mode = _mode(self)

        def height_at(scale: float) -> int:
            holder.setStyleSheet(_scaled_sheet(mode, scale) if scale > 1.0 else "")
            holder.layout().invalidate()
            return holder.layout().totalHeightForWidth(width)

        natural = height_at(1.0)
        if self.card is None or natural >= room or room <= 0:
            return
        # Text grows with its size and wraps more as it does: the first guess is high, and
        # comes down until the card fits.
        scale = min(MAX_BODY_PT / mode.body_pt, room / max(natural, 1))
        while scale > 1.0 and height_at(scale) > room:
            scale -= SCALE_STEP
        if scale <= 1.0:
            height_at(1.0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size() != event.oldSize() and self.card is not None:
            self._fit_soon()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange and self.card is not None:
            self._fit_soon()  # 长辈模式 switched: the mode's sizes are the new base

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
        for frame in self.frames.values():
            self.body.removeWidget(frame)
            frame.deleteLater()
        self.frames = {}
        self.who.clear()
        self.ask.clear()
        self.area.widget().setStyleSheet("")
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


def _scaled_sheet(mode: theme.Theme, scale: float) -> str:
    def pt(size: int) -> int:
        return round(size * scale)

    return (f"QLabel {{ font-size: {pt(mode.body_pt)}pt; }}"
            f"QLabel#cardItem, QLabel#cardWho {{ font-size: {pt(mode.item_pt)}pt; font-weight: bold; }}"
            f"QLabel#cardTotal {{ font-size: {pt(mode.total_pt)}pt; font-weight: bold; }}")  # fmt: skip


def _failed(error: KnownError) -> str:
    return f"{error.zh}。可到村委会查阅公示"
