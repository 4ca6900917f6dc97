"""Villager journeys through the kiosk window, under the offscreen platform."""

import sqlite3

import pytest
from PySide6.QtGui import QFontInfo

from kiosk.ui.models import PayoutTableModel
from tests.helpers.cli import run_kiosk
from tests.helpers.kiosk import tap

TOWN = "371522102"


def _village_with_many_rows(db) -> str:
    conn = sqlite3.connect(db)
    code = conn.execute(
        f"SELECT village_id FROM payout WHERE year = 2025 AND village_id LIKE '{TOWN}%'"
        " GROUP BY village_id ORDER BY count(DISTINCT item_id) DESC LIMIT 1").fetchone()[0]  # fmt: skip
    conn.close()
    return code


def test_home_shows_freshness_tiles_and_the_24_towns(window):
    assert window.freshness.text().startswith("数据更新于")
    assert list(window.home.tiles) == ["补贴公示", "政策找人", "政务公开目录", "政策咨询", "规范性文件",
                                       "意见征集", "核验公示单", "我要申请·咨询"]
    assert len(window.home.town_buttons) == 24


def test_town_village_payouts_and_filter_by_item(qtbot, window, demo_db):
    code = _village_with_many_rows(demo_db)
    tap(qtbot, window.home.town_buttons[TOWN])
    names = [b.accessibleName() for b in window.home.village_buttons.values()]
    assert len(names) >= 3
    button = window.home.village_buttons[code]
    qtbot.waitUntil(button.isVisible, timeout=2000)
    window.home.village_area.ensureWidgetVisible(button)  # the villager scrolls to it
    tap(qtbot, button)
    assert window.page_name() == "payouts"
    page = window.payouts
    everything = len(page.model.rows())
    assert everything == page.result.totals.rows > 0
    assert page.totals.text().startswith(f"共 {everything} 条")
    # Each item's rows under a heading naming it; no column repeats it on every row.
    items = {r.item_code for r in page.model.rows()}
    assert page.model.rowCount() == everything + len(items)
    assert page.table.isColumnHidden(PayoutTableModel.ITEM)
    first = page.model.headings()[0]
    heading = page.model.index(first, PayoutTableModel.NAME).data()
    assert heading.startswith(page.model.row(first + 1).item_name)
    farmland = next(b for b in page.items.buttons() if b.text() == "耕地地力保护补贴")
    tap(qtbot, farmland)
    shown = {r.item_name for r in page.model.rows()}
    assert shown == {"耕地地力保护补贴"} and len(page.model.rows()) < everything
    assert page.model.headings() == [0] and page.model.row(0) is None
    assert "合计" in page.totals.text()


def test_idle_timeout_returns_home_and_forgets_the_search(qtbot, window, demo_db):
    window.show_village(_village_with_many_rows(demo_db))
    tap(qtbot, window.payouts.lookup_button)
    for char in "12":
        tap(qtbot, window.payouts.lookup.keypad.keys[char])
    window.show_page("catalogue").show_domain("D18", "社会救助")
    window.idle_watch.countdown_s = 1  # 还在看吗？ (tests/ui/test_idle.py) waits one second, not ten
    window.idle.setInterval(50)
    window.idle.start()
    qtbot.waitUntil(lambda: window.page_name() == "home", timeout=3000)
    assert window.payouts.lookup.last4.text() == ""
    assert window.payouts.model.rowCount() == 0 and window.payouts.title.text() == ""
    assert window.payouts.years.buttons() == [] and window.payouts.items.buttons() == []
    assert window.home.village_buttons == {}
    assert window.catalogue.view.list.count() == 0
    assert window.catalogue.domain_panel.isVisibleTo(window.catalogue)


def test_elderly_mode_enlarges_text_and_targets(qtbot, window, demo_db):
    window.show_village(_village_with_many_rows(demo_db))
    normal = QFontInfo(window.payouts.totals.font()).pointSizeF()
    tap(qtbot, window.elderly)
    qtbot.wait(50)
    elderly = QFontInfo(window.payouts.totals.font()).pointSizeF()
    assert normal >= 18 and elderly >= 24 > normal
    assert QFontInfo(window.payouts.title.font()).pointSizeF() >= 30
    for button in (window.payouts.lookup_button, window.payouts.print_button, window.home_button):
        assert button.height() >= 60 and button.width() >= 60
        assert button.accessibleName()


def test_elderly_mode_reaches_the_hidden_pages_a_turn_at_a_time(qtbot, window):
    """长辈模式 restyles the page shown at once and the others while the villager reads, so
    the page a tile opens is ready; switched back before that ends, every page ends normal."""
    qtbot.waitUntil(lambda: window.is_started, timeout=10_000)
    frames = [window.page(name).parentWidget().parentWidget() for name in ("payouts", "catalogue", "consult")]
    assert all(frame.property("elderly") is not True for frame in frames)
    tap(qtbot, window.elderly)
    assert frames[0].property("elderly") is not True  # not in the same turn as the tap
    qtbot.waitUntil(lambda: all(frame.property("elderly") is True for frame in frames), timeout=3000)
    assert QFontInfo(window.catalogue.all_domains.font()).pointSizeF() >= 24
    tap(qtbot, window.elderly)  # off again, and on and off before the pages are all done
    tap(qtbot, window.elderly)
    tap(qtbot, window.elderly)
    qtbot.waitUntil(lambda: all(frame.property("elderly") is False for frame in frames), timeout=3000)
    assert QFontInfo(window.catalogue.all_domains.font()).pointSizeF() < 24


# Without a speech daemon Qt reports its failing plug-ins; that is the situation under test.
@pytest.mark.qt_log_ignore("pipewire", "text-to-speech plug-in", "speechd")
def test_read_aloud_is_hidden_when_no_engine_speaks_chinese(qtbot, window):
    """No daemon listens at the tests' speechd address: no 朗读 button, a word for staff."""
    window.reader.prepare()
    qtbot.waitUntil(lambda: any("语音朗读引擎" in note for note in window.staff_notes), timeout=15_000)
    assert not window.read_aloud.isVisible()
    assert any("语音朗读引擎" in note for note in window.staff_notes)


def test_print_from_the_payouts_page(qtbot, window, demo_db):
    window.show_village(_village_with_many_rows(demo_db))
    tap(qtbot, window.payouts.print_button)
    assert window.page_name() == "print" and "预览" in window.print_page.busy_panel.text()
    qtbot.waitUntil(lambda: window.print_page.task is None, timeout=30_000)
    assert window.print_page.document.pageCount() >= 1


@pytest.mark.parametrize("page", ["home", "payouts", "print"])
def test_screenshot_command_writes_a_non_blank_png(demo_db, tmp_path, page):
    from PySide6.QtGui import QImage

    out = tmp_path / f"{page}.png"
    run_kiosk("screenshot", "--page", page, "--db", demo_db, "--out", out, ok=True)
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
               for y in range(0, image.height(), 37)}  # fmt: skip
    assert len(colours) > 3  # not a blank page


def test_a_screenshot_waits_for_the_kiosks_background_work_before_it_exits(terminal, tmp_path):
    """On a county database start-up's quick check outlasts the screenshot (~2.6 s); a
    process that exits under a running thread aborts ("QThread: Destroyed while ...")."""
    import os
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from kiosk import app\n"
        "from kiosk.services import repair\n"
        "repair.check = lambda db: time.sleep(3)\n"  # a check as slow as a county's
        "app.screenshot(Path(sys.argv[1]), 'home', Path(sys.argv[2]))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, str(terminal), str(tmp_path / "home.png")],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "home.png").stat().st_size > 0


def test_payout_table_model_passes_qt_model_checks(qtmodeltester, demo_db):
    from kiosk.services import payouts


    model = PayoutTableModel()
    code = _village_with_many_rows(demo_db)
    model.set_rows(payouts.village_payouts(code, 2025).rows)
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_catalogue_domain_to_entry_with_every_field(qtbot, window):
    tap(qtbot, window.home.tiles["政务公开目录"])
    assert window.page_name() == "catalogue"
    page = window.catalogue
    tap(qtbot, page.domain_buttons["D18"])
    assert page.view.list.count() >= 3
    page.view.open(1)
    text = page.view.detail.toPlainText()
    for field in ("一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体",
                  "公开渠道", "公开对象", "公开方式", "公开层级"):  # fmt: skip
        assert field in text
    assert "低保" in text


def test_catalogue_search_by_keypad_initials_and_common_word(qtbot, window):
    tap(qtbot, window.home.tiles["政务公开目录"])
    bar = window.catalogue.search
    tap(qtbot, bar.words["医保"])
    titles = [window.catalogue.view.list.item(i).text()
              for i in range(window.catalogue.view.list.count())]  # fmt: skip
    assert titles
    tap(qtbot, bar.toggle)
    bar.keypad.cleared.emit()
    for char in "ZDSHBZ":  # 最低生活保障
        tap(qtbot, bar.keypad.keys[char])
    assert bar.field.text() == "ZDSHBZ"
    assert window.catalogue.view.list.count() >= 1


def test_qa_search_and_categories(qtbot, window):
    tap(qtbot, window.home.tiles["政策咨询"])
    page = window.consult
    tap(qtbot, page.search.words["低保"])
    assert page.view.list.count() >= 1
    page.view.open(0)
    assert "低保" in page.view.detail.toPlainText()
    assert not page.categories["咨询电话"].isVisible()  # the answer has the screen
    tap(qtbot, page.view.back)
    tap(qtbot, page.all_categories)
    tap(qtbot, page.categories["咨询电话"])
    phones = [page.view.list.item(i).text() for i in range(page.view.list.count())]
    assert any("12345" in p for p in phones)


def test_policies_show_validity_distinctly(qtbot, window):
    tap(qtbot, window.home.tiles["规范性文件"])
    page = window.policies
    tap(qtbot, page.filters["已废止"])
    titles = [page.view.list.item(i).text() for i in range(page.view.list.count())]
    assert titles and all(t.startswith("【已废止") for t in titles)
    page.view.open(0)
    assert "民发〔2012〕220号" in page.view.detail.toPlainText()


def test_staff_pin_locks_after_five_wrong_tries_and_opens_with_the_right_one(qtbot, window):
    from kiosk.services import admin

    admin.set_pin("246810")
    tap(qtbot, window.staff_button)
    page = window.admin
    for _ in range(5):
        for digit in "111111":
            tap(qtbot, page.pad.keys[digit])
        tap(qtbot, page.enter)
        assert not page.unlocked
    assert "锁定" in page.pin_message.text()
    for digit in "246810":
        tap(qtbot, page.pad.keys[digit])
    tap(qtbot, page.enter)
    assert not page.unlocked and "锁定" in page.pin_message.text()  # even the right PIN waits
    admin.set_pin("246810")  # staff reset the PIN from the command line: lock lifted
    for digit in "246810":
        tap(qtbot, page.pad.keys[digit])
    tap(qtbot, page.enter)
    assert page.unlocked
    window.reset()
    assert not page.unlocked  # idle locks the admin page again


def test_sync_now_from_admin(qtbot, window, demo_feed, county_keys):
    from kiosk.services import admin

    admin.set_pin("246810")
    window.settings.set("feed_source", str(demo_feed))
    window.settings.set("trusted_root", str(county_keys / "root.json"))
    tap(qtbot, window.staff_button)
    for digit in "246810":
        tap(qtbot, window.admin.pad.keys[digit])
    tap(qtbot, window.admin.enter)
    tap(qtbot, window.admin.sync_button)
    qtbot.waitUntil(lambda: window.admin.sync_button.isEnabled(), timeout=60_000)
    assert window.admin.message.text() in ("已是最新数据",) or "同步完成" in window.admin.message.text()
    tap(qtbot, window.admin.log_button)
    assert window.admin.view.list.count() >= 1



def test_jump_strip_and_terminal_town(qtbot, window, demo_db, demo_feed):
    from kiosk.services import admin

    tap(qtbot, window.home.town_buttons[TOWN])
    letters = list(window.home.initial_buttons)
    assert letters == sorted(letters) and len(letters) >= 2
    tap(qtbot, window.home.initial_buttons[letters[-1]])  # scrolls; no error, still home
    assert window.page_name() == "home"
    admin.set_pin("246810")
    tap(qtbot, window.staff_button)
    for digit in "246810":
        tap(qtbot, window.admin.pad.keys[digit])
    tap(qtbot, window.admin.enter)
    tap(qtbot, window.admin.settings_button)
    window.admin.settings_panel._set_town()
    assert window.settings.get("town_code") == TOWN
    window.admin.settings_panel.set_source(str(demo_feed))
    assert window.settings.get("feed_source") == str(demo_feed)
    window.reset()
    assert window.home.town_code == TOWN and window.home.village_buttons  # opens on its town


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_theme_colours_meet_the_contrast_rule():
    from kiosk.ui import theme

    pairs = [(theme.INK, theme.PAPER), ("#ffffff", theme.ACTION), (theme.ACTION, "#ffffff"),
             (theme.WARN_INK, theme.WARN_BG), (theme.MUTED, "#d9d9d9"), (theme.MUTED, theme.PAPER)]
    assert all(_contrast(a, b) >= 4.5 for a, b in pairs), [round(_contrast(a, b), 1) for a, b in pairs]


def test_table_model_holds_5000_rows(qtmodeltester, qtbot, window, demo_db):
    from kiosk.services import payouts


    rows = payouts.village_payouts(_village_with_many_rows(demo_db), 2025).rows
    many = [rows[i % len(rows)]._replace(name=f"{rows[i % len(rows)].name}{i}") for i in range(5000)]
    window.payouts.model.set_rows(many)
    qtmodeltester.check(window.payouts.model)
    window.payouts.table.scrollToBottom()
    last = window.payouts.model.index(4999, PayoutTableModel.NAME).data()
    assert last.endswith("4999")


def test_stale_data_is_a_visible_warning(window):
    from kiosk.ui import theme

    def background():
        return window.freshness.palette().color(window.freshness.backgroundRole()).name()

    assert "未更新" not in window.freshness.text() and background() != theme.WARN_BG
    import datetime as dt

    window.refresh_freshness(now=dt.datetime.now() + dt.timedelta(days=31))  # 31 days on
    assert "未更新，请联系工作人员" in window.freshness.text()
    assert background() == theme.WARN_BG


def test_every_list_scrolls_by_touch_and_pages_are_built_on_first_visit(qtbot, window):
    from PySide6.QtWidgets import QAbstractScrollArea, QHeaderView, QScroller

    from kiosk.ui.shell import PAGES

    # Only the home page exists at start; the rest come on first visit.
    assert window.pages.count() == 1 and window.page_name() == "home"
    qtbot.waitUntil(lambda: QScroller.hasScroller(window.home.village_area.viewport()), timeout=2000)
    for name in PAGES:
        window.show_page(name)
    # (A table's header is a scroll area too; the table under it is what scrolls.)
    areas = [a for a in window.findChildren(QAbstractScrollArea) if not isinstance(a, QHeaderView)]
    without = [f"{type(a).__name__} {a.accessibleName() or a.objectName()} in "
               f"{next(n for n in PAGES if window.page(n).isAncestorOf(a))}"
               for a in areas if not QScroller.hasScroller(a.viewport())]  # fmt: skip
    assert len(areas) >= 8 and not without, without


def test_year_and_item_strips_follow_the_village_shown(qtbot, window, demo_db):
    conn = sqlite3.connect(demo_db)
    by_items = conn.execute(
        "SELECT village_id, group_concat(DISTINCT i.name) FROM payout p JOIN subsidy_item i"
        " ON i.code = p.item_id WHERE year = 2025 GROUP BY village_id"
        " ORDER BY count(DISTINCT item_id) DESC").fetchall()  # fmt: skip
    conn.close()
    (many, many_names), (few, few_names) = by_items[0], by_items[-1]
    assert len(many_names.split(",")) > len(few_names.split(","))
    page = window.payouts
    for code, names in ((many, many_names), (few, few_names), (many, many_names)):
        window.show_village(code)
        shown = [b.text() for b in page.items.buttons()]
        qtbot.waitUntil(lambda: all(b.isVisible() for b in page.items.buttons()), timeout=2000)
        visible = [b.text() for b in page.items.buttons() if b.isVisible()]
        assert shown == visible and shown[0] == "全部项目"
        assert set(shown[1:]) == set(names.split(","))
        assert [b.isChecked() for b in page.items.buttons()] == [True] + [False] * (len(shown) - 1)
    # A year button shows that year.
    years = page.years.buttons()
    assert [b.text() for b in years if b.isChecked()] == ["2025年"]
    tap(qtbot, next(b for b in years if b.text() == "2024年"))
    assert page.result.year == 2024 and page.title.text().endswith("2024年度补贴发放结果")
    assert [b.text() for b in page.years.buttons() if b.isChecked()] == ["2024年"]


def test_a_tap_postpones_the_idle_timeout(qtbot, window):
    from PySide6.QtWidgets import QScroller

    # The activity watch starts with the rest of the set-up deferred past the first frame.
    qtbot.waitUntil(lambda: QScroller.hasScroller(window.home.village_area.viewport()), timeout=2000)
    page = window.show_page("catalogue")
    window.idle_watch.countdown_s = 1  # 还在看吗？ (tests/ui/test_idle.py) waits one second, not ten
    window.idle.setInterval(600)
    window.idle.start()
    qtbot.wait(400)
    tap(qtbot, page.search.toggle)  # a villager is still here
    qtbot.wait(400)
    assert window.page_name() == "catalogue"  # 800 ms after the start, 400 after the tap
    # Painting, layout and timers are not a villager: the page still times out.
    qtbot.waitUntil(lambda: window.page_name() == "home", timeout=3000)
    assert not page.search.toggle.isChecked()


def test_home_chooses_town_then_village_and_can_change_town(qtbot, window):
    home = window.home
    tap(qtbot, home.town_buttons[TOWN])
    qtbot.waitUntil(lambda: home.change_town.isVisible(), timeout=2000)
    assert not home.town_buttons[TOWN].isVisible()  # the villages take the room
    assert home.prompt.text().startswith(f"{home.town_buttons[TOWN].text()}：请选择您所在的村(社区)，共 ")
    tap(qtbot, home.change_town)
    qtbot.waitUntil(lambda: home.town_buttons[TOWN].isVisible(), timeout=2000)
    assert home.town_buttons[TOWN].isChecked() and not home.change_town.isVisible()


@pytest.mark.parametrize(("size", "elderly", "pages"), [
    ((1920, 1080), False, ("home", "villages", "payouts", "catalogue", "consult", "policies")),
    ((1920, 1080), True, ("home", "villages", "payouts", "catalogue", "consult", "policies")),
    ((1280, 800), False, ("home", "villages", "payouts", "consult", "policies")),
])  # fmt: skip
def test_pages_fit_the_screen_without_scrolling(qtbot, window, demo_db, size, elderly, pages):
    """Nothing a villager needs lies below the bottom of a common kiosk screen (every page
    still scrolls, by touch, when it does not fit)."""
    window.resize(*size)
    window.elderly.setChecked(elderly)
    overflow = {}
    for name in pages:
        if name == "villages":
            window.home.choose_town(TOWN)
        elif name == "payouts":
            window.show_village(_village_with_many_rows(demo_db))
        else:
            window.show_page(name)
        qtbot.wait(50)
        frame = window.pages.currentWidget()
        bars = (frame.verticalScrollBar().maximum(), frame.horizontalScrollBar().maximum())
        if bars != (0, 0):
            overflow[name] = bars
    assert overflow == {}


def test_every_control_has_a_name_and_a_finger_sized_target(qtbot, window, demo_db):
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit

    from kiosk.ui.shell import PAGES

    unnamed, small = [], []
    for name in PAGES:
        if name == "payouts":
            window.show_village(_village_with_many_rows(demo_db))
        elif name == "batch":
            window.home.choose_town(TOWN)
            window.show_page("batch")
        else:
            window.show_page(name)
        qtbot.wait(50)
        controls = [c for kind in (QAbstractButton, QLineEdit, QAbstractItemView)
                    for c in window.findChildren(kind)]  # fmt: skip
        for control in controls:
            if not control.isVisible():
                continue
            label = f"{name}: {type(control).__name__} {control.property('text') or ''}"
            if not control.accessibleName():
                unnamed.append(label)
            if isinstance(control, QAbstractButton) and min(control.width(), control.height()) < 60:
                small.append(f"{label} {control.width()}x{control.height()}")
    assert not unnamed and not small, (unnamed, small)


def test_after_start_up_the_heap_is_frozen_and_cycles_are_collected_on_the_ui_thread(terminal, tmp_path):
    """The kiosk command turns the collector off for start-up; the kiosk must collect again
    (with start-up's objects frozen), or every cycle made all day would stay, but from its
    UI thread only (kiosk.ui.collector): Python's own collector stays off."""
    import os
    import subprocess
    import sys

    script = (
        "import gc, os, sys\n"
        "import kiosk.cli\n"  # what the `kiosk` command imports first: the collector goes off
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from kiosk import app\n"
        "import weakref\n"
        "off = not gc.isenabled()\n"
        "window = app.start(__import__('pathlib').Path(sys.argv[1]), windowed=True)\n"
        "class Cycle: pass\n"
        "def make():\n"
        "    global probe, kept\n"
        "    cycle = Cycle(); cycle.me = cycle; probe = weakref.ref(cycle); del cycle\n"
        "    kept = [[] for _ in range(2000)]\n"  # past the youngest generation's threshold
        "def report():\n"
        "    print(off, gc.isenabled(), gc.get_freeze_count() > 10_000, probe() is None, flush=True)\n"
        "    os._exit(0)\n"  # the kiosk's background work is not this test's
        "window.started.connect(lambda: (make(), QTimer.singleShot(1000, report)))\n"
        "QTimer.singleShot(30_000, lambda: os._exit(3))\n"
        "QApplication.instance().exec()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, str(terminal)], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.stdout.split() == ["True", "False", "True", "True"], done.stderr[-2000:]


@pytest.mark.parametrize("font_pt", [18, 24], ids=["normal", "elderly"])
def test_payout_columns_hold_every_row_not_just_the_first(qtbot, font_pt):
    """Rows come sorted by item: the longest item name, amount and name may be 500 rows
    down. No cell may be narrower than Qt's own delegate wants (it would be elided)."""
    from PySide6.QtGui import QFont

    from kiosk.services.types import PayoutRow
    from kiosk.ui.models import PayoutTable, PayoutTableModel

    def row(n: int, item: str, item_name: str, name: str, amount_fen: int) -> PayoutRow:
        return PayoutRow("371522001200", 2025, item, item_name, name, "371522********123X",
                         100 + n, "亩", 13000, amount_fen, "2025-05-15", "1", "", "")  # fmt: skip

    rows = [row(n, "A01", "耕地补贴", "王三", 90_00) for n in range(500)]
    rows += [row(500, "B02", "实际种粮农民一次性补贴", "欧阳春花", 1_234_567_89)]
    model = PayoutTableModel()
    table = PayoutTable(model)
    qtbot.addWidget(table)
    table.setFont(QFont("WenQuanYi Micro Hei", font_pt))
    table.resize(1800, 600)
    table.show()
    model.set_rows(rows)
    header = table.horizontalHeader()
    for column in range(model.columnCount()):
        if column != PayoutTableModel.REMARK:
            assert header.sectionSize(column) >= table.sizeHintForColumn(column), model.HEADERS[column]


def test_the_eight_tiles_keep_one_row_in_either_mode(qtbot, window):
    """Icons beside the words only while all eight fit one row with them: 长辈模式 at 1366 px
    shows the words alone, switched on the home page or on another before it."""
    from tests.helpers.layout import settle

    window.resize(1366, 768)
    qtbot.waitUntil(lambda: not window.home.tiles["补贴公示"].icon().isNull(), timeout=5000)

    def one_row() -> bool:
        return len({tile.y() for tile in window.home.tiles.values()}) == 1

    for elsewhere in (False, True):
        if elsewhere:
            window.show_page("policies")
        window.elderly.setChecked(True)
        window.go_home()
        settle(qtbot)
        assert window.home.tiles["补贴公示"].icon().isNull() and one_row()
        window.elderly.setChecked(False)
        settle(qtbot)
        assert not window.home.tiles["补贴公示"].icon().isNull() and one_row()
