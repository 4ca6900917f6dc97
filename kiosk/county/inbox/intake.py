"""County side: judge, open and file the envelopes found in a delivery folder (a USB stick,
its ``inbox/``, or the folder the upload store writes into; see kiosk.county.inbox.drop).

What holds, whatever a stranger puts in the folder:

- **One bad file is one named refusal.** Each file is read within bounds (drop.read), parsed
  within bounds, verified, opened, and its form checked again with the terminal's own field
  rules (kiosk.formats.forms): types, lengths, control and invisible characters. Anything
  wrong, or any unexpected error, refuses that file alone, by name; the rest go through.
- **"Already have it" means these bytes.** Files are judged by their digest: the same bytes
  again are a duplicate; the same id with other bytes is a conflict, held for the clerk
  (``kiosk inbox quarantine``), never a silent skip and never filed over the first.
- **Only enrolled terminals start a case.** An envelope from a key the county has not
  enrolled is held: no deadline, not in the clerk's workbook, not published, counted per key.
  A revoked terminal's envelopes sealed before its revocation date are still filed.
- Rows are committed in batches of 1,000; files leave the drop only after their batch is
  committed (an interrupted import leaves them to be found again, as duplicates).
- **A comment (意见征集) is filed by the county's consultations.** Same rules as a request,
  then the draft's: an article that version has, sealed within the period, arrived within
  the courier's grace, signed if the draft asks (kiosk.county.inbox.comments). Without the
  consultations a comment is left in the drop, named, to be imported with them.
"""

import datetime as dt
import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kiosk import log
from kiosk.county.inbox import comments as consultations_rules
from kiosk.county.inbox import drop, fleet
from kiosk.county.inbox import keys as inbox_keys
from kiosk.county.inbox.cases import (
    FORM_COLUMNS,
    HELD_CONFLICT,
    HELD_UNKNOWN_TERMINAL,
    STATUS_RECEIVED,
    TERMINAL_REVOKED,
    Case,
    Comment,
    Held,
    ImportLog,
    StatusReport,
    Terminal,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.terminals import TerminalRow, load_terminals_csv
from kiosk.errors import KnownError
from kiosk.formats import envelope, forms, replies, status_report, workdays
from kiosk.formats.request_terms import REQUEST_KINDS

BATCH = 1000
_CASE_COLUMNS = (
    "ulid", "receipt", "kind", "created", "received_on", "due_on", "status", "terminal_fingerprint",
    "terminal_verified", "digest", "lookup", "reply_key", *FORM_COLUMNS,
)
# Plain executemany on the cases database's own connection: peewee's insert_many builds one
# dict per row and costs as much as opening the envelope.
_INSERT_CASE = (
    f'INSERT INTO "case" ({", ".join(_CASE_COLUMNS)}) VALUES ({", ".join("?" * len(_CASE_COLUMNS))})'
)
_COMMENT_COLUMNS = (
    "ulid", "receipt", "digest", "lookup", "created", "received_on", "terminal_fingerprint", "draft_code",
    "version", "article", "clause", "stance", "text", "name", "phone",
)
_INSERT_COMMENT = (
    f"INSERT INTO comment ({', '.join(_COMMENT_COLUMNS)}) VALUES ({', '.join('?' * len(_COMMENT_COLUMNS))})"
)
COMMENT = "comment"
NO_CONSULTATIONS = "comment_no_consultations"
CHINA = dt.timezone(dt.timedelta(hours=8))  # the county's working days are local dates

_log = log.get("kiosk.county")


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

    holidays, workdays_ = set(), set()
    problems = Problems()
    for path in publisher.dataset_files(folder, datasets.WORK_CALENDAR):
        for row in read_rows(datasets.WORK_CALENDAR, path, problems, DuplicateFinder(), str(path)):
            (holidays if row["kind"] == "休" else workdays_).add(dt.date.fromisoformat(row["day"]))
    if problems:
        raise problems.refuse()
    terminals = folder / "terminals.csv"
    return WorkCalendar(frozenset(holidays), frozenset(workdays_)), terminals if terminals.is_file() else None


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str  # link | not_a_file | too_large | malformed | version | tampered | other_county_key |
    #              cannot_open | form_invalid | revoked_terminal | receipt_clash | error |
    #              comment_unknown_article | comment_late | comment_unsigned |
    #              comment_no_consultations (not refused: left in the drop, nothing lost) |
    #              status_unknown_terminal | status_conflict
    message: str


@dataclass
class ImportReport:
    files: int = 0
    imported: int = 0  # requests and comments filed
    comments: int = 0  # of ``imported``: comments on drafts
    statuses: int = 0  # terminals' status reports filed (not counted in ``imported``)
    late_statuses: int = 0  # of ``statuses``: signed before one already filed
    duplicates: int = 0
    held: int = 0  # from terminals not enrolled, or conflicting with a filed id: for the clerk
    conflicts: int = 0  # of ``held``: an id already filed with other bytes
    refused: list[Refusal] = field(default_factory=list)
    left_in_drop: int = 0  # read but not removable (a read-only stick)
    pruned: int = 0  # archive day folders past their keeping time
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
    passphrase: bytes | None = None,
    keep_days: int = drop.KEEP_DAYS,
    consultations: consultations_rules.Consultations | None = None,
) -> ImportReport:
    """Import every ``*.env`` found in ``source`` (its ``inbox/`` and subfolders too) into
    the cases database at ``db_path``.

    Args:
        keydir: the county inbox key folder (kiosk.county.inbox.keys).
        terminals_csv: the county's terminal list; its rows replace those already known.
        holidays, extra_workdays: the county calendar for due dates (Mon–Fri otherwise).
        keep_days: how long the archive keeps imported envelopes (drop.KEEP_DAYS).
        consultations: the county's drafts (comments.read_consultations); without them a
            comment is left in the drop with a line saying so.

    Raises:
        KnownError: the folder, the keys or the terminal list cannot be used; nothing imported.
    """
    started = time.perf_counter()
    source = Path(source)
    if not source.is_dir():
        raise KnownError(f"找不到申请信封所在的文件夹 {source}", f"{source} is not a folder")
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(CHINA).date()
    keyring = inbox_keys.load_keyring(keydir, passphrase, today)
    enrolled_rows = load_terminals_csv(terminals_csv) if terminals_csv else []
    due = {kind: workdays.due_on(kind, today, holidays, extra_workdays) for kind in REQUEST_KINDS}
    county = Path(db_path).resolve().parent
    report = ImportReport()
    open_cases(db_path)
    try:
        _store_terminals(enrolled_rows, today, now)
        filing = _Filing(report, county, today, now, due, consultations)
        for found in drop.find(source):
            report.files += 1
            filing.take(found, keyring)
        filing.flush()
        report.pruned = drop.prune(county, today, keep_days)
        report.seconds = time.perf_counter() - started
        ImportLog.create(
            started=now.isoformat(), source=str(source), files=report.files, imported=report.imported,
            duplicates=report.duplicates, unverified=0, held=report.held, refused=len(report.refused),
            seconds=report.seconds,
        )
    finally:
        close_cases()
    return report


class _Filing:
    """One import's running state: what is filed or held already, the batch being built."""

    def __init__(self, report: ImportReport, county: Path, today: dt.date, now: dt.datetime,
                 due: dict[str, dt.date], consultations: consultations_rules.Consultations | None = None):
        self.report, self.county, self.today, self.now, self.due = report, county, today, now, due
        self.consultations = consultations
        known = Terminal.select(Terminal.fingerprint, Terminal.status, Terminal.revoked_on).tuples()
        self.terminals = {fp: (status, revoked_on) for fp, status, revoked_on in known}
        self.digests = {d for (d,) in Case.select(Case.digest).where(Case.digest.is_null(False)).tuples()}
        self.digests |= {d for (d,) in Held.select(Held.digest).tuples()}
        self.digests |= {d for (d,) in Comment.select(Comment.digest).tuples()}
        self.digests |= {d for (d,) in StatusReport.select(StatusReport.digest).tuples()}
        self.status_ids = {u for (u,) in StatusReport.select(StatusReport.ulid).tuples()}
        self.ids = dict(Case.select(Case.ulid, Case.digest).tuples())  # id -> digest (None: old case)
        self.ids.update(Comment.select(Comment.ulid, Comment.digest).tuples())
        self.receipts = {r for (r,) in Case.select(Case.receipt).tuples()}  # unique across both
        self.receipts |= {r for (r,) in Comment.select(Comment.receipt).tuples()}
        self.rows: list[tuple] = []
        self.comments: list[tuple] = []
        self.statuses: list[fleet.Filed] = []
        self.held: list[dict] = []
        self.adopted: list[tuple[str, str]] = []  # (digest, ulid) of old cases seen again
        self.leaving: list[tuple[drop.Found, bytes, str]] = []  # moved out after the commit

    def take(self, found: drop.Found, keyring: dict) -> None:
        try:
            data = drop.read(found)
        except drop.Unreadable as exc:
            self._refuse(found, exc.reason, str(exc))
            return
        try:
            self._judge(found, data, keyring)
        except envelope.EnvelopeError as exc:
            self._refuse(found, exc.reason, str(exc), data)
        except forms.FormError as exc:
            self._refuse(found, "form_invalid", f"申请表不合规则 / the form breaks its rules: {exc}", data)
        except Exception as exc:  # one file never stops the county: name it, log it, go on
            _log.exception("import of %s failed", found.path)
            self._refuse(found, "error", f"无法处理此文件（{type(exc).__name__}）/ cannot process this file "
                                         f"({type(exc).__name__}: {str(exc)[:120]})", data)
        if len(self.rows) + len(self.comments) + len(self.held) + len(self.statuses) >= BATCH:
            self.flush()

    def _judge(self, found: drop.Found, data: bytes, keyring: dict) -> None:
        digest = envelope.digest(data)
        if digest in self.digests:
            self._duplicate(found, data)
            return
        opened = envelope.open_envelope(data, keyring)
        header = opened.header
        form = envelope.validate_form(header.kind, opened.form)  # the terminal's rules, at the county too
        fingerprint = header.terminal_fingerprint
        status, revoked_on = self.terminals.get(fingerprint, (None, None))
        if status == TERMINAL_REVOKED and (revoked_on is None or _created_on(header) >= revoked_on):
            self._refuse(found, "revoked_terminal", _revoked(fingerprint, revoked_on), data)
            return
        if header.kind == status_report.KIND:
            self._status(found, data, header, form, digest, status)
            return
        if header.kind == COMMENT and self.consultations is None:  # left where it is: nothing lost
            self.report.refused.append(Refusal(found.label, NO_CONSULTATIONS, _NO_CONSULTATIONS))
            return
        if header.id in self.ids:
            filed = self.ids[header.id]
            if filed is None and self._same_old_case(header):  # filed before digests: adopt
                self.adopted.append((digest, header.id))
                self.ids[header.id] = digest
                self.digests.add(digest)
                self._duplicate(found, data)
                return
            self._hold(found, data, header, HELD_CONFLICT, digest)
            self.report.conflicts += 1
            return
        if status is None:
            self._hold(found, data, header, HELD_UNKNOWN_TERMINAL, digest)
            return
        if header.receipt in self.receipts:  # ~never (see ids); not merged, staff are told
            self._refuse(found, "receipt_clash", _clash(header.receipt), data)
            return
        if header.kind == COMMENT:
            self._comment(found, data, header, form, digest)
            return
        self.ids[header.id] = digest
        self.digests.add(digest)
        self.receipts.add(header.receipt)
        self.rows.append(case_row(header, form, opened.reply_key, digest, self.today,
                                  self.due[header.kind]))  # fmt: skip
        self.leaving.append((found, data, drop.ARCHIVE))

    def _comment(self, found: drop.Found, data: bytes, header: envelope.Header, form: dict,
                 digest: str) -> None:
        """File a comment the draft's rules accept, or refuse it by reason."""
        assert self.consultations is not None  # _judge leaves comments in the drop without them
        sealed_on = _created_on(header)
        refusal = consultations_rules.comment_refusal(self.consultations, form, sealed_on, self.today)
        if refusal is not None:
            self._refuse(found, *refusal, data)
            return
        self.ids[header.id] = digest
        self.digests.add(digest)
        self.receipts.add(header.receipt)
        self.comments.append(comment_row(header, form, digest, self.today))
        self.leaving.append((found, data, drop.ARCHIVE))

    def _status(self, found: drop.Found, data: bytes, header: envelope.Header, report: dict, digest: str,
                 terminal_status: str | None) -> None:  # fmt: skip
        """A terminal's status report: filed for an enrolled terminal, else refused by name
        (a report from an unknown key says nothing the county can use)."""
        if terminal_status is None:
            self._refuse(found, "status_unknown_terminal", _unknown_status(header.terminal_fingerprint), data)
            return
        if header.id in self.status_ids:
            self._refuse(found, "status_conflict", _status_conflict(header.id), data)
            return
        self.status_ids.add(header.id)
        self.digests.add(digest)
        self.statuses.append(fleet.Filed(header, report, digest, self.now))
        self.leaving.append((found, data, drop.ARCHIVE))

    def _same_old_case(self, header: envelope.Header) -> bool:
        return Case.select().where((Case.ulid == header.id) & (Case.terminal_fingerprint ==
                                   header.terminal_fingerprint)).exists()  # fmt: skip

    def _duplicate(self, found: drop.Found, data: bytes) -> None:
        self.report.duplicates += 1
        self.leaving.append((found, data, drop.ARCHIVE))

    def _hold(self, found: drop.Found, data: bytes, header: envelope.Header, reason: str,
              digest: str) -> None:
        self.held.append({
            "digest": digest, "ulid": header.id, "kind": header.kind, "created": header.created,
            "terminal_fingerprint": header.terminal_fingerprint, "reason": reason,
            "arrived": self.now.isoformat(), "data": data,
        })  # fmt: skip
        self.digests.add(digest)
        self.report.held += 1
        self.leaving.append((found, data, drop.ARCHIVE))

    def _refuse(self, found: drop.Found, reason: str, message: str, data: bytes | None = None) -> None:
        self.report.refused.append(Refusal(found.label, reason, message))
        if data is not None:
            self.leaving.append((found, data, drop.REFUSED))

    def flush(self) -> None:
        if self.rows or self.comments or self.held or self.adopted or self.statuses:
            with cases_db.atomic():
                if self.held:
                    Held.insert_many(self.held).on_conflict_ignore().execute()
                for digest, ulid in self.adopted:
                    Case.update(digest=digest).where(Case.ulid == ulid).execute()
                cases_db.connection().executemany(_INSERT_CASE, self.rows)
                cases_db.connection().executemany(_INSERT_COMMENT, self.comments)
                late = fleet.file_reports(self.statuses)
            self.report.imported += len(self.rows) + len(self.comments)
            self.report.comments += len(self.comments)
            self.report.statuses += len(self.statuses)
            self.report.late_statuses += late
            self.rows, self.comments, self.held, self.adopted, self.statuses = [], [], [], [], []
        touched = set()
        for found, data, kind in self.leaving:  # after the commit: a crash leaves them found again
            kept = drop.set_aside(found, data, self.county, kind, self.today)
            if kept is None:
                self.report.left_in_drop += 1
            else:
                touched |= {kept.parent, found.path.parent}
        drop.sync_folders(touched)
        self.leaving = []


def case_row(header: envelope.Header, form: dict, reply_key: bytes | None, digest: str,
             received_on: dt.date, due_on: dt.date) -> tuple:
    """The cases table row of an opened, checked envelope (column order: _CASE_COLUMNS).

    Raises:
        KnownError: a comment: it is not a case (comment_row files it).
    """
    if header.kind not in REQUEST_KINDS:
        raise KnownError(f"意见信封（回执号 {header.receipt}）不是申请案件，不能作为案件受理",
                         f"the comment {header.receipt} is not a request and cannot be filed as a case")
    fields = [
        json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
        for value in (form.get(column) for column in FORM_COLUMNS)
    ]
    return (
        header.id, header.receipt, header.kind, header.created, received_on.isoformat(), due_on.isoformat(),
        STATUS_RECEIVED, header.terminal_fingerprint, 1, digest, replies.lookup(header.receipt),
        reply_key, *fields,
    )


def comment_row(header: envelope.Header, form: dict, digest: str, received_on: dt.date) -> tuple:
    """The comment table row of an opened, checked comment (column order: _COMMENT_COLUMNS).
    The villager's reply key is not kept: a comment gets no answer of its own."""
    return (
        header.id, header.receipt, digest, replies.lookup(header.receipt), header.created,
        received_on.isoformat(), header.terminal_fingerprint, form["draft"], form["version"], form["article"],
        form.get("clause"), form["stance"], form.get("text"), form.get("name"), form.get("phone"),
    )


def insert_case(row: tuple) -> None:
    cases_db.connection().execute(_INSERT_CASE, row)


def insert_comment(row: tuple) -> None:
    cases_db.connection().execute(_INSERT_COMMENT, row)


def replace_comment(ulid: str, row: tuple) -> None:
    """Put ``row`` (comment_row) in place of the filed comment ``ulid`` (a conflict the clerk
    resolved); its id, receipt and lookup stay."""
    kept = {"ulid", "receipt", "lookup"}
    values = {k: v for k, v in zip(_COMMENT_COLUMNS, row, strict=True) if k not in kept}
    Comment.update(**values).where(Comment.ulid == ulid).execute()


def local_day(timestamp: str) -> dt.date:
    """The county's local date of an ISO timestamp (an envelope's ``created``, a held one's
    arrival)."""
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(CHINA).date()


def _created_on(header: envelope.Header) -> dt.date:
    return local_day(header.created)


def _store_terminals(rows: list[TerminalRow], today: dt.date, now: dt.datetime) -> None:
    """The terminal list replaces what is known; a revocation without a date counts from the
    first import that reads it (an earlier date, once recorded, is kept)."""
    with cases_db.atomic():
        for row in rows:
            known = Terminal.get_or_none(Terminal.fingerprint == row.fingerprint)
            revoked_on = None
            if row.status == TERMINAL_REVOKED:
                revoked_on = row.revoked_on or (known.revoked_on if known and known.revoked_on else today)
            Terminal.insert(
                fingerprint=row.fingerprint, public_key=row.public_key, status=row.status, name=row.name,
                town=row.town, first_seen=now.isoformat(), revoked_on=revoked_on,
            ).on_conflict(
                conflict_target=[Terminal.fingerprint],
                update={Terminal.status: row.status, Terminal.name: row.name, Terminal.town: row.town,
                        Terminal.revoked_on: revoked_on},
            ).execute()  # fmt: skip


def _revoked(fingerprint: str, since: dt.date | None) -> str:
    return (f"终端 {fingerprint} 已于 {since} 停用，此后封存的申请拒收 / terminal {fingerprint} is revoked "
            f"since {since}")


def _unknown_status(fingerprint: str) -> str:
    return (f"未登记终端 {fingerprint} 的状态报告，不予记录（请核对终端清单 terminals.csv） / "
            f"a status report from terminal {fingerprint}, which the county has not enrolled: not filed")


def _status_conflict(ulid: str) -> str:
    return (f"状态报告编号 {ulid} 已用于另一份报告，拒收 / status report id {ulid} was already filed "
            "with other bytes: refused")


def _clash(receipt: str) -> str:
    return f"回执号 {receipt} 与已有案件相同，请人工处理 / receipt {receipt} already used by another case"


_NO_CONSULTATIONS = (
    "意见信封：未读入意见征集表，此文件留在原处未处理；请加 --county-input 指定含 consultations.xlsx 的县数据"
    "目录后再次导入 / a comment: no consultations were read, the file is left where it is; import again"
    " with --county-input naming the folder with consultations.xlsx"
)


def received_digests(db_path: Path | str) -> list[str]:
    """Digests of every envelope the county has filed (requests and comments), sorted: what
    the next feed acknowledges."""
    open_cases(db_path)
    try:
        filed = {d for (d,) in Case.select(Case.digest).where(Case.digest.is_null(False)).tuples()}
        return sorted(filed | {d for (d,) in Comment.select(Comment.digest).tuples()})
    finally:
        close_cases()
