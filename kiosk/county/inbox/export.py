"""County side: the cases database as an Excel workbook for the clerk who answers the requests.

One sheet per kind of request (政府信息公开申请, 咨询·预约回电), one row per case, oldest
first. The clerk fills 状态 (a drop-down of the county's statuses), 答复日期 and 答复内容;
``county_reply`` reads the workbook back. Those four columns and 受理编号 keep their names:
the reader finds them by name, on any sheet. Rows past their due date and not yet answered
are filled red. Every text cell is stored as text (an ID or phone number never becomes a
number in scientific notation, and ``=HYPERLINK(…)`` typed by a villager is never a formula),
and so is every cell the clerk types into a text column. No stored value can stop the
export: characters a workbook cannot hold are shown as �.

仅申请人可见: the clerk marks 是 on an answer that holds personal details (a phone number, an
address) meant for the applicant; answers are always published sealed to the applicant's
receipt, and the reader refuses such details in an answer not so marked.

For the 年度报告 (kiosk.county.inbox.annual_report) the 政府信息公开申请 sheet also has
申请人类型 (prefilled with what is stored: 自然人 for a kiosk request), 办理结果 (the 21 rows
of the national table) and 办结日期, and the sheet 复议诉讼 lists each request's 行政复议 and
行政诉讼, one row each. The 21 outcomes are too long for a drop-down's own list (Excel keeps
at most 255 characters there), so they sit on the hidden sheet 选项 and the drop-down
points at them: laid out in its first row, so the sheet has no rows below a header.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.county.inbox.cases import (
    STATUS_RECEIVED,
    STATUS_UNVERIFIED,
    TERMINAL_ENROLLED,
    TERMINAL_REVOKED,
    Case,
    Review,
    Terminal,
    close_cases,
    open_cases,
)
from kiosk.county.inbox.report_terms import APPLICANT_TYPES, OUTCOME_CHOICES, REVIEW_KINDS, REVIEW_RESULTS
from kiosk.errors import KnownError
from kiosk.files import replacing
from kiosk.formats.request_terms import COUNTY_STATUSES, REQUEST_KINDS

STATUS_ANSWERED = "已答复"

# Column names the reply reader depends on.
RECEIPT, STATUS, ANSWERED_ON, ANSWER, RECEIVED_ON = "受理编号", "状态", "答复日期", "答复内容", "收到日期"
PRIVATE = "仅申请人可见"
YES, NO = "是", "否"
APPLICANT_TYPE, OUTCOME, CLOSED_ON = "申请人类型", "办理结果", "办结日期"
# The 复议诉讼 sheet, found by its 申请/起诉日期 header (it has a 受理编号 column too).
REVIEW_SHEET, OPTIONS_SHEET = "复议诉讼", "选项"
REVIEW_KIND, REVIEW_RESULT, FILED_ON, DECIDED_ON = "类型", "结果", "申请/起诉日期", "审结日期"
REVIEW_COLUMNS = (RECEIPT, REVIEW_KIND, REVIEW_RESULT, FILED_ON, DECIDED_ON)

# (header, how the cell is filled) per sheet; "date" cells are Excel dates, the rest text.
DISCLOSURE_COLUMNS = (
    RECEIPT, "类型", RECEIVED_ON, "法定答复期限", "申请人", APPLICANT_TYPE, "身份证号", "联系电话",
    "所需信息", "获取方式", "用途", "邮寄地址", "电子邮箱", "关联内容", "终端", "终端核实", STATUS,
    ANSWERED_ON, PRIVATE, ANSWER, OUTCOME, CLOSED_ON,
)
CALLBACK_COLUMNS = (
    RECEIPT, "类型", RECEIVED_ON, "答复期限", "联系电话", "咨询主题", "方便回电时间", "咨询内容", "终端",
    "终端核实", STATUS, ANSWERED_ON, PRIVATE, ANSWER,
)
_DATE_COLUMNS = {RECEIVED_ON, "法定答复期限", "答复期限", ANSWERED_ON, CLOSED_ON, FILED_ON, DECIDED_ON}
_WIDE_COLUMNS = {"所需信息": 40, "咨询内容": 40, ANSWER: 50, "邮寄地址": 30, "关联内容": 24, OUTCOME: 34}
_REFERS_TO_LABELS = {"catalogue_entry": "目录条目", "document": "文件", "village": "村代码", "year": "年度"}
_TERMINAL_CHECK = {TERMINAL_ENROLLED: "已登记", TERMINAL_REVOKED: "已停用"}
OVERDUE_FILL = "FFC7CE"  # Excel's light red ("bad")
HEADER_FILL = "DDEBF7"
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_FORMAT = "@"
_VALIDATION_ROWS = 2000  # the drop-down reaches below the cases, for rows a clerk adds
# What an .xlsx cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE) and lone surrogates.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    disclosure: int
    callback: int
    overdue: int
    reviews: int = 0  # rows of 复议诉讼

    @property
    def total(self) -> int:
        return self.disclosure + self.callback


def published_status(status: str) -> str:
    """The status as the county shows it: an unverified terminal is internal (县里已收到)."""
    return STATUS_RECEIVED if status == STATUS_UNVERIFIED else status


def export_cases(db_path: Path | str, out_xlsx: Path | str, today: dt.date) -> ExportSummary:
    """Write every case of the cases database to ``out_xlsx`` (replaced atomically).

    Raises:
        KnownError: the workbook cannot be written (a folder that is not there, a full disk).
    """
    from openpyxl import Workbook  # county side only

    out_xlsx = Path(out_xlsx)
    open_cases(db_path)
    try:
        terminals = {
            t.fingerprint: t for t in Terminal.select(Terminal.fingerprint, Terminal.status, Terminal.name)
        }
        by_kind: dict[str, list[Case]] = {kind: [] for kind in REQUEST_KINDS}
        for case in Case.select().order_by(Case.received_on, Case.receipt):
            by_kind.setdefault(case.kind, []).append(case)
        reviews = [
            {RECEIPT: receipt, REVIEW_KIND: kind, REVIEW_RESULT: result, FILED_ON: filed_on,
             DECIDED_ON: decided_on}
            for receipt, kind, result, filed_on, decided_on in Review.select(
                Case.receipt, Review.kind, Review.result, Review.filed_on, Review.decided_on,
            ).join(Case).order_by(Case.receipt, Review.filed_on, Review.id).tuples()
        ]  # fmt: skip
    finally:
        close_cases()
    book = Workbook()
    book.remove(book.active)
    overdue = 0
    for kind, columns in (("disclosure", DISCLOSURE_COLUMNS), ("callback", CALLBACK_COLUMNS)):
        sheet = book.create_sheet(REQUEST_KINDS[kind])
        rows = [_row(case, kind, terminals) for case in by_kind[kind]]
        late = [_is_overdue(case, today) for case in by_kind[kind]]
        overdue += sum(late)
        _fill_sheet(sheet, columns, rows, late)
    _fill_sheet(book.create_sheet(REVIEW_SHEET), REVIEW_COLUMNS, reviews, [False] * len(reviews))
    _add_choices(book, len(by_kind["disclosure"]))
    if not out_xlsx.parent.is_dir():
        raise KnownError(f"找不到导出文件夹 {out_xlsx.parent}", f"{out_xlsx.parent} is not a folder")
    with replacing(out_xlsx, 0o600) as out:  # names, IDs and phones: the clerk's eyes only
        book.save(out)
    return ExportSummary(out_xlsx, len(by_kind["disclosure"]), len(by_kind["callback"]), overdue,
                         len(reviews))  # fmt: skip


def _is_overdue(case: Case, today: dt.date) -> bool:
    return case.due_on < today and case.status != STATUS_ANSWERED


def _row(case: Case, kind: str, terminals: dict) -> dict[str, object]:
    terminal = terminals.get(case.terminal_fingerprint)
    current = terminal.status if terminal is not None else None
    check = _TERMINAL_CHECK.get(current or "", "已登记" if case.terminal_verified else STATUS_UNVERIFIED)
    row: dict[str, object] = {
        RECEIPT: case.receipt, "类型": REQUEST_KINDS.get(kind, kind), RECEIVED_ON: case.received_on,
        "法定答复期限": case.due_on, "答复期限": case.due_on,
        "申请人": case.name, APPLICANT_TYPE: case.applicant_type, "身份证号": case.id_number,
        "联系电话": case.phone, "所需信息": case.wanted,
        "获取方式": case.delivery, "用途": case.purpose, "邮寄地址": case.address, "电子邮箱": case.email,
        "关联内容": _refers_to(case.refers_to), "咨询主题": case.topic, "方便回电时间": case.preferred_time,
        "咨询内容": case.text,
        "终端": (terminal.name if terminal is not None and terminal.name else case.terminal_fingerprint),
        "终端核实": check, STATUS: published_status(case.status), ANSWERED_ON: case.answered_on,
        PRIVATE: YES if case.private_answer else NO, ANSWER: case.answer, OUTCOME: case.outcome,
        CLOSED_ON: case.closed_on,
    }
    return row


def _refers_to(raw: str | None) -> str:
    """What the villager was looking at, in words: 村代码 371522102001；年度 2025."""
    if not raw:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(value, dict):
        return raw
    return "；".join(f"{_REFERS_TO_LABELS.get(k, k)} {v}" for k, v in value.items())


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fill_sheet(sheet, columns: tuple[str, ...], rows: list[dict], late: list[bool]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    overdue_fill = PatternFill("solid", fgColor=OVERDUE_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    widths = [display_width(name) + 2 for name in columns]
    for number, (row, is_late) in enumerate(zip(rows, late, strict=True), start=2):
        for index, name in enumerate(columns):
            value = row.get(name)
            cell = sheet.cell(row=number, column=index + 1)
            if name in _DATE_COLUMNS:
                cell.value = value if isinstance(value, dt.date) else None
                cell.number_format = _DATE_FORMAT
            else:
                cell.value = writable("" if value is None else str(value))
                cell.number_format = _TEXT_FORMAT
                cell.data_type = "s"  # after the value: a leading "=" is text, not a formula
                widths[index] = max(widths[index], min(display_width(cell.value) + 2, 60))
            cell.alignment = wrap if name in _WIDE_COLUMNS else top
            if is_late:
                cell.fill = overdue_fill
    for index, name in enumerate(columns):
        letter = get_column_letter(index + 1)
        width = 12 if name in _DATE_COLUMNS else widths[index]
        sheet.column_dimensions[letter].width = _WIDE_COLUMNS.get(name, max(8, min(width, 30)))
        if name not in _DATE_COLUMNS:  # what the clerk types into a text column stays text
            sheet.column_dimensions[letter].number_format = _TEXT_FORMAT
    sheet.freeze_panes = "B2"  # the header row and the receipt number stay in view
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    reach = max(len(rows) + 1, _VALIDATION_ROWS)
    if STATUS in columns:
        _choice(sheet, columns, STATUS, _listed(COUNTY_STATUSES), "、".join(COUNTY_STATUSES), reach)
    if PRIVATE in columns:
        private_letter = get_column_letter(columns.index(PRIVATE) + 1)
        yes_no = DataValidation(type="list", formula1=f'"{NO},{YES}"', allow_blank=True,
                                showErrorMessage=True, errorTitle=PRIVATE, error=f"请选择 {YES} 或 {NO}")
        yes_no.add(f"{private_letter}2:{private_letter}{reach}")
        sheet.add_data_validation(yes_no)


def _listed(values: tuple[str, ...]) -> str:
    """A drop-down's own list (at most 255 characters: Excel's limit)."""
    return '"' + ",".join(values) + '"'


def _choice(sheet, columns: tuple[str, ...], name: str, formula1: str, shown: str, reach: int) -> None:
    """A drop-down on column ``name``, rows 2 to ``reach``, that refuses anything else."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(columns.index(name) + 1)
    choice = DataValidation(
        type="list", formula1=formula1, allow_blank=True, showErrorMessage=True,
        errorTitle=f"{name}不正确", error=f"请从下拉列表中选择：{shown}",
        showInputMessage=True, promptTitle=name, prompt="从下拉列表中选择",
    )  # fmt: skip
    choice.add(f"{letter}2:{letter}{reach}")
    sheet.add_data_validation(choice)


def _add_choices(book, disclosures: int) -> None:
    """The 年度报告's drop-downs: 申请人类型 and 办理结果 on the 政府信息公开申请 sheet (the
    outcomes from the hidden sheet 选项), 受理编号, 类型 and 结果 on 复议诉讼."""
    from openpyxl.utils import get_column_letter

    options = book.create_sheet(OPTIONS_SHEET)
    options.append(list(OUTCOME_CHOICES))  # one row: the sheet has nothing below a header
    options.sheet_state = "hidden"
    last = get_column_letter(len(OUTCOME_CHOICES))
    cases, reviews = book[REQUEST_KINDS["disclosure"]], book[REVIEW_SHEET]
    reach = max(disclosures + 1, _VALIDATION_ROWS)
    _choice(cases, DISCLOSURE_COLUMNS, APPLICANT_TYPE, _listed(APPLICANT_TYPES), "、".join(APPLICANT_TYPES),
            reach)  # fmt: skip
    _choice(cases, DISCLOSURE_COLUMNS, OUTCOME, f"'{OPTIONS_SHEET}'!$A$1:${last}$1",
            f"年度报告表三的 {len(OUTCOME_CHOICES)} 种办理结果之一", reach)  # fmt: skip
    receipts = f"'{cases.title}'!$A$2:$A${max(disclosures + 1, 2)}"
    _choice(reviews, REVIEW_COLUMNS, RECEIPT, receipts, f"“{cases.title}”表中的受理编号", _VALIDATION_ROWS)
    _choice(reviews, REVIEW_COLUMNS, REVIEW_KIND, _listed(REVIEW_KINDS), "、".join(REVIEW_KINDS),
            _VALIDATION_ROWS)  # fmt: skip
    _choice(reviews, REVIEW_COLUMNS, REVIEW_RESULT, _listed(REVIEW_RESULTS), "、".join(REVIEW_RESULTS),
            _VALIDATION_ROWS)  # fmt: skip
    for name, width in ((REVIEW_KIND, 30), (REVIEW_RESULT, 12)):  # wide enough for the drop-down's words
        reviews.column_dimensions[get_column_letter(REVIEW_COLUMNS.index(name) + 1)].width = width


def writable(text: str) -> str:
    """``text`` as a workbook can hold it: control characters and lone surrogates as �."""
    return _UNWRITABLE.sub("\ufffd", text)
