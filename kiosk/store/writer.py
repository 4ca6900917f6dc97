"""Bulk writes for imports and syncs: plain ``executemany`` in batches, inside the caller's
transaction (peewee's per-row model machinery costs ~10x at county scale)."""

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence

from peewee import Model

from kiosk.store.models import AuditLog, FeedState, Withdrawal, database


class BulkInsert:
    """Buffered inserts into one model's table.

    Args:
        model: the peewee model whose table receives rows.
        fields: model field names, in the order of the tuples passed to ``add``.
        conn: where to write (default: the live database).
    """

    def __init__(self, model: type[Model], fields: Sequence[str], batch: int = 10_000,
                 conn: sqlite3.Connection | None = None):
        columns = [model._meta.fields[f].column_name for f in fields]
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        self._sql = f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})'
        self._batch = batch
        self._pending: list[tuple] = []
        self._conn = conn
        self.count = 0

    def add(self, values: tuple) -> None:
        self._pending.append(values)
        if len(self._pending) >= self._batch:
            self.flush()

    def add_many(self, rows: Iterable[Sequence]) -> int:
        """Many rows in one ``executemany`` (a generator is fine: each row is built as it
        is written, not held). Returns how many were added."""
        self.flush()
        added = (self._conn or _connection()).executemany(self._sql, rows).rowcount
        self.count += added
        return added

    def flush(self) -> None:
        if self._pending:
            (self._conn or _connection()).executemany(self._sql, self._pending)
            self.count += len(self._pending)
            self._pending.clear()


def record_feed_state(source: str, version: int, data_as_of: dt.datetime, message: str,
                      inbox_key: str | None = None, inbox_key_expires: dt.date | None = None) -> None:
    """``inbox_key`` is the county's inbox public key the feed carries, if any, and
    ``inbox_key_expires`` the last day requests may be sealed to it."""
    now = dt.datetime.now().replace(microsecond=0)
    FeedState.replace(
        source=source, version=version, data_as_of=data_as_of, applied_at=now,
        last_attempt_at=now, last_result="ok", last_message=message, inbox_key=inbox_key,
        inbox_key_expires=inbox_key_expires,
    ).execute()  # fmt: skip


def replace_withdrawals(withdrawals: Sequence[tuple[int, str, str, str]], feed_version: int) -> None:
    """The feed's withdrawn town-years (year, town code, reason, withdrawn at) replace the
    ones held; call inside the sync's transaction."""
    Withdrawal.delete().execute()
    for year, town_code, reason, withdrawn_at in withdrawals:
        Withdrawal.create(year=year, town_code=town_code, reason=reason,
                          withdrawn_at=withdrawn_at, feed_version=feed_version)  # fmt: skip


def audit(kind: str, actor: str, summary: str, digest: str = "") -> None:
    AuditLog.create(
        at=dt.datetime.now().replace(microsecond=0), kind=kind, actor=actor,
        summary=summary, digest=digest,
    )  # fmt: skip


def _connection() -> sqlite3.Connection:
    return database.connection()
