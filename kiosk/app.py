"""Composition root: QApplication, settings, database, services, main window."""

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from kiosk import log
from kiosk.config import Settings
from kiosk.errors import KnownError
from kiosk.store.db import open_database
from kiosk.ui.fonts import install_app_font
from kiosk.ui.shell import KioskWindow
from kiosk.ui.translations import install_qt_translations


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("莘情公开")
    app.setFont(install_app_font())
    install_qt_translations(app)
    return app


def run(db: Path, windowed: bool = False) -> int:
    """Open the database and show the kiosk until it is closed."""
    try:
        open_database(db)
    except KnownError as exc:
        log.get("kiosk.ui").error("%s", exc)
        raise
    app = create_app()
    window = KioskWindow(Settings(db.resolve().parent / "settings.json"), db)
    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.showFullScreen()
    return app.exec()


def screenshot(db: Path, page: str, out: Path, village: str | None = None,
               elderly: bool = False, size: tuple[int, int] = (1280, 800)) -> Path:
    """Render one page offscreen to a PNG, as a villager would see it.

    Raises:
        KnownError: the database cannot be opened or the village is unknown.
    """
    open_database(db)
    create_app()
    window = KioskWindow(Settings(db.resolve().parent / "settings.json"), db)
    window.resize(*size)
    window.show()
    window.elderly.setChecked(elderly)
    code = village or _a_village_with_payouts()
    if page == "home":
        window.home.choose_town(code[:9])
    elif page == "payouts":
        window.show_village(code)
    elif page == "print":
        window.show_village(code)
        window.show_print(code, window.payouts.result.year)
    elif page == "catalogue":
        window.show_page("catalogue").show_domain("D21", "涉农补贴")
    elif page == "consult":
        window.show_page("consult").show_category("涉农补贴")
    elif page == "policies":
        window.show_page("policies")
    else:
        window.show_admin()
    _wait_ms(1500 if page == "print" else 100)  # QtPdf renders pages in a thread
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.close()
    return out


def _wait_ms(ms: int) -> None:
    """Let the event loop run for ``ms`` (layouts settle, threads deliver their results)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _a_village_with_payouts() -> str:
    from kiosk.services import divisions, payouts

    for town in divisions.list_towns():
        for village in divisions.list_villages(town.code):
            if payouts.years_for_village(village.code):
                return village.code
    raise KnownError("数据库中没有任何发放记录", "the database holds no payouts")
