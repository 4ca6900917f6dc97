"""Sync orchestration: fetch the county feed, verify it, apply what changed.

Usable from the CLI (and so the OS scheduler) and from the UI, which runs it off the UI
thread: progress comes through a callback, cancellation through ``cancelled()``. Only one
sync runs at a time per terminal; a second one is refused at once. A refused or failed
sync changes nothing in the database.
"""

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk import log
from kiosk.errors import KnownError

_log = log.get("kiosk.sync")

# phase ("下载" / "校验"), done, total
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SyncResult:
    version: int
    targets: int
    downloaded: int
    changed: int
    rows: int
    data_as_of: str
    seconds: float
    validate_s: float = 0.0  # reading and checking the changed partitions (staging)
    apply_s: float = 0.0  # the one transaction that swaps them in

    @property
    def up_to_date(self) -> bool:
        return self.changed == 0


def terminal_dir(db_path: Path) -> Path:
    """Where a terminal keeps what belongs with its database (feed cache, settings)."""
    return db_path.resolve().parent


def sync(source: str, db_path: Path, trusted_root: Path, progress: Progress | None = None,
         cancelled: Callable[[], bool] = lambda: False, timeout_s: int = 30) -> SyncResult:
    """Bring the county's latest data onto this terminal (the database must be open).

    Raises:
        KnownError: the feed was refused, could not be fetched, another sync is running,
            or the trusted root is missing. The database is unchanged.
    """
    # python-tuf and the apply machinery load here, not when the kiosk starts (~100 ms).
    from kiosk.sync import apply, client

    started = time.perf_counter()
    cache = terminal_dir(db_path) / "feed-cache"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        root_bytes = trusted_root.read_bytes()
    except OSError as exc:
        raise KnownError(f"找不到受信任的根证书 {trusted_root}，请先配置县级数据源",
                         f"trusted root {trusted_root} not found; configure the county feed") from exc
    with _single_sync(cache / "sync.lock"):
        feed = client.fetch(
            source, cache, root_bytes, timeout_s,
            (lambda d, t: progress("下载", d, t)) if progress else None, cancelled,
        )  # fmt: skip
        summary = apply.apply_feed(
            feed, cache / "staging.sqlite3", "sync",
            (lambda d, t: progress("校验", d, t)) if progress else None, cancelled,
        )  # fmt: skip
    as_of = dt.datetime.fromisoformat(feed.data_as_of).astimezone()
    result = SyncResult(feed.version, len(feed.targets), feed.downloaded, len(summary.changed)
                        + len(summary.removed), summary.rows, f"{as_of:%Y-%m-%d %H:%M}",
                        time.perf_counter() - started, summary.validate_s,
                        summary.apply_s)  # fmt: skip
    _log.info("sync from %s: %s", source, result)
    return result


@contextmanager
def _single_sync(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on ``lock_path`` (released if the process dies)."""
    handle = lock_path.open("a+b")
    try:
        try:
            _lock(handle)
        except OSError as exc:
            raise KnownError("另一个同步正在进行，请稍后再试",
                             "another sync is already running; try again later") from exc
        yield
    finally:
        handle.close()


if os.name == "nt":  # pragma: no cover - exercised on Windows terminals
    import msvcrt

    def _lock(handle) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
