"""County-scale feed build with and without the notice verification site (verify/).

Prints the best-of-N build time of the county-scale demo (three years of payouts, about
1,150 villages) without and with the site, their ratio (goal: <= 1.20x), and, after one
village's row changes, how many of the site's files a rebuild left byte-identical.

Run:  python tests/benchmarks/bench_feed_verify.py [--households 250000] [--work DIR] [--repeat 2]
"""

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for tests.*

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from kiosk.county.feed import demo_county, keys, publisher
from tests.helpers.spreadsheets import add_one_yuan


def _build(input_dir: Path, keydir: Path, out: Path, verify: bool, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        publisher.build_feed(input_dir, keydir, out, verify=verify)
        best = min(best, time.perf_counter() - started)
    return best


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def _change_one_village(input_dir: Path) -> None:
    add_one_yuan(sorted((input_dir / "payouts").glob("*.csv"))[5])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-verify-"))
    inputs, keydir, feed = work / "county", work / "keys", work / "feed"
    if not (inputs / "towns.csv").exists():
        summary = demo_county.generate(inputs, args.households, seed=1, fmt="csv")
        print(f"demo county: {summary.households} households, {summary.villages} villages,"
              f" {summary.payout_rows:,} payout rows")  # fmt: skip
    if not keydir.exists():
        keys.init_keys(keydir)

    plain = _build(inputs, keydir, feed, False, args.repeat)
    with_site = _build(inputs, keydir, feed, True, args.repeat)
    pages = len(list((feed / "verify").glob("*/index.html")))
    print(f"feed build without verify/: {plain:.1f} s; with verify/ ({pages} village-year pages):"
          f" {with_site:.1f} s -> {with_site / plain:.2f}x (goal <= 1.20x)")  # fmt: skip

    before = _tree(feed / "verify")
    _change_one_village(inputs)
    started = time.perf_counter()
    rebuilt = publisher.build_feed(inputs, keydir, feed)
    after = _tree(feed / "verify")
    same = sum(1 for name, digest in after.items() if before.get(name) == digest)
    print(f"rebuild after one village changed: {time.perf_counter() - started:.1f} s;"
          f" {same} of {len(after)} verify files byte-identical, {rebuilt.verify.written}"
          " village-year(s) rewritten")  # fmt: skip


if __name__ == "__main__":
    main()
