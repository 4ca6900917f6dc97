"""Composition root: QApplication, settings, database, services, main window."""

import gc
import linecache
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from kiosk import log, paths
from kiosk.config import Settings
from kiosk.errors import DamagedDatabase, KnownError, is_corruption
from kiosk.services import repair
from kiosk.store.db import open_database
from kiosk.ui.fonts import install_app_font
from kiosk.ui.screen import cover_screen
from kiosk.ui.shell import KioskWindow
from kiosk.ui.translations import install_qt_translations


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("莘情公开")
    app.setFont(install_app_font())
    install_qt_translations(app)
    return app


def run(db: Path, windowed: bool = False) -> int:
    """Show the kiosk until 退出程序 (behind the staff PIN)."""
    window = start(db, windowed)
    # A SIGTERM during start-up ended the window before the event loop ran, when quit()
    # does nothing: the loop is not entered at all then.
    code = 0 if window.is_ending else QApplication.instance().exec()
    _stop_tasks()
    _record_exit()
    return code


def _stop_tasks() -> None:
    """Background work (start-up's database check, a sync) ended before the process is:
    Python tearing down a QThread that still runs aborts it."""
    from kiosk.ui import tasks

    tasks.stop_all()


def start(db: Path, windowed: bool = False) -> KioskWindow:
    """Open the database (setting a damaged one aside), build and show the kiosk window."""
    aside = None
    try:
        open_database(db)
    except DamagedDatabase:
        # Everything in it came from the feed: set it aside, start, and rebuild.
        log.get("kiosk.ui").exception("database damaged at start")
        aside = repair.set_aside(db)
    except KnownError as exc:
        log.get("kiosk.ui").error("%s", exc)
        raise
    settings_file = paths.TerminalFiles(db).settings
    log.install_exception_hooks()
    install_qt_message_handler()
    create_app()
    window = _build_window(Settings(settings_file), db, aside)
    _show_faults_on(window)
    if leaks_none():
        window.note_for_staff("本机安装的 PySide6 版本有缺陷（每次调用泄漏 None 引用），"
                              "数小时后会崩溃，请安装 PySide6 6.11.3")
    _quit_on_signals(window)
    window.started.connect(lambda: _settle_heap(window))
    window.started.connect(lambda: _adopt_legacy_pin(settings_file))
    record_run(window)
    window.first_frame.connect(lambda: _watch_stalls(window))
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        cover_screen(window)  # showFullScreen() alone leaves a small window without a window manager
    return window


def _adopt_legacy_pin(settings_file: Path) -> None:
    """An older version's PIN moved into the database, once start-up has loaded the models
    (kiosk.services.preload.STORE): not before the first frame."""
    from kiosk.services import admin

    admin.adopt_legacy_pin(settings_file)


def record_run(window: KioskWindow) -> None:
    """This run, for the status report (kiosk.services.health): once start-up is done, the
    primary screen's size and whether handwriting works; whether speech works once the
    reader has found out. Off the UI thread (finding the handwriting library may ask
    ldconfig, the database may be busy with a sync); a failure is logged, never raised."""
    from kiosk.ui.tasks import run_task

    known: dict[str, bool] = {}  # "run": recorded, "speech": what the reader found

    def speech(found: bool) -> None:
        known["speech"] = found
        if known.get("run"):  # else once the run is recorded (``recorded``)
            from kiosk.services import health

            run_task(lambda _task: health.record_speech(found), name="record-speech")

    def recorded(_run_id: int) -> None:
        known["run"] = True
        if "speech" in known:
            speech(known["speech"])

    def begin() -> None:
        from kiosk.services import health  # its imports are loaded by start-up's last steps

        size = QApplication.primaryScreen().geometry().size()
        screen = f"{size.width()}x{size.height()}"
        run_task(lambda _task: health.record_start(screen, handwriting_available()), name="record-run",
                 on_success=recorded)  # fmt: skip

    window.reader.checked.connect(speech)
    window.started.connect(begin)


def handwriting_available() -> bool:
    """Whether the handwriting library and model are there (kiosk.services.handwriting)."""
    from kiosk.services import handwriting

    try:
        handwriting.find()
    except handwriting.Unavailable:
        return False
    return True


def _record_exit() -> None:
    """The kiosk ends through its own exit (退出程序, or the system asked it to): what was
    counted since the last reset is written and the run marked clean. The window is gone:
    nobody waits for the database now. A failure is logged."""
    from kiosk.services import health, usage

    for step, what in ((usage.flush, "usage counts"), (health.record_clean_exit, "clean exit")):
        try:
            step()
        except Exception:
            log.get("kiosk.ui").exception("%s not recorded at exit", what)


def _settle_heap(window: KioskWindow) -> None:
    """What start-up made lives as long as the kiosk: frozen, the collector never scans it
    again (each full collection of it froze the screen for several ms), then collection on,
    on the UI thread only (kiosk.ui.collector). The source PySide6 read of every module
    imported so far goes first (kiosk.ui.shell.page)."""
    from kiosk.ui.collector import UiThreadCollector

    linecache.clearcache()
    gc.collect()
    gc.freeze()
    window.collector = UiThreadCollector(window, quiet=window.idle_watch.at_start)
    window.collector.start()


def _watch_stalls(window: KioskWindow) -> None:
    """A frozen screen (the UI thread late by more than 50 ms) goes to the log with the page
    and the background work of the moment: slowness in the field is found, not guessed."""
    from kiosk.ui import tasks
    from kiosk.ui.stall_meter import StallMeter

    def label() -> str:
        running = tasks.still_running()
        return window.page_name() + (f" (running: {', '.join(running)})" if running else "")

    def logged(stall) -> None:
        log.get("kiosk.ui").warning("UI thread stalled %.0f ms on %s", stall.ms, stall.label)

    # 25 ms: a stall is measured exactly whatever the interval; fewer wake-ups all day.
    window.stall_meter = StallMeter(25, label, parent=window, on_stall=logged)
    window.stall_meter.start()


def _quit_on_signals(window: KioskWindow) -> None:
    """SIGTERM (a service manager stopping the kiosk) and SIGINT (Ctrl+C where it was
    started) end it cleanly. Villagers reach neither; on screen only 退出程序 quits."""
    import signal

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: window.quit_kiosk())
    # Python runs signal handlers only between bytecodes; Qt's event loop is C++, so wake
    # the interpreter a few times a second.
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(500)


def leaks_none(calls: int = 200) -> bool:
    """True on a Qt binding that drops a reference to None per void call (PySide6 6.12.0
    on Python 3.11): such a kiosk aborts after hours. pyproject.toml excludes it; this
    catches a terminal installed some other way."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(calls):
        label.setText("")
    leaked = before - sys.getrefcount(None) >= calls // 2
    if leaked:
        log.get("kiosk.ui").critical("PySide6 leaks a reference to None per void call: "
                                     "this kiosk will abort after hours; install PySide6 6.11.3")
    return leaked


def _build_window(settings: Settings, db: Path, aside: Path | None = None) -> KioskWindow:
    """The kiosk window. A database set aside as damaged (``aside``), or too damaged to
    build the window from, is rebuilt from the feed cache once the window is up."""
    try:
        window = KioskWindow(settings, db)
    except Exception as exc:
        if not is_corruption(exc):
            raise
        log.get("kiosk.ui").exception("database damaged at start")
        aside = repair.set_aside(db)
        window = KioskWindow(settings, db)
    if aside is not None:
        window.repair_flow.rebuild(aside)
    return window


def _show_faults_on(window: KioskWindow) -> None:
    """An exception in a slot is logged (log.install_exception_hooks) and the kiosk goes
    on; the villager is told, and a damaged database is repaired."""
    logged = sys.excepthook

    def hook(kind, value, tb) -> None:
        logged(kind, value, tb)
        if isinstance(value, Exception):
            window.fault(value)

    sys.excepthook = hook


_QT_LEVELS = {"QtDebugMsg": logging.DEBUG, "QtInfoMsg": logging.INFO, "QtWarningMsg": logging.WARNING,
              "QtCriticalMsg": logging.ERROR, "QtFatalMsg": logging.CRITICAL}  # fmt: skip


def install_qt_message_handler() -> None:
    """Qt's own warnings go to the kiosk's log, not to a console nobody reads."""
    qt_log = log.get("kiosk.qt")

    def handler(mode: QtMsgType, context, message: str) -> None:
        qt_log.log(_QT_LEVELS.get(mode.name, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def screenshot(db: Path, page: str, out: Path, village: str | None = None,
               elderly: bool = False, size: tuple[int, int] = (1280, 800)) -> Path:
    """Render one page offscreen to a PNG, as a villager would see it.

    Raises:
        KnownError: the database cannot be opened or the village is unknown.
    """
    open_database(db)
    create_app()
    window = KioskWindow(Settings(paths.TerminalFiles(db).settings), db)
    window.resize(*size)
    window.show()
    window.elderly.setChecked(elderly)
    code = village or _a_village_with_payouts()
    if page == "home":  # as a villager finds it: the tiles and the towns
        window.go_home()
    elif page == "villages":  # a town chosen: its villages
        window.home.choose_town(code[:9])
    elif page == "payouts":
        window.show_village(code)
    elif page == "lookup":  # a villager's own rows, found by the last 4 of the ID number
        window.show_village(code)
        window.payouts.show_lookup()
        lookup = window.payouts.lookup
        lookup.last4.setText(window.payouts.result.rows[0].id_masked[-4:])
        lookup.run()
        if lookup.step() == lookup.CHOOSE:
            lookup.name_buttons[0].click()
    elif page == "print":
        window.show_village(code)
        window.show_print(code, window.payouts.result.year)
        _wait_until(lambda: window.print_page.task is None, 30_000)  # made off the UI thread
    elif page == "catalogue":
        window.show_page("catalogue").show_domain("D21", "涉农补贴")
    elif page == "writing":  # the catalogue search's text-entry panel, 三 written on it
        search = window.show_page("catalogue").search
        search.write.click()
        _wait_ms(100)  # laid out, so the ink scales to the pad as shown
        search.panel.pad.replay([[(60, 80), (240, 80)], [(80, 150), (220, 150)],
                                 [(40, 230), (260, 230)]], 300, 300)  # fmt: skip
        _wait_until(lambda: bool(search.panel.choices()), 5000)
    elif page == "consult":
        window.show_page("consult").show_category("涉农补贴")
    elif page == "answer":
        window.show_page("consult").show_category("涉农补贴")
        window.consult.view.open(0)
    elif page in ("consultation", "draft", "comment", "results"):
        _show_consultation(window, page)
    elif page in ("screener", "screener_result"):
        _show_screener(window, page)
    elif page == "policies":
        window.show_page("policies")
    elif page == "document":
        window.show_page("policies").view.open(0)
    elif page == "admin_status":  # the staff page as unlocked (no PIN asked of a screenshot)
        staff = window.show_page("admin")
        staff.stack.setCurrentIndex(1)
        staff.show_notes()
        staff.show_outbox()
        staff.show_status()
        _wait_until(lambda: staff.status_task is None, 30_000)  # built off the UI thread
    else:
        window.show_admin()
    _wait_ms(1500 if page == "print" else 100)  # QtPdf renders pages in a thread
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.quit_kiosk()
    _stop_tasks()
    return out


def _show_consultation(window: KioskWindow, page: str) -> None:
    """意见征集: the catalogue, the open draft, a comment's first step on its third article,
    or a decided draft's 采纳情况."""
    consultation = window.show_page("consultation")
    consultation.show_list()
    if page == "consultation":
        return
    wanted = consultations_state("已公布采纳情况" if page == "results" else "征求意见中")
    if wanted is None:
        raise KnownError("数据库中没有这样的草案", "the database holds no such draft")
    consultation.open_draft(*wanted)
    if page == "comment":
        consultation.choose_article(3, 1)
    elif page == "results":
        consultation.choose_article(3, None)


# An 82-year-old widower of the demo county, as the 政策找人 screenshots answer for him.
SCREENER_ANSWERS = {"户籍": "是", "年龄": "80至89岁", "人均月收入": "600至799元", "低保特困": "都不是",
                    "无劳动能力": "否", "残疾证": "二级", "种地": "10亩以下", "计生家庭": "否"}


def _show_screener(window: KioskWindow, page: str) -> None:
    """政策找人: its third question, or the result for SCREENER_ANSWERS (others 不清楚)."""
    screener = window.show_screener()
    screener.begin()
    while screener.question is not None and (page == "screener_result" or len(screener.session.answers) < 2):
        screener.choose(SCREENER_ANSWERS.get(screener.question.code, "不清楚"))


def consultations_state(state: str) -> tuple[str, int] | None:
    """(code, version) of a draft in ``state``, if the database has one."""
    from kiosk.services import consultations

    for decision in consultations.decisions():
        if decision.draft is not None and decision.draft.state == state:
            return decision.draft.code, decision.draft.version
    return None


def _wait_ms(ms: int) -> None:
    """Let the event loop run for ``ms`` (layouts settle, threads deliver their results)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait_until(done, timeout_ms: int) -> None:
    """Run the event loop until ``done()`` or ``timeout_ms`` passed (a worker's answer)."""
    for _ in range(timeout_ms // 50):
        if done():
            return
        _wait_ms(50)


def _a_village_with_payouts() -> str:
    from kiosk.services import divisions, payouts

    for town in divisions.list_towns():
        for village in divisions.list_villages(town.code):
            if payouts.years_for_village(village.code):
                return village.code
    raise KnownError("数据库中没有任何发放记录", "the database holds no payouts")
