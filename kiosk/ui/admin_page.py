"""管理 (staff): PIN on the keypad, then sync now with progress, the event log, terminal
settings, villagers' requests to carry to the county, and exit. The sync and the request
delivery run on worker threads (kiosk.services.sync, kiosk.services.requests).

While the page is unlocked it watches for a USB stick: when one appears it offers at once
从U盘同步 (if the stick holds a feed) and 导出申请到U盘."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.services import admin, requests, sync
from kiosk.ui.browse import ListDetail, detail_html
from kiosk.ui.drives import DriveChooser, removable_drives
from kiosk.ui.keypad import Keypad
from kiosk.ui.tasks import Task, run_task

# An unlocked staff page left untouched this long locks itself: the next person at the
# screen may be a villager.
LOCK_AFTER_MS = 60_000
USB_POLL_MS = 2_000  # how often an unlocked page looks for a newly inserted stick


class AdminPage(QWidget):
    """Emits ``data_changed`` after a successful sync (the header's freshness follows)."""

    data_changed = Signal()
    quit_requested = Signal()

    def __init__(self, settings: Settings, db_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings, self.db_path = settings, db_path
        self.sync_task: Task | None = None
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
        for button in (self.sync_button, self.cancel_button, self.log_button,
                       self.settings_button, self.batch_button, self.export_button,
                       self.exit_button):  # fmt: skip
            button.setAccessibleName(button.text())
        self.cancel_button.setEnabled(False)
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button.clicked.connect(lambda: self.sync_task and self.sync_task.cancel())
        self.log_button.clicked.connect(self.show_log)
        self.settings_button.clicked.connect(self.show_settings)
        self.export_button.clicked.connect(self._pick_export_drive)
        self.exit_button.clicked.connect(self.quit_requested)
        self.progress = QProgressBar()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.notes_label = QLabel("")
        self.notes_label.setObjectName("warning")
        self.notes_label.setWordWrap(True)
        self.view = ListDetail()
        self.settings_panel = self._settings_panel()
        self.settings_panel.setVisible(False)
        # No file dialog, even for staff: the feed is found on a stick they pick.
        self.source_chooser = DriveChooser("请选择存有县级数据源的U盘", writable=False)
        self.source_chooser.chosen.connect(self._source_on_drive)
        self.source_chooser.cancelled.connect(lambda: self.source_chooser.setVisible(False))
        self.source_chooser.setVisible(False)
        self.export_chooser = DriveChooser("请选择要导出申请的U盘", writable=True)
        self.export_chooser.chosen.connect(self.export_requests)
        self.export_chooser.cancelled.connect(lambda: self.export_chooser.setVisible(False))
        self.export_chooser.setVisible(False)
        self.outbox_label = QLabel("")
        self.outbox_label.setWordWrap(True)
        # A stick inserted while the page is open: both things staff carry it for, at once.
        self.usb_offer = QWidget()
        offer_row = QGridLayout(self.usb_offer)
        offer_row.setContentsMargins(0, 0, 0, 0)
        self.usb_offer_label = QLabel("")
        self.usb_offer_label.setWordWrap(True)
        self.usb_sync_button = QPushButton("从U盘同步")
        self.usb_export_button = QPushButton("导出申请到U盘")
        for button in (self.usb_sync_button, self.usb_export_button):
            button.setAccessibleName(button.text())
        self.usb_sync_button.clicked.connect(self._sync_from_offered)
        self.usb_export_button.clicked.connect(lambda: self._offered and self.export_requests(self._offered))
        offer_row.addWidget(self.usb_offer_label, 0, 0, 1, 2)
        offer_row.addWidget(self.usb_sync_button, 1, 0)
        offer_row.addWidget(self.usb_export_button, 1, 1)
        self.usb_offer.setVisible(False)
        self._offered: Path | None = None
        self._known_drives: set[Path] = set()
        self.usb_timer = QTimer(self)
        self.usb_timer.setInterval(USB_POLL_MS)
        self.usb_timer.timeout.connect(self._look_for_stick)
        self.export_task: Task | None = None
        # Rows of three: six in a row do not fit a 1080-pixel-wide portrait screen.
        actions = QGridLayout()
        for index, button in enumerate((self.sync_button, self.cancel_button, self.log_button,
                                        self.settings_button, self.batch_button,
                                        self.export_button, self.exit_button)):  # fmt: skip
            actions.addWidget(button, index // 3, index % 3)
        admin_page = QWidget()
        admin_layout = QVBoxLayout(admin_page)
        admin_layout.addWidget(self.notes_label)
        admin_layout.addWidget(self.usb_offer)
        admin_layout.addLayout(actions)
        admin_layout.addWidget(self.progress)
        admin_layout.addWidget(self.message)
        admin_layout.addWidget(self.outbox_label)
        admin_layout.addWidget(self.settings_panel)
        admin_layout.addWidget(self.source_chooser)
        admin_layout.addWidget(self.export_chooser)
        admin_layout.addWidget(self.view, stretch=1)
        self.stack = QStackedWidget()
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
            # Sticks already in when the page opens are offered too, once.
            self._known_drives = set()
            self._look_for_stick()
            self.usb_timer.start()
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
            run_task(lambda _task: requests.push_to_url(url), name="outbox-push", on_success=self._pushed,
                     on_failure=lambda e: self.outbox_label.setText(e.zh))  # fmt: skip

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

    # -- a USB stick ------------------------------------------------------------------------

    def _pick_export_drive(self) -> None:
        self.export_chooser.setVisible(True)
        self.export_chooser.refresh()

    def export_requests(self, root: Path) -> None:
        """Copy the requests waiting for the county onto the stick (``<stick>/inbox/``)."""
        self.export_chooser.setVisible(False)
        if self.export_task is not None and self.export_task.is_running():
            return
        self.message.setText(f"正在导出申请到 {root}……")
        self.export_task = run_task(lambda _task: requests.export_to_folder(root), name="outbox-usb",
                                    on_success=lambda r: self._exported(root, r),
                                    on_failure=lambda e: self.message.setText(e.zh))  # fmt: skip

    def _exported(self, root: Path, report) -> None:
        if report.failed:
            self.message.setText(f"导出未完成：已导出 {report.sent} 件，{report.waiting} 件仍在本机排队"
                                 "（U盘被拔出或已满？），请重试")  # fmt: skip
        else:
            self.message.setText(f"已导出 {report.sent} 件申请到 {root / 'inbox'}，请交县里受理")
        self.show_outbox()

    def _look_for_stick(self) -> None:
        """Offer what a newly inserted stick is for; forget sticks that went away."""
        if not self.unlocked:
            return
        drives = {d.path for d in removable_drives(writable=False)}
        new = sorted(drives - self._known_drives)
        self._known_drives = drives
        if self._offered is not None and self._offered not in drives:
            self._offered = None
            self.usb_offer.setVisible(False)
        if not new:
            return
        self._offered = new[0]
        try:
            feed = _feed_on(self._offered)
        except OSError:  # unreadable (still mounting?): offer the export, not the sync
            feed = None
        self.usb_sync_button.setVisible(feed is not None)
        self.usb_offer_label.setText(f"检测到U盘 {self._offered}" + ("，其中有县级数据源" if feed else ""))
        self.usb_offer.setVisible(True)

    def _sync_from_offered(self) -> None:
        try:
            feed = _feed_on(self._offered) if self._offered else None
        except OSError as exc:
            self.message.setText(f"无法读取U盘 {self._offered}（{exc.strerror}）")
            return
        if feed is None:
            return
        self.set_source(str(feed))
        self.start_sync()

    def _sync_done(self) -> None:
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def show_log(self) -> None:
        self.settings_panel.setVisible(False)
        events = admin.recent_events()
        self.view.show_items([
            (f"{e.at}  {e.kind}  {e.summary[:60]}",
             detail_html(f"{e.kind} · {e.at}", [("操作者", e.actor), ("内容", e.summary)]))
            for e in events
        ], empty="暂无记录")  # fmt: skip

    def _settings_panel(self) -> QWidget:
        panel = QWidget()
        grid = QGridLayout(panel)
        self.setting_labels: dict[str, QLabel] = {}
        for row, (key, label, step) in enumerate((("idle_timeout_s", "无操作返回首页（秒）", 30),
                                                  ("freshness_days", "数据过期提醒（天）", 1))):  # fmt: skip
            value = QLabel("")
            minus, plus = QPushButton("－"), QPushButton("＋")
            minus.setAccessibleName(f"减少{label}")
            plus.setAccessibleName(f"增加{label}")
            minus.clicked.connect(lambda _=False, k=key, s=step: self._bump(k, -s))
            plus.clicked.connect(lambda _=False, k=key, s=step: self._bump(k, s))
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(minus, row, 1)
            grid.addWidget(value, row, 2)
            grid.addWidget(plus, row, 3)
            self.setting_labels[key] = value
        self.town_label = QLabel("")
        set_town = QPushButton("设为首页当前选择的乡镇")
        set_town.setAccessibleName("设为首页当前选择的乡镇")
        set_town.clicked.connect(self._set_town)
        grid.addWidget(self.town_label, 2, 0, 1, 2)
        grid.addWidget(set_town, 2, 2, 1, 2)
        self.source_label = QLabel("")
        self.source_label.setWordWrap(True)
        self.pick_source_button = QPushButton("从U盘选择数据源")
        self.pick_source_button.setAccessibleName("从U盘选择数据源")
        self.pick_source_button.clicked.connect(self._pick_source)
        grid.addWidget(self.source_label, 3, 0, 1, 2)
        grid.addWidget(self.pick_source_button, 3, 2, 1, 2)
        return panel

    def _set_town(self) -> None:
        town = self.current_town()
        if town is None:
            self.message.setText("请先在首页选择乡镇(街道)")
            return
        self._set("town_code", town)

    def _pick_source(self) -> None:
        self.source_chooser.setVisible(True)
        self.source_chooser.refresh()

    def _source_on_drive(self, root: Path) -> None:
        """The feed folder on the chosen stick: its root or a folder just inside it."""
        self.source_chooser.setVisible(False)
        try:
            feed = _feed_on(root)
        except OSError as exc:
            self.message.setText(f"无法读取U盘 {root}（{exc.strerror}）")
            return
        if feed is None:
            self.message.setText(f"U盘 {root} 上没有找到县级数据源（含 metadata 的文件夹）")
            return
        self.set_source(str(feed))
        self.message.setText(f"已选择数据源：{feed}")

    def set_source(self, folder: str) -> None:
        if not (Path(folder) / "metadata" / "timestamp.json").exists():
            self.message.setText(f"{folder} 不是县级数据源文件夹（缺少 metadata）")
            return
        self._set("feed_source", folder)

    def _bump(self, key: str, step: int) -> None:
        self._set(key, int(self.settings.get(key)) + step)

    def _set(self, key: str, value: object) -> None:
        try:
            self.settings.set(key, value)
        except KnownError as exc:
            self.message.setText(exc.zh)
        except ValueError as exc:  # config.BadValue: out of range
            self.message.setText(f"不能设为该值：{exc}")
        except OSError as exc:
            self.message.setText(f"设置无法保存（{exc.strerror}），请检查数据文件夹是否可写")
        self._refresh_settings()

    def _refresh_settings(self) -> None:
        for key, label in self.setting_labels.items():
            label.setText(str(self.settings.get(key)))
        self.source_label.setText(f"县级数据源：{self.settings.get('feed_source') or '未配置'}")
        self.town_label.setText(f"本终端乡镇：{self.settings.get('town_code') or '全县'}")

    def show_settings(self) -> None:
        self._refresh_settings()
        self.view.show_items([], empty="")
        self.settings_panel.setVisible(True)

    def lock(self) -> None:
        """Lock again (idle timeout, leaving the page, a minute untouched)."""
        self.lock_timer.stop()
        self.usb_timer.stop()
        self.usb_offer.setVisible(False)
        self._offered = None
        self.source_chooser.setVisible(False)
        self.export_chooser.setVisible(False)
        self.pin.clear()
        self.pin_message.setText("请输入工作人员 PIN")
        self.settings_panel.setVisible(False)
        self.stack.setCurrentIndex(0)

    def clear(self) -> None:
        """The idle reset: lock."""
        self.lock()


def _feed_on(root: Path) -> Path | None:
    """The county feed folder on a stick: its root or a folder just inside it.

    Raises:
        OSError: the stick cannot be read.
    """
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    return next((c for c in candidates if (c / "metadata" / "timestamp.json").is_file()), None)
