"""The county's cases database: its own SQLite file and its own peewee database object.

The schema is versioned by ``PRAGMA user_version`` and upgraded by the numbered SQL steps
in ``MIGRATIONS`` (forward only, each with an optional Python step in ``FILL``); the models
below describe the latest version.

A case is filed by its envelope's digest (the exact bytes): the same bytes again are a
duplicate, the same id with other bytes a conflict held in ``held`` for the clerk, as is
everything from a terminal the county has not enrolled. Nothing held has a deadline, is in
the clerk's workbook or is published until the clerk accepts it.

A villager's comment on a draft (意见征集) is not a case: it has no deadline and no answer of
its own. It is filed in ``comment`` under the same digest, id and receipt rules (a receipt is
unique across cases and comments), and the department's verdict on each article is one
``adoption`` row (kiosk.county.inbox.comments).

Each terminal's signed status reports are filed in ``status_report``, their faults merged
into ``terminal_fault`` and their usage counts into ``terminal_usage`` (kiosk.county.inbox.fleet).

What the 政府信息公开工作年度报告 counts is kept on each disclosure case (who applied, how
and when it was closed) and in ``review`` (its 行政复议 and 行政诉讼), in the national
table's own terms (kiosk.county.inbox.report_terms, kiosk.county.inbox.annual_report).
"""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import peewee as pw

from kiosk.county.inbox.report_terms import NATURAL_PERSON
from kiosk.errors import SchemaTooNewError
from kiosk.formats import replies
from kiosk.formats.request_terms import COUNTY_STATUSES

cases_db = pw.SqliteDatabase(None)

PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": "normal", "busy_timeout": 10_000}

STATUS_RECEIVED = COUNTY_STATUSES[0]
STATUS_UNVERIFIED = "待核实终端"  # cases filed before quarantine existed; none are made now
TERMINAL_ENROLLED, TERMINAL_REVOKED, TERMINAL_UNVERIFIED = "enrolled", "revoked", "unverified"
HELD_UNKNOWN_TERMINAL, HELD_CONFLICT = "unknown_terminal", "conflict"
DECIDED_ACCEPTED, DECIDED_REJECTED = "accepted", "rejected"

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
    2: """
ALTER TABLE "case" ADD COLUMN digest TEXT;
ALTER TABLE "case" ADD COLUMN lookup TEXT;
ALTER TABLE "case" ADD COLUMN reply_key BLOB;
ALTER TABLE "case" ADD COLUMN private_answer INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX case_digest ON "case" (digest);
ALTER TABLE terminal ADD COLUMN revoked_on DATE;
ALTER TABLE import_log ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE TABLE held (
    id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, ulid TEXT NOT NULL, kind TEXT NOT NULL,
    created TEXT NOT NULL, terminal_fingerprint TEXT NOT NULL, reason TEXT NOT NULL,
    arrived TEXT NOT NULL, data BLOB NOT NULL, decided TEXT, decided_at TEXT
);
CREATE INDEX held_terminal ON held (terminal_fingerprint);
""",
    3: """
CREATE TABLE comment (
    id INTEGER PRIMARY KEY, ulid TEXT NOT NULL UNIQUE, receipt TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL UNIQUE, lookup TEXT NOT NULL, created TEXT NOT NULL, received_on DATE NOT NULL,
    terminal_fingerprint TEXT NOT NULL, draft_code TEXT NOT NULL, version INTEGER NOT NULL,
    article INTEGER NOT NULL, clause INTEGER, stance TEXT NOT NULL, text TEXT, name TEXT, phone TEXT
);
CREATE INDEX comment_article ON comment (draft_code, version, article, clause);
CREATE TABLE adoption (
    id INTEGER PRIMARY KEY, draft_code TEXT NOT NULL, version INTEGER NOT NULL, article INTEGER NOT NULL,
    clause INTEGER, outcome TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', published_on DATE NOT NULL
);
-- SQLite's UNIQUE treats NULLs as distinct: "no clause" is keyed as clause 0.
CREATE UNIQUE INDEX adoption_article ON adoption (draft_code, version, article, ifnull(clause, 0));
""",
    4: """
ALTER TABLE "case" ADD COLUMN applicant_type TEXT NOT NULL DEFAULT '自然人';
ALTER TABLE "case" ADD COLUMN outcome TEXT;
ALTER TABLE "case" ADD COLUMN closed_on DATE;
CREATE TABLE review (
    id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES "case"(id), kind TEXT NOT NULL,
    result TEXT NOT NULL, filed_on DATE NOT NULL, decided_on DATE
);
CREATE INDEX review_case ON review (case_id);
""",
    5: """
CREATE TABLE status_report (
    id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, ulid TEXT NOT NULL UNIQUE,
    terminal_fingerprint TEXT NOT NULL, signed TEXT NOT NULL, received TEXT NOT NULL,
    via TEXT NOT NULL, body TEXT NOT NULL, late INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX status_report_terminal ON status_report (terminal_fingerprint, signed);
CREATE TABLE terminal_fault (
    id INTEGER PRIMARY KEY, terminal_fingerprint TEXT NOT NULL, code TEXT NOT NULL, since TEXT NOT NULL,
    cleared TEXT, detail TEXT NOT NULL, reported TEXT NOT NULL
);
CREATE UNIQUE INDEX terminal_fault_key ON terminal_fault (terminal_fingerprint, code, since);
CREATE TABLE terminal_usage (
    terminal_fingerprint TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,
    signed TEXT NOT NULL, PRIMARY KEY (terminal_fingerprint, month, kind)
);
""",
}
LATEST = max(MIGRATIONS)


def _fill_lookups(conn: sqlite3.Connection) -> None:
    rows = conn.execute('SELECT id, receipt FROM "case" WHERE lookup IS NULL').fetchall()
    conn.executemany('UPDATE "case" SET lookup = ? WHERE id = ?',
                     [(replies.lookup(receipt), row_id) for row_id, receipt in rows])  # fmt: skip


FILL: dict[int, Callable[[sqlite3.Connection], None]] = {2: _fill_lookups}


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
    revoked_on = pw.DateField(null=True)  # envelopes sealed before this day still count


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
    digest = pw.TextField(null=True, unique=True)  # envelope.digest of the filed bytes
    lookup = pw.TextField(null=True)  # replies.lookup(receipt): how the feed names it
    reply_key = pw.BlobField(null=True)  # the villager's key to the answer (None: v1 envelope)
    private_answer = pw.BooleanField(default=False)  # the clerk marked it 仅申请人可见
    # What the 年度报告 counts (report_terms): the clerk sets them in the workbook.
    applicant_type = pw.TextField(default=NATURAL_PERSON)  # APPLICANT_TYPES
    outcome = pw.TextField(null=True)  # OUTCOME_CHOICES; None until the request is closed
    closed_on = pw.DateField(null=True)  # 办结日期

    class Meta:
        table_name = "case"


class Review(_Model):
    """A 行政复议 or 行政诉讼 over a 政府信息公开申请, for table 四 of the 年度报告."""

    case = pw.ForeignKeyField(Case, column_name="case_id", backref="reviews")
    kind = pw.TextField()  # report_terms.REVIEW_KINDS
    result = pw.TextField()  # report_terms.REVIEW_RESULTS
    filed_on = pw.DateField()  # 申请/起诉日期
    decided_on = pw.DateField(null=True)  # 审结日期; None while it runs

    class Meta:
        table_name = "review"


class Held(_Model):
    """An envelope the county holds without filing it: from a terminal it has not enrolled,
    or under an id already filed with other bytes. Ciphertext only, until the clerk decides."""

    digest = pw.TextField(unique=True)
    ulid = pw.TextField()
    kind = pw.TextField()
    created = pw.TextField()
    terminal_fingerprint = pw.TextField(index=True)
    reason = pw.TextField()  # unknown_terminal / conflict
    arrived = pw.TextField()
    data = pw.BlobField()
    decided = pw.TextField(null=True)  # accepted / rejected
    decided_at = pw.TextField(null=True)

    class Meta:
        table_name = "held"


class ImportLog(_Model):
    started = pw.TextField()
    source = pw.TextField()
    files = pw.IntegerField()
    imported = pw.IntegerField()
    duplicates = pw.IntegerField()
    unverified = pw.IntegerField()
    refused = pw.IntegerField()
    seconds = pw.FloatField()
    held = pw.IntegerField(default=0)

    class Meta:
        table_name = "import_log"


class Comment(_Model):
    """A villager's comment on one article (0: the draft as a whole) of one draft version."""

    ulid = pw.TextField(unique=True)
    receipt = pw.TextField(unique=True)
    digest = pw.TextField(unique=True)  # envelope.digest of the filed bytes
    lookup = pw.TextField()  # replies.lookup(receipt): how the feed names it
    created = pw.TextField()
    received_on = pw.DateField()
    terminal_fingerprint = pw.TextField()
    draft_code = pw.TextField()
    version = pw.IntegerField()
    article = pw.IntegerField()
    clause = pw.IntegerField(null=True)
    stance = pw.TextField()
    text = pw.TextField(null=True)
    name = pw.TextField(null=True)
    phone = pw.TextField(null=True)

    class Meta:
        table_name = "comment"


class Adoption(_Model):
    """The department's verdict on the comments on one article, as published. Unique on
    (draft_code, version, article, clause), a missing clause counting as 0 (see MIGRATIONS)."""

    draft_code = pw.TextField()
    version = pw.IntegerField()
    article = pw.IntegerField()
    clause = pw.IntegerField(null=True)
    outcome = pw.TextField()  # consultation.OUTCOMES
    reason = pw.TextField(default="")
    published_on = pw.DateField()  # first published, or last changed

    class Meta:
        table_name = "adoption"


class StatusReport(_Model):
    """A terminal's signed status report (kiosk.formats.status_report), as filed. ``signed``
    is the time inside it (the terminal's clock), ``received`` the county's at import;
    ``late``: signed before a report already filed from the same terminal (it changes no
    state, its faults and counts still merge)."""

    digest = pw.TextField(unique=True)
    ulid = pw.TextField(unique=True)
    terminal_fingerprint = pw.TextField()
    signed = pw.TextField()
    received = pw.TextField()
    via = pw.TextField()  # status_report.VIA
    body = pw.TextField()  # the report's JSON
    late = pw.BooleanField(default=False)

    class Meta:
        table_name = "status_report"


class TerminalFault(_Model):
    """One fault of one terminal, merged from every report that names it."""

    terminal_fingerprint = pw.TextField()
    code = pw.TextField()  # status_report.FAULTS
    since = pw.TextField()
    cleared = pw.TextField(null=True)
    detail = pw.TextField()
    reported = pw.TextField()  # signed time of the newest report that named it

    class Meta:
        table_name = "terminal_fault"


class TerminalUsage(_Model):
    """A terminal's count of one kind of use in one month, from its newest report."""

    terminal_fingerprint = pw.TextField()
    month = pw.TextField()
    kind = pw.TextField()  # status_report.USAGE_KINDS
    count = pw.IntegerField()
    signed = pw.TextField()

    class Meta:
        table_name = "terminal_usage"
        primary_key = pw.CompositeKey("terminal_fingerprint", "month", "kind")


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
        conn.executescript(f"BEGIN;\n{MIGRATIONS[step]}")
        try:
            if step in FILL:
                FILL[step](conn)
            conn.execute(f"PRAGMA user_version = {step}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
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
