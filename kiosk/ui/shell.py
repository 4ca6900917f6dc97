"""The kiosk window: header, pages, 长辈模式, 朗读, and the idle timeout that returns home
and forgets everything a villager typed.

Only the home page is built before the first frame. The villager pages follow right after
it, and the rest (with the modules behind them: QtPdf, the notice printer, the sync client)
on their first visit, so the first frame waits for none of them.
"""

import datetime as dt
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent, QInputEvent, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import log
from kiosk.config import Settings
from kiosk.errors import as_known, is_corruption
from kiosk.services import clock, divisions, payouts, repair, status
from kiosk.ui import speech, theme, uptime
from kiosk.ui.home import HomePage
from kiosk.ui.scanner import ScannerInput
from kiosk.ui.speech import Speaker
from kiosk.ui.tasks import run_task
from kiosk.ui.widgets import AdaptiveRow, Notice, PageFrame, kinetic

PAGES = ("home", "payouts", "print", "batch", "catalogue", "consult", "policies", "verify", "admin",
         "requests", "progress")
# Built one per event-loop turn once the home page is up, so a villager's first tap does not
# wait for them. The print, batch and staff pages (QtPdf, the sync client) wait for a visit.
PREBUILT = ("payouts", "catalogue", "consult", "policies")
SPEECH_LOOKUP_AFTER_MS = 3000
_log = log.get("kiosk.ui")


class KioskWindow(QMainWindow):
    def __init__(self, settings: Settings, db_path: Path | None = None):
        super().__init__()
        self.settings = settings
        self._constructed = self._painted = self._quitting = self._repairing = False
        self._elderly_on = False
        self._elderly_sheet = theme.stylesheet(theme.ELDERLY)
        # What staff should know (ignored settings, a repaired database, a wrong clock); the
        # staff page shows them once unlocked.
        self.staff_notes: list[str] = list(settings.problems)
        # Style first: applying a style sheet to widgets that already exist re-polishes them all.
        self.set_elderly(False)
        self.setWindowTitle("莘情公开 · 莘县村务公开查询")
        self.place = QLabel("莘情公开 · 莘县惠民惠农补贴公示")
        self.place.setObjectName("heading")
        self.freshness = QLabel("")
        self.freshness.setWordWrap(True)
        self.elderly = QPushButton("长辈模式")
        self.elderly.setCheckable(True)
        self.elderly.toggled.connect(self.set_elderly)
        self.read_aloud = QPushButton("朗读")
        self.read_aloud.setCheckable(True)
        self.read_aloud.toggled.connect(self._read_toggled)
        # Shown once a Mandarin voice is found (_prepare_speech): a button that can only say
        # it does not work would follow the villager around.
        self.read_aloud.setVisible(False)
        self.home_button = QPushButton("返回首页")
        self.home_button.clicked.connect(self.go_home)
        self.staff_button = QPushButton("工作人员")
        self.staff_button.clicked.connect(self.show_admin)
        for button in (self.elderly, self.read_aloud, self.home_button, self.staff_button):
            button.setAccessibleName(button.text())
        self.header = AdaptiveRow(self.place, [self.elderly, self.read_aloud, self.staff_button,
                                               self.home_button])  # fmt: skip

        self.db_path = db_path
        self.home = HomePage()
        self.home.village_chosen.connect(self.show_village)
        self.home.tile_chosen.connect(self._tile)
        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._page_changed)
        self._built: dict[str, QWidget] = {}
        self._frames: dict[str, QScrollArea] = {}
        self._add_page("home", self.home)
        self.notice = Notice()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addWidget(self.freshness)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, stretch=1)
        self.setCentralWidget(central)

        self.speaker = Speaker()
        self.autosync = None  # made after the first frame (kiosk.ui.autosync)
        # A USB QR scanner types a sheet's URL wherever the kiosk is: 核验公示单 opens with it.
        self.scanner = ScannerInput(self)
        self.scanner.scanned.connect(self._scanned)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(settings.get("idle_timeout_s")) * 1000)
        self.idle.timeout.connect(self._idle_timeout)
        self.idle.start()
        # 还在看吗？ (kiosk.ui.idle.StillThere): built on the first idle timeout that needs it.
        self._still_there = None
        self.idle_countdown_s = 10  # how long it waits for a touch before the reset
        self._activity: set[QEvent.Type] = set()
        self.village_code: str | None = None
        self._preselect_town()
        self.refresh_freshness()
        self._constructed = True

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._finish_start)  # after this first frame is finished

    def _finish_start(self) -> None:
        """Set-up that can wait for the first frame. Touching PySide's enums costs: the first
        ``Qt.*`` enum builds all of them (~17 ms), so nothing before this point uses one."""
        # How long a terminal takes to come up is worth knowing in the field (and is what
        # the start-up benchmark reads).
        _log.info("home shown %.0f ms after process start", uptime.process_age_ms())
        self._activity = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                          QEvent.Type.KeyPress, QEvent.Type.Wheel}  # fmt: skip
        QApplication.instance().installEventFilter(self)
        self.home.finish_setup()
        kinetic(self._frames["home"], holds_buttons=True)
        _log.info("start-up finished %.0f ms after process start", uptime.process_age_ms())
        self._prebuild(list(PREBUILT))
        self.check_database()
        QTimer.singleShot(SPEECH_LOOKUP_AFTER_MS, self._prepare_speech)
        # Imported here: the sync client and the envelope crypto are not needed for the
        # first frame.
        from kiosk.ui.autosync import AutoSync

        self.autosync = AutoSync(self.settings, self.db_path, self)
        self.autosync.data_changed.connect(self._data_changed)
        self.autosync.start()

    def _prebuild(self, names: list[str]) -> None:
        if not names:
            _log.info("villager pages built %.0f ms after process start", uptime.process_age_ms())
            return
        self.page(names[0]).ensurePolished()
        QTimer.singleShot(0, lambda: self._prebuild(names[1:]))

    def _preselect_town(self) -> None:
        """A terminal set to its township opens with that town's villages shown."""
        town = self.settings.get("town_code")
        if town in self.home.town_buttons:
            self.home.choose_town(town)

    # -- pages, built on first visit --------------------------------------------------------

    def page(self, name: str) -> QWidget:
        """The page called ``name`` (one of PAGES), built and wired on first use."""
        if name not in self._built:
            self._add_page(name, getattr(self, f"_build_{name}")())
        return self._built[name]

    def _add_page(self, name: str, page: QWidget) -> None:
        # Each page sits in a vertical scroll area: on a short screen or in 长辈模式 nothing
        # falls off the bottom of the screen, the page scrolls instead.
        frame = PageFrame(page)
        if self._painted:  # the home page's scroller waits for the first frame (_finish_start)
            kinetic(frame, holds_buttons=True)
        self.pages.addWidget(frame)
        self._built[name], self._frames[name] = page, frame

    def show_page(self, name: str) -> QWidget:
        page = self.page(name)
        self._match_mode(self._frames[name])
        self.pages.setCurrentWidget(self._frames[name])
        return page

    def _build_payouts(self) -> QWidget:
        from kiosk.ui.payouts_page import PayoutsPage

        page = PayoutsPage()
        page.print_requested.connect(self.show_print)
        return page

    def _build_verify(self) -> QWidget:
        from kiosk.ui.verify_page import VerifyPage

        page = VerifyPage()
        page.reprint_requested.connect(self.show_print)
        return page

    def _build_requests(self) -> QWidget:
        from kiosk.ui.requests_page import RequestsPage

        page = RequestsPage(settings=self.settings)
        page.home_requested.connect(self.go_home)
        page.progress_requested.connect(self.show_progress)
        return page

    def _build_progress(self) -> QWidget:
        from kiosk.ui.progress_page import ProgressPage

        return ProgressPage()

    def _build_print(self) -> QWidget:
        from kiosk.ui.print_page import PrintPage

        page = PrintPage(settings=self.settings)
        page.back_requested.connect(lambda: self.show_page("payouts"))
        return page

    def _build_batch(self) -> QWidget:
        from kiosk.ui.batch_print import BatchPrintPage

        return BatchPrintPage(self.settings.get("verify_base_url"))

    def _build_catalogue(self) -> QWidget:
        from kiosk.ui.catalogue_page import CataloguePage

        return CataloguePage()

    def _build_consult(self) -> QWidget:
        from kiosk.ui.consult_page import ConsultPage

        return ConsultPage()

    def _build_policies(self) -> QWidget:
        from kiosk.ui.policies_page import PoliciesPage

        return PoliciesPage()

    def _build_admin(self) -> QWidget:
        from kiosk.ui.admin_page import AdminPage

        page = AdminPage(self.settings, self.db_path)
        page.notes = self.staff_notes  # one list: notes added later show up there too
        page.data_changed.connect(self._data_changed)
        page.quit_requested.connect(self.quit_kiosk)
        page.current_town = lambda: self.home.town_code
        page.auto_report = lambda: self.autosync.last_report if self.autosync else ""
        page.batch_button.clicked.connect(self.show_batch)
        return page

    payouts = property(lambda self: self.page("payouts"))
    print_page = property(lambda self: self.page("print"))
    batch_page = property(lambda self: self.page("batch"))
    catalogue = property(lambda self: self.page("catalogue"))
    consult = property(lambda self: self.page("consult"))
    policies = property(lambda self: self.page("policies"))
    verify = property(lambda self: self.page("verify"))
    admin = property(lambda self: self.page("admin"))

    # -- navigation ---------------------------------------------------------------------

    def page_name(self) -> str:
        current = self.pages.currentWidget()
        return next(name for name, frame in self._frames.items() if frame is current)

    def staff_unlocked(self) -> bool:
        return "admin" in self._built and self.admin.unlocked

    def _data_changed(self) -> None:
        """A sync or a repair replaced data: towns and freshness follow."""
        self.home.reload_towns()
        self.refresh_freshness()

    def _page_changed(self, _index: int) -> None:
        # Reading on after the page changed would read a page no longer shown.
        self.read_aloud.setChecked(False)
        # Leaving the staff page locks it: the next person to tap 工作人员 may be a villager.
        if "admin" in self._built and self.pages.currentWidget() is not self._frames["admin"]:
            self._built["admin"].lock()
        # Leaving a request form forgets it: a name, ID and phone must not wait on screen
        # for whoever comes next.
        if "requests" in self._built and self.pages.currentWidget() is not self._frames["requests"]:
            self._built["requests"].clear()

    def go_home(self) -> None:
        self.show_page("home")
        self.notice.clear()

    def show_village(self, code: str) -> None:
        self.village_code = code
        village = divisions.get_village(code)
        self.header.set_text(f"{village.town_name} · {village.name}" if village else code)
        self.show_page("payouts").show_village(code)

    def show_print(self, code: str, year: int, item_code: str | None = None) -> None:
        if self.settings.get("print_requires_pin") and not self.staff_unlocked():
            self.show_admin()
            self.notice.setText("打印公示单需要工作人员输入 PIN，验证后请重新点“打印公示”")
            return
        self.show_page("print").load(code, year, item_code)

    def show_verify(self, scanned: str | None = None) -> None:
        """核验公示单; with ``scanned`` (what a QR scanner typed), checked at once."""
        page = self.show_page("verify")
        page.town_code = self.home.town_code
        page.clear()
        if scanned:
            page.check(scanned)

    def _scanned(self, text: str) -> None:
        # A request receipt's QR opens 办理进度; anything else is a notice sheet to verify.
        if text.strip().upper().startswith("SQGK-RECEIPT:"):
            self.show_progress(text)
        else:
            self.show_verify(text)

    def show_progress(self, scanned: str | None = None) -> None:
        """办理进度; with ``scanned`` (a receipt's QR text), looked up at once."""
        page = self.show_page("progress")
        page.clear()
        if scanned:
            page.lookup(scanned)

    def show_requests(self) -> None:
        page = self.show_page("requests")
        page.village_code = self.village_code  # its suggestions name the village picked
        page.start()

    def show_admin(self) -> None:
        self.show_page("admin")

    def show_batch(self) -> None:
        if self.home.town_code is None:
            self.notice.setText("请先选择乡镇(街道)")
            return
        town = next(t for t in divisions.list_towns() if t.code == self.home.town_code)
        self.page("batch").prepare(town.code, town.name, payouts.latest_year() or 0)
        self.show_page("batch")

    def _tile(self, name: str) -> None:
        self.notice.clear()
        if name == "补贴公示" and self.village_code:
            self.show_village(self.village_code)
        elif name == "补贴公示":
            self.notice.setText("请在下方选择您所在的乡镇(街道)和村(社区)")
        elif name == "核验公示单":
            self.show_verify()
        elif name == "我要申请·咨询":
            self.show_requests()
        else:
            page = self.show_page({"政务公开目录": "catalogue", "政策咨询": "consult",
                                   "规范性文件": "policies"}[name])  # fmt: skip
            if name == "政策咨询":  # its contacts list shows the chosen town's offices
                page.town_code = self.home.town_code

    # -- modes ----------------------------------------------------------------------------

    def set_elderly(self, on: bool) -> None:
        """长辈模式 on or off, at once for what is on screen. The application's style sheet
        stays the normal one; the elderly sheet is set on the header and the page shown, and
        on any other page when it is next shown. Re-styling every built page (~360 widgets)
        took 0.6 s a tap here, 0.9-2.3 s on a terminal."""
        app = QApplication.instance()
        if not app.styleSheet():
            app.setStyleSheet(theme.stylesheet(theme.NORMAL))
        self._elderly_on = on
        if not self._constructed:
            return
        for part in (self.header, self.freshness, self.notice):
            self._match_mode(part)
        self._match_mode(self.pages.currentWidget())

    def _match_mode(self, widget: QWidget) -> None:
        """Give ``widget`` (and all inside it) the current mode's sheet, if it has not got it."""
        if widget.property("elderly") is not self._elderly_on:
            widget.setProperty("elderly", self._elderly_on)
            widget.setStyleSheet(self._elderly_sheet if self._elderly_on else "")

    def _prepare_speech(self) -> None:
        """Find the speech engine and its Mandarin voice, long after start-up: the 朗读
        button appears only if a voice was found. The daemon is first asked off the UI thread
        (a hung one froze the kiosk); listing its voices must happen on the UI thread, where
        QTextToSpeech lives (~50 ms once the daemon runs)."""
        run_task(lambda _task: speech.speechd_answers(), name="speech-check",
                 on_success=self._speech_checked)  # fmt: skip

    def _speech_checked(self, answers: bool) -> None:
        found = answers and self.speaker.prepare()
        self.read_aloud.setVisible(found)
        if not found:
            self.note_for_staff(self.speaker.unavailable_reason)

    def _read_toggled(self, on: bool) -> None:
        if not on:
            self.speaker.stop()
            return
        if not self.speaker.say(self.spoken_text()):
            self.read_aloud.setChecked(False)

    def spoken_text(self) -> str:
        """What 朗读 reads: what matters on the page shown now (its rows, the open answer or
        document, the print state), asked of the page at the moment of reading."""
        name = self.page_name()
        page = self._built[name]
        if name == "home":
            return f"{self.freshness.text()}。{self.home.prompt.text()}"
        if hasattr(page, "spoken_text"):
            return page.spoken_text()
        if name in ("catalogue", "consult", "policies"):
            return f"{page.title.text()}。{page.view.text()}"
        return self.place.text()

    def refresh_freshness(self, now: dt.datetime | None = None) -> None:
        now = now or dt.datetime.now()
        wrong_clock = clock.clock_problem(now)
        if wrong_clock:
            self.note_for_staff(wrong_clock)
            # The villager's word is short; staff find the dates among their notes.
            self.freshness.setText("本机日期时间不正确，请工作人员校准终端日期时间")
            self._warn(True)
            return
        state = status.feed_status()
        if state.data_as_of is None:
            self.freshness.setText("终端尚无数据，请工作人员同步县级数据")
            self._warn(True)
            return
        as_of = dt.datetime.fromisoformat(state.data_as_of)
        days = (now - as_of).days
        stale = days > int(self.settings.get("freshness_days"))
        text = f"数据更新于 {as_of:%Y-%m-%d %H:%M}"
        self.freshness.setText(text + (f"（已 {days} 天未更新，请联系工作人员）" if stale else ""))
        self._warn(stale)

    def _warn(self, on: bool) -> None:
        self.freshness.setObjectName("warning" if on else "")
        # The style sheet keys on the object name; a polished widget keeps its old look until
        # it is polished again. Nothing is polished while the window is being built (and
        # style() costs ~5 ms at start).
        if self._constructed:
            self.freshness.style().unpolish(self.freshness)
            self.freshness.style().polish(self.freshness)

    # -- idle timeout ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of every widget passes here (~1,000 a tap); the isinstance test is
        # cheap, event.type() builds a Python enum value.
        if isinstance(event, QInputEvent):
            kind = event.type()
            if kind in self._activity:
                self.idle.start()
                if "admin" in self._built:
                    self._built["admin"].touched()
            elif kind == QEvent.Type.ContextMenu:
                return True  # Qt's stock menus (Copy, Paste, Select All) are not for a kiosk
            # While 还在看吗？ shows, the touch that dismisses it (press to release) reaches
            # no widget: it must not also tap the button under the finger.
            if self._still_there is not None and self._still_there.swallows(kind):
                event.accept()  # an accepted touch is not turned into a mouse click either
                return True
            if isinstance(event, QKeyEvent) and kind == QEvent.Type.KeyPress:
                from PySide6.QtCore import Qt  # not at import: Qt's enums cost ~20 ms to set up

                enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                return self.scanner.key(event.text(), enter, time.monotonic())
        return False

    def _idle_timeout(self) -> None:
        """Nobody touched the kiosk for idle_timeout_s: ask 还在看吗？ before the reset, unless
        the reset would take nothing away (the home page as it starts)."""
        if self._at_start():
            self.reset()  # silently: it still refreshes the freshness line, hour after hour
            return
        self.still_there.start(self.idle_countdown_s)

    def _at_start(self) -> bool:
        """Whether the kiosk shows what a reset would show: the home page, no village, no
        town but the terminal's own, 长辈模式 and 朗读 off (typed input lives on the pages a
        village or a tile leads to, and leaving them for home is the villager's choice)."""
        town = self.settings.get("town_code")
        start_town = town if town in self.home.town_buttons else None
        return (self.pages.currentWidget() is self._frames["home"] and self.village_code is None
                and self.home.town_code == start_town and not self.elderly.isChecked()
                and not self.read_aloud.isChecked())  # fmt: skip

    @property
    def still_there(self):
        """The 还在看吗？ countdown over the window's content, built on first use."""
        if self._still_there is None:
            from kiosk.ui.idle import StillThere

            self._still_there = StillThere(self.centralWidget())
            self._still_there.cancelled.connect(self.idle.start)
            self._still_there.expired.connect(self.reset)
        return self._still_there

    # -- leaving the kiosk ------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Alt+F4, a window manager's close button, any close request: refused. Only
        退出程序 behind the staff PIN (quit_kiosk) ends the kiosk."""
        if self._quitting:
            event.accept()
            return
        _log.info("close request refused (only 退出程序 behind the staff PIN quits)")
        event.ignore()

    def quit_kiosk(self) -> None:
        self._quitting = True
        self.close()
        QApplication.quit()

    # -- faults and self-repair ---------------------------------------------------------------

    def note_for_staff(self, note: str) -> None:
        if note not in self.staff_notes:
            self.staff_notes.append(note)
        if "admin" in self._built:
            self._built["admin"].show_notes()

    def fault(self, exc: BaseException) -> None:
        """Something a page did failed (the traceback is logged): say so, and repair a
        damaged database."""
        if is_corruption(exc):
            self.begin_repair(str(exc))
        else:
            self.notice.setText(f"{as_known(exc).zh}。请返回首页重试。")

    def check_database(self) -> None:
        """SQLite's quick_check, off the UI thread; a damaged file is repaired."""
        if self.db_path is not None:
            db = self.db_path
            run_task(lambda _task: repair.check(db), name="quick-check",
                     on_success=lambda problem: problem and self.begin_repair(problem))  # fmt: skip

    def begin_repair(self, reason: str) -> None:
        if self._repairing or self.db_path is None:
            return
        self._repairing = True
        _log.error("database damaged (%s): repairing from the feed cache", reason)
        self.go_home()
        try:
            aside = repair.set_aside(self.db_path)
        except Exception as exc:
            _log.exception("could not set the damaged database aside")
            self._repairing = False
            self.notice.setText(f"数据库已损坏且无法自动修复：{as_known(exc).zh}")
            self.note_for_staff("数据库已损坏且无法自动修复，请联系技术支持")
            return
        self.rebuild(aside)

    def rebuild(self, aside: Path) -> None:
        """Fill the new, empty database from the feed cache, off the UI thread."""
        self._repairing = True
        self.notice.setText("数据库文件损坏，正在用县级数据自动修复，请稍候……")
        db = self.db_path
        run_task(lambda task: repair.rebuild(db, aside, task.progress), name="repair",
                 on_success=lambda done: self._repaired(aside, done.rows),
                 on_failure=lambda error: self._repair_failed(aside, error.zh),
                 on_done=self._repair_done)  # fmt: skip

    def _repaired(self, aside: Path, rows: int) -> None:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        self.note_for_staff(f"{stamp} 数据库损坏，已从本机县级数据缓存自动重建（{rows} 行），"
                            f"损坏的文件另存为 {aside.name}")  # fmt: skip
        self.notice.setText("数据已修复，可以继续查询")

    def _repair_failed(self, aside: Path, why: str) -> None:
        self.note_for_staff(f"数据库损坏，损坏的文件已另存为 {aside.name}，但未能自动重建：{why}")
        self.notice.setText("数据库已损坏，请工作人员同步县级数据")

    def _repair_done(self) -> None:
        self._repairing = False
        self._data_changed()

    def reset(self) -> None:
        """Back to the start: home page, every input and choice forgotten, dialogs closed."""
        while (modal := QApplication.activeModalWidget()) is not None:
            modal.close()
        self.speaker.stop()
        self.read_aloud.setChecked(False)
        self.elderly.setChecked(False)
        self.village_code = None
        self.header.set_text("莘情公开 · 莘县惠民惠农补贴公示")
        for page in self._built.values():
            if hasattr(page, "clear"):  # the print and batch pages hold nothing a villager typed
                page.clear()
        self._preselect_town()
        self.go_home()
        self.refresh_freshness()
        if self._still_there is not None:
            self._still_there.stop()
        self.idle.start()
