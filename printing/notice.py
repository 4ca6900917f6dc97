"""Render a village's 公示单 (notice sheet) as a PDF with reportlab platypus.

Layout (shared/reference/domain.md §3): title, preamble with basis, totals and notice
period; the table (序号, 户主/姓名, 身份证号, 补贴项目, 计量依据, 标准, 金额(元), 备注) with its
header on every page and a 本页小计 row at the foot of every page; 合计 with the amount in
大写; supervision phones, the archive sentence, two seal areas and a QR code that verifies
the content; a footer on every page with 第 x 页 共 y 页, the print number and the data
version.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4, landscape
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
from printing.fonts import FontSet, fonts, missing, needs_fallback
from printing.model import NoticeData, NoticeRow, PageSetup
from printing.pages import numbered_canvas
from printing.qr import QRFlowable
from printing.text import wrap

HEADERS = ("序号", "户主/姓名", "身份证号", "补贴项目", "计量依据", "标准(元)", "金额(元)", "备注")
# Where a header may break when its column is narrower than the header on one line.
_HEADER_LINES = {"户主/姓名": ("户主/", "姓名"), "补贴项目": ("补贴", "项目"),
                 "计量依据": ("计量", "依据")}  # fmt: skip
_ALIGN = ("C", "L", "L", "L", "R", "R", "R", "L")
_NAME, _ITEM, _AMOUNT, _REMARK = 1, 3, 6, 7
# 序号, ID, quantity, standard and amount are never broken: "132.60/人·" + "月" misreads.
_KEEP_WHOLE = (0, 2, 4, 5, 6)
_NAME_CHARS = 5  # longer names wrap rather than squeeze the item column
SEAL_DIAMETER = 4.2 * cm
MARGIN = 12 * mm
FRAME_PADDING = 6  # reportlab's Frame pads its content by 6 pt on each side


class NoticeError(KnownError):
    """The notice cannot be printed as asked (empty, or characters no font can draw)."""


@dataclass(frozen=True)
class RenderResult:
    pages: int
    digest: str
    verify_url: str
    fallback_rows: list[int]  # 1-based row numbers drawn partly with a fallback font


def content_digest(data: NoticeData) -> str:
    """The notice's 校验码: the county's data digest (``data.digest``, kiosk.formats.notice_digest)
    when the caller computed it, else a short print-side digest of what the sheet says."""
    if data.digest:
        return data.digest
    canonical = json.dumps(
        {
            "id": data.notice_id, "title": data.title,
            "period": [str(data.period_start), str(data.period_end), data.period_text],
            "rows": [[r.name, r.id_masked, r.item_name, r.quantity, r.standard, r.amount_fen,
                      r.remark] for r in data.rows],
        },
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def verify_url(data: NoticeData, digest: str) -> str:
    """``<base>/<village>-<year>/?d=<digest>[&i=<item>]``: the village-year's page on the
    county's static verification site (README "Verifying a printed notice"); ``i`` names a
    one-item sheet's item (the kiosk's scanner needs it to recompute the digest). A folder
    URL needs no rewrite rules; from disk (file://, the demo) a browser does not open a
    folder's index.html, so it is named. Without a county digest: the old form."""
    base = data.verify_base_url.rstrip("/")
    if not data.digest:
        return f"{base}/{data.notice_id}?d={digest}"
    village, year, *item = data.notice_id.split("-")  # <village>-<year>[-<item>]
    page = "index.html" if base.startswith("file:") else ""
    return f"{base}/{village}-{year}/{page}?d={digest}" + (f"&i={item[0]}" if item else "")


def render_notice(data: NoticeData, out: Path, setup: PageSetup | None = None) -> RenderResult:
    """Write the notice to ``out`` (PDF).

    Raises:
        NoticeError: there are no rows, or some characters exist in no available font
            (the message names the rows; nothing is written).
    """
    if not data.rows:
        raise NoticeError(
            f"{data.town}{data.village}{data.year}年没有补贴发放记录，不生成空白公示单",
            f"{data.village}: no payouts in {data.year}; no blank notice is printed",
        )
    setup = setup or PageSetup()
    font_set = fonts()
    fallback_rows = _scan_glyphs(data)
    digest = content_digest(data)
    url = verify_url(data, digest)
    page = A3 if setup.size == "A3" else A4
    page = landscape(page) if setup.landscape else page
    styles = _Styles(font_set.main, setup.body_pt)
    width = page[0] - 2 * MARGIN - 2 * FRAME_PADDING

    story: list[Flowable] = [Paragraph(data.title, styles.title), Spacer(1, 4 * mm),
                             Paragraph(_preamble(data), styles.body), Spacer(1, 3 * mm)]  # fmt: skip
    col_widths = column_widths(data, width, font_set.main, setup.body_pt)
    number = 0
    for index, section in enumerate(data.sections):
        if index:
            story.append(PageBreak())
        if len(data.sections) > 1:
            story.append(Paragraph(section.title, styles.heading))
        rows = []
        for row in section.rows:
            number += 1
            rows.append((number, row))
        story.append(_NoticeTable(rows, col_widths, font_set, setup.body_pt,
                                  final_total=data.total_fen if index == len(data.sections) - 1
                                  else None))  # fmt: skip
    story += _closing(data, styles, digest, url, width)

    pages = _build(out, page, story, data, font_set.main)
    return RenderResult(pages, digest, url, fallback_rows)


def _cell_values(number: int, row: NoticeRow) -> tuple[str, ...]:
    return (str(number), row.name, row.id_masked, row.item_name, row.quantity, row.standard,
            fmt.money(row.amount_fen), row.remark)  # fmt: skip


def _header_lines(header: str, width: float, font: str, size: float) -> tuple[str, ...]:
    """The header on one line if it fits ``width``, else at its break."""
    if stringWidth(header, font, size) <= width:
        return (header,)
    return _HEADER_LINES.get(header, (header,))


def column_widths(data: NoticeData, width: float, font: str, size: float) -> list[float]:
    """Column widths from what the cells hold (measured in ``font`` at ``size``).

    Numbers, IDs, quantities and standards get their widest value (the 合计 amount
    included), so none is broken or overflows; names up to five characters. 补贴项目 and
    备注 share the rest, split where the table comes out shortest (an empty 备注 keeps only
    its header's width). Room left over when everything fits is spread over all columns.
    On a page too narrow for even that, the whole columns shrink in proportion.
    """
    pad = 2 * _NoticeTable.PAD

    def measure(text: str) -> float:
        return stringWidth(text, font, size)

    values = list(zip(*(_cell_values(n, row) for n, row in enumerate(data.rows, start=1)),
                      strict=True)) or [()] * len(HEADERS)  # fmt: skip
    least = [max(measure(line) for line in _HEADER_LINES.get(h, (h,))) + pad for h in HEADERS]
    natural = [max([least[c], *(measure(v) + pad for v in values[c])]) for c in range(len(HEADERS))]
    natural[_AMOUNT] = max(natural[_AMOUNT], measure(fmt.money(data.total_fen)) + pad)
    natural[_NAME] = min(natural[_NAME], max(least[_NAME], _NAME_CHARS * size + pad))
    widths = list(natural)
    rest = width - sum(w for c, w in enumerate(natural) if c not in (_ITEM, _REMARK))
    if rest < least[_ITEM] + least[_REMARK]:  # a large font on a small page
        scale = (width - least[_ITEM] - least[_REMARK]) / (width - rest)
        widths = [w * scale for w in natural]
        widths[_ITEM], widths[_REMARK] = least[_ITEM], least[_REMARK]
        return widths
    if rest >= natural[_ITEM] + natural[_REMARK]:
        spare = rest - natural[_ITEM] - natural[_REMARK]
        return [w + spare * w / sum(natural) for w in natural]
    # Fewest printed lines over all rows; on a tie, more room for the remarks if there are
    # any (the item column then keeps just what it needs), else for the item.
    pairs = Counter(zip(values[_ITEM], values[_REMARK], strict=True))
    has_remarks = any(values[_REMARK])
    # Worth trying: each item name just fitting, each remark just fitting, 备注 at its least.
    candidates = {min(rest - least[_REMARK], max(least[_ITEM], measure(item) + pad))
                  for item in values[_ITEM]} | {rest - least[_REMARK]}  # fmt: skip
    candidates |= {max(least[_ITEM], rest - max(least[_REMARK], measure(remark) + pad))
                   for remark in values[_REMARK]}  # fmt: skip

    def cost(item_w: float) -> tuple[int, float]:
        lines = sum(count * max(len(wrap(item, font, size, item_w - pad)),
                                len(wrap(remark, font, size, rest - item_w - pad)))
                    for (item, remark), count in pairs.items())  # fmt: skip
        return lines, item_w if has_remarks else -item_w

    widths[_ITEM] = min(candidates, key=cost)
    widths[_REMARK] = rest - widths[_ITEM]
    return widths


def _row_text(row: NoticeRow) -> str:
    return "".join((row.name, row.id_masked, row.item_name, row.quantity, row.standard,
                    row.remark))  # fmt: skip


def _scan_glyphs(data: NoticeData) -> list[int]:
    """Rows that need the fallback font (1-based).

    Raises:
        NoticeError: some character is in no available font (rows named; nothing written).
    """
    bad, fallback = [], []
    for number, row in enumerate(data.rows, start=1):
        text = _row_text(row)
        if not needs_fallback(text):  # the common case: the bundled font has every glyph
            continue
        fallback.append(number)
        chars = missing(text)
        if chars:
            bad.append(f"第{number}行（{row.name}）：{''.join(sorted(chars))}")
    header_chars = missing(data.title + data.town + data.village + "".join(data.issuers))
    if header_chars:
        bad.append(f"标题或落款：{''.join(sorted(header_chars))}")
    if bad:
        raise NoticeError(
            "以下字符在字体中不存在，为避免打印出方框已停止（请安装含这些字的 TrueType 字体或"
            "改用规范字）：" + "；".join(bad),
            f"characters missing from every available font; not printing boxes: {bad}",
        )
    return fallback


class _Styles:
    def __init__(self, font: str, body: float):
        self.title = ParagraphStyle("title", fontName=font, fontSize=22, leading=30,
                                    alignment=TA_CENTER)  # fmt: skip
        self.heading = ParagraphStyle("heading", fontName=font, fontSize=body + 2,
                                      leading=(body + 2) * 1.5, spaceBefore=4, spaceAfter=4)  # fmt: skip
        # CJK wrapping: no line may begin with "、" or "。", nor break inside a number.
        self.body = ParagraphStyle("body", fontName=font, fontSize=body, leading=body * 1.6,
                                   firstLineIndent=2 * body, wordWrap="CJK")  # fmt: skip
        self.plain = ParagraphStyle("plain", fontName=font, fontSize=body, leading=body * 1.6,
                                    wordWrap="CJK")  # fmt: skip
        self.small = ParagraphStyle("small", fontName=font, fontSize=9, leading=12)
        self.center = ParagraphStyle("center", fontName=font, fontSize=body, leading=body * 1.5,
                                     alignment=TA_CENTER)  # fmt: skip


def _preamble(data: NoticeData) -> str:
    basis = "、".join(data.basis) if data.basis else "惠民惠农财政补贴资金管理有关规定"
    if data.period_start and data.period_end:
        period = (f"公示期为{data.period_text}（{fmt.chinese_date(data.period_start)}至"
                  f"{fmt.chinese_date(data.period_end)}）。")  # fmt: skip
    else:
        period = "本结果长期公示。"
    who = f"涉及 {data.households} 户、{data.persons} 人" if data.persons else f"涉及 {data.households} 户"
    phones = "、".join(f"{p.label} {p.number}" for p in data.objection_phones)
    phones = f"异议受理电话：{phones}。" if phones else ""
    return _escape(
        f"根据{basis}等文件精神，经村级申报、乡镇审核、县级审定，现将本村{data.year}年度"
        f"{data.subject}实际发放结果予以公示。本村共发放补贴 {data.items_count} 项，{who}，"
        f"资金合计 {fmt.money(data.total_fen)} 元。{period}公示期间如有异议，{data.objection}"
        f"{phones}"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _closing(data: NoticeData, styles: _Styles, digest: str, url: str,
             width: float) -> list[Flowable]:
    phones = "　".join(f"{p.label} {p.number}" for p in data.phones)
    total = (f"合计：{len(data.rows)} 条，金额 {fmt.money(data.total_fen)} 元"
             f"（大写：{fmt.money_in_words(data.total_fen)}）")  # fmt: skip
    qr_size = 2.6 * cm
    qr_block = Table(
        [[QRFlowable(url, qr_size)], [Paragraph(f"扫码核验 校验码 {digest}", styles.small)]],
        colWidths=[qr_size + 1.4 * cm],
    )
    seals = Table(
        [[_Seal(data.issuers[0], styles), _Seal(data.issuers[1], styles), qr_block],
         ["", Paragraph(fmt.chinese_date(data.issue_date), styles.center), ""]],
        colWidths=[(width - qr_size - 1.4 * cm) / 2] * 2 + [qr_size + 1.4 * cm],
    )  # fmt: skip
    # Tables default to Helvetica even for empty cells; name our font so none other is used.
    own_font = ("FONTNAME", (0, 0), (-1, -1), styles.plain.fontName)
    qr_block.setStyle(TableStyle([own_font]))
    seals.setStyle(TableStyle([own_font, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("ALIGN", (0, 0), (-1, -1), "CENTER")]))  # fmt: skip
    return [
        Spacer(1, 3 * mm),
        Paragraph(_escape(total), styles.plain),
        KeepTogether([
            Paragraph(_escape(f"监督电话：{phones}"), styles.plain),
            Paragraph("公示期满后，相关材料留存村委会，供村民查询。", styles.plain),
            Spacer(1, 3 * mm),
            seals,
        ]),
    ]  # fmt: skip


class _Seal(Flowable):
    """A dashed circle where the body stamps its seal, its name written across."""

    def __init__(self, issuer: str, styles: _Styles):
        super().__init__()
        self.issuer = issuer
        self.font = styles.plain.fontName
        self.size = styles.plain.fontSize

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return SEAL_DIAMETER, SEAL_DIAMETER

    def draw(self) -> None:
        c = self.canv
        r = SEAL_DIAMETER / 2
        c.saveState()
        c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        c.setDash(3, 3)
        c.circle(r, r, r - 1)
        c.restoreState()
        label = f"{self.issuer}（章）"
        # The printed name sits inside the seal area, shrunk to fit its diameter.
        size = min(self.size, self.size * (SEAL_DIAMETER * 0.9) / c.stringWidth(label, self.font,
                                                                               self.size))
        c.setFont(self.font, size)
        c.drawCentredString(r, r - size / 3, label)


class _NoticeTable(Flowable):
    """The payout table, split by page: header repeated, 本页小计 at every page's foot,
    合计 after the last row. Rows are wrapped by character and never cut."""

    PAD = 2.0

    def __init__(self, rows: list[tuple[int, NoticeRow]], col_widths: list[float],
                 font_set: FontSet, size: float, final_total: int | None,
                 _laid_out: tuple[list, list] | None = None):
        super().__init__()
        self.rows = rows
        self.col_widths = col_widths  # the same for every piece and section of a sheet
        self.width = sum(col_widths)
        self.font_set = font_set
        self.size = size
        self.leading = size * 1.25
        self.final_total = final_total
        if _laid_out is None:  # wrap every cell once; the pieces of a split share the result
            cells = [self._cells_of(number, row) for number, row in rows]
            _laid_out = (cells, [self._height(c) for c in cells])
        self._cells, self._heights = _laid_out
        self._header = [list(_header_lines(h, w - 2 * self.PAD, font_set.main, size))
                        for h, w in zip(HEADERS, col_widths, strict=True)]  # fmt: skip
        self._header_h = self._height(self._header)
        self._line_h = self.leading + 2 * self.PAD

    def _cells_of(self, number: int, row: NoticeRow) -> list[list[str]]:
        values = _cell_values(number, row)
        return [[value] if col in _KEEP_WHOLE and self._fits(value, w)
                else wrap(value, self.font_set.main, self.size, w - 2 * self.PAD)
                for col, (value, w) in enumerate(zip(values, self.col_widths, strict=True))]  # fmt: skip

    def _fits(self, value: str, width: float) -> bool:
        # Columns are sized to their widest value; the tolerance keeps a rounding hair (the
        # character-by-character sum of ``wrap``) from breaking that value.
        return stringWidth(value, self.font_set.main, self.size) <= width - 2 * self.PAD + 0.01

    def _height(self, cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * self.leading + 2 * self.PAD

    def _total_rows(self) -> int:
        return 1 + (self.final_total is not None)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._height_now = self._header_h + self._line_h * self._total_rows() + sum(self._heights)
        return self.width, self._height_now

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self._header_h - self._line_h  # header + 本页小计
        fitted, used = 0, 0.0
        while fitted < len(self.rows) and used + self._heights[fitted] <= room:
            used += self._heights[fitted]
            fitted += 1
        if fitted == 0:
            return []  # nothing fits: start on the next page
        if fitted == len(self.rows):
            fitted -= 1  # the 合计 row did not fit with them: carry the last row over
            if fitted == 0:
                return []
        head = _NoticeTable(self.rows[:fitted], self.col_widths, self.font_set, self.size, None,
                            (self._cells[:fitted], self._heights[:fitted]))  # fmt: skip
        tail = _NoticeTable(self.rows[fitted:], self.col_widths, self.font_set, self.size,
                            self.final_total, (self._cells[fitted:], self._heights[fitted:]))  # fmt: skip
        return [head, tail]

    def draw(self) -> None:
        c = self.canv
        x_edges = [0.0]
        for w in self.col_widths:
            x_edges.append(x_edges[-1] + w)
        y = self._height_now
        c.setLineWidth(0.6)
        # header
        c.setFillColor(colors.Color(0.9, 0.9, 0.9))
        c.rect(0, y - self._header_h, self.width, self._header_h, stroke=0, fill=1)
        c.setFillColor(colors.black)
        y = self._draw_row(self._header, y, self._header_h, x_edges, centred=True)
        for cells, height in zip(self._cells, self._heights, strict=True):
            y = self._draw_row(cells, y, height, x_edges)
        rows_bottom = y
        page_total = sum(row.amount_fen for _, row in self.rows)
        y = self._draw_total("本页小计", page_total, y, x_edges)
        if self.final_total is not None:
            y = self._draw_total("合计", self.final_total, y, x_edges)
        for col, x in enumerate(x_edges):  # vertical rules; the total rows' label cell is merged
            c.line(x, self._height_now, x, y if col in (0, _AMOUNT, _REMARK, len(HEADERS))
                   else rows_bottom)  # fmt: skip

    def _draw_row(self, cells: list[list[str]], top: float, height: float,
                  x_edges: list[float], centred: bool = False) -> float:
        c = self.canv
        for col, lines in enumerate(cells):
            align = "C" if centred else _ALIGN[col]
            # Header cells sit in the middle of the header row, however many lines they have.
            drop = (height - 2 * self.PAD - len(lines) * self.leading) / 2 if centred else 0
            for i, line in enumerate(lines):
                baseline = top - self.PAD - drop - self.size - i * self.leading + self.size * 0.12
                self._text(line, x_edges[col], x_edges[col + 1], baseline, align)
        c.line(0, top - height, self.width, top - height)
        if top == self._height_now:
            c.line(0, top, self.width, top)
        return top - height

    def _draw_total(self, label: str, fen: int, top: float, x_edges: list[float]) -> float:
        c = self.canv
        baseline = top - self.PAD - self.size + self.size * 0.12
        c.setFont(self.font_set.main, self.size)
        c.drawString(x_edges[1] + self.PAD, baseline, label)
        c.drawRightString(x_edges[7] - self.PAD, baseline, fmt.money(fen))
        c.line(0, top - self._line_h, self.width, top - self._line_h)
        return top - self._line_h

    def _text(self, text: str, left: float, right: float, baseline: float, align: str) -> None:
        c = self.canv
        if not needs_fallback(text):
            c.setFont(self.font_set.main, self.size)
            if align == "R":
                c.drawRightString(right - self.PAD, baseline, text)
            elif align == "C":
                c.drawCentredString((left + right) / 2, baseline, text)
            else:
                c.drawString(left + self.PAD, baseline, text)
            return
        # Rare characters: draw run by run, each in the first font that has it.
        x = left + self.PAD
        for char in text:
            font = self.font_set.font_for(char) or self.font_set.main
            c.setFont(font, self.size)
            c.drawString(x, baseline, char)
            x += c.stringWidth(char, font, self.size)


def _build(out: Path, page: tuple[float, float], story: list[Flowable], data: NoticeData,
           font: str) -> int:
    pages: list[int] = []
    footer = (f"打印编号 {data.print_no}　数据截至 {data.data_as_of}（数据版本 {data.feed_version}）"
              f"　打印日期 {fmt.chinese_date(data.print_date)}")  # fmt: skip
    running = f"{data.title}（续）"
    demo_note = "演示数据：姓名、号码均为虚构，不是正式公示"

    def watermark(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        """A light diagonal 演示数据 under each page's content, so a demo sheet pinned up
        cannot pass for an official one."""
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.82, 0.82, 0.82))
        canvas.setFont(font, 96)
        canvas.translate(page[0] / 2, page[1] / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -32, "演示数据")
        canvas.restoreState()

    def furniture(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(font, 9)
        canvas.drawString(MARGIN, 9 * mm, footer)
        canvas.drawRightString(page[0] - MARGIN, 9 * mm, f"第 {number} 页 共 {total} 页")
        if data.demo:
            canvas.drawCentredString(page[0] / 2, 13 * mm, demo_note)
        if number > 1:
            canvas.drawCentredString(page[0] / 2, page[1] - 10 * mm, running)

    doc = SimpleDocTemplate(
        str(out), pagesize=page, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=16 * mm, title=data.title, author="莘县惠民惠农补贴公示",
        subject=data.notice_id, creator="莘情公开 kiosk",
    )  # fmt: skip
    mark = watermark if data.demo else lambda canvas, doc: None
    doc.build(story, onFirstPage=mark, onLaterPages=mark,
              canvasmaker=numbered_canvas(font, furniture, pages))
    return pages[0]
