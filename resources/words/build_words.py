"""Build resources/words/words.tsv from jieba's dict.txt (MIT) and terms.txt; see README.md."""
import re, sys
from pypinyin import Style, lazy_pinyin, pinyin

CJK = re.compile(r"^[\u4e00-\u9fff]+$")
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    word, freq, *_ = line.split()
    if CJK.match(word):
        rows.append((word, int(freq)))
singles = sorted((r for r in rows if len(r[0]) == 1), key=lambda r: -r[1])[:6000]
multi = sorted((r for r in rows if 1 < len(r[0]) <= 4), key=lambda r: -r[1])[:20000]
best = dict(singles + multi)
# Terms villagers look for on a disclosure kiosk, ranked above everyday words of equal form.
for word in open(sys.argv[2], encoding="utf-8").read().split():
    best[word] = max(best.get(word, 0), 20000)
out = open(sys.argv[3], "w", encoding="utf-8")
out.write("# word\tfrequency\tpinyin (syllables by space; a character's readings by |)\n")
for word, freq in sorted(best.items(), key=lambda r: (-r[1], r[0])):
    if len(word) == 1:
        readings = pinyin(word, style=Style.NORMAL, heteronym=True)[0]
        syl = "|".join(dict.fromkeys(r for r in readings if r.isascii() and r.isalpha()))
    else:
        syl = " ".join(lazy_pinyin(word))
    if not syl or not all(s.isascii() for s in syl.replace("|", "").split()):
        continue
    out.write(f"{word}\t{freq}\t{syl}\n")
