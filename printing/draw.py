"""Text on a reportlab canvas in the embedded font, rare characters (生僻字) in the first
fallback font that has them: measured and drawn run by run, so a name is never printed with
a box where a character should be."""

from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import FontSet


def runs(text: str, font_set: FontSet) -> list[tuple[str, str]]:
    """``text`` as (font, characters) runs: rare characters in the first font that has them."""
    found: list[tuple[str, str]] = []
    for char in text:
        font = font_set.drawn_in(char)
        if found and found[-1][0] == font:
            found[-1] = (font, found[-1][1] + char)
        else:
            found.append((font, char))
    return found


def width(text: str, size: float, font_set: FontSet) -> float:
    return sum(stringWidth(chars, font, size) for font, chars in runs(text, font_set))


def draw(canvas: Canvas, text: str, x: float, baseline: float, size: float, font_set: FontSet,
         bold: bool = False, align: str = "L", color: Color = black) -> None:
    """``text`` from, around or up to ``x`` (align L, C, R). WenQuanYi has no bold face: bold
    is the glyphs filled and stroked with a thin outline."""
    x -= {"R": 1.0, "C": 0.5}.get(align, 0.0) * width(text, size, font_set)
    canvas.setFillColor(color)
    if bold:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(size * 0.035)
    for font, chars in runs(text, font_set):
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, chars, mode=2 if bold else None)
        x += stringWidth(chars, font, size)
