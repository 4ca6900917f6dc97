"""政策找人 at the terminal: the county's rules from the store, one villager's answers held in
memory only (a Screening), and the result in three groups with what decided each line.

Nothing a villager answers is stored, logged or sent: a Screening lives as long as the page
shows it, and the idle reset drops it. The rules are read afresh for each new screening
(about fifty rows): a sync that changed them counts from the next villager on.
"""

import datetime as dt
from dataclasses import dataclass

from kiosk.fmt import chinese_date
from kiosk.formats import screening
from kiosk.formats.screening import LIKELY, UNDECIDED, UNLIKELY, Question, Rules, Verdict
from kiosk.services import status
from kiosk.store.models import PolicyDocument, QAEntry, ScreeningCondition, ScreeningPolicy

__all__ = ["LIKELY", "UNDECIDED", "UNLIKELY", "PolicyLine", "Result", "Screening", "checklist", "load_rules"]


def load_rules() -> Rules:
    """The rules the last sync brought (none before a county publishes any)."""
    policies = list(ScreeningPolicy.select().order_by(ScreeningPolicy.code).dicts())
    conditions = ScreeningCondition.select().order_by(ScreeningCondition.id).dicts()
    return screening.rules_from_rows(policies, conditions)


def has_rules() -> bool:
    return ScreeningPolicy.select().exists()


@dataclass(frozen=True)
class Link:
    """Something on the terminal a result line leads to: a 规范性文件 or a Q&A."""

    title: str
    body: str


@dataclass(frozen=True)
class PolicyLine:
    """One policy in the result, as the page and the printed 申办清单 show it."""

    code: str
    name: str
    outcome: str
    reason: str  # why it is in its group, with the source
    missing: tuple[str, ...]  # 无法判断: the questions whose answers would decide it
    benefit: str
    automatic: bool
    department: str
    place: str
    materials: str
    phone: str
    time_limit: str
    reference: str
    document: Link | None = None
    qa: Link | None = None


@dataclass(frozen=True)
class Result:
    likely: tuple[PolicyLine, ...]
    unlikely: tuple[PolicyLine, ...]
    undecided: tuple[PolicyLine, ...]

    def spoken_text(self) -> str:
        """The result read aloud: each group, its policies and what decides them."""
        parts = []
        for title, lines in (
            ("可能符合", self.likely),
            ("无法判断", self.undecided),
            ("可能不符合", self.unlikely),
        ):
            if lines:
                parts.append(
                    f"{title}的有{len(lines)}项：" + "；".join(f"{p.name}，{p.reason}" for p in lines)
                )
        return "。".join(parts) if parts else "没有可以判断的政策"


class Screening:
    """One villager's answers, one question at a time, with 上一步 always possible."""

    def __init__(self, rules: Rules, day: dt.date | None = None):
        self.rules = rules
        self.day = day or dt.date.today()
        self.answers: dict[str, str] = {}  # in the order answered: 上一步 takes the last back

    def question(self) -> Question | None:
        """The next question worth asking, or None: the result can be shown."""
        return self.rules.next_question(self.answers, self.day)

    def remaining(self) -> int:
        """At most how many questions are left, this one counted."""
        return self.rules.remaining(self.answers, self.day)

    def answer(self, code: str, label: str) -> None:
        """``label`` is one of the question's options or 不清楚.

        Raises:
            RuleError: not a question or not one of its options (a programming error).
        """
        self.answers.update(screening.check_answers({code: label}))

    def back(self) -> str | None:
        """Take the last answer back; returns its question's code (None at the start)."""
        if not self.answers:
            return None
        code = next(reversed(self.answers))
        del self.answers[code]
        return code

    def result(self) -> Result:
        verdicts = self.rules.screen(self.answers, self.day)
        documents, qa = _links(verdicts)
        lines = [_line(v, documents, qa) for v in verdicts]
        return Result(*(tuple(line for line in lines if line.outcome == outcome)
                        for outcome in (LIKELY, UNLIKELY, UNDECIDED)))  # fmt: skip


def _links(verdicts: list[Verdict]) -> tuple[dict[str, Link], dict[str, Link]]:
    wanted_docs = {v.policy.document_index for v in verdicts if v.policy.document_index}
    wanted_qa = {v.policy.qa_code for v in verdicts if v.policy.qa_code}
    found = PolicyDocument.select(PolicyDocument.index_no, PolicyDocument.title, PolicyDocument.doc_number,
                                  PolicyDocument.body).where(PolicyDocument.index_no.in_(wanted_docs))
    documents = {d.index_no: Link(f"{d.title}（{d.doc_number}）" if d.doc_number else d.title, d.body)
                 for d in found}  # fmt: skip
    qa = {q.code: Link(q.question, q.answer)
          for q in QAEntry.select(QAEntry.code, QAEntry.question, QAEntry.answer)
          .where(QAEntry.code.in_(wanted_qa) & (QAEntry.status == "有效"))}  # fmt: skip
    return documents, qa


def _line(verdict: Verdict, documents: dict[str, Link], qa: dict[str, Link]) -> PolicyLine:
    p = verdict.policy
    return PolicyLine(
        code=p.code, name=p.name, outcome=verdict.outcome, reason=verdict.reason(), missing=verdict.missing,
        benefit=p.benefit, automatic=p.automatic, department=p.department, place=p.place,
        materials=p.materials, phone=p.phone, time_limit=p.time_limit, reference=p.reference,
        document=documents.get(p.document_index), qa=qa.get(p.qa_code),
    )  # fmt: skip


def checklist(result: Result, place: str = "", day: dt.date | None = None):
    """The printed 申办清单 (printing.screening) of ``result``: the likely policies with what
    to bring, where and whom to call, and whom to ask about the undecided ones. Nothing the
    villager answered is on it."""
    from printing.screening import ChecklistData, ChecklistItem

    likely = tuple(
        ChecklistItem(name=p.name, benefit=p.benefit, automatic=p.automatic, department=p.department,
                      place=p.place, materials=p.materials, phone=p.phone, time_limit=p.time_limit,
                      reference=p.reference)
        for p in result.likely
    )  # fmt: skip
    to_ask = tuple((p.name, p.department, p.phone) for p in result.undecided)
    as_of = status.feed_status().data_as_of
    rules_as_of = f"规则更新于{chinese_date(dt.datetime.fromisoformat(as_of).date())}" if as_of else ""
    return ChecklistData(printed_on=day or dt.date.today(), place=place, likely=likely, to_ask=to_ask,
                         rules_as_of=rules_as_of)
