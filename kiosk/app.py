"""Composition root: QApplication, settings, database, services, main window."""

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk import log
from kiosk.errors import KnownError
from kiosk.store.db import open_database
from kiosk.ui.fonts import install_app_font
from kiosk.ui.main_window import MainWindow


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
    return app.exec()
