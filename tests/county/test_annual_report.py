"""The 年度报告's tables 三 and 四 from the county's cases database (#26).

Real path throughout: requests sealed by an enrolled terminal and imported on the days
they arrive, the clerk's workbook exported, filled with openpyxl as a clerk fills it in
Excel and read back, the report written and read back cell by cell. The numbers a test
expects are counted here, from what the test meant each request to be, not by the code
under test.
"""

import datetime as dt
import random
import shutil
import sqlite3
from collections import Counter
from dataclasses import dataclass

import openpyxl
import pytest

from kiosk.county.inbox import annual_report, cases, export, reply
from kiosk.county.inbox import intake as county_import
from kiosk.county.inbox import keys as county_keys
from kiosk.county.inbox.report_terms import (
    APPLICANT_TYPES,
    OUTCOME_CHOICES,
    OUTCOMES,
    REVIEW_KINDS,
    REVIEW_RESULTS,
    TOTAL,
)
from kiosk.errors import ImportRefused, KnownError
from kiosk.formats import envelope
from kiosk.outbox import identity
from tests.helpers.cli import run_kiosk
from tests.helpers.envelopes import CALLBACK, DISCLOSURE, drop, write_terminals_csv

YEAR = 2026
AFTER = dt.date(2027, 1, 20)  # the clerk fills the workbook in January: the year is over
DIS, CB = "政府信息公开申请", "咨询·预约回电"
SEVEN = "（七）总计"
ROW_LABELS = {"一": "一、本年新收政府信息公开申请数量", "二": "二、上年结转政府信息公开申请数量",
              "四": "四、结转下年度继续办理"}  # fmt: skip
FIRST, LAST = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
FORMS = {"disclosure": DISCLOSURE, "callback": CALLBACK}


@dataclass
class Plan:
    """One request as the test means it: when it comes, who asked, how and when it closes."""

    received: dt.date
    kind: str = "disclosure"
    applicant: str = "自然人"
    outcome: str | None = None
    closed: dt.date | None = None
    receipt: str = ""


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC)  # 10:00 in Shen County


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The county's inbox keys (valid from 2025 on), one enrolled terminal, an empty folder."""
    folder = tmp_path_factory.mktemp("county")
    county_keys.create_inbox_keys(folder / "keys", today=dt.date(2025, 1, 1), valid_days=5 * 365)
    terminal = identity.load_or_create(folder / "terminal")
    listed = write_terminals_csv(folder / "terminals.csv", [f"{terminal.fingerprint()},张鲁便民中心,,在用"])
    return {"keys": folder / "keys", "public": county_keys.inbox_public(folder / "keys").key,
            "terminal": terminal, "terminals": listed, "folder": folder}  # fmt: skip


def file_requests(county, db, plans: list[Plan]) -> None:
    """Each plan sealed at the terminal and imported at the county on its day (receipts
    noted on the plans)."""
    for day in sorted({p.received for p in plans}):
        today = [p for p in plans if p.received == day]
        sealed = [envelope.seal(FORMS[p.kind], p.kind, county["public"], county["terminal"], now=at(day))
                  for p in today]  # fmt: skip
        folder = db.parent / f"in-{day}"
        drop(folder, sealed)
        report = county_import.import_envelopes(folder, county["keys"], db, county["terminals"], now=at(day))
        assert (report.imported, report.refused) == (len(today), [])
        for plan, sealed_one in zip(today, sealed, strict=True):
            plan.receipt = sealed_one.header.receipt


def by_header(sheet) -> dict[str, int]:
    return {c.value: c.column for c in sheet[1] if c.value}


def clerk_fills(db, plans: list[Plan], reviews=(), name="cases.xlsx", changes=None):
    """Export the workbook and fill it as a clerk does: each planned disclosure's 申请人类型,
    and for a closed one 状态 已答复, the answer, 办理结果 and 办结日期; ``reviews`` rows go on
    复议诉讼 (受理编号, 类型, 结果, 申请/起诉日期, 审结日期); ``changes`` (receipt -> {column:
    value}) last."""
    exported = db.parent / name
    export.export_cases(db, exported, AFTER)
    book = openpyxl.load_workbook(exported)
    sheet = book[DIS]
    col = by_header(sheet)
    planned = {p.receipt: p for p in plans}
    for row in range(2, sheet.max_row + 1):
        plan = planned.get(sheet.cell(row, 1).value)
        if plan is None:
            continue
        values = {"申请人类型": plan.applicant}
        if plan.closed is not None:
            closed = dt.datetime.combine(plan.closed, dt.time())
            values.update({"状态": "已答复", "答复内容": "已书面答复", "答复日期": closed,
                           "办理结果": plan.outcome, "办结日期": closed})  # fmt: skip
        values.update((changes or {}).get(plan.receipt, {}))
        for column, value in values.items():
            sheet.cell(row, col[column]).value = value
    for values in reviews:
        book["复议诉讼"].append(list(values))
    book.save(db.parent / f"filled-{name}")
    return db.parent / f"filled-{name}"


def read_table_three(path) -> dict[tuple[str, str], int]:
    """Table 三 as printed, read by its labels: (row, column) -> number, the row named "一",
    "二", "四", an outcome's drop-down name or （七）总计, the column by its header."""
    sheet = openpyxl.load_workbook(path)[annual_report.SHEET_THREE]
    columns = {}
    for column in range(4, 11):
        columns[column] = sheet.cell(4, column).value or sheet.cell(3, column).value
    by_print = {(o.heading, o.label): o.choice for o in OUTCOMES}
    found, heading = {}, None
    for row in range(5, sheet.max_row + 1):
        first, group, reason = (sheet.cell(row, c).value for c in (1, 2, 3))
        if first in ROW_LABELS.values():
            key = next(k for k, v in ROW_LABELS.items() if v == first)
        elif group == SEVEN:
            key = SEVEN
        elif group is not None or heading is not None:
            heading = group or heading
            key = by_print.get((heading, reason or ""))
        else:
            continue
        if key is None:
            continue
        for column, name in columns.items():
            found[(key, name)] = sheet.cell(row, column).value
    return found


def expected_three(plans: list[Plan], year=YEAR) -> Counter:
    """What table 三 must say, counted from the plans."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cells = Counter()
    for plan in plans:
        if plan.kind != "disclosure" or plan.received > last or (plan.closed and plan.closed < first):
            continue
        rows = ["一" if plan.received >= first else "二"]
        rows += [plan.outcome, SEVEN] if plan.closed and plan.closed <= last else ["四"]
        for row in rows:
            for column in (plan.applicant, TOTAL):
                cells[(row, column)] += 1
    return cells


def year_of_requests() -> list[Plan]:
    """A county's year: requests carried in from 2025 (closed in 2025, in 2026, on 1 January
    2027 and never), the year's own (most closed, some in the new year, some open), three from
    2027, and call-backs that never count; every outcome and applicant type used."""
    rnd = random.Random(26)

    def days(start, end, n):
        span = (end - start).days
        return sorted(start + dt.timedelta(days=rnd.randrange(span + 1)) for _ in range(n))

    plans = []
    prior = days(dt.date(2025, 3, 1), dt.date(2025, 11, 30), 6) + [dt.date(2025, 12, 31)] * 2
    for n, received in enumerate(prior):
        closed = [dt.date(2025, 12, 31), received + dt.timedelta(days=3), dt.date(2026, 1, 1),
                  dt.date(2026, 6, 30), dt.date(2027, 1, 1), None, None, dt.date(2026, 12, 31)][n]
        closed = max(closed, received) if closed else None
        outcome = OUTCOME_CHOICES[n] if closed else None
        plans.append(Plan(received, applicant=APPLICANT_TYPES[n % 6], outcome=outcome, closed=closed))
    pool = [dt.date(2026, 1, 1), *days(dt.date(2026, 1, 2), dt.date(2026, 12, 30), 10), dt.date(2026, 12, 31)]
    for n in range(60):
        received = pool[n % len(pool)]
        if n % 10 == 7:
            closed = None  # still open at the end of the year
        elif n % 10 == 8:
            closed = dt.date(2027, 1, rnd.randrange(1, 15))
        else:
            closed = min(received + dt.timedelta(days=rnd.randrange(0, 40)), LAST)
        outcome = OUTCOME_CHOICES[n % 21] if closed else None
        plans.append(Plan(received, applicant=rnd.choice(APPLICANT_TYPES), outcome=outcome, closed=closed))
    plans += [Plan(dt.date(2027, 1, 5), applicant="科研机构", outcome="予以公开",
                   closed=dt.date(2027, 1, 12)),
              Plan(dt.date(2027, 1, 5)), Plan(dt.date(2027, 1, 6), applicant="其他")]
    calls = (dt.date(2026, 3, 2), dt.date(2026, 9, 9), dt.date(2025, 12, 1))
    plans += [Plan(day, kind="callback") for day in calls]
    return plans


# Reviews and suits, by index into the year's plans (8, 20, 32, … were received on 1 January
# 2026, 3 in 2025): (plan, kind, result, filed, decided).
PENDING_REVIEW = 32
YEAR_REVIEWS = (
    (8, "行政复议", "结果维持", dt.date(2026, 3, 1), dt.date(2026, 5, 1)),
    (20, "行政复议", "结果纠正", dt.date(2026, 4, 1), dt.date(2026, 6, 1)),
    (32, "行政复议", "结果维持", dt.date(2026, 11, 1), dt.date(2027, 1, 10)),  # decided next year: pending
    (32, "行政诉讼（复议后起诉）", "尚未审结", dt.date(2026, 12, 20), None),
    (44, "行政诉讼（未经复议直接起诉）", "其他结果", dt.date(2026, 8, 1), dt.date(2026, 12, 31)),
    (3, "行政复议", "结果维持", dt.date(2025, 12, 30), dt.date(2026, 2, 1)),  # filed in 2025: not this year's
    (56, "行政复议", "结果纠正", dt.date(2027, 1, 3), dt.date(2027, 1, 15)),  # filed in 2027
)


@pytest.fixture(scope="module")
def year(county, tmp_path_factory):
    """The generated year through the real path: filed, the workbook filled and read back,
    the report written. Tests that change the database work on a copy."""
    folder = tmp_path_factory.mktemp("year")
    db = folder / "cases.sqlite3"
    plans = year_of_requests()
    file_requests(county, db, plans)
    reviews = [(plans[n].receipt, kind, result, dt.datetime.combine(filed, dt.time()),
                dt.datetime.combine(decided, dt.time()) if decided else None)
               for n, kind, result, filed, decided in YEAR_REVIEWS]  # fmt: skip
    filled = clerk_fills(db, plans, reviews)
    done = reply.apply_answers(db, filled, AFTER)
    assert done.reviews == len(YEAR_REVIEWS) and done.reviews_changed == 6
    out = folder / "report.xlsx"
    summary = annual_report.write_report(db, YEAR, out)
    return {"db": db, "plans": plans, "report": out, "summary": summary, "folder": folder}


def copy_db(year, tmp_path):
    target = tmp_path / "cases.sqlite3"
    shutil.copy(year["db"], target)
    return target


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- the year ----------------------------------------------------------------------------------------


def test_a_year_of_requests_lands_in_its_cells(year):
    plans, found = year["plans"], read_table_three(year["report"])
    expected = expected_three(plans)
    assert len(found) == 25 * 7
    assert {cell: n for cell, n in found.items() if n} == dict(expected)
    # The edges, counted by hand: 2025's requests closed in 2025 are not this year's; the two
    # received on 2025-12-31 and one closed on 2026-01-01 are 二; 2027's are nowhere.
    disclosure = [p for p in plans if p.kind == "disclosure"]
    carried = [p for p in disclosure if p.received.year == 2025 and not (p.closed and p.closed.year == 2025)]
    assert found[("二", TOTAL)] == len(carried) == 6
    assert found[("一", TOTAL)] == sum(p.received.year == YEAR for p in disclosure) == 60
    assert found[(SEVEN, TOTAL)] == sum(bool(p.closed and p.closed.year == YEAR) for p in disclosure)
    assert found[("四", TOTAL)] == sum(p.received.year <= YEAR and (p.closed is None or p.closed.year > YEAR)
                                      for p in disclosure)  # fmt: skip
    summary = year["summary"]
    assert (summary.new, summary.carried, summary.closed, summary.carry_out) == (
        found[("一", TOTAL)], found[("二", TOTAL)], found[(SEVEN, TOTAL)], found[("四", TOTAL)])


def test_the_years_numbers_keep_the_national_identities(year):
    """Checked on the numbers as printed, not through the code's own checker."""
    found = read_table_three(year["report"])
    for column in (*APPLICANT_TYPES, TOTAL):
        assert found[("一", column)] + found[("二", column)] == found[(SEVEN, column)] + found[("四", column)]
        assert found[(SEVEN, column)] == sum(found[(o, column)] for o in OUTCOME_CHOICES)
    for row in ("一", "二", *OUTCOME_CHOICES, SEVEN, "四"):
        assert found[(row, TOTAL)] == sum(found[(row, c)] for c in APPLICANT_TYPES)
    assert all(found[(SEVEN, c)] for c in APPLICANT_TYPES)  # every applicant column is used


def test_table_four_counts_what_was_filed_in_the_year_by_result(year):
    sheet = openpyxl.load_workbook(year["report"])[annual_report.SHEET_FOUR]
    assert [sheet.cell(2, c).value for c in (1, 6)] == ["行政复议", "行政诉讼"]
    assert [sheet.cell(3, c).value for c in (6, 11)] == ["未经复议直接起诉", "复议后起诉"]
    assert [sheet.cell(3, c).value for c in range(1, 6)] == [*REVIEW_RESULTS, TOTAL]
    assert [sheet.cell(4, c).value for c in range(6, 16)] == [*REVIEW_RESULTS, TOTAL] * 2
    numbers = [sheet.cell(5, c).value for c in range(1, 16)]
    # 复议: 维持 1, 纠正 1, one decided in 2027 pending; 2025's and 2027's not counted.
    assert numbers == [1, 1, 0, 1, 3, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1]
    assert (year["summary"].reviews, year["summary"].suits) == (3, 2)


def test_the_report_is_drawn_as_the_national_template(year):
    book = openpyxl.load_workbook(year["report"])
    assert book.sheetnames == ["三、收到和处理政府信息公开申请情况", "四、行政复议和行政诉讼", "明细"]
    three, four = book.worksheets[:2]
    merged = {str(r) for r in three.merged_cells.ranges}
    assert {"A1:J1", "A2:C4", "D2:J2", "D3:D4", "E3:I3", "J3:J4", "A5:C5", "A6:C6", "A7:A28", "B7:C7",
            "B8:C8", "B9:B16", "B17:B19", "B20:B24", "B25:B27", "B28:C28", "A29:C29"} <= merged
    assert three["A1"].value == "三、收到和处理政府信息公开申请情况"
    assert three["A2"].value.startswith("（本列数据的勾稽关系为：第一项加第二项之和")
    assert [three[ref].value for ref in ("D2", "E3", "J3")] == ["申请人情况", "法人或其他组织", "总计"]
    assert [three.cell(4, c).value for c in range(5, 10)] == list(APPLICANT_TYPES[1:])
    assert [three[ref].value for ref in ("A7", "B9", "C9")] == ["三、本年度办理结果", "（三）不予公开",
                                                               "1.属于国家秘密"]  # fmt: skip
    assert three["C26"].value == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    assert three["B8"].value == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    for ref, sides in (("A2", "left top"), ("C4", "right bottom"), ("A17", "left right"), ("B20", "left top"),
                       ("C29", "right bottom"), ("D5", "left right top bottom"), ("J29", "right bottom")):
        assert {getattr(three[ref].border, side).style for side in sides.split()} == {"thin"}, ref
    assert all(isinstance(three.cell(r, c).value, int) for r in range(5, 30) for c in range(4, 11))
    assert three.column_dimensions["C"].width >= 40 and three.row_dimensions[26].height >= 30
    assert {"A1:O1", "A2:E2", "F2:O2", "A3:A4", "E3:E4", "F3:J3", "K3:O3"} <= {str(r) for r in
                                                                               four.merged_cells.ranges}
    assert four["A1"].value == "四、政府信息公开行政复议、行政诉讼情况"
    assert "统计年度：2026年1月1日至12月31日" in three["A31"].value


def test_the_detail_names_the_requests_behind_every_number(year):
    plans, found = year["plans"], read_table_three(year["report"])
    detail = list(openpyxl.load_workbook(year["report"])["明细"].iter_rows(values_only=True))
    assert detail[0] == ("表", "行号", "行", "列", "件数", "受理编号", "案件ID")
    three = [r for r in detail[1:] if r[0] == "表三"]
    assert len(three) == sum(1 for n in found.values() if n)  # every number but zero, once
    for _, _, _, _, count, receipts, ids in three:
        assert count == len(receipts.split("、")) == len(ids.split("、"))
    carried = next(r for r in three if r[2] == ROW_LABELS["二"] and r[3] == TOTAL)
    assert carried[1] == 6 and set(carried[5].split("、")) == {
        p.receipt for p in plans if p.kind == "disclosure" and p.received.year == 2025
        and not (p.closed and p.closed.year == 2025)}  # fmt: skip
    secret = next(r for r in three if r[2] == "（三）不予公开 1.属于国家秘密" and r[3] == TOTAL)
    assert secret[1] == 9
    assert set(secret[5].split("、")) == {p.receipt for p in plans if p.outcome == "不予公开·属于国家秘密"
                                          and p.closed and p.closed.year == YEAR}  # fmt: skip
    ids = dict(rows(year["db"], 'SELECT receipt, id FROM "case"'))
    assert secret[6].split("、") == [str(ids[r]) for r in secret[5].split("、")]
    four = [r for r in detail[1:] if r[0] == "表四"]
    assert [(r[2], r[3], r[4]) for r in four if r[3] == TOTAL] == [
        ("行政复议", TOTAL, 3), ("行政诉讼（未经复议直接起诉）", TOTAL, 1),
        ("行政诉讼（复议后起诉）", TOTAL, 1)]
    pending = next(r for r in four if r[3] == "尚未审结" and r[2] == "行政复议")
    assert pending[5] == year["plans"][PENDING_REVIEW].receipt


def test_a_long_list_goes_on_over_more_rows(year, monkeypatch):
    monkeypatch.setattr(annual_report, "DETAIL_PER_ROW", 4)
    cases.open_cases(year["db"])
    try:
        counted = annual_report.count_year(YEAR)
    finally:
        cases.close_cases()
    detail = annual_report.detail_rows(counted)
    carried = [r for r in detail if r[2].startswith(ROW_LABELS["二"]) and r[3] == TOTAL]
    assert [(r[2], r[4], len(r[5].split("、"))) for r in carried] == [
        (ROW_LABELS["二"], 6, 4), (ROW_LABELS["二"] + "（续）", None, 2)]


# -- the clerk's workbook --------------------------------------------------------------------------


@pytest.fixture
def fresh(county, tmp_path):
    """Twenty-one requests received in March 2026, nothing filled in yet."""
    db = tmp_path / "cases.sqlite3"
    plans = [Plan(dt.date(2026, 3, 2 + n // 7)) for n in range(21)]
    file_requests(county, db, plans)
    return db, plans


def test_every_outcome_is_reachable_from_the_workbook_and_lands_in_its_row(fresh, tmp_path):
    db, plans = fresh
    for n, plan in enumerate(plans):  # one request per outcome, the applicant types in turn
        plan.outcome, plan.applicant = OUTCOME_CHOICES[n], APPLICANT_TYPES[n % 6]
        plan.closed = dt.date(2026, 4, 1) + dt.timedelta(days=n)
    exported = tmp_path / "exported.xlsx"
    export.export_cases(db, exported, AFTER)
    book = openpyxl.load_workbook(exported)
    options = book["选项"]
    assert options.sheet_state == "hidden" and options.max_row == 1
    assert [c.value for c in options[1]] == list(OUTCOME_CHOICES)
    sheet = book[DIS]
    col = by_header(sheet)
    letter = openpyxl.utils.get_column_letter
    validations = sheet.data_validations.dataValidation
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in validations}
    outcome = lists[letter(col["办理结果"])]
    assert outcome.formula1 == "'选项'!$A$1:$U$1" and outcome.showErrorMessage
    six = '"自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他"'
    assert lists[letter(col["申请人类型"])].formula1 == six
    assert all(len(v.formula1) <= 255 for v in validations)
    assert {sheet.cell(r, col["申请人类型"]).value for r in range(2, 23)} == {"自然人"}  # a kiosk request
    assert reply.apply_answers(db, clerk_fills(db, plans), AFTER).changed == 21
    out = tmp_path / "report.xlsx"
    annual_report.write_report(db, YEAR, out)
    found = read_table_three(out)
    for plan in plans:
        assert found[(plan.outcome, plan.applicant)] == 1, plan.outcome
        assert found[(plan.outcome, TOTAL)] == 1
        others = [c for c in APPLICANT_TYPES if c != plan.applicant]
        assert [found[(plan.outcome, c)] for c in others] == [0] * 5
    assert [found[("一", c)] for c in (*APPLICANT_TYPES, TOTAL)] == [4, 4, 4, 3, 3, 3, 21]
    assert found[(SEVEN, TOTAL)] == 21 and found[("四", TOTAL)] == 0


def test_the_next_export_shows_what_is_stored(fresh, tmp_path):
    db, plans = fresh
    plans[0].applicant, plans[0].outcome, plans[0].closed = "法律服务机构", "部分公开", dt.date(2026, 3, 20)
    review = (plans[0].receipt, "行政复议", "尚未审结", dt.datetime(2026, 4, 2), None)
    reply.apply_answers(db, clerk_fills(db, plans[:1], [review]), AFTER)
    again = tmp_path / "again.xlsx"
    assert export.export_cases(db, again, AFTER).reviews == 1
    book = openpyxl.load_workbook(again)
    sheet = book[DIS]
    col = by_header(sheet)
    [row] = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == plans[0].receipt]
    assert (sheet.cell(row, col["申请人类型"]).value, sheet.cell(row, col["办理结果"]).value,
            sheet.cell(row, col["办结日期"]).value) == ("法律服务机构", "部分公开", dt.datetime(2026, 3, 20))
    reviews = book["复议诉讼"]
    assert [c.value for c in reviews[1]] == ["受理编号", "类型", "结果", "申请/起诉日期", "审结日期"]
    stored = [plans[0].receipt, "行政复议", "尚未审结", dt.datetime(2026, 4, 2), None]
    assert [c.value for c in reviews[2]] == stored
    formulas = [v.formula1 for v in reviews.data_validations.dataValidation]
    assert formulas == ["'政府信息公开申请'!$A$2:$A$22",
                        '"行政复议,行政诉讼（未经复议直接起诉）,行政诉讼（复议后起诉）"',
                        '"结果维持,结果纠正,其他结果,尚未审结"']  # fmt: skip
    # Read back unchanged, the same workbook changes nothing.
    done = reply.apply_answers(db, again, AFTER)
    assert (done.changed, done.reviews, done.reviews_changed) == (0, 1, 0)


def test_the_review_sheet_is_the_whole_list_and_an_older_workbook_leaves_things_alone(fresh, tmp_path):
    db, plans = fresh
    plans[0].outcome, plans[0].closed = "予以公开", dt.date(2026, 3, 20)
    both = [(plans[0].receipt, "行政复议", "结果维持", dt.datetime(2026, 4, 2), dt.datetime(2026, 6, 1)),
            (plans[1].receipt, "行政诉讼（未经复议直接起诉）", "尚未审结", dt.datetime(2026, 5, 2), None)]
    reply.apply_answers(db, clerk_fills(db, plans[:2], both), AFTER)
    stored = 'SELECT c.receipt, r.kind, r.result FROM review r JOIN "case" c ON c.id = r.case_id ORDER BY 1'
    assert rows(db, stored) == sorted([(r[0], r[1], r[2]) for r in both])
    # Without the new columns and sheet (a workbook saved before them): as stored.
    old = openpyxl.Workbook()
    old.active.append(["受理编号", "状态", "答复日期", "答复内容"])
    old.active.append([plans[0].receipt, "已答复", "2026-03-20", "已书面答复"])
    old.save(tmp_path / "old.xlsx")
    done = reply.apply_answers(db, tmp_path / "old.xlsx", AFTER)
    assert (done.changed, done.reviews) == (0, None)
    assert rows(db, 'SELECT outcome, closed_on FROM "case" WHERE receipt = ?', (plans[0].receipt,)) == [
        ("予以公开", "2026-03-20")]
    assert len(rows(db, stored)) == 2
    # A row deleted from 复议诉讼 is deleted: the sheet is the whole list.
    exported = tmp_path / "exported.xlsx"
    export.export_cases(db, exported, AFTER)
    book = openpyxl.load_workbook(exported)
    sheet = book["复议诉讼"]
    [row] = [r for r in range(2, 4) if sheet.cell(r, 1).value == plans[1].receipt]
    sheet.delete_rows(row)
    book.save(exported)
    done = reply.apply_answers(db, exported, AFTER)
    assert (done.reviews, done.reviews_changed) == (1, 1)
    assert rows(db, stored) == [(plans[0].receipt, "行政复议", "结果维持")]


def test_wrong_report_cells_are_refused_by_name_and_nothing_is_stored(county, fresh, tmp_path):
    db, plans = fresh
    [callback] = [Plan(dt.date(2026, 3, 2), kind="callback")]
    file_requests(county, db, [callback])
    r = [p.receipt for p in plans]
    changes = {
        r[0]: {"办理结果": "已公开", "办结日期": "2026-04-01"},
        r[1]: {"申请人类型": "个体工商户"},
        r[2]: {"办理结果": "予以公开"},
        r[3]: {"办结日期": "2026-04-01"},
        r[4]: {"办理结果": "予以公开", "办结日期": "2026-03-01"},  # received 2026-03-02
        r[5]: {"办理结果": "予以公开", "办结日期": "2027-02-01"},
    }
    reviews = [
        ("99999-99999-9999", "行政复议", "结果维持", dt.datetime(2026, 4, 1), dt.datetime(2026, 5, 1)),
        (callback.receipt, "行政复议", "结果维持", dt.datetime(2026, 4, 1), dt.datetime(2026, 5, 1)),
        (r[6], "行政复议", "维持", dt.datetime(2026, 4, 1), dt.datetime(2026, 5, 1)),
        (r[7], "行政诉讼", "尚未审结", dt.datetime(2026, 4, 1), None),
        (r[8], "行政复议", "结果纠正", dt.datetime(2026, 4, 1), None),
        (r[9], "行政复议", "尚未审结", dt.datetime(2026, 4, 1), dt.datetime(2026, 5, 1)),
        (r[10], "行政复议", "结果维持", dt.datetime(2026, 5, 1), dt.datetime(2026, 4, 1)),
        (r[11], "行政复议", "结果维持", dt.datetime(2026, 2, 1), dt.datetime(2026, 4, 1)),
        (r[12], "行政复议", "尚未审结", None, None),
    ]
    filled = clerk_fills(db, plans, reviews, changes=changes)
    book = openpyxl.load_workbook(filled)  # the call-back's sheet gains 办理结果 as a clerk might add it
    calls = book[CB]
    calls.cell(1, calls.max_column + 1).value = "办理结果"
    calls.cell(1, calls.max_column + 1).value = "办结日期"
    calls.cell(2, calls.max_column - 1).value = "予以公开"
    calls.cell(2, calls.max_column).value = "2026-04-01"
    book.save(filled)
    before = rows(db, 'SELECT * FROM "case" ORDER BY id'), rows(db, "SELECT * FROM review")
    with pytest.raises(ImportRefused) as info:
        reply.apply_answers(db, filled, AFTER)
    sheet = book[DIS]
    row = {sheet.cell(n, 1).value: n for n in range(2, sheet.max_row + 1)}
    d, v, c = (f"filled-cases.xlsx[{name}]" for name in (DIS, "复议诉讼", CB))
    lines = sorted(info.value.problems)
    assert lines == sorted([
        f"{d}:{row[r[0]]}:办理结果: “已公开”不是年度报告表三的办理结果，请从下拉列表中选择 / '已公开' is"
        " not one of the 21 outcomes of the annual report's table 三; pick one from the drop-down",
        f"{d}:{row[r[1]]}:申请人类型: “个体工商户”不是允许的取值（自然人、商业企业、科研机构、社会公益组织、"
        "法律服务机构、其他） / '个体工商户' is not one of 自然人, 商业企业, 科研机构, 社会公益组织,"
        " 法律服务机构, 其他",
        f"{d}:{row[r[2]]}:办结日期: 选择了办理结果，须填写办结日期 / an outcome needs its closing date",
        f"{d}:{row[r[3]]}:办理结果: 填写了办结日期，须选择办理结果 / a closing date needs its outcome",
        f"{d}:{row[r[4]]}:办结日期: 办结日期 2026-03-01 早于收到日期 2026-03-02 / the closing date 2026-03-01"
        " is before the received date 2026-03-02",
        f"{d}:{row[r[5]]}:办结日期: 办结日期 2027-02-01 晚于今天 2027-01-20 / the closing date 2027-02-01 is"
        " after today 2027-01-20",
        *(f"{c}:2:{column}: “{column}”只用于政府信息公开申请，本件不是，请留空 / {column} is for"
          " 政府信息公开申请 only; leave it empty for this request" for column in ("办理结果", "办结日期")),
        f"{v}:2:受理编号: 受理编号“99999-99999-9999”不在案件库中 / receipt number '99999-99999-9999' is"
        " not in the cases database",
        f"{v}:3:受理编号: 受理编号“{callback.receipt}”不是政府信息公开申请（复议诉讼只登记这类申请） /"
        f" receipt number '{callback.receipt}' is not a 政府信息公开申请, the only kind listed here",
        f"{v}:4:结果: “维持”不是允许的取值（结果维持、结果纠正、其他结果、尚未审结） / '维持' is not one of"
        " 结果维持, 结果纠正, 其他结果, 尚未审结",
        f"{v}:5:类型: “行政诉讼”不是允许的取值（行政复议、行政诉讼（未经复议直接起诉）、"
        "行政诉讼（复议后起诉）） / '行政诉讼' is not one of 行政复议, 行政诉讼（未经复议直接起诉）,"
        " 行政诉讼（复议后起诉）",
        f"{v}:6:审结日期: 结果为“结果纠正”时须填写审结日期 / a decision date is required when the result"
        " is 结果纠正",
        f"{v}:7:审结日期: 结果为“尚未审结”时审结日期应留空 / leave the decision date empty while the result"
        " is 尚未审结 (pending)",
        f"{v}:8:审结日期: 审结日期 2026-04-01 早于申请/起诉日期 2026-05-01 / the decision date 2026-04-01 is"
        " before the filing date 2026-05-01",
        f"{v}:9:申请/起诉日期: 申请/起诉日期 2026-02-01 早于收到申请的日期 2026-03-03 / the filing date"
        " 2026-02-01 is before the request was received (2026-03-03)",
        f"{v}:10:申请/起诉日期: 必填项为空 / required cell is empty",
    ])
    assert (rows(db, 'SELECT * FROM "case" ORDER BY id'), rows(db, "SELECT * FROM review")) == before


# -- refusals of the report ---------------------------------------------------------------------------


def test_a_request_the_year_cannot_place_refuses_the_report_by_its_receipt(year, tmp_path):
    db = copy_db(year, tmp_path)
    closed = [p for p in year["plans"] if p.closed and p.closed.year == YEAR and p.received.year == YEAR]
    still_open = [p for p in year["plans"]
                  if p.kind == "disclosure" and p.closed is None and p.received.year == YEAR]  # fmt: skip
    conn = sqlite3.connect(db)
    conn.execute('UPDATE "case" SET outcome = NULL WHERE receipt = ?', (closed[0].receipt,))
    conn.execute('UPDATE "case" SET closed_on = NULL WHERE receipt = ?', (closed[1].receipt,))
    conn.execute('UPDATE "case" SET closed_on = ? WHERE receipt = ?',
                 ((closed[2].received - dt.timedelta(days=1)).isoformat(), closed[2].receipt))  # fmt: skip
    conn.execute("""UPDATE "case" SET status = '已答复', answer = '已答复', answered_on = '2026-12-30'
                    WHERE receipt = ?""", (still_open[0].receipt,))  # fmt: skip
    conn.commit()
    conn.close()
    out = tmp_path / "report.xlsx"
    with pytest.raises(KnownError) as info:
        annual_report.write_report(db, YEAR, out)
    zh = info.value.zh
    assert zh.startswith("无法生成 2026 年度报告：4 件政府信息公开申请的办理情况不完整")
    assert f"{closed[0].receipt}：有办结日期 {closed[0].closed}，没有办理结果" in zh
    assert f"{closed[1].receipt}：有办理结果“{closed[1].outcome}”，没有办结日期" in zh
    assert (f"{closed[2].receipt}：办结日期 {closed[2].received - dt.timedelta(days=1)} 早于收到日期 "
            f"{closed[2].received}") in zh
    assert f"{still_open[0].receipt}：已答复（答复日期 2026-12-30），但没有填写办理结果和办结日期" in zh
    assert "\n" not in str(info.value) and not out.exists()
    # The year before does not look at them: 2025's report comes out.
    assert annual_report.write_report(db, 2025, tmp_path / "2025.xlsx").closed == 2


def test_a_table_that_does_not_add_up_is_refused_by_its_cell(year, tmp_path, monkeypatch):
    """The identities hold by construction: the checker is tried on doctored tables."""
    cases.open_cases(year["db"])
    try:
        counted = annual_report.count_year(YEAR)
    finally:
        cases.close_cases()
    three, four = counted.numbers()
    assert annual_report.check_three(three) == [] and annual_report.check_four(four) == []
    doctored = {**three, (SEVEN, "自然人"): three[(SEVEN, "自然人")] + 1}
    n, s = three[(SEVEN, "自然人")], sum(three[(o, "自然人")] for o in OUTCOME_CHOICES)
    came = three[("一", "自然人")] + three[("二", "自然人")]
    assert [zh for zh, _ in annual_report.check_three(doctored)] == [
        f"表三 第28行“（七）总计”·自然人列：{n + 1} ≠ 21 项办理结果之和 {s}",
        f"表三 第29行“四、结转下年度继续办理”·自然人列：一 + 二 = {came}，三（七） + 四 = "
        f"{came + 1}，不相等",
        f"表三 第28行“（七）总计”·总计列：{three[(SEVEN, TOTAL)]} ≠ 六类申请人之和"
        f" {three[(SEVEN, TOTAL)] + 1}",
    ]
    leaf = "不予处理·重复申请"
    doctored = {**three, (leaf, "商业企业"): three[(leaf, "商业企业")] + 2}
    assert [zh.split("：")[0] for zh, _ in annual_report.check_three(doctored)] == [
        "表三 第28行“（七）总计”·商业企业列", "表三 第21行“（五）不予处理 2.重复申请”·总计列"]
    doctored = {**three, ("一", TOTAL): three[("一", TOTAL)] - 1}
    assert [zh.split("：")[0] for zh, _ in annual_report.check_three(doctored)] == [
        "表三 第29行“四、结转下年度继续办理”·总计列", "表三 第5行“一、本年新收政府信息公开申请数量”·总计列"]
    doctored = {**four, ("行政复议", "结果纠正"): 0}
    assert annual_report.check_four(doctored) == [
        ("表四 第5行“行政复议”·总计列：3 ≠ 结果维持、结果纠正、其他结果、尚未审结之和 2",
         "table 四 row 5 '行政复议', column 总计: 3 ≠ 2, the sum of its four results")]
    # The whole report: one cell too many, and nothing is written.
    counted.three[("二", "科研机构")].append(annual_report.Behind(0, "00000-00000-0000"))
    monkeypatch.setattr(annual_report, "count_year", lambda _: counted)
    out = tmp_path / "report.xlsx"
    with pytest.raises(annual_report.TableDoesNotAddUp) as info:
        annual_report.write_report(year["db"], YEAR, out)
    assert info.value.zh.startswith("2026 年度报告未写出，表格不平："
                                    "表三 第29行“四、结转下年度继续办理”·科研机构列：")  # fmt: skip
    assert info.value.zh.endswith("（另有 1 处）") and not out.exists()


# -- the command and the schema ---------------------------------------------------------------------


def test_the_report_command_writes_the_tables_or_refuses_in_one_line(year, tmp_path):
    out = tmp_path / "report.xlsx"
    done = run_kiosk("inbox", "report", "--year", "2026", "--db", year["db"], "--out", out, ok=True)
    s = year["summary"]
    assert done.stdout.startswith("2026 年度报告表三、表四已生成") and len(done.stdout.splitlines()) == 1
    assert done.stdout.strip().endswith(
        f"：本年新收 {s.new} 件，上年结转 {s.carried} 件，本年办结 {s.closed} 件，"
        f"结转下年度 {s.carry_out} 件；行政复议 3 件，行政诉讼 2 件 → {out}")
    assert read_table_three(out) == read_table_three(year["report"])
    db = copy_db(year, tmp_path)
    receipt = next(p.receipt for p in year["plans"] if p.closed and p.closed.year == YEAR)
    conn = sqlite3.connect(db)
    conn.execute('UPDATE "case" SET outcome = NULL WHERE receipt = ?', (receipt,))
    conn.commit()
    conn.close()
    refused = run_kiosk("inbox", "report", "--year", "2026", "--db", db, "--out", tmp_path / "no.xlsx",
                        ok=False)  # fmt: skip
    assert refused.returncode == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and receipt in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "no.xlsx").exists()


def test_a_database_of_schema_3_gains_the_reports_columns(tmp_path):
    db = tmp_path / "cases.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript("".join(cases.MIGRATIONS[n] for n in (1, 2, 3)) + "PRAGMA user_version = 3;")
    conn.execute("""INSERT INTO "case" (ulid, receipt, kind, created, received_on, due_on,
                    terminal_fingerprint, terminal_verified, status, answered_on)
                    VALUES ('U', '12345-67890-1234', 'disclosure', 'x', '2025-06-01', '2025-06-30', 'f', 1,
                    '已答复', '2025-06-20')""")  # fmt: skip
    conn.commit()
    conn.close()
    annual_report.write_report(db, 2024, tmp_path / "2024.xlsx")  # opens (and upgrades) the database
    assert rows(db, "PRAGMA user_version") == [(cases.LATEST,)]
    assert rows(db, 'SELECT applicant_type, outcome, closed_on FROM "case"') == [("自然人", None, None)]
    assert rows(db, "SELECT count(*) FROM review") == [(0,)]
    # Answered before the report's columns existed: 2025's report asks for its outcome.
    with pytest.raises(KnownError, match="12345-67890-1234：已答复（答复日期 2025-06-20），但没有填写"):
        annual_report.write_report(db, 2025, tmp_path / "2025.xlsx")


def test_the_terms_are_the_national_tables_rows():
    groups = Counter(o.heading for o in OUTCOMES)
    assert list(groups.values()) == [1, 1, 8, 3, 5, 3] and len(set(OUTCOME_CHOICES)) == 21
    assert [o.label for o in OUTCOMES if o.heading == "（四）无法提供"] == [
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
    assert len(",".join(OUTCOME_CHOICES)) > 255  # why the drop-down reads them from a hidden sheet
    assert (len(APPLICANT_TYPES), len(REVIEW_KINDS), len(REVIEW_RESULTS)) == (6, 3, 4)
