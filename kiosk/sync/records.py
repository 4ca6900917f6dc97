"""How a validated row becomes a store record: target model, fields, derived keys."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

from peewee import Model

from kiosk.formats.datasets import DEMO_MARK
from kiosk.formats.validate import Row
from kiosk.store import text
from kiosk.store.models import (
    Adoption,
    CatalogueDomain,
    CatalogueEntry,
    CommentReceipt,
    Contact,
    Decision,
    Draft,
    DraftArticle,
    Payout,
    PolicyDocument,
    QAEntry,
    Reply,
    ScreeningCondition,
    ScreeningPolicy,
    ServiceGuide,
    SubsidyItem,
    Town,
    Village,
    WorkDay,
)


@dataclass(frozen=True)
class Record:
    model: type[Model]
    fields: tuple[str, ...]
    values: Callable[[Row], tuple]


def _same(*keys: str) -> Callable[[Row], tuple]:
    return lambda r: tuple(r[k] for k in keys)


_CATALOGUE = ("seq", "item_code", "level1", "level2", "content", "basis", "time_limit",
              "subject", "channels", "audience", "mode", "levels")  # fmt: skip
_QA = ("code", "question", "similar", "answer", "category", "basis", "basis_doc_number",
       "department", "phone", "updated_on", "status")  # fmt: skip
_DOCUMENTS = ("index_no", "title", "doc_number", "issuer", "written_on", "published_on",
              "effective_on", "expires_on", "validity", "topic", "body", "interpretation")  # fmt: skip
_GUIDES = ("code", "name", "category", "conditions", "materials", "procedure", "time_limit",
           "location", "hours", "phone", "fee", "basis")  # fmt: skip
_DECISIONS = ("code", "year", "title", "department", "stage", "planned", "decided_on", "outcome")
_DRAFTS = ("code", "version", "decision_code", "title", "background", "summary", "affects", "opens_on",
           "closes_on", "short_reason", "department", "phone", "address", "meetings")
_ARTICLES = ("draft_code", "version", "article", "clause", "heading", "text")
_ADOPTIONS = ("draft_code", "version", "article", "clause", "received", "agree", "disagree", "suggest",
              "outcome", "reason", "published_on")
_COMMENT_RECEIPTS = ("lookup", "envelope_digest", "draft_code", "version", "article", "clause",
                     "received_on")
_SCREENING_POLICIES = ("code", "name", "category", "department", "benefit", "mode", "place", "materials",
                       "phone", "time_limit", "reference", "document_index", "qa_code", "valid_from",
                       "valid_until", "remark")
_SCREENING_CONDITIONS = ("policy_code", "group", "question", "comparison", "value", "label", "valid_from",
                         "valid_until", "reference")
_ITEMS = ("code", "name", "category", "paid_per", "unit", "frequency", "department", "basis",
          "standard_fen")  # fmt: skip

RECORDS: dict[str, Record] = {
    "towns": Record(
        Town, ("code", "name", "kind", "pinyin", "initials"),
        lambda r: (r["code"], r["name"], r["kind"], text.full_pinyin(r["name"]),
                   text.initials(r["name"])),
    ),
    "villages": Record(
        Village, ("code", "town", "name", "pinyin", "initials", "is_demo"),
        lambda r: (r["code"], r["town_code"], r["name"], text.full_pinyin(r["name"]),
                   text.initials(r["name"]), DEMO_MARK in r["remark"]),
    ),
    "subsidy_items": Record(SubsidyItem, _ITEMS, _same(*_ITEMS)),
    "payouts": Record(
        Payout,
        ("village", "year", "item", "paid_on", "batch", "name", "name_initials", "id_masked",
         "id_last4", "quantity_centi", "unit", "standard_fen", "amount_fen", "account_last4",
         "remark"),
        lambda r: (r["village_code"], r["year"], r["item_code"], r["paid_on"], r["batch"],
                   r["name"], "", r["id_masked"], r["id_masked"][-4:], r["quantity_centi"],
                   r["unit"], r["standard_fen"], r["amount_fen"], r["account_last4"] or "",
                   r["remark"]),
    ),
    "catalogue_domains": Record(
        CatalogueDomain, ("code", "seq", "name", "lead_department"),
        _same("code", "seq", "name", "lead_department"),
    ),
    "catalogue_entries": Record(
        CatalogueEntry, ("domain", *_CATALOGUE, "title_initials"),
        lambda r: (r["domain_code"], *(r[f] for f in _CATALOGUE),
                   text.initials(r["level1"] + r["level2"])),
    ),
    "qa": Record(
        QAEntry, (*_QA, "question_initials"),
        lambda r: (*(r[f] for f in _QA), text.initials(r["question"])),
    ),
    "documents": Record(
        PolicyDocument, (*_DOCUMENTS, "title_initials"),
        lambda r: (*(r[f] for f in _DOCUMENTS), text.initials(r["title"])),
    ),
    "guides": Record(ServiceGuide, _GUIDES, _same(*_GUIDES)),
    "work_calendar": Record(WorkDay, ("day", "kind", "note"), _same("day", "kind", "note")),
    "contacts": Record(
        Contact, ("kind", "name", "department", "phone", "address", "hours", "town", "remark"),
        _same("kind", "name", "department", "phone", "address", "hours", "town_code", "remark"),
    ),
    "replies": Record(
        Reply, ("lookup", "envelope_digest", "kind", "status", "received_on", "due_on",
                "answered_on", "answer_sealed"),
        lambda r: (r["lookup"], r["envelope_digest"] or None, r["kind"], r["status"], r["received_on"],
                   r["due_on"], r["answered_on"] or None, r["answer_sealed"] or ""),
    ),
    "decisions": Record(Decision, _DECISIONS, _same(*_DECISIONS)),
    "drafts": Record(Draft, (*_DRAFTS, "signed"), lambda r: (*(r[k] for k in _DRAFTS), r["signed"] == "是")),
    "draft_articles": Record(DraftArticle, _ARTICLES, _same(*_ARTICLES)),
    "adoptions": Record(Adoption, _ADOPTIONS, _same(*_ADOPTIONS)),
    "comment_receipts": Record(CommentReceipt, _COMMENT_RECEIPTS, _same(*_COMMENT_RECEIPTS)),
    "screening_policies": Record(ScreeningPolicy, _SCREENING_POLICIES, _same(*_SCREENING_POLICIES)),
    "screening_conditions": Record(ScreeningCondition, _SCREENING_CONDITIONS, _same(*_SCREENING_CONDITIONS)),
}  # fmt: skip


def payout_rows(columns: dict[str, list], item_codes: list[str]) -> Iterator[tuple]:
    """The Payout records of a partition checked a column at a time (kiosk.formats.columns):
    the same tuples RECORDS["payouts"].values makes row by row, built without a Python call
    per row, one at a time as they are consumed. ``name_initials`` stays empty: nothing looks
    people up by pinyin initials since schema 7, and computing them was a third of a first
    sync."""
    count = len(item_codes)
    return zip(
        columns["village_code"], columns["year"], item_codes, columns["paid_on"], columns["batch"],
        columns["name"], repeat("", count), columns["id_masked"],
        map(itemgetter(slice(-4, None)), columns["id_masked"]), columns["quantity_centi"],
        columns["unit"], columns["standard_fen"], columns["amount_fen"],
        (tail or "" for tail in columns["account_last4"]), columns["remark"], strict=False,
    )  # fmt: skip
