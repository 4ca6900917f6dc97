"""The county's consultations workbook read as three feed datasets (decisions, drafts,
draft_articles), with the rules of kiosk.formats.consultation checked and every problem named
``file[sheet]:row:column``. County side and tests: the terminal reads the feed's partitions."""

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

from kiosk.formats import cells
from kiosk.formats import datasets as ds
from kiosk.formats.consultation import (
    CATALOGUE_SHEET,
    DRAFTS_SHEET,
    MIN_PERIOD_DAYS,
    NOTES_SHEET,
    SIGNED_DEFAULT,
    WORKBOOK,
    article_label,
    period_days,
    sheet_name,
)
from kiosk.formats.datasets import Column, Dataset
from kiosk.formats.spreadsheet import SheetRefused, open_sheets
from kiosk.formats.validate import DuplicateFinder, Problems, Row, read_rows

ARTICLE_SHEET = Dataset(
    "draft_article_sheet",
    "草案条文表",
    (
        Column("条", "article", cells.integer(1, 999)),
        Column("款", "clause", cells.integer(1, 99), required=False),
        Column("章节", "heading", required=False, max_len=60),
        Column("条文", "text", max_len=3000),
    ),
    unique=("article", "clause"),
    workbook=WORKBOOK,
)
ARTICLE_SHEET_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]{0,19})第(\d{1,2})版$")


def read_workbook(path: Path, display: str, problems: Problems) -> dict[str, list[Row]]:
    """The workbook's rows as the feed's three datasets (decisions, drafts, draft_articles),
    every cell read as county input is read, then the consultation rules checked: the period,
    the numbering of each draft's articles, a sheet for every draft and a draft for every
    sheet, a decided decision's date and result. Every problem is reported as
    ``file[sheet]:row:column``; rows are returned only while there is none (callers refuse).
    """
    found: dict[str, list[Row]] = {ds.DECISIONS.name: [], ds.DRAFTS.name: [], ds.DRAFT_ARTICLES.name: []}
    try:
        sheets = open_sheets(path)
    except SheetRefused as exc:
        problems.add(f"{display}:{exc.row}" if exc.row else display, *exc.reason)
        return found
    article_sheets: dict[tuple[str, int], str] = {}
    for sheet in sheets:
        where = f"{display}[{sheet.name}]"
        if sheet.name == NOTES_SHEET:
            continue
        if sheet.name in (CATALOGUE_SHEET, DRAFTS_SHEET):
            dataset = ds.DECISIONS if sheet.name == CATALOGUE_SHEET else ds.DRAFTS
            found[dataset.name] += read_rows(dataset, path, problems, DuplicateFinder(), where,
                                             sheet=sheet, mask=True)  # fmt: skip
            continue
        match = ARTICLE_SHEET_NAME.match(sheet.name.strip())
        if match is None:
            problems.add(where, f"不认识的工作表“{sheet.name}”：条文表应命名为“草案编号第N版”（如 "
                         f"{sheet_name('YJ2026-01', 1)}）", f"unknown sheet '{sheet.name}': an articles "
                         "sheet is named <draft code>第<N>版")  # fmt: skip
            continue
        code, version = match[1], int(match[2])
        article_sheets[(code, version)] = where
        for row in read_rows(ARTICLE_SHEET, path, problems, DuplicateFinder(), where, sheet=sheet, mask=True):
            found[ds.DRAFT_ARTICLES.name].append({"draft_code": code, "version": version, **row})
    for name in (CATALOGUE_SHEET, DRAFTS_SHEET):
        if not any(s.name == name for s in sheets):
            problems.add(display, f"缺少工作表“{name}”", f"the sheet '{name}' is missing")
    _check_decisions(found[ds.DECISIONS.name], problems)
    _check_drafts(found[ds.DRAFTS.name], article_sheets, display, problems)
    _check_numbering(found[ds.DRAFT_ARTICLES.name], article_sheets, problems)
    return found


def _check_decisions(rows: list[Row], problems: Problems) -> None:
    for row in rows:
        if row["stage"] == "已决策":
            for key, header in (("decided_on", "决策日期"), ("outcome", "决策结果")):
                if not row[key]:
                    problems.add(f"{row['_where']}:{header}", f"决策阶段为“已决策”时须填写{header}",
                                 f"a decided decision needs its {header}")  # fmt: skip


def _check_drafts(rows: list[Row], article_sheets: dict[tuple[str, int], str], display: str,
                  problems: Problems) -> None:
    drafts = set()
    for row in rows:
        where = row["_where"]
        drafts.add((row["code"], row["version"]))
        opens, closes = dt.date.fromisoformat(row["opens_on"]), dt.date.fromisoformat(row["closes_on"])
        days = period_days(opens, closes)
        if closes < opens:
            problems.add(f"{where}:征求意见截止", f"截止日期 {closes} 早于开始日期 {opens}",
                         f"the period ends ({closes}) before it begins ({opens})")
        elif days < MIN_PERIOD_DAYS and not row["short_reason"]:
            problems.add(f"{where}:期限说明",
                         f"征求意见期只有 {days} 天，少于 {MIN_PERIOD_DAYS} 天：须在“期限说明”中说明理由"
                         "（《重大行政决策程序暂行条例》第十五条）",
                         f"the period is {days} days, under {MIN_PERIOD_DAYS}: explain why in 期限说明")
        if (row["code"], row["version"]) not in article_sheets:
            problems.add(f"{where}:草案编号", f"没有条文表“{sheet_name(row['code'], row['version'])}”",
                         f"no articles sheet '{sheet_name(row['code'], row['version'])}'")
        if not row["signed"]:
            row["signed"] = SIGNED_DEFAULT
    for (code, version), where in sorted(article_sheets.items()):
        if (code, version) not in drafts:
            problems.add(where, f"“{DRAFTS_SHEET}”表中没有草案 {code} 第{version}版",
                         f"the {DRAFTS_SHEET} sheet has no draft {code} version {version}")


def _check_numbering(rows: list[Row], article_sheets: dict[tuple[str, int], str],
                     problems: Problems) -> None:
    """条 run 1..N without gaps; an 条 is one row without 款, or rows with 款 1..M."""
    by_draft: dict[tuple[str, int], dict[int, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_draft[(row["draft_code"], row["version"])][row["article"]].append(row["clause"])
    for key, where in sorted(article_sheets.items()):
        articles = by_draft.get(key, {})
        if not articles:
            problems.add(where, "条文表没有条文", "the articles sheet holds no article")
            continue
        missing = [n for n in range(1, max(articles) + 1) if n not in articles]
        if missing:
            shown = "、".join(article_label(n) for n in missing[:10])
            problems.add(where, f"条的编号不连续，缺少{shown}",
                         f"articles are not numbered 1..N: missing {missing[:10]}")
        for number, clauses in sorted(articles.items()):
            if None in clauses and len(clauses) > 1:
                problems.add(where, f"{article_label(number)}既有不分款的一行又有分款的行",
                             f"article {number} has both a row without a clause and clause rows")
            elif None not in clauses and sorted(clauses) != list(range(1, len(clauses) + 1)):
                problems.add(where, f"{article_label(number)}的款编号应从1起连续",
                             f"the clauses of article {number} must run 1..M")
