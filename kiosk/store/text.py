"""Text keys for searching Chinese: pinyin initials and CJK bigram tokens."""

import re
import unicodedata
from functools import cache, lru_cache

# Local place names whose reading differs from the common one (莘 is shēn in 莘县).
_PLACE_READINGS = {
    "朝城": [["cháo"], ["chéng"]],
    "莘县": [["shēn"], ["xiàn"]],
    "莘亭": [["shēn"], ["tíng"]],
    "莘州": [["shēn"], ["zhōu"]],
}

# Surnames read differently from the character's common reading; pypinyin has no
# surname mode (mozillazg/python-pinyin#120). Initial letter of the surname reading.
_SURNAME_INITIALS = {
    "万俟": "mq", "尉迟": "yc", "单于": "cy",
    "曾": "z", "单": "s", "解": "x", "仇": "q", "朴": "p", "查": "z", "翟": "z",
    "缪": "m", "区": "o", "盖": "g", "乐": "y", "覃": "q", "尉": "y", "召": "s",
    "秘": "b", "种": "c", "重": "c", "长": "c", "柏": "b", "藏": "z", "折": "s",
}

# Han ideographs (basic + extension A) and compatibility ideographs.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_CJK_ONLY = re.compile(rf"^[{_CJK}]+$")


@cache
def _pinyin():
    """pypinyin and its dictionaries, loaded on first use: they take ~140 ms to import and
    the kiosk needs them only while applying a sync, not to show its first page."""
    import pypinyin

    pypinyin.load_phrases_dict(_PLACE_READINGS)
    return pypinyin


@lru_cache(maxsize=200_000)
def initials(text: str) -> str:
    """Lower-case pinyin initials of the Han characters, digits and letters kept.

    ``initials("张三") == "zs"``; punctuation is dropped. Cached: county exports repeat
    names and titles many times.
    """
    pypinyin = _pinyin()
    letters = pypinyin.lazy_pinyin(text, style=pypinyin.Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(ch for ch in "".join(letters).lower() if ch.isalnum() and ch.isascii())


@lru_cache(maxsize=200_000)
def name_initials(name: str) -> str:
    """Pinyin initials of a person's name, reading the surname as a surname (曾 -> z)."""
    for surname in (name[:2], name[:1]):
        if surname in _SURNAME_INITIALS:
            return _SURNAME_INITIALS[surname] + initials(name[len(surname) :])
    return initials(name)


@lru_cache(maxsize=20_000)
def full_pinyin(text: str) -> str:
    """Toneless pinyin, syllables joined by nothing; a sort key for villages."""
    return "".join(_pinyin().lazy_pinyin(text)).lower()


def _runs(text: str) -> list[str]:
    return _RUN.findall(unicodedata.normalize("NFKC", text).lower())


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> str:
    """Text rewritten for the FTS index: CJK runs as overlapping bigrams, words as-is.

    ``index_tokens("低保标准") == "低保 保标 标准"``.
    """
    out: list[str] = []
    for run in _runs(text):
        out.extend(_bigrams(run) if _CJK_ONLY.match(run) else [run])
    return " ".join(out)


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for what a villager typed, or None if nothing searchable.

    Each run becomes a phrase of its bigrams, so "补贴标准" must appear contiguously; runs
    are ANDed. A single CJK character cannot be matched in a bigram index: it returns None
    and callers fall back to a substring scan.
    """
    phrases = []
    for run in _runs(query):
        if _CJK_ONLY.match(run):
            if len(run) < 2:
                continue
            phrases.append('"' + " ".join(_bigrams(run)) + '"')
        else:
            phrases.append(f'"{run}"*')
    return " AND ".join(phrases) if phrases else None
