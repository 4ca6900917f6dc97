"""管理 (staff): PIN on the keypad, then sync now with progress, the event log, terminal
settings and exit. The sync runs on a worker thread through kiosk.services.sync."""

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
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
from kiosk.services import admin, sync
from kiosk.ui.browse import ListDetail, detail_html
from kiosk.ui.keypad import Keypad


class _SyncWorker(QThread):
    progressed = Signal(str, int, int)
    finished_with = Signal(bool, str)

    def __init__(self, source: str, db: Path, root: Path):
        super().__init__()
        self.source, self.db, self.root = source, db, root
        self.cancel = threading.Event()

    def run(self) -> None:  # worker thread: no widgets here
        try:
            result = sync.sync(self.source, self.db, self.root,
                               progress=lambda p, d, t: self.progressed.emit(p, d, t),
                               cancelled=self.cancel.is_set)  # fmt: skip
        except KnownError as exc:
            self.finished_with.emit(False, exc.zh)
            return
        self.finished_with.emit(True, "已是最新数据" if result.up_to_date else
                                f"同步完成：更新 {result.changed} 个分区，{result.rows} 行，"
                                f"版本 {result.version}")  # fmt: skip


class AdminPage(QWidget):
    """Emits ``data_changed`` after a successful sync (the header's freshness follows)."""

    data_changed = Signal()

    def __init__(self, settings: Settings, db_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings, self.db_path = settings, db_path
        self.worker: _SyncWorker | None = None
        # The shell tells us which town the home page has chosen (for the town setting).
        self.current_town: Callable[[], str | None] = lambda: None
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
        for button in (self.sync_button, self.cancel_button, self.log_button,
                       self.settings_button, self.batch_button, self.exit_button):  # fmt: skip
            button.setAccessibleName(button.text())
        self.cancel_button.setEnabled(False)
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button.clicked.connect(lambda: self.worker and self.worker.cancel.set())
        self.log_button.clicked.connect(self.show_log)
        self.settings_button.clicked.connect(self.show_settings)
        self.exit_button.clicked.connect(QApplication.quit)
        self.progress = QProgressBar()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.view = ListDetail()
        self.settings_panel = self._settings_panel()
        self.settings_panel.setVisible(False)
        actions = QHBoxLayout()
        for button in (self.sync_button, self.cancel_button, self.log_button,
                       self.settings_button, self.batch_button, self.exit_button):  # fmt: skip
            actions.addWidget(button)
        admin_page = QWidget()
        admin_layout = QVBoxLayout(admin_page)
        admin_layout.addLayout(actions)
        admin_layout.addWidget(self.progress)
        admin_layout.addWidget(self.message)
        admin_layout.addWidget(self.settings_panel)
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
        check = admin.check_pin(self.settings, self.pin.text())
        self.pin.clear()
        if check.ok:
            self.stack.setCurrentIndex(1)
            self.message.setText("")
        else:
            self.pin_message.setText(check.message)

    def start_sync(self) -> None:
        source, root = self.settings.get("feed_source"), self.settings.get("trusted_root")
        if not source or not root or self.db_path is None:
            self.message.setText("尚未配置县级数据源或受信任的根证书（见终端设置）")
            return
        self.worker = _SyncWorker(source, self.db_path, Path(root))
        self.worker.progressed.connect(self._progress)
        self.worker.finished_with.connect(self._synced)
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText("正在同步……")
        self.worker.start()

    def _progress(self, phase: str, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.message.setText(f"{phase}：{done}/{total}")

    def _synced(self, ok: bool, message: str) -> None:
        self.message.setText(message)
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if ok:
            self.data_changed.emit()

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
        pick_source = QPushButton("从U盘选择数据源")
        pick_source.setAccessibleName("从U盘选择数据源")
        pick_source.clicked.connect(self._pick_source)
        grid.addWidget(self.source_label, 3, 0, 1, 2)
        grid.addWidget(pick_source, 3, 2, 1, 2)
        return panel

    def _set_town(self) -> None:
        town = self.current_town()
        if town is None:
            self.message.setText("请先在首页选择乡镇(街道)")
            return
        self.settings.set("town_code", town)
        self._refresh_settings()

    def _pick_source(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择U盘上的数据源文件夹", "/media")
        if folder:
            self.set_source(folder)

    def set_source(self, folder: str) -> None:
        if not (Path(folder) / "metadata" / "timestamp.json").exists():
            self.message.setText(f"{folder} 不是县级数据源文件夹（缺少 metadata）")
            return
        self.settings.set("feed_source", folder)
        self._refresh_settings()

    def _bump(self, key: str, step: int) -> None:
        self.settings.set(key, max(step, int(self.settings.get(key)) + step))
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

    def clear(self) -> None:
        """Lock again (idle timeout, leaving the page)."""
        self.pin.clear()
        self.pin_message.setText("请输入工作人员 PIN")
        self.settings_panel.setVisible(False)
        self.stack.setCurrentIndex(0)
