"""Staging for syncs: validated rows go to a scratch database first, then replace their
partitions of the live database in ONE transaction.

Keeping the rows in a file rather than in memory bounds memory at county scale, and the
swap is a set of ``DELETE`` + ``INSERT … SELECT`` statements that SQLite runs at full speed
while the UI keeps reading the old data (WAL) until the commit.

A first sync (no payout rows yet) stages the payouts with their indexes, built in one sort
each once every partition is in, and the swap then copies the table whole: SQLite copies
its records and index entries in order, building nothing anew (its "transfer
optimization"); inserting row by row into the live indexes took twice as long. That is
why foreign keys are checked once at the end of the swap rather than row by row: SQLite
copies a table whole only when they are not enforced.
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
    rows are found again by the rowid range they were given (``last_rowid``).

    Args:
        indexed: tables whose indexes are built by ``finish``, once all rows are in (rows
            bound for an empty live table, which the swap then copies whole).
    """

    def __init__(self, path: Path, indexed: tuple[type[Model], ...] = ()):
        self.path = path
        for leftover in (path, path.with_name(path.name + "-journal")):
            leftover.unlink(missing_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None)
        migrations.upgrade(self.conn)
        kept = {model._meta.table_name for model in indexed}
        indexes = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        self._later: list[str] = []  # built once all rows are in: sorting beats inserting
        for name, table, sql in self.conn.execute(indexes).fetchall():
            self.conn.execute(f'DROP INDEX "{name}"')
            if table in kept:
                self._later.append(sql)
        # Scratch data: durability is pointless here and costs half the time. (A bigger
        # page cache makes the index builds slower, not faster: they sort in runs.)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("BEGIN")

    def last_rowid(self, model: type[Model]) -> int:
        """The highest rowid staged so far in ``model``'s table (0 for none)."""
        table = model._meta.table_name
        return self.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]

    def append(self, model: type[Model], other: Path) -> tuple[int, int]:
        """Move the rows of ``model``'s table in the scratch database ``other`` (a sync
        worker's, with the same table) to the end of this one's, and remove ``other``.

        Returns:
            the first and last rowid the rows got here.
        """
        table, columns = model._meta.table_name, _columns(model)
        first = self.last_rowid(model) + 1
        self.conn.execute("ATTACH DATABASE ? AS part", (str(other),))
        added = self.conn.execute(
            f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM part."{table}"').rowcount
        # Committing lets go of the attached file (with no journal, nothing is made durable).
        self.conn.execute("COMMIT")
        self.conn.execute("DETACH DATABASE part")
        self.conn.execute("BEGIN")
        other.unlink()
        return first, first + added - 1

    def finish(self) -> None:
        for sql in self._later:
            self.conn.execute(sql)
        self.conn.execute("COMMIT")
        self.conn.close()

    def discard(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()
        self.path.unlink(missing_ok=True)


def _columns(model: type[Model]) -> str:
    """The columns a swap copies: all but a payout's id (the live table numbers its rows)."""
    return ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields
                     if not (f.primary_key and model is Payout))  # fmt: skip


def swap_in(staging: Path, scopes: list[Scope], after: Callable[[], None]) -> int:
    """Replace every scope of the live database with the staged rows of that scope.

    Runs in one IMMEDIATE transaction with foreign keys checked once at its end, so
    partitions may be swapped in any order; ``after`` runs inside the same transaction
    (bookkeeping). A failure anywhere, a row naming a village or item that is not there
    among them, rolls everything back.

    Returns:
        the number of rows inserted.

    Raises:
        sqlite3.IntegrityError: a row names a row of another table that is not there.
    """
    conn = database.connection()
    conn.execute("ATTACH DATABASE ? AS staged", (str(staging),))
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")  # outside the transaction: inside it is ignored
    try:
        with database.atomic(lock_type="IMMEDIATE"):
            whole = _whole_payouts(conn, scopes)
            inserted = 0
            for scope in scopes:
                table = scope.model._meta.table_name
                where = f" WHERE {scope.where}" if scope.where else ""
                conn.execute(f'DELETE FROM main."{table}"{where}', scope.params)
                if whole and scope.model is Payout:
                    continue
                source, params = (" WHERE rowid BETWEEN ? AND ?", scope.staged) if scope.staged else (
                    where, scope.params)  # fmt: skip
                columns = _columns(scope.model)
                cursor = conn.execute(
                    f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM staged."{table}"{source}',
                    params,
                )
                inserted += cursor.rowcount
            if whole:
                inserted += conn.execute('INSERT INTO main."payout" SELECT * FROM staged."payout"').rowcount
            after()
            broken = conn.execute("PRAGMA foreign_key_check").fetchone()
            if broken:
                raise sqlite3.IntegrityError(f"FOREIGN KEY constraint failed ({broken[0]} row {broken[1]}"
                                             f" names no {broken[2]})")  # fmt: skip
        return inserted
    finally:
        conn.execute(f"PRAGMA foreign_keys = {enforced}")
        conn.execute("DETACH DATABASE staged")


def _whole_payouts(conn: sqlite3.Connection, scopes: list[Scope]) -> bool:
    """Whether this is a first sync whose staged payout table may be copied whole into the
    empty live one: in one statement that SQLite runs as a copy of records and index entries
    (the same columns and indexes on both sides, foreign keys not enforced; else it inserts
    row by row, slower but the same).

    The rows keep their staged rowids, which are the ones a copy scope by scope would give:
    the staged rows are exactly the payout scopes' (a fresh staging holds nothing else) and
    were staged in the order of the scopes, from rowid 1.
    """
    ranges = [scope.staged for scope in scopes if scope.model is Payout and scope.staged]
    if not ranges or conn.execute('SELECT 1 FROM main."payout" LIMIT 1').fetchone():
        return False
    end = 0  # the ranges must follow each other from rowid 1 and hold every staged row
    for first, last in ranges:
        if first != end + 1:
            return False
        end = last
    return conn.execute('SELECT count(*), max(rowid) FROM staged."payout"').fetchone() == (end, end)
