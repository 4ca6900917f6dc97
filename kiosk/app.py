"""Composition root: QApplication, settings, database, services, main window."""

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk import log
from kiosk.errors import KnownError
from kiosk.store.db import open_database
from kiosk.ui.fonts import install_app_font
from kiosk.ui.main_window import MainWindow

_IMPORTED_AT = time.time()


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("莘情公开")
    app.setFont(install_app_font())
    return app


def run(db: Path, windowed: bool = False) -> int:
    """Open the database and show the kiosk until it is closed."""
    try:
        open_database(db)
    except KnownError as exc:
        log.get("kiosk.ui").error("%s", exc)
        raise
    app = create_app()
    window = MainWindow()
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.showFullScreen()
    # Logged once the event loop has painted the home page: how long a terminal takes to
    # come up is worth knowing in the field (and is what the start-up benchmark reads).
    QTimer.singleShot(0, lambda: log.get("kiosk.ui").info(
        "home shown %.0f ms after process start", (time.time() - _process_start()) * 1000))
    return app.exec()


def _process_start() -> float:
    """When this process was started (Linux: from /proc; elsewhere: interpreter start)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT
