"""Text keys for searching Chinese: pinyin initials and CJK bigram tokens."""

import re
import unicodedata
from functools import cache, lru_cache

from kiosk.paths import resource

# Local place names whose reading differs from the common one (莘 is shēn in 莘县).
_PLACE_READINGS = {
    "朝城": [["cháo"], ["chéng"]],
    "莘县": [["shēn"], ["xiàn"]],
    "莘亭": [["shēn"], ["tíng"]],
    "莘州": [["shēn"], ["zhōu"]],
}

# Surnames read differently from the character's common reading; pypinyin has no
# surname mode (mozillazg/python-pinyin#120). Toneless syllables of the surname reading.
_SURNAME_READINGS = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"),
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",),
    "查": ("zha",), "翟": ("zhai",), "缪": ("miao",), "区": ("ou",), "盖": ("ge",),
    "乐": ("yue",), "覃": ("qin",), "尉": ("yu",), "召": ("shao",), "秘": ("bi",),
    "种": ("chong",), "重": ("chong",), "长": ("chang",), "柏": ("bai",), "藏": ("zang",),
    "折": ("she",),
}
_SURNAME_INITIALS = {name: "".join(s[0] for s in syllables) for name, syllables in _SURNAME_READINGS.items()}

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
    family = surname(name)
    letters = _SURNAME_INITIALS.get(family) or _first_letters(family)
    return letters + _first_letters(name[len(family) :])


def _first_letters(text: str) -> str:
    """Lower-case initials from the reading table, digits and letters kept (as ``initials``)."""
    spelled = map(_spelled, text.lower())
    return "".join(reading[0] for reading in spelled if reading.isascii() and reading.isalnum())


def surname(name: str) -> str:
    """The surname of a Han name: a known two-character surname (欧阳) or the first one."""
    two = name[:2]
    if two in _SURNAME_READINGS or two in _COMPOUND_SURNAMES:
        return two
    return name[:1]


_COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "夏侯", "慕容",
    "司徒", "公孙", "长孙", "宇文", "轩辕", "端木", "南宫", "独孤", "西门",
))  # fmt: skip


@lru_cache(maxsize=200_000)
def name_sort_key(name: str) -> str:
    """Toneless pinyin of a name with the surname read as a surname (曾 zeng, 翟 zhai): how a
    register is ordered, rather than by code point. A lookup per character in the shipped
    reading table, never pypinyin: a village's page sorts 500 names on the villager's tap."""
    family = surname(name)
    reading = "".join(_SURNAME_READINGS.get(family, ())) or _spelled(family)
    return f"{reading} {_spelled(name[len(family) :])}"


# Characters of several readings whose reading in a given name is not their first one.
_GIVEN_NAME_READINGS = {"长": "chang"}  # 长兴, 长春: cháng (pypinyin's first reading is zhǎng)


def _spelled(text: str) -> str:
    readings = _readings()
    return "".join(_GIVEN_NAME_READINGS.get(char) or readings.get(char, char) for char in text)


READINGS_FILE = ("pinyin", "readings.txt")


@cache
def _readings() -> dict[str, str]:
    """Each character -> its first (most common) reading, toneless, from the table built
    from pypinyin's dictionary (resources/pinyin/README.md): ~10 ms to read, and no
    pypinyin in the kiosk's memory for showing a village."""
    out = {}
    with resource(*READINGS_FILE).open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                syllable, chars = line.split()
                out.update(dict.fromkeys(chars, syllable))
    return out


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
