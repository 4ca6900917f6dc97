"""Payout partitions checked whole and staged, on every core.

A county's first sync is ~600k payout rows in a few dozen town-year partitions, and once
the towns, villages and subsidy items are known each partition is checked on its own. When
there are enough rows, worker processes check them a column at a time
(kiosk.formats.columns) and write the records of each partition they accept to a scratch
database of its own; this process moves them into the staging database in the order of the
partitions (building the payout indexes there on a first sync) while the workers check the
next ones. The live database is touched only afterwards, by the one swap transaction
(kiosk.store.staging.swap_in).

The outcome of a partition is the same wherever it was checked: its staged rows; None when
any row might be refused (the caller reads it row by row, for the messages); or the
refusal of the whole file (beyond its declared size, corrupt), raised in this process with
the worker's words. A worker that cannot start, dies, or fails on a partition for any
other reason changes nothing: that partition is checked again in this process, which
fails (or succeeds) exactly as a sync without workers would.

Workers are started with "spawn" (never fork: the kiosk's UI thread and Qt must not be
copied into a child); the frozen terminal calls multiprocessing.freeze_support() first.
"""

import gc
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from kiosk import config, log
from kiosk.formats import datasets as ds
from kiosk.formats.checks import CrossCheck
from kiosk.formats.columns import plain_columns
from kiosk.formats.feed_format import Declared, PartitionRefused, read_columns
from kiosk.formats.validate import Problems
from kiosk.store import writer
from kiosk.store.models import Payout
from kiosk.store.staging import Staging
from kiosk.sync.records import RECORDS, payout_rows

_log = log.get("kiosk.sync")

# Fewer payout rows than this to check (an incremental sync of a town or two) are checked
# in this process: starting a worker costs ~0.2 s.
MIN_ROWS_FOR_WORKERS = 100_000
MAX_WORKERS = 4
SCRATCH_PREFIX = "staging-worker-"  # + process id + ".sqlite3", in the staging folder


@dataclass(frozen=True)
class Job:
    """One payout partition to check: which file, what it declares, where it belongs."""

    target: str
    path: Path
    declared: Declared
    year: int
    town_code: str


@dataclass(frozen=True)
class References:
    """What payout rows may name (kiosk.formats.checks.CrossCheck's tables)."""

    towns: dict[str, str]
    villages: dict[str, tuple[str, str]]
    items: dict[str, str]


@dataclass(frozen=True)
class Staged:
    """Where a partition's records are: the rowid range they got in ``source``'s payout table."""

    source: Path
    first: int
    last: int
    write_s: float = 0.0  # of the partition's time, what writing its records took

    @property
    def rows(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class _Refused:
    """A worker's refusal of a whole file, in its words (exceptions with two message
    arguments do not survive pickling)."""

    zh: str
    en: str


def stage(job: Job, refs: References, conn: sqlite3.Connection, source: Path) -> Staged | None:
    """Check one payout partition whole and, when every row passes, append its records to
    the payout table of ``conn`` (the scratch database at ``source``, in a transaction).

    Returns:
        where the records are; None when any row might be refused.

    Raises:
        PartitionRefused: the file is not what its declaration says, or is corrupt.
    """
    headers, raw = read_columns(job.path, job.target, job.declared)
    columns = plain_columns(ds.PAYOUTS, headers, raw) if raw is not None else None
    if columns is None:
        return None
    check = CrossCheck(Problems())
    check.towns, check.villages, check.items = refs.towns, refs.villages, refs.items
    item_codes = check.payout_items(columns)
    if item_codes is None or set(columns["year"]) - {job.year}:
        return None
    if any(not code.startswith(job.town_code) for code in set(columns["village_code"])):
        return None
    (last,) = conn.execute('SELECT coalesce(max(rowid), 0) FROM "payout"').fetchone()
    started = time.perf_counter()
    record = RECORDS[ds.PAYOUTS.name]
    bulk = writer.BulkInsert(record.model, record.fields, conn=conn)
    added = bulk.add_many(payout_rows(columns, item_codes))
    return Staged(source, last + 1, last + added, time.perf_counter() - started)


class Stager:
    """Checks and stages payout partitions, in worker processes when it pays.

    Args:
        staging: where every accepted partition's records end up.
        rows, partitions: how many payout rows (as declared) and partitions the sync checks.
    """

    def __init__(self, staging: Staging, rows: int, partitions: int):
        self._staging = staging
        self._pool: ProcessPoolExecutor | None = None
        self.busy_s = 0.0  # checking and writing partitions, summed over the processes
        self.merge_s = 0.0  # moving the workers' records into the staging database
        workers = min(os.cpu_count() or 1, MAX_WORKERS, partitions)
        if rows >= MIN_ROWS_FOR_WORKERS and workers > 1:
            self._pool = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor | None:
        """A pool whose workers start now (while the caller reads the reference datasets)."""
        conn = self._staging.conn
        (schema,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'payout'").fetchone()
        try:
            spawn = multiprocessing.get_context("spawn")
            pool = ProcessPoolExecutor(workers, spawn, initializer=_set_schema, initargs=(schema,))
            for _ in range(workers):
                pool.submit(os.getpid)
        except (OSError, RuntimeError) as exc:  # no processes to be had: check here instead
            _log.warning("payout workers did not start (%s); checking in this process", exc)
            return None
        return pool

    def outcomes(self, jobs: list[Job], refs: References,
                 cancelled: Callable[[], bool]) -> Iterator[tuple[Job, Staged | None]]:  # fmt: skip
        """Each job with its outcome (see ``stage``; staged rows are in the staging
        database), in the order of ``jobs``.

        Raises:
            PartitionRefused: the first job (in order) whose file was refused.
            Cancelled: ``cancelled()`` turned true.
        """
        folder = self._staging.path.parent
        scratch = [folder / f"{SCRATCH_PREFIX}{n}.sqlite3" for n in range(len(jobs))]
        pool = self._pool
        futures = [pool.submit(_stage_in_worker, job, refs, scratch[n]) if pool else None
                   for n, job in enumerate(jobs)]  # fmt: skip
        for job, future in zip(jobs, futures, strict=True):
            _check(cancelled)
            done = self._collected(future, cancelled) if future else None
            if isinstance(done, _Refused):
                raise PartitionRefused(done.zh, done.en)
            if done is None:  # no worker, or it failed: check the partition here
                started = time.perf_counter()
                staged = stage(job, refs, self._staging.conn, self._staging.path)
                done = staged, time.perf_counter() - started
            staged, seconds = done
            self.busy_s += seconds
            if staged is not None and staged.source != self._staging.path:
                staged = self._merged(staged)
            yield job, staged

    def _merged(self, staged: Staged) -> Staged:
        """A worker's staged partition moved into the staging database."""
        started = time.perf_counter()
        first, last = self._staging.append(Payout, staged.source)
        self.merge_s += time.perf_counter() - started
        return Staged(self._staging.path, first, last, staged.write_s)

    @staticmethod
    def _collected(future: Future, cancelled: Callable[[], bool]) -> object:
        """A worker's result; None when the worker failed (logged), for the caller to redo."""
        while not wait([future], timeout=0.1).done:
            _check(cancelled)
        try:
            return future.result()
        except Exception as exc:  # a dead worker, a full disk, a bug: redone here, failing as it fails
            _log.warning("a payout worker failed (%s: %s); checking that partition here",
                         type(exc).__name__, exc)  # fmt: skip
            return None

    def close(self) -> None:
        """Stop the workers (a refused or cancelled sync does not wait for their work)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _check(cancelled: Callable[[], bool]) -> None:
    # Imported here: the workers need no python-tuf.
    from kiosk.sync.client import Cancelled

    if cancelled():
        raise Cancelled()


def scratch_files(folder: Path) -> list[Path]:
    """The scratch databases workers left in ``folder`` (a failed or crashed sync's)."""
    return sorted(folder.glob(f"{SCRATCH_PREFIX}*.sqlite3"))


# --- in the worker process ---------------------------------------------------------------

_schema = ""  # the staging database's CREATE TABLE of the payout table


def _set_schema(schema: str) -> None:
    """A worker's start. Collection back on: importing the main module (kiosk.cli) turned it
    off, for the kiosk's own start-up."""
    global _schema
    _schema = schema
    gc.enable()


def _stage_in_worker(job: Job, refs: References, scratch: Path) -> tuple[Staged | None, float] | _Refused:
    """``stage`` into a new scratch database at ``scratch`` (the payout table, without
    indexes), with the seconds it took. The file is complete when this returns, so the main
    process reads it while this worker writes the next one."""
    if config.env("KIOSK_FAULT_KILL_SYNC_WORKER"):  # the crash test: a worker dies mid-sync
        os._exit(1)
    started = time.perf_counter()
    scratch.unlink(missing_ok=True)
    conn = sqlite3.connect(scratch, isolation_level=None)
    try:
        # Scratch data: durability is pointless here (as in kiosk.store.staging).
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(_schema)
        conn.execute("BEGIN")
        staged = stage(job, refs, conn, scratch)
        conn.execute("COMMIT")
    except PartitionRefused as exc:
        return _Refused(exc.zh, exc.en)
    finally:
        conn.close()
    if staged is None:
        scratch.unlink()
    return staged, time.perf_counter() - started
