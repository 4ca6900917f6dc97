"""Sync orchestration: fetch the county feed, verify it, apply what changed.

Usable from the CLI (and so the OS scheduler) and from the UI, which runs it off the UI
thread: progress comes through a callback, cancellation through ``cancelled()``. Only one
sync runs at a time per terminal; a second one is refused at once. A refused or failed
sync changes nothing in the database.

Downloads have deadlines (per file, from its length at a minimum rate, and per sync) and
stop mid-file on cancel; faults of the terminal itself (a full disk, a read-only folder
or database) end as a KnownError saying so, with the database unchanged and the cache
fit for the next sync.
"""

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk import log, paths
from kiosk.errors import KnownError, as_known, is_database_error
from kiosk.files import read_small, write_atomic

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


def sync(source: str, db_path: Path, trusted_root: Path, progress: Progress | None = None,
         cancelled: Callable[[], bool] = lambda: False, timeout_s: float = 30,
         deadline_s: float | None = None, min_rate: float | None = None,
         file_slack_s: float | None = None) -> SyncResult:
    """Bring the county's latest data onto this terminal (the database must be open).

    Args:
        timeout_s: connect timeout and the longest silence between two reads.
        deadline_s: the longest the download may take (default: one hour).
        min_rate, file_slack_s: one file may take ``file_slack_s + length / min_rate``
            seconds (defaults: 16 kB/s and 60 s; see kiosk.sync.client).

    Raises:
        KnownError: the feed was refused, could not be fetched, a deadline passed, the
            terminal's disk is full or read-only, another sync is running, or the trusted
            root is missing. The database is unchanged.
    """
    # python-tuf and the apply machinery load here, not when the kiosk starts (~100 ms).
    from kiosk.sync import apply, client

    started = time.perf_counter()
    try:
        root_bytes = trusted_root.read_bytes()
    except OSError as exc:
        raise KnownError(f"找不到受信任的根证书 {trusted_root}，请先配置县级数据源",
                         f"trusted root {trusted_root} not found; configure the county feed") from exc
    limits = {k: v for k, v in (("deadline_s", deadline_s), ("min_rate", min_rate),
                                ("file_slack_s", file_slack_s)) if v is not None}  # fmt: skip
    files = paths.TerminalFiles(db_path)
    cache = files.feed_cache
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with single_sync(cache / "sync.lock"):
            feed = client.fetch(
                source, cache, root_bytes, timeout_s,
                (lambda d, t: progress("下载", d, t)) if progress else None, cancelled, **limits,
            )  # fmt: skip
            summary = apply.apply_feed(
                feed, cache / "staging.sqlite3", "sync",
                (lambda d, t: progress("校验", d, t)) if progress else None, cancelled,
            )  # fmt: skip
    except KnownError as exc:
        _record_attempt(files, "refused" if isinstance(exc, client.FeedRefused) else "failed", exc.zh)
        raise
    except (OSError, MemoryError) as exc:
        _record_attempt(files, "failed", _failed(exc).zh)
        raise _failed(exc) from exc
    except Exception as exc:
        if is_database_error(exc):
            _record_attempt(files, "failed", _failed(exc).zh)
            raise _failed(exc) from exc
        raise
    _record_attempt(files, "ok", "")
    _acknowledge_requests()
    as_of = dt.datetime.fromisoformat(feed.data_as_of).astimezone()
    result = SyncResult(feed.version, len(feed.targets), feed.downloaded, len(summary.changed)
                        + len(summary.removed), summary.rows, f"{as_of:%Y-%m-%d %H:%M}",
                        time.perf_counter() - started, summary.validate_s,
                        summary.apply_s)  # fmt: skip
    _log.info("sync from %s: %s", source, result)
    return result


def _record_attempt(files: paths.TerminalFiles, result: str, message: str) -> None:
    """Keep this attempt's time and outcome for the status report (kiosk.services.health);
    a disk too full to take it does not change what the sync says."""
    record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "result": result,
              "message": message[:200]}  # fmt: skip
    try:
        write_atomic(files.sync_attempt, json.dumps(record, ensure_ascii=False).encode(), 0o644)
    except OSError as exc:
        _log.warning("cannot record the sync attempt: %s", exc)


def last_attempt(db_path: Path) -> dict[str, str]:
    """The last sync attempt as ``_record_attempt`` kept it ({} before any, or if unreadable)."""
    try:
        record = json.loads(read_small(paths.TerminalFiles(db_path).sync_attempt, 4096))
    except (KnownError, ValueError):  # none yet, or not one we wrote
        return {}
    keys = ("at", "result", "message")
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in keys):
        return {}
    return {k: record[k] for k in keys}


def feed_on(root: Path) -> Path | None:
    """The county feed folder on a USB stick at ``root``: the root itself or a folder just
    inside it, whichever holds ``metadata/timestamp.json``; None when none does.

    Raises:
        OSError: the stick cannot be read.
    """
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    return next((c for c in candidates if (c / "metadata" / "timestamp.json").is_file()), None)


def _acknowledge_requests() -> None:
    """The county's replies list the requests it received: drop their ciphertext here. A
    fault in the outbox must not fail a sync that has already been applied."""
    from kiosk.services import requests

    try:
        dropped = requests.acknowledge_received()
    except (KnownError, OSError, sqlite3.Error) as exc:
        _log.warning("outbox acknowledgement failed: %s", exc)
        return
    if dropped:
        _log.info("%d requests acknowledged by the county", dropped)


def _failed(exc: BaseException) -> KnownError:
    """A fault of the terminal itself (disk full, read-only, out of memory) in words.

    The words come from the first exception in the chain that names such a fault: a
    clean-up that fails after a full disk ("cannot rollback") must not hide the disk.
    """
    _log.warning("sync failed", exc_info=exc)
    unexpected = as_known(RuntimeError()).zh
    known = as_known(exc)
    seen: BaseException | None = exc
    while seen is not None and known.zh == unexpected:
        seen = seen.__cause__ or seen.__context__
        if seen is not None:
            known = as_known(seen)
    if known.zh == unexpected:
        known = as_known(exc)
    return KnownError(f"同步未完成，数据未改动：{known.zh}", f"sync failed, nothing was changed: {known.en}")


@contextmanager
def single_sync(lock_path: Path, busy: KnownError | None = None) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on ``lock_path`` (released if the process dies).

    Raises:
        KnownError: ``busy`` (default: another sync is running) when another holds it.
    """
    handle = lock_path.open("a+b")
    try:
        try:
            _lock(handle)
        except OSError as exc:
            raise busy or KnownError("另一个同步正在进行，请稍后再试",
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
