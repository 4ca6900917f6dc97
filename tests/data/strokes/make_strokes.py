"""Regenerate the stroke files from hanzi-writer-data (see README.md).

Run:  npm pack hanzi-writer-data && tar xzf hanzi-writer-data-*.tgz
      python tests/data/strokes/make_strokes.py package/
"""

import itertools
import json
import math
import sys
from pathlib import Path

CHARS = (
    "十王人大小田水山口三"
    "低保医养老补贴村镇户粮地钱农民乡金家社残疾困难救助款元年月日名"
    "李张刘陈杨赵黄周吴徐孙马朱胡林郭何高罗郑"
)
BOX = 300


def resample(points: list[tuple[float, float]], count: int) -> list[list[int]]:
    """``count`` points evenly spaced along the polyline (a touch screen samples about so)."""
    lengths = [0.0]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    total = lengths[-1] or 1.0
    out, j = [], 0
    for i in range(count):
        target = total * i / (count - 1)
        while j < len(points) - 2 and lengths[j + 1] < target:
            j += 1
        span = (lengths[j + 1] - lengths[j]) or 1.0
        t = min(1.0, max(0.0, (target - lengths[j]) / span))
        (x0, y0), (x1, y1) = points[j], points[j + 1]
        out.append([round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)])
    return out


def convert(medians: list[list[list[int]]]) -> list[list[list[int]]]:
    strokes = []
    for median in medians:
        # A median's first point sits in the brush's entry serif, which a finger never draws.
        median = median[1:] if len(median) > 2 else median
        # Make Me a Hanzi: 1024 box, y up with the baseline at 900 -> screen y down.
        points = [(min(BOX, max(0.0, x * BOX / 1024)), min(BOX, max(0.0, (900 - y) * BOX / 1024)))
                  for x, y in median]  # fmt: skip
        if len(points) == 1:
            points.append(points[0])
        length = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points))
        strokes.append(resample(points, max(10, min(20, round(length / 12)))))
    return strokes


def main(package: Path) -> None:
    here = Path(__file__).parent
    for char in CHARS:
        data = json.loads((package / f"{char}.json").read_text(encoding="utf-8"))
        doc = {"char": char, "width": BOX, "height": BOX, "strokes": convert(data["medians"])}
        (here / f"{char}.json").write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
                                           encoding="utf-8")  # fmt: skip
    print(f"{len(CHARS)} characters written to {here}")  # noqa: T201


if __name__ == "__main__":
    main(Path(sys.argv[1]))
