"""Build resources/pinyin/readings.txt from pypinyin's character dictionary; see README.md.

Usage: python build_readings.py readings.txt
"""

import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

_U_UMLAUT = str.maketrans(dict.fromkeys("üǖǘǚǜ", "v"))  # 吕 lv, as pypinyin writes it


def toneless(syllable: str) -> str:
    plain = unicodedata.normalize("NFD", syllable.translate(_U_UMLAUT))
    return "".join(c for c in plain if not unicodedata.combining(c))


def lines() -> list[str]:
    """``syllable<space>characters`` lines: each character under its first (most common)
    reading, syllables in alphabetical order, characters in code-point order."""
    by_syllable = defaultdict(list)
    for point, readings in sorted(pinyin_dict.items()):
        by_syllable[toneless(readings.split(",")[0])].append(chr(point))
    return [f"{syllable} {''.join(chars)}" for syllable, chars in sorted(by_syllable.items())]


def main(out: Path) -> None:
    header = "# toneless pinyin, then the characters whose first reading it is (pypinyin, MIT)\n"
    out.write_text(header + "\n".join(lines()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
