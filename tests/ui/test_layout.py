"""Every villager page on the screens terminals really have, in normal and 长辈模式: every
visible control inside the window, no label or button text cut, and what the villager came
for (their rows, an answer, a document's 解读) starting above the fold."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QLabel,
    QTableView,
    QWidget,
)

from kiosk.services import handwriting
from kiosk.store.db import open_database
from tests.helpers.kiosk import StandIn, open_kiosk
from tests.helpers.layout import (
    SCREENS,
    TOWN,
    blank_band,
    largest_text,
    layout_problems,
    long_village,
    rows_in_view,
    scrolls_sideways,
    settle,
    window_rect,
)


def _someone_in(db, village: str) -> str:
    with sqlite3.connect(db) as conn:
        query = "SELECT id_last4 FROM payout WHERE village_id = ? LIMIT 1"
        return conn.execute(query, (village,)).fetchone()[0]


def _starts_above_fold(window, widget: QWidget, lines: int = 2) -> int:
    """How far (px) below the window's bottom the first ``lines`` of ``widget`` end (0: in view)."""
    top = window_rect(widget, window).top()
    if isinstance(widget, QTableView):
        first_row_end = widget.horizontalHeader().height() + widget.rowHeight(0) * lines
    else:
        first_row_end = widget.fontMetrics().lineSpacing() * (lines + 2)  # title + first lines
    return max(0, top + first_row_end - window.height())


def with_a_real_sized_town(demo_db, folder) -> Path:
    """A copy of the demo database whose TOWN has 48 villages, as Shen County's towns have
    (1,100 villages in 24 towns); the demo gives it 3, which leave a portrait screen blank."""
    from kiosk.store import text

    path = folder / "towns.sqlite3"
    shutil.copy(demo_db, path)
    places = ("王庄", "李楼", "张集", "刘屯", "陈营", "赵庄", "孙楼", "马集")
    names = [f"{side}{place}村" for side in "东西南北前后" for place in places]
    insert = "INSERT INTO village (code, town_id, name, pinyin, initials, is_demo) VALUES (?, ?, ?, ?, ?, 0)"
    with sqlite3.connect(path) as conn:
        count = conn.execute("SELECT COUNT(*) FROM village WHERE town_id = ?", (TOWN,)).fetchone()[0]
        rows = [(f"{TOWN}{300 + n:03d}", TOWN, name, text.full_pinyin(name), text.initials(name))
                for n, name in enumerate(names[: 48 - count])]  # fmt: skip
        conn.executemany(insert, rows)
    return path


def show(window, qtbot, db, page: str):
    """Bring up ``page`` as a villager would reach it; returns what must be above the fold."""
    if page == "home":
        window.go_home()
        return None
    if page == "villages":
        window.go_home()
        window.home.choose_town(TOWN)
        return None
    if page in ("payouts", "lookup"):
        village = long_village(db)
        window.show_village(village)
        if page == "payouts":
            return window.payouts.table
        window.payouts.show_lookup()
        lookup = window.payouts.lookup
        for char in _someone_in(db, village):
            lookup.keypad.keys[char].click()
        lookup.search.click()
        if lookup.step() == lookup.CHOOSE:
            lookup.name_buttons[0].click()
        assert lookup.step() == lookup.RESULTS
        return lookup.card.who
    if page == "catalogue_entry":
        catalogue = window.show_page("catalogue")
        catalogue.show_domain("D21", "涉农补贴")
        catalogue.view.open(0)
        return catalogue.view.detail
    if page == "qa_answer":
        consult = window.show_page("consult")
        consult.search.toggle.setChecked(True)  # the keypad was out when the answer was tapped
        consult.show_category("涉农补贴")
        consult.view.open(0)
        return consult.view.detail
    if page == "document":
        policies = window.show_page("policies")
        policies.view.open(0)
        return policies.view.detail
    if page == "verify":  # a scanned sheet that matches the current data
        from kiosk.services import verify

        village = long_village(db)
        year = window.show_village(village) or window.payouts.result.year
        digest = verify.check(verify.Sheet(village, year, None, "")).current_digest
        window.show_verify(f"https://gk.example/verify/{village}-{year}/?d={digest}")
        qtbot.waitUntil(lambda: not window.verify.checking, timeout=10_000)
        assert window.verify.verdict.current
        return window.verify.table
    if page == "print_preview":
        village = long_village(db)
        window.show_village(village)
        window.show_print(village, window.payouts.result.year)
        print_page = window.print_page
        qtbot.waitUntil(lambda: print_page.task is None, timeout=20_000)
        return print_page.view
    if page == "writing_search":  # ten candidates for a character written on the pad
        catalogue = window.show_page("catalogue")
        catalogue.view.back.click()  # from the entry left open (its search bar folded away)
        search = catalogue.search
        search.write.click()
        settle(qtbot)
        search.panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
        qtbot.waitUntil(lambda: len(search.panel.choices()) == 10)
        return None
    if page == "writing_pinyin":  # the document search spelled in pinyin
        policies = window.show_page("policies")
        policies.view.back.click()  # from the document left open
        search = policies.search
        search.write.click()
        search.panel.tabs["拼音"].click()
        for letter in "CZ":
            search.panel.keypad.keys[letter].click()
        assert search.panel.choices()
        return None
    if page == "writing_name":  # the lookup's name, written by hand
        window.show_village(long_village(db))
        window.payouts.show_lookup()
        lookup = window.payouts.lookup
        lookup.write_name.click()
        settle(qtbot)
        lookup.panel.pad.replay([[(60, 150), (240, 150)]], 300, 300)
        qtbot.waitUntil(lambda: len(lookup.panel.choices()) == 10)
        return None
    raise AssertionError(page)


# Payout rows a villager sees at once on the longest village's list, at least: the issue's
# numbers for the two screens it names, and what the other screens have room for.
ROWS_IN_VIEW = {((1366, 768), True): 8, ((1080, 1920), False): 25, ((1080, 1920), True): 25,
                ((1366, 768), False): 12, ((1920, 1080), False): 20, ((1920, 1080), True): 14,
                ((1280, 800), False): 10, ((1280, 800), True): 7}  # fmt: skip

# Seen and not yet mended, each as the start of what is reported (the test fails once it is
# gone, so the entry goes with the fix): on 1366 x 768 in 长辈模式 the pinyin panel's third row
# of candidates ends below the screen (its six actions take two rows beside the keypad). The
# test's own mistake hid it until #23: the panel was opened from a search bar folded away.
KNOWN_PROBLEMS = {((1366, 768), True): ("writing_pinyin: QPushButton “沉重” outside the window",)}

# The tallest band across a page with nothing in it (the issue: "about 120 px").
BLANK_BAND_PX = 120

PAGES = ("home", "villages", "payouts", "lookup", "catalogue_entry", "qa_answer", "document", "verify",
         "print_preview", "writing_search", "writing_pinyin", "writing_name")  # fmt: skip


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_every_villager_page_fits_the_screen(qtbot, demo_db, tmp_path, monkeypatch, screen, elderly):
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "600")
    # Ten wide-ish candidates at once, whatever this machine's model would answer.
    monkeypatch.setattr(handwriting, "recognizer", lambda: StandIn(answers="低氏纸底抵邸砥坻诋祗"))
    db = with_a_real_sized_town(demo_db, tmp_path)
    open_database(db)
    window = open_kiosk(qtbot, tmp_path / "settings.json", db, size=screen)
    # After the first frame: the tiles' icons and the app-wide event filter come then.
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    window.elderly.setChecked(elderly)
    mode = "长辈模式" if elderly else "normal"
    problems = []
    try:
        for page in PAGES:
            target = show(window, qtbot, db, page)
            settle(qtbot)
            if window.size().toTuple() != screen:
                problems.append(f"{page}: the window grew to {window.width()}x{window.height()}")
            problems += layout_problems(window, page)
            if target is not None and (below := _starts_above_fold(window, target)):
                problems.append(f"{page}: {type(target).__name__} starts {below} px below the fold")
            top, height = blank_band(window)
            if height > BLANK_BAND_PX:
                problems.append(f"{page}: {height} px blank from {top} px down")
            if page == "lookup":
                totals = {f"{y.total}\xa0元" for y in window.payouts.lookup.card.card.years}
                if (largest := largest_text(window)[1]) not in totals:
                    problems.append(f"lookup: the largest text is “{largest}”, not a year's total")
            if page == "payouts":
                table = window.payouts.table
                if (rows := rows_in_view(table)) < ROWS_IN_VIEW[(screen, elderly)]:
                    problems.append(f"payouts: {rows} rows in view, not {ROWS_IN_VIEW[(screen, elderly)]}"
                                    f" (the table's viewport {table.viewport().height()} px, row"
                                    f" {table.rowHeight(1)} px, first heading {table.rowHeight(0)} px)")
                if scrolls_sideways(table):
                    problems.append("payouts: the table scrolls sideways")
    finally:
        window.quit_kiosk()
    for known in KNOWN_PROBLEMS.get((screen, elderly), ()):
        seen = [p for p in problems if p.startswith(known)]
        assert seen, f"mended: remove “{known}” from KNOWN_PROBLEMS"
        problems = [p for p in problems if p not in seen]
    assert problems == [], f"{screen[0]}x{screen[1]} {mode}:\n" + "\n".join(problems)


def test_the_document_detail_puts_the_interpretation_first(qtbot, window):
    policies = window.show_page("policies")
    policies.view.open(0)
    text = policies.view.detail.toPlainText()
    assert text.index("内容摘要") < text.index("文号")
    assert "政策解读" not in text or text.index("政策解读") < text.index("内容摘要")


def test_the_room_checks_see_a_short_table_and_a_sideways_one(qtbot, window, demo_db):
    """The measures themselves: a table squeezed to three rows' height shows fewer rows, and
    one given a wide column scrolls sideways."""
    window.show_village(long_village(demo_db))
    table = window.payouts.table
    settle(qtbot)
    assert rows_in_view(table) >= 8 and not scrolls_sideways(table)
    table.setFixedHeight(table.horizontalHeader().height() + 3 * table.rowHeight(1) + 4)
    table.setColumnWidth(table.model().NAME, 3 * window.width())
    settle(qtbot)
    assert rows_in_view(table) <= 3 and scrolls_sideways(table)


def test_the_layout_check_sees_a_cut_label_and_a_control_off_screen(qtbot, window):
    """The check itself: a long unwrapped label in a narrow spot, and a button pushed past the
    window's right edge, are both reported."""
    cut = QLabel("这是一段很长很长的说明文字" * 4, window.centralWidget())
    cut.setGeometry(0, 0, 100, 40)
    cut.show()
    away = QLabel("按钮", window.centralWidget())
    away.setGeometry(window.width() - 20, 10, 80, 40)
    away.show()
    problems = layout_problems(window, "probe")
    assert any("cut: needs" in p and "很长" in p for p in problems)
    assert any("outside the window by 60 px right" in p for p in problems)


def test_the_card_and_band_checks_see_a_bigger_text_and_a_blank_band(qtbot, window, demo_db):
    """The measures themselves: a label set larger than the card's total is the largest text,
    and the card's years hidden leave a blank band where they were."""
    show(window, qtbot, demo_db, "lookup")
    settle(qtbot)
    card = window.payouts.lookup.card
    newest = card.card.years[0]
    label, text, _points = largest_text(window)
    assert label is card.frames[newest.year].summary and text == f"{newest.total}\xa0元"
    assert blank_band(window)[1] <= BLANK_BAND_PX
    card.who.setText('<span style="font-size:80pt">王</span>')
    settle(qtbot)
    assert largest_text(window)[:2] == (card.who, "王")
    card.area.setVisible(False)
    settle(qtbot)
    top, height = blank_band(window)
    assert height > window.height() // 2 and top < window.height() // 2
