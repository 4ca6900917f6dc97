"""The kiosk's own health, as the window feeds it: a page a villager opens is counted by its
kind and nothing else (the staff pages not at all), the counts reach the database when the
kiosk returns to its start, every print job is recorded with what became of it, a run says
its screen, and the staff page shows the status report on every screen, in both modes."""

import datetime as dt
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk import app
from kiosk.errors import KnownError
from kiosk.formats.status_report import USAGE_KINDS
from kiosk.services import admin, health, usage, verify
from kiosk.ui import printing, shell, tasks
from kiosk.ui.drives import ENV_ROOTS
from tests.helpers.kiosk import PIN, checked, open_kiosk, tap, unlock
from tests.helpers.layout import SCREENS, TOWN, layout_problems, long_village, settle, window_rect
from tests.printing.test_printer_cups import PRINTER, cups  # noqa: F401 - the private CUPS fixture

# Counted where they happen rather than by the page shown (kiosk.ui.shell, kiosk.ui.printing).
EVENT_KINDS = {"lookup", "verifications", "prints"}


@pytest.fixture
def counting(monkeypatch):
    """Counts start from nothing pending; the run is none of an earlier test's."""
    monkeypatch.setattr(health, "_current_run", None)
    usage.forget_pending()
    yield
    usage.forget_pending()


@pytest.fixture
def kiosk(qtbot, terminal, tmp_path, counting, no_real_devices):
    """A kiosk on a private copy of the demo data (what it counts and records is written
    there), its first frame shown, the staff PIN set."""
    admin.set_pin(PIN)
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    yield window
    window.reset()
    tasks.wait_for_all()


def this_month() -> dict[str, int]:
    """This month's counts, written and pending."""
    return usage.months().get(f"{dt.datetime.now():%Y-%m}", {})


def changed(before: dict[str, int]) -> dict[str, int]:
    now = this_month()
    return {kind: now.get(kind, 0) - before.get(kind, 0) for kind in set(now) | set(before)
            if now.get(kind, 0) != before.get(kind, 0)}  # fmt: skip


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def written(db: Path) -> dict[str, int]:
    month = f"{dt.datetime.now():%Y-%m}"
    return dict(rows(db, f"SELECT kind, count FROM usage_count WHERE month = '{month}'"))


# -- counting -----------------------------------------------------------------------------------


def test_every_kind_the_kiosk_counts_is_one_the_report_knows_and_every_kind_is_counted():
    from kiosk.ui.requests_page import KIND_LINES

    assert set(shell.PAGE_USAGE) <= set(shell.PAGES)
    assert "admin" not in shell.PAGE_USAGE and "batch" not in shell.PAGE_USAGE
    assert set(shell.REQUEST_USAGE) == set(KIND_LINES)  # every kind of form the page starts
    counted = set(shell.PAGE_USAGE.values()) | set(shell.REQUEST_USAGE.values()) | EVENT_KINDS
    assert counted == set(USAGE_KINDS)


def test_an_unknown_kind_is_logged_never_raised(kiosk, caplog):
    before = this_month()
    kiosk.count_use("who looked at whom")
    assert "not counted" in caplog.text
    assert changed(before) == {}


def test_each_villager_page_counts_its_kind_once_and_staff_pages_nothing(qtbot, kiosk, terminal):
    village = long_village(terminal)
    kiosk.home.choose_town(village[:9])

    def step(expected: dict[str, int], action) -> None:
        before = this_month()
        action()
        assert changed(before) == expected, action

    step({"payouts": 1}, lambda: tap(qtbot, kiosk.home.village_buttons[village]))
    page = kiosk.payouts

    def look_up() -> None:
        tap(qtbot, page.lookup_button)
        lookup = page.lookup
        last4 = rows(terminal, f"SELECT id_last4 FROM payout WHERE village_id = '{village}' LIMIT 1")[0][0]
        for char in last4:
            tap(qtbot, lookup.keypad.keys[char])
        tap(qtbot, lookup.search)
        if lookup.step() == lookup.CHOOSE:
            tap(qtbot, lookup.name_buttons[0])
        assert lookup.step() == lookup.RESULTS

    step({"lookup": 1}, look_up)
    step({}, lambda: tap(qtbot, page.lookup.again))  # typing again is no new lookup
    step({}, lambda: tap(qtbot, page.lookup.back))

    def print_and_back() -> None:
        tap(qtbot, page.print_button)
        qtbot.waitUntil(lambda: kiosk.print_page.task is None, timeout=60_000)
        tap(qtbot, kiosk.print_page.back_button)
        assert kiosk.page_name() == "payouts"

    step({}, print_and_back)  # back to the list is the same visit
    for tile, kind in (("政务公开目录", "catalogue"), ("政策咨询", "qa"), ("规范性文件", "documents"),
                       ("意见征集", "consultations"), ("政策找人", "screener")):  # fmt: skip
        step({}, lambda: tap(qtbot, kiosk.home_button))
        step({kind: 1}, lambda t=tile: tap(qtbot, kiosk.home.tiles[t]))
    tap(qtbot, kiosk.home_button)
    step({}, lambda: tap(qtbot, kiosk.home.tiles["我要申请·咨询"]))  # only a form started counts
    requests_page = kiosk.page("requests")
    step({"requests": 1}, lambda: tap(qtbot, requests_page.kind_buttons["disclosure"]))
    tap(qtbot, kiosk.home_button)
    tap(qtbot, kiosk.home.tiles["我要申请·咨询"])
    step({"callbacks": 1}, lambda: tap(qtbot, requests_page.kind_buttons["callback"]))
    step({"callbacks": 1}, lambda: kiosk.show_callback("残疾人两项补贴"))  # from 政策找人

    year = rows(terminal, f"SELECT MAX(year) FROM payout WHERE village_id = '{village}'")[0][0]
    digest = verify.check(verify.Sheet(village, year, None, "")).current_digest

    def verified() -> None:
        kiosk.show_verify(f"https://gk.example/verify/{village}-{year}/?d={digest}")
        checked(qtbot, kiosk.verify)
        assert kiosk.verify.verdict.current

    step({"verifications": 1}, verified)

    def refused() -> None:
        kiosk.show_verify("not a sheet")
        checked(qtbot, kiosk.verify)
        assert kiosk.verify.verdict is None

    step({}, refused)  # no verdict, no verification

    def staff() -> None:
        unlock(qtbot, kiosk)
        tap(qtbot, kiosk.admin.log_button)
        tap(qtbot, kiosk.admin.batch_button)
        assert kiosk.page_name() == "batch"

    step({}, staff)


def test_the_counts_reach_the_database_when_the_kiosk_returns_to_its_start(qtbot, kiosk, terminal,
                                                                            monkeypatch):  # fmt: skip
    before = written(terminal)
    kiosk.home.choose_town(TOWN)
    tap(qtbot, next(iter(kiosk.home.village_buttons.values())))
    tap(qtbot, kiosk.home_button)
    tap(qtbot, kiosk.home.tiles["政策咨询"])
    assert written(terminal) == before  # a tap waits for no disk
    kiosk.reset()  # the idle timeout
    tasks.wait_for_all()
    after = written(terminal)
    assert after.get("payouts", 0) == before.get("payouts", 0) + 1
    assert after.get("qa", 0) == before.get("qa", 0) + 1
    # The kiosk idling at its start resets itself, hour after hour: nothing to write, no write.
    flushes = []
    monkeypatch.setattr(kiosk, "flush_usage", lambda: flushes.append(1))
    kiosk.reset()
    assert flushes == []
    tap(qtbot, kiosk.home.tiles["政策咨询"])
    tap(qtbot, kiosk.home_button)  # back home by the villager's own hand: still written
    kiosk.reset()
    assert flushes == [1]


# -- print jobs ---------------------------------------------------------------------------------


def _sheet(pdf: Path) -> None:
    from printing.receipt import LAYOUTS, ReceiptSheet, render

    sheet = ReceiptSheet(number="12345-67890-1234", kind_zh="咨询·预约回电", received_on="2026-12-01",
                         due_on="2026-12-08", due_rule="5个工作日", name_masked="张*",
                         phone_last4="1234", topic="低保", qr_text="SQGK-RECEIPT:12345-67890-1234",
                         terminal="T-1")  # fmt: skip
    render(sheet, pdf, LAYOUTS[0])


def print_jobs(db: Path) -> list[tuple]:
    return rows(db, "SELECT what, printer, job_id, pages, outcome, error FROM print_job ORDER BY id")


def test_a_print_the_print_system_refuses_is_recorded_as_failed_in_chinese(terminal, counting):
    before, counts = print_jobs(terminal), this_month()
    with pytest.raises(KnownError) as refused:
        printing.print_rendered(_sheet, "三楼打印机", "受理回执", what="receipt")
    new = print_jobs(terminal)[len(before):]
    assert new == [("receipt", "三楼打印机", "", 1, "failed", refused.value.zh)]
    assert "打印" in refused.value.zh  # no printer by that name, or no print service at all
    assert health.printer_state()["last_outcome"] == "failed"
    assert changed(counts) == {}  # a print that did not go out is no print


def test_every_job_through_a_real_cups_is_recorded_and_a_print_counted(cups, terminal, counting,  # noqa: F811
                                                                       tmp_path):  # fmt: skip
    pdf = tmp_path / "sheet.pdf"
    _sheet(pdf)
    before, counts = print_jobs(terminal), this_month()
    job = printing.send_pdf(pdf, PRINTER, "受理回执", what="receipt")
    assert job.job_id.startswith(f"{PRINTER}-")
    assert print_jobs(terminal)[len(before):] == [("receipt", PRINTER, job.job_id, 1, "queued", "")]
    assert changed(counts) == {"prints": 1}
    subprocess.run(["cupsreject", PRINTER], check=True)
    try:
        with pytest.raises(KnownError, match="打印失败") as refused:
            printing.send_pdf(pdf, PRINTER, "公示单", what="notice", pages=3)
    finally:
        subprocess.run(["cupsaccept", PRINTER], check=True)
    assert print_jobs(terminal)[-1] == ("notice", PRINTER, "", 3, "failed", refused.value.zh)
    assert changed(counts) == {"prints": 1}


# -- runs ---------------------------------------------------------------------------------------


def test_a_run_records_its_screen_and_what_works_and_a_clean_exit(qtbot, terminal, tmp_path, counting,
                                                                   monkeypatch):  # fmt: skip
    from PySide6.QtWidgets import QApplication

    monkeypatch.setattr(shell, "SPEECH_LOOKUP_AFTER_MS", 0)  # the reader finds out at once
    before = rows(terminal, "SELECT COALESCE(MAX(id), 0) FROM run")[0][0]
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal)
    app.record_run(window)
    with qtbot.waitSignal(window.reader.checked, timeout=30_000):
        pass  # no speech daemon here: it cannot read aloud
    qtbot.waitUntil(lambda: rows(terminal, f"SELECT COUNT(*) FROM run WHERE id > {before}")[0][0] == 1,
                    timeout=30_000)  # fmt: skip
    tasks.wait_for_all()
    qtbot.wait(50)
    size = QApplication.primaryScreen().geometry().size()
    run = rows(terminal, f"SELECT screen, handwriting, speech, clean FROM run WHERE id > {before}")
    assert run == [(f"{size.width()}x{size.height()}", int(app.handwriting_available()), 0, 0)]
    window.reader.checked.emit(True)  # a reader that works, known after the run was recorded
    tasks.wait_for_all()
    qtbot.wait(50)
    assert rows(terminal, f"SELECT speech FROM run WHERE id > {before}") == [(1,)]
    window.count_use("qa")
    app._record_exit()
    assert rows(terminal, f"SELECT clean FROM run WHERE id > {before}") == [(1,)]
    assert written(terminal).get("qa", 0) >= 1  # what was counted since the last reset


# -- the staff page -----------------------------------------------------------------------------


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}x{h}" for w, h in SCREENS])
def test_the_staff_page_shows_the_status_report_on_every_screen(qtbot, terminal, tmp_path, counting,
                                                                 monkeypatch, screen, elderly):  # fmt: skip
    monkeypatch.setenv(ENV_ROOTS, str(tmp_path / "no-stick"))  # no stick in: its offer takes no room
    admin.set_pin(PIN)
    window = open_kiosk(qtbot, tmp_path / "settings.json", terminal, size=screen)
    qtbot.waitUntil(lambda: bool(window.idle_watch.activity), timeout=5000)
    window.elderly.setChecked(elderly)
    unlock(qtbot, window)
    page = window.admin
    assert not page.status_view.isVisible()
    tap(qtbot, page.status_button)
    assert not page.status_button.isEnabled()  # built off the UI thread, once at a time
    qtbot.waitUntil(lambda: page.status_task is None, timeout=30_000)
    settle(qtbot)
    text = page.status_view.toPlainText()
    for label in ("本机状态报告", "程序版本", "数据版本", "最近同步", "待送出申请", "磁盘", "打印机", "运行",
                  "屏幕与功能", "本月使用", "当前故障"):  # fmt: skip
        assert label in text, label
    mode = "长辈模式" if elderly else "normal"
    problems = layout_problems(window, "admin_status")
    view = window_rect(page.status_view, window)
    if not window.rect().contains(view):
        problems.append(f"the report runs out of the window: {view} in {window.rect()}")
    if window._frames["admin"].verticalScrollBar().isVisible():
        problems.append("the staff page scrolls: the report is below the fold")
    lines = page.status_view.viewport().height() // page.status_view.fontMetrics().lineSpacing()
    if lines < 4:
        problems.append(f"the report shows {lines} lines at a time")
    assert problems == [], f"{screen[0]}x{screen[1]} {mode}:\n" + "\n".join(problems)
    # The page locks when left, and the report goes with it.
    tap(qtbot, window.home_button)
    tap(qtbot, window.staff_button)
    assert not page.unlocked and not page.status_view.isVisible()
    assert page.status_view.toPlainText() == ""
    window.quit_kiosk()


def test_a_report_still_being_built_when_the_page_locks_is_not_shown(qtbot, kiosk):
    unlock(qtbot, kiosk)
    page = kiosk.admin
    tap(qtbot, page.status_button)
    page.lock()
    assert page.status_button.isEnabled()
    tasks.wait_for_all()
    qtbot.wait(50)
    unlock(qtbot, kiosk)
    assert not page.status_view.isVisible() and page.status_view.toPlainText() == ""
    tap(qtbot, page.status_button)
    tap(qtbot, page.log_button)  # the log asked for meanwhile stays
    tasks.wait_for_all()
    qtbot.wait(50)
    assert not page.status_view.isVisible() and page.view.isVisible()
    tap(qtbot, page.status_button)
    qtbot.waitUntil(lambda: page.status_task is None, timeout=30_000)
    assert page.status_view.isVisible() and not page.view.isVisible()
    tap(qtbot, page.log_button)  # another view puts a shown report away
    assert not page.status_view.isVisible() and page.view.isVisible()
