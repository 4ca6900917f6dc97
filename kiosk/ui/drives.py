"""U盘 as big touch buttons: the kiosk's only way to say where a file goes (or comes from).

There is no folder browsing and no file-system dialog anywhere a villager can reach
(DESIGN.md, Kiosk rules): ``DriveChooser`` shows one button per mounted removable drive,
labelled with its volume name (or 'U盘') and free space, and emits the drive's root folder.
What is written there is the caller's business, always as a NEW file or folder.

``removable_drives()`` takes the mounted volumes (QStorageInfo) and keeps the removable
ones: on Linux those mounted under /media/, /run/media/ or /mnt/ (where udisks and
desktop automounters put sticks); on Windows the drive letters other than the system drive.
Volumes that are not ready are skipped, and so are read-only ones when writing.

Test/diagnostic hook: the environment variable ``KIOSK_USB_ROOTS`` (folders separated by
``os.pathsep``) stands in for the mounted drives. Its folders are listed as given, in that
order, read-only or not (so a refused write can be shown); a folder that does not exist is
left out. The tests use it with temporary folders; staff may use it to check a terminal's
saving without a stick.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStorageInfo, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk import config
from kiosk.ui.widgets import TOUCH, clear_layout, touch_button

ENV_ROOTS = "KIOSK_USB_ROOTS"
NO_DRIVE = "未检测到U盘，请插入U盘后重试"
_LINUX_MOUNTS = ("/media/", "/run/media/", "/mnt/")


@dataclass(frozen=True)
class Drive:
    path: Path  # the drive's root folder
    name: str  # volume label, or 'U盘' when it has none
    free_bytes: int

    @property
    def label(self) -> str:
        return f"{self.name}（可用 {human_size(self.free_bytes)}）"


def human_size(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    return f"{size / (1 << 20):.0f} MB"


def is_removable_root(root: str, platform: str = sys.platform,
                      system_drive: str | None = None) -> bool:  # fmt: skip
    """Whether a mount point is where a USB stick would be mounted on this platform."""
    if platform == "win32":
        system = (system_drive or os.environ.get("SYSTEMDRIVE", "C:")).rstrip("\\/").upper()
        return bool(re.fullmatch(r"[A-Za-z]:[\\/]?", root)) and root[:2].upper() != system
    return root.startswith(_LINUX_MOUNTS)


def removable_drives(writable: bool = True) -> list[Drive]:
    """The drives a villager or staff member may choose, in mount order.

    Args:
        writable: leave out read-only volumes (saving); False lists them too (reading).
    """
    roots = config.env(ENV_ROOTS)
    if roots is not None:
        folders = [Path(p) for p in roots.split(os.pathsep) if p]
        return [Drive(p, p.name or "U盘", _free(p)) for p in folders if p.is_dir()]
    drives = []
    for volume in QStorageInfo.mountedVolumes():
        if not (volume.isValid() and volume.isReady()) or (writable and volume.isReadOnly()):
            continue
        if is_removable_root(volume.rootPath()):
            drives.append(Drive(Path(volume.rootPath()), volume.name() or "U盘",
                                volume.bytesAvailable()))  # fmt: skip
    return drives


def _free(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


class DriveChooser(QWidget):
    """A prompt, one big button per drive, 重新检测 and 取消; no browsing.

    Args:
        prompt: what the choice is for, e.g. "请选择要保存到的U盘".
        writable: list only drives that can be written (False: reading a data source).

    Signals:
        chosen(Path): a drive's root folder was tapped.
        cancelled(): 取消 was tapped.
    """

    chosen = Signal(object)
    cancelled = Signal()

    def __init__(self, prompt: str = "请选择要保存到的U盘", writable: bool = True,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.writable = writable
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("font-size: 26pt;")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 22pt;")
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.rescan = touch_button("重新检测U盘")
        self.cancel = touch_button("取消")
        self.rescan.clicked.connect(self.refresh)
        self.cancel.clicked.connect(self.cancelled.emit)
        self.buttons: dict[Path, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.rescan)
        row.addStretch(1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.status)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addLayout(row)

    def refresh(self) -> list[Drive]:
        """List the drives again (a stick may have been plugged in or pulled)."""
        self.clear()
        drives = removable_drives(self.writable)
        columns = 1 if self.width() < 900 else 2
        for index, drive in enumerate(drives):
            button = touch_button(drive.label)
            button.setMinimumHeight(TOUCH + 20)
            button.clicked.connect(lambda _=False, path=drive.path: self.chosen.emit(path))
            self.grid.addWidget(button, index // columns, index % columns)
            button.show()  # the layout would only show it on the next event-loop turn
            self.buttons[drive.path] = button
        self.status.setText(NO_DRIVE if not drives else f"检测到 {len(drives)} 个U盘，请点选一个")
        self._warn(not drives)
        return drives

    def _warn(self, on: bool) -> None:
        """The theme's warning look (QLabel#warning) for 'no stick'."""
        self.status.setObjectName("warning" if on else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def clear(self) -> None:
        """Forget the listed drives."""
        for button in self.buttons.values():
            button.hide()  # at once: deleteLater waits for the event loop
        clear_layout(self.grid)
        self.buttons = {}
        self.status.setText("")
        if self.status.objectName():
            self._warn(False)
