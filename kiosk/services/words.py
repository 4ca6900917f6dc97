"""The shipped frequency word list (resources/words/words.tsv) for the text-entry panel: 联想
(words that start with a character) and pinyin spelled in full or by initials.

No Qt: the panel asks, this answers. The list is read on first use, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk import paths

LIMIT = 10  # how many words an answer gives unless told
WORDS_FILE = ("words", "words.tsv")


@dataclass(frozen=True, slots=True)  # 26,000 of them: no per-entry __dict__
class _Entry:
    word: str
    freq: int
    readings: tuple[tuple[str, ...], ...]  # per character: its toneless readings


class Words:
    """The shipped frequency word list (resources/words/words.tsv), indexed for 联想 and for
    pinyin spelled in full or by initials."""

    def __init__(self, lines: Sequence[str]):
        self._by_letter: dict[str, list[_Entry]] = {}
        self._by_first: dict[str, list[_Entry]] = {}
        # A few hundred syllables among ~60,000 readings: each kept once (12 -> ~5 MB).
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            word, freq, spelled = line.rstrip("\n").split("\t")
            # One character: its readings; a word: one reading per character.
            syllables = [tuple(spelled.split("|"))] if len(word) == 1 else [(s,) for s in spelled.split()]
            readings = tuple(shared.setdefault(s, s) for s in syllables)
            entry = _Entry(word, int(freq), readings)
            for letter in {r[0] for r in readings[0]}:
                self._by_letter.setdefault(letter, []).append(entry)
            if len(word) > 1:
                self._by_first.setdefault(word[0], []).append(entry)
        # The file is sorted by frequency already; sorting again keeps that true for any list.
        for entries in (*self._by_letter.values(), *self._by_first.values()):
            entries.sort(key=lambda e: -e.freq)

    def following(self, char: str, limit: int = LIMIT) -> list[str]:
        """The most frequent words that start with ``char`` (联想)."""
        return [e.word for e in self._by_first.get(char, [])[:limit]]

    def spelled(self, letters: str, limit: int = LIMIT) -> list[str]:
        """Characters and words whose pinyin matches ``letters``: each syllable spelled in full
        or cut short (initials: "db" and "dibao" both give 低保). Fully spelled matches first,
        then by frequency."""
        letters = letters.lower()
        if not letters:
            return []
        full, partial = [], []
        for entry in self._by_letter.get(letters[0], []):
            fit = _fits(letters, entry.readings)
            if fit is not None:
                (full if fit else partial).append(entry)
                if len(full) >= limit:
                    break
        return [e.word for e in (full + partial)[:limit]]


def _fits(letters: str, readings: tuple[tuple[str, ...], ...], i: int = 0, j: int = 0) -> bool | None:
    """None if ``letters[i:]`` does not spell ``readings[j:]``; else whether every syllable was
    spelled in full. Each syllable takes at least its first letter."""
    if j == len(readings):
        return (i == len(letters)) or None
    if i == len(letters):
        return None
    best = None
    for syllable in readings[j]:
        k = 0
        while k < len(syllable) and i + k < len(letters) and letters[i + k] == syllable[k]:
            k += 1
        for used in range(k, 0, -1):
            rest = _fits(letters, readings, i + used, j + 1)
            if rest is not None:
                whole = rest and used == len(syllable)
                if whole:
                    return True
                best = False
    return best


_words: Words | None = None
_words_lock = threading.Lock()


def words() -> Words:
    """The word list, read on first use (any thread): never at import or start-up."""
    global _words
    with _words_lock:
        if _words is None:
            path = paths.resources_dir().joinpath(*WORDS_FILE)
            _words = Words(path.read_text(encoding="utf-8").splitlines())
        return _words
