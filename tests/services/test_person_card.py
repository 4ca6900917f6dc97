"""The lookup's card (kiosk.services.person_card) checked against raw SQL over the demo
database: every year and item of the person, the sums right to the fen, how each amount was
reckoned, whom to ring."""

import sqlite3
from decimal import Decimal

import pytest

from kiosk.services import payouts, person_card
from kiosk.services.types import Person, PersonPayouts


@pytest.fixture
def raw(demo_db):
    conn = sqlite3.connect(demo_db)
    yield conn
    conn.close()


def _yuan(text: str) -> int:
    """Fen from “1,380.60”."""
    return int(Decimal(text.replace(",", "")) * 100)


def _richest(raw) -> Person:
    """The person with the most rows: several items, every year (an old villager's record)."""
    name, masked, village = raw.execute(
        "SELECT name, id_masked, village_id FROM payout GROUP BY name, id_masked, village_id"
        " ORDER BY count(*) DESC, name LIMIT 1").fetchone()  # fmt: skip
    village_name = raw.execute("SELECT name FROM village WHERE code = ?", (village,)).fetchone()[0]
    return Person(name, masked, village, village_name)


def test_the_card_holds_every_year_and_item_with_sums_to_the_fen(demo_db, raw):
    person = _richest(raw)
    card = person_card.payout_card(payouts.person_payouts(person))
    rows = raw.execute(
        "SELECT p.year, i.name, p.amount_fen FROM payout p JOIN subsidy_item i ON i.code = p.item_id"
        " WHERE p.name = ? AND p.id_masked = ? AND p.village_id = ?",
        (person.name, person.id_masked, person.village_code)).fetchall()  # fmt: skip
    assert [y.year for y in card.years] == sorted({r[0] for r in rows}, reverse=True)
    for year in card.years:
        mine = [r for r in rows if r[0] == year.year]
        assert _yuan(year.total) == sum(r[2] for r in mine)
        assert sorted(i.name for i in year.items) == sorted({r[1] for r in mine})
        assert sum(_yuan(i.amount) for i in year.items) == _yuan(year.total)
        for item in year.items:
            assert sum(_yuan(p.amount) for p in item.payments) == _yuan(item.amount)
            assert all(" × " in p.basis and p.paid_on.endswith("发放") for p in item.payments)
    assert (card.name, card.id_masked) == (person.name, person.id_masked)
    assert "*" in card.id_masked and card.place.endswith(person.village_name)
    assert card.ask[-1] == ("政务服务便民热线", "12345")


def test_the_card_names_the_town_service_centre_where_the_county_lists_one(demo_db, raw):
    query = "SELECT village_id FROM payout WHERE village_id LIKE '371522001%' LIMIT 1"
    village = raw.execute(query).fetchone()[0]
    name, masked = raw.execute("SELECT name, id_masked FROM payout WHERE village_id = ? LIMIT 1",
                               (village,)).fetchone()  # fmt: skip
    card = person_card.payout_card(payouts.person_payouts(Person(name, masked, village, "")))
    assert any("便民服务中心" in whom for whom, _ in card.ask), card.ask


def test_an_item_paid_twice_in_a_year_is_one_item_with_both_payments(demo_db, raw):
    found = payouts.person_payouts(_richest(raw))
    first = found.rows[0]
    again = first._replace(paid_on="2025-12-30", amount_fen=1234, remark="补发")
    rows = [first, again, *found.rows[1:]]
    card = person_card.payout_card(PersonPayouts(found.initials, found.id_last4, rows, found.villages,
                                                 found.amount_fen + 1234))  # fmt: skip
    item = next(i for i in card.years[0].items if i.name == first.item_name)
    assert len(item.payments) == 2 and item.payments[-1].note == "补发"
    lines = item.lines()
    assert lines[1].startswith("2025年12月30日发放　12.34元")  # several payments: each its amount
    assert _yuan(item.amount) == first.amount_fen + 1234


def test_a_date_not_as_the_feed_writes_one_is_shown_as_it_is(demo_db, raw):
    found = payouts.person_payouts(_richest(raw))
    odd = found.rows[0]._replace(paid_on="2025年春")
    card = person_card.payout_card(found._replace(rows=[odd]))
    assert card.years[0].items[0].payments[0].paid_on == "2025年春发放"

