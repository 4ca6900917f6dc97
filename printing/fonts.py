"""Fonts for notice sheets: the bundled CJK TrueType font, embedded as a subset, plus an
optional fallback for rare characters (生僻字) the main font lacks.

reportlab embeds TrueType (glyf) outlines only; CFF/OpenType fonts such as Noto CJK .otf
are refused, and the built-in STSong-Light is never embedded (the PDF would depend on the
printer's fonts). So the fallback list holds TrueType files only.
"""

import mmap
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from kiosk.errors import KnownError
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
        """The first font that has a glyph for ``char``, or None. A fallback is registered
        here, when a character first needs one."""
        code = ord(char)
        for name in (self.main, *self.fallbacks):
            if code in _glyphs(name):
                return name
        return None

    def drawn_in(self, char: str) -> str:
        """The font ``char`` is drawn (and measured) in: the main font, else the first
        fallback that has it (the main one when none has: text with such a character is
        refused before anything is drawn)."""
        return (self.font_for(char) or self.main) if needs_fallback(char) else self.main


class _Mapped:
    """A font file for reportlab's TTFont that reads as a memory map: reportlab keeps the
    whole file for subsetting, and a mapped file costs resident memory only for the pages
    read (the tables and the glyphs printed), not its 5-30 MB."""

    def __init__(self, path: Path):
        self.name = str(path)

    def read(self) -> mmap.mmap:
        with open(self.name, "rb") as file:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


_FALLBACK_PATHS: dict[str, Path] = {}
_register_lock = threading.Lock()  # previews render on worker threads


@cache
def fonts() -> FontSet:
    """Register the main font once per process. The fallbacks are only named here: they
    are registered when a character first needs one (Hanazono's two files cost ~80 MB
    loaded, and most villages' lists never need them)."""
    pdfmetrics.registerFont(TTFont(MAIN, _Mapped(cjk_font()), subfontIndex=0))
    fallbacks = []
    for index, path in enumerate(FALLBACK_FILES):
        if Path(path).is_file():
            name = f"Fallback{index}"
            _FALLBACK_PATHS[name] = Path(path)
            fallbacks.append(name)
    return FontSet(MAIN, tuple(fallbacks))


def _registered(name: str):
    with _register_lock:
        if name in _FALLBACK_PATHS and name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, _Mapped(_FALLBACK_PATHS[name])))
    return pdfmetrics.getFont(name)


@cache
def _glyphs(name: str) -> Mapping[int, int]:
    """Code point -> glyph of the font: reportlab's own table (a frozenset copy cost 2 MB)."""
    return _registered(name).face.charToGlyph


def missing(text: str) -> set[str]:
    """Characters of ``text`` that no available font can draw."""
    font_set = fonts()
    return {ch for ch in set(text) if not ch.isspace() and font_set.font_for(ch) is None}


def refuse_missing(text: str, error: type[KnownError]) -> None:
    """Raise ``error`` naming the characters of ``text`` that no available font can draw: a
    sheet is refused before anything is printed, never printed with boxes.

    Raises:
        error: some character exists in no available font.
    """
    chars = missing(text)
    if chars:
        raise error(
            f"以下字符在字体中不存在，为避免打印出方框已停止（请安装含这些字的 TrueType 字体或改用规范字）："
            f"{''.join(sorted(chars))}",
            f"characters missing from every available font; not printing boxes: {sorted(chars)}",
        )


def needs_fallback(text: str) -> bool:
    glyphs = _glyphs(fonts().main)
    return any(ord(ch) not in glyphs for ch in text if not ch.isspace())
