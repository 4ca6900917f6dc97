"""Self-repair: a terminal's data all comes from the county feed, so a database with damaged
pages is moved aside and rebuilt from the feed cache the last sync left, and staff are told.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk import log, paths
from kiosk.store import db

_log = log.get("kiosk.repair")


def check(db_path: Path) -> str | None:
    """None if the database file is sound, else what SQLite's quick_check found."""
    return db.quick_check(db_path)


def set_aside(db_path: Path) -> Path:
    """Move the damaged file aside and open a new, empty database in its place (fast; run
    it on the thread that uses the database, so no connection to the old file remains)."""
    return db.set_aside(db_path)


@dataclass(frozen=True)
class Rebuilt:
    version: int
    rows: int
    seconds: float


def rebuild(db_path: Path, aside: Path,
            progress: Callable[[str, int, int], None] | None = None) -> Rebuilt:  # fmt: skip
    """Fill the new database from the verified feed cache.

    Raises:
        KnownError: the cache holds no complete feed (staff must sync), or it was refused.
    """
    from kiosk.store import writer
    from kiosk.sync import apply, cache  # python-tuf loads here, not at start

    started = time.perf_counter()
    folder = paths.TerminalFiles(db_path).feed_cache
    feed = cache.cached_feed(folder)
    summary = apply.apply_feed(feed, folder / "staging.sqlite3", "repair",
                               (lambda d, t: progress("修复", d, t)) if progress else None)  # fmt: skip
    writer.audit("repair", "kiosk", f"数据库损坏已自动修复：损坏文件另存为 {aside.name}，"
                 f"从本机缓存恢复数据源版本 {feed.version}，{summary.rows} 行")
    result = Rebuilt(feed.version, summary.rows, time.perf_counter() - started)
    _log.warning("database rebuilt from the feed cache: %s", result)
    return result
