"""管理 (staff): PIN on the keypad, then sync now with progress, the event log, notes for
staff, how villagers' requests stand, the terminal's own status report, and exit. The sync,
the request delivery and the report run on worker threads (kiosk.services.sync,
kiosk.services.requests, kiosk.services.health).

The page locks itself when left or untouched, and composes the parts with a job of their
own: 终端设置 (kiosk.ui.admin_settings), a USB stick offered for sync and export while the
page is unlocked (kiosk.ui.stick_offer), and the requests exported onto a stick
(kiosk.ui.request_export)."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.services import admin, health, push, requests, sync, updates
from kiosk.ui.admin_settings import SettingsPanel
from kiosk.ui.browse import ListDetail, detail_html
from kiosk.ui.keypad import Keypad
from kiosk.ui.request_export import RequestExport
from kiosk.ui.stick_offer import StickOffer
from kiosk.ui.tasks import Task, run_held, run_task
from kiosk.ui.widgets import CurrentPageStack, FlowGrid, Notice, kinetic

# An unlocked staff page left untouched this long locks itself: the next person at the
# screen may be a villager.
LOCK_AFTER_MS = 60_000


class AdminPage(QWidget):
    """Emits ``data_changed`` after a successful sync (the header's freshness follows)."""

    data_changed = Signal()
    quit_requested = Signal()

    def __init__(self, settings: Settings, db_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings, self.db_path = settings, db_path
        self.sync_task: Task | None = None
        self.status_task: Task | None = None
        self.lock_timer = QTimer(self)
        self.lock_timer.setSingleShot(True)
        self.lock_timer.setInterval(LOCK_AFTER_MS)
        self.lock_timer.timeout.connect(self.lock)
        # Notes for staff: settings that were ignored, a database that was repaired, a clock
        # that is wrong. The shell adds to them.
        self.notes: list[str] = list(settings.problems)
        # The shell tells us which town the home page has chosen (for the town setting) and
        # how its last scheduled sync went.
        self.current_town: Callable[[], str | None] = lambda: None
        self.auto_report: Callable[[], str] = lambda: ""
        # PIN stage
        self.pin = QLineEdit()
        self.pin.setReadOnly(True)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("管理 PIN")
        self.pin_message = QLabel("请输入工作人员 PIN")
        pad = Keypad(digits_only=True)
        pad.typed.connect(lambda c: self.pin.setText((self.pin.text() + c)[:12]))
        pad.erased.connect(lambda: self.pin.setText(self.pin.text()[:-1]))
        pad.cleared.connect(self.pin.clear)
        self.enter = QPushButton("确定")
        self.enter.setAccessibleName("确定")
        self.enter.clicked.connect(self.try_pin)
        self.pad = pad
        pin_page = QWidget()
        pin_layout = QVBoxLayout(pin_page)
        for widget in (self.pin_message, self.pin, pad, self.enter):
            pin_layout.addWidget(widget)
        pin_layout.addStretch(1)
        # admin stage
        self.sync_button = QPushButton("立即同步")
        self.cancel_button = QPushButton("取消同步")
        self.log_button = QPushButton("同步与打印记录")
        self.settings_button = QPushButton("终端设置")
        self.exit_button = QPushButton("退出程序")
        self.batch_button = QPushButton("批量打印本镇")
        self.export_button = QPushButton("导出申请到U盘")
        self.status_button = QPushButton("本机状态报告")
        for button in (self.sync_button, self.cancel_button, self.log_button,
                       self.settings_button, self.batch_button, self.export_button,
                       self.status_button, self.exit_button):  # fmt: skip
            button.setAccessibleName(button.text())
        self.cancel_button.setEnabled(False)
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button.clicked.connect(lambda: self.sync_task and self.sync_task.cancel())
        self.log_button.clicked.connect(self.show_log)
        self.settings_button.clicked.connect(self.show_settings)
        self.status_button.clicked.connect(self.show_status)
        self.exit_button.clicked.connect(self.quit_requested)
        # The bar while a sync runs, the message while it has something to say: the room
        # left is the log's or the report's.
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = Notice()
        self.notes_label = QLabel("")
        self.notes_label.setObjectName("warning")
        self.notes_label.setWordWrap(True)
        self.view = ListDetail()
        # 本机状态报告: what the terminal would tell the county about itself, as label and
        # value rows that wrap and scroll inside the page (kiosk.services.health).
        self.status_view = QTextBrowser()
        self.status_view.setAccessibleName("本机状态报告")
        kinetic(self.status_view)
        self.status_view.setVisible(False)
        self.request_export = RequestExport(self)
        self.request_export.said.connect(self.message.setText)
        self.request_export.exported.connect(self.show_outbox)
        self.export_button.clicked.connect(self.request_export.pick)
        # The shell's current_town may be replaced after the page is built: asked at use.
        self.settings_panel = SettingsPanel(settings, lambda: self.current_town())
        self.settings_panel.said.connect(self.message.setText)
        self.settings_panel.setVisible(False)
        self.outbox_label = QLabel("")
        self.outbox_label.setWordWrap(True)
        # A stick inserted while the page is open: both things staff carry it for, at once.
        self.usb_offer = StickOffer()
        self.usb_offer.said.connect(self.message.setText)
        self.usb_offer.sync_wanted.connect(self._sync_from_stick)
        self.usb_offer.export_wanted.connect(self.request_export.export)
        # As many to a row as fit, up to four: two rows on a landscape screen leave a 768 px
        # one room for the log or the report below them.
        actions = QWidget()
        grid = FlowGrid(actions, max_columns=4, balanced=True)
        for button in (self.sync_button, self.cancel_button, self.log_button, self.settings_button,
                       self.batch_button, self.export_button, self.status_button,
                       self.exit_button):  # fmt: skip
            grid.addWidget(button)
        admin_page = QWidget()
        admin_layout = QVBoxLayout(admin_page)
        admin_layout.addWidget(self.notes_label)
        admin_layout.addWidget(self.usb_offer)
        admin_layout.addWidget(actions)
        admin_layout.addWidget(self.progress)
        admin_layout.addWidget(self.message)
        admin_layout.addWidget(self.outbox_label)
        admin_layout.addWidget(self.settings_panel)
        admin_layout.addWidget(self.settings_panel.source_chooser)
        admin_layout.addWidget(self.request_export.chooser)
        admin_layout.addWidget(self.view, stretch=1)
        admin_layout.addWidget(self.status_view, stretch=1)
        self.stack = CurrentPageStack()  # sized by the stage shown: the PIN pad is taller
        self.stack.addWidget(pin_page)
        self.stack.addWidget(admin_page)
        title = QLabel("工作人员管理")
        title.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.stack, stretch=1)

    @property
    def unlocked(self) -> bool:
        return self.stack.currentIndex() == 1

    def try_pin(self) -> None:
        check = admin.check_pin(self.pin.text())
        self.pin.clear()
        if check.ok:
            self.stack.setCurrentIndex(1)
            self.message.setText("")
            self.show_notes()
            self.show_outbox()
            self.lock_timer.start()
            self.usb_offer.start()  # sticks already in when the page opens are offered too, once
        else:
            self.pin_message.setText(check.message)

    def touched(self) -> None:
        """A touch anywhere while this page is open postpones its lock."""
        if self.unlocked:
            self.lock_timer.start()

    def add_note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)
        self.show_notes()

    def show_notes(self) -> None:
        self.notes_label.setText("\n".join(f"⚠ {n}" for n in self.notes))
        self.notes_label.setVisible(bool(self.notes))

    def start_sync(self) -> None:
        source, root = self.settings.get("feed_source"), self.settings.get("trusted_root")
        if not source or not root or self.db_path is None:
            self.message.setText("尚未配置县级数据源或受信任的根证书（见终端设置）")
            return
        if self.sync_task is not None and self.sync_task.is_running():
            return
        db = self.db_path
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.message.setText("正在同步……")
        self.sync_task = run_task(
            lambda task: sync.sync(source, db, Path(root), progress=task.progress,
                                   cancelled=task.cancelled),
            name="sync", on_success=self._synced, on_progress=self._progress,
            on_failure=lambda error: self.message.setText(error.zh), on_done=self._sync_done,
        )  # fmt: skip

    def _progress(self, phase: str, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.message.setText(f"{phase}：{done}/{total}")

    def _synced(self, result: sync.SyncResult) -> None:
        self.message.setText("已是最新数据" if result.up_to_date else
                             f"同步完成：更新 {result.changed} 个分区，{result.rows} 行，"
                             f"版本 {result.version}")  # fmt: skip
        self.data_changed.emit()
        self.show_outbox()
        url = self.settings.get("outbox_url")
        if url:  # after each sync, what villagers asked goes to the county
            run_task(lambda _task: push.push_to_url(url), name="outbox-push", on_success=self._pushed,
                     on_failure=lambda e: self.outbox_label.setText(e.zh))  # fmt: skip
        if updates.status(self.settings).managed:  # and a new program version, if the feed has one
            source, root = self.settings.get("feed_source"), Path(self.settings.get("trusted_root"))
            db, settings = self.db_path, self.settings
            run_task(lambda task: updates.check(source, db, root, settings, task.cancelled),
                     name="update-check", on_success=self.message.setText,
                     on_failure=lambda e: self.message.setText(f"程序更新未完成：{e.zh}"))  # fmt: skip

    def _pushed(self, report) -> None:
        self.show_outbox(f"上传申请：送出 {report.sent} 件，仍在排队 {report.waiting} 件。")

    def show_outbox(self, prefix: str = "") -> None:
        """How many requests wait, were sent, and were acknowledged by the county."""
        try:
            state = requests.outbox_status()
        except (KnownError, OSError) as exc:
            self.outbox_label.setText(f"{prefix}群众申请：无法读取待送达队列（{exc}）")
            return
        notes = [n for n in (requests.county_key_problem(), self.auto_report()) if n]
        self.outbox_label.setText(f"{prefix}群众申请：待送达 {state.waiting} 件，已送出待县里确认 "
                                  f"{state.sent} 件，县里已确认收到 {state.acknowledged} 件"
                                  + "".join(f"\n{n}" for n in notes))  # fmt: skip

    def _sync_from_stick(self, feed: Path) -> None:
        """从U盘同步: the offered stick's feed becomes the source, and the sync starts."""
        self.settings_panel.set_source(str(feed))
        self.start_sync()

    def _sync_done(self) -> None:
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)

    def show_log(self) -> None:
        self.settings_panel.setVisible(False)
        self._hide_status()
        events = admin.recent_events()
        self.view.show_items([
            (f"{e.at}  {e.kind}  {e.summary[:60]}",
             detail_html(f"{e.kind} · {e.at}", [("操作者", e.actor), ("内容", e.summary)]))
            for e in events
        ], empty="暂无记录")  # fmt: skip

    def show_settings(self) -> None:
        self._hide_status()
        self.settings_panel.refresh()
        self.view.show_items([], empty="")
        self.settings_panel.setVisible(True)

    def show_status(self) -> None:
        """本机状态报告: the report built off the UI thread (it settles the print jobs with
        CUPS and updates the faults), then shown as label and value rows."""
        if self.status_task is not None:
            return
        self.settings_panel.setVisible(False)
        self.status_button.setEnabled(False)
        self.message.setText("正在生成本机状态报告……")

        def shown(lines: list[tuple[str, str]]) -> None:
            self.message.setText("")
            self.status_view.setHtml(detail_html("本机状态报告", lines))
            self.view.setVisible(False)
            self.status_view.setVisible(True)

        # Another view or a lock meanwhile forgets the report asked for (run_held).
        run_held(self, "status_task", lambda _task: health.report_lines(health.build_report("http")),
                 name="status-report", on_success=shown,
                 on_failure=lambda error: self.message.setText(f"无法生成本机状态报告：{error.zh}"),
                 on_done=lambda: self.status_button.setEnabled(True))  # fmt: skip

    def _hide_status(self) -> None:
        """The report put away (another view chosen, the page locked): forgotten, not kept,
        and one still being built not shown when it comes."""
        self.status_task = None
        self.status_button.setEnabled(True)
        self.status_view.setVisible(False)
        self.status_view.clear()
        self.view.setVisible(True)

    def lock(self) -> None:
        """Lock again (idle timeout, leaving the page, a minute untouched); a status report
        shown or being built is forgotten."""
        self.lock_timer.stop()
        self._hide_status()
        self.usb_offer.stop()
        self.request_export.chooser.setVisible(False)
        self.pin.clear()
        self.pin_message.setText("请输入工作人员 PIN")
        self.settings_panel.setVisible(False)
        self.settings_panel.source_chooser.setVisible(False)
        self.stack.setCurrentIndex(0)

    def clear(self) -> None:
        """The idle reset: lock."""
        self.lock()

