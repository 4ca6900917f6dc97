"""Build resources/words/words.tsv from jieba's dict.txt (MIT) and terms.txt; see README.md.

Usage: python build_words.py JIEBA_DICT_TXT terms.txt words.tsv
"""

import re
import sys
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def syllables(word: str) -> str:
    """A word's pinyin, syllables by space; a single character's readings by "|"."""
    if len(word) == 1:
        readings = pinyin(word, style=Style.NORMAL, heteronym=True)[0]
        return "|".join(dict.fromkeys(r for r in readings if r.isascii() and r.isalpha()))
    return " ".join(lazy_pinyin(word))


def main(jieba_dict: Path, terms: Path, out: Path) -> None:
    rows = []
    with jieba_dict.open(encoding="utf-8") as lines:
        for line in lines:
            word, freq, *_ = line.split()
            if CJK.match(word):
                rows.append((word, int(freq)))
    singles = sorted((r for r in rows if len(r[0]) == 1), key=lambda r: -r[1])[:6000]
    multi = sorted((r for r in rows if 1 < len(r[0]) <= 4), key=lambda r: -r[1])[:20000]
    best = dict(singles + multi)
    # Terms villagers look for on a disclosure kiosk, ranked above everyday words of equal form.
    for word in terms.read_text(encoding="utf-8").split():
        best[word] = max(best.get(word, 0), 20000)
    with out.open("w", encoding="utf-8") as tsv:
        tsv.write("# word\tfrequency\tpinyin (syllables by space; a character's readings by |)\n")
        for word, freq in sorted(best.items(), key=lambda r: (-r[1], r[0])):
            syl = syllables(word)
            if syl and all(s.isascii() for s in syl.replace("|", "").split()):
                tsv.write(f"{word}\t{freq}\t{syl}\n")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
