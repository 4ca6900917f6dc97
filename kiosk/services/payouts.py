"""Subsidy payout results: a village's list by year and item, and a villager's own lookup."""

import re

from peewee import fn

from kiosk.errors import KnownError
from kiosk.services import divisions
from kiosk.services.types import (
    ItemInfo,
    PayoutRow,
    PayoutTotals,
    Person,
    PersonPayouts,
    VillagePayouts,
)
from kiosk.store import text
from kiosk.store.models import Payout, SubsidyItem, Withdrawal
from kiosk.store.prepared import Prepared, rows_of

_ROW_FIELDS = (
    Payout.village, Payout.year, Payout.item, SubsidyItem.name, Payout.name, Payout.id_masked,
    Payout.quantity_centi, Payout.unit, Payout.standard_fen, Payout.amount_fen, Payout.paid_on,
    Payout.batch, Payout.account_last4, Payout.remark, SubsidyItem.paid_per,
)  # fmt: skip


_ITEMS = Prepared(lambda: SubsidyItem.select(
    SubsidyItem.code, SubsidyItem.name, SubsidyItem.category, SubsidyItem.paid_per,
    SubsidyItem.unit, SubsidyItem.department, SubsidyItem.basis,
).order_by(SubsidyItem.code))  # fmt: skip


def list_items() -> list[ItemInfo]:
    """The county's subsidy item list (补贴政策清单), in code order."""
    return [ItemInfo(*row) for row in _ITEMS.rows()]


def has_any() -> bool:
    """Whether this terminal holds any payout results at all (a synced terminal does)."""
    return Payout.select().limit(1).exists()


def latest_year() -> int | None:
    """The newest year with results anywhere in the county (what a year-end batch prints)."""
    return Payout.select(fn.MAX(Payout.year)).scalar()


_YEARS = Prepared(lambda village: Payout.select(Payout.year).where(Payout.village == village)
                  .distinct().order_by(Payout.year.desc()), "V")  # fmt: skip


def warm_up() -> str | None:
    """Show one village's list to no one, so that the first villager's tap finds the name
    readings loaded, the queries compiled and SQLite's pages cached. Returns that village's
    code (None: no payouts on this terminal yet)."""
    row = Payout.select(Payout.village).limit(1).tuples().first()
    if row is None:
        return None
    village_payouts(row[0])
    return row[0]


def years_for_village(village_code: str) -> list[int]:
    """Years with results for the village, newest first."""
    return [year for (year,) in _YEARS.rows(village_code)]


def _village_rows(*item) -> Prepared:
    """A village's rows of a year (and of one item, given a sample item code)."""

    def build(village, year, *item):
        query = (Payout.select(*_ROW_FIELDS).join(SubsidyItem)
                 .where((Payout.village == village) & (Payout.year == year)))  # fmt: skip
        if item:
            query = query.where(Payout.item == item[0])
        return query.order_by(Payout.item, Payout.id)

    return Prepared(build, "V", 0, *item)


_VILLAGE_ROWS, _VILLAGE_ITEM_ROWS = _village_rows(), _village_rows("I")
_ITEMS_PAID = Prepared(lambda village, year: Payout.select(Payout.item).where(
    (Payout.village == village) & (Payout.year == year)).distinct(), "V", 0)  # fmt: skip


def village_payouts(village_code: str, year: int | None = None,
                    item_code: str | None = None) -> VillagePayouts:
    """One village's payout list for a year (default: its latest), optionally one item.

    Raises:
        KnownError: the village code is unknown.
    """
    village = divisions.get_village(village_code)
    if village is None:
        raise KnownError(f"没有找到村代码 {village_code}", f"unknown village code {village_code}")
    withdrawn = withdrawn_years(village.town_code)
    years = sorted(set(years_for_village(village_code)) | set(withdrawn), reverse=True)
    if year is None:
        year = years[0] if years else 0
    if item_code:
        raw = _VILLAGE_ITEM_ROWS.rows(village_code, year, item_code)
    else:
        raw = _VILLAGE_ROWS.rows(village_code, year)
    # Within an item, by pinyin as a paper register is (曾 under Z): a villager looks for
    # their name where they expect it.
    raw.sort(key=lambda r: (r[2], text.name_sort_key(r[4])))
    rows = [PayoutRow(*r[:-1]) for r in raw]
    # With one item shown, the item strip still offers every item the village was paid.
    paid = {c for (c,) in _ITEMS_PAID.rows(village_code, year)} if item_code else {r.item_code for r in rows}
    items = [i for i in list_items() if i.code in paid]
    return VillagePayouts(village, year, item_code, rows, _totals(raw), years, items,
                          withdrawn.get(year))  # fmt: skip


_WITHDRAWN = Prepared(lambda town: Withdrawal.select(Withdrawal.year, Withdrawal.reason).where(
    Withdrawal.town_code == town), "T")  # fmt: skip


def withdrawn_years(town_code: str) -> dict[int, str]:
    """Years whose payouts the county withdrew for this town (year -> reason)."""
    return dict(_WITHDRAWN.rows(town_code))


def _totals(raw: list[tuple]) -> PayoutTotals:
    households = {(r[4], r[5]) for r in raw if r[-1] == "户"}
    persons = {(r[4], r[5]) for r in raw if r[-1] == "人"}
    return PayoutTotals(len(raw), len(households), len(persons), sum(r[9] for r in raw))


_LAST4 = re.compile(r"^\d{3}[\dX]$")


def people_by_last4(id_last4: str, town_code: str | None = None,
                    name: str | None = None) -> list[Person]:  # fmt: skip
    """Who in the town has an ID number ending in ``id_last4`` (and, when the villager wrote
    it, the ``name``): the villager picks their own name from these few, no pinyin needed.
    Names and masked IDs are on the public list already, so this shows nothing new.

    Raises:
        KnownError: ``id_last4`` is not 4 characters of an ID number.
    """
    id_last4 = _checked_last4(id_last4)
    query = (
        Payout.select(Payout.name, Payout.id_masked, Payout.village)
        .where(Payout.id_last4 == id_last4)
        .distinct()
    )
    if name:
        query = query.where(Payout.name == name)
    if town_code:
        query = _in_town(query, town_code)
    people = []
    for name, id_masked, village_code in rows_of(query):
        village = divisions.get_village(village_code)
        people.append(Person(name, id_masked, village_code, village.name if village else village_code))
    return sorted(people, key=lambda p: (text.name_sort_key(p.name), p.village_code))


def count_named(name: str, town_code: str | None = None) -> int:
    """How many people on the town's lists bear ``name`` (a written name, before the last 4
    ID characters narrow it to one)."""
    query = Payout.select(Payout.id_masked, Payout.village).where(Payout.name == name).distinct()
    if town_code:
        query = _in_town(query, town_code)
    return query.count()


def _in_town(query, town_code: str):
    return query.where(Payout.village.between(f"{town_code}000", f"{town_code}999"))


def person_payouts(person: Person) -> PersonPayouts:
    """Everything paid to the person chosen from :func:`people_by_last4`, newest year first."""
    query = (
        Payout.select(*_ROW_FIELDS)
        .join(SubsidyItem)
        .where((Payout.id_masked == person.id_masked) & (Payout.name == person.name)
               & (Payout.village == person.village_code))
    )  # fmt: skip
    raw = rows_of(query.order_by(Payout.year.desc(), Payout.item, Payout.id))
    rows = [PayoutRow(*r[:-1]) for r in raw]
    village = divisions.get_village(person.village_code)
    villages = {person.village_code: village} if village else {}
    return PersonPayouts(text.name_initials(person.name), person.id_masked[-4:], rows, villages,
                         sum(r.amount_fen for r in rows))  # fmt: skip


def _checked_last4(id_last4: str) -> str:
    id_last4 = id_last4.strip().upper()
    if not _LAST4.match(id_last4):
        raise KnownError("请输入身份证号后4位（最后一位可能是 X）",
                         "enter the last 4 characters of the ID number")  # fmt: skip
    return id_last4


def surnames(rows: list[PayoutRow]) -> list[tuple[str, int]]:
    """The surnames on a list with how many rows each, in pinyin order (the surname picker)."""
    counts: dict[str, int] = {}
    for row in rows:
        family = text.surname(row.name)
        counts[family] = counts.get(family, 0) + 1
    return sorted(counts.items(), key=lambda pair: text.name_sort_key(pair[0]))


def with_surname(rows: list[PayoutRow], family: str) -> list[PayoutRow]:
    return [row for row in rows if text.surname(row.name) == family]
