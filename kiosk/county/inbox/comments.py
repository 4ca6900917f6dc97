"""County side of 意见征集: the rules a villager's comment is filed by, the department's
workbook for one draft version, and its verdicts published in the feed.

The consultations come from the county's own workbook (``consultations.xlsx`` in its input
folder, kiosk.formats.consultation), read as the feed build reads it. A comment is filed
only on an article that version has (article 0: the draft as a whole), sealed within the
period, reaching the county within the courier's grace after it, and signed when the
draft asks for names; anything else refuses that one file, by reason (``comment_refusal``).

``export_comments`` writes the department's workbook: 采纳情况 (one row per article, with
the counts, a drop-down for the verdict and a cell for the reason) and 意见明细 (every
comment, grouped by article). ``publish_results`` reads it back, checks every row and stores
nothing while anything is wrong (all problems listed, ``file[sheet]:row:column``); counts
are recounted from the cases database, never read from the workbook. A draft's results
wait for the courier's grace as well as its period: a comment sealed on the last day may
reach the county up to COURIER_GRACE_DAYS later, so publishing is allowed from the day
after ``closes_on + COURIER_GRACE_DAYS`` (``Draft.publish_from``), once the counts are
final. It then writes ``adoptions.csv`` and ``comment_receipts.csv`` into the county's
input folder for the next feed. ``comment_receipts.csv`` is also the acknowledgement a
terminal waits for to drop a comment's ciphertext, so ``kiosk inbox reply`` writes it too.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.county.inbox.cases import Adoption, Comment, Terminal, cases_db, close_cases, open_cases
from kiosk.county.inbox.export import HEADER_FILL, display_width, writable
from kiosk.county.inbox.reply import cell_at, cell_lines, write_generated
from kiosk.errors import KnownError
from kiosk.files import replacing
from kiosk.formats import cells, consultation, consultation_book, datasets, masking, spreadsheet
from kiosk.formats.consultation import OUTCOMES, WHOLE, article_label
from kiosk.formats.validate import Problems

REASON_UNKNOWN, REASON_LATE, REASON_UNSIGNED = "comment_unknown_article", "comment_late", "comment_unsigned"
AGREE, DISAGREE, SUGGEST = consultation.STANCES
ADOPTED, PARTLY, NOT_ADOPTED = OUTCOMES
MAX_REASON = 1000  # ADOPTIONS' 理由 limit
RESULTS_SHEET, DETAIL_SHEET = "采纳情况", "意见明细"
# Column names publish_results reads back by name.
LABEL, ARTICLE, CLAUSE, OUTCOME, REASON = "条款", "条", "款", "采纳情况", "理由"
DRAFT, VERSION = "草案编号", "版本"
RESULT_COLUMNS = (LABEL, ARTICLE, CLAUSE, "条文", "收到意见", AGREE, DISAGREE, "修改建议", OUTCOME, REASON,
                  DRAFT, VERSION)  # fmt: skip
DETAIL_COLUMNS = ("回执号", LABEL, "态度", "意见内容", "署名", "联系电话", "收到日期", "终端")
_READ_BACK = (ARTICLE, CLAUSE, OUTCOME, REASON, DRAFT, VERSION)
_WIDE = {"条文": 50, REASON: 40, "意见内容": 50}
_TYPED = {OUTCOME, REASON}  # the department types here: what it types stays text
ADOPTIONS_FILE, RECEIPTS_FILE = "adoptions.csv", "comment_receipts.csv"


# -- the consultations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    article: int
    clause: int | None
    heading: str
    text: str

    @property
    def key(self) -> tuple[int, int | None]:
        return self.article, self.clause


@dataclass(frozen=True)
class Draft:
    """One draft version as the county typed it: its period, whether comments must be
    signed, and its articles in order (article 0, the draft as a whole, not among them)."""

    code: str
    version: int
    title: str
    opens_on: dt.date
    closes_on: dt.date
    signed: bool
    articles: tuple[Article, ...]
    keys: frozenset[tuple[int, int | None]] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "keys", frozenset(a.key for a in self.articles))

    def has(self, article: int, clause: int | None) -> bool:
        """Whether a comment may point at (article, clause): one of this version's rows, or
        the draft as a whole (no clause)."""
        return clause is None if article == WHOLE else (article, clause) in self.keys

    def rows(self) -> tuple[Article, ...]:
        """What the department gives a verdict on: the draft as a whole, then each article."""
        return (Article(WHOLE, None, "", self.title), *self.articles)

    @property
    def name(self) -> str:
        return f"{self.code} 第{self.version}版"

    @property
    def last_arrival(self) -> dt.date:
        """The last day a comment sealed within the period may still reach the county (the
        courier's grace, consultation.arrived_too_late)."""
        return self.closes_on + dt.timedelta(days=consultation.COURIER_GRACE_DAYS)

    @property
    def publish_from(self) -> dt.date:
        """The first day its 采纳情况 may be published: the day after ``last_arrival``, when
        no comment can still come in and change the counts."""
        return self.last_arrival + dt.timedelta(days=1)


@dataclass(frozen=True)
class Consultations:
    drafts: dict[tuple[str, int], Draft]

    def latest(self, code: str) -> Draft | None:
        versions = [d for (c, _), d in self.drafts.items() if c == code]
        return max(versions, key=lambda d: d.version, default=None)


def read_consultations(folder: Path | str) -> Consultations | None:
    """The drafts of the consultations workbook in the county's input folder, read and
    checked as the feed build reads them; None when the folder has no such workbook.

    Raises:
        ImportRefused: the workbook has problems (each named ``file[sheet]:row:column``).
    """
    path = spreadsheet.workbook_in(Path(folder), consultation.WORKBOOK)
    if path is None:
        return None
    problems = Problems()
    found = consultation_book.read_workbook(path, path.name, problems)
    if problems:
        raise problems.refuse()
    articles: dict[tuple[str, int], list[Article]] = defaultdict(list)
    for row in found[datasets.DRAFT_ARTICLES.name]:
        articles[(row["draft_code"], row["version"])].append(
            Article(row["article"], row["clause"], row["heading"] or "", row["text"]))
    drafts = {}
    for row in found[datasets.DRAFTS.name]:
        key = (row["code"], row["version"])
        listed = tuple(sorted(articles[key], key=lambda a: (a.article, a.clause or 0)))
        opens_on, closes_on = (dt.date.fromisoformat(row[k]) for k in ("opens_on", "closes_on"))
        signed = row["signed"] == "是"
        drafts[key] = Draft(row["code"], row["version"], row["title"], opens_on, closes_on, signed, listed)
    return Consultations(drafts)


def _needs_consultations(folder: Path | str) -> Consultations:
    found = read_consultations(folder)
    if found is None:
        raise KnownError(f"县数据目录 {folder} 中没有意见征集表 {consultation.WORKBOOK}.xlsx",
                         f"the county input folder {folder} has no {consultation.WORKBOOK}.xlsx")
    return found


def _label(article: int, clause: int | None) -> str:
    """article_label, also for a clause on the whole draft (which no draft has)."""
    if article == WHOLE and clause:
        return f"{article_label(WHOLE)}第{consultation.chinese_number(clause)}款"
    return article_label(article, clause)


def _no_article(draft: Draft, article: int, clause: int | None) -> str:
    return (f"draft {draft.code} version {draft.version} has no article {article}"
            + (f" clause {clause}" if clause else ""))


def comment_refusal(consultations: Consultations, form: dict, sealed_on: dt.date,
                    arrived_on: dt.date) -> tuple[str, str] | None:
    """Why the county refuses a comment (a checked form, sealed and received on these local
    days), as (reason, "中文 / English"), or None to file it."""
    code, version, article, clause = form["draft"], form["version"], form["article"], form.get("clause")
    draft = consultations.drafts.get((code, version))
    if draft is None:
        return REASON_UNKNOWN, (f"意见征集表中没有草案 {code} 第{version}版 / no draft {code} version "
                                f"{version} in the consultations workbook")
    if not draft.has(article, clause):
        missing = _no_article(draft, article, clause)
        return REASON_UNKNOWN, f"草案 {draft.name}没有{_label(article, clause)} / {missing}"
    if not consultation.is_open(draft.opens_on, draft.closes_on, sealed_on):
        return REASON_LATE, (f"意见封存于 {sealed_on}，不在草案 {draft.name}的征求意见期内（{draft.opens_on}"
                             f" 起，{draft.closes_on} 截止） / sealed on {sealed_on}, outside the period "
                             f"{draft.opens_on}..{draft.closes_on}")
    if consultation.arrived_too_late(draft.closes_on, arrived_on):
        return REASON_LATE, (f"征求意见期至 {draft.closes_on} 截止，意见 {arrived_on} 才送达，超过"
                             f" {consultation.COURIER_GRACE_DAYS} 天的传递宽限 / the period ended "
                             f"{draft.closes_on}; the comment reached the county on {arrived_on}, past "
                             f"the {consultation.COURIER_GRACE_DAYS}-day courier grace")
    if draft.signed and not (form.get("name") and form.get("phone")):
        return REASON_UNSIGNED, (f"草案 {draft.name}要求署名：意见须留姓名和联系电话 / draft {code} version "
                                 f"{version} takes signed comments only (name and phone)")
    return None


# -- counts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    agree: int = 0
    disagree: int = 0
    suggest: int = 0

    @property
    def received(self) -> int:
        return self.agree + self.disagree + self.suggest


_Key = tuple[str, int, int, int | None]  # (draft code, version, article, clause)


def _tallies() -> dict[_Key, Tally]:
    """Comments per article and stance, counted in the cases database (open)."""
    counted: dict[_Key, Counter] = defaultdict(Counter)
    query = Comment.select(Comment.draft_code, Comment.version, Comment.article, Comment.clause,
                           Comment.stance).tuples()  # fmt: skip
    for code, version, article, clause, stance in query:
        counted[(code, version, article, clause)][stance] += 1
    return {key: Tally(c[AGREE], c[DISAGREE], c[SUGGEST]) for key, c in counted.items()}


# -- the department's workbook --------------------------------------------------------------------


@dataclass(frozen=True)
class CommentsExport:
    path: Path
    draft: Draft
    articles: int  # rows of 采纳情况, the whole draft among them
    comments: int
    still_open: bool  # the period runs on: results cannot be published yet
    in_grace: bool  # the period has ended, comments sealed in it may still arrive: not yet either

    @property
    def waiting(self) -> bool:
        """Whether comments may still come in: the counts can grow, results cannot be
        published before ``draft.publish_from``."""
        return self.still_open or self.in_grace


def export_comments(db_path: Path | str, county_input: Path | str, out_xlsx: Path | str, draft_code: str,
                    version: int | None = None, today: dt.date | None = None) -> CommentsExport:
    """Write the department's workbook for one draft version (the latest without
    ``version``) to ``out_xlsx``, replaced atomically and readable by its owner only (names
    and phones). Verdicts already published are filled in, to be revised.

    Raises:
        KnownError: no such draft, no consultations workbook, or the file cannot be written.
        ImportRefused: the consultations workbook has problems.
    """
    from openpyxl import Workbook  # county side only

    out_xlsx, today = Path(out_xlsx), today or dt.date.today()
    consultations = _needs_consultations(county_input)
    draft = (consultations.latest(draft_code) if version is None
             else consultations.drafts.get((draft_code, version)))  # fmt: skip
    if draft is None:
        shown = f"{draft_code} 第{version}版" if version else draft_code
        raise KnownError(f"意见征集表中没有草案 {shown}",
                         f"no draft {draft_code} {version or ''} in the consultations workbook")
    open_cases(db_path)
    try:
        tallies = _tallies()
        published = {(a.article, a.clause): a for a in Adoption.select().where(
            (Adoption.draft_code == draft.code) & (Adoption.version == draft.version))}  # fmt: skip
        comments = list(Comment.select().where((Comment.draft_code == draft.code) & (Comment.version ==
                        draft.version)).order_by(Comment.received_on, Comment.receipt))  # fmt: skip
        names = {t.fingerprint: t.name for t in Terminal.select(Terminal.fingerprint, Terminal.name)}
    finally:
        close_cases()
    book = Workbook()
    book.remove(book.active)
    results = book.create_sheet(RESULTS_SHEET)
    _fill(results, RESULT_COLUMNS, [_result_row(draft, a, tallies, published) for a in draft.rows()])
    _add_outcome_choice(results, len(draft.rows()))
    detail = book.create_sheet(DETAIL_SHEET)
    _fill(detail, DETAIL_COLUMNS, [_detail_row(c, names) for c in _grouped(draft, comments)])
    if not out_xlsx.parent.is_dir():
        raise KnownError(f"找不到导出文件夹 {out_xlsx.parent}", f"{out_xlsx.parent} is not a folder")
    with replacing(out_xlsx, 0o600) as out:  # names and phones: the department's eyes only
        book.save(out)
    still_open = today <= draft.closes_on
    in_grace = not still_open and today < draft.publish_from
    return CommentsExport(out_xlsx, draft, len(draft.rows()), len(comments), still_open, in_grace)


def _result_row(draft: Draft, article: Article, tallies: dict[_Key, Tally], published: dict) -> list:
    tally = tallies.get((draft.code, draft.version, *article.key), Tally())
    verdict = published.get(article.key)
    text = f"{article.heading}\n{article.text}" if article.heading else article.text
    return [
        article_label(*article.key), str(article.article), _optional(article.clause),
        text, tally.received, tally.agree, tally.disagree, tally.suggest,
        verdict.outcome if verdict else "", verdict.reason if verdict else "", draft.code, str(draft.version),
    ]  # fmt: skip


def _grouped(draft: Draft, comments: list[Comment]) -> list[Comment]:
    """Comments by article in the draft's order (the whole draft first), oldest first."""
    order = {a.key: n for n, a in enumerate(draft.rows())}
    return sorted(comments, key=lambda c: order.get((c.article, c.clause), len(order)))


def _detail_row(comment: Comment, names: dict[str, str]) -> list:
    return [
        comment.receipt, _label(comment.article, comment.clause), comment.stance, comment.text or "",
        comment.name or "", comment.phone or "", comment.received_on,
        names.get(comment.terminal_fingerprint) or comment.terminal_fingerprint,
    ]


def _fill(sheet, columns: tuple[str, ...], rows: list[list]) -> None:
    """Header and rows, every text cell stored as text (a leading "=" is never a formula),
    counts as numbers and days as dates."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    wrap, top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
    widths = [display_width(name) + 2 for name in columns]
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row):
            cell = sheet.cell(row=number, column=index + 1)
            if isinstance(value, int | dt.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd" if isinstance(value, dt.date) else "0"
            else:
                cell.value = writable(value)
                cell.number_format = "@"
                cell.data_type = "s"  # after the value: a leading "=" is text, not a formula
                widths[index] = max(widths[index], min(display_width(cell.value) + 2, 60))
            cell.alignment = wrap if columns[index] in _WIDE else top
    for index, name in enumerate(columns):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _WIDE.get(name, max(8, min(widths[index], 30)))
        if name in _TYPED:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _add_outcome_choice(sheet, rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(RESULT_COLUMNS.index(OUTCOME) + 1)
    choice = DataValidation(
        type="list", formula1='"' + ",".join(OUTCOMES) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="采纳情况不正确", error="请从下拉列表中选择：" + "、".join(OUTCOMES),
        showInputMessage=True, promptTitle=OUTCOME,
        prompt=f"从下拉列表中选择；{NOT_ADOPTED}、{PARTLY}须写理由",
    )  # fmt: skip
    choice.add(f"{letter}2:{letter}{rows + 1}")
    sheet.add_data_validation(choice)


# -- reading the verdicts back ---------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One row of the 采纳情况 sheet. ``where`` is ``file[sheet]:row``."""

    draft: Draft
    article: int
    clause: int | None
    outcome: str  # "" when left empty
    reason: str
    where: str

    @property
    def key(self) -> _Key:
        return self.draft.code, self.draft.version, self.article, self.clause


@dataclass(frozen=True)
class PublishSummary:
    rows: int  # verdicts read
    changed: int  # adoptions stored anew or changed
    drafts: tuple[str, ...]  # the draft versions the workbook covers
    adoptions: int  # rows of adoptions.csv (every published draft)
    receipts: int  # rows of comment_receipts.csv


def publish_results(db_path: Path | str, county_input: Path | str, results_xlsx: Path | str,
                    out_dir: Path | str, today: dt.date) -> PublishSummary:
    """Store the department's verdicts (one transaction; the same workbook again changes
    nothing) and write ``adoptions.csv`` and ``comment_receipts.csv`` into ``out_dir``.

    Raises:
        ImportRefused: any row is wrong, a draft's period and courier's grace have not both
            passed (``Draft.publish_from``), or an article that received comments has no
            verdict; every problem is listed and nothing is stored.
        KnownError: the file is not a workbook or has no 采纳情况 column.
    """
    consultations = _needs_consultations(county_input)
    open_cases(db_path)
    try:
        tallies = _tallies()
        results = read_results(Path(results_xlsx), consultations, tallies, today)
        changed = _store(results, today)
        adoptions = [_adoption_row(a, tallies) for a in Adoption.select().order_by(
            Adoption.draft_code, Adoption.version, Adoption.article, Adoption.clause)]  # fmt: skip
    finally:
        close_cases()
    write_generated(Path(out_dir) / ADOPTIONS_FILE, datasets.ADOPTIONS, adoptions)
    receipts = write_comment_receipts(db_path, out_dir)
    drafts = tuple(dict.fromkeys(r.draft.name for r in results))
    return PublishSummary(sum(1 for r in results if r.outcome), changed, drafts, len(adoptions), receipts)


def read_results(path: Path, consultations: Consultations, tallies: dict[_Key, Tally],
                 today: dt.date) -> list[Result]:
    """Every row of the workbook's 采纳情况 sheets, checked row by row and draft by draft.

    Raises:
        ImportRefused: as publish_results.
        KnownError: as publish_results.
    """
    problems = Problems()
    results: list[Result] = []
    seen: dict[_Key, str] = {}  # every row that names an article, good or not
    heads: dict[tuple[str, int], tuple[str, str]] = {}  # draft -> (file[sheet]:header row, first row)
    found_sheet = False
    # 意见明细 is skipped: a villager's comment may well read 采纳情况.
    sheets = spreadsheet.sheets_with_header(path, OUTCOME, skip=(DETAIL_SHEET,))
    for label, header_number, positions, rows in sheets:
        found_sheet = True
        missing = [c for c in _READ_BACK if c not in positions]
        for column in missing:
            problems.add(f"{label}:{header_number}:{column}", "缺少此列", "column missing")
        if missing:
            continue
        for number, values in rows:
            if not any(values):
                continue
            before = problems.total
            result = _check_row(f"{label}:{number}", values, positions, consultations, problems)
            if result is None:
                continue
            if result.key in seen:
                problems.add(f"{result.where}:{ARTICLE}", f"与 {seen[result.key]} 重复",
                             f"repeats {seen[result.key]}")
                continue
            seen[result.key] = result.where
            heads.setdefault(result.key[:2], (f"{label}:{header_number}", result.where))
            if problems.total == before:
                results.append(result)
    if not found_sheet:
        raise KnownError(f"{path.name}: 没有找到含“{OUTCOME}”列的工作表",
                         f"{path.name}: no sheet has a '{OUTCOME}' column")
    _check_drafts(results, seen, heads, consultations, tallies, today, problems)
    if problems:
        raise problems.refuse()
    return results


def _number(text: str, low: int, high: int) -> int | None:
    try:
        return cells.integer(low, high)(text)
    except cells.CellError:
        return None


def _check_row(where: str, values: list[str], positions: dict[str, int], consultations: Consultations,
               problems: Problems) -> Result | None:
    """The row as a Result, its problems reported; None when it names no article of a
    known draft."""

    def refuse(column: str, zh: str, en: str) -> None:
        problems.add(f"{where}:{column}", zh, en)

    code, version = cell_at(values, positions[DRAFT]), _number(cell_at(values, positions[VERSION]), 1, 99)
    draft = consultations.drafts.get((code, version)) if version is not None else None
    if not code:
        refuse(DRAFT, "必填项为空", "required cell is empty")
    elif version is None:
        refuse(VERSION, "应为 1～99 的整数", "must be a whole number 1..99")
    elif draft is None:
        refuse(DRAFT, f"意见征集表中没有草案 {code} 第{version}版",
               f"no draft {code} version {version} in the consultations workbook")
    article = _number(cell_at(values, positions[ARTICLE]), 0, 999)
    clause_text = cell_at(values, positions[CLAUSE])
    clause = _number(clause_text, 1, 99) if clause_text else None
    if article is None:
        refuse(ARTICLE, "应为 0～999 的整数（0 为草案整体）",
               "must be a whole number 0..999 (0: the whole draft)")
    elif clause_text and clause is None:
        refuse(CLAUSE, "应为 1～99 的整数，不分款的留空", "must be a whole number 1..99, or empty")
    elif draft is not None and not draft.has(article, clause):
        refuse(ARTICLE, f"草案 {draft.name}没有{_label(article, clause)}",
               _no_article(draft, article, clause))
    outcome, reason = cell_at(values, positions[OUTCOME]), cell_lines(cell_at(values, positions[REASON]))
    _check_verdict(outcome, reason, refuse)
    if draft is None or article is None or (clause_text and clause is None) or not draft.has(article, clause):
        return None
    return Result(draft, article, clause, outcome, reason, where)


def _check_verdict(outcome: str, reason: str, refuse) -> None:
    if outcome and outcome not in OUTCOMES:
        refuse(OUTCOME, f"“{outcome}”不是允许的取值（{'、'.join(OUTCOMES)}）",
               f"'{outcome}' is not one of {', '.join(OUTCOMES)}")
    elif outcome in (NOT_ADOPTED, PARTLY) and not reason:
        refuse(REASON, f"采纳情况为“{outcome}”时须填写理由", f"a reason is required for {outcome}")
    elif reason and not outcome:
        refuse(OUTCOME, "填写了理由，但采纳情况为空", "a reason is given but the outcome is empty")
    if len(reason) > MAX_REASON:
        refuse(REASON, f"内容过长（{len(reason)} 字，上限 {MAX_REASON} 字）",
               f"cell too long ({len(reason)} characters, limit {MAX_REASON})")
    elif (code := cells.control_character(reason)) is not None:
        refuse(REASON, f"含有控制字符 {code}", f"contains the control character {code}")
    elif (detail := masking.personal_detail(reason)) is not None:
        refuse(REASON, f"理由含有{detail}：采纳情况向全县公开，不得写入个人信息",
               f"the reason holds personal details ({detail}); it is published to the whole county")


def _check_drafts(results: list[Result], seen: dict[_Key, str], heads: dict[tuple[str, int], tuple[str, str]],
                  consultations: Consultations, tallies: dict[_Key, Tally], today: dt.date,
                  problems: Problems) -> None:
    """Per draft in the workbook: its period and the courier's grace after it have passed
    (``today >= draft.publish_from``), and every article that received
    comments has a verdict (a draft's results are published for all its articles at once).
    A row already refused is not reported again."""
    good = {r.key: r for r in results}
    for (code, version), (head, first) in heads.items():
        draft = consultations.drafts[(code, version)]
        if today < draft.publish_from:
            problems.add(f"{first}:{OUTCOME}", *_not_yet(draft))
            continue
        for article in draft.rows():
            key = (code, version, *article.key)
            received = tallies.get(key, Tally()).received
            if not received or (key in seen and key not in good) or (key in good and good[key].outcome):
                continue
            where = f"{seen[key]}:{OUTCOME}" if key in seen else f"{head}:{ARTICLE}"
            label = article_label(*article.key)
            problems.add(where, f"{draft.name}{label}收到 {received} 条意见，须填写采纳情况（一个草案的全部"
                         "条款一并公布）", f"{label} received {received} comment(s): give its outcome (a "
                         "draft's results are published for all its articles at once)")  # fmt: skip


def _not_yet(draft: Draft) -> tuple[str, str]:
    """(中文, English): why a draft's results cannot be published yet, and from which day."""
    last, grace = draft.last_arrival, consultation.COURIER_GRACE_DAYS
    return (f"草案 {draft.name}征求意见期至 {draft.closes_on} 截止，途中的意见最晚 {last} 到达"
            f"（{grace} 天传递宽限），{last} 之后（{draft.publish_from} 起）才能公布采纳情况",
            f"the period of draft {draft.code} version {draft.version} ends {draft.closes_on} and comments "
            f"on their way may reach the county until {last} (the {grace}-day courier grace); results can "
            f"be published from {draft.publish_from}")  # fmt: skip


def _store(results: list[Result], today: dt.date) -> int:
    """Store the verdicts in one transaction; a verdict is dated when it is first published
    or changed. Returns how many were stored anew or changed."""
    known = {(a.draft_code, a.version, a.article, a.clause): a for a in Adoption.select()}
    changed = 0
    with cases_db.atomic():
        for result in results:
            before = known.get(result.key)
            if not result.outcome or (before and (before.outcome, before.reason) == (result.outcome,
                                                                                       result.reason)):
                continue
            if before is None:
                code, version, article, clause = result.key
                Adoption.create(draft_code=code, version=version, article=article, clause=clause,
                                outcome=result.outcome, reason=result.reason, published_on=today)
            else:
                Adoption.update(outcome=result.outcome, reason=result.reason,
                                published_on=today).where(Adoption.id == before.id).execute()  # fmt: skip
            changed += 1
    return changed


def _adoption_row(adoption: Adoption, tallies: dict[_Key, Tally]) -> list[str]:
    key = (adoption.draft_code, adoption.version, adoption.article, adoption.clause)
    tally = tallies.get(key, Tally())
    return [
        adoption.draft_code, str(adoption.version), str(adoption.article), _optional(adoption.clause),
        str(tally.received), str(tally.agree), str(tally.disagree), str(tally.suggest), adoption.outcome,
        adoption.reason, _iso(adoption.published_on),
    ]


# -- the feed's files -----------------------------------------------------------------------------


def write_comment_receipts(db_path: Path | str, out_dir: Path | str) -> int:
    """Write ``<out_dir>/comment_receipts.csv``: one row per filed comment, found by
    ``replies.lookup(receipt)`` (no receipt, stance, text, name or phone), acknowledging its
    envelope by digest so the terminal drops the ciphertext. Returns the number of rows."""
    open_cases(db_path)
    try:
        rows = [
            [lookup, digest, code, str(version), str(article), _optional(clause), _iso(received_on)]
            for lookup, digest, code, version, article, clause, received_on in Comment.select(
                Comment.lookup, Comment.digest, Comment.draft_code, Comment.version, Comment.article,
                Comment.clause, Comment.received_on).order_by(Comment.lookup).tuples()
        ]  # fmt: skip
    finally:
        close_cases()
    write_generated(Path(out_dir) / RECEIPTS_FILE, datasets.COMMENT_RECEIPTS, rows)
    return len(rows)


def _optional(number: int | None) -> str:
    return "" if number is None else str(number)


def _iso(day: dt.date | str) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day)
