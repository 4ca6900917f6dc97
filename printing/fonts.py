"""Fonts for notice sheets: the bundled CJK TrueType font, embedded as a subset, plus an
optional fallback for rare characters (生僻字) the main font lacks.

reportlab embeds TrueType (glyf) outlines only; CFF/OpenType fonts such as Noto CJK .otf
are refused, and the built-in STSong-Light is never embedded (the PDF would depend on the
printer's fonts). So the fallback list holds TrueType files only.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.paths import cjk_font

MAIN = "WenQuanYiMicroHei"
# TrueType fonts with wide CJK coverage (Ext-A/Ext-B), used when present on the machine.
FALLBACK_FILES = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "C:/Windows/Fonts/simsunb.ttf",
)


@dataclass(frozen=True)
class FontSet:
    main: str
    fallbacks: tuple[str, ...]

    def font_for(self, char: str) -> str | None:
        """The first font that has a glyph for ``char``, or None."""
        code = ord(char)
        for name in (self.main, *self.fallbacks):
            if code in _glyphs(name):
                return name
        return None


@cache
def fonts() -> FontSet:
    """Register the fonts once per process."""
    pdfmetrics.registerFont(TTFont(MAIN, str(cjk_font()), subfontIndex=0))
    fallbacks = []
    for index, path in enumerate(FALLBACK_FILES):
        if Path(path).is_file():
            name = f"Fallback{index}"
            pdfmetrics.registerFont(TTFont(name, path))
            fallbacks.append(name)
    return FontSet(MAIN, tuple(fallbacks))


@cache
def _glyphs(name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def missing(text: str) -> set[str]:
    """Characters of ``text`` that no available font can draw."""
    font_set = fonts()
    return {ch for ch in set(text) if not ch.isspace() and font_set.font_for(ch) is None}


def needs_fallback(text: str) -> bool:
    glyphs = _glyphs(fonts().main)
    return any(ord(ch) not in glyphs for ch in text if not ch.isspace())
