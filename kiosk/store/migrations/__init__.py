"""Numbered schema migrations: ``NNNN_name.sql`` files plus optional Python data steps.

The schema version lives in ``PRAGMA user_version``. Files are frozen once released:
a change to the schema is a new numbered file, never an edit.
"""

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
_FOLDER = Path(__file__).parent  # the .sql files sit beside this module, in a bundle too


class Migration(NamedTuple):
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        # Read only when applied: an up-to-date terminal starts without reading them.
        return self.path.read_text(encoding="utf-8")


def _load() -> list[Migration]:
    found = []
    for path in _FOLDER.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match[1]), match[2], path))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps: {found}")
    return found


MIGRATIONS = _load()
LATEST = MIGRATIONS[-1].version

# Data steps that follow a schema step, keyed by version; registered by kiosk.store.db.
DataStep = Callable[[sqlite3.Connection], None]
DATA_STEPS: dict[int, DataStep] = {}


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def upgrade(conn: sqlite3.Connection, target: int = LATEST) -> list[int]:
    """Apply every migration above the database's version up to ``target``.

    All steps run in one transaction: a failure leaves the database at its old version.

    Returns:
        the versions applied, in order.
    """
    start = current_version(conn)
    pending = [m for m in MIGRATIONS if start < m.version <= target]
    if not pending:
        return []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for migration in pending:
            for statement in _statements(migration.sql):
                conn.execute(statement)
            step = DATA_STEPS.get(migration.version)
            if step is not None:
                step(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
        conn.execute("COMMIT")
    except BaseException:
        # A COMMIT that failed (disk full) may already have ended the transaction; a
        # ROLLBACK then would raise and hide the real cause.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return [m.version for m in pending]


def _statements(script: str) -> list[str]:
    """Split a migration file into statements (no semicolons inside our literals)."""
    body = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]
