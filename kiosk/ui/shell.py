"""The kiosk window: the header, the pages (built on first visit) and the way between them,
长辈模式, faults and notes for staff, and the reset that returns home and forgets everything a
villager typed. It composes the parts with a job of their own: 朗读 (kiosk.ui.read_aloud),
the idle timeout and 还在看吗？ (kiosk.ui.idle_watch), the repair of a damaged database
(kiosk.ui.repair_flow), the freshness line (kiosk.ui.freshness) and the QR scanner
(kiosk.ui.scanner).

Only the home page is built before the first frame. The villager pages follow right after
it, and the rest (with the modules behind them: QtPdf, the notice printer, the sync client)
on their first visit, so the first frame waits for none of them.
"""

import datetime as dt
import importlib
import linecache
import sys
import time
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
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

from kiosk import config, heap, log
from kiosk.config import Settings
from kiosk.errors import as_known, is_corruption
from kiosk.services import divisions, preload
from kiosk.ui import theme, uptime
from kiosk.ui.freshness import FreshnessLine
from kiosk.ui.home import HomePage
from kiosk.ui.idle_watch import IdleWatch
from kiosk.ui.read_aloud import ReadAloud
from kiosk.ui.repair_flow import RepairFlow
from kiosk.ui.scanner import ScannerInput
from kiosk.ui.widgets import AdaptiveRow, Notice, PageFrame, kinetic

PAGES = ("home", "payouts", "print", "batch", "catalogue", "consult", "policies", "verify", "admin",
         "requests", "progress", "consultation", "screener")
# Built once the home page is up, a step per event-loop turn (kiosk.ui.shell._prebuild_step),
# so a villager's first tap does not wait for them (the print page's first visit froze the
# screen ~55 ms; the request page's, where a first comment is asked, ~60 ms): each page's
# modules imported one per turn (the heaviest first), the page made, put in the window, then
# its further parts built (finish_building), each in a turn of its own. The batch and staff
# pages, for staff only, wait for a visit.
PREBUILT = {"payouts": ("kiosk.ui.models", "kiosk.ui.payouts_page"),
            "catalogue": ("kiosk.ui.catalogue_page",), "consult": ("kiosk.ui.consult_page",),
            "policies": ("kiosk.ui.policies_page",),
            "print": ("kiosk.services.notices", "kiosk.ui.print_page"),
            "consultation": ("kiosk.ui.consultation_page",),
            "requests": ("kiosk.ui.receipt_view", "kiosk.ui.requests_page"),
            "screener": ("kiosk.services.screener", "kiosk.ui.screener_page")}  # fmt: skip
# What a villager opened, counted per month for the status report (kiosk.services.usage):
# the page shown -> its kind (kiosk.formats.status_report.USAGE_KINDS). The staff pages
# (admin, batch) count nothing, nor do the steps inside a service (print, verify, progress,
# requests): the rest is counted where it happens, a lookup's rows shown ("lookup"), a
# request or callback form started ("requests", "callbacks"), a verification answered
# ("verifications") here, a print handed to the printer in kiosk.ui.printing ("prints").
PAGE_USAGE = {"payouts": "payouts", "catalogue": "catalogue", "consult": "qa", "policies": "documents",
              "consultation": "consultations", "screener": "screener"}  # fmt: skip
REQUEST_USAGE = {"disclosure": "requests", "callback": "callbacks"}  # the request page's kinds
SPEECH_LOOKUP_AFTER_MS = 3000
RELEASE_AFTER_RESET_MS = 500
_log = log.get("kiosk.ui")


def _set_up_qt_enums() -> None:
    """PySide builds every ``Qt.*`` enum at the first touch of one (~15 ms): done on its own
    after the first frame, not inside whatever step touches one first."""
    from PySide6.QtCore import Qt

    Qt.AlignmentFlag.AlignLeft  # noqa: B018 - the touch is the point


class KioskWindow(QMainWindow):
    first_frame = Signal()  # the home page painted: what start-up can wait for may begin
    started = Signal()  # what start-up put off is done, the villager pages built

    def __init__(self, settings: Settings, db_path: Path | None = None):
        super().__init__()
        self.settings = settings
        self._constructed = self._painted = self._quitting = False
        self._elderly_on = False
        self._to_restyle: list[QWidget] = []  # hidden pages still in the other mode (set_elderly)
        self._elderly_sheet = theme.stylesheet(theme.ELDERLY)
        # What staff should know (ignored settings, a repaired database, a wrong clock); the
        # staff page shows them once unlocked.
        self.staff_notes: list[str] = list(settings.problems)
        # Style first: applying a style sheet to widgets that already exist re-polishes them all.
        self.set_elderly(False)
        self.setWindowTitle("莘情公开 · 莘县村务公开查询")
        self.place = QLabel("莘情公开 · 莘县惠民惠农补贴公示")
        self.place.setObjectName("heading")
        self.freshness = FreshnessLine(settings)
        self.freshness.clock_wrong.connect(self.note_for_staff)
        self.elderly = QPushButton("长辈模式")
        self.elderly.setCheckable(True)
        self.elderly.toggled.connect(self.set_elderly)
        self.reader = ReadAloud(self)
        self.reader.unavailable.connect(self.note_for_staff)
        self.read_aloud, self.speaker = self.reader.button, self.reader.speaker
        self.home_button = QPushButton("返回首页")
        self.home_button.clicked.connect(self.go_home)
        self.staff_button = QPushButton("工作人员")
        self.staff_button.clicked.connect(self.show_admin)
        for button in (self.elderly, self.read_aloud, self.home_button, self.staff_button):
            button.setAccessibleName(button.text())
        # The place and, under it, how fresh the data is: one block beside the buttons, so the
        # page below starts where the buttons end (a line of its own cost 1366x768 a row).
        place_block = QWidget()
        place_lines = QVBoxLayout(place_block)
        place_lines.setContentsMargins(0, 0, 0, 0)
        place_lines.setSpacing(0)
        place_lines.addWidget(self.place)
        place_lines.addWidget(self.freshness)
        self.header = AdaptiveRow(self.place, [self.elderly, self.read_aloud, self.staff_button,
                                               self.home_button], shown=place_block)  # fmt: skip

        self.db_path = db_path
        self.home = HomePage()
        self.home.village_chosen.connect(self.show_village)
        self.home.tile_chosen.connect(self._tile)
        self.pages = QStackedWidget()
        self.pages.currentChanged.connect(self._page_changed)
        self._unflushed = False  # usage counted since the last flush (kiosk.services.usage)
        self._built: dict[str, QWidget] = {}
        self._made: dict[str, QWidget] = {}  # prebuilt, not yet in the window (_prebuild)
        self.is_started = False  # whether ``started`` was emitted
        self.started.connect(lambda: setattr(self, "is_started", True))
        self._frames: dict[str, QScrollArea] = {}
        self._add_page("home", self.home)
        self.notice = Notice()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, stretch=1)
        self.setCentralWidget(central)

        self.autosync = None  # made after the first frame (kiosk.ui.autosync)
        self.stall_meter = None  # started by kiosk.app after the first frame: stalls to the log
        # A USB QR scanner types a sheet's URL wherever the kiosk is: 核验公示单 opens with it.
        self.scanner = ScannerInput(self)
        self.scanner.scanned.connect(self._scanned)
        self.idle_watch = IdleWatch(self, int(settings.get("idle_timeout_s")))
        # One timer, not a QTimer.singleShot per reset: each of those kept an object for good.
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.setInterval(RELEASE_AFTER_RESET_MS)
        self._release_timer.timeout.connect(self._release_memory)
        self.idle_watch.touched.connect(self._touched)
        self.idle = self.idle_watch.timer
        self.repair_flow = RepairFlow(db_path, self)
        self.repair_flow.begun.connect(self.go_home)
        self.repair_flow.said.connect(self.notice.setText)
        self.repair_flow.noted.connect(self.note_for_staff)
        self.repair_flow.finished.connect(self._data_changed)
        self.village_code: str | None = None
        self._preselect_town()
        self.refresh_freshness()
        self._constructed = True

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._finish_start)  # after this first frame is finished

    def _finish_start(self) -> None:
        """Set-up that can wait for the first frame, one step per turn of the event loop
        (together they froze the screen ~110 ms after it appeared: the scroller's and SVG's
        set-up ~20 ms each, the payouts page ~35, the background round's imports ~45). Touching
        PySide's enums costs: the first ``Qt.*`` enum builds all of them (~17 ms), so
        nothing before this point uses one."""
        # How long a terminal takes to come up is worth knowing in the field (and is what
        # the start-up benchmark reads).
        _log.info("home shown %.0f ms after process start", uptime.process_age_ms())
        self.idle_watch.arm()
        QApplication.instance().installEventFilter(self)
        self.first_frame.emit()
        self._one_per_turn([
            heap.keep_large_blocks_mapped,  # loads ctypes: ~3 ms, after the first frame
            _set_up_qt_enums,  # ~15 ms
            *(partial(preload.load, module) for module in preload.STORE),  # ~30 ms in all
            self.home.village_area.viewport,  # the first plain QWidget wrapped: ~10 ms
            lambda: kinetic(self.home.village_area, holds_buttons=True),
            self.home.show_icons,
            lambda: kinetic(self._frames["home"], holds_buttons=True),
            self.check_database,
            *(partial(preload.load, module) for module in preload.BACKGROUND_ROUND),
            self._count_consultations,  # after the formats it shares with sync are loaded
            self._start_autosync,
            self._started,
        ])  # fmt: skip

    def _one_per_turn(self, steps: list) -> None:
        """Each step in a turn of the event loop of its own: a touch between two is answered.
        A step that fails is logged and the next ones still run (the last turns on the
        collector and builds the pages)."""
        if steps:
            QTimer.singleShot(0, self, lambda: (self._guarded(steps[0], "start-up step"),
                                                self._one_per_turn(steps[1:])))  # fmt: skip

    def _guarded(self, step, what: str):
        """``step()``'s result, or None if it failed: work no villager asked for is logged
        when it fails, and a damaged database found on the way is repaired as if a
        villager's tap had found it."""
        try:
            return step()
        except Exception as exc:
            _log.exception("%s failed", what)
            if is_corruption(exc):
                self.fault(exc)
            return None

    def _start_autosync(self) -> None:
        # Imported here: the sync client and the envelope crypto are not needed for the
        # first frame.
        from kiosk.ui.autosync import AutoSync

        self.autosync = AutoSync(self.settings, self.db_path, self)
        self.autosync.data_changed.connect(self._data_changed)
        self.autosync.start()

    def _started(self) -> None:
        _log.info("start-up finished %.0f ms after process start", uptime.process_age_ms())
        if config.env("KIOSK_HOME_MARK"):  # started by the launcher, maybe on trial
            from kiosk.services import updates

            updates.mark_home_shown()
        self._prebuild(list(PREBUILT))
        QTimer.singleShot(SPEECH_LOOKUP_AFTER_MS, self, self.reader.prepare)

    def _prebuild(self, names: list[str]) -> None:
        if not names:
            _log.info("villager pages built %.0f ms after process start", uptime.process_age_ms())
            self.started.emit()
            return
        page_done = self._head_start(partial(self._prebuild_step, names[0]))
        if page_done is None:  # the rest are built when first visited
            self.started.emit()
            return
        if page_done and names[0] == "payouts":  # the likeliest first tap: warmed before the rest
            QTimer.singleShot(0, self, self._warm_first_tap)
        QTimer.singleShot(0, self, lambda: self._prebuild(names[1:] if page_done else names))

    def _prebuild_step(self, name: str) -> bool:
        """One turn's work towards page ``name`` (PREBUILT): import one of its modules, or
        make it, or put it in the window (styled), or build one more of its parts (a page's
        ``finish_building``: added once the page is in the window, each part is styled in its
        own turn). True once the page is whole."""
        missing = next((module for module in PREBUILT[name] if module not in sys.modules), None)
        if missing:
            importlib.import_module(missing)
            return False
        if name not in self._built:
            if name not in self._made:
                self._made[name] = getattr(self, f"_build_{name}")()
            else:
                self._put_in_window(name)
            return False
        page = self._built[name]
        if getattr(page, "building_finished", True):
            return True
        page.finish_building()
        return False

    def _warm_first_tap(self) -> None:
        """A village's list made once for no one, in two turns of the event loop (each well
        under a frozen frame): the first tap then costs what every later one does."""
        from kiosk.services import payouts  # loaded by the payouts page, built just before this

        village = self._head_start(payouts.warm_up)
        if village is not None:
            QTimer.singleShot(0, self, lambda: self._head_start(lambda: self._warm_payouts_page(village)))

    def _head_start(self, step):
        """One step of the work done before any villager asks (pages built, the first tap
        warmed); its result, or None if it failed or the kiosk is being repaired or ended."""
        if self.repair_flow.repairing or self._quitting:
            return None
        return self._guarded(step, "head start")

    def _warm_payouts_page(self, village: str) -> None:
        if self.page_name() == "payouts":  # a villager was quicker
            return
        page = self.page("payouts")
        page.show_village(village)
        page.clear()

    def _preselect_town(self) -> None:
        """A terminal set to its township opens with that town's villages shown."""
        town = self.settings.get("town_code")
        if town in self.home.town_buttons:
            self.home.choose_town(town)

    # -- pages, built on first visit --------------------------------------------------------

    def page(self, name: str) -> QWidget:
        """The page called ``name`` (one of PAGES), built and wired on first use."""
        self._put_in_window(name)
        page = self._built[name]
        while not getattr(page, "building_finished", True):
            page.finish_building()
        return page

    def _put_in_window(self, name: str) -> None:
        """Page ``name`` in the window (made now unless the head start made it), maybe with
        parts still to build (its ``finish_building``)."""
        if name not in self._built:
            made = self._made.pop(name, None)
            self._add_page(name, made if made is not None else getattr(self, f"_build_{name}")())
            # PySide6 reads the source of the modules a page imports (~13 MB kept by the end
            # of a day); only a traceback would want it again, and it reads it anew then.
            linecache.clearcache()

    def _add_page(self, name: str, page: QWidget) -> None:
        # Each page sits in a vertical scroll area: on a short screen or in 长辈模式 nothing
        # falls off the bottom of the screen, the page scrolls instead.
        frame = PageFrame(page)
        if self._painted:  # the home page's scroller waits for the first frame (_finish_start)
            kinetic(frame, holds_buttons=True)
        self.pages.addWidget(frame)
        self._built[name], self._frames[name] = page, frame

    def show_page(self, name: str, counted: bool = True) -> QWidget:
        """Show the page called ``name``; a villager's page opened from another counts as a
        view of its kind (PAGE_USAGE), unless not ``counted`` (a way back to it)."""
        page = self.page(name)
        if counted and name in PAGE_USAGE and self._frames[name] is not self.pages.currentWidget():
            self.count_use(PAGE_USAGE[name])
        self._match_mode(self._frames[name])
        self.pages.setCurrentWidget(self._frames[name])
        return page

    def count_use(self, kind: str) -> None:
        """One more use of ``kind`` this month, in memory (written at the next reset). A count
        never fails what the villager did: an unknown kind is logged (the tests keep the
        kinds named here known)."""
        from kiosk.services import usage  # not needed for the first frame

        try:
            usage.count(kind)
        except Exception:
            _log.exception("usage of %r not counted", kind)
            return
        self._unflushed = True

    def flush_usage(self):
        """Write the counts gathered so far, off the UI thread (the write may wait for a sync
        holding the database); returns its task (kiosk.ui.tasks)."""
        from kiosk.services import usage
        from kiosk.ui.tasks import run_task

        self._unflushed = False

        def failed(_error) -> None:  # logged by run_task; the counts wait for the next reset
            self._unflushed = True

        return run_task(lambda _task: usage.flush(), name="usage-flush", on_failure=failed)

    def _build_payouts(self) -> QWidget:
        from kiosk.ui.payouts_page import PayoutsPage

        page = PayoutsPage(settings=self.settings)
        page.print_requested.connect(self.show_print)
        page.looked_up.connect(lambda: self.count_use("lookup"))
        return page

    def _build_verify(self) -> QWidget:
        from kiosk.ui.verify_page import VerifyPage

        page = VerifyPage()
        page.reprint_requested.connect(self.show_print)
        page.verified.connect(lambda: self.count_use("verifications"))
        return page

    def _build_requests(self) -> QWidget:
        from kiosk.ui.requests_page import RequestsPage

        page = RequestsPage(settings=self.settings)
        page.home_requested.connect(self.go_home)
        page.progress_requested.connect(self.show_progress)
        page.comment_left.connect(lambda: self.show_page("consultation", counted=False).reopen())
        for kind, button in page.kind_buttons.items():  # a form started from its first step
            button.clicked.connect(lambda _=False, k=REQUEST_USAGE[kind]: self.count_use(k))
        return page

    def _build_consultation(self) -> QWidget:
        from kiosk.ui.consultation_page import ConsultationPage

        page = ConsultationPage()
        page.comment_requested.connect(self.show_comment)
        page.progress_requested.connect(lambda: self.show_progress())
        return page

    def _build_screener(self) -> QWidget:
        from kiosk.ui.screener_page import ScreenerPage

        page = ScreenerPage(settings=self.settings)
        page.callback_requested.connect(self.show_callback)
        return page

    def _build_progress(self) -> QWidget:
        from kiosk.ui.progress_page import ProgressPage

        return ProgressPage()

    def _build_print(self) -> QWidget:
        from kiosk.ui.print_page import PrintPage

        page = PrintPage(settings=self.settings)
        page.back_requested.connect(lambda: self.show_page("payouts", counted=False))
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
        """A sync or a repair replaced data: towns, freshness and open drafts follow."""
        self.home.reload_towns()
        self.refresh_freshness()
        self._count_consultations()

    def _count_consultations(self) -> None:
        from kiosk.services import consultations  # after the first frame

        self.home.show_consultations(consultations.open_count())

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

    def show_comment(self, draft, article: int, clause: int | None) -> None:
        """A comment on one article of an open draft, asked on the request page."""
        self.show_page("requests").start_comment(draft, article, clause)

    def show_callback(self, topic: str) -> None:
        """咨询·预约回电 about ``topic`` (a policy 政策找人 could not decide)."""
        self.count_use("callbacks")
        self.show_page("requests").start_callback(topic)

    def show_screener(self) -> QWidget:
        page = self.show_page("screener")
        town = self.home.town_code or self.settings.get("town_code")
        page.place = next((f"莘县{t.name}" for t in divisions.list_towns() if t.code == town), "")
        page.show_intro()
        return page

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
        from kiosk.services import payouts

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
        elif name == "意见征集":
            self.show_page("consultation").show_list()
        elif name == "政策找人":
            self.show_screener()
        else:
            page = self.show_page({"政务公开目录": "catalogue", "政策咨询": "consult",
                                   "规范性文件": "policies"}[name])  # fmt: skip
            if name == "政策咨询":  # its contacts list shows the chosen town's offices
                page.town_code = self.home.town_code

    # -- modes ----------------------------------------------------------------------------

    def set_elderly(self, on: bool) -> None:
        """长辈模式 on or off, at once for what is on screen. The application's style sheet
        stays the normal one; the elderly sheet is set on the header and the page shown, then
        on the other pages one per turn of the event loop while the villager reads (each
        ~15-40 ms; restyled on the tap that opened it, a page took that long to appear), and
        on any page not yet restyled when it is shown. Re-styling every built page (~360
        widgets) at once took 0.6 s a tap here, 0.9-2.3 s on a terminal."""
        app = QApplication.instance()
        if not app.styleSheet():
            app.setStyleSheet(theme.stylesheet(theme.NORMAL))
        self._elderly_on = on
        if not self._constructed:
            return
        for part in (self.header, self.freshness, self.notice):
            self._match_mode(part)
        shown = self.pages.currentWidget()
        self._match_mode(shown)
        restyling = bool(self._to_restyle)
        self._to_restyle = [frame for frame in self._frames.values() if frame is not shown]
        if not restyling:
            QTimer.singleShot(0, self, self._restyle_next)

    def _restyle_next(self) -> None:
        """One more hidden page in the current mode (set_elderly), the next in a turn to come."""
        if self._to_restyle:
            self._match_mode(self._to_restyle.pop(0))
        if self._to_restyle:
            QTimer.singleShot(0, self, self._restyle_next)

    def _match_mode(self, widget: QWidget) -> None:
        """Give ``widget`` (and all inside it) the current mode's sheet, if it has not got it."""
        if widget.property("elderly") is not self._elderly_on:
            widget.setProperty("elderly", self._elderly_on)
            widget.setStyleSheet(self._elderly_sheet if self._elderly_on else "")

    def spoken_text(self) -> str:
        """What 朗读 would read now (kiosk.ui.read_aloud)."""
        return self.reader.spoken_text()

    def refresh_freshness(self, now: dt.datetime | None = None) -> None:
        """The freshness line as of ``now`` (kiosk.ui.freshness)."""
        self.freshness.refresh(now, polish=self._constructed)

    # -- input ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of every widget passes here (~1,000 a tap); the isinstance test is
        # cheap, event.type() builds a Python enum value.
        if isinstance(event, QInputEvent):
            kind = event.type()
            if self.idle_watch.input(kind):  # the touch that dismisses 还在看吗？
                event.accept()  # an accepted touch is not turned into a mouse click either
                return True
            if kind == QEvent.Type.ContextMenu:
                return True  # Qt's stock menus (Copy, Paste, Select All) are not for a kiosk
            if isinstance(event, QKeyEvent) and kind == QEvent.Type.KeyPress:
                from PySide6.QtCore import Qt  # not at import: Qt's enums cost ~20 ms to set up

                enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                return self.scanner.key(event.text(), enter, time.monotonic())
        return False

    def _touched(self) -> None:
        """Someone is at the kiosk: an unlocked staff page stays unlocked for longer."""
        if "admin" in self._built:
            self._built["admin"].touched()

    # -- leaving the kiosk ------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Alt+F4, a window manager's close button, any close request: refused. Only
        退出程序 behind the staff PIN (quit_kiosk) ends the kiosk."""
        if self._quitting:
            event.accept()
            return
        _log.info("close request refused (only 退出程序 behind the staff PIN quits)")
        event.ignore()

    def end(self) -> None:
        """The window's last act: background work it would still start (the next sync, a
        head start) is called off, and it closes."""
        self._quitting = True
        if self.autosync is not None:
            self.autosync.stop()
        self.speaker.close()
        self.close()

    @property
    def is_ending(self) -> bool:
        """Whether ``end()`` was called: the kiosk is on its way out."""
        return self._quitting

    def quiet_moment(self) -> None:
        """Nobody has used the kiosk for the idle timeout and it shows its start: a program
        version waiting for such a moment takes over now (the launcher starts it)."""
        if not config.env("KIOSK_APP_ROOT") or (self.autosync is not None and self.autosync.running):
            return  # not under the launcher; or a sync or download is under way: the next moment
        from kiosk.services import updates

        switched = self._guarded(lambda: updates.switch_if_due(self.settings), "version switch")
        if switched:
            _log.info("quitting for version %s", switched)
            self.end()
            QApplication.exit(updates.RESTART)

    def quit_kiosk(self) -> None:
        self.end()
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
            self.repair_flow.begin(str(exc))
        else:
            self.notice.setText(f"{as_known(exc).zh}。请返回首页重试。")

    def check_database(self) -> None:
        """SQLite's quick_check after start-up, off the UI thread (kiosk.ui.repair_flow)."""
        self.repair_flow.check()

    def reset(self) -> None:
        """Back to the start: home page, every input and choice forgotten, dialogs closed;
        what was counted meanwhile written (a print counts on a page a reset leaves)."""
        used = self._unflushed or (self._painted and not self.idle_watch.at_start())
        while (modal := QApplication.activeModalWidget()) is not None:
            modal.close()
        self.reader.stop()
        self.elderly.setChecked(False)
        self.village_code = None
        self.header.set_text("莘情公开 · 莘县惠民惠农补贴公示")
        for page in self._built.values():
            if hasattr(page, "clear"):  # the print and batch pages hold nothing a villager typed
                page.clear()
        self._preselect_town()
        self.go_home()
        self.refresh_freshness()
        if self._painted:  # a new day may have opened or closed a consultation
            self._guarded(self._count_consultations, "consultations count")
        self.idle_watch.restart()
        if used:
            self.flush_usage()
        self._release_timer.start()

    def _release_memory(self) -> None:
        """What the villager's visit freed goes back to the system once the reset has painted
        (kiosk.heap); a villager who has tapped since is not made to wait for it."""
        if self.idle_watch.at_start():
            _log.debug("freed memory released in %.1f ms", heap.release_free_memory())
