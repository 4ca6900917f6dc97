"""The county's 政策找人 workbook, ``screening.xlsx``, read as the feed's two datasets
(screening_policies, screening_conditions) and its scenario tests, every problem named
``file[sheet]:row:column``:

    政策    one policy a row: what it gives, how and where to apply, what to bring, the phone,
            the time limit, 免申即享 or 依申请, the document it comes from (SCREENING_POLICIES)
    条件    its conditions, one dated value a row: 条件组, 问题, 比较, 取值, 条件说明, 生效日期,
            失效日期, 依据 (SCREENING_CONDITIONS; kiosk.formats.screening says what they mean)
    场景    scenario tests: 场景编号, 场景说明, 评估日期, one column per question (an option,
            不清楚 or empty), and the policy codes expected 可能符合, 可能不符合, 无法判断
    说明    notes for the clerk, not read

Beyond each cell, the reader refuses a condition on a question that does not exist or with an
option the question lacks, dated values that overlap or leave a gap, a policy without a
condition, a condition or case naming a policy that does not exist, and every scenario that
the rules do not bear out (by its 场景编号). County side and tests only."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.formats import cells, screening
from kiosk.formats import datasets as ds
from kiosk.formats.datasets import Column, Dataset
from kiosk.formats.spreadsheet import SheetRefused, open_sheets
from kiosk.formats.validate import DuplicateFinder, Problems, Row, read_rows

WORKBOOK = ds.SCREENING_WORKBOOK
POLICIES_SHEET, CONDITIONS_SHEET, CASES_SHEET, NOTES_SHEET = "政策", "条件", "场景", "说明"
_EXPECTED = (
    ("可能符合", screening.LIKELY),
    ("可能不符合", screening.UNLIKELY),
    ("无法判断", screening.UNDECIDED),
)

CASE_SHEET = Dataset(
    "screening_cases",
    "政策找人·场景表",
    (
        Column("场景编号", "code", cells.short_code),
        Column("场景说明", "title", max_len=100),
        Column("评估日期", "day", cells.date),
        *(Column(q.code, q.code, cells.one_of(*q.labels, screening.UNKNOWN), required=False)
          for q in screening.QUESTIONS),
        *(Column(header, outcome, required=False, max_len=600) for header, outcome in _EXPECTED),
    ),
    unique=("code",),
    workbook=WORKBOOK,
)  # fmt: skip


@dataclass
class Book:
    """What the workbook holds, once every check passed (``problems`` empty)."""

    rows: dict[str, list[Row]] = field(default_factory=dict)  # dataset name -> rows
    cases: list[screening.Case] = field(default_factory=list)
    rules: screening.Rules | None = None


def read_workbook(path: Path, display: str, problems: Problems) -> Book:
    """The policies, conditions and cases of ``path``, checked, and the cases run. Every
    problem is added to ``problems``; callers refuse while there is any."""
    book = Book({ds.SCREENING_POLICIES.name: [], ds.SCREENING_CONDITIONS.name: []})
    try:
        sheets = {sheet.name: sheet for sheet in open_sheets(path)}
    except SheetRefused as exc:
        problems.add(f"{display}:{exc.row}" if exc.row else display, *exc.reason)
        return book
    readers = {POLICIES_SHEET: ds.SCREENING_POLICIES, CONDITIONS_SHEET: ds.SCREENING_CONDITIONS,
               CASES_SHEET: CASE_SHEET}  # fmt: skip
    found: dict[str, list[Row]] = {}
    for name, sheet in sheets.items():
        where = f"{display}[{name}]"
        dataset = readers.get(name.strip())
        if dataset is None:
            if name.strip() != NOTES_SHEET:
                problems.add(where, f"不认识的工作表“{name}”（应为 {'、'.join(readers)}、{NOTES_SHEET}）",
                             f"unknown sheet '{name}'")  # fmt: skip
            continue
        # a list, not read_rows' generator: its problems must be counted before the check
        # below, and the policies are read twice (_rules)
        found[dataset.name] = list(read_rows(dataset, path, problems, DuplicateFinder(), where,
                                             sheet=sheet, mask=True))  # fmt: skip
    for name in (POLICIES_SHEET, CONDITIONS_SHEET):
        if name not in sheets:
            problems.add(display, f"缺少工作表“{name}”", f"the sheet '{name}' is missing")
    if problems:
        return book
    policies, conditions = found[ds.SCREENING_POLICIES.name], found[ds.SCREENING_CONDITIONS.name]
    rules = _rules(policies, conditions, problems)
    cases = _cases(found.get(CASE_SHEET.name, []), rules, problems)
    if not problems:
        for case in cases:
            for zh, en in screening.case_failures(rules, case):
                problems.add(case.where, zh, en)
    if not cases and not problems:
        problems.add(
            f"{display}[{CASES_SHEET}]",
            "没有场景测试：每条政策至少要有一个场景（“场景”表）",
            "no scenario tests: every policy needs at least one",
        )
    untested = (
        [p.code for p in rules.policies if not any(p.code in c.expected for c in cases)] if cases else []
    )
    if untested:
        problems.add(
            f"{display}[{CASES_SHEET}]",
            f"政策 {'、'.join(untested)} 没有场景测试",
            f"policies without a scenario test: {untested}",
        )
    if not problems:
        book.rows = {ds.SCREENING_POLICIES.name: policies, ds.SCREENING_CONDITIONS.name: conditions}
        book.cases, book.rules = cases, rules
    return book


def _rules(policies: list[Row], conditions: list[Row], problems: Problems) -> screening.Rules:
    codes = {row["code"] for row in policies}
    parsed: dict[str, list[screening.Condition]] = {}
    for row in conditions:
        if row["policy_code"] not in codes:
            problems.add(f"{row['_where']}:政策编号", f"“政策”表中没有政策 {row['policy_code']}",
                         f"no policy {row['policy_code']}")  # fmt: skip
            continue
        try:
            condition = screening.condition_from_row(row)
        except screening.RuleError as exc:
            problems.add(f"{row['_where']}:{exc.column}", exc.zh, exc.en)
            continue
        if condition.valid_from and condition.valid_until and condition.valid_until < condition.valid_from:
            problems.add(f"{row['_where']}:失效日期", f"失效日期 {condition.valid_until} 早于生效日期",
                         "the value ends before it begins")  # fmt: skip
        parsed.setdefault(condition.policy, []).append(condition)
    rules = screening.Rules(screening.policy_from_row(row, parsed.get(row["code"], ())) for row in policies)
    for policy, row in zip(rules.policies, policies, strict=True):
        if policy.valid_until is not None and policy.valid_until < policy.valid_from:
            problems.add(
                f"{row['_where']}:失效日期", "失效日期早于生效日期", "the policy ends before it begins"
            )
        for zh, en in screening.date_problems(policy):
            problems.add(f"{row['_where']}:{policy.code}", zh, en)
    return rules


def _cases(rows: list[Row], rules: screening.Rules, problems: Problems) -> list[screening.Case]:
    cases = []
    for row in rows:
        expected: dict[str, str] = {}
        for header, outcome in _EXPECTED:
            for code in screening.split_values(row[outcome] or ""):
                if not code:
                    continue
                if code not in rules.by_code:
                    problems.add(f"{row['_where']}:{header}", f"没有政策 {code}", f"no policy {code}")
                elif code in expected:
                    twice = f"政策 {code} 同时列在“{expected[code]}”和“{outcome}”"
                    problems.add(f"{row['_where']}:{header}", twice,
                                 f"policy {code} is expected twice")  # fmt: skip
                else:
                    expected[code] = outcome
        if not expected:
            problems.add(f"{row['_where']}:可能符合", "场景没有列出任何政策的预期结果",
                         "the case expects nothing")  # fmt: skip
        answers = {q.code: row[q.code] for q in screening.QUESTIONS if row[q.code]}
        cases.append(screening.Case(row["code"], row["title"], dt.date.fromisoformat(row["day"]),
                                    answers, expected, row["_where"]))  # fmt: skip
    return cases
