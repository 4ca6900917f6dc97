"""意见征集: the rules of a public consultation that both programs hold to.

The county types its consultations into one workbook, ``consultations.xlsx`` in its input
folder (``kiosk feed template`` writes a blank one):

    事项目录            the year's 重大行政决策事项目录, one decision a row (DECISIONS)
    草案                one row per draft version: 起草说明, period, contacts (DRAFTS)
    <草案编号>第<N>版    that version's articles: 条, 款, 章节, 条文 (ARTICLE_SHEET)
    说明                notes for the clerk, not read

Comments anchor to (草案编号, 版本, 条, 款), never to a selection of text: a new version is a
new set of sheets, and a comment keeps pointing at the version it was made on. Article 0 is
the draft as a whole. Once a version has been published in a feed its articles are frozen
(``frozen_problems``): the next build refuses a changed text and asks for a new version.

The period: 《重大行政决策程序暂行条例》(2019) 第十五条 asks for normally at least 30 days; a
shorter one must say why (期限说明). A comment is taken until the end of its last day; the
county still files one sealed by then that reaches it within COURIER_GRACE_DAYS after it (a
stick from a far hall travels for days), and refuses later ones.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kiosk.formats import cells
from kiosk.formats import datasets as ds
from kiosk.formats.datasets import Column, Dataset
from kiosk.formats.spreadsheet import SheetRefused, open_sheets
from kiosk.formats.validate import DuplicateFinder, Problems, Row, read_rows

WORKBOOK = ds.CONSULTATION_WORKBOOK
CATALOGUE_SHEET, DRAFTS_SHEET, NOTES_SHEET = "事项目录", "草案", "说明"
MIN_PERIOD_DAYS = 30
COURIER_GRACE_DAYS = 10
WHOLE = 0  # the article number of a comment on the draft as a whole
STANCES = ("赞成", "不赞成", "有修改建议")
OUTCOMES = ("采纳", "部分采纳", "未采纳")
STAGES = ("拟决策", "征求意见中", "已决策")
SIGNED_DEFAULT = "否"  # anonymous comments are taken unless the county asks for names

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
_ARTICLE_SHEET_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]{0,19})第(\d{1,2})版$")

_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..999 as a legal text counts articles: 3 → 三, 10 → 十, 21 → 二十一, 105 → 一百零五."""
    if not 0 < n < 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words = f"{_NUMERALS[hundreds]}百" if hundreds else ""
    if tens:
        words += ("" if tens == 1 and not hundreds else _NUMERALS[tens]) + "十"
    elif hundreds and ones:
        words += "零"
    if ones:
        words += _NUMERALS[ones]
    return words


def article_label(article: int, clause: int | None = None) -> str:
    """第三条, 第三条第二款, or 草案整体 for article 0."""
    if article == WHOLE:
        return "草案整体"
    label = f"第{chinese_number(article)}条"
    return f"{label}第{chinese_number(clause)}款" if clause else label


def sheet_name(code: str, version: int) -> str:
    """The articles sheet of a draft version: YJ2026-01第1版."""
    return f"{code}第{version}版"


def period_days(opens_on: dt.date, closes_on: dt.date) -> int:
    """How many days the period runs, both ends counted."""
    return (closes_on - opens_on).days + 1


def days_left(closes_on: dt.date, today: dt.date) -> int:
    """Days a comment can still be made, today counted (0: closed)."""
    return max(0, (closes_on - today).days + 1)


def is_open(opens_on: dt.date, closes_on: dt.date, today: dt.date) -> bool:
    return opens_on <= today <= closes_on


def arrived_too_late(closes_on: dt.date, arrived_on: dt.date) -> bool:
    """Whether a comment sealed in time reached the county past the courier's grace."""
    return arrived_on > closes_on + dt.timedelta(days=COURIER_GRACE_DAYS)


def workbook_path(folder: Path) -> Path | None:
    """The consultations workbook of a county input folder, if it has one."""
    for suffix in (".xlsx", ".xls", ".ods"):
        if (folder / f"{WORKBOOK}{suffix}").is_file():
            return folder / f"{WORKBOOK}{suffix}"
    return None


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
        match = _ARTICLE_SHEET_NAME.match(sheet.name.strip())
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


def texts_by_version(rows: Iterable[Row]) -> dict[tuple[str, int], tuple]:
    """(draft code, version) -> its articles as one comparable value."""
    found: dict[tuple[str, int], list] = defaultdict(list)
    for row in rows:
        found[(row["draft_code"], int(row["version"]))].append(
            (int(row["article"]), int(row["clause"] or 0), row["heading"] or "", row["text"]))
    return {key: tuple(sorted(value)) for key, value in found.items()}


def frozen_problems(published: dict[tuple[str, int], tuple], current: dict[tuple[str, int], tuple]) -> list[
        tuple[str, str]]:  # fmt: skip
    """(中文, English) for each published draft version whose articles changed or vanished:
    comments point at them, so a change is a new version."""
    found = []
    for (code, version), articles in sorted(published.items()):
        now = current.get((code, version))
        if now is None:
            found.append((f"草案 {code} 第{version}版已发布，不能删除（意见指向它；可在“{DRAFTS_SHEET}”"
                          "表中保留，不再征求意见）",
                          f"draft {code} version {version} was published and cannot be removed"))
        elif now != articles:
            found.append((f"草案 {code} 第{version}版已发布，条文不能再改：请作为第{version + 1}版发布"
                          f"（新建工作表“{sheet_name(code, version + 1)}”）",
                          f"draft {code} version {version} was published: its articles are frozen;"
                          f" publish the change as version {version + 1}"))
    return found


def consultation_url(base_url: str, code: str, version: int) -> str:
    """The draft version's page on the county's static site (``kiosk feed build`` writes it
    beside the feed): ``<base>/consultations/<code>-v<version>.html``, where ``base_url`` is
    the site's address, as the terminal's ``verify_base_url`` names it. The page holds the
    draft and, once published, its 采纳情况; the printed 征求意见公告 carries it as a QR code."""
    return f"{base_url.rstrip('/')}/consultations/{code}-v{version}.html"
