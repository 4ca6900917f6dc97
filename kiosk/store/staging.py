"""Staging for syncs: validated rows go to a scratch database first, then replace their
partitions of the live database in ONE transaction.

Keeping the rows in a file rather than in memory bounds memory at county scale, and the
swap is a set of ``DELETE`` + ``INSERT … SELECT`` statements that SQLite runs at full speed
while the UI keeps reading the old data (WAL) until the commit.
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import Model

from kiosk.store import migrations
from kiosk.store.models import Payout, database


@dataclass(frozen=True)
class Scope:
    """The rows of one table that a partition owns: all of them, or a WHERE clause."""

    model: type[Model]
    where: str = ""
    params: tuple = ()
    staged: tuple[int, int] | None = None  # the rowids its rows got in the staging table

    def with_staged(self, first: int, last: int) -> "Scope":
        return Scope(self.model, self.where, self.params, (first, last))

    @classmethod
    def payouts(cls, year: int, town_code: str) -> "Scope":
        # Village codes start with their town's code: a range on the (village, year, item)
        # index finds the town's rows without a join.
        return cls(Payout, "year = ? AND village_id BETWEEN ? AND ?",
                   (year, f"{town_code}000", f"{town_code}999"))  # fmt: skip


class Staging:
    """A fresh scratch database with the store's tables, without their indexes (no
    constraints enforced): rows go in at the speed of a bare table, and each partition's
    rows are found again by the rowid range they were given (``last_rowid``)."""

    def __init__(self, path: Path):
        self.path = path
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None)
        migrations.upgrade(self.conn)
        for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall():
            self.conn.execute(f'DROP INDEX "{name}"')
        # Scratch data: durability is pointless here and costs half the time.
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("BEGIN")

    def last_rowid(self, model: type[Model]) -> int:
        """The highest rowid staged so far in ``model``'s table (0 for none)."""
        table = model._meta.table_name
        return self.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()

    def discard(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()
        self.path.unlink(missing_ok=True)


def swap_in(staging: Path, scopes: list[Scope], after: Callable[[], None]) -> int:
    """Replace every scope of the live database with the staged rows of that scope.

    Runs in one IMMEDIATE transaction with foreign keys checked at commit, so partitions
    may be swapped in any order; ``after`` runs inside the same transaction (bookkeeping).
    A failure anywhere rolls everything back.

    Returns:
        the number of rows inserted.
    """
    conn = database.connection()
    conn.execute("ATTACH DATABASE ? AS staged", (str(staging),))
    try:
        inserted = 0
        with database.atomic(lock_type="IMMEDIATE"):
            conn.execute("PRAGMA defer_foreign_keys = ON")
            for scope in scopes:
                table = scope.model._meta.table_name
                columns = ", ".join(
                    f'"{f.column_name}"' for f in scope.model._meta.sorted_fields
                    if not (f.primary_key and scope.model is Payout)
                )  # fmt: skip
                where = f" WHERE {scope.where}" if scope.where else ""
                conn.execute(f'DELETE FROM main."{table}"{where}', scope.params)
                source, params = (" WHERE rowid BETWEEN ? AND ?", scope.staged) if scope.staged else (
                    where, scope.params)  # fmt: skip
                cursor = conn.execute(
                    f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM staged."{table}"{source}',
                    params,
                )
                inserted += cursor.rowcount
            after()
        return inserted
    finally:
        conn.execute("DETACH DATABASE staged")
