"""A kiosk in a public hall: the staff page does not stay open, the window cannot be closed,
settings files as people really leave them, a PIN the command line changes, a lock-out the
clock cannot stretch, faults that end in words (not tracebacks), a wrong clock, and a
damaged database that repairs itself."""

import datetime as dt
import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.app import _show_faults_on, create_app
from kiosk.config import Settings
from kiosk.services import admin
from kiosk.store.db import close_database, open_database, quick_check
from kiosk.ui.shell import KioskWindow
from tests.helpers.cli import kiosk_command, run_kiosk
from tests.helpers.data import copy_database
from tests.helpers.kiosk import PIN, keep_for_the_test, open_kiosk, tap, unlock


@pytest.fixture
def pin_set(demo_db):
    admin.set_pin(PIN)  # the demo_db fixture removes it afterwards

# -- finding 3: the staff page locks, the window cannot be closed ------------------------------


def test_leaving_the_staff_page_locks_it(qtbot, window, pin_set):
    unlock(qtbot, window)
    assert window.admin.unlocked
    tap(qtbot, window.home_button)
    tap(qtbot, window.staff_button)
    assert window.page_name() == "admin" and not window.admin.unlocked
    assert not window.admin.exit_button.isVisible() and not window.admin.sync_button.isVisible()


def test_the_staff_page_locks_after_a_minute_untouched_and_a_touch_postpones_it(qtbot, window,
                                                                                  pin_set):  # fmt: skip
    from kiosk.ui.admin_page import LOCK_AFTER_MS

    assert LOCK_AFTER_MS == 60_000
    unlock(qtbot, window)
    window.admin.lock_timer.setInterval(400)  # a minute, compressed
    window.admin.lock_timer.start()
    qtbot.wait(250)
    tap(qtbot, window.admin.log_button)  # a touch on the page starts the minute again
    qtbot.wait(250)
    assert window.admin.unlocked
    qtbot.waitUntil(lambda: not window.admin.unlocked, timeout=3000)
    assert window.admin.pin.text() == "" and window.page_name() == "admin"


def test_a_close_request_does_not_end_the_kiosk_only_exit_behind_the_pin(qtbot, window, pin_set):
    from PySide6.QtGui import QCloseEvent

    window.close()  # Alt+F4, a window manager's close button
    event = QCloseEvent()
    window.closeEvent(event)
    assert window.isVisible() and not event.isAccepted()
    unlock(qtbot, window)
    with qtbot.waitSignal(window.admin.quit_requested, timeout=2000):
        tap(qtbot, window.admin.exit_button)
    assert not window.isVisible()


# -- finding 4: faults end in words; the page recovers ------------------------------------------


def test_a_worker_that_raises_oserror_reports_and_the_page_recovers(qtbot, window, pin_set,
                                                                      monkeypatch, demo_feed,
                                                                      county_keys):  # fmt: skip
    from kiosk.services import sync

    window.settings.set("feed_source", str(demo_feed))
    window.settings.set("trusted_root", str(county_keys / "root.json"))
    unlock(qtbot, window)
    real_sync = sync.sync

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sync, "sync", disk_full)
    tap(qtbot, window.admin.sync_button)
    qtbot.waitUntil(window.admin.sync_button.isEnabled, timeout=10_000)
    assert "存储空间已满" in window.admin.message.text()
    assert not window.admin.cancel_button.isEnabled()
    monkeypatch.setattr(sync, "sync", real_sync)
    tap(qtbot, window.admin.sync_button)  # the same button works again
    qtbot.waitUntil(window.admin.sync_button.isEnabled, timeout=60_000)
    assert "已是最新数据" in window.admin.message.text() or "同步完成" in window.admin.message.text()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_told_not_fatal(qtbot, window, caplog):
    from kiosk import log

    previous = sys.excepthook
    log.install_exception_hooks()
    _show_faults_on(window)
    try:
        window.home.tile_chosen.disconnect()
        window.home.tile_chosen.connect(lambda name: 1 / 0)
        tap(qtbot, window.home.tiles["规范性文件"])
    finally:
        sys.excepthook = previous
    assert "发生意外错误" in window.notice.text()
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    assert window.isVisible()


@pytest.mark.parametrize(("content", "problem"), [
    ("\ufeff" + json.dumps({"idle_timeout_s": 90, "town_code": "371522102"}), None),  # Notepad's BOM
    ("{garbage", "无法读取"),
    ("[1, 2, 3]", "格式不对"),
    (json.dumps({"idle_timeout_s": "两分钟"}), "不是整数"),
    (json.dumps({"idle_timeout_s": -5}), "超出允许范围"),
    (json.dumps({"idle_timeout_s": 1e10}), "超出允许范围"),
    (json.dumps({"idle_timeout_s": 90, "colour": "red"}), "未知设置项"),
    (json.dumps({"print_requires_pin": [1]}), "是/否"),
])  # fmt: skip
def test_settings_as_people_leave_them_never_stop_the_kiosk(qtbot, demo_db, tmp_path, content,
                                                            problem):  # fmt: skip
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    create_app()
    kiosk = KioskWindow(Settings(path), demo_db)
    keep_for_the_test(qtbot, kiosk)
    timeout = kiosk.idle.interval()
    if problem is None:
        assert timeout == 90_000 and kiosk.settings.problems == []
        return
    assert 15_000 <= timeout <= 3_600_000
    assert any(problem in p for p in kiosk.staff_notes), kiosk.staff_notes
    kiosk.page("admin").show_notes()
    assert problem in kiosk.admin.notes_label.text()


def test_settings_are_written_atomically_owner_only_and_keep_other_writers_changes(tmp_path):
    path = tmp_path / "settings.json"
    kiosk_side = Settings(path)
    kiosk_side.set("idle_timeout_s", 60)
    Settings(path).set("feed_source", "/media/usb/feed")  # e.g. the command line, meanwhile
    kiosk_side.set("freshness_days", 10)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored == {"idle_timeout_s": 60, "feed_source": "/media/usb/feed", "freshness_days": 10}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left
    with pytest.raises(ValueError, match="超出允许范围"):
        kiosk_side.set("idle_timeout_s", -5)
    assert json.loads(path.read_text(encoding="utf-8"))["idle_timeout_s"] == 60


def test_the_cli_says_one_line_for_an_unexpected_error_and_logs_the_traceback(demo_db_file,
                                                                                tmp_path):  # fmt: skip
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    village = sqlite3.connect(demo_db_file).execute(
        "SELECT village_id FROM payout WHERE year = 2025 LIMIT 1").fetchone()[0]  # fmt: skip
    # A folder where the PDF should be: an OSError deep inside reportlab.
    out = tmp_path / "notice.pdf"
    out.mkdir()
    db = tmp_path / "copy.sqlite3"
    copy_database(demo_db_file, db)
    result = run_kiosk("print", "notice", "--village", village, "--year", "2025", "--out", str(out),
                       "--db", str(db), env=env)  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and " / " in lines[0], result.stderr
    # A terminal's log lives beside its database (kiosk.paths.TerminalFiles).
    log_text = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "Traceback" in log_text and "IsADirectoryError" in log_text


# -- finding 5: the PIN lives in the database; the lock-out is monotonic ----------------------------


def test_set_pin_from_the_command_line_takes_effect_in_a_running_kiosk(qtbot, window, pin_set,
                                                                         demo_db):  # fmt: skip
    run_kiosk("set-pin", "--db", str(demo_db), stdin="13579246\n", ok=True)
    unlock(qtbot, window, PIN)  # the old PIN no longer opens the page
    assert not window.admin.unlocked and "PIN 错误" in window.admin.pin_message.text()
    window.admin.settings.set("idle_timeout_s", 60)  # the kiosk writes its settings meanwhile
    for digit in "13579246":
        tap(qtbot, window.admin.pad.keys[digit])
    tap(qtbot, window.admin.enter)
    assert window.admin.unlocked


def _lock_out(clock: admin.Clock) -> admin.PinCheck:
    for _ in range(admin.MAX_TRIES):
        check = admin.check_pin("000000", clock)
    return check


def test_a_lock_set_under_a_wrong_clock_ends_after_five_real_minutes(demo_db, pin_set):
    wrong = admin.Clock(dt.datetime(2035, 6, 1, 9, 0), monotonic=1000.0, boot="boot-a")
    assert "锁定" in _lock_out(wrong).message
    fixed = admin.Clock(dt.datetime(2026, 11, 29, 9, 1), monotonic=1060.0, boot="boot-a")
    check = admin.check_pin(PIN, fixed)
    assert not check.ok and "2026年11月29日 09:05" in check.message  # the date, not just a time
    later = admin.Clock(dt.datetime(2026, 11, 29, 9, 5), monotonic=1000.0 + admin.LOCK_SECONDS, boot="boot-a")
    assert admin.check_pin(PIN, later).ok


def test_a_lock_survives_a_reboot_for_at_most_five_more_minutes(demo_db, pin_set):
    _lock_out(admin.Clock(dt.datetime(2035, 6, 1, 9, 0), monotonic=5000.0, boot="boot-a"))
    rebooted = admin.Clock(dt.datetime(2026, 11, 29, 9, 0), monotonic=30.0, boot="boot-b")
    assert "锁定" in admin.check_pin(PIN, rebooted).message
    five_on = admin.Clock(dt.datetime(2026, 11, 29, 9, 5), monotonic=30.0 + admin.LOCK_SECONDS,
                          boot="boot-b")  # fmt: skip
    assert admin.check_pin(PIN, five_on).ok


@pytest.fixture
def read_only_folder(tmp_path):
    """A real read-only file system (root ignores chmod)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "settings.json").write_text('{"idle_timeout_s": 90}', encoding="utf-8")
    source = tmp_path / "ro-source"
    folder.rename(source)
    folder.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(folder)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot make a read-only bind mount here")
    subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_settings_folder_still_lets_the_right_pin_in(qtbot, demo_db, pin_set,
                                                                 read_only_folder):  # fmt: skip
    settings = Settings(read_only_folder / "settings.json")
    with pytest.raises(OSError, match="Read-only file system"):
        (read_only_folder / "probe").write_text("x")
    create_app()
    kiosk = KioskWindow(settings, demo_db)
    keep_for_the_test(qtbot, kiosk)
    kiosk.show()
    unlock(qtbot, kiosk)
    assert kiosk.admin.unlocked
    kiosk.admin.settings_panel._bump("idle_timeout_s", 30)  # cannot be saved: said, not raised
    assert "设置无法保存" in kiosk.admin.message.text()
    assert settings.get("idle_timeout_s") == 90


# -- finding 7: a clock that cannot be right ----------------------------------------------------------


def test_a_clock_before_the_data_is_told_on_the_header_and_to_staff(window):
    window.refresh_freshness(now=dt.datetime(2001, 1, 1, 8, 0))
    assert "请工作人员校准终端日期时间" in window.freshness.text()
    assert any("早于本机已有数据的日期" in n for n in window.staff_notes)
    window.refresh_freshness(now=dt.datetime.now() + dt.timedelta(days=3 * 365))
    assert any("晚一年以上" in n for n in window.staff_notes)
    window.refresh_freshness()
    assert window.freshness.text().startswith("数据更新于")


# -- finding 8: a damaged database repairs itself ------------------------------------------------------


@pytest.fixture
def damaged_terminal(demo_db_file, tmp_path):
    """A copy of a synced terminal (database and feed cache) whose payout pages are damaged."""
    terminal = tmp_path / "terminal"
    terminal.mkdir()
    db = terminal / "kiosk.sqlite3"
    copy_database(demo_db_file, db)
    shutil.copytree(demo_db_file.parent / "feed-cache", terminal / "feed-cache")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rows = conn.execute("SELECT count(*) FROM payout").fetchone()[0]
    root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'payout'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as f:  # scribble over the payout table's root page and the next ones
        f.seek((root_page - 1) * page_size)
        f.write(b"\xa5" * page_size * 4)
    return db, rows


def test_quick_check_finds_damaged_pages(damaged_terminal, demo_db_file):
    db, _ = damaged_terminal
    assert quick_check(demo_db_file) is None
    assert quick_check(db) is not None


def test_a_damaged_database_is_set_aside_and_rebuilt_from_the_feed_cache(qtbot, damaged_terminal):
    db, rows = damaged_terminal
    admin_hash = None
    open_database(db)
    admin.set_pin(PIN)  # staff set a PIN; it cannot come back from the feed
    admin_hash = sqlite3.connect(db).execute("SELECT pin_hash FROM staff_access").fetchone()[0]
    kiosk = open_kiosk(qtbot, db.parent / "settings.json", db)  # its first frame starts quick_check
    qtbot.waitUntil(lambda: "数据已修复" in kiosk.notice.text(), timeout=60_000)
    assert quick_check(db) is None
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM payout").fetchone()[0] == rows
    assert conn.execute("SELECT pin_hash FROM staff_access").fetchone()[0] == admin_hash
    assert conn.execute("SELECT count(*) FROM audit_log WHERE kind = 'repair'").fetchone()[0] == 1
    conn.close()
    aside = [p for p in db.parent.glob("kiosk.sqlite3.broken-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and quick_check(aside[0]) is not None  # kept for the technician
    assert any("已从本机县级数据缓存自动重建" in n for n in kiosk.staff_notes)
    assert len(kiosk.home.town_buttons) == 24
    close_database()


def _kiosk_without_start_up_check(qtbot, db: Path) -> KioskWindow:
    """A kiosk on ``db`` whose start-up quick check is off: something else must find damage."""
    open_database(db)
    create_app()
    kiosk = KioskWindow(Settings(db.parent / "settings.json"), db)
    keep_for_the_test(qtbot, kiosk)
    kiosk.check_database = lambda: None
    return kiosk


@pytest.mark.qt_no_exception_capture
def test_a_database_error_on_a_tap_starts_the_repair(qtbot, damaged_terminal):
    from kiosk import log

    db, rows = damaged_terminal
    kiosk = _kiosk_without_start_up_check(qtbot, db)
    kiosk._head_start = lambda step: None  # no page built or warmed ahead: the tap reads first
    kiosk.show()
    previous = sys.excepthook
    log.install_exception_hooks()
    _show_faults_on(kiosk)
    try:
        town = next(iter(kiosk.home.town_buttons))
        tap(qtbot, kiosk.home.town_buttons[town])
        village = next(iter(kiosk.home.village_buttons.values()))
        kiosk.home.village_area.ensureWidgetVisible(village)
        tap(qtbot, village)  # reads the damaged payout pages
        qtbot.waitUntil(lambda: "数据已修复" in kiosk.notice.text(), timeout=60_000)
    finally:
        sys.excepthook = previous
    assert sqlite3.connect(db).execute("SELECT count(*) FROM payout").fetchone()[0] == rows
    close_database()


def test_damage_found_by_the_first_tap_warm_up_starts_the_repair(qtbot, damaged_terminal):
    db, rows = damaged_terminal
    kiosk = _kiosk_without_start_up_check(qtbot, db)
    kiosk.show()  # only the pages built ahead and the warm-up read the damaged pages
    qtbot.waitUntil(lambda: "数据已修复" in kiosk.notice.text(), timeout=60_000)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM payout").fetchone()[0] == rows
    close_database()


def test_without_a_feed_cache_the_damaged_file_is_kept_and_staff_are_told(qtbot, damaged_terminal):
    db, _ = damaged_terminal
    shutil.rmtree(db.parent / "feed-cache")
    open_database(db)
    kiosk = open_kiosk(qtbot, db.parent / "settings.json", db)
    qtbot.waitUntil(lambda: "请工作人员同步县级数据" in kiosk.notice.text(), timeout=60_000)
    assert any("本机没有完整的县级数据缓存" in n for n in kiosk.staff_notes)
    assert list(db.parent.glob("kiosk.sqlite3.broken-*"))
    close_database()



def test_staff_pick_the_feed_on_a_usb_stick_without_a_file_dialog(qtbot, window, pin_set, demo_feed,
                                                                  tmp_path, monkeypatch):  # fmt: skip
    stick, empty = tmp_path / "stick", tmp_path / "empty-stick"
    shutil.copytree(demo_feed, stick / "县里的数据源")
    empty.mkdir()
    monkeypatch.setenv("KIOSK_USB_ROOTS", os.pathsep.join([str(stick), str(empty)]))
    unlock(qtbot, window)
    tap(qtbot, window.admin.settings_button)
    tap(qtbot, window.admin.settings_panel.pick_source_button)
    chooser = window.admin.settings_panel.source_chooser
    assert chooser.isVisible() and set(chooser.buttons) == {stick, empty}
    tap(qtbot, chooser.buttons[empty])
    assert "没有找到县级数据源" in window.admin.message.text()
    tap(qtbot, window.admin.settings_panel.pick_source_button)
    tap(qtbot, chooser.buttons[stick])
    assert window.settings.get("feed_source") == str(stick / "县里的数据源")
    assert not chooser.isVisible()


@pytest.mark.qt_no_exception_capture
def test_a_kiosk_whose_database_will_not_even_open_starts_and_rebuilds(qtbot, damaged_terminal):
    from kiosk import app

    db, rows = damaged_terminal
    with db.open("r+b") as f:  # the header too: SQLite no longer calls it a database
        f.write(b"\x00" * 100)
    hooks = sys.excepthook, threading.excepthook, sys.unraisablehook
    try:
        kiosk = app.start(db, windowed=True)
        keep_for_the_test(qtbot, kiosk)
        qtbot.waitUntil(lambda: "数据已修复" in kiosk.notice.text(), timeout=60_000)
    finally:
        sys.excepthook, threading.excepthook, sys.unraisablehook = hooks
    assert sqlite3.connect(db).execute("SELECT count(*) FROM payout").fetchone()[0] == rows
    assert len(kiosk.home.town_buttons) == 24
    close_database()


def test_a_running_kiosk_ends_cleanly_on_sigterm(demo_db_file, tmp_path):
    """A service manager stops the kiosk with SIGTERM; the window itself refuses to close."""
    import signal
    import time

    db = copy_database(demo_db_file, tmp_path / "terminal" / "kiosk.sqlite3")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    log = tmp_path / "terminal" / "logs" / "kiosk.log"  # beside the database
    kiosk = subprocess.Popen(kiosk_command("run", "--windowed", "--db", db), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and "villager pages built" in log.read_text(encoding="utf-8")):
            assert kiosk.poll() is None, kiosk.communicate()
            assert time.monotonic() < deadline, "the kiosk did not come up"
            time.sleep(0.2)
        kiosk.send_signal(signal.SIGTERM)
        _out, err = kiosk.communicate(timeout=20)
    finally:
        kiosk.kill()
    assert kiosk.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in log.read_text(encoding="utf-8")


def test_a_locked_database_is_not_mistaken_for_a_damaged_one(demo_db_file, tmp_path):
    """A sync holding the write lock while the kiosk starts: the check cannot run, and the
    sound file stays where it is."""
    db = copy_database(demo_db_file, tmp_path / "kiosk.sqlite3")
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA journal_mode = delete")  # a rollback journal locks readers out
    writer.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            quick_check(db, timeout_s=0.2)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert quick_check(db) is None and not list(tmp_path.glob("*.broken-*"))


def test_a_start_up_step_that_fails_is_logged_and_the_rest_still_run(qtbot, demo_db, tmp_path, monkeypatch,
                                                                      caplog):
    from kiosk.services import preload

    def broken(module: str) -> None:
        raise ImportError(f"no module named {module} in this build")

    monkeypatch.setattr(preload, "load", broken)
    kiosk = open_kiosk(qtbot, tmp_path / "settings.json", demo_db)
    with qtbot.waitSignal(kiosk.started, timeout=10_000):  # the pages come after every step
        pass
    assert kiosk.autosync is not None and "payouts" in kiosk._built
    assert "start-up step failed" in caplog.text
