"""Line breaking for Chinese text: by character, since CJK text has no spaces (``wrap``, for
table cells), and with the rules of Chinese typesetting (``break_lines``, for running text).
"""

from collections.abc import Callable
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


# 避头尾: these never begin a line, those never end one; a run of Latin letters or digits (a
# date, a phone number) is not broken, nor a number from the unit after it (500元). reportlab's
# own CJK wrap knows only 、 and 。, and would start a line with "，".
NO_START = "，。、；：？！）》」』】〕〉”’…%,.;:?!)]}"
NO_END = "（《「『【〔〈“‘([{"
GLUE_RUN = 16  # at most this many characters move to the next line to keep a run whole


def glued(before: str, after: str) -> bool:
    """May no line break fall between ``before`` and ``after``?"""
    pair = (before + after).replace(".", "0").replace("-", "0")
    number_unit = before.isascii() and before.isdigit() and not after.isascii()
    return after in NO_START or before in NO_END or (pair.isascii() and pair.isalnum()) or number_unit


def break_lines(text: str, font_for: Callable[[str], str], size: float, first: float,
                width: float) -> list[str]:  # fmt: skip
    """``text`` in lines of at most ``first`` (the first line) and ``width`` points, each
    character measured in ``font_for(char)``; never drops or truncates a character (one wider
    than the line gets a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used, limit = 0.0, first if not lines else width
        for char in paragraph:
            w = _width(char, font_for(char), size)
            if line and used + w > limit:
                cut = len(line)  # move back past characters that must stay together
                after = [*line, char]
                while cut > 1 and len(line) - cut < GLUE_RUN and glued(line[cut - 1], after[cut]):
                    cut -= 1
                if cut == 1 or len(line) - cut >= GLUE_RUN:
                    cut = len(line)
                lines.append("".join(line[:cut]))
                line = line[cut:]
                used, limit = sum(_width(c, font_for(c), size) for c in line), width
            line.append(char)
            used += w
        lines.append("".join(line))
    return lines
