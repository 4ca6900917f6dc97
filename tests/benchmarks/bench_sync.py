"""County-scale sync benchmark: one year of payouts (~600k rows) through the signed feed.

Prints, beside a raw sqlite3 baseline measured in the same run (one ``executemany`` of the
same payout rows in one transaction into a fresh database with the same schema):
  first sync    each step into an empty terminal database, in seconds and as a multiple of
                the raw time: fetch + verify, validate + stage (wall clock; of which the
                payout partitions checked and written, summed over the worker processes,
                moved into the staging database, and its payout indexes built), apply (the
                swap transaction), total; and the end-to-end speed as a fraction of raw
                (goal: >= 0.5x raw)
  incremental   one town-year changed: feed rebuild, then sync (goal: sync <= 2 s)

Run:  python tests/benchmarks/bench_sync.py [--households 250000] [--work DIR] [--runs 3]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from baseline import raw_payout_insert

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for tests.*

from kiosk.county.feed import demo_county, keys, publisher
from kiosk.services import sync
from kiosk.store.db import close_database, open_database
from kiosk.sync import apply
from tests.helpers.spreadsheets import add_one_yuan

YEAR = 2025


def one_year_input(full: Path, out: Path) -> None:
    """The county's spreadsheets with only one year's payout files."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(full, out, ignore=shutil.ignore_patterns("payouts"))
    (out / "payouts").mkdir()
    for path in (full / "payouts").glob(f"{YEAR}_*"):
        shutil.copyfile(path, out / "payouts" / path.name)


def change_one_town_year(input_dir: Path) -> str:
    path = sorted((input_dir / "payouts").glob(f"{YEAR}_*.csv"))[5]
    add_one_yuan(path)
    return path.name


def first_sync(source: str, db: Path, root: Path) -> tuple[sync.SyncResult, apply.ApplySummary]:
    """A sync into a new terminal database, with the apply step's own figures."""
    summaries = []
    original = apply.apply_feed

    def recorded(*args, **kwargs) -> apply.ApplySummary:
        summaries.append(original(*args, **kwargs))
        return summaries[-1]

    apply.apply_feed = recorded
    open_database(db)
    try:
        result = sync.sync(source, db, root)
    finally:
        close_database()
        apply.apply_feed = original
    return result, summaries[0]


def print_first_sync(run: int, first: sync.SyncResult, summary: apply.ApplySummary, rows: int,
                     raw_s: float) -> None:  # fmt: skip
    fetch_s = first.seconds - first.validate_s - first.apply_s
    print(f"first sync #{run}: {first.rows:,} rows; raw executemany of its {rows:,} payouts {raw_s:.2f} s")
    steps = [
        ("fetch + verify", fetch_s),
        ("validate + stage (wall)", first.validate_s),
        ("  payouts checked + written, summed over processes", summary.busy_s),
        ("    of which written to scratch databases", summary.write_s),
        ("  moved into the staging database", summary.merge_s),
        ("  staged payout indexes built", summary.index_s),
        ("apply (swap transaction)", first.apply_s),
        ("total", first.seconds),
    ]
    for name, seconds in steps:
        print(f"  {name:<52} {seconds:6.2f} s  {seconds / raw_s:5.2f}x raw time")
    print(f"  end to end: {rows / first.seconds:,.0f} rows/s vs raw {rows / raw_s:,.0f} rows/s -> "
          f"{raw_s / first.seconds:.2f}x raw speed (goal >= 0.5x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="first syncs timed, each beside a raw run")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    full, inputs = work / "county", work / "input-one-year"
    if not (full / "towns.csv").exists():
        summary = demo_county.generate(full, args.households, seed=1, fmt="csv")
        print(f"demo county: {summary.households} households, {summary.villages} villages")
    one_year_input(full, inputs)
    keydir, feed, terminal = work / "keys", work / "feed", work / "terminal"
    if not keydir.exists():
        keys.init_keys(keydir)
    shutil.rmtree(feed, ignore_errors=True)
    shutil.rmtree(terminal, ignore_errors=True)
    db = terminal / "kiosk.sqlite3"
    root = keydir / "root.json"

    t = time.perf_counter()
    built = publisher.build_feed(inputs, keydir, feed)
    print(f"feed build (county side): {built.rows:,} rows, {built.targets} targets, "
          f"{time.perf_counter() - t:.1f} s")

    speeds = []
    for run in range(args.runs):
        shutil.rmtree(terminal, ignore_errors=True)
        first, summary = first_sync(str(feed), db, root)
        rows, raw_s = raw_payout_insert(db, work / "raw.sqlite3")
        print_first_sync(run + 1, first, summary, rows, raw_s)
        speeds.append((raw_s / first.seconds, first.seconds))
    if len(speeds) > 1:
        ratios, totals = sorted(r for r, _ in speeds), sorted(t for _, t in speeds)
        print(f"first sync over {len(speeds)} runs: total best {totals[0]:.2f} s, median "
              f"{statistics.median(totals):.2f} s; speed vs raw best {ratios[-1]:.2f}x, median "
              f"{statistics.median(ratios):.2f}x (goal >= 0.5x)")

    changed = change_one_town_year(inputs)
    t = time.perf_counter()
    rebuilt = publisher.build_feed(inputs, keydir, feed)
    rebuild_s = time.perf_counter() - t
    open_database(db)
    again = sync.sync(str(feed), db, root)
    close_database()
    print(f"incremental ({changed}): feed rebuild {rebuild_s:.1f} s, changed {rebuilt.changed}; "
          f"sync {again.seconds:.2f} s (downloaded {again.downloaded}, {again.rows:,} rows, "
          f"apply {again.apply_s:.2f} s) (goal <= 2 s)")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
