"""County side: the clerk's answers read back from the workbook, recorded, and published.

``read_answers`` reads every sheet with a 受理编号 header (the workbook ``county_export``
wrote, filled in Excel or WPS; .xlsx, .xls or .ods) and checks every row; all problems are
reported together, one ``file[sheet]:row:column: 中文 / English`` line each, and nothing is
recorded when there is any. ``apply_answers`` records them in one transaction (applying the
same workbook again changes nothing). ``write_replies`` writes ``replies.csv``, the feed's
答复表: where each request stands, with no receipt number, envelope id or answer text in
clear (kiosk.formats.replies): each answer is sealed to the key on the applicant's receipt.

An answer holding personal details (a phone or ID number however it is spaced, a landline,
an address) is refused, with its cell named, unless the clerk marked the row 仅申请人可见.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from kiosk.county.inbox.cases import (
    STATUS_RECEIVED,
    STATUS_UNVERIFIED,
    Case,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.export import (
    ANSWER,
    ANSWERED_ON,
    PRIVATE,
    RECEIPT,
    RECEIVED_ON,
    STATUS,
    STATUS_ANSWERED,
    YES,
    published_status,
)
from kiosk.errors import ImportRefused, KnownError
from kiosk.files import write_atomic
from kiosk.formats import cells, datasets, masking, replies, spreadsheet
from kiosk.formats.request_terms import COUNTY_STATUSES, REQUEST_KINDS

MAX_ANSWER = 2000  # REPLIES' 答复内容 limit
MAX_PROBLEMS = 200
REPLIES_HEADERS = tuple(c.header for c in datasets.REPLIES.columns)
REPLIES_FILE = "replies.csv"



@dataclass(frozen=True)
class Answer:
    """One row of the clerk's workbook. ``where`` is ``file[sheet]:row``."""

    receipt: str
    status: str
    answered_on: dt.date | None
    answer: str
    where: str
    private: bool = False  # 仅申请人可见


@dataclass(frozen=True)
class ReplySummary:
    rows: int  # answer rows read
    changed: int  # cases whose status, answer or answer date changed


@dataclass(frozen=True)
class _Known:
    received_on: dt.date
    status: str
    answer: str | None
    answered_on: dt.date | None
    private: bool


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.total = 0

    def add(self, where: str, column: str, zh: str, en: str) -> None:
        self.total += 1
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(f"{where}:{column}: {zh} / {en}")


def read_answers(
    path: Path | str, db_path: Path | str | None = None, today: dt.date | None = None
) -> list[Answer]:
    """Every answer row of the workbook at ``path``, checked.

    Args:
        db_path: the cases database: receipts must be in it and answers not before the case
            was received. Without it, the 收到日期 column of the row is used.
        today: if given, an answer date after it is refused.

    Raises:
        ImportRefused: any row is wrong; every problem is listed.
        KnownError: the file cannot be read as a workbook or has no 受理编号 column.
    """
    path = Path(path)
    known = None
    if db_path is not None:
        open_cases(db_path)
        try:
            known = _load_known()
        finally:
            close_cases()
    return _read(path, known, today)


def apply_answers(db_path: Path | str, answers_path: Path | str, today: dt.date) -> ReplySummary:
    """Record the workbook's answers in the cases database, all in one transaction.

    An answer marked 已答复 with no 答复日期 is dated ``today`` the first time (and keeps that
    date when the same workbook is applied again). A case still flagged 待核实终端 that the
    clerk leaves at 县里已收到 keeps its flag.

    Raises:
        ImportRefused: any row is wrong; the database is not changed.
    """
    path = Path(answers_path)
    open_cases(db_path)
    try:
        known = _load_known()
        answers = _read(path, known, today)
        updates = []
        for answer in answers:
            before = known[answer.receipt]
            status = answer.status
            if status == STATUS_RECEIVED and before.status == STATUS_UNVERIFIED:
                status = STATUS_UNVERIFIED
            answered_on = answer.answered_on
            if answered_on is None and status == STATUS_ANSWERED:
                answered_on = before.answered_on or today
            text = answer.answer or None
            after = (status, text, answered_on, answer.private)
            if after != (before.status, before.answer, before.answered_on, before.private):
                updates.append((*after, answer.receipt))
        with cases_db.atomic():
            for status, text, answered_on, private, receipt in updates:
                Case.update(status=status, answer=text, answered_on=answered_on,
                            private_answer=private).where(Case.receipt == receipt).execute()  # fmt: skip
    finally:
        close_cases()
    return ReplySummary(rows=len(answers), changed=len(updates))


def write_replies(db_path: Path | str, export_dir: Path | str) -> int:
    """Write ``<export_dir>/replies.csv``: one row per case the county holds, by lookup code.

    No receipt number, envelope id or answer text in clear: the row is found by
    ``replies.lookup(receipt)``, acknowledges the envelope by its digest, and carries the
    answer sealed to the applicant's key (an envelope of format 1 has none: its answer is
    not published, and the applicant is told to ask at the window). The same format as
    kiosk.formats.spreadsheet.write_csv (UTF-8 with BOM, CRLF), written atomically; a file
    that would not change is left as it is. Returns the number of rows.
    """
    export_dir = Path(export_dir)
    open_cases(db_path)
    try:
        cases = list(
            Case.select(
                Case.receipt, Case.lookup, Case.digest, Case.kind, Case.status, Case.received_on,
                Case.due_on, Case.answered_on, Case.answer, Case.reply_key,
            ).order_by(Case.lookup)
        )
    finally:
        close_cases()
    rows = []
    for case in cases:
        sealed = (replies.seal_answer(case.answer, bytes(case.reply_key), case.receipt)
                  if case.answer and case.reply_key else "")  # fmt: skip
        rows.append([
            case.lookup, case.digest or "", REQUEST_KINDS.get(case.kind, case.kind),
            published_status(case.status), case.received_on.isoformat(), case.due_on.isoformat(),
            case.answered_on.isoformat() if case.answered_on else "", sealed,
        ])
    write_generated(export_dir / REPLIES_FILE, datasets.REPLIES, rows)
    return len(cases)


def write_generated(target: Path, dataset: datasets.Dataset, rows: list[list[str]]) -> None:
    """A dataset the county's tools generate for the next feed (replies, 采纳情况, comment
    receipts), as kiosk.formats.spreadsheet.write_csv writes a CSV (UTF-8 with BOM, CRLF),
    atomically; a file that would not change is left as it is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([c.header for c in dataset.columns])
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8-sig")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.is_file() and target.read_bytes() == data):
        write_atomic(target, data, mode=0o644)


def _load_known() -> dict[str, _Known]:
    return {
        c.receipt: _Known(c.received_on, c.status, c.answer, c.answered_on, c.private_answer)
        for c in Case.select(Case.receipt, Case.received_on, Case.status, Case.answer, Case.answered_on,
                             Case.private_answer)
    }


def _read(path: Path, known: dict[str, _Known] | None, today: dt.date | None) -> list[Answer]:
    problems = _Problems()
    answers: list[Answer] = []
    first_seen: dict[str, str] = {}
    found_sheet = False
    for label, header_number, positions, rows in spreadsheet.sheets_with_header(path, RECEIPT):
        found_sheet = True
        missing = [c for c in (RECEIPT, STATUS, ANSWERED_ON, ANSWER) if c not in positions]
        for column in missing:
            problems.add(f"{label}:{header_number}", column, "缺少此列", "column missing")
        if missing:
            continue
        for number, values in rows:
            if not any(values):
                continue  # an empty row
            where = f"{label}:{number}"
            receipt = cell_at(values, positions[RECEIPT])
            first = first_seen.get(receipt) if receipt else None
            if first is not None:
                problems.add(where, RECEIPT, f"受理编号与 {first} 重复", f"receipt number repeats {first}")
                continue
            if receipt:
                first_seen[receipt] = where
            answer = _check_row(where, values, positions, known, today, problems)
            if answer is not None:
                answers.append(answer)
    if not found_sheet:
        raise KnownError(f"{path.name}: 没有找到含“{RECEIPT}”列的工作表",
                         f"{path.name}: no sheet has a '{RECEIPT}' column")
    if problems.total:
        raise ImportRefused(problems.lines, problems.total)
    return answers


def cell_at(values: list[str], pos: int | None) -> str:
    """The cell at ``pos`` of a row as read (short rows end early), or "" (no such column)."""
    return values[pos] if pos is not None and pos < len(values) else ""


def _check_row(where: str, values: list, positions: dict[str, int], known: dict[str, _Known] | None,
               today: dt.date | None, problems: _Problems) -> Answer | None:
    ok = True
    receipt = cell_at(values, positions[RECEIPT])
    case = None
    if not receipt:
        problems.add(where, RECEIPT, "必填项为空", "required cell is empty")
        ok = False
    elif known is not None:
        case = known.get(receipt)
        if case is None:
            problems.add(where, RECEIPT, f"受理编号“{receipt}”不在案件库中",
                         f"receipt number '{receipt}' is not in the cases database")
            ok = False
    status = cell_at(values, positions[STATUS])
    if not status:
        problems.add(where, STATUS, "必填项为空", "required cell is empty")
        ok = False
    elif status not in COUNTY_STATUSES:
        problems.add(where, STATUS, f"“{status}”不是允许的取值（{'、'.join(COUNTY_STATUSES)}）",
                     f"'{status}' is not one of {', '.join(COUNTY_STATUSES)}")
        ok = False
    answer = cell_lines(cell_at(values, positions[ANSWER]))
    if status == STATUS_ANSWERED and not answer:
        problems.add(where, ANSWER, "状态为“已答复”时必须填写答复内容",
                     "an answer is required when the status is 已答复 (answered)")
        ok = False
    elif len(answer) > MAX_ANSWER:
        problems.add(where, ANSWER, f"内容过长（{len(answer)} 字，上限 {MAX_ANSWER} 字）",
                     f"cell too long ({len(answer)} characters, limit {MAX_ANSWER})")
        ok = False
    elif (code := cells.control_character(answer)) is not None:
        problems.add(where, ANSWER, f"含有控制字符 {code}", f"contains the control character {code}")
        ok = False
    private = cell_at(values, positions.get(PRIVATE)) == YES
    if ok and not private and (detail := masking.personal_detail(answer)) is not None:
        problems.add(where, ANSWER, f"答复内容含有{detail}：确需告知申请人的，请在“{PRIVATE}”列选“{YES}”",
                     f"the answer holds personal details ({detail}); mark the row {PRIVATE} = {YES} "
                     "if they are meant for the applicant")
        ok = False
    shown = cell_at(values, positions[ANSWERED_ON])
    answered_on = None
    if shown:
        answered_on = _date(shown)
        if answered_on is None:
            problems.add(where, ANSWERED_ON, f"日期“{shown}”无法识别（应如 2026-12-01）",
                         f"date '{shown}' does not parse (write it like 2026-12-01)")
            ok = False
        else:
            received = (case.received_on if case is not None
                        else _date(cell_at(values, positions.get(RECEIVED_ON))))
            if received is not None and answered_on < received:
                problems.add(where, ANSWERED_ON, f"答复日期 {answered_on} 早于收到日期 {received}",
                             f"the answer date {answered_on} is before the received date {received}")
                ok = False
            elif today is not None and answered_on > today:
                problems.add(where, ANSWERED_ON, f"答复日期 {answered_on} 晚于今天 {today}",
                             f"the answer date {answered_on} is after today {today}")
                ok = False
    if not ok:
        return None
    return Answer(receipt, status, answered_on, answer, where, private)


def cell_lines(text: str) -> str:
    """A multi-line cell (Alt+Enter in Excel) with Windows line ends and trailing spaces gone."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


def _date(text: str) -> dt.date | None:
    """An Excel date, or text as 2026-12-01, 2026/12/1, 2026.12.1 or 2026年12月1日 (the feed's
    own date forms, kiosk.formats.cells)."""
    try:
        return dt.date.fromisoformat(cells.date(cells.loose(cells.date, text)[0]))
    except cells.CellError:
        return None
