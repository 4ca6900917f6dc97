"""The fleet at the county: filing terminals' status reports and drawing the fleet's page.

Prints, with baselines measured in the same run:
  filing   T terminals x R status reports each, filed through fleet.file_reports in one
           transaction per 1,000 reports (as kiosk inbox import does), beside a raw sqlite3
           executemany of the same status_report rows into a bare table, and of every row
           filing writes (reports, faults, usage) into bare tables
  reading  fleet.fleet_rows() for the T terminals, then write_html and write_xlsx, beside
           writing the same number of rows as plain text; the page's size

Each report is what a terminal sends (status_report.validate passes it): two months of use,
and a fault that opens, stays open over a few reports and clears, so the merge does real
work. Reports are built as opened envelopes (fleet.Filed with a real Header), not sealed:
sealing and opening are bench_inbox's business.

Run:  python tests/benchmarks/bench_fleet.py [--terminals 1000] [--reports 30] [--work DIR]
      [--profile]   (a cProfile of the filing, top functions by own time)
"""

import argparse
import base64
import cProfile
import datetime as dt
import hashlib
import io
import json
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for tests.*

from kiosk.county.inbox import cases, fleet, fleet_page
from kiosk.formats import envelope, ids, status_report

BATCH = 1000  # intake.BATCH: one transaction per 1,000 envelopes
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
EVERY = dt.timedelta(hours=8)  # a terminal reports several times a day
TOWNS = ("张鲁回族镇", "樱桃园镇", "古云镇", "燕店镇", "朝城镇", "十八里铺镇", "莘亭街道", "妹冢镇")


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def _report(t: int, r: int, at: dt.datetime) -> dict:
    """Terminal ``t``'s ``r``-th report: use counted over two months, a printer fault open
    from the 5th report to the 12th (every third terminal), then cleared; disk low on some."""
    faults = []
    if t % 3 == 0 and r >= 5:
        since = _iso(START + 5 * EVERY)
        cleared = _iso(START + 12 * EVERY) if r >= 12 else ""
        faults.append({"code": "printer_failed", "since": since, "cleared": cleared, "detail": "卡纸"})
    if t % 7 == 0:
        faults.append({"code": "disk_low", "since": _iso(START), "cleared": "", "detail": "剩余 300 MB"})
    month = f"{at:%Y-%m}"
    usage = {"2026-10": {"payouts": 40 + t % 9, "prints": 3}, month: {"payouts": r * 3, "lookup": r,
             "qa": r % 4, "prints": r // 2, "verifications": r % 3}}  # fmt: skip
    body = {
        "app_version": "1.4.0", "sent_via": "http" if r % 4 else "usb", "started_at": _iso(START),
        "uptime_s": r * 28800, "starts_7d": 1, "unclean_7d": 0, "feed_version": 10 + r // 3,
        "data_as_of": _iso(at - dt.timedelta(days=1)), "applied_at": _iso(at - dt.timedelta(hours=2)),
        "last_sync_at": _iso(at - dt.timedelta(hours=1)), "last_sync_result": "ok", "last_sync_message": "",
        "clock_vs_feed_s": 86400, "outbox": dict.fromkeys(status_report.OUTBOX_KEYS, 0),
        "disk_free_mb": 300 if t % 7 == 0 else 5000 + t, "db_mb": 40,
        "printer": {"last_job_at": _iso(at), "last_outcome": "failed" if faults and not faults[0]["cleared"]
                    else "ok", "last_error": "", "pages_since": r, "failed_in_row": 0},
        "screen": "1080x1920", "handwriting": True, "speech": True, "usage": usage, "faults": faults,
    }  # fmt: skip
    return status_report.validate(body)


def make_filed(terminals: int, reports: int) -> tuple[list[list[fleet.Filed]], list[tuple[str, str, str]]]:
    """The reports in batches of BATCH, in arrival order (round by round), and the terminals
    as (fingerprint, name, town)."""
    keys = [hashlib.sha256(f"terminal-{t}".encode()).digest() for t in range(terminals)]
    listed = [(ids.key_fingerprint(k), f"便民服务终端{t:04d}", TOWNS[t % len(TOWNS)])
              for t, k in enumerate(keys)]  # fmt: skip
    items = []
    for r in range(reports):
        for t, key in enumerate(keys):
            if t % 97 == 0 and r >= reports - 9:  # a few fall silent three days before the end
                continue
            at = START + r * EVERY + dt.timedelta(seconds=t)
            ulid = ids.new_ulid(int(at.timestamp() * 1000))
            header = envelope.Header(id=ulid, receipt=ids.receipt_for(ulid), kind=status_report.KIND,
                                     created=envelope.format_time(at), county_key="bench",
                                     terminal=base64.b64encode(key).decode())  # fmt: skip
            digest = hashlib.sha256(f"{t}/{r}".encode()).hexdigest()[:32]
            items.append(fleet.Filed(header, _report(t, r, at), digest, at + dt.timedelta(minutes=5)))
    return [items[n:n + BATCH] for n in range(0, len(items), BATCH)], listed


def fresh_db(path: Path, listed: list[tuple[str, str, str]]) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    cases.open_cases(path)
    with cases.cases_db.atomic():
        cases.Terminal.insert_many([{"fingerprint": fp, "status": cases.TERMINAL_ENROLLED, "name": name,
                                     "town": town} for fp, name, town in listed]).execute()  # fmt: skip


def file_all(batches: list[list[fleet.Filed]]) -> float:
    start = time.perf_counter()
    for batch in batches:
        with cases.cases_db.atomic():
            fleet.file_reports(batch)
    return time.perf_counter() - start


def _bare(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for key, value in cases.PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    conn.executescript("""
        CREATE TABLE status_report (digest, ulid, terminal_fingerprint, signed, received, via, body, late);
        CREATE TABLE terminal_fault (terminal_fingerprint, code, since, cleared, detail, reported);
        CREATE TABLE terminal_usage (terminal_fingerprint, month, kind, count, signed);
    """)
    return conn


def raw_rows(batches: list[list[fleet.Filed]]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """What filing writes, as plain tuples: every report; every fault and usage count as named
    (the raw insert does no merging, so it writes more rows than filing keeps)."""
    reports, faults, usage = [], [], []
    for batch in batches:
        for item in batch:
            fp, signed = item.header.terminal_fingerprint, item.header.created
            body = json.dumps(item.report, ensure_ascii=False, sort_keys=True)
            reports.append((item.digest, item.header.id, fp, signed, item.received.isoformat(),
                            item.report["sent_via"], body, False))  # fmt: skip
            faults += [(fp, f["code"], f["since"], f["cleared"] or None, f["detail"], signed)
                       for f in item.report["faults"]]  # fmt: skip
            usage += [(fp, month, kind, n, signed) for month, counts in item.report["usage"].items()
                      for kind, n in counts.items()]  # fmt: skip
    return reports, faults, usage


def raw_insert(path: Path, tables: dict[str, list[tuple]]) -> float:
    """Seconds to executemany ``tables``' rows into bare tables, one transaction per table."""
    conn = _bare(path)
    start = time.perf_counter()
    for table, rows in tables.items():
        if rows:
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
            conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def bench_filing(work: Path, batches, listed, profile: bool) -> Path:
    count = sum(len(b) for b in batches)
    db = work / "cases-fleet.sqlite3"
    fresh_db(db, listed)
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
    file_s = file_all(batches)
    if profile:
        profiler.disable()
    filed = cases.StatusReport.select().count()
    faults, usage = cases.TerminalFault.select().count(), cases.TerminalUsage.select().count()
    cases.close_cases()
    assert filed == count, (filed, count)  # a broken filing means nothing
    reports, fault_rows, usage_rows = raw_rows(batches)
    raw_reports_s = raw_insert(work / "raw-fleet.sqlite3", {"status_report": reports})
    everything = {"status_report": reports, "terminal_fault": fault_rows, "terminal_usage": usage_rows}
    raw_all_s = raw_insert(work / "raw-fleet.sqlite3", everything)
    print(f"filing: {count} status reports from {len(listed)} terminals, {len(batches)} transactions of "
          f"<= {BATCH}")
    print(f"  fleet.file_reports         {file_s:7.2f} s  {count / file_s:9.0f} reports/s  "
          f"(kept: {faults} faults, {usage} usage counts)")
    print(f"  raw executemany, reports   {raw_reports_s:7.2f} s  {count / raw_reports_s:9.0f} rows/s")
    print(f"  raw executemany, all rows  {raw_all_s:7.2f} s  {count / raw_all_s:9.0f} reports/s "
          f"({len(reports) + len(fault_rows) + len(usage_rows)} rows, unmerged)")
    print(f"  ratio file_reports / raw reports: {file_s / raw_reports_s:.1f}x; "
          f"/ raw all rows: {file_s / raw_all_s:.1f}x")
    if profile:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(14)
        print("  profile of the filing (own time):")
        print("\n".join("    " + line for line in text.getvalue().splitlines() if line.strip()))
    return db


def bench_reading(work: Path, db: Path, now: dt.datetime) -> None:
    cases.open_cases(db)
    start = time.perf_counter()
    rows = fleet.fleet_rows(now)
    rows_s = time.perf_counter() - start
    cases.close_cases()
    start = time.perf_counter()
    page = fleet_page.write_html(rows, work / "fleet.html", now)
    html_s = time.perf_counter() - start
    start = time.perf_counter()
    fleet_page.write_xlsx(rows, work / "fleet.xlsx", now)
    xlsx_s = time.perf_counter() - start
    start = time.perf_counter()
    with (work / "fleet.txt").open("w", encoding="utf-8") as out:  # the baseline: the same rows as text
        for row in rows:
            fields = (row.town, row.name, row.seen, row.via, row.app_version, row.feed_version,
                      row.data_lag_days, ";".join(f.name for f in row.faults), row.printer, row.disk_free_mb)
            out.write("\t".join(map(str, fields)) + "\n")
    text_s = time.perf_counter() - start
    c = fleet_page.counts(rows)
    print(f"reading: {len(rows)} terminals ({fleet_page.summary_line(c)})")
    print(f"  fleet_rows()               {rows_s * 1000:8.1f} ms")
    print(f"  write_html                 {html_s * 1000:8.1f} ms   page {page.stat().st_size / 1024:.0f} KiB")
    print(f"  write_xlsx                 {xlsx_s * 1000:8.1f} ms   workbook "
          f"{(work / 'fleet.xlsx').stat().st_size / 1024:.0f} KiB")
    print(f"  plain text, same rows      {text_s * 1000:8.1f} ms")
    total = rows_s + html_s + xlsx_s
    print(f"  ratio fleet_rows+html+xlsx / plain text: {total / text_s:.0f}x "
          f"(fleet_rows {rows_s / text_s:.0f}x, html {html_s / text_s:.0f}x, xlsx {xlsx_s / text_s:.0f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--terminals", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=30, help="status reports per terminal")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--profile", action="store_true", help="print a profile of the filing")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}")
    start = time.perf_counter()
    batches, listed = make_filed(args.terminals, args.reports)
    print(f"  (built {sum(map(len, batches))} reports in {time.perf_counter() - start:.1f} s)")
    db = bench_filing(work, batches, listed, args.profile)
    now = START + args.reports * EVERY + dt.timedelta(hours=1)
    bench_reading(work, db, now)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
