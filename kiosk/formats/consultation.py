"""意见征集: the rules of a public consultation that both programs hold to.

The county types its consultations into one workbook, ``consultations.xlsx`` in its input
folder (``kiosk feed template`` writes a blank one):

    事项目录            the year's 重大行政决策事项目录, one decision a row (DECISIONS)
    草案                one row per draft version: 起草说明, period, contacts (DRAFTS)
    <草案编号>第<N>版    that version's articles: 条, 款, 章节, 条文
    说明                notes for the clerk, not read

(kiosk.formats.consultation_book reads it; this module holds only what the terminal needs
too, and imports nothing heavier than ``re``.)

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
from collections import defaultdict
from collections.abc import Iterable

WORKBOOK = "consultations"  # consultations.xlsx (kiosk.formats.consultation_book reads it)
CATALOGUE_SHEET, DRAFTS_SHEET, NOTES_SHEET = "事项目录", "草案", "说明"
MIN_PERIOD_DAYS = 30
COURIER_GRACE_DAYS = 10
WHOLE = 0  # the article number of a comment on the draft as a whole
STANCES = ("赞成", "不赞成", "有修改建议")
OUTCOMES = ("采纳", "部分采纳", "未采纳")
STAGES = ("拟决策", "征求意见中", "已决策")
SIGNED_DEFAULT = "否"  # anonymous comments are taken unless the county asks for names

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


def texts_by_version(rows: Iterable[dict]) -> dict[tuple[str, int], tuple]:
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
