"""The raw sqlite3 baselines the benchmarks print their figures against."""

import sqlite3
import time
from pathlib import Path

from kiosk.store import migrations, opened


def raw_connection(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the kiosk's pragmas (WAL, cache, …)."""
    return opened.connect(path)


def raw_payout_insert(source_db: Path, scratch: Path) -> tuple[int, float]:
    """Insert the payout rows of ``source_db`` with one ``executemany`` in one transaction
    into a fresh database with the same schema and indexes.

    Returns:
        (rows, seconds) for the insert alone.
    """
    rows = sqlite3.connect(source_db).execute("SELECT * FROM payout").fetchall()
    scratch.unlink(missing_ok=True)
    conn = raw_connection(scratch)
    migrations.upgrade(conn)
    conn.execute("PRAGMA foreign_keys = 0")
    marks = ",".join("?" * len(rows[0]))
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO payout VALUES ({marks})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return len(rows), seconds

