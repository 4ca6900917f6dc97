"""意见征集: the year's 重大行政决策事项目录, and for each draft its 起草说明, its articles one by
one, the period and the other ways to comment; while it is open a tap on an article starts a
comment (the request page asks it, ``comment_requested``), and once the county has published
the 采纳情况 each article shows what became of the comments on it."""

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kiosk.fmt import chinese_date
from kiosk.services import consultations
from kiosk.services.consultations import OPEN, PUBLISHED, DecisionInfo, DraftInfo
from kiosk.ui.widgets import CurrentPageStack, Notice, SideBySide, kinetic

TITLE = "意见征集"
INTRO = "县政府重大行政决策事项目录。正在征求意见的草案，可以点开逐条发表意见"


def _status_line(summary) -> str:
    if summary is None:
        return "尚未发布草案"
    if summary.state == OPEN:
        return f"征求意见中，还剩 {summary.days_left} 天（{chinese_date(summary.closes_on)}截止）"
    if summary.state == PUBLISHED:
        return "征求意见已结束，已公布采纳情况"
    if summary.state == consultations.NOT_YET:
        return f"将于 {chinese_date(summary.opens_on)} 开始征求意见"
    return f"征求意见已于 {chinese_date(summary.closes_on)} 截止，采纳情况将统一公布"


def decision_text(d: DecisionInfo) -> str:
    """One entry of the 事项目录 as the list shows it (three short lines)."""
    stage = f"【{d.stage}】{d.title}"
    facts = f"{d.department}" + (f" · 计划 {d.planned}" if d.planned else "")
    if d.decided_on:
        facts += f" · {chinese_date(d.decided_on)}已决策"
    return f"{stage}\n{facts}\n{_status_line(d.draft) if d.stage != '已决策' or d.draft else ''}".strip()


def article_text(article: consultations.Article) -> str:
    lines = [f"{article.heading}" if article.heading else "", f"{article.label}  {article.text}"]
    if article.result is not None:
        r = article.result
        lines.append(f"采纳情况：{r.outcome}（收到 {r.received} 条意见）")
    return "\n".join(line for line in lines if line)


def draft_html(d: DraftInfo) -> str:
    """起草说明, the period, the other ways to comment and (after it) the decision, as one page."""
    e = html.escape
    parts = []  # the page's title names the draft already
    if d.latest_version > d.version:
        parts.append(f"<p><b>本稿已有第{d.latest_version}版，意见请对新版本提出。</b></p>")
    period = f"{chinese_date(d.opens_on)}至{chinese_date(d.closes_on)}（共{d.period_days}天）"
    if d.short_reason:
        period += f"。期限较短的原因：{d.short_reason}"
    rows = [("起草背景", d.background), ("主要内容", d.summary), ("涉及哪些人", d.affects),
            ("征求意见时间", period), ("起草单位", d.department), ("咨询电话", d.phone),
            ("通信地址", d.address), ("座谈会", d.meetings),
            ("署名", "须留下姓名和手机号" if d.signed else "可以不署名")]  # fmt: skip
    parts += [f"<p><b>{e(k)}：</b>{e(v)}</p>" for k, v in rows if v]
    decision = d.decision
    if decision.stage == "已决策" and decision.outcome:
        when = chinese_date(decision.decided_on) if decision.decided_on else ""
        parts.append(f"<h3>决策结果（{e(when)}）</h3><p>{e(decision.outcome)}</p>")
    if d.published_on:
        parts.append(f"<p><b>采纳情况</b>：{chinese_date(d.published_on)}公布，共收到 {d.received} 条意见；"
                     "点右边（或下面）的条文查看每一条的采纳情况和理由。</p>")
    return "".join(parts)


def article_html(d: DraftInfo, a: consultations.Article) -> str:
    e = html.escape
    parts = [f"<h3>{e(a.label)}</h3><p>{e(a.text)}</p>"]
    r = a.result
    if r is not None:
        parts.append(f"<h3>采纳情况：{e(r.outcome)}</h3><p>收到 {r.received} 条意见：赞成 {r.agree}，"
                     f"不赞成 {r.disagree}，修改建议 {r.suggest}</p>")
        if r.reason:
            parts.append(f"<p><b>理由：</b>{e(r.reason)}</p>")
    elif d.state != OPEN:
        parts.append("<p>采纳情况尚未公布。</p>")
    return "".join(parts)


class ConsultationPage(QWidget):
    """Emits ``comment_requested(draft, article, clause)`` for a tap on an article of an
    open draft, ``progress_requested`` for 凭回执查询我的意见."""

    comment_requested = Signal(object, int, object)
    progress_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.draft: DraftInfo | None = None
        self.decisions: list[DecisionInfo] = []
        self.title = QLabel(TITLE)
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)
        self.mine = QPushButton("凭回执查询我的意见")
        self.mine.setAccessibleName("凭回执查询我的意见")
        self.mine.clicked.connect(self.progress_requested.emit)
        self.back = QPushButton("返回目录")
        self.back.setAccessibleName("返回事项目录")
        self.back.clicked.connect(self.show_list)
        top = QHBoxLayout()
        top.addWidget(self.title, stretch=1)
        top.addWidget(self.mine)
        top.addWidget(self.back)
        self.status = Notice("征求意见状态")
        self.status.setStyleSheet("font-weight: bold;")

        self.stack = CurrentPageStack()
        list_view = QWidget()
        list_layout = QVBoxLayout(list_view)
        list_layout.setContentsMargins(0, 0, 0, 0)
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("重大行政决策事项目录")
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        kinetic(self.list)
        self.list.itemClicked.connect(lambda item: self.open_decision(self.list.row(item)))
        list_layout.addWidget(self.intro)
        list_layout.addWidget(self.list, stretch=1)
        self.stack.addWidget(list_view)

        self.info = QTextBrowser()
        self.info.setAccessibleName("起草说明")
        kinetic(self.info)
        self.about = QPushButton("看起草说明")
        self.about.setAccessibleName("看起草说明")
        self.about.clicked.connect(self._show_about)
        self.whole = QPushButton("对草案整体提意见")
        self.whole.setAccessibleName("对草案整体提意见")
        self.whole.clicked.connect(lambda: self.choose_article(consultations.WHOLE, None))
        self.articles_hint = QLabel("")
        self.articles_hint.setWordWrap(True)
        self.articles = QListWidget()
        self.articles.setAccessibleName("草案条文")
        self.articles.setWordWrap(True)
        self.articles.setSpacing(6)
        kinetic(self.articles)
        self.articles.itemClicked.connect(self._article_tapped)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.about)
        buttons.addWidget(self.whole)
        right_layout.addWidget(self.articles_hint)
        right_layout.addWidget(self.articles, stretch=1)
        right_layout.addLayout(buttons)
        self.draft_view = SideBySide(self.info, right)
        self.stack.addWidget(self.draft_view)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, stretch=1)
        self._keys: list[tuple[int, int | None]] = []
        self.shown_article: tuple[int, int | None] | None = None
        self.show_list()

    # -- the catalogue ------------------------------------------------------------------------

    def show_list(self) -> None:
        """The 事项目录, read afresh (a sync may have brought a new draft or results)."""
        self.draft, self.shown_article = None, None
        self.decisions = consultations.decisions()
        self.list.clear()
        for decision in self.decisions:
            self.list.addItem(QListWidgetItem(decision_text(decision)))
        year = max((d.year for d in self.decisions), default=None)
        self.title.setText(f"{TITLE} · {year}年重大行政决策事项目录" if year else TITLE)
        opened = sum(1 for d in self.decisions if d.draft and d.draft.state == OPEN)
        self.intro.setText(f"{INTRO}。{opened} 项草案正在征求意见" if opened else
                           (INTRO if self.decisions else "县里还没有发布重大行政决策事项目录"))  # fmt: skip
        self.status.clear()
        self.back.setVisible(False)
        self.stack.setCurrentIndex(0)

    def open_decision(self, row: int) -> None:
        decision = self.decisions[row]
        if decision.draft is None:  # 拟决策: nothing to read yet but what the catalogue says
            self.status.setText(f"“{decision.title}”尚未发布征求意见稿，发布后可在这里阅读并发表意见")
            return
        self.open_draft(decision.draft.code, decision.draft.version)

    # -- one draft ------------------------------------------------------------------------------

    def open_draft(self, code: str, version: int | None = None) -> None:
        draft = consultations.draft(code, version)
        if draft is None:
            self.show_list()
            return
        self.draft = draft
        self.title.setText(draft.title)  # the tile's name would only cost a line
        self.status.setText(_status_line(draft))
        self.articles.clear()
        self._keys = []
        for article in draft.articles:
            if article.article == consultations.WHOLE and (draft.is_open or article.result is None):
                continue  # while open it has its own button; with no result nothing to show
            self.articles.addItem(QListWidgetItem(article_text(article)))
            self._keys.append((article.article, article.clause))
        self.articles_hint.setText("点一条，对这一条发表意见" if draft.is_open
                                   else "点一条，看采纳情况和理由" if draft.published_on
                                   else "征求意见已结束，条文仍可阅读")  # fmt: skip
        self.whole.setVisible(draft.is_open)
        self.back.setVisible(True)
        self._show_about()
        self.stack.setCurrentIndex(1)

    def _show_about(self) -> None:
        if self.draft is not None:
            self.shown_article = None
            self.info.setHtml(draft_html(self.draft))
            self.about.setVisible(False)

    def _article_tapped(self, item: QListWidgetItem) -> None:
        self.choose_article(*self._keys[self.articles.row(item)])

    def choose_article(self, article: int, clause: int | None) -> None:
        """Comment on it while the draft is open; otherwise show it with its 采纳情况."""
        draft = self.draft
        if draft is None:
            return
        if draft.is_open:
            self.comment_requested.emit(draft, article, clause)
            return
        found = draft.article(article, clause)
        if found is not None:
            self.shown_article = (article, clause)
            self.info.setHtml(article_html(draft, found))
            self.about.setVisible(True)

    def reopen(self) -> None:
        """Back from a comment: the same draft, read again (its period may have ended)."""
        if self.draft is not None:
            self.open_draft(self.draft.code, self.draft.version)

    def spoken_text(self) -> str:
        """The catalogue's entries, or the 起草说明 or the article shown."""
        if self.draft is None:
            entries = "。".join(decision_text(d).replace("\n", "，") for d in self.decisions[:10])
            return f"{self.title.text()}。{self.intro.text()}。{entries}"
        return f"{self.status.text()}。{self.info.toPlainText()}"

    def clear(self) -> None:
        """Idle reset: back to the catalogue."""
        self.show_list()
