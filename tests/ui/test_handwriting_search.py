"""Written words at work: the kiosk's searches and the villager's own lookup take what was
written on the text-entry panel, and the idle reset forgets it."""

import json
import sqlite3

import pytest
from PySide6.QtCore import QPoint, Qt

from kiosk.services import catalogue, documents, handwriting
from kiosk.ui import tasks
from tests.helpers.kiosk import StandIn, tap
from tests.helpers.paths import STROKES


@pytest.fixture(autouse=True)
def _no_leftover_tasks():
    yield
    tasks.wait_for_all()


def _write(qtbot, pad, char: str) -> None:
    """Write ``char`` on the pad with the mouse, stroke by stroke, from its recorded file."""
    sample = json.loads((STROKES / f"{char}.json").read_text(encoding="utf-8"))
    sx, sy = pad.width() / sample["width"], pad.height() / sample["height"]
    for stroke in sample["strokes"]:
        points = [QPoint(round(x * sx), round(y * sy)) for x, y in stroke]
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
        for point in points[1:]:
            qtbot.mouseMove(pad, point)
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])


def _pick(qtbot, panel, char: str) -> None:
    qtbot.waitUntil(lambda: char in panel.choices(), timeout=10_000)
    tap(qtbot, panel.candidate_buttons[panel.choices().index(char)])


def test_writing_dibao_by_hand_searches_the_catalogue(qtbot, window):
    try:
        handwriting.find()
    except handwriting.Unavailable as missing:
        pytest.skip(f"Zinnia or its model is not installed: {missing.en}")
    page = window.show_page("catalogue")
    tap(qtbot, page.search.write)
    panel = page.search.panel
    assert panel.isVisible() and not page.domain_panel.isVisible() and not page.title.isVisible()
    for char in "低保":
        _write(qtbot, panel.pad, char)
        _pick(qtbot, panel, char)
    assert panel.text() == "低保"
    tap(qtbot, panel.buttons["确定"])
    assert not panel.isVisible() and page.title.isVisible()
    assert page.search.field.text() == "低保"
    found = [page.view.list.item(i).text() for i in range(page.view.list.count())]
    expected = catalogue.search("低保")
    assert expected and len(found) == len(expected)
    assert found[0] == f"{expected[0].level1} · {expected[0].level2}"


def test_a_document_search_spelled_in_pinyin(qtbot, window):
    page = window.show_page("policies")
    everything = page.view.list.count()
    tap(qtbot, page.search.write)
    panel = page.search.panel
    tap(qtbot, panel.tabs["拼音"])
    for letter in "JIUZHU":
        tap(qtbot, panel.keypad.keys[letter])
    _pick(qtbot, panel, "救助")
    tap(qtbot, panel.buttons["确定"])
    titles = [page.view.list.item(i).text() for i in range(page.view.list.count())]
    assert 0 < len(titles) < everything
    assert len(titles) == len(documents.search_documents("救助"))
    assert all("救助" in t for t in titles[:2])
    assert not any(b.isChecked() for b in page.filters.values())  # a search, not a filter
    page.search.clear()
    page.search.searched.emit("")  # an empty search lists everything again
    assert page.view.list.count() == everything


def _shared_last4(db) -> tuple[str, str, str]:
    """A last-4 that two people of one town share, one of them by name, and their village."""
    with sqlite3.connect(db) as conn:
        town, last4 = conn.execute(
            "SELECT substr(village_id, 1, 9) AS town, id_last4 FROM payout GROUP BY town, id_last4"
            " HAVING COUNT(DISTINCT name || id_masked) > 1 LIMIT 1"
        ).fetchone()
        name, village = conn.execute(
            "SELECT name, village_id FROM payout WHERE id_last4 = ? AND village_id LIKE ? LIMIT 1",
            (last4, f"{town}%"),
        ).fetchone()
    return last4, name, village


def _write_name(qtbot, lookup, monkeypatch, name: str) -> None:
    """Write ``name`` one character at a time (the recognizer answers with that character)."""
    tap(qtbot, lookup.write_name)
    panel = lookup.panel
    for char in name:
        monkeypatch.setattr(handwriting, "recognizer", lambda c=char: StandIn(answers=(c, "人")))
        panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
        _pick(qtbot, panel, char)
    tap(qtbot, panel.buttons["确定"])


def test_a_written_name_then_the_last_four_find_only_that_person(qtbot, window, demo_db, monkeypatch):
    last4, name, village = _shared_last4(demo_db)
    window.show_village(village)
    window.payouts.show_lookup()
    lookup = window.payouts.lookup
    _write_name(qtbot, lookup, monkeypatch, name)
    assert lookup.step() == lookup.ENTRY and lookup.name == name
    assert f"“{name}”" in lookup.message.text() and "后4位" in lookup.message.text()
    assert lookup.name_label.text() == f"姓名：{name}"
    for char in last4:
        tap(qtbot, lookup.keypad.keys[char])
    tap(qtbot, lookup.search)
    # Two people share these 4 characters; the written name leaves one, whose rows show.
    assert lookup.step() == lookup.RESULTS
    assert lookup.found.rows and {r.name for r in lookup.found.rows} == {name}
    tap(qtbot, lookup.again)
    assert lookup.name == "" and lookup.step() == lookup.ENTRY


def test_a_name_not_on_the_lists_is_said_plainly(qtbot, window, demo_db, monkeypatch):
    window.show_village(_shared_last4(demo_db)[2])
    window.payouts.show_lookup()
    lookup = window.payouts.lookup
    _write_name(qtbot, lookup, monkeypatch, "山水")
    assert lookup.step() == lookup.ENTRY and lookup.name == ""
    assert "没有姓名为“山水”" in lookup.message.text()
    assert not lookup.name_label.isVisible()


def test_the_idle_reset_forgets_what_was_written(qtbot, window, monkeypatch):
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn())
    page = window.show_page("consult")
    tap(qtbot, page.search.write)
    panel = page.search.panel
    panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
    _pick(qtbot, panel, "低")
    panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)  # a second character on the pad
    qtbot.waitUntil(lambda: bool(panel.choices()))
    window.reset()
    assert panel.text() == "" and panel.pad.strokes == [] and panel.choices() == []
    assert not page.search.is_writing() and page.search.field.text() == ""
    assert window.page_name() == "home"
    window.show_page("consult")
    tap(qtbot, page.search.write)  # opened again: nothing from before shows
    assert panel.text() == "" and panel.composed.text().strip() == ""
