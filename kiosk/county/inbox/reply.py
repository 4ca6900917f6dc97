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

What the 年度报告 counts is read back too, where the workbook has it (one saved before these
columns existed is read as before, and leaves them as stored): 申请人类型 and 办理结果 must
be values of the national table (report_terms), a 办理结果 goes with its 办结日期 and the
reverse, and a request is not closed before it was received. The 复议诉讼 sheet (found by
its 申请/起诉日期 header) is the whole list of reviews and suits: what it holds replaces what
is stored, so a row deleted there is deleted here; a workbook without it leaves them alone.
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
    Review,
    cases_db,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.export import (
    ANSWER,
    ANSWERED_ON,
    APPLICANT_TYPE,
    CLOSED_ON,
    DECIDED_ON,
    FILED_ON,
    OUTCOME,
    PRIVATE,
    RECEIPT,
    RECEIVED_ON,
    REVIEW_COLUMNS,
    REVIEW_KIND,
    REVIEW_RESULT,
    STATUS,
    STATUS_ANSWERED,
    YES,
    published_status,
)
from kiosk.county.inbox.report_terms import APPLICANT_TYPES, BY_CHOICE, PENDING, REVIEW_KINDS, REVIEW_RESULTS
from kiosk.errors import ImportRefused, KnownError
from kiosk.files import write_atomic
from kiosk.formats import cells, datasets, masking, replies, spreadsheet
from kiosk.formats.request_terms import COUNTY_STATUSES, REQUEST_KINDS

MAX_ANSWER = 2000  # REPLIES' 答复内容 limit
MAX_PROBLEMS = 200
REPLIES_HEADERS = tuple(c.header for c in datasets.REPLIES.columns)
REPLIES_FILE = "replies.csv"
DISCLOSURE = "disclosure"


@dataclass(frozen=True)
class Answer:
    """One row of the clerk's workbook. ``where`` is ``file[sheet]:row``."""

    receipt: str
    status: str
    answered_on: dt.date | None
    answer: str
    where: str
    private: bool = False  # 仅申请人可见
    applicant_type: str | None = None  # None: no such column, an empty cell, not a 政府信息公开申请
    closing: bool = False  # the sheet has 办理结果 and 办结日期: what they hold is recorded
    outcome: str | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class ReviewRow:
    """One row of the 复议诉讼 sheet."""

    receipt: str
    kind: str
    result: str
    filed_on: dt.date
    decided_on: dt.date | None
    where: str


@dataclass(frozen=True)
class ReplySummary:
    rows: int  # answer rows read
    changed: int  # cases whose status, answer, answer date or report cells changed
    reviews: int | None = None  # rows of 复议诉讼 read; None: the workbook has no such sheet
    reviews_changed: int = 0  # cases whose reviews and suits changed


@dataclass(frozen=True)
class _Known:
    received_on: dt.date
    status: str
    answer: str | None
    answered_on: dt.date | None
    private: bool
    case_id: int
    kind: str
    applicant_type: str
    outcome: str | None
    closed_on: dt.date | None


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
    return _read(path, known, today)[0]


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
        answers, reviews = _read(path, known, today)
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
            applicant = answer.applicant_type or before.applicant_type
            outcome, closed_on = ((answer.outcome or None, answer.closed_on) if answer.closing
                                  else (before.outcome, before.closed_on))  # fmt: skip
            after = (status, text, answered_on, answer.private, applicant, outcome, closed_on)
            if after != (before.status, before.answer, before.answered_on, before.private,
                         before.applicant_type, before.outcome, before.closed_on):  # fmt: skip
                updates.append((*after, answer.receipt))
        replaced = _replaced_reviews(reviews, known) if reviews is not None else {}
        with cases_db.atomic():
            for status, text, answered_on, private, applicant, outcome, closed_on, receipt in updates:
                Case.update(status=status, answer=text, answered_on=answered_on, private_answer=private,
                            applicant_type=applicant, outcome=outcome,
                            closed_on=closed_on).where(Case.receipt == receipt).execute()  # fmt: skip
            for case_id, rows in replaced.items():
                Review.delete().where(Review.case == case_id).execute()
                for kind, result, filed_on, decided_on in rows:
                    Review.create(case=case_id, kind=kind, result=result, filed_on=filed_on,
                                  decided_on=decided_on)  # fmt: skip
    finally:
        close_cases()
    return ReplySummary(rows=len(answers), changed=len(updates),
                        reviews=None if reviews is None else len(reviews),
                        reviews_changed=len(replaced))  # fmt: skip


def _replaced_reviews(rows: list[ReviewRow], known: dict[str, _Known]) -> dict[int, list[tuple]]:
    """The cases whose reviews and suits the sheet changes (the database open), each with
    what it holds for them now (nothing: they are deleted)."""
    wanted: dict[int, list[tuple]] = {}
    for row in rows:
        wanted.setdefault(known[row.receipt].case_id, []).append(
            (row.kind, row.result, row.filed_on, row.decided_on))
    stored: dict[int, list[tuple]] = {}
    query = Review.select(Review.case, Review.kind, Review.result, Review.filed_on, Review.decided_on)
    for case_id, *values in query.tuples():
        stored.setdefault(case_id, []).append(tuple(values))
    return {case_id: wanted.get(case_id, []) for case_id in wanted.keys() | stored.keys()
            if sorted(wanted.get(case_id, []), key=str) != sorted(stored.get(case_id, []), key=str)}


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
        c.receipt: _Known(c.received_on, c.status, c.answer, c.answered_on, c.private_answer, c.id, c.kind,
                          c.applicant_type, c.outcome, c.closed_on)
        for c in Case.select(Case.id, Case.receipt, Case.kind, Case.received_on, Case.status, Case.answer,
                             Case.answered_on, Case.private_answer, Case.applicant_type, Case.outcome,
                             Case.closed_on)
    }  # fmt: skip


def _read(path: Path, known: dict[str, _Known] | None,
          today: dt.date | None) -> tuple[list[Answer], list[ReviewRow] | None]:  # fmt: skip
    """The answers and, if the workbook has a 复议诉讼 sheet, its rows (else None)."""
    problems = _Problems()
    answers: list[Answer] = []
    reviews: list[ReviewRow] | None = None
    first_seen: dict[str, str] = {}
    found_sheet = False
    for label, header_number, positions, rows in spreadsheet.sheets_with_header(path, RECEIPT):
        found_sheet = True
        if FILED_ON in positions:
            reviews = reviews or []
            reviews += _read_reviews(label, header_number, positions, rows, known, today, problems)
            continue
        missing = [c for c in (RECEIPT, STATUS, ANSWERED_ON, ANSWER) if c not in positions]
        if (OUTCOME in positions) != (CLOSED_ON in positions):  # one is no use without the other
            missing.append(CLOSED_ON if OUTCOME in positions else OUTCOME)
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
    return answers, reviews


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
    ok = _one_of(where, STATUS, status, COUNTY_STATUSES, problems, required=True) and ok
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
            ok = _between_receipt_and_today(where, ANSWERED_ON, ("答复日期", "answer date"), answered_on,
                                            _received(case, values, positions), today, problems) and ok
    report = _check_report_cells(where, values, positions, case, today, problems)
    if not ok or report is None:
        return None
    applicant, outcome, closed_on = report
    return Answer(receipt, status, answered_on, answer, where, private, applicant, OUTCOME in positions,
                  outcome, closed_on)  # fmt: skip


def _received(case: _Known | None, values: list, positions: dict[str, int]) -> dt.date | None:
    """The request's received date: as filed, or as the row shows it (a case not filed)."""
    return case.received_on if case is not None else _date(cell_at(values, positions.get(RECEIVED_ON)))


def _between_receipt_and_today(where: str, column: str, names: tuple[str, str], day: dt.date,
                               received: dt.date | None, today: dt.date | None, problems: _Problems) -> bool:
    """Whether ``day`` (an answer or closing date) lies between the request's receipt and
    today; reported when not."""
    zh, en = names
    if received is not None and day < received:
        problems.add(where, column, f"{zh} {day} 早于收到日期 {received}",
                     f"the {en} {day} is before the received date {received}")
        return False
    if today is not None and day > today:
        problems.add(where, column, f"{zh} {day} 晚于今天 {today}", f"the {en} {day} is after today {today}")
        return False
    return True


def _check_report_cells(where: str, values: list, positions: dict[str, int], case: _Known | None,
                        today: dt.date | None, problems: _Problems) -> tuple | None:
    """(申请人类型, 办理结果, 办结日期) of a row, each None where the sheet has no such column
    (申请人类型 also where it is empty); None when any is wrong (reported). Only a
    政府信息公开申请 has them."""
    cells_given = {c: cell_at(values, positions.get(c)) for c in (APPLICANT_TYPE, OUTCOME, CLOSED_ON)}
    if case is not None and case.kind != DISCLOSURE:
        filled = [c for c, text in cells_given.items() if text]
        for column in filled:
            problems.add(where, column, f"“{column}”只用于政府信息公开申请，本件不是，请留空",
                         f"{column} is for 政府信息公开申请 only; leave it empty for this request")
        return None if filled else (None, None, None)
    applicant = cells_given[APPLICANT_TYPE] or None  # left empty: as stored
    ok = _one_of(where, APPLICANT_TYPE, applicant or "", APPLICANT_TYPES, problems, required=False)
    outcome, shown = cells_given[OUTCOME], cells_given[CLOSED_ON]
    if outcome and outcome not in BY_CHOICE:
        problems.add(where, OUTCOME, f"“{outcome}”不是年度报告表三的办理结果，请从下拉列表中选择",
                     f"'{outcome}' is not one of the {len(BY_CHOICE)} outcomes of the annual report's"
                     " table 三; pick one from the drop-down")  # fmt: skip
        ok = False
    closed_on = _when(where, CLOSED_ON, shown, problems)
    if shown and closed_on is None:
        ok = False
    elif closed_on is not None:
        ok = _between_receipt_and_today(where, CLOSED_ON, ("办结日期", "closing date"), closed_on,
                                        _received(case, values, positions), today, problems) and ok
    if outcome and not shown:
        problems.add(where, CLOSED_ON, "选择了办理结果，须填写办结日期", "an outcome needs its closing date")
        ok = False
    elif shown and not outcome:
        problems.add(where, OUTCOME, "填写了办结日期，须选择办理结果", "a closing date needs its outcome")
        ok = False
    return (applicant, outcome or None, closed_on) if ok else None


def _one_of(where: str, column: str, text: str, allowed: tuple[str, ...], problems: _Problems,
            required: bool) -> bool:
    """Whether a drop-down cell holds one of ``allowed`` (or is empty where that is allowed);
    reported when not."""
    if not text:
        if required:
            problems.add(where, column, "必填项为空", "required cell is empty")
        return not required
    if text not in allowed:
        problems.add(where, column, f"“{text}”不是允许的取值（{'、'.join(allowed)}）",
                     f"'{text}' is not one of {', '.join(allowed)}")
        return False
    return True


def _when(where: str, column: str, shown: str, problems: _Problems) -> dt.date | None:
    """The date in a cell, or None: empty, or not a date (reported)."""
    if not shown:
        return None
    day = _date(shown)
    if day is None:
        problems.add(where, column, f"日期“{shown}”无法识别（应如 2026-12-01）",
                     f"date '{shown}' does not parse (write it like 2026-12-01)")
    return day


def _read_reviews(label: str, header_number: int, positions: dict[str, int], rows,
                  known: dict[str, _Known] | None, today: dt.date | None,
                  problems: _Problems) -> list[ReviewRow]:  # fmt: skip
    """The rows of a 复议诉讼 sheet, checked (problems reported, those rows left out)."""
    missing = [c for c in REVIEW_COLUMNS if c not in positions]
    for column in missing:
        problems.add(f"{label}:{header_number}", column, "缺少此列", "column missing")
    if missing:
        return []
    found: list[ReviewRow] = []
    first_seen: dict[tuple, str] = {}
    for number, values in rows:
        if not any(values):
            continue
        where = f"{label}:{number}"
        review = _check_review(where, values, positions, known, today, problems)
        if review is None:
            continue
        key = (review.receipt, review.kind, review.filed_on)
        if key in first_seen:
            problems.add(where, RECEIPT, f"与 {first_seen[key]} 重复（同一受理编号、类型和申请/起诉日期）",
                         f"repeats {first_seen[key]} (same receipt, kind and filing date)")
            continue
        first_seen[key] = where
        found.append(review)
    return found


def _check_review(where: str, values: list, positions: dict[str, int], known: dict[str, _Known] | None,
                  today: dt.date | None, problems: _Problems) -> ReviewRow | None:
    ok = True
    receipt = cell_at(values, positions[RECEIPT])
    case = known.get(receipt) if known is not None else None
    if not receipt:
        problems.add(where, RECEIPT, "必填项为空", "required cell is empty")
        ok = False
    elif known is not None and case is None:
        problems.add(where, RECEIPT, f"受理编号“{receipt}”不在案件库中",
                     f"receipt number '{receipt}' is not in the cases database")
        ok = False
    elif case is not None and case.kind != DISCLOSURE:
        problems.add(where, RECEIPT, f"受理编号“{receipt}”不是政府信息公开申请（复议诉讼只登记这类申请）",
                     f"receipt number '{receipt}' is not a 政府信息公开申请, the only kind listed here")
        ok = False
    for column, allowed in ((REVIEW_KIND, REVIEW_KINDS), (REVIEW_RESULT, REVIEW_RESULTS)):
        text = cell_at(values, positions[column])
        ok = _one_of(where, column, text, allowed, problems, required=True) and ok
    kind, result = cell_at(values, positions[REVIEW_KIND]), cell_at(values, positions[REVIEW_RESULT])
    shown_filed, shown_decided = cell_at(values, positions[FILED_ON]), cell_at(values, positions[DECIDED_ON])
    filed_on = _when(where, FILED_ON, shown_filed, problems)
    decided_on = _when(where, DECIDED_ON, shown_decided, problems)
    if not shown_filed:
        problems.add(where, FILED_ON, "必填项为空", "required cell is empty")
    if (shown_filed and filed_on is None) or (shown_decided and decided_on is None) or not shown_filed:
        return None
    if case is not None and filed_on < case.received_on:
        problems.add(where, FILED_ON, f"申请/起诉日期 {filed_on} 早于收到申请的日期 {case.received_on}",
                     f"the filing date {filed_on} is before the request was received ({case.received_on})")
        ok = False
    for column, day, named in ((FILED_ON, filed_on, "filing"), (DECIDED_ON, decided_on, "decision")):
        if day is not None and today is not None and day > today:
            problems.add(where, column, f"{column} {day} 晚于今天 {today}",
                         f"the {named} date {day} is after today {today}")
            ok = False
    if decided_on is not None and decided_on < filed_on:
        problems.add(where, DECIDED_ON, f"审结日期 {decided_on} 早于申请/起诉日期 {filed_on}",
                     f"the decision date {decided_on} is before the filing date {filed_on}")
        ok = False
    if result == PENDING and decided_on is not None:
        problems.add(where, DECIDED_ON, f"结果为“{PENDING}”时审结日期应留空",
                     f"leave the decision date empty while the result is {PENDING} (pending)")
        ok = False
    elif result in REVIEW_RESULTS and result != PENDING and decided_on is None:
        problems.add(where, DECIDED_ON, f"结果为“{result}”时须填写审结日期",
                     f"a decision date is required when the result is {result}")
        ok = False
    if not ok:
        return None
    return ReviewRow(receipt, kind, result, filed_on, decided_on, where)


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
