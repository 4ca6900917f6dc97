"""本人补贴明细 as a PDF: the card a villager's lookup shows (printing.card), printed for them
to take home. An A4 page: the name, then per year, newest first, the total in large type and
each item with its amount, how it was reckoned (数量 × 标准) and when it was paid; and whom to
ring about it. Many years, or an item paid month by month, flow onto more pages, never cut;
a year starts on a new page rather than lose its heading at the foot of one.
"""

import datetime as dt
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk import fmt
from kiosk.errors import KnownError
from printing.card import NOTE, CardItem, CardYear, PayoutCard
from printing.draw import draw, width
from printing.fonts import FontSet, fonts, refuse_missing
from printing.text import break_lines

TITLE = "补贴发放明细"
DEMO = "演示数据：姓名、号码均为虚构"
MARGIN = 14 * mm
BOTTOM = 18 * mm  # room for the footer
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.82, 0.82, 0.82)
TOTAL_SIZE = 28.0
ITEM_SIZE = 14.0
BODY_SIZE = 12.0
SMALL_SIZE = 9.5


class CardError(KnownError):
    """The card cannot be printed as asked (characters no font can draw)."""


def render_card(card: PayoutCard, out: Path, printed_on: dt.date | None = None) -> Path:
    """Write ``card`` to ``out`` as a PDF; returns ``out``.

    Raises:
        CardError: some character exists in no available font (nothing is drawn as a box).
    """
    _check_glyphs(card)
    font_set = fonts()
    canvas = Canvas(str(out), pagesize=A4, initialFontName=font_set.main)
    canvas.setTitle(f"{card.name}{TITLE}")
    canvas.setAuthor("莘县惠民惠农补贴公示")
    _Card(canvas, font_set, card, printed_on or dt.date.today()).write()
    canvas.save()
    return out


def _check_glyphs(card: PayoutCard) -> None:
    texts = [card.name, card.place, card.asked]
    for year in card.years:
        for item in year.items:
            texts += [item.name, *item.lines()]
    refuse_missing("".join(texts), CardError)


class _Card:
    """Draws top down, starting a new page (headed 续) where the next block does not fit."""

    def __init__(self, canvas: Canvas, font_set: FontSet, card: PayoutCard, printed_on: dt.date):
        self.canvas, self.fs, self.card = canvas, font_set, card
        self.page_width, self.page_height = A4
        self.left, self.right = MARGIN, self.page_width - MARGIN
        self.footer = "　".join(part for part in (
            f"数据更新于{card.data_as_of}" if card.data_as_of else "", f"{fmt.chinese_date(printed_on)}打印",
        ) if part)  # fmt: skip
        self.page = 0
        self.y = 0.0
        self._continued = ""  # the item whose payments are being drawn

    def write(self) -> None:
        self._new_page()
        self._text(TITLE, 18, centre=True, bold=True)
        self._text(self.card.place, BODY_SIZE, centre=True, color=GREY)
        self.y -= 3 * mm
        self._text(self.card.who, ITEM_SIZE)
        for year in self.card.years:
            self._year(year)
        self._rule()
        if self.card.ask:
            self._text(self.card.asked_line, BODY_SIZE)
        self._text(NOTE, SMALL_SIZE, color=GREY)
        self._finish_page()

    def _year(self, year: CardYear) -> None:
        self._rule()
        self._room_for(BODY_SIZE * 1.4 + TOTAL_SIZE * 1.4 + ITEM_SIZE * 1.4 + BODY_SIZE * 1.4)
        self._text(year.heading, BODY_SIZE)
        self._text(f"{year.total} 元", TOTAL_SIZE, bold=True)
        self.y -= 1 * mm
        for item in year.items:
            self._item(item)

    def _item(self, item: CardItem) -> None:
        amount = f"{item.amount} 元"
        room = self.right - self.left - width(amount, ITEM_SIZE, self.fs) - ITEM_SIZE
        names = break_lines(item.name, self.fs.drawn_in, ITEM_SIZE, room, room)
        self._room_for(len(names) * ITEM_SIZE * 1.4 + BODY_SIZE * 1.4)
        for number, name in enumerate(names):
            self.y -= ITEM_SIZE * 1.4
            draw(self.canvas, name, self.left, self.y, ITEM_SIZE, self.fs, bold=True)
            if number == 0:
                draw(self.canvas, amount, self.right, self.y, ITEM_SIZE, self.fs, bold=True, align="R")
        self._continued = item.name  # a page that starts among its payments names it again
        for line in item.lines():
            self._text(line, BODY_SIZE, indent=4 * mm)
        self._continued = ""
        self.y -= 2 * mm

    def _text(self, text: str, size: float, *, indent: float = 0.0, centre: bool = False, bold: bool = False,
              color: Color = black) -> None:  # fmt: skip
        room = self.right - self.left - indent
        for line in break_lines(text, self.fs.drawn_in, size, room, room):
            self._room_for(size * 1.4)
            self.y -= size * 1.4
            x = (self.left + self.right) / 2 if centre else self.left + indent
            align = "C" if centre else "L"
            draw(self.canvas, line, x, self.y, size, self.fs, bold=bold, align=align, color=color)

    def _rule(self) -> None:
        self._room_for(3 * mm)
        self.y -= 1.5 * mm
        self.canvas.setStrokeColor(GREY)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(self.left, self.y, self.right, self.y)
        self.y -= 1.5 * mm

    def _room_for(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self._finish_page()
            self._new_page()
            self._text(f"{TITLE}（续）　{self.card.who}", SMALL_SIZE, color=GREY)
            self.y -= 2 * mm
            if self._continued:
                self.y -= ITEM_SIZE * 1.4
                name = f"{self._continued}（续）"
                draw(self.canvas, name, self.left, self.y, ITEM_SIZE, self.fs, bold=True)

    def _new_page(self) -> None:
        self.page += 1
        self.y = self.page_height - MARGIN
        if self.card.demo:
            canvas = self.canvas
            canvas.saveState()
            canvas.setFillColor(LIGHT)
            canvas.setFont(self.fs.main, 96)
            canvas.translate(self.page_width / 2, self.page_height / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -32, "演示数据")
            canvas.restoreState()

    def _finish_page(self) -> None:
        footer = f"{self.footer}　第 {self.page} 页"
        if self.card.demo:
            footer = f"{DEMO}　{footer}"
        draw(self.canvas, footer, self.left, 10 * mm, SMALL_SIZE - 1, self.fs, color=GREY)
        self.canvas.showPage()
