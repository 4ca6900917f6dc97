"""County-scale sync benchmark: one year of payouts (~600k rows) through the signed feed.

Prints, beside a raw sqlite3 baseline measured in the same run:
  first sync    fetch + verify + validate + apply into an empty terminal database;
                apply throughput vs raw executemany of the same rows in one transaction
                (goal: >= 0.5x raw)
  incremental   one town-year changed: feed rebuild, then sync (goal: sync <= 2 s)

Run:  python tests/benchmarks/bench_sync.py [--households 250000] [--work DIR]
"""

import argparse
import os
import shutil
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--work", type=Path)
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

    open_database(db)
    first = sync.sync(str(feed), db, root)
    close_database()
    rows, raw_s = raw_payout_insert(db, work / "raw.sqlite3")
    print(f"first sync: {first.seconds:.1f} s total ({first.rows:,} rows; fetch+verify "
          f"{first.seconds - first.validate_s - first.apply_s:.1f} s, validate {first.validate_s:.1f} s, "
          f"apply {first.apply_s:.2f} s)")
    print(f"apply throughput: {rows / first.apply_s:,.0f} rows/s vs raw executemany "
          f"{rows / raw_s:,.0f} rows/s ({raw_s:.2f} s) -> {raw_s / first.apply_s:.2f}x raw "
          "(goal >= 0.5x)")
    print(f"end-to-end sync throughput: {rows / first.seconds:,.0f} rows/s -> "
          f"{raw_s / first.seconds:.2f}x raw")

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
