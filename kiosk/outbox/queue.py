"""The terminal's outbox: a folder of sealed envelope files (ciphertext only) and their state.

Envelopes are ``<id>.env`` files written atomically, so a power cut leaves either no file
or a whole one; half-written ``.tmp`` files are never read and are swept once stale.
The state (sent, acknowledged, retry back-off) lives beside them in ``outbox.sqlite3``:
SQLite gives atomic, durable updates of single rows (a JSON file would be rewritten whole
on every change) and keeps the small record of every acknowledged envelope, so a terminal
can prove that nothing it sealed was lost. The files are the truth about what waits: a file
without a state row (power cut between the two writes) is adopted when the outbox opens.
Nothing is deleted until the county acknowledges it, and it acknowledges an envelope by its
digest (kiosk.formats.envelope.digest): a forgery filed under the same id acknowledges nothing.
"""

import datetime as dt
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KnownError
from kiosk.files import TMP_SUFFIX, fsync_dir, write_atomic
from kiosk.formats import envelope

STATE_FILE = "outbox.sqlite3"
SUFFIX = ".env"
DAMAGED_SUFFIX = ".damaged"
BACKOFF_FIRST_S = 60.0
BACKOFF_CAP_S = 6 * 3600.0  # a terminal offline for days still tries a few times a day
# Sent but not confirmed by the county for this long: upload it again (the store may have
# lost it, or the county never fetched it). The county skips what it already has.
RESEND_AFTER_S = 7 * 86400.0
STALE_TMP_S = 600.0  # older .tmp files belong to a dead writer, not one still writing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS envelope (
    id TEXT PRIMARY KEY, receipt TEXT NOT NULL, kind TEXT NOT NULL, created TEXT NOT NULL,
    added_at REAL NOT NULL, sent_at REAL, acked_at REAL, damaged_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0, last_error TEXT,
    digest TEXT
)
"""


@dataclass(frozen=True)
class OutboxStatus:
    waiting: int  # sealed, not yet delivered
    sent: int  # delivered, not yet acknowledged by the county
    acknowledged: int  # the county has it; ciphertext dropped
    missing: int  # a record without its file: must stay 0
    damaged: int  # a file that failed its integrity check, set aside

    @property
    def total(self) -> int:
        return self.waiting + self.sent + self.acknowledged + self.missing + self.damaged


@dataclass(frozen=True)
class Record:
    id: str
    receipt: str
    kind: str
    created: str
    sent_at: float | None
    acked_at: float | None
    attempts: int
    next_attempt_at: float
    digest: str | None


def _ts(now: dt.datetime | None) -> float:
    return time.time() if now is None else now.timestamp()


class Outbox:
    """The outbox in ``folder`` (created if needed, mode 0700)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The page seals on the UI thread while a worker pushes: one connection, one lock.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.folder / STATE_FILE, isolation_level=None, timeout=10, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode = wal")
        self._db.execute("PRAGMA synchronous = full")  # an acknowledgement must outlive the unlink
        self._db.execute(_SCHEMA)
        self._add_digests()
        self._recover()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def path_of(self, envelope_id: str) -> Path:
        return self.folder / f"{envelope_id}{SUFFIX}"

    def _add_digests(self) -> None:
        """An outbox from before digests: add the column, and each waiting envelope's digest."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(envelope)")}
        if "digest" not in columns:
            self._db.execute("ALTER TABLE envelope ADD COLUMN digest TEXT")
        missing = self._db.execute("SELECT id FROM envelope WHERE digest IS NULL AND acked_at IS NULL")
        for (envelope_id,) in missing.fetchall():
            try:
                data = self.path_of(envelope_id).read_bytes()
            except OSError:
                continue  # counted as missing by status()
            self._db.execute("UPDATE envelope SET digest = ? WHERE id = ?",
                             (envelope.digest(data), envelope_id))  # fmt: skip

    def _recover(self) -> None:
        """Sweep dead temporaries, adopt files without rows, drop files already acknowledged."""
        now = time.time()
        for tmp in self.folder.glob(f".*{TMP_SUFFIX}"):
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                tmp.unlink(missing_ok=True)
        acked = {row[0] for row in self._db.execute("SELECT id FROM envelope WHERE acked_at IS NOT NULL")}
        known = {row[0] for row in self._db.execute("SELECT id FROM envelope")}
        for path in self.folder.glob(f"*{SUFFIX}"):
            stem = path.name[: -len(SUFFIX)]
            if stem in acked:
                path.unlink()
            elif stem not in known:
                self._adopt(path, now)

    def _adopt(self, path: Path, now: float) -> None:
        try:
            header = envelope.read_header(path.read_bytes())
        except envelope.EnvelopeError:
            path.rename(path.with_name(path.name + DAMAGED_SUFFIX))
            return
        if path.name != f"{header.id}{SUFFIX}":
            path.rename(path.with_name(path.name + DAMAGED_SUFFIX))
            return
        self._insert(header, envelope.digest(path.read_bytes()), now)

    def _insert(self, header: envelope.Header, digest: str, now: float) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO envelope (id, receipt, kind, created, added_at, digest) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (header.id, header.receipt, header.kind, header.created, now, digest),
        )

    def add(self, data: bytes) -> str:
        """Queue a sealed envelope; returns its id. Adding the same envelope again is a no-op.

        Raises:
            envelope.EnvelopeError: ``data`` is not a valid signed envelope.
        """
        header = envelope.read_header(data)
        with self._lock:
            if self._db.execute("SELECT 1 FROM envelope WHERE id = ?", (header.id,)).fetchone():
                return header.id
            write_atomic(self.path_of(header.id), bytes(data), 0o600)
            self._insert(header, envelope.digest(bytes(data)), time.time())
        return header.id

    def pending(self) -> list[str]:
        """Ids not yet delivered, oldest first."""
        rows = self._db.execute(
            "SELECT id FROM envelope WHERE sent_at IS NULL AND acked_at IS NULL AND damaged_at IS NULL "
            "ORDER BY id"
        )
        return [row[0] for row in rows if self.path_of(row[0]).exists()]

    def unacknowledged(self) -> list[str]:
        """Ids the county has not confirmed yet, sent or not, oldest first (what a USB
        export carries: a stick that was lost must not lose its requests)."""
        rows = self._db.execute(
            "SELECT id FROM envelope WHERE acked_at IS NULL AND damaged_at IS NULL ORDER BY id"
        )
        return [row[0] for row in rows if self.path_of(row[0]).exists()]

    def due(self, now: dt.datetime | None = None) -> list[str]:
        """Ids to upload now: pending ones whose back-off has passed, and sent ones the county
        has not confirmed within ``RESEND_AFTER_S``."""
        rows = self._db.execute(
            "SELECT id FROM envelope WHERE acked_at IS NULL AND damaged_at IS NULL "
            "AND next_attempt_at <= ? AND (sent_at IS NULL OR sent_at <= ?) ORDER BY id",
            (_ts(now), _ts(now) - RESEND_AFTER_S),
        )
        return [row[0] for row in rows if self.path_of(row[0]).exists()]

    def read(self, envelope_id: str) -> bytes:
        """The envelope's bytes after checking them again (a disk can rot).

        Raises:
            envelope.EnvelopeError: the file is damaged; it is set aside and never sent.
        """
        path = self.path_of(envelope_id)
        data = path.read_bytes()
        try:
            header = envelope.read_header(data)
            if header.id != envelope_id:
                raise envelope.EnvelopeMalformed("file name and id differ")
        except envelope.EnvelopeError:
            path.rename(path.with_name(path.name + DAMAGED_SUFFIX))
            self._db.execute("UPDATE envelope SET damaged_at = ? WHERE id = ?", (time.time(), envelope_id))
            raise
        return data

    def mark_sent(self, envelope_id: str, now: dt.datetime | None = None) -> None:
        self._db.execute(
            "UPDATE envelope SET sent_at = ?, last_error = NULL WHERE id = ?",
            (_ts(now), envelope_id),
        )

    def mark_failed(self, envelope_id: str, error: str, now: dt.datetime | None = None) -> float:
        """Record a failed attempt; returns the time (epoch s) of the next one (doubling, capped)."""
        with self._lock:
            row = self._db.execute("SELECT attempts FROM envelope WHERE id = ?", (envelope_id,)).fetchone()
            if row is None:
                raise KnownError(f"发件箱中没有 {envelope_id}", f"{envelope_id} is not in the outbox")
            attempts = row[0] + 1
            next_at = _ts(now) + min(BACKOFF_FIRST_S * 2 ** (attempts - 1), BACKOFF_CAP_S)
            self._db.execute(
                "UPDATE envelope SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (attempts, next_at, error[:500], envelope_id),
            )
        return next_at

    def acknowledge(self, digests: list[str] | set[str], now: dt.datetime | None = None) -> int:
        """The county holds the envelopes with these digests: drop their ciphertext, keep
        their small record. Only the exact bytes count: an envelope whose id the county
        filed with other bytes (a forgery under a copied id) stays, and is sent again.

        Returns:
            how many envelopes of this outbox were newly acknowledged (unknown ones ignored).
        """
        wanted = set(digests)
        rows = self._db.execute("SELECT id, digest FROM envelope WHERE acked_at IS NULL").fetchall()
        newly = [row[0] for row in rows if row[1] in wanted]
        if not newly:
            return 0
        stamp = _ts(now)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE envelope SET acked_at = ? WHERE id = ?", [(stamp, i) for i in newly]
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        for envelope_id in newly:  # after the commit: a crash here is finished by _recover
            self.path_of(envelope_id).unlink(missing_ok=True)
        fsync_dir(self.folder)
        return len(newly)

    def records(self) -> list[Record]:
        rows = self._db.execute(
            "SELECT id, receipt, kind, created, sent_at, acked_at, attempts, next_attempt_at, digest "
            "FROM envelope ORDER BY id"
        )
        return [Record(*row) for row in rows]

    def status(self) -> OutboxStatus:
        waiting = sent = acked = missing = damaged = 0
        for row in self._db.execute("SELECT id, sent_at, acked_at, damaged_at FROM envelope"):
            envelope_id, sent_at, acked_at, damaged_at = row
            if acked_at is not None:
                acked += 1
            elif damaged_at is not None:
                damaged += 1
            elif not self.path_of(envelope_id).exists():
                missing += 1
            elif sent_at is not None:
                sent += 1
            else:
                waiting += 1
        return OutboxStatus(waiting, sent, acked, missing, damaged)
