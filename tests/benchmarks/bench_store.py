"""County-scale store benchmark: build, size, village page and person lookup.

Each figure is printed beside a raw sqlite3 baseline measured in the same run:
  build      - spreadsheets -> signed feed -> sync into the terminal database (the real
               path), vs raw executemany of the same payout rows
  village    - services.village_payouts(), vs the same SELECT through raw sqlite3
  lookup     - the villager's own lookup: services.people_by_last4() within the town (and
               narrowed by a written name), vs the same SELECT through raw sqlite3

Run:  python tests/benchmarks/bench_store.py [--households 250000] [--work DIR]
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KIOSK_KEY_PASSPHRASE", "bench")  # the county's keys are encrypted

from baseline import raw_connection, raw_payout_insert

from kiosk.county.feed import demo_county, keys, publisher
from kiosk.services import payouts, sync
from kiosk.store.db import close_database, open_database

VILLAGE_SQL = (
    "SELECT p.village_id, p.year, p.item_id, i.name, p.name, p.id_masked, p.quantity_centi,"
    " p.unit, p.standard_fen, p.amount_fen, p.paid_on, p.batch, p.account_last4, p.remark,"
    " i.paid_per FROM payout p JOIN subsidy_item i ON i.code = p.item_id"
    " WHERE p.village_id = ? AND p.year = ? ORDER BY p.item_id, p.id"
)
LOOKUP_SQL = (
    "SELECT DISTINCT name, id_masked, village_id FROM payout"
    " WHERE id_last4 = ? AND village_id BETWEEN ? AND ?"
)
NAMED_SQL = LOOKUP_SQL + " AND name = ?"


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=250_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-store-"))
    inputs, db = work / "input", work / "kiosk.sqlite3"
    db.unlink(missing_ok=True)

    t = time.perf_counter()
    summary = demo_county.generate(inputs, args.households, seed=1, fmt="csv")
    generate_s = time.perf_counter() - t
    print(f"demo county: {summary.villages} villages, {summary.households} households, "
          f"{summary.payout_rows} payout rows (3 years), generated in {generate_s:.1f} s")

    keydir, feed = work / "keys", work / "feed"
    if not keydir.exists():
        keys.init_keys(keydir)
    shutil.rmtree(feed, ignore_errors=True)
    shutil.rmtree(work / "feed-cache", ignore_errors=True)
    t = time.perf_counter()
    publisher.build_feed(inputs, keydir, feed)
    feed_s = time.perf_counter() - t
    open_database(db)
    t = time.perf_counter()
    sync.sync(str(feed), db, keydir / "root.json")
    sync_s = time.perf_counter() - t
    close_database()
    import_s = feed_s + sync_s
    size_mb = db.stat().st_size / 1e6

    rows, raw_insert_s = raw_payout_insert(db, work / "raw.sqlite3")
    print(f"build: feed build {feed_s:.1f} s + sync {sync_s:.1f} s = {import_s:.1f} s "
          f"({rows / import_s:,.0f} rows/s, validated twice) vs raw executemany "
          f"{raw_insert_s:.1f} s ({rows / raw_insert_s:,.0f} rows/s) -> "
          f"{import_s / raw_insert_s:.1f}x")
    print(f"database size: {size_mb:.0f} MB ({size_mb * 1e6 / rows:.0f} bytes/payout row)")
    source = sqlite3.connect(db)

    rng = random.Random(5)
    villages = [v for (v,) in source.execute("SELECT code FROM village")]
    people = source.execute(
        "SELECT id_last4, substr(village_id, 1, 9), name FROM payout WHERE rowid % 97 = 0"
    ).fetchall()
    source.close()
    picks = [rng.choice(villages) for _ in range(args.samples)]
    persons = [rng.choice(people) for _ in range(args.samples)]

    open_database(db)
    conn = raw_connection(db)
    for code in picks[:20]:  # warm the page cache for both sides alike
        payouts.village_payouts(code, 2025)
        conn.execute(VILLAGE_SQL, (code, 2025)).fetchall()
    page = [timed(payouts.village_payouts, code, 2025) for code in picks]
    page_raw = [timed(lambda c: conn.execute(VILLAGE_SQL, (c, 2025)).fetchall(), code)
                for code in picks]  # fmt: skip
    sizes = [len(payouts.village_payouts(code, 2025).rows) for code in picks[:50]]
    look = [timed(payouts.people_by_last4, l4, town) for l4, town, _ in persons]
    look_raw = [timed(lambda a, t: conn.execute(LOOKUP_SQL, (a, f"{t}000", f"{t}999")).fetchall(),
                      l4, town) for l4, town, _ in persons]  # fmt: skip
    named = [timed(payouts.people_by_last4, l4, town, name) for l4, town, name in persons]
    named_raw = [timed(lambda a, t, n: conn.execute(NAMED_SQL, (a, f"{t}000", f"{t}999", n)).fetchall(),
                       l4, town, name) for l4, town, name in persons]  # fmt: skip
    close_database()
    conn.close()

    for label, ours, base in (("village page", page, page_raw), ("person lookup", look, look_raw),
                              ("person lookup + name", named, named_raw)):  # fmt: skip
        (m, p), (bm, bp) = stats(ours), stats(base)
        print(f"{label}: median {m:.2f} ms, p95 {p:.2f} ms vs raw sqlite3 median {bm:.2f} ms, "
              f"p95 {bp:.2f} ms -> {m / bm:.1f}x median")
    print(f"village page size: median {statistics.median(sizes):.0f} rows (2025)")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
