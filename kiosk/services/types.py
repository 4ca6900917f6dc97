"""Plain data the services hand to the UI and to printing: no peewee rows leave services.

Immutable records as NamedTuples: the kiosk imports these before its first frame, and a
NamedTuple is defined ~7x faster than a frozen dataclass (14 of them: ~6 ms of start-up).
"""

from typing import NamedTuple


class TownInfo(NamedTuple):
    code: str
    name: str
    kind: str
    initials: str
    village_count: int


class VillageInfo(NamedTuple):
    code: str
    name: str
    town_code: str
    town_name: str
    initials: str
    is_demo: bool


class ItemInfo(NamedTuple):
    code: str
    name: str
    category: str
    paid_per: str  # 户 / 人
    unit: str
    department: str
    basis: str


class PayoutRow(NamedTuple):
    village_code: str
    year: int
    item_code: str
    item_name: str
    name: str
    id_masked: str
    quantity_centi: int
    unit: str
    standard_fen: int
    amount_fen: int
    paid_on: str
    batch: str
    account_last4: str
    remark: str


class PayoutTotals(NamedTuple):
    rows: int
    households: int  # distinct beneficiaries of per-household items
    persons: int  # distinct beneficiaries of per-person items
    amount_fen: int


class VillagePayouts(NamedTuple):
    village: VillageInfo
    year: int
    item_code: str | None
    rows: list[PayoutRow]
    totals: PayoutTotals
    years: list[int]  # every year this village has results for (or had, if withdrawn)
    items: list[ItemInfo]  # the items paid in this village that year
    # The county withdrew this town-year's results: its reason, shown instead of rows.
    withdrawn_reason: str | None = None


class Person(NamedTuple):
    """One person on the payout lists, as the lookup by ID last 4 offers them to pick."""

    name: str
    id_masked: str
    village_code: str
    village_name: str


class PersonPayouts(NamedTuple):
    """What a villager sees after entering name initials and the last 4 ID digits."""

    initials: str
    id_last4: str
    rows: list[PayoutRow]
    villages: dict[str, VillageInfo]
    amount_fen: int


class DomainInfo(NamedTuple):
    code: str
    seq: int
    name: str
    lead_department: str
    entry_count: int


class CatalogueEntryInfo(NamedTuple):
    id: int
    domain_code: str
    domain_name: str
    seq: int
    item_code: str
    level1: str
    level2: str
    content: str
    basis: str
    time_limit: str
    subject: str
    channels: list[str]
    audience: list[str]
    mode: list[str]
    levels: list[str]


class QAInfo(NamedTuple):
    id: int
    code: str
    question: str
    similar: list[str]
    answer: str
    category: str
    basis: str
    basis_doc_number: str
    department: str
    phone: str
    updated_on: str
    status: str


class DocumentInfo(NamedTuple):
    id: int
    index_no: str
    title: str
    doc_number: str
    issuer: str
    written_on: str | None
    published_on: str | None
    effective_on: str | None
    expires_on: str | None
    validity: str
    topic: str
    body: str
    interpretation: str


class GuideInfo(NamedTuple):
    id: int
    code: str
    name: str
    category: str
    conditions: str
    materials: list[str]
    procedure: list[str]
    time_limit: str
    location: str
    hours: str
    phone: str
    fee: str
    basis: str


class ContactInfo(NamedTuple):
    kind: str
    name: str
    department: str
    phone: str
    address: str
    hours: str
    town_code: str | None
    remark: str


class FeedStatus(NamedTuple):
    """What data the terminal holds; ``data_as_of`` is None before the first load."""

    version: int = 0
    data_as_of: str | None = None
    applied_at: str | None = None
    last_result: str = ""
    last_message: str = ""
    sources: tuple[str, ...] = ()
