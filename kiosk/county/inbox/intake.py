"""County side: verify, open and file the envelopes found in a folder (a USB stick's ``inbox/``
or the folder the WebDAV/S3 store syncs to). Only a local folder is read; fetching a URL's
directory listing is left to whatever mirrors the store.

Import is idempotent by envelope id: importing the same folder twice adds nothing, so
delivery can be at-least-once. A file whose id is already filed is skipped before any
checking (nothing is taken from it), which makes a re-import ~10x faster. Each file is
judged alone; a refused file is reported and the rest are imported. Rows are committed
in batches of 1,000, each in one transaction.
"""

import datetime as dt
import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.county.inbox import keys as county_keys
from kiosk.county.inbox.cases import (
    FORM_COLUMNS,
    STATUS_RECEIVED,
    STATUS_UNVERIFIED,
    TERMINAL_ENROLLED,
    TERMINAL_REVOKED,
    TERMINAL_UNVERIFIED,
    Case,
    ImportLog,
    Terminal,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.terminals import TerminalRow, load_terminals_csv
from kiosk.errors import KnownError
from kiosk.formats import envelope, workdays

BATCH = 1000
_CASE_COLUMNS = (
    "ulid", "receipt", "kind", "created", "received_on", "due_on", "status", "terminal_fingerprint",
    "terminal_verified", *FORM_COLUMNS,
)
# Plain executemany on the cases database's own connection: peewee's insert_many builds one
# dict per row and costs as much as opening the envelope.
_INSERT_CASE = (
    f'INSERT INTO "case" ({", ".join(_CASE_COLUMNS)}) VALUES ({", ".join("?" * len(_CASE_COLUMNS))})'
)
CHINA = dt.timezone(dt.timedelta(hours=8))  # the county's working days are local dates


@dataclass(frozen=True)
class WorkCalendar:
    """The county's holidays and 调休 workdays (Mon–Fri otherwise), for statutory due dates."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


def county_input(folder: Path) -> tuple[WorkCalendar, Path | None]:
    """The work calendar and the terminal list (``terminals.csv``, if there is one) from the
    county's input folder, read as the feed build reads them.

    Raises:
        ImportRefused: a calendar row is wrong (file, row and column named).
    """
    from kiosk.county.feed import publisher
    from kiosk.formats import datasets
    from kiosk.formats.validate import DuplicateFinder, Problems, read_rows

    holidays, workdays = set(), set()
    problems = Problems()
    for path in publisher.dataset_files(folder, datasets.WORK_CALENDAR):
        for row in read_rows(datasets.WORK_CALENDAR, path, problems, DuplicateFinder(), str(path)):
            (holidays if row["kind"] == "休" else workdays).add(dt.date.fromisoformat(row["day"]))
    if problems:
        raise problems.refuse()
    terminals = folder / "terminals.csv"
    return WorkCalendar(frozenset(holidays), frozenset(workdays)), terminals if terminals.is_file() else None


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str  # malformed | version | tampered | other_county_key | cannot_open | revoked_terminal ...
    message: str


@dataclass
class ImportReport:
    files: int = 0
    imported: int = 0
    duplicates: int = 0
    unverified: int = 0  # imported from a terminal not (yet) on the county's list
    refused: list[Refusal] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def import_envelopes(
    source: Path | str,
    keydir: Path | str,
    db_path: Path | str,
    terminals_csv: Path | str | None = None,
    *,
    now: dt.datetime | None = None,
    holidays: Collection[dt.date] = (),
    extra_workdays: Collection[dt.date] = (),
) -> ImportReport:
    """Import every ``*.env`` in ``source`` into the cases database at ``db_path``.

    Args:
        terminals_csv: the county's terminal list; its rows replace those already known.
        holidays, extra_workdays: the county calendar for due dates (Mon–Fri otherwise).

    Raises:
        KnownError: the folder, the keys or the terminal list cannot be used; nothing imported.
    """
    started = time.perf_counter()
    source = Path(source)
    if not source.is_dir():
        raise KnownError(f"找不到申请信封所在的文件夹 {source}", f"{source} is not a folder")
    keyring = county_keys.load_keyring(keydir)
    enrolled_rows = load_terminals_csv(terminals_csv) if terminals_csv else []
    now = now or dt.datetime.now(dt.UTC)
    received_on = now.astimezone(CHINA).date()
    due = {
        kind: workdays.due_on(kind, received_on, holidays, extra_workdays) for kind in envelope.KINDS
    }
    report = ImportReport()
    open_cases(db_path)
    try:
        _store_terminals(enrolled_rows, now)
        terminals = dict(Terminal.select(Terminal.fingerprint, Terminal.status).tuples())
        seen_ids = {row[0] for row in Case.select(Case.ulid).tuples()}
        seen_receipts = {row[0] for row in Case.select(Case.receipt).tuples()}
        rows: list[tuple] = []
        new_terminals: list[dict] = []
        for path in sorted(source.glob("*.env")):
            report.files += 1
            try:
                data = path.read_bytes()
                if envelope.peek_id(data) in seen_ids:  # already filed: nothing to check or add
                    report.duplicates += 1
                    continue
                opened = envelope.open_envelope(data, keyring)
            except envelope.EnvelopeError as exc:
                report.refused.append(Refusal(path.name, exc.reason, str(exc)))
                continue
            except OSError as exc:
                report.refused.append(Refusal(path.name, "unreadable", f"无法读取 / cannot read: {exc}"))
                continue
            header = opened.header
            if header.id in seen_ids:
                report.duplicates += 1
                continue
            fingerprint = header.terminal_fingerprint
            status = terminals.get(fingerprint)
            if status == TERMINAL_REVOKED:
                report.refused.append(Refusal(path.name, "revoked_terminal", _revoked(fingerprint)))
                continue
            if header.receipt in seen_receipts:  # ~never (see ids); not merged, staff are told
                report.refused.append(Refusal(path.name, "receipt_clash", _clash(header.receipt)))
                continue
            if status is None:
                terminals[fingerprint] = TERMINAL_UNVERIFIED
                new_terminals.append(_unverified_terminal(header, now))
            verified = terminals[fingerprint] == TERMINAL_ENROLLED
            report.unverified += not verified
            seen_ids.add(header.id)
            seen_receipts.add(header.receipt)
            rows.append(_case_row(opened, verified, received_on, due[header.kind]))
            if len(rows) >= BATCH:
                _flush(rows, new_terminals)
                report.imported += len(rows)
                rows, new_terminals = [], []
        _flush(rows, new_terminals)
        report.imported += len(rows)
        report.seconds = time.perf_counter() - started
        ImportLog.create(
            started=now.isoformat(), source=str(source), files=report.files, imported=report.imported,
            duplicates=report.duplicates, unverified=report.unverified, refused=len(report.refused),
            seconds=report.seconds,
        )
    finally:
        close_cases()
    return report


def _store_terminals(rows: list[TerminalRow], now: dt.datetime) -> None:
    with cases_db.atomic():
        for row in rows:
            Terminal.insert(
                fingerprint=row.fingerprint, public_key=row.public_key, status=row.status, name=row.name,
                town=row.town, first_seen=now.isoformat(),
            ).on_conflict(
                conflict_target=[Terminal.fingerprint],
                update={Terminal.status: row.status, Terminal.name: row.name, Terminal.town: row.town},
            ).execute()


def _unverified_terminal(header: envelope.Header, now: dt.datetime) -> dict:
    return {
        "fingerprint": header.terminal_fingerprint, "public_key": header.terminal,
        "status": TERMINAL_UNVERIFIED, "name": "", "town": "", "first_seen": now.isoformat(),
    }


def _case_row(opened: envelope.Opened, verified: bool, received_on: dt.date, due_on: dt.date) -> tuple:
    header, form = opened.header, opened.form
    fields = [
        json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
        for value in (form.get(column) for column in FORM_COLUMNS)
    ]
    return (
        header.id, header.receipt, header.kind, header.created, received_on.isoformat(), due_on.isoformat(),
        STATUS_RECEIVED if verified else STATUS_UNVERIFIED, header.terminal_fingerprint, int(verified),
        *fields,
    )


def _flush(rows: list[tuple], new_terminals: list[dict]) -> None:
    if not rows and not new_terminals:
        return
    with cases_db.atomic():
        if new_terminals:
            Terminal.insert_many(new_terminals).on_conflict_ignore().execute()
        cases_db.connection().executemany(_INSERT_CASE, rows)


def _revoked(fingerprint: str) -> str:
    return f"终端 {fingerprint} 已停用，拒收 / terminal {fingerprint} is revoked"


def _clash(receipt: str) -> str:
    return f"回执号 {receipt} 与已有案件相同，请人工处理 / receipt {receipt} already used by another case"


def received_ids(db_path: Path | str) -> list[str]:
    """Ids of every envelope the county holds, oldest first: the acknowledgement the next feed carries."""
    open_cases(db_path)
    try:
        return [row[0] for row in Case.select(Case.ulid).order_by(Case.ulid).tuples()]
    finally:
        close_cases()
