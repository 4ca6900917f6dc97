"""Text keys for searching Chinese: pinyin initials and CJK bigram tokens."""

import bisect
import importlib.util
import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

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
    for surname in (name[:2], name[:1]):
        if surname in _SURNAME_INITIALS:
            return _SURNAME_INITIALS[surname] + _name_letters(name[len(surname) :])
    return _name_letters(name)


def _name_letters(text: str) -> str:
    """``initials`` of a name from the tables of ``_syllables`` (pypinyin not loaded)."""
    syllables = _syllables(text)
    if syllables is None:
        return initials(text)
    return "".join(ch for ch in "".join(s[:1] for s in syllables).lower() if ch.isalnum() and ch.isascii())


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
    register is ordered, rather than by code point."""
    family = surname(name)
    reading = "".join(_SURNAME_READINGS.get(family, ())) or _spelled(family)
    return f"{reading} {_spelled(name[len(family) :])}"


def _spelled(text: str) -> str:
    """``full_pinyin`` of a name without pypinyin: the same segmentation into its phrases
    and the same readings, from compact tables of pypinyin's own dictionaries (~6 MB; pypinyin
    imported holds ~50 MB, and a village's page needs nothing else of it). A character the
    tables lack (𠀀) goes to pypinyin."""
    syllables = _syllables(text)
    return full_pinyin(text) if syllables is None else "".join(syllables)


def _syllables(text: str) -> list[str] | None:
    """The toneless syllables of ``text`` as pypinyin reads them in context; None when a
    character is not in the tables (not a Han character, or a rare one)."""
    readings = _readings()
    if any(char not in readings for char in text):
        return None
    out: list[str] = []
    for word in _cut(text):
        override = _phrases()[1].get(word)
        out.extend(override.split() if override is not None else (readings[char] for char in word))
    return out


def _cut(text: str) -> list[str]:
    """pypinyin's strict forward maximum matching (pypinyin.seg.mmseg.Seg.cut with
    no_non_phrases=True) over its phrase list: the longest phrase that starts here, looking
    on while what has been read still begins some phrase."""
    words: list[str] = []
    remain = text
    while remain:
        last = ""
        for end in range(1, len(remain) + 1):
            word = remain[:end]
            begins, whole = _lookup(word)
            if not begins:
                words.append(last or remain[0])
                remain = remain[len(last) or 1 :]
                break
            if whole:
                last = word
        else:  # all of what remains begins some phrase
            if not last:
                words.extend(remain)
                break
            words.append(last)
            remain = remain[len(last) :]
    return words


def _lookup(word: str) -> tuple[bool, bool]:
    """(some phrase begins with ``word``, ``word`` is a phrase)."""
    phrases = _phrases()[0]
    at = bisect.bisect_left(phrases, word)
    found = phrases[at] if at < len(phrases) else ""
    return found.startswith(word), found == word


@cache  # a few thousand distinct syllables among ~180,000 readings
def _toneless(syllable: str) -> str:
    """A tone-marked syllable as pypinyin's NORMAL style spells it: ü as v, ê kept."""
    plain = unicodedata.normalize("NFD", syllable.translate(_U_UMLAUT))
    kept = "".join(c for c in plain if c == "\u0302" or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


_U_UMLAUT = str.maketrans(dict.fromkeys("üǖǘǚǜ", "v"))


def _pypinyin_file(name: str) -> Path:
    """One of pypinyin's data files, found without importing pypinyin (which loads them all)."""
    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / name


@cache
def _readings() -> dict[str, str]:
    """Every character -> its toneless first reading, as pypinyin reads a character on its
    own (~40 ms, once)."""
    table = json.loads(_pypinyin_file("pinyin_dict.json").read_text(encoding="utf-8"))
    return {chr(int(point)): _toneless(spelled.split(",")[0]) for point, spelled in table.items()}


@cache
def _phrases() -> tuple[list[str], dict[str, str]]:
    """pypinyin's phrases (and the local place names above), sorted for bisect, and the
    toneless reading of those read otherwise than character by character (长春 chang chun,
    not the first reading of 长, zhang)."""
    table = json.loads(_pypinyin_file("phrases_dict.json").read_text(encoding="utf-8"))
    table.update(_PLACE_READINGS)
    readings = _readings()
    overrides = {}
    for phrase, syllables in table.items():
        spelled = [_toneless(s[0]) for s in syllables]
        if spelled != [readings.get(char) for char in phrase]:
            overrides[phrase] = " ".join(spelled)
    return sorted(table), overrides


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
