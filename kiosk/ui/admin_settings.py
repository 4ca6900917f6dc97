"""终端设置 on the staff page: the idle timeout and the stale-data warning in steps, the
terminal's own town (the one chosen on the home page), and the county feed, found on a USB
stick staff pick from big buttons (no file dialog, even for staff). Every change is saved
at once; what cannot be saved is said, never raised.
"""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.services import sync, updates
from kiosk.ui.drives import DriveChooser


class SettingsPanel(QWidget):
    """The settings grid. Its ``source_chooser`` (the sticks to pick the feed from) is laid
    out by the page, below the panel. Emits ``said`` with a line for staff.

    Args:
        current_town: the town the home page has chosen, asked at the moment it is needed.
    """

    said = Signal(str)

    def __init__(self, settings: Settings, current_town: Callable[[], str | None],
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.settings = settings
        self.current_town = current_town
        grid = QGridLayout(self)
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
        # 程序版本: what runs and waits, and the two things staff may decide about updates.
        self.version_label = QLabel("")
        self.version_label.setWordWrap(True)
        self.hold_button = QPushButton("")
        self.hold_button.clicked.connect(lambda: self._set("update_hold",
                                                           not self.settings.get("update_hold")))  # fmt: skip
        self.pin_button = QPushButton("")
        self.pin_button.clicked.connect(self._toggle_pin)
        grid.addWidget(self.version_label, 4, 0, 1, 4)
        grid.addWidget(self.hold_button, 5, 0, 1, 2)
        grid.addWidget(self.pin_button, 5, 2, 1, 2)
        self.source_chooser = DriveChooser("请选择存有县级数据源的U盘", writable=False)
        self.source_chooser.chosen.connect(self._source_on_drive)
        self.source_chooser.cancelled.connect(lambda: self.source_chooser.setVisible(False))
        self.source_chooser.setVisible(False)

    def refresh(self) -> None:
        """Show the settings as they are now."""
        for key, label in self.setting_labels.items():
            label.setText(str(self.settings.get(key)))
        self.source_label.setText(f"县级数据源：{self.settings.get('feed_source') or '未配置'}")
        self.town_label.setText(f"本终端乡镇：{self.settings.get('town_code') or '全县'}")
        status = updates.status(self.settings)
        said = "；".join(f"{label} {value}" for label, value in updates.lines(status))
        self.version_label.setText(f"程序版本：{said}")
        hold = "恢复程序自动更新" if status.held else "暂停程序自动更新"
        pin = f"取消版本上限 {status.pin}" if status.pin else "不再升级（固定在当前版本）"
        for button, text in ((self.hold_button, hold), (self.pin_button, pin)):
            button.setText(text)
            button.setAccessibleName(text)

    def _toggle_pin(self) -> None:
        running = updates.status(self.settings).running
        self._set("update_pin", "" if self.settings.get("update_pin") else running)

    def set_source(self, folder: str) -> None:
        """Make ``folder`` the county feed this terminal syncs from, if it is one."""
        if not (Path(folder) / "metadata" / "timestamp.json").exists():
            self.said.emit(f"{folder} 不是县级数据源文件夹（缺少 metadata）")
            return
        self._set("feed_source", folder)

    def _set_town(self) -> None:
        town = self.current_town()
        if town is None:
            self.said.emit("请先在首页选择乡镇(街道)")
            return
        self._set("town_code", town)

    def _pick_source(self) -> None:
        self.source_chooser.setVisible(True)
        self.source_chooser.refresh()

    def _source_on_drive(self, root: Path) -> None:
        """The feed folder on the chosen stick: its root or a folder just inside it."""
        self.source_chooser.setVisible(False)
        try:
            feed = sync.feed_on(root)
        except OSError as exc:
            self.said.emit(f"无法读取U盘 {root}（{exc.strerror}）")
            return
        if feed is None:
            self.said.emit(f"U盘 {root} 上没有找到县级数据源（含 metadata 的文件夹）")
            return
        self.set_source(str(feed))
        self.said.emit(f"已选择数据源：{feed}")

    def _bump(self, key: str, step: int) -> None:
        self._set(key, int(self.settings.get(key)) + step)

    def _set(self, key: str, value: object) -> None:
        try:
            self.settings.set(key, value)
        except KnownError as exc:
            self.said.emit(exc.zh)
        except ValueError as exc:  # config.BadValue: out of range
            self.said.emit(f"不能设为该值：{exc}")
        except OSError as exc:
            self.said.emit(f"设置无法保存（{exc.strerror}），请检查数据文件夹是否可写")
        self.refresh()
