"""Villager journeys that need no pinyin: the last 4 ID characters then one's own name, the
surname picker, and what 朗读 hands the speech engine on each page."""

import sqlite3

import pytest

from kiosk import fmt
from kiosk.store.text import name_sort_key, surname
from tests.helpers.kiosk import tap

TOWN = "371522102"


def _rows(db, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def _long_village(db) -> str:
    return _rows(db, "SELECT village_id FROM payout WHERE village_id LIKE ? GROUP BY village_id"
                     " ORDER BY COUNT(*) DESC LIMIT 1", f"{TOWN}%")[0][0]  # fmt: skip


def _type(qtbot, lookup, chars: str) -> None:
    """Tap the keys; 删 stands for 删除."""
    for char in chars:
        tap(qtbot, lookup.keypad.keys["删除" if char == "删" else char])


def test_lookup_by_the_last_4_then_choosing_ones_name(qtbot, window, demo_db):
    # Last 4 characters that more than one person in the town shares: the villager picks.
    last4, count = _rows(demo_db, "SELECT id_last4, COUNT(DISTINCT name || id_masked) AS n FROM payout"
                                  " WHERE village_id LIKE ? GROUP BY id_last4 ORDER BY n DESC LIMIT 1",
                         f"{TOWN}%")[0]  # fmt: skip
    assert count >= 2, "the demo town has no shared last 4; pick another town"
    village = _rows(demo_db, "SELECT village_id FROM payout WHERE id_last4 = ? AND village_id LIKE ?",
                    last4, f"{TOWN}%")[0][0]  # fmt: skip
    window.show_village(village)
    tap(qtbot, window.payouts.lookup_button)
    lookup = window.payouts.lookup
    assert lookup.keypad.keys["X"] and "A" not in lookup.keypad.keys  # a telephone pad, no letters
    _type(qtbot, lookup, last4)
    assert lookup.last4.text() == last4
    tap(qtbot, lookup.search)
    assert lookup.step() == lookup.CHOOSE
    assert len(lookup.name_buttons) == count
    assert f"有 {count} 人" in lookup.message.text()
    chosen = lookup.name_buttons[-1]
    name = chosen.text().split("\n")[0]
    tap(qtbot, chosen)
    assert lookup.step() == lookup.RESULTS
    expected = _rows(demo_db, "SELECT year, SUM(amount_fen) FROM payout WHERE id_last4 = ? AND name = ?"
                              " AND village_id LIKE ? GROUP BY year ORDER BY year DESC", last4, name,
                     f"{TOWN}%")  # fmt: skip
    card = lookup.card
    rows = lookup.found.rows
    assert {r.name for r in rows} == {name} and all(r.id_masked.endswith(last4) for r in rows)
    # The card: a frame per year, newest first, its total in yuan as the county paid it.
    assert list(card.frames) == [year for year, _ in expected]
    for year, fen in expected:
        assert card.frames[year].accessibleName() == f"{year}年共领取补贴{fmt.money(fen)}元"
        assert f"{fmt.money(fen)}&nbsp;元" in card.frames[year].summary.text()
    assert f"<b>{name}</b>" in card.who.text() and last4 in card.who.text()
    assert not lookup.keypad.isVisible() and card.isVisible()  # the pad folded away
    assert card.print_button.isVisible() and not lookup.message.isVisible()
    # A year's button brings its frame to the top of the view.
    oldest = expected[-1][0]
    if len(expected) > 1:
        tap(qtbot, card.year_buttons[oldest])
        assert card.area.verticalScrollBar().value() == min(card.frames[oldest].y(),
                                                            card.area.verticalScrollBar().maximum())
    # 重新输入 starts over with nothing of the last villager left.
    tap(qtbot, lookup.again)
    assert lookup.step() == lookup.ENTRY and lookup.last4.text() == ""
    assert card.card is None and card.frames == {} and card.who.text() == "" and not card.year_buttons


def test_lookup_with_one_match_goes_straight_to_the_rows(qtbot, window, demo_db):
    last4, name, village = _rows(demo_db, "SELECT id_last4, MIN(name), MIN(village_id) FROM payout"
                                          " WHERE village_id LIKE ? GROUP BY id_last4"
                                          " HAVING COUNT(DISTINCT name || id_masked) = 1 LIMIT 1",
                                 f"{TOWN}%")[0]  # fmt: skip
    window.show_village(village)
    tap(qtbot, window.payouts.lookup_button)
    lookup = window.payouts.lookup
    _type(qtbot, lookup, last4)
    tap(qtbot, lookup.search)
    assert lookup.step() == lookup.RESULTS and f"<b>{name}</b>" in lookup.card.who.text()


def test_lookup_says_what_is_wrong_with_a_short_or_unknown_number(qtbot, window, demo_db):
    window.show_village(_long_village(demo_db))
    tap(qtbot, window.payouts.lookup_button)
    lookup = window.payouts.lookup
    _type(qtbot, lookup, "12")
    tap(qtbot, lookup.search)
    assert lookup.step() == lookup.ENTRY and "后4位" in lookup.message.text()
    taken = {r[0] for r in _rows(demo_db, "SELECT DISTINCT id_last4 FROM payout")}
    unused = next(f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in taken)
    _type(qtbot, lookup, "删删")
    _type(qtbot, lookup, unused)
    tap(qtbot, lookup.search)
    assert lookup.step() == lookup.ENTRY and "没有身份证号后4位为" in lookup.message.text()


def test_surname_picker_shows_one_familys_rows(qtbot, window, demo_db):
    village = _long_village(demo_db)
    window.show_village(village)
    page = window.payouts
    tap(qtbot, page.surname_button)
    families = list(page.surnames.buttons)
    assert families == sorted(families, key=name_sort_key) and len(families) >= 3
    family = families[1]
    tap(qtbot, page.surnames.buttons[family])
    rows = page.model.rows()
    year = page.result.year
    expected = [n for (n,) in _rows(demo_db, "SELECT name FROM payout WHERE village_id = ? AND year = ?",
                                    village, year) if surname(n) == family]  # fmt: skip
    assert sorted(r.name for r in rows) == sorted(expected)
    assert f"姓“{family}”" in page.filter_note.text() and page.filter_row.isVisible()
    tap(qtbot, page.all_names)
    assert page.model.rows() == page.result.rows and not page.filter_row.isVisible()


def test_payout_list_is_in_pinyin_order_within_each_item(window, demo_db):
    window.show_village(_long_village(demo_db))
    rows = window.payouts.model.rows()
    for item in {r.item_code for r in rows}:
        names = [r.name for r in rows if r.item_code == item]
        assert names == sorted(names, key=name_sort_key)
    assert len(rows) > 20


def test_totals_count_what_the_items_are_paid_per(window, demo_db):
    from kiosk.services import payouts

    village = _long_village(demo_db)
    window.show_village(village)
    per_household = next(i for i in window.payouts.result.items if i.paid_per == "户")
    window.payouts.show_village(village, window.payouts.result.year, per_household.code)
    totals = window.payouts.totals.text()
    assert " 户" in totals and " 人" not in totals, totals
    assert per_household.name in window.payouts.title.text()
    assert payouts.village_payouts(village).totals.households > 0


def test_selected_year_and_item_are_the_filled_buttons(qtbot, window, demo_db):
    from kiosk.ui.theme import ACTION

    window.show_village(_long_village(demo_db))
    chosen = window.payouts.years.buttons()[0]
    other = window.payouts.years.buttons()[-1]
    qtbot.wait(20)
    assert chosen.isChecked() and not other.isChecked()
    assert chosen.grab().toImage().pixelColor(chosen.width() // 2, 8).name() == ACTION
    assert other.grab().toImage().pixelColor(other.width() // 2, 8).name() == "#ffffff"


def test_item_strip_scrolls_by_arrow_and_by_mouse_drag_without_a_tap(qtbot, window, demo_db):
    from PySide6.QtCore import QPoint, Qt

    window.resize(1080, 1920)
    window.show_village(_long_village(demo_db))
    strip = window.payouts.items_strip
    qtbot.waitUntil(lambda: strip.area.horizontalScrollBar().maximum() > 0, timeout=2000)
    bar = strip.area.horizontalScrollBar()
    assert strip.right.isVisible() and not strip.left.isEnabled()
    tap(qtbot, strip.right)
    assert bar.value() > 0 and strip.left.isEnabled()
    tap(qtbot, strip.left)
    assert bar.value() == 0
    # A mouse drag that starts on an item button moves the strip and chooses nothing.
    button = window.payouts.items.buttons()[1]
    shown = window.payouts.result.item_code
    qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() - 10, 20))
    for step in range(1, 8):
        qtbot.mouseMove(button, QPoint(button.width() - 10 - step * 30, 20))
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton, pos=QPoint(button.width() - 220, 20))
    assert bar.value() > 0
    assert window.payouts.result.item_code == shown


@pytest.mark.qt_log_ignore("pipewire", "text-to-speech plug-in", "speechd")
def test_read_aloud_reads_what_matters_on_each_page(qtbot, window, demo_db):
    """The text handed to the speech engine: the current page's content, never a stale one."""
    village = _long_village(demo_db)
    window.show_village(village)
    said = window.spoken_text()
    assert said.startswith(window.payouts.title.text()) and "合计" in said
    tap(qtbot, window.payouts.lookup_button)
    lookup = window.payouts.lookup
    last4 = _rows(demo_db, "SELECT id_last4 FROM payout WHERE village_id = ? LIMIT 1", village)[0][0]
    _type(qtbot, lookup, last4)
    tap(qtbot, lookup.search)
    if lookup.step() == lookup.CHOOSE:
        assert "请点选您的姓名" in window.spoken_text()
        tap(qtbot, lookup.name_buttons[0])
    said = window.spoken_text()
    newest = lookup.card.card.years[0]
    assert said.startswith(f"{lookup.found.rows[0].name}，{newest.heading}{newest.total}元")
    assert newest.items[0].name in said and lookup.found.rows[0].id_masked not in said  # no ID aloud
    consult = window.show_page("consult")
    consult.show_category("涉农补贴")
    consult.view.open(0)
    answer = window.spoken_text()
    assert consult.view.detail.toPlainText()[:30] in answer
    policies = window.show_page("policies")
    policies.view.open(0)
    said = window.spoken_text()
    assert "内容摘要" in said and answer not in said
    window.go_home()
    assert "请选择" in window.spoken_text() and "找到" not in window.spoken_text()
