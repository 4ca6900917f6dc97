"""Line breaking for Chinese table cells: by character, since CJK text has no spaces."""

from functools import cache

from reportlab.pdfbase.pdfmetrics import stringWidth


@cache
def _width(char: str, font: str, size: float) -> float:
    return stringWidth(char, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines of at most ``width`` points; never drops or truncates a character."""
    lines: list[str] = []
    for paragraph in text.split("\n") or [""]:
        line, line_w = "", 0.0
        for char in paragraph:
            w = _width(char, font, size)
            if line and line_w + w > width:
                lines.append(line)
                line, line_w = "", 0.0
            line += char
            line_w += w
        lines.append(line)
    return lines
