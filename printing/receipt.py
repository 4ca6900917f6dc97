"""The 受理回执 a villager takes home after a request at the terminal, as a PDF.

Two layouts: "a5" (landscape A5, half an A4 sheet: text on the left, QR on the right) and
"80mm" (a receipt-printer roll 80 mm wide, as tall as the content). Only what the screen's
receipt shows is printed: a masked name and the phone's last 4 digits, never more.
"""

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import fonts
from printing.qr import QRFlowable
from printing.text import wrap

LAYOUTS = ("a5", "80mm")
HOW_TO_CHECK = ("查询办理进度：在终端首页点“我要申请·咨询”，再点“查询办理进度”，输入受理编号；"
                "或用扫码枪扫描本回执上的二维码。")


@dataclass(frozen=True)
class ReceiptSheet:
    """Plain data for one receipt (the caller masks and formats)."""

    number: str  # 12345-67890-1234
    kind_zh: str
    received_on: str  # 2026-11-29
    due_on: str
    due_rule: str
    name_masked: str  # "" for a call-back request
    phone_last4: str
    topic: str  # the call-back's topic, "" for a disclosure request
    qr_text: str
    terminal: str
    how_to_check: str = HOW_TO_CHECK
    due_label: str = "答复期限"  # 征求意见截止 on a comment's receipt
    name_label: str = "申请人"  # 署名 on a comment's receipt


def lines(sheet: ReceiptSheet) -> list[tuple[str, str]]:
    """(label, value) rows of the receipt, in print order."""
    rows = [("受理编号", sheet.number), ("类型", sheet.kind_zh)]
    if sheet.topic:
        rows.append(("事项", sheet.topic))
    if sheet.name_masked:
        rows.append((sheet.name_label, sheet.name_masked))
    if sheet.phone_last4:  # a comment may be made without a phone
        rows.append(("手机尾号", sheet.phone_last4))
    rows += [("收到日期", sheet.received_on), (sheet.due_label, f"{sheet.due_on}（{sheet.due_rule}）")]
    return rows


def render(sheet: ReceiptSheet, out: Path, layout: str = "a5") -> Path:
    """Write the receipt to ``out`` in ``layout`` (one of LAYOUTS); returns ``out``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown receipt layout {layout!r}")
    font = fonts().main
    if layout == "a5":
        _render_a5(sheet, out, font)
    else:
        _render_roll(sheet, out, font)
    return out


class _Writer:
    """Draws wrapped lines top-down from ``y``; with ``canvas`` None it only measures."""

    def __init__(self, canvas: Canvas | None, font: str, x: float, y: float, width: float):
        self.canvas, self.font, self.x, self.y, self.width = canvas, font, x, y, width

    def text(self, text: str, size: float, bold_gap: float = 0.0, centre: bool = False) -> None:
        for line in wrap(text, self.font, size, self.width):
            self.y -= size * 1.4
            if self.canvas is not None:
                self.canvas.setFont(self.font, size)
                if centre:
                    self.canvas.drawCentredString(self.x + self.width / 2, self.y, line)
                else:
                    self.canvas.drawString(self.x, self.y, line)
        self.y -= bold_gap

    def rows(self, sheet: ReceiptSheet, size: float) -> None:
        for label, value in lines(sheet):
            big = label == "受理编号"
            self.text(f"{label}：{value}", size * 1.5 if big else size, bold_gap=size * 0.3)


def _render_a5(sheet: ReceiptSheet, out: Path, font: str) -> None:
    width, height = landscape(A5)
    margin, qr_size = 14 * mm, 48 * mm
    canvas = Canvas(str(out), pagesize=(width, height), initialFontName=font)
    canvas.setTitle(f"受理回执 {sheet.number}")
    writer = _Writer(canvas, font, margin, height - margin, width - 2 * margin)
    writer.text("受理回执", 22, bold_gap=4 * mm, centre=True)
    top = writer.y
    writer.width = width - 2 * margin - qr_size - 8 * mm
    writer.rows(sheet, 12)
    writer.text(sheet.how_to_check, 11, bold_gap=2 * mm)
    writer.text(f"终端：{sheet.terminal}", 9)
    _qr(canvas, sheet.qr_text, width - margin - qr_size, top - qr_size, qr_size)
    canvas.setFont(font, 9)
    canvas.drawCentredString(width - margin - qr_size / 2, top - qr_size - 5 * mm, "扫码查询办理进度")
    canvas.showPage()
    canvas.save()


def _render_roll(sheet: ReceiptSheet, out: Path, font: str) -> None:
    width, margin, qr_size = 80 * mm, 4 * mm, 40 * mm

    def draw(canvas: Canvas | None, height: float) -> float:
        writer = _Writer(canvas, font, margin, height - margin, width - 2 * margin)
        writer.text("受理回执", 16, bold_gap=3 * mm, centre=True)
        writer.rows(sheet, 9.5)
        writer.y -= qr_size + 2 * mm
        if canvas is not None:
            _qr(canvas, sheet.qr_text, (width - qr_size) / 2, writer.y, qr_size)
        writer.text("扫码查询办理进度", 8, bold_gap=2 * mm, centre=True)
        writer.text(sheet.how_to_check, 8.5, bold_gap=1.5 * mm)
        writer.text(f"终端：{sheet.terminal}", 7.5)
        return height - writer.y + margin  # the height used

    height = draw(None, 1000 * mm)
    canvas = Canvas(str(out), pagesize=(width, height), initialFontName=font)
    canvas.setTitle(f"受理回执 {sheet.number}")
    draw(canvas, height)
    canvas.showPage()
    canvas.save()


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    code = QRFlowable(text, size)
    code.wrapOn(canvas, size, size)
    code.drawOn(canvas, x, y)
