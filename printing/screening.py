"""政策找人 · 申办清单: the page a villager takes home after answering the terminal's questions.

Plain data in (the caller has already judged which policies are 可能符合 and which it cannot
tell), PDF bytes out, drawn with the embedded WenQuanYi font (printing.fonts; rare characters
from a fallback font, none printed as boxes). Nothing the villager answered is printed: only
the policies, what each pays, where and how to apply, the materials to bring and whom to ring.

An ordinary result (about six policies and a few to ask about) is one A4 page: the body type
is 12 pt, or 11.5 or 11 pt when that keeps the list on one page. A longer list flows on at
12 pt, a policy never split between pages unless it is taller than a page, and nothing is cut.
"""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk import fmt
from kiosk.errors import KnownError
from printing.draw import draw as _draw
from printing.draw import width as _width
from printing.fonts import FontSet, fonts, refuse_missing
from printing.pages import numbered_canvas
from printing.text import break_lines

TITLE = "政策找人 · 申办清单"
NOTE = ("根据您在自助终端上的回答，以下政策您可能符合条件。是否符合以主管部门审核为准。"
        "本清单不含您的任何回答。")
NONE_FOUND = "根据您的回答，暂未找到您可能符合的政策。"
NONE_FOUND_NOTE = "本清单不含您的任何回答。"
AUTOMATIC_TEXT = "免申即享：无需申请，由主管部门直接发放；如未收到请咨询"
TO_ASK_HEADING = "还需核实（可电话咨询）"
TO_ASK_NOTE = "以下政策需要了解更多情况才能判断，可以打电话问一问"

MARGIN = 10 * mm
FRAME_PADDING = 6  # reportlab's Frame pads its content by 6 pt on each side
BOTTOM = 12 * mm  # room for the footer
BODY_SIZES = (12.0, 11.5, 11.0)  # the largest that keeps an ordinary result on one page
SMALL_SIZE = 9.5  # 政策依据
LEADING = 1.32
BLACK = colors.black
GREY = Color(0.35, 0.35, 0.35)
SHADE = Color(0.9, 0.9, 0.9)


class ChecklistError(KnownError):
    """The checklist cannot be printed as asked (characters no font can draw)."""


@dataclass(frozen=True)
class ChecklistItem:
    name: str  # 政策名称, e.g. 高龄津贴
    benefit: str  # 待遇标准
    automatic: bool  # 免申即享: the county pays without an application
    department: str  # 主管部门
    place: str  # 办理地点
    materials: str  # 所需材料 (may be long, may contain 、 and ；)
    phone: str  # 咨询电话
    time_limit: str  # 办理时限
    reference: str  # 政策依据


@dataclass(frozen=True)
class ChecklistData:
    printed_on: dt.date
    place: str  # where printed, e.g. "莘县燕店镇便民服务中心自助终端" (may be "")
    likely: tuple[ChecklistItem, ...]  # 可能符合
    to_ask: tuple[tuple[str, str, str], ...]  # 无法判断: (policy name, department, phone)
    rules_as_of: str = ""  # e.g. "规则更新于2026年12月1日" (may be "")


def render_checklist(data: ChecklistData) -> bytes:
    """The 申办清单 as an A4 PDF.

    Raises:
        ChecklistError: some character exists in no available font.
    """
    font_set = fonts()
    _check_glyphs(data)
    size = BODY_SIZES[0]  # a list too long for one page flows on in full-size type
    for candidate in BODY_SIZES:
        if _page_count(_story(data, font_set, candidate)) == 1:
            size = candidate
            break
    out = io.BytesIO()
    pages: list[int] = []
    width, height = A4
    footer = f"{TITLE}　{fmt.chinese_date(data.printed_on)}打印"

    def furniture(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFillColor(BLACK)
        _draw(canvas, footer, MARGIN + FRAME_PADDING, 8 * mm, 9, font_set)
        _draw(canvas, f"第 {number} 页 共 {total} 页", width - MARGIN - FRAME_PADDING, 8 * mm, 9, font_set,
              align="R")
        if number > 1:
            _draw(canvas, f"{TITLE}（续）", width / 2, height - 8 * mm, 9, font_set, align="C")

    canvas_class = numbered_canvas(font_set.main, furniture, pages)
    _doc(out).build(_story(data, font_set, size), canvasmaker=canvas_class)
    return out.getvalue()


def _subtitle(data: ChecklistData) -> str:
    """2026年12月6日打印　莘县燕店镇便民服务中心自助终端　规则更新于2026年12月1日."""
    parts = [f"{fmt.chinese_date(data.printed_on)}打印", data.place, data.rules_as_of]
    return "　".join(part for part in parts if part)


def _check_glyphs(data: ChecklistData) -> None:
    texts = [data.place, data.rules_as_of, *(t for row in data.to_ask for t in row)]
    for item in data.likely:
        texts += [item.name, item.benefit, item.department, item.place, item.materials, item.phone,
                  item.time_limit, item.reference]  # fmt: skip
    refuse_missing("".join(texts), ChecklistError)


def _baseline(top: float, leading: float, size: float) -> float:
    """The baseline of a line of ``size`` type centred in a line box ``leading`` tall."""
    return top - (leading + size) / 2 + size * 0.14


@dataclass(frozen=True)
class _Part:
    label: str  # drawn in bold, "" for none
    text: str
    size: float
    color: Color = BLACK

    def width(self, font_set: FontSet) -> float:
        return _width(self.label + self.text, self.size, font_set)


class _Row(Flowable):
    """A label (bold, 所需材料：) and its text wrapped by character under the text's first line;
    or, when ``parts`` holds several, label-text pairs side by side on one line (the caller
    measured that they fit: _fits). A row taller than what is left of a page continues on
    the next without its label."""

    GAP = 1.5  # between parts on one line, in characters

    def __init__(self, parts: Sequence[_Part], font_set: FontSet, align: str = "L", bold: bool = False,
                 _lines: list[str] | None = None, _labelled: bool = True):
        super().__init__()
        self.parts, self.font_set, self.align, self.bold = tuple(parts), font_set, align, bold
        self.size = max(p.size for p in self.parts)
        self.leading = self.size * LEADING
        self._lines, self._labelled = _lines, _labelled
        self._fixed = _lines is not None  # the pieces of a split keep the lines they were given
        self._for_width = -1.0

    @property
    def indent(self) -> float:
        first = self.parts[0]
        return _width(first.label, first.size, self.font_set)

    def lines(self, width: float) -> list[str]:
        if not self._fixed and (self._lines is None or self._for_width != width):
            self._for_width = width
            if len(self.parts) > 1:
                self._lines = [""]  # drawn part by part
            else:
                room = width - self.indent - 0.5
                self._lines = break_lines(self.parts[0].text, self.font_set.drawn_in, self.size, room, room)
        return self._lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = len(self.lines(available_width)) * self.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        lines = self.lines(available_width)
        fit = int(available_height // self.leading)
        if len(self.parts) > 1 or fit < 1 or fit >= len(lines):
            return []
        head = _Row(self.parts, self.font_set, self.align, self.bold, lines[:fit], self._labelled)
        tail = _Row(self.parts, self.font_set, self.align, self.bold, lines[fit:], False)
        return [head, tail]

    def draw(self) -> None:
        canvas, fs = self.canv, self.font_set
        if len(self.parts) > 1:
            x, baseline = 0.0, _baseline(self.height, self.leading, self.size)
            for part in self.parts:
                _draw(canvas, part.label, x, baseline, part.size, fs, bold=True, color=part.color)
                x += _width(part.label, part.size, fs)
                _draw(canvas, part.text, x, baseline, part.size, fs, color=part.color)
                x += _width(part.text, part.size, fs) + self.GAP * self.size
            return
        part, indent = self.parts[0], self.indent
        for i, line in enumerate(self._lines or []):
            baseline = _baseline(self.height - i * self.leading, self.leading, self.size)
            if i == 0 and self._labelled and part.label:
                _draw(canvas, part.label, 0, baseline, part.size, fs, bold=True, color=part.color)
            at = {"C": (self.width + indent) / 2, "R": self.width}.get(self.align, indent)
            _draw(canvas, line, at, baseline, part.size, fs, self.bold, self.align, part.color)


def _fits(parts: Sequence[_Part], width: float, font_set: FontSet) -> bool:
    used = sum(p.width(font_set) for p in parts)
    return used + _Row.GAP * max(p.size for p in parts) * (len(parts) - 1) <= width - 1


class _Bar(Flowable):
    """A policy's heading on a shaded band: its number and name in large bold type, 免申即享
    in a box after the name when the county pays without an application, and the phone to
    ring at the right when it fits there (the caller measured: _Bar.fits)."""

    PAD = 2.0
    TAG = "免申即享"

    def __init__(self, number: int, name: str, automatic: bool, phone: _Part | None, size: float,
                 font_set: FontSet):
        super().__init__()
        self.number, self.name, self.size, self.font_set = f"{number}．", name, size, font_set
        self.tag, self.phone = self.TAG if automatic else "", phone
        self.leading = size * 1.3
        self.lines: list[str] = []
        self.indent = 0.0

    @classmethod
    def fits(cls, name: str, automatic: bool, phone: _Part, size: float, width: float,
             font_set: FontSet) -> bool:
        """Whether the name, its tag and the phone go on one line of a bar ``width`` wide."""
        bar = cls(1, name, automatic, phone, size, font_set)
        used = _width(f"{bar.number}{name}", size, font_set) + bar._tag_width() + phone.width(font_set)
        return used + 4 + 2 * cls.PAD + size <= width

    def _tag_width(self) -> float:
        return _width(self.tag, self.size * 0.75, self.font_set) + 8 + self.size * 0.5 if self.tag else 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        phone = self.phone.width(self.font_set) if self.phone else 0.0
        self.indent = _width(self.number, self.size, self.font_set)
        room = available_width - 2 * self.PAD - 4 - self.indent - self._tag_width() - phone
        self.lines = break_lines(self.name, self.font_set.drawn_in, self.size, room, room)
        self.height = len(self.lines) * self.leading + 2 * self.PAD
        return self.width, self.height

    def draw(self) -> None:
        canvas, fs = self.canv, self.font_set
        canvas.setFillColor(SHADE)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(BLACK)
        canvas.rect(0, 0, 2.2, self.height, stroke=0, fill=1)  # a dark edge down the left
        left = self.PAD + 4
        first = _baseline(self.height - self.PAD, self.leading, self.size)
        _draw(canvas, self.number, left, first, self.size, fs, bold=True)
        for i, line in enumerate(self.lines):
            baseline = _baseline(self.height - self.PAD - i * self.leading, self.leading, self.size)
            _draw(canvas, line, left + self.indent, baseline, self.size, fs, bold=True)
        if self.tag:
            size = self.size * 0.75
            x = left + self.indent + _width(self.lines[-1], self.size, fs) + self.size * 0.5
            y = _baseline(self.PAD + self.leading, self.leading, self.size) - size * 0.3
            canvas.setFillColor(colors.white)
            canvas.setStrokeColor(BLACK)
            canvas.setLineWidth(0.8)
            canvas.roundRect(x, y, self._tag_width() - self.size * 0.5, size * 1.55, 2, stroke=1, fill=1)
            _draw(canvas, self.tag, x + 4, y + size * 0.42, size, fs, bold=True)
        if self.phone:
            p = self.phone
            x = self.width - self.PAD - 2 - _width(p.text, p.size, fs)
            _draw(canvas, p.text, x, first, p.size, fs)
            _draw(canvas, p.label, x, first, p.size, fs, bold=True, align="R")


class _Rule(Flowable):
    """A thin line across the frame."""

    def __init__(self, weight: float = 0.8, color: Color = BLACK):
        super().__init__()
        self.weight, self.color = weight, color

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, self.weight
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.weight)
        self.canv.line(0, self.weight / 2, self.width, self.weight / 2)


def _frame_width() -> float:
    return A4[0] - 2 * MARGIN - 2 * FRAME_PADDING


def _policy(number: int, item: ChecklistItem, size: float, font_set: FontSet) -> list[Flowable]:
    """One policy's block: its bar and the rows under it."""
    width = _frame_width()

    def part(label: str, text: str, small: bool = False) -> _Part:
        return _Part(f"{label}：", text, SMALL_SIZE if small else size, GREY if small else BLACK)

    rows: list[list[_Part]] = []
    if item.benefit:
        rows.append([part("待遇标准", item.benefit)])
    if item.automatic:
        rows.append([part("办理方式", AUTOMATIC_TEXT)])
    else:
        pairs = (("办理地点", item.place), ("办理时限", item.time_limit))
        where = [part(label, text) for label, text in pairs if text]
        rows += [where] if where and _fits(where, width, font_set) else [[p] for p in where]
    if item.materials:
        rows.append([part("所需材料", item.materials)])
    phone = item.phone or item.department
    if item.phone and item.department:
        phone = f"{item.phone}（{item.department}）"
    in_bar = bool(phone) and _Bar.fits(item.name, item.automatic, part("咨询电话", phone), size + 2, width,
                                       font_set)  # fmt: skip
    if phone and not in_bar:
        rows.append([part("咨询电话", phone)])
    if item.reference:
        rows.append([part("政策依据", item.reference, small=True)])
    bar = _Bar(number, item.name, item.automatic, part("咨询电话", phone) if in_bar else None, size + 2,
               font_set)  # fmt: skip
    block: list[Flowable] = [bar, Spacer(1, size * 0.15)]
    block += [_Row(parts, font_set) for parts in rows]
    return [KeepTogether(block), Spacer(1, size * 0.4)]


def _heading(text: str, size: float, font_set: FontSet, note: str = "") -> list[Flowable]:
    """A section's heading in bold with a rule under it; ``note`` in grey after it when it fits
    on the line, else on a line of its own under the rule."""
    parts = [_Part(text, "", size + 2), _Part("", note, size, GREY)]
    beside = bool(note) and _fits(parts, _frame_width(), font_set)
    heading = _Row(parts, font_set) if beside else _Row([_Part("", text, size + 2)], font_set, bold=True)
    story: list[Flowable] = [Spacer(1, size * 0.3), heading, _Rule(1.0), Spacer(1, size * 0.4)]
    if note and not beside:
        story += [_Row([_Part("", note, size)], font_set), Spacer(1, 1 * mm)]
    return story


def _boxed(rows: list[Flowable], font_set: FontSet, background: Color = colors.white) -> Table:
    box = Table([[rows]], colWidths=[_frame_width()])
    every = ((0, 0), (-1, -1))
    box.setStyle(TableStyle([("BOX", *every, 0.8, BLACK), ("BACKGROUND", *every, background),
                             ("FONTNAME", *every, font_set.main), ("TOPPADDING", *every, 3),
                             ("BOTTOMPADDING", *every, 4), ("LEFTPADDING", *every, 8),
                             ("RIGHTPADDING", *every, 8)]))  # fmt: skip
    return box


class _Box(Flowable):
    """An empty square to tick once the villager has asked."""

    def __init__(self, size: float):
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.size, self.size * LEADING
        return self.width, self.height

    def draw(self) -> None:
        side = self.size * 0.72
        self.canv.setStrokeColor(BLACK)
        self.canv.setLineWidth(0.7)
        self.canv.rect(0, (self.height - side) / 2, side, side, stroke=1, fill=0)


def _to_ask_table(data: ChecklistData, size: float, font_set: FontSet) -> Table:
    """☐ | policy | department | phone, a light rule under each row."""
    width, pad = _frame_width(), 4.0

    def column(index: int, most: float) -> float:
        return min(max(_width(row[index], size, font_set) for row in data.to_ask) + 2 * pad + size, most)

    box = size * 1.1 + pad
    phone = column(2, width * 0.3)
    department = column(1, width * 0.35)
    cells = [[_Box(size), *(_Row([_Part("", text, size)], font_set) for text in row)] for row in data.to_ask]
    table = Table(cells, colWidths=[box, width - box - department - phone, department, phone])
    every = ((0, 0), (-1, -1))
    table.setStyle(TableStyle([("FONTNAME", *every, font_set.main), ("VALIGN", *every, "TOP"),
                               ("LINEBELOW", *every, 0.4, Color(0.6, 0.6, 0.6)),
                               ("TOPPADDING", *every, 1), ("BOTTOMPADDING", *every, 1.5),
                               ("LEFTPADDING", *every, pad), ("RIGHTPADDING", *every, 0),
                               ("LEFTPADDING", (0, 0), (0, -1), 2)]))  # fmt: skip
    return table


def _story(data: ChecklistData, font_set: FontSet, size: float) -> list[Flowable]:
    story: list[Flowable] = [
        _Row([_Part("", TITLE, 20)], font_set, align="C", bold=True),
        Spacer(1, 1 * mm),
        _Row([_Part("", _subtitle(data), 11, GREY)], font_set, align="C"),
        Spacer(1, 1.5 * mm),
    ]
    if data.likely:
        story += [_boxed([_Row([_Part("", NOTE, size)], font_set)], font_set), Spacer(1, 1 * mm)]
        story += _heading(f"可能符合的政策（共{len(data.likely)}项）", size, font_set)
        for number, item in enumerate(data.likely, start=1):
            story += _policy(number, item, size, font_set)
    else:
        found = [_Row([_Part("", NONE_FOUND, size + 2)], font_set, bold=True),
                 _Row([_Part("", NONE_FOUND_NOTE, size)], font_set)]  # fmt: skip
        story += [_boxed(found, font_set, SHADE), Spacer(1, 1.5 * mm)]
    if data.to_ask:
        # The heading never stands alone at the foot of a page (a long list still splits by rows).
        story.append(KeepTogether([*_heading(TO_ASK_HEADING, size, font_set, TO_ASK_NOTE),
                                   _to_ask_table(data, size, font_set)]))  # fmt: skip
    return story


def _doc(target) -> SimpleDocTemplate:
    return SimpleDocTemplate(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                             bottomMargin=BOTTOM, title=TITLE, author="莘县人民政府",
                             creator="莘情公开 kiosk")  # fmt: skip


def _page_count(story: list[Flowable]) -> int:
    doc = _doc(io.BytesIO())
    doc.build(story)
    return doc.page
