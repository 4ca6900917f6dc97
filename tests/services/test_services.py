"""The read API the UI and printing use, checked against raw SQL over the same database."""

import sqlite3

import pytest

from kiosk.errors import KnownError
from kiosk.services import catalogue, consult, divisions, documents, payouts, status


@pytest.fixture
def raw(demo_db):
    conn = sqlite3.connect(demo_db)
    yield conn
    conn.close()


def test_towns_are_the_24_of_shen_county_in_code_order(demo_db):
    towns = divisions.list_towns()
    assert len(towns) == 24
    assert (towns[0].code, towns[0].name) == ("371522001", "燕塔街道")
    assert (towns[-1].code, towns[-1].name) == ("371522121", "俎店镇")
    assert all(t.village_count >= 2 for t in towns)


def test_villages_sort_by_pinyin_and_are_marked_demo(demo_db):
    villages = divisions.list_villages("371522102")
    assert villages and all(v.is_demo and v.town_name == "朝城镇" for v in villages)
    from kiosk.store.text import full_pinyin

    keys = [full_pinyin(v.name) for v in villages]
    assert keys == sorted(keys)


def _some_village(raw) -> str:
    return raw.execute(
        "SELECT village_id FROM payout GROUP BY village_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]


def test_village_payouts_totals_match_raw_sql(demo_db, raw):
    code = _some_village(raw)
    result = payouts.village_payouts(code, 2025)
    count, amount = raw.execute(
        "SELECT count(*), sum(amount_fen) FROM payout WHERE village_id=? AND year=2025", (code,)
    ).fetchone()
    assert result.totals.rows == len(result.rows) == count
    assert result.totals.amount_fen == amount
    assert result.years == [2025, 2024, 2023]
    households = raw.execute(
        "SELECT count(DISTINCT p.name || p.id_masked) FROM payout p JOIN subsidy_item i"
        " ON i.code = p.item_id WHERE village_id=? AND year=2025 AND i.paid_per='户'", (code,)
    ).fetchone()[0]
    assert result.totals.households == households
    assert {r.item_code for r in result.rows} == {i.code for i in result.items}


def test_village_payouts_by_item(demo_db, raw):
    code = _some_village(raw)
    result = payouts.village_payouts(code, 2024, "A01")
    assert result.rows and {r.item_code for r in result.rows} == {"A01"}
    assert {r.item_name for r in result.rows} == {"耕地地力保护补贴"}
    expected = raw.execute(
        "SELECT sum(amount_fen) FROM payout WHERE village_id=? AND year=2024 AND item_id='A01'",
        (code,),
    ).fetchone()[0]
    assert result.totals.amount_fen == expected


def test_default_year_is_the_latest(demo_db, raw):
    assert payouts.village_payouts(_some_village(raw)).year == 2025


def test_unknown_village_is_a_clear_error(demo_db):
    with pytest.raises(KnownError, match="371522102999"):
        payouts.village_payouts("371522102999", 2025)


def test_person_lookup_finds_own_rows_across_years(demo_db, raw):
    last4, name, masked, village = raw.execute(
        "SELECT id_last4, name, id_masked, village_id FROM payout"
        " GROUP BY name, id_masked HAVING count(DISTINCT year) = 3 LIMIT 1"
    ).fetchone()
    people = payouts.people_by_last4(last4)
    assert all(p.id_masked.endswith(last4) for p in people)
    me = next(p for p in people if (p.name, p.id_masked, p.village_code) == (name, masked, village))
    found = payouts.person_payouts(me)
    assert {r.year for r in found.rows} == {2023, 2024, 2025}
    assert {(r.name, r.id_masked) for r in found.rows} == {(name, masked)}
    assert found.amount_fen == sum(r.amount_fen for r in found.rows)
    assert set(found.villages) == {village}


@pytest.mark.parametrize("last4", ["", "12", "12345", "X123", "张三12"])
def test_person_lookup_needs_four_id_characters(demo_db, last4):
    with pytest.raises(KnownError, match="身份证号后4位"):
        payouts.people_by_last4(last4)


def test_person_lookup_within_a_town_and_by_written_name(demo_db, raw):
    town, last4 = raw.execute(
        "SELECT substr(village_id, 1, 9) AS town, id_last4 FROM payout GROUP BY town, id_last4"
        " HAVING COUNT(DISTINCT name || id_masked) > 1 LIMIT 1"
    ).fetchone()
    within = payouts.people_by_last4(last4, town_code=town)
    assert len(within) > 1 and all(p.village_code.startswith(town) for p in within)
    assert len(payouts.people_by_last4(last4)) >= len(within)
    name = within[0].name
    named = payouts.people_by_last4(last4, town, name)
    assert named and {p.name for p in named} == {name} and len(named) < len(within)
    assert payouts.count_named(name, town) >= len(named)
    assert payouts.count_named("不存在的人", town) == 0


def test_catalogue_has_26_domains_with_entries(demo_db):
    domains = catalogue.list_domains()
    assert len(domains) == 26
    assert all(d.entry_count >= 3 for d in domains)
    entries = catalogue.entries("D21")
    assert entries[0].domain_name == "涉农补贴"
    assert all(e.channels and e.audience and e.mode and e.levels for e in entries)


@pytest.mark.parametrize("word", ["低保", "补贴", "医保"])
def test_two_character_full_text_search(demo_db, word):
    hits = catalogue.search(word)
    assert hits, word
    assert all(word in (e.level1 + e.level2 + e.content + e.basis + e.subject) for e in hits)


def test_catalogue_search_by_title_initials(demo_db):
    entry = catalogue.entries("D18")[0]
    from kiosk.store.text import initials

    hits = catalogue.search(initials(entry.level1 + entry.level2).upper())
    assert entry.id in [h.id for h in hits]


def test_qa_search_and_categories(demo_db):
    categories = consult.qa_categories()
    assert categories[:2] == ["涉农补贴", "社会救助"]
    hits = consult.search_qa("低保")
    assert hits and all(h.status == "有效" for h in hits)
    assert all("低保" in h.question + h.answer + "".join(h.similar) + h.basis for h in hits)
    assert consult.qa_by_category("养老")


def test_single_character_search_falls_back_to_scan(demo_db):
    hits = consult.search_qa("医")
    assert hits and all("医" in h.question + h.answer + "".join(h.similar) + h.basis
                        for h in hits)  # fmt: skip


def test_documents_by_validity(demo_db):
    every = documents.list_documents()
    by_validity = {v: documents.list_documents(v) for v in ("有效", "已修改", "已废止")}
    assert all(by_validity.values())
    assert sum(len(v) for v in by_validity.values()) <= len(every)
    assert all(d.validity == "已废止" for d in by_validity["已废止"])
    first = every[0]
    assert documents.get_document(first.id) == first
    assert "〔" in first.doc_number or "第" in first.doc_number


def test_contacts_and_guides(demo_db):
    hotlines = consult.list_contacts(kind="热线")
    assert any(c.phone == "12345" for c in hotlines)
    town = consult.list_contacts(town_code="371522102")
    assert all(c.town_code in (None, "371522102") for c in town)
    guides = consult.list_guides()
    assert guides and all(g.materials and g.procedure for g in guides)
    assert consult.search_guides("低保")


def test_feed_status_after_import(demo_db):
    state = status.feed_status()
    assert state.data_as_of is not None and state.last_result == "ok"


def test_feed_status_empty_before_any_data(empty_db):
    assert status.feed_status().data_as_of is None
