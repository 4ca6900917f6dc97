"""County side: tables 三 and 四 of the 政府信息公开工作年度报告, counted from the cases database.

Every county publishes the report by 31 March in the national format (国办公开办函〔2021〕30号);
its table 三 counts the year's 政府信息公开申请 by applicant and by outcome, its table 四 the
行政复议 and 行政诉讼 over them. Only 政府信息公开申请 count: a call-back or a comment on a
draft is not an application under the 条例. For year Y:

- 一、本年新收: received in Y;
- 二、上年结转: received before Y and not closed before Y;
- 三: closed in Y, in the row of its 办理结果 (one of 21);
- 四、结转下年度继续办理: received by the end of Y and not closed by then.

A request is never closed before it was received, so it is in 一 or 二 exactly when it is
in 三 or 四: every column adds up by construction. ``check`` proves it before anything is
written, and so that the proof means something the totals are counted case by case, not
summed from the cells they total. A request the year cannot place refuses the report by
its 受理编号 (``count_year``): closed without an outcome, an outcome without a closing
date, closed before it was received, 已答复 with neither (it would be carried over
silently), or a value that is not the table's.

Table 四 counts the reviews and suits *filed* in Y, each by its result; one decided after Y,
or not yet, is 尚未审结 in Y's report (a suit filed in December and decided in March is
pending in that year's table and not counted again the next year).

The workbook: the two tables as the national template draws them (merged headers, the row
labels in the first three columns), then 明细, which names the cases behind every number
that is not zero, so each number can be checked against the files. When the terminals
reported use in the year (their signed status reports, kiosk.county.inbox.fleet), the sheet
终端使用情况 follows for the report's text on the kiosks: one row per terminal and month,
how often each kind of use happened (counts only, nothing about who), and 合计.
"""

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from kiosk.county.inbox import fleet
from kiosk.county.inbox.cases import Case, Review, close_cases, open_cases
from kiosk.county.inbox.export import STATUS_ANSWERED, display_width, writable
from kiosk.county.inbox.report_terms import (
    APPLICANT_BAND,
    APPLICANT_TYPES,
    BY_CHOICE,
    CARRIED_LABEL,
    CARRY_OUT_LABEL,
    CHECK_NOTE,
    NATURAL_PERSON,
    NEW_LABEL,
    ORGANISATION_BAND,
    ORGANISATIONS,
    OUTCOME_CHOICES,
    OUTCOMES,
    PENDING,
    RESULTS_LABEL,
    RESULTS_TOTAL,
    REVIEW,
    REVIEW_HEADINGS,
    REVIEW_KINDS,
    REVIEW_RESULTS,
    TABLE_FOUR,
    TABLE_THREE,
    TOTAL,
)
from kiosk.errors import KnownError
from kiosk.files import replacing
from kiosk.formats.status_report import USAGE_KINDS

SHEET_THREE, SHEET_FOUR, DETAIL_SHEET = TABLE_THREE, "四、行政复议和行政诉讼", "明细"
USAGE_SHEET = "终端使用情况"
USAGE_COLUMNS = ("乡镇", "终端", "月份", *USAGE_KINDS.values(), "合计")
DISCLOSURE = "disclosure"
# Table 三's rows in order (the outcomes by their drop-down name) and its columns.
NEW, CARRIED, CARRY_OUT = "一", "二", "四"
THREE_ROWS = (NEW, CARRIED, *OUTCOME_CHOICES, RESULTS_TOTAL, CARRY_OUT)
THREE_COLUMNS = (*APPLICANT_TYPES, TOTAL)
FOUR_COLUMNS = (*REVIEW_RESULTS, TOTAL)
# Where the numbers sit in the sheets, as Excel numbers rows and columns: refusals name them.
THREE_FIRST_ROW, THREE_FIRST_COLUMN = 5, 4
FOUR_ROW = 5
MAX_NAMED = 20  # cases a refusal names before it says how many more
DETAIL_PER_ROW = 1000  # receipts in one cell of 明细 (an Excel cell holds 32,767 characters)

Cell = tuple[str, str]  # (row, column) of table 三; (review kind, result or 总计) of table 四


class Behind(NamedTuple):
    """A case behind a number (for a review or suit: the request it is about)."""

    case_id: int
    receipt: str


@dataclass(frozen=True)
class Counted:
    """The year's two tables, each cell as the cases behind its number."""

    year: int
    three: dict[Cell, list[Behind]]
    four: dict[Cell, list[Behind]]

    def numbers(self) -> tuple[dict[Cell, int], dict[Cell, int]]:
        """(table 三, table 四) as numbers."""
        return ({cell: len(cases) for cell, cases in self.three.items()},
                {cell: len(cases) for cell, cases in self.four.items()})  # fmt: skip


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    year: int
    new: int  # 一、本年新收
    carried: int  # 二、上年结转
    closed: int  # 三（七）总计
    carry_out: int  # 四、结转下年度继续办理
    reviews: int  # 行政复议 filed in the year
    suits: int  # 行政诉讼 filed in the year
    usage_rows: int = 0  # terminal-months on 终端使用情况 (no sheet when 0)


class TableDoesNotAddUp(KnownError):
    """A table broke one of the national format's identities; the cell is named."""


def write_report(db_path: Path | str, year: int, out_xlsx: Path | str) -> ReportSummary:
    """Count ``year`` in the cases database, check both tables and write them to
    ``out_xlsx`` (replaced atomically, readable by its owner only: 明细 names receipts).

    Raises:
        KnownError: a case the year cannot place (named by 受理编号), a table that does not
            add up (TableDoesNotAddUp, the cell named), or the file cannot be written.
    """
    from openpyxl import Workbook  # county side only

    if not 2000 <= year <= 2999:
        raise KnownError(f"年度 {year} 不对（应如 2026）", f"year {year} is not a year like 2026")
    out_xlsx = Path(out_xlsx)
    if not out_xlsx.parent.is_dir():
        raise KnownError(f"找不到输出文件夹 {out_xlsx.parent}", f"{out_xlsx.parent} is not a folder")
    open_cases(db_path)
    try:
        counted = count_year(year)
        usage = fleet.usage_by_month(year)
    finally:
        close_cases()
    check(counted)
    book = Workbook()
    book.remove(book.active)
    _write_three(book.create_sheet(SHEET_THREE), counted)
    _write_four(book.create_sheet(SHEET_FOUR), counted)
    _write_detail(book.create_sheet(DETAIL_SHEET), counted)
    if usage:
        _write_usage(book.create_sheet(USAGE_SHEET), usage)
    with replacing(out_xlsx, 0o600) as out:
        book.save(out)
    three, four = counted.numbers()
    suits = sum(four[(kind, TOTAL)] for kind in REVIEW_KINDS if kind != REVIEW)
    return ReportSummary(out_xlsx, year, three[(NEW, TOTAL)], three[(CARRIED, TOTAL)],
                         three[(RESULTS_TOTAL, TOTAL)], three[(CARRY_OUT, TOTAL)], four[(REVIEW, TOTAL)],
                         suits, len(usage))  # fmt: skip


# -- counting ---------------------------------------------------------------------------------------


def count_year(year: int) -> Counted:
    """Both tables of ``year`` (the cases database open).

    Raises:
        KnownError: a case or review the year cannot place; every one is named (up to
            MAX_NAMED), by 受理编号 and why.
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    three: dict[Cell, list[Behind]] = {(r, c): [] for r in THREE_ROWS for c in THREE_COLUMNS}
    four: dict[Cell, list[Behind]] = {(k, c): [] for k in REVIEW_KINDS for c in FOUR_COLUMNS}
    unfit: list[tuple[str, str, str]] = []  # (receipt, 中文, English)
    cases = (Case.select(Case.id, Case.receipt, Case.received_on, Case.status, Case.answered_on,
                         Case.applicant_type, Case.outcome, Case.closed_on)
             .where((Case.kind == DISCLOSURE) & (Case.received_on <= last))
             .order_by(Case.received_on, Case.receipt))  # fmt: skip
    for case in cases:
        why = _unfit(case, first, last)
        if why is not None:
            unfit.append((case.receipt, *why))
            continue
        for row in _rows_of(case, first, last):
            for column in (case.applicant_type, TOTAL):
                three[(row, column)].append(Behind(case.id, case.receipt))
    reviews = (Review.select(Review.kind, Review.result, Review.filed_on, Review.decided_on, Case.id,
                             Case.receipt)
               .join(Case)
               .where((Case.kind == DISCLOSURE) & (Review.filed_on >= first) & (Review.filed_on <= last))
               .order_by(Review.filed_on, Case.receipt)
               .tuples())  # fmt: skip
    for kind, result, filed_on, decided_on, case_id, receipt in reviews:
        why = _unfit_review(kind, result, filed_on, decided_on, last)
        if why is not None:
            unfit.append((receipt, *why))
            continue
        shown = PENDING if decided_on is None or decided_on > last else result
        for column in (shown, TOTAL):
            four[(kind, column)].append(Behind(case_id, receipt))
    if unfit:
        raise _cannot_place(year, unfit)
    return Counted(year, three, four)


def _rows_of(case: Case, first: dt.date, last: dt.date) -> list[str]:
    """The rows of table 三 a case counts in: 一 or 二, then its outcome and （七） or 四."""
    rows = []
    if case.received_on >= first:
        rows.append(NEW)
    elif case.closed_on is None or case.closed_on >= first:
        rows.append(CARRIED)
    if case.closed_on is not None and first <= case.closed_on <= last:
        rows += [case.outcome, RESULTS_TOTAL]
    elif case.closed_on is None or case.closed_on > last:
        rows.append(CARRY_OUT)
    return rows


def _unfit(case: Case, first: dt.date, last: dt.date) -> tuple[str, str] | None:
    """Why the year cannot place a case (received by ``last``), as (中文, English), or None."""
    closed = case.closed_on
    if closed is not None and closed < first and case.received_on < first:
        return None  # received and closed in earlier years: not in this year's table
    if closed is not None and closed < case.received_on:
        return (f"办结日期 {closed} 早于收到日期 {case.received_on}",
                f"closed on {closed}, before it was received on {case.received_on}")
    if closed is not None and not case.outcome:
        return f"有办结日期 {closed}，没有办理结果", f"closed on {closed} without an outcome"
    if case.outcome and closed is None:
        return f"有办理结果“{case.outcome}”，没有办结日期", f"outcome '{case.outcome}' without a closing date"
    if case.outcome and case.outcome not in BY_CHOICE:
        return (f"办理结果“{case.outcome}”不是表三的一行",
                f"outcome '{case.outcome}' is not a row of table 三")  # fmt: skip
    if case.applicant_type not in APPLICANT_TYPES:
        return (f"申请人类型“{case.applicant_type}”不是表三的一列",
                f"applicant type '{case.applicant_type}' is not a column of table 三")
    answered = case.answered_on
    if closed is None and case.status == STATUS_ANSWERED and (answered is None or answered <= last):
        when = f"（答复日期 {answered}）" if answered else ""
        return (f"已答复{when}，但没有填写办理结果和办结日期",
                f"answered{f' on {answered}' if answered else ''} without an outcome and closing date")
    return None


def _unfit_review(kind: str, result: str, filed_on: dt.date, decided_on: dt.date | None,
                  last: dt.date) -> tuple[str, str] | None:  # fmt: skip
    """Why table 四 cannot count a review or suit filed in the year, or None."""
    what = f"{kind}（{filed_on} 提起）"
    if kind not in REVIEW_KINDS or result not in REVIEW_RESULTS:
        return (f"{what}的类型或结果“{result}”不是表四的取值",
                f"{kind} filed {filed_on}: kind or result '{result}' is not one of table 四's")
    if decided_on is not None and decided_on < filed_on:
        return (f"{what}审结日期 {decided_on} 早于提起日期",
                f"{kind} filed {filed_on} was decided before, on {decided_on}")  # fmt: skip
    if result == PENDING and decided_on is not None and decided_on <= last:
        return (f"{what}结果为“{PENDING}”，却有审结日期 {decided_on}",
                f"{kind} filed {filed_on} is {PENDING} (pending) yet decided on {decided_on}")
    if result != PENDING and decided_on is None:
        return (f"{what}结果为“{result}”，没有审结日期",
                f"{kind} filed {filed_on} is {result} with no decision date")  # fmt: skip
    return None


def _cannot_place(year: int, unfit: list[tuple[str, str, str]]) -> KnownError:
    more = len(unfit) - MAX_NAMED
    zh = "；".join(f"{receipt}：{why}" for receipt, why, _ in unfit[:MAX_NAMED])
    en = "; ".join(f"{receipt}: {why}" for receipt, _, why in unfit[:MAX_NAMED])
    if more > 0:
        zh, en = f"{zh}；另有 {more} 件", f"{en}; {more} more"
    return KnownError(
        f"无法生成 {year} 年度报告：{len(unfit)} 件政府信息公开申请的办理情况不完整，请在办案工作簿中补全"
        f"（kiosk inbox export，填写后 kiosk inbox reply）再生成——{zh}",
        f"cannot write the {year} annual report: {len(unfit)} request(s) are incomplete; complete them in "
        f"the clerk's workbook (kiosk inbox export, then kiosk inbox reply) and run it again: {en}",
    )


# -- the identities --------------------------------------------------------------------------------


def check(counted: Counted) -> None:
    """Refuse tables that do not add up, naming the first cell that does not.

    Raises:
        TableDoesNotAddUp: ``表三 第28行“（七）总计”·自然人列：…`` (and how many more).
    """
    three, four = counted.numbers()
    problems = check_three(three) + check_four(four)
    if problems:
        zh, en = problems[0]
        if len(problems) > 1:
            zh, en = f"{zh}（另有 {len(problems) - 1} 处）", f"{en} ({len(problems) - 1} more)"
        raise TableDoesNotAddUp(f"{counted.year} 年度报告未写出，表格不平：{zh}",
                                f"the {counted.year} annual report was not written, a table does not "
                                f"add up: {en}")  # fmt: skip


def check_three(numbers: dict[Cell, int]) -> list[tuple[str, str]]:
    """Table 三's identities, each failure as (中文, English) naming its cell: per column
    （七）总计 = the 21 outcomes and 一 + 二 = 三（七） + 四; per row 总计 = the six applicant
    columns."""
    problems = []
    for column in THREE_COLUMNS:
        leaves = sum(numbers[(o, column)] for o in OUTCOME_CHOICES)
        if numbers[(RESULTS_TOTAL, column)] != leaves:
            problems.append(_three_cell(RESULTS_TOTAL, column, f"{numbers[(RESULTS_TOTAL, column)]} ≠ "
                                        f"{len(OUTCOME_CHOICES)} 项办理结果之和 {leaves}",
                                        f"{numbers[(RESULTS_TOTAL, column)]} ≠ {leaves}, the sum of the "
                                        f"{len(OUTCOME_CHOICES)} outcomes"))  # fmt: skip
        came = numbers[(NEW, column)] + numbers[(CARRIED, column)]
        went = numbers[(RESULTS_TOTAL, column)] + numbers[(CARRY_OUT, column)]
        if came != went:
            balance = f"一 + 二 = {came}，三（七） + 四 = {went}"
            problems.append(_three_cell(CARRY_OUT, column, f"{balance}，不相等", f"{balance}: not equal"))
    for row in THREE_ROWS:
        six = sum(numbers[(row, c)] for c in APPLICANT_TYPES)
        if numbers[(row, TOTAL)] != six:
            problems.append(_three_cell(row, TOTAL, f"{numbers[(row, TOTAL)]} ≠ 六类申请人之和 {six}",
                                        f"{numbers[(row, TOTAL)]} ≠ {six}, the sum of the six applicant "
                                        "columns"))  # fmt: skip
    return problems


def check_four(numbers: dict[Cell, int]) -> list[tuple[str, str]]:
    """Table 四's identity: each kind's 总计 is the sum of its four results."""
    problems = []
    for kind in REVIEW_KINDS:
        four = sum(numbers[(kind, r)] for r in REVIEW_RESULTS)
        if numbers[(kind, TOTAL)] != four:
            problems.append((f"表四 第{FOUR_ROW}行“{kind}”·{TOTAL}列：{numbers[(kind, TOTAL)]} ≠ "
                             f"{'、'.join(REVIEW_RESULTS)}之和 {four}",
                             f"table 四 row {FOUR_ROW} '{kind}', column {TOTAL}: {numbers[(kind, TOTAL)]} ≠ "
                             f"{four}, the sum of its four results"))  # fmt: skip
    return problems


def _three_cell(row: str, column: str, zh: str, en: str) -> tuple[str, str]:
    number = THREE_FIRST_ROW + THREE_ROWS.index(row)
    label = _three_label(row)
    return (f"表三 第{number}行“{label}”·{column}列：{zh}",
            f"table 三 row {number} '{label}', column {column}: {en}")  # fmt: skip


def _three_label(row: str) -> str:
    """A row of table 三 as a person names it."""
    labels = {NEW: NEW_LABEL, CARRIED: CARRIED_LABEL, CARRY_OUT: CARRY_OUT_LABEL}
    return BY_CHOICE[row].printed if row in BY_CHOICE else labels.get(row, row)


# -- the workbook -----------------------------------------------------------------------------------

_LABEL_WIDTHS = (8, 16, 46)  # columns A, B, C of table 三: 三、…, the groups, the reasons
_NUMBER_WIDTH = 10
_LINE_HEIGHT = 15  # points a line of 11-point text takes


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "head": Font(bold=True), "title": Font(bold=True, size=14),
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "centre": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
    }  # fmt: skip


def _put(sheet, first: tuple[int, int], last: tuple[int, int], value, alignment, font=None,
         fill=None) -> None:  # fmt: skip
    """``value`` in the range ``first``..``last`` (row, column), merged when it spans more
    than one cell."""
    if first != last:
        sheet.merge_cells(start_row=first[0], start_column=first[1], end_row=last[0], end_column=last[1])
    cell = sheet.cell(*first)
    cell.value = value
    cell.alignment = alignment
    if font is not None:
        cell.font = font
    if fill is not None:
        for row in range(first[0], last[0] + 1):
            for column in range(first[1], last[1] + 1):
                sheet.cell(row, column).fill = fill


def _frame(sheet, first: tuple[int, int], last: tuple[int, int], border) -> None:
    """Thin lines around every cell of the table, merged ones included."""
    for row in range(first[0], last[0] + 1):
        for column in range(first[1], last[1] + 1):
            sheet.cell(row, column).border = border


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide."""
    return max(1, math.ceil(display_width(text) / max(width - 2, 1)))


def _page(sheet, last_column: int) -> None:
    from openpyxl.utils import get_column_letter

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:{get_column_letter(last_column)}{sheet.max_row}"


def _note(sheet, row: int, last_column: int, counted: Counted, style: dict) -> None:
    text = (f"统计年度：{counted.year}年1月1日至12月31日。只统计政府信息公开申请（不含咨询·预约回电和"
            f"意见征集）。由案件库生成（kiosk inbox report，{dt.date.today().isoformat()}）；每个数字对应的"
            f"受理编号见“{DETAIL_SHEET}”表。")
    _put(sheet, (row, 1), (row, last_column), text, style["left"])
    sheet.row_dimensions[row].height = _LINE_HEIGHT * 2 + 4


def _write_three(sheet, counted: Counted) -> None:
    """Table 三 as the national template draws it: the check note over the label columns,
    申请人情况 over the seven number columns and 法人或其他组织 over its five; row labels in
    A–C, 三、本年度办理结果 down column A and each group of reasons down column B."""
    from openpyxl.utils import get_column_letter

    style = _styles()
    numbers, _ = counted.numbers()
    right = THREE_FIRST_COLUMN + len(THREE_COLUMNS) - 1
    head = {"font": style["head"], "fill": style["fill"]}
    _put(sheet, (1, 1), (1, right), TABLE_THREE, style["centre"], style["title"])
    sheet.row_dimensions[1].height = 28
    _put(sheet, (2, 1), (4, 3), CHECK_NOTE, style["centre"], **head)
    _put(sheet, (2, THREE_FIRST_COLUMN), (2, right), APPLICANT_BAND, style["centre"], **head)
    _put(sheet, (3, THREE_FIRST_COLUMN), (4, THREE_FIRST_COLUMN), NATURAL_PERSON, style["centre"], **head)
    organisations = THREE_FIRST_COLUMN + 1
    _put(sheet, (3, organisations), (3, organisations + len(ORGANISATIONS) - 1), ORGANISATION_BAND,
         style["centre"], **head)  # fmt: skip
    for offset, name in enumerate(ORGANISATIONS):
        _put(sheet, (4, organisations + offset), (4, organisations + offset), name, style["centre"], **head)
    _put(sheet, (3, right), (4, right), TOTAL, style["centre"], **head)
    for row in (2, 3, 4):
        sheet.row_dimensions[row].height = 24
    row_of = {key: THREE_FIRST_ROW + n for n, key in enumerate(THREE_ROWS)}
    left = style["left"]
    for key, label in ((NEW, NEW_LABEL), (CARRIED, CARRIED_LABEL), (CARRY_OUT, CARRY_OUT_LABEL)):
        _put(sheet, (row_of[key], 1), (row_of[key], 3), label, left)
    _put(sheet, (row_of[OUTCOME_CHOICES[0]], 1), (row_of[RESULTS_TOTAL], 1), RESULTS_LABEL, style["centre"])
    for heading in dict.fromkeys(o.heading for o in OUTCOMES):
        group = [o for o in OUTCOMES if o.heading == heading]
        top, bottom = row_of[group[0].choice], row_of[group[-1].choice]
        if not group[0].label:  # a group that is its own row
            _put(sheet, (top, 2), (top, 3), heading, left)
            continue
        _put(sheet, (top, 2), (bottom, 2), heading, style["centre"])
        for outcome in group:
            _put(sheet, (row_of[outcome.choice], 3), (row_of[outcome.choice], 3), outcome.label, left)
    _put(sheet, (row_of[RESULTS_TOTAL], 2), (row_of[RESULTS_TOTAL], 3), RESULTS_TOTAL, left)
    for key, number in row_of.items():
        for offset, column in enumerate(THREE_COLUMNS):
            cell = sheet.cell(number, THREE_FIRST_COLUMN + offset)
            cell.value = numbers[(key, column)]
            cell.alignment = style["centre"]
        sheet.row_dimensions[number].height = max(20, _LINE_HEIGHT * _lines(*_label_cell(key)) + 5)
    _frame(sheet, (2, 1), (row_of[CARRY_OUT], right), style["border"])
    for column, width in enumerate(_LABEL_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, name in enumerate(THREE_COLUMNS):
        letter = get_column_letter(THREE_FIRST_COLUMN + offset)
        sheet.column_dimensions[letter].width = max(_NUMBER_WIDTH, display_width(name) + 3)
    _note(sheet, row_of[CARRY_OUT] + 2, right, counted, style)
    _page(sheet, right)


def _label_cell(key: str) -> tuple[str, float]:
    """The text of a row of table 三 and the width of the cell it is printed in: across
    A–C, across B–C (a group that is its own row, （七）总计), or in C (a reason)."""
    _, group, reason = _LABEL_WIDTHS
    if key in BY_CHOICE:
        outcome = BY_CHOICE[key]
        return (outcome.label, reason) if outcome.label else (outcome.heading, group + reason)
    if key == RESULTS_TOTAL:
        return RESULTS_TOTAL, group + reason
    return _three_label(key), sum(_LABEL_WIDTHS)


def _write_four(sheet, counted: Counted) -> None:
    """Table 四: 行政复议 and 行政诉讼 bands, the suits split into 未经复议直接起诉 and
    复议后起诉, five columns each (four results and 总计), one row of numbers."""
    from openpyxl.utils import get_column_letter

    style = _styles()
    _, numbers = counted.numbers()
    head = {"font": style["head"], "fill": style["fill"]}
    width = len(FOUR_COLUMNS)
    right = width * len(REVIEW_KINDS)
    _put(sheet, (1, 1), (1, right), TABLE_FOUR, style["centre"], style["title"])
    sheet.row_dimensions[1].height = 28
    bands: dict[str, list[int]] = {}  # band -> the first columns of its kinds
    for n, kind in enumerate(REVIEW_KINDS):
        bands.setdefault(REVIEW_HEADINGS[kind][0], []).append(1 + n * width)
    for band, starts in bands.items():
        _put(sheet, (2, starts[0]), (2, starts[-1] + width - 1), band, style["centre"], **head)
    for n, kind in enumerate(REVIEW_KINDS):
        start, sub = 1 + n * width, REVIEW_HEADINGS[kind][1]
        if sub:
            _put(sheet, (3, start), (3, start + width - 1), sub, style["centre"], **head)
        for offset, column in enumerate(FOUR_COLUMNS):
            top = 4 if sub else 3
            _put(sheet, (top, start + offset), (4, start + offset), column, style["centre"], **head)
            cell = sheet.cell(FOUR_ROW, start + offset)
            cell.value = numbers[(kind, column)]
            cell.alignment = style["centre"]
    for row in (2, 3, 4, FOUR_ROW):
        sheet.row_dimensions[row].height = 24
    _frame(sheet, (2, 1), (FOUR_ROW, right), style["border"])
    for column in range(1, right + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _NUMBER_WIDTH
    _note(sheet, FOUR_ROW + 2, right, counted, style)
    _page(sheet, right)


DETAIL_COLUMNS = ("表", "行号", "行", "列", "件数", "受理编号", "案件ID")


def detail_rows(counted: Counted) -> list[list]:
    """明细: one row per number that is not zero (a long list goes on over more rows, 行
    marked （续）), in the tables' order, with the receipts and case ids behind it."""
    rows = []
    cells = [("表三", THREE_FIRST_ROW + THREE_ROWS.index(r), _three_label(r), c, counted.three[(r, c)])
             for r in THREE_ROWS for c in THREE_COLUMNS]  # fmt: skip
    cells += [("表四", FOUR_ROW, kind, c, counted.four[(kind, c)])
              for kind in REVIEW_KINDS for c in FOUR_COLUMNS]  # fmt: skip
    for table, number, row, column, behind in cells:
        for start in range(0, len(behind), DETAIL_PER_ROW):
            part = behind[start:start + DETAIL_PER_ROW]
            rows.append([table, number, row if not start else f"{row}（续）", column,
                         len(behind) if not start else None, "、".join(b.receipt for b in part),
                         "、".join(str(b.case_id) for b in part)])  # fmt: skip
    return rows


def _write_detail(sheet, counted: Counted) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    style = _styles()
    sheet.append(list(DETAIL_COLUMNS))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.border = style["head"], style["fill"], style["border"]
    top = Alignment(vertical="top", wrap_text=True)
    for values in detail_rows(counted):
        sheet.append([writable(v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment, cell.border = top, style["border"]
    for column, width in enumerate((6, 6, 36, 12, 6, 60, 30), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{max(sheet.max_row, 1)}"


def usage_rows(usage: list[tuple[str, str, str, dict[str, int]]]) -> list[list]:
    """终端使用情况: (乡镇, 终端, 月份, one count per USAGE_KINDS, 合计) per terminal-month."""
    return [[town, name, month, *(counts.get(kind, 0) for kind in USAGE_KINDS), sum(counts.values())]
            for town, name, month, counts in usage]  # fmt: skip


def _write_usage(sheet, usage: list[tuple[str, str, str, dict[str, int]]]) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    style = _styles()
    sheet.append(list(USAGE_COLUMNS))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.border, cell.alignment = (style["head"], style["fill"], style["border"],
                                                             style["centre"])  # fmt: skip
    sheet.row_dimensions[1].height = 32
    top = Alignment(vertical="top")
    widths = [display_width(name) for name in USAGE_COLUMNS]
    for values in usage_rows(usage):
        sheet.append([writable(v) if isinstance(v, str) else v for v in values])
        for index, cell in enumerate(sheet[sheet.max_row]):
            cell.alignment, cell.border = top, style["border"]
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a terminal's name starting with "=" stays text
                widths[index] = max(widths[index], display_width(cell.value))
    for column, width in enumerate(widths, start=1):  # the counts' headings wrap onto two lines
        wide = width + 2 if column <= 3 else max(_NUMBER_WIDTH, width // 2 + 3)
        sheet.column_dimensions[get_column_letter(column)].width = min(wide, 30)
    sheet.freeze_panes = "D2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(USAGE_COLUMNS))}{max(sheet.max_row, 1)}"
