"""意见征集 sheets as PDF: the 征求意见公告 a village pins on its board, and the 意见采纳情况
published after the decision.

Plain data in (the caller formats article labels such as 第三条第二款), PDF out, drawn with
the embedded WenQuanYi font (printing.fonts; rare characters from a fallback font, none
printed as boxes) and a vector QR code to the draft's page on the county's site.

The 公告 is one A4 page for a draft of ordinary length: its body type shrinks from 14 pt to
10.5 pt until it fits, and only a draft whose 起草说明 is too long even then flows on. When the
articles are short enough (ARTICLES_MAX_CHARS) they follow from the next page, each page
after the first headed with the draft's title. The 采纳情况 is a table (条款, 收到意见,
赞成/不赞成/建议, 采纳情况, 理由) with its header on every page; a reason wraps by character
and is never cut, and a row too long for what is left of a page continues on the next.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kiosk import fmt
from kiosk.errors import KnownError
from printing.fonts import FontSet, fonts, needs_fallback, refuse_missing
from printing.pages import numbered_canvas
from printing.qr import QRFlowable
from printing.text import break_lines

MARGIN = 15 * mm
BOTTOM = 16 * mm  # room for the footer
FRAME_PADDING = 6  # reportlab's Frame pads its content by 6 pt on each side
FRAME_HEIGHT = A4[1] - MARGIN - BOTTOM - 2 * FRAME_PADDING
BODY_SIZES = (14.0, 13.5, 13.0, 12.5, 12.0, 11.5, 11.0, 10.5)  # the 公告's body, largest that fits a page
ARTICLES_MAX_CHARS = 9000  # about five pages of articles; a longer draft is read on screen
MIN_PERIOD_DAYS = 30  # kiosk.formats.consultation.MIN_PERIOD_DAYS (printing may not import formats)
QR_SIZE = 3.2 * cm
TABLE_SIZE = 10.5
RESULT_HEADERS = ("条款", "收到意见", "赞成/不赞成/建议", "采纳情况", "理由")
# Where a header may break when its column is narrower than the header on one line.
_HEADER_LINES = {"赞成/不赞成/建议": "赞成/不赞成\n/建议", "收到意见": "收到\n意见", "采纳情况": "采纳\n情况"}
_LABEL_CHARS = 7  # a longer label (第一百二十三条第十二款) wraps rather than squeeze the reasons
_SPLIT_LINES = 3  # a tall row continues on the next page once this many of its lines fit


class ConsultationSheetError(KnownError):
    """The sheet cannot be printed as asked (characters no font can draw)."""


@dataclass(frozen=True)
class ArticleResult:
    """The county's 采纳情况 for one article (or the draft as a whole)."""

    label: str  # 第三条第二款, 草案整体
    received: int
    agree: int
    disagree: int
    suggest: int
    outcome: str  # 采纳 / 部分采纳 / 未采纳
    reason: str


@dataclass(frozen=True)
class ConsultationSheet:
    """Everything on a draft's 征求意见公告 and, once published, its 意见采纳情况.

    Dates are ISO days (2026-11-01; printed 2026年11月1日) or text printed as given.
    """

    title: str  # 莘县农村公路养护管理办法（征求意见稿）
    code: str  # YJ2026-01
    version: int
    decision_title: str
    department: str
    background: str  # 起草背景
    summary: str  # 主要内容
    affects: str  # 涉及对象
    opens_on: str
    closes_on: str
    period_days: int
    short_reason: str  # why the period is under MIN_PERIOD_DAYS days
    phone: str
    address: str
    meetings: str
    signed: bool  # comments must carry a name
    qr_url: str  # the draft's page (kiosk.formats.consultation.consultation_url)
    articles: tuple[tuple[str, str], ...]  # (label, text) in order
    results: tuple[ArticleResult, ...] = ()
    results_published_on: str = ""
    decided_on: str = ""
    decision_outcome: str = ""

    @property
    def received(self) -> int:
        return sum(r.received for r in self.results)


@dataclass(frozen=True)
class RenderedNotice:
    pages: int
    notice_pages: int  # the 公告 itself: 1 unless its 起草说明 is very long
    articles_printed: bool


def period_text(sheet: ConsultationSheet) -> str:
    """征求意见时间：2026年11月1日至2026年11月30日（共30天）."""
    return f"征求意见时间：{_day(sheet.opens_on)}至{_day(sheet.closes_on)}（共{sheet.period_days}天）"


def how_to_comment(sheet: ConsultationSheet) -> list[str]:
    """The ways to comment, one line each, as the 公告 prints them."""
    ways = ["到村（社区）或乡镇便民服务中心的查询机上，点“意见征集”，找到本草案，逐条发表意见"
            "（可只对其中一条，也可对草案整体）。"]  # fmt: skip
    ways.append(f"打电话：{sheet.phone}（{sheet.department}）。")
    if sheet.address:
        ways.append(f"写信：{sheet.address}。请在信封上注明“《{sheet.title}》意见”。")
    if sheet.meetings:
        ways.append(f"参加座谈会：{sheet.meetings}。")
    return [f"{n}. {way}" for n, way in enumerate(ways, start=1)]


def names_rule(sheet: ConsultationSheet) -> str:
    if sheet.signed:
        return "本次征求意见须署真实姓名并留联系电话，仅用于核实，不对外公开。"
    return "发表意见无须署名。在查询机上发表意见后可打印回执，凭回执查看该条意见的采纳情况。"


QR_LINE = "扫描二维码可阅读草案全文；征求意见结束后，扫同一个二维码可查看意见采纳情况。"


def render_notice(sheet: ConsultationSheet, out: Path, articles: bool | None = None) -> RenderedNotice:
    """Write the 征求意见公告 to ``out`` (A4 PDF).

    Args:
        articles: print the articles after the 公告; None: when they are short enough.

    Raises:
        ConsultationSheetError: some character exists in no available font (nothing written).
    """
    font_set = fonts()
    _check_glyphs(sheet, with_results=False)
    if articles is None:
        articles = sum(len(label) + len(text) for label, text in sheet.articles) <= ARTICLES_MAX_CHARS
    articles = articles and bool(sheet.articles)
    size = BODY_SIZES[-1]
    for candidate in BODY_SIZES:  # the largest body type that keeps the 公告 on one page
        if _page_count(_notice_story(sheet, _Styles(font_set, candidate), articles)) == 1:
            size = candidate
            break
    styles = _Styles(font_set, size)
    story = _notice_story(sheet, styles, articles)
    marks: list[int] = []
    if articles:
        story += [PageBreak(), _PageMark(marks), *_article_story(sheet, _Styles(font_set, 12.0))]

    def running(number: int) -> str:
        if marks and number >= marks[0]:  # the first page of the articles has its own heading
            return f"《{sheet.title}》全文（续）" if number > marks[0] else ""
        return "征求意见公告（续）" if number > 1 else ""

    pages = _build(out, story, font_set, _footer(sheet), running, f"征求意见公告 {sheet.title}")
    return RenderedNotice(pages, (marks[0] - 1) if marks else pages, articles)


def render_results(sheet: ConsultationSheet, out: Path) -> int:
    """Write the 意见采纳情况 to ``out`` (A4 PDF); returns its page count.

    Raises:
        ConsultationSheetError: some character exists in no available font (nothing written).
    """
    font_set = fonts()
    _check_glyphs(sheet, with_results=True)
    styles = _Styles(font_set, 12.0)
    width = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
    total = sheet.received
    agree, disagree, suggest = (sum(getattr(r, k) for r in sheet.results)
                                for k in ("agree", "disagree", "suggest"))  # fmt: skip
    story: list[Flowable] = [
        Paragraph("意见采纳情况", styles.title),
        *styles.paras(f"《{sheet.title}》", styles.subtitle),
        *styles.paras(_identity(sheet), styles.note_centre),
        Spacer(1, 4 * mm),
    ]
    asked = (f"《{sheet.title}》于{_day(sheet.opens_on)}至{_day(sheet.closes_on)}"
             f"（共{sheet.period_days}天）公开征求意见，")
    if sheet.results:
        intro = (f"{asked}共收到意见 {total} 条（赞成 {agree} 条、不赞成 {disagree} 条、修改建议 "
                 f"{suggest} 条）。现将各条款意见的采纳情况公布如下。")  # fmt: skip
    else:
        intro = f"{asked}征求意见期间未收到意见。"
    story += [*styles.paras(intro, styles.body), Spacer(1, 3 * mm)]
    if sheet.results:
        rows = [[r.label, str(r.received), f"{r.agree}/{r.disagree}/{r.suggest}", r.outcome, r.reason]
                for r in sheet.results]  # fmt: skip
        totals = ["合计", str(total), f"{agree}/{disagree}/{suggest}", "", ""]
        story.append(_Table(RESULT_HEADERS, rows, _result_widths(rows, totals, width, font_set.main),
                            ("L", "R", "C", "C", "L"), font_set, TABLE_SIZE, totals))  # fmt: skip
    end: list[Flowable] = []
    if sheet.decided_on or sheet.decision_outcome:
        decided = f"{_day(sheet.decided_on)}作出决策。" if sheet.decided_on else ""
        end += [Paragraph("决策结果", styles.heading),
                *styles.paras(decided + sheet.decision_outcome, styles.body)]
    qr_line = "扫描二维码可查看草案全文和各条款的意见采纳情况。"
    end += [Spacer(1, 4 * mm),
            _closing(sheet, styles, width, qr_line, _day(sheet.results_published_on), "公布日期：")]
    story.append(KeepTogether(end))  # the QR code never stands alone on a last page
    return _build(out, story, font_set, _footer(sheet),
                  lambda n: f"《{sheet.title}》意见采纳情况（续）" if n > 1 else "",
                  f"意见采纳情况 {sheet.title}")  # fmt: skip


def _day(text: str) -> str:
    try:
        return fmt.chinese_date(dt.date.fromisoformat(text))
    except ValueError:
        return text


def _identity(sheet: ConsultationSheet) -> str:
    return f"草案编号 {sheet.code}　第{sheet.version}版　所属决策事项：{sheet.decision_title}"


def _footer(sheet: ConsultationSheet) -> str:
    return f"{sheet.department}　草案编号 {sheet.code} 第{sheet.version}版"


def _texts(sheet: ConsultationSheet, with_results: bool) -> str:
    parts = [sheet.title, sheet.code, sheet.decision_title, sheet.department, sheet.background,
             sheet.summary, sheet.affects, sheet.opens_on, sheet.closes_on, sheet.short_reason, sheet.phone,
             sheet.address, sheet.meetings, *(t for pair in sheet.articles for t in pair)]  # fmt: skip
    if with_results:
        parts += [sheet.results_published_on, sheet.decided_on, sheet.decision_outcome,
                  *(t for r in sheet.results for t in (r.label, r.outcome, r.reason))]  # fmt: skip
    return "".join(parts)


def _check_glyphs(sheet: ConsultationSheet, with_results: bool) -> None:
    refuse_missing(_texts(sheet, with_results), ConsultationSheetError)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(text: str, font_set: FontSet) -> str:
    """``text`` as Paragraph markup: escaped, line breaks kept, rare characters in the
    fallback font that has them."""
    if not needs_fallback(text):
        return _escape(text).replace("\n", "<br/>")
    out = []
    for char in text:
        font = font_set.font_for(char) if needs_fallback(char) else None
        piece = _escape(char).replace("\n", "<br/>")
        out.append(f'<font name="{font}">{piece}</font>' if font and font != font_set.main else piece)
    return "".join(out)


class _Para(Flowable):
    """A Paragraph whose lines are broken here (printing.text.break_lines) for the width it is given."""

    def __init__(self, text: str, style: ParagraphStyle, font_set: FontSet):
        super().__init__()
        self.text, self.style, self.font_set = text, style, font_set
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self._inner: Paragraph | None = None
        self._for_width = -1.0

    def _paragraph(self, width: float) -> Paragraph:
        if self._inner is None or self._for_width != width:
            st = self.style
            rest = width - st.leftIndent - st.rightIndent - 0.5
            first = rest - st.firstLineIndent
            lines = break_lines(self.text, self.font_set.drawn_in, st.fontSize, first, rest)
            self._inner = Paragraph(_markup("\n".join(lines), self.font_set), st)
            self._for_width = width
        return self._inner

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self._paragraph(available_width).wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return self._paragraph(available_width).split(available_width, available_height)

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)


class _Styles:
    def __init__(self, font_set: FontSet, body: float):
        self.font_set = font_set
        self.body_size = body

        def style(name: str, size: float, leading: float, **options) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font_set.main, fontSize=size, leading=size * leading,
                                  wordWrap="CJK", **options)  # fmt: skip

        small = min(body, 11.0)
        self.title = style("title", 28, 1.35, alignment=TA_CENTER, spaceAfter=2 * mm)
        self.subtitle = style("subtitle", body + 4, 1.4, alignment=TA_CENTER)
        self.note_centre = style("note", 9.5, 1.5, alignment=TA_CENTER, textColor=colors.Color(0.3, 0.3, 0.3))
        self.heading = style("heading", body + 2, 1.45, spaceBefore=body * 0.5, spaceAfter=body * 0.15)
        self.body = style("body", body, 1.55, firstLineIndent=2 * body)
        self.item = style("item", body, 1.55, leftIndent=1.6 * body, firstLineIndent=-1.1 * body)
        self.after_list = style("after_list", body, 1.55, firstLineIndent=2 * body, spaceBefore=body * 0.4)
        self.period = style("period", body + 5, 1.4, alignment=TA_CENTER)
        self.small = style("small", small, 1.5)
        self.sign = style("sign", body + 1, 1.6, alignment=TA_RIGHT)
        self.article = style("article", body, 1.6, firstLineIndent=2 * body, spaceAfter=body * 0.3)

    def paras(self, text: str, style: ParagraphStyle) -> list[Flowable]:
        """One paragraph per line of ``text`` (a county cell's Alt+Enter starts a paragraph)."""
        return [_Para(line, style, self.font_set) for line in text.split("\n") if line.strip()]


def _notice_story(sheet: ConsultationSheet, styles: _Styles, articles: bool) -> list[Flowable]:
    width = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
    full = ("草案全文附在本公告之后。" if articles
            else "草案全文可在查询机“意见征集”中阅读，也可扫描本公告下方的二维码查看。")  # fmt: skip
    intro = f"{sheet.department}起草了《{sheet.title}》，现向社会公开征求意见。{full}欢迎大家提出意见和建议。"
    # The period in large type on one line: as large as body + 5 pt, no larger than the box.
    box = width - 2 * 8 - 1
    size = min(styles.body_size + 5, box / max(1.0, stringWidth(period_text(sheet), styles.font_set.main, 1)))
    period = styles.paras(period_text(sheet), ParagraphStyle("period", styles.period, fontSize=size,
                                                             leading=size * 1.4))  # fmt: skip
    if sheet.period_days < MIN_PERIOD_DAYS and sheet.short_reason:
        period += styles.paras(f"征求意见期少于{MIN_PERIOD_DAYS}天的原因：{sheet.short_reason}", styles.small)
    boxed = Table([[p] for p in period], colWidths=[width])
    every = ((0, 0), (-1, -1))
    boxed.setStyle(TableStyle([("BOX", *every, 1.2, colors.black), ("FONTNAME", *every, styles.font_set.main),
                               ("TOPPADDING", *every, 5), ("BOTTOMPADDING", *every, 7),
                               ("LEFTPADDING", *every, 8), ("RIGHTPADDING", *every, 8)]))  # fmt: skip
    story: list[Flowable] = [
        Paragraph("征求意见公告", styles.title),
        *styles.paras(f"《{sheet.title}》", styles.subtitle),
        *styles.paras(_identity(sheet), styles.note_centre),
        Spacer(1, 3 * mm),
        *styles.paras(intro, styles.body),
        Spacer(1, 2 * mm),
        boxed,
    ]
    for heading, text in (("一、起草背景", sheet.background), ("二、主要内容", sheet.summary),
                          ("三、涉及对象", sheet.affects)):  # fmt: skip
        story += [Paragraph(heading, styles.heading), *styles.paras(text, styles.body)]
    story.append(Paragraph("四、怎样发表意见", styles.heading))
    for way in how_to_comment(sheet):
        story += styles.paras(way, styles.item)
    story += styles.paras(names_rule(sheet), styles.after_list)
    story += styles.paras(f"征求意见结束后，{sheet.department}将公布各条意见的采纳情况。", styles.body)
    closing = _closing(sheet, styles, width, QR_LINE, _day(sheet.opens_on), "")
    return [*story, Spacer(1, 3 * mm), _ToBottom(closing), closing]


def _closing(sheet: ConsultationSheet, styles: _Styles, width: float, qr_line: str, date: str,
             date_label: str) -> Table:
    """The QR code with its line, and the department and date on the right."""
    fs = styles.font_set
    sign_w = width * 0.4
    text_w = width - QR_SIZE - sign_w
    sign = styles.paras(sheet.department, styles.sign)
    if date:
        sign += styles.paras(f"{date_label}{date}", styles.sign)
    block = Table([[QRFlowable(sheet.qr_url, QR_SIZE), styles.paras(qr_line, styles.small), sign]],
                  colWidths=[QR_SIZE, text_w, sign_w])  # fmt: skip
    every = ((0, 0), (-1, -1))
    block.setStyle(TableStyle([("FONTNAME", *every, fs.main), ("VALIGN", *every, "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (0, 0), 0),
                               ("LEFTPADDING", (1, 0), (1, 0), 10)]))  # fmt: skip
    return block


def _article_story(sheet: ConsultationSheet, styles: _Styles) -> list[Flowable]:
    story: list[Flowable] = [*styles.paras(f"《{sheet.title}》全文", styles.subtitle),
                             *styles.paras(_identity(sheet), styles.note_centre), Spacer(1, 4 * mm)]
    for label, text in sheet.articles:
        story += styles.paras(f"{label}　{text}", styles.article)
    return story


class _ToBottom(Flowable):
    """Empty space that takes what the page has left but ``block``'s height, so the block
    after it sits at the foot of the page (nothing when the page is full)."""

    def __init__(self, block: Flowable):
        super().__init__()
        self.block = block

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, height = self.block.wrap(available_width, available_height)
        self.height = max(0.0, available_height - height - 0.5)
        return available_width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        pass


class _PageMark(Flowable):
    """Records the page it lands on (where the articles begin)."""

    def __init__(self, found: list[int]):
        super().__init__()
        self.found = found

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.found.append(self.canv.getPageNumber())


def _result_widths(rows: list[list[str]], totals: list[str], width: float, font: str) -> list[float]:
    """条款 up to _LABEL_CHARS characters, the counts and 采纳情况 as wide as their widest value
    or header line, the reasons the rest."""
    pad = 2 * _Table.PAD

    def measure(text: str) -> float:
        return max(stringWidth(line, font, TABLE_SIZE) for line in text.split("\n")) + pad

    widths = []
    for col, header in enumerate(RESULT_HEADERS[:-1]):
        natural = max(measure(row[col]) for row in [*rows, totals])
        least = measure(_HEADER_LINES.get(header, header))
        if col == 0:
            natural = min(natural, _LABEL_CHARS * TABLE_SIZE + pad)
        elif measure(header) <= max(natural, least) * 1.15:
            least = measure(header)  # the header on one line costs little here
        widths.append(max(natural, least))
    widths.append(width - sum(widths))
    return widths


class _Table(Flowable):
    """A table drawn line by line: cells wrapped by character and never cut, the header on
    every piece of a split, a shaded 合计 row last. A row too tall for what is left of a page
    continues on the next (its 条款 marked 续)."""

    PAD = 3.0

    def __init__(self, headers: tuple[str, ...], rows: list[list[str]], widths: list[float],
                 aligns: tuple[str, ...], font_set: FontSet, size: float, totals: list[str] | None,
                 _laid_out: list[list[list[str]]] | None = None):
        super().__init__()
        self.headers, self.widths, self.aligns = headers, widths, aligns
        self.font_set, self.size = font_set, size
        self.leading = size * 1.35
        self.width = sum(widths)
        self.totals = totals
        self.rows = _laid_out if _laid_out is not None else [self._wrap_row(row) for row in rows]
        self._header = [self._wrap_cell(_header_text(h, w - 2 * self.PAD, font_set.main, size), w)
                        for h, w in zip(headers, widths, strict=True)]  # fmt: skip
        self._total = self._wrap_row(totals) if totals is not None else None

    def _wrap_cell(self, text: str, width: float) -> list[str]:
        room = width - 2 * self.PAD
        return break_lines(text, self.font_set.drawn_in, self.size, room, room)

    def _wrap_row(self, row: list[str]) -> list[list[str]]:
        return [self._wrap_cell(text, w) for text, w in zip(row, self.widths, strict=True)]

    def _height(self, cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * self.leading + 2 * self.PAD

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        rows = [*self.rows, self._total] if self._total else self.rows
        self.height = self._height(self._header) + sum(self._height(r) for r in rows)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        heights = [self._height(r) for r in self.rows]
        room = available_height - self._height(self._header)
        fitted, used = 0, 0.0
        while fitted < len(self.rows) and used + heights[fitted] <= room:
            used += heights[fitted]
            fitted += 1
        head_rows, tail_rows = self.rows[:fitted], self.rows[fitted:]
        if fitted == len(self.rows):  # all rows fit, the 合计 did not: it takes the last row along
            head_rows, tail_rows = self.rows[:-1], self.rows[-1:]
        else:
            row = self.rows[fitted]
            row_lines = max(len(c) for c in row)
            lines = int((room - used - 2 * self.PAD) // self.leading)
            tall = lines >= _SPLIT_LINES and row_lines > 2 * _SPLIT_LINES
            never_fits = self._height(self._header) + heights[fitted] > FRAME_HEIGHT
            if (tall or never_fits) and 0 < lines < row_lines:
                head_rows = [*head_rows, [cell[:lines] for cell in row]]
                rest = [cell[lines:] for cell in row]
                if not rest[0]:  # the label was all on this page: the next says whose lines go on
                    rest[0] = self._wrap_cell("".join(row[0]) + "（续）", self.widths[0])
                tail_rows = [rest, *self.rows[fitted + 1 :]]
        if not head_rows:
            return []  # nothing fits: start on the next page
        head = _Table(self.headers, [], self.widths, self.aligns, self.font_set, self.size, None, head_rows)
        tail = _Table(self.headers, [], self.widths, self.aligns, self.font_set, self.size, self.totals,
                      tail_rows)  # fmt: skip
        return [head, tail]

    def draw(self) -> None:
        c = self.canv
        edges = [0.0]
        for w in self.widths:
            edges.append(edges[-1] + w)
        top = self.height
        c.setLineWidth(0.6)
        header_h = self._height(self._header)
        c.setFillColor(colors.Color(0.88, 0.88, 0.88))
        c.rect(0, top - header_h, self.width, header_h, stroke=0, fill=1)
        if self._total:
            c.setFillColor(colors.Color(0.94, 0.94, 0.94))
            c.rect(0, 0, self.width, self._height(self._total), stroke=0, fill=1)
        c.setFillColor(colors.black)
        y = self._row(self._header, top, edges, header=True)
        for cells in self.rows:
            y = self._row(cells, y, edges)
        if self._total:
            y = self._row(self._total, y, edges)
        c.line(0, top, self.width, top)
        for x in edges:
            c.line(x, top, x, y)

    def _row(self, cells: list[list[str]], top: float, edges: list[float], header: bool = False) -> float:
        height = self._height(cells)
        for col, lines in enumerate(cells):
            align = "C" if header else self.aligns[col]
            drop = (height - 2 * self.PAD - len(lines) * self.leading) / 2 if header else 0
            for i, line in enumerate(lines):
                baseline = top - self.PAD - drop - self.size - i * self.leading + self.size * 0.15
                self._text(line, edges[col], edges[col + 1], baseline, align)
        self.canv.line(0, top - height, self.width, top - height)
        return top - height

    def _text(self, text: str, left: float, right: float, baseline: float, align: str) -> None:
        at = {"R": right - self.PAD, "C": (left + right) / 2}.get(align, left + self.PAD)
        _draw(self.canv, text, at, baseline, self.size, self.font_set, align)


def _draw(canvas: Canvas, text: str, x: float, baseline: float, size: float, font_set: FontSet,
          align: str = "L") -> None:
    """``text`` from, around or up to ``x`` (align L, C, R); rare characters each in the first
    font that has them."""
    if not needs_fallback(text):
        canvas.setFont(font_set.main, size)
        {"R": canvas.drawRightString, "C": canvas.drawCentredString}.get(align, canvas.drawString)(
            x, baseline, text)
        return
    runs = [(char, font_set.font_for(char) or font_set.main) for char in text]
    width = sum(canvas.stringWidth(char, font, size) for char, font in runs)
    x -= {"R": width, "C": width / 2}.get(align, 0.0)
    for char, font in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, char)
        x += canvas.stringWidth(char, font, size)


def _header_text(header: str, width: float, font: str, size: float) -> str:
    if stringWidth(header, font, size) <= width + 0.01:
        return header
    return _HEADER_LINES.get(header, header)


def _page_count(story: list[Flowable]) -> int:
    """Pages ``story`` takes laid out on A4 (into memory)."""
    doc = _doc(io.BytesIO(), "")
    doc.build(story)
    return doc.page


def _doc(target, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                             bottomMargin=BOTTOM, title=title, author="莘县人民政府",
                             creator="莘情公开 kiosk")  # fmt: skip


def _build(out: Path, story: list[Flowable], font_set: FontSet, footer: str,
           running: Callable[[int], str], title: str) -> int:
    """Lay ``story`` out into ``out`` with 第 x 页 共 y 页 and ``running(x)`` atop page x."""
    pages: list[int] = []
    width, height = A4

    def furniture(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFillColor(colors.black)
        _draw(canvas, footer, MARGIN, 9 * mm, 9, font_set)
        _draw(canvas, f"第 {number} 页 共 {total} 页", width - MARGIN, 9 * mm, 9, font_set, "R")
        head = running(number)
        if head:
            _draw(canvas, head, width / 2, height - 10 * mm, 9, font_set, "C")

    _doc(str(out), title).build(story, canvasmaker=numbered_canvas(font_set.main, furniture, pages))
    return pages[0]
