"""意见征集 at the terminal: the year's 重大行政决策事项目录, the drafts out for comment with their
起草说明 and articles, a villager's comment on one article (sealed the way back like a
request), and the county's 采纳情况 once published.

A comment is taken only while its draft's period runs (kiosk.formats.consultation), on an
article of the version shown; a draft that asks for signed comments gets a name and phone.
What the villager said is sealed at once; this terminal keeps only the receipt number's hash
the county later lists (CommentReceipt), never the stance or the text.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import fmt
from kiosk.errors import KnownError
from kiosk.formats import consultation, forms
from kiosk.store.models import Adoption, Decision, Draft, DraftArticle

if TYPE_CHECKING:
    from kiosk.services.requests import Receipt
    from printing.consultation import ConsultationSheet

STANCES = forms.STANCES
SUGGESTION = forms.SUGGESTION  # 有修改建议: the one stance that needs words
MAX_COMMENT = forms.MAX_COMMENT
WHOLE = consultation.WHOLE
article_label = consultation.article_label

# A draft's state, as the kiosk names it.
NOT_YET, OPEN, CLOSED, PUBLISHED = "尚未开始", "征求意见中", "已截止", "已公布采纳情况"


@dataclass(frozen=True)
class Result:
    """The county's 采纳情况 for one article."""

    received: int
    agree: int
    disagree: int
    suggest: int
    outcome: str  # 采纳 / 部分采纳 / 未采纳
    reason: str
    published_on: dt.date


@dataclass(frozen=True)
class Article:
    article: int  # 0: the draft as a whole
    clause: int | None
    label: str  # 第三条第二款
    heading: str  # the chapter it opens, if any
    text: str
    result: Result | None


@dataclass(frozen=True)
class DraftSummary:
    code: str
    version: int
    title: str
    opens_on: dt.date
    closes_on: dt.date
    state: str  # NOT_YET / OPEN / CLOSED / PUBLISHED
    days_left: int


@dataclass(frozen=True)
class DecisionInfo:
    code: str
    year: int
    title: str
    department: str
    stage: str  # 拟决策 / 征求意见中 / 已决策
    planned: str
    decided_on: dt.date | None
    outcome: str
    draft: DraftSummary | None  # its latest draft version, if one was put out


@dataclass(frozen=True)
class DraftInfo:
    code: str
    version: int
    latest_version: int  # a newer version supersedes this one when higher
    title: str
    decision: DecisionInfo
    background: str
    summary: str
    affects: str
    opens_on: dt.date
    closes_on: dt.date
    period_days: int
    short_reason: str
    state: str
    days_left: int
    department: str
    phone: str
    address: str
    meetings: str
    signed: bool
    articles: tuple[Article, ...]  # in order; the draft as a whole last
    published_on: dt.date | None  # when the 采纳情况 was published

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def received(self) -> int:
        return sum(a.result.received for a in self.articles if a.result)

    def article(self, number: int, clause: int | None = None) -> Article | None:
        return next((a for a in self.articles if (a.article, a.clause) == (number, clause)), None)


class CommentRefused(KnownError):
    """A comment the terminal cannot take (the period, the article, a missing name)."""


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _state(draft: Draft, published: bool, today: dt.date) -> str:
    if published:
        return PUBLISHED
    if today < draft.opens_on:
        return NOT_YET
    return OPEN if today <= draft.closes_on else CLOSED


def _published(code: str, version: int) -> dt.date | None:
    row = (Adoption.select(Adoption.published_on)
           .where((Adoption.draft_code == code) & (Adoption.version == version)).first())  # fmt: skip
    return row.published_on if row else None


def _summary(draft: Draft, today: dt.date) -> DraftSummary:
    state = _state(draft, _published(draft.code, draft.version) is not None, today)
    return DraftSummary(draft.code, draft.version, draft.title, draft.opens_on, draft.closes_on, state,
                        consultation.days_left(draft.closes_on, today) if state == OPEN else 0)  # fmt: skip


def _latest_drafts() -> dict[str, Draft]:
    """Each decision's latest draft version."""
    latest: dict[str, Draft] = {}
    for draft in Draft.select().order_by(Draft.version):
        latest[draft.decision_code] = draft
    return latest


def open_count(today: dt.date | None = None) -> int:
    """How many drafts take comments today (the home page says so)."""
    day = _today(today)
    return Draft.select().where((Draft.opens_on <= day) & (Draft.closes_on >= day)).count()


def decisions(today: dt.date | None = None) -> list[DecisionInfo]:
    """The 事项目录, newest year first; within a year, open consultations first, then the
    rest in the county's order."""
    day = _today(today)
    latest = _latest_drafts()
    found = [_decision(d, latest.get(d.code), day) for d in Decision.select().order_by(Decision.code)]
    return sorted(found, key=lambda d: (-d.year, d.draft is None or d.draft.state != OPEN))


def _decision(row: Decision, draft: Draft | None, today: dt.date) -> DecisionInfo:
    return DecisionInfo(row.code, row.year, row.title, row.department, row.stage, row.planned,
                        row.decided_on, row.outcome, _summary(draft, today) if draft else None)  # fmt: skip


def draft(code: str, version: int | None = None, today: dt.date | None = None) -> DraftInfo | None:
    """One draft version (the latest when ``version`` is None) with its articles and results."""
    day = _today(today)
    versions = Draft.select().where(Draft.code == code).order_by(Draft.version.desc())
    rows = list(versions)
    if not rows:
        return None
    row = rows[0] if version is None else next((r for r in rows if r.version == version), None)
    if row is None:
        return None
    results = {(a.article, a.clause): Result(a.received, a.agree, a.disagree, a.suggest, a.outcome,
                                             a.reason, a.published_on)
               for a in Adoption.select().where((Adoption.draft_code == code)
                                                & (Adoption.version == row.version))}  # fmt: skip
    articles = [
        Article(a.article, a.clause, article_label(a.article, a.clause), a.heading, a.text,
                results.get((a.article, a.clause)))
        for a in DraftArticle.select().where((DraftArticle.draft_code == code)
                                             & (DraftArticle.version == row.version))
        .order_by(DraftArticle.article, DraftArticle.clause)
    ]  # fmt: skip
    articles.append(Article(WHOLE, None, article_label(WHOLE), "", "对草案整体的意见",
                            results.get((WHOLE, None))))  # fmt: skip
    published = min((r.published_on for r in results.values()), default=None)
    # A draft always has its decision: the feed refuses one that names no decision.
    decision = _decision(Decision.get(Decision.code == row.decision_code), row, day)
    state = _state(row, published is not None, day)
    return DraftInfo(
        code=row.code, version=row.version, latest_version=rows[0].version, title=row.title,
        decision=decision, background=row.background, summary=row.summary, affects=row.affects,
        opens_on=row.opens_on, closes_on=row.closes_on,
        period_days=consultation.period_days(row.opens_on, row.closes_on), short_reason=row.short_reason,
        state=state, days_left=consultation.days_left(row.closes_on, day) if state == OPEN else 0,
        department=row.department, phone=row.phone, address=row.address, meetings=row.meetings,
        signed=row.signed, articles=tuple(articles), published_on=published,
    )  # fmt: skip


def submit_comment(draft_info: DraftInfo, article: int, clause: int | None, stance: str, text: str = "",
                   name: str = "", phone: str = "", now: dt.datetime | None = None) -> "Receipt":
    """Seal a comment on one article and queue it for the county; returns the 回执.

    Checked against this terminal's copy of the draft as it is now, not as the page showed
    it: a sync meanwhile may have closed the period.

    Raises:
        CommentRefused: the period is not running, the article is not this version's, or the
            draft asks for a name and phone that are missing.
        forms.FormError: a field is wrong (``.field`` names it).
        requests.NoCountyKey: no county key to seal to.
    """
    # Imported here: the envelope's crypto is not needed to show the home page's count.
    from kiosk.formats import replies
    from kiosk.services import requests

    day = (now.astimezone().date() if now else dt.date.today())
    current = draft(draft_info.code, draft_info.version, day)
    if current is None:
        raise CommentRefused("该草案已不在本机，请返回重新选择", "the draft is no longer on this terminal")
    if current.state == NOT_YET:
        raise CommentRefused(f"该草案自 {fmt.chinese_date(current.opens_on)} 起征求意见，现在还不能提交",
                             f"comments open on {current.opens_on}")  # fmt: skip
    if current.state != OPEN:
        closed = fmt.chinese_date(current.closes_on)
        raise CommentRefused(f"该草案的征求意见已于 {closed} 截止，不能再提交意见",
                             f"the consultation closed on {current.closes_on}")  # fmt: skip
    if current.article(article, clause) is None:
        raise CommentRefused("该条款不在此草案中", f"no article {article}/{clause} in this draft")
    if current.signed and not (name.strip() and phone.strip()):
        raise CommentRefused("此草案要求署名：请留下姓名和手机号", "this draft asks for a name and phone")
    form = {"draft": current.code, "version": current.version, "article": article, "stance": stance,
            "text": text, "name": name, "phone": phone}  # fmt: skip
    if clause is not None:
        form["clause"] = clause
    clean = forms.validate(requests.COMMENT_KIND, form)
    sealed, me = requests.seal_and_queue(requests.COMMENT_KIND, clean, now)
    label = article_label(article, clause)
    return requests.Receipt(
        number=sealed.header.receipt, kind=requests.COMMENT_KIND, kind_zh=requests.KIND_NAMES["comment"],
        received_on=requests.local_date(sealed.header.created), due_on=current.closes_on,
        due_rule="征求意见截止后，县里汇总研究，逐条公布采纳情况",
        name_masked=forms.masked_name(clean["name"]) if "name" in clean else "",
        phone_last4=forms.phone_last4(clean["phone"]) if "phone" in clean else "",
        topic=f"《{current.title}》{label}：{clean['stance']}", terminal=me.fingerprint(),
        qr_text=replies.qr_text(sealed.header.receipt, sealed.reply_key),
    )  # fmt: skip


def printed_sheet(code: str, version: int | None, base_url: str) -> "ConsultationSheet":
    """A draft as the village board's notice and results sheet print it (plain data for
    printing.consultation); its QR leads to the draft's page on the county's verify site.

    Raises:
        KnownError: no such draft here, or no verify site address to point the QR at.
    """
    from printing.consultation import ArticleResult, ConsultationSheet

    info = draft(code, version)
    if info is None:
        raise KnownError(f"本机没有草案 {code}" + (f" 第{version}版" if version else ""),
                         f"no draft {code} {version or ''} on this terminal")  # fmt: skip
    if not base_url:
        raise KnownError("未设置核验网址（终端设置 verify_base_url），二维码无处可指",
                         "no verify_base_url setting: the QR code would lead nowhere")  # fmt: skip
    decided = info.decision.stage == "已决策"
    return ConsultationSheet(
        title=info.title, code=info.code, version=info.version, decision_title=info.decision.title,
        department=info.department, background=info.background, summary=info.summary,
        affects=info.affects, opens_on=info.opens_on.isoformat(), closes_on=info.closes_on.isoformat(),
        period_days=info.period_days, short_reason=info.short_reason, phone=info.phone,
        address=info.address, meetings=info.meetings, signed=info.signed,
        qr_url=consultation.consultation_url(base_url, info.code, info.version),
        articles=tuple((a.label, a.text) for a in info.articles if a.article != WHOLE),
        results=tuple(ArticleResult(a.label, a.result.received, a.result.agree, a.result.disagree,
                                    a.result.suggest, a.result.outcome, a.result.reason)
                      for a in info.articles if a.result is not None),
        results_published_on=info.published_on.isoformat() if info.published_on else "",
        decided_on=info.decision.decided_on.isoformat() if decided and info.decision.decided_on else "",
        decision_outcome=info.decision.outcome if decided else "",
    )  # fmt: skip


@dataclass(frozen=True)
class Printed:
    results: bool  # the 意见采纳情况 sheet (else the 征求意见公告)
    pages: int
    qr_url: str


def print_sheet(code: str, version: int | None, base_url: str, out: Path,
                wanted: str | None = None) -> Printed:
    """The notice (``wanted`` "notice") or the results sheet ("results") as a PDF at ``out``;
    by default the results once published, else the notice.

    Raises:
        KnownError: as ``printed_sheet``, or results asked for before they are published.
    """
    from printing.consultation import render_notice, render_results

    sheet = printed_sheet(code, version, base_url)
    if wanted == "results" and not sheet.results:
        raise KnownError(f"草案 {code} 的采纳情况尚未公布，可打印征求意见公告",
                         f"no 采纳情况 published for {code} yet: print the notice")  # fmt: skip
    if wanted == "results" or (wanted is None and sheet.results):
        return Printed(True, render_results(sheet, out), sheet.qr_url)
    return Printed(False, render_notice(sheet, out).pages, sheet.qr_url)
