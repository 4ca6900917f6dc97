"""The county's cases database: its own SQLite file and its own peewee database object.

The schema is versioned by ``PRAGMA user_version`` and upgraded by the numbered SQL steps
in ``MIGRATIONS`` (forward only); the models below describe the latest version.
"""

import sqlite3
from pathlib import Path

import peewee as pw

from kiosk.errors import SchemaTooNewError
from kiosk.formats.request_terms import COUNTY_STATUSES

cases_db = pw.SqliteDatabase(None)

PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal", "busy_timeout": 10_000}

STATUS_RECEIVED = COUNTY_STATUSES[0]
STATUS_UNVERIFIED = "待核实终端"
TERMINAL_ENROLLED, TERMINAL_REVOKED, TERMINAL_UNVERIFIED = "enrolled", "revoked", "unverified"

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE terminal (
    fingerprint TEXT PRIMARY KEY, public_key TEXT, status TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '', town TEXT NOT NULL DEFAULT '', first_seen TEXT
);
CREATE TABLE "case" (
    id INTEGER PRIMARY KEY, ulid TEXT NOT NULL UNIQUE, receipt TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL, created TEXT NOT NULL, received_on DATE NOT NULL, due_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT '县里已收到', terminal_fingerprint TEXT NOT NULL,
    terminal_verified INTEGER NOT NULL,
    name TEXT, id_number TEXT, phone TEXT, wanted TEXT, delivery TEXT, purpose TEXT,
    address TEXT, email TEXT, refers_to TEXT, topic TEXT, text TEXT, preferred_time TEXT,
    answer TEXT, answered_on DATE
);
CREATE INDEX case_status_due ON "case" (status, due_on);
CREATE TABLE import_log (
    id INTEGER PRIMARY KEY, started TEXT NOT NULL, source TEXT NOT NULL, files INTEGER NOT NULL,
    imported INTEGER NOT NULL, duplicates INTEGER NOT NULL, unverified INTEGER NOT NULL,
    refused INTEGER NOT NULL, seconds REAL NOT NULL
);
""",
}
LATEST = max(MIGRATIONS)


class _Model(pw.Model):
    class Meta:
        database = cases_db


class Terminal(_Model):
    fingerprint = pw.TextField(primary_key=True)
    public_key = pw.TextField(null=True)
    status = pw.TextField()
    name = pw.TextField(default="")
    town = pw.TextField(default="")
    first_seen = pw.TextField(null=True)


class Case(_Model):
    ulid = pw.TextField(unique=True)
    receipt = pw.TextField(unique=True)
    kind = pw.TextField()
    created = pw.TextField()
    received_on = pw.DateField()
    due_on = pw.DateField()
    status = pw.TextField(default=STATUS_RECEIVED)
    terminal_fingerprint = pw.TextField()
    terminal_verified = pw.BooleanField()
    name = pw.TextField(null=True)
    id_number = pw.TextField(null=True)
    phone = pw.TextField(null=True)
    wanted = pw.TextField(null=True)
    delivery = pw.TextField(null=True)
    purpose = pw.TextField(null=True)
    address = pw.TextField(null=True)
    email = pw.TextField(null=True)
    refers_to = pw.TextField(null=True)  # JSON
    topic = pw.TextField(null=True)
    text = pw.TextField(null=True)
    preferred_time = pw.TextField(null=True)
    answer = pw.TextField(null=True)
    answered_on = pw.DateField(null=True)

    class Meta:
        table_name = "case"


class ImportLog(_Model):
    started = pw.TextField()
    source = pw.TextField()
    files = pw.IntegerField()
    imported = pw.IntegerField()
    duplicates = pw.IntegerField()
    unverified = pw.IntegerField()
    refused = pw.IntegerField()
    seconds = pw.FloatField()

    class Meta:
        table_name = "import_log"


FORM_COLUMNS = (
    "name", "id_number", "phone", "wanted", "delivery", "purpose", "address", "email", "refers_to",
    "topic", "text", "preferred_time",
)


def upgrade(conn: sqlite3.Connection) -> list[int]:
    """Apply the missing migration steps, each in its own transaction; returns those applied.

    Raises:
        SchemaTooNewError: the file comes from a newer program; it is left untouched.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise SchemaTooNewError(
            f"案件库由更新版本的程序创建（结构版本 {version}），请升级本程序",
            f"the cases database has schema version {version}, newer than {LATEST}; upgrade",
        )
    applied = []
    for step in range(version + 1, LATEST + 1):
        conn.executescript(f"BEGIN;\n{MIGRATIONS[step]}\nPRAGMA user_version = {step};\nCOMMIT;")
        applied.append(step)
    return applied


def open_cases(path: Path | str) -> None:
    """Open (creating and upgrading as needed) the cases database at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        upgrade(conn)
    finally:
        conn.close()
    close_cases()
    cases_db.init(str(path), pragmas=PRAGMAS)
    cases_db.connect()


def close_cases() -> None:
    if not cases_db.is_closed():
        cases_db.close()
